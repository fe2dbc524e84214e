//! The admin commands: feed lists, web accounts and learners.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveTime;
use clap::Subcommand;

use crate::articles::{self, Cefr};
use crate::feeds::{self, NewFeed};
use crate::pipeline::{self, Services};
use crate::store::{NewLearner, Store, StoreLocation};

use super::{StdoutError, load_config};

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// List feeds with their fetch state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a feed to a list file (created if missing); comments in the file are kept.
    Add {
        url: String,
        /// The list file, without `.toml` (default: the language, else "feeds").
        #[arg(long)]
        list: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Language hint (ISO 639-1).
        #[arg(long)]
        lang: Option<String>,
        /// Topics for every article of this feed, comma-separated.
        #[arg(long, value_delimiter = ',')]
        topics: Vec<String>,
    },
    /// Remove a feed from whichever list holds it.
    Remove { url: String },
    /// Fetch one feed now: forgets its failures (un-pausing it) and any wait its server
    /// asked for, then fetches and indexes it.
    Refresh {
        url: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add an account. The password is read from the first line of standard input
    /// (e.g. `printf '%s\n' "$PW" | hyperlearn users add ana --role admin`); at least 12
    /// characters.
    Add {
        username: String,
        /// admin (everything) or teacher (search and articles).
        #[arg(long, default_value = "teacher")]
        role: String,
    },
    /// List the accounts with their roles.
    List,
    /// Remove an account; its sessions end at once.
    Remove { username: String },
    /// Set a new password (first line of standard input, at least 12 characters); the
    /// account's sessions end at once.
    Passwd { username: String },
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Bring the store's schema up to date and say which version it is at. Every command
    /// does this when it starts; run it alone before starting the workers of a new release,
    /// or to check that a PostgreSQL database is reachable.
    Migrate,
    /// Copy everything from the configured store into a new, empty one at URL
    /// (`postgres://USER@HOST/DATABASE`, or `sqlite:PATH`): learners, articles, lessons and
    /// exercise sets, the mail ledger with every delivery state, flags, forgotten addresses,
    /// accounts and calibrations. Stop `serve` and workers first; afterwards set
    /// `[store] url` to URL. The search index is not copied: each web node builds its own
    /// (`hyperlearn reindex`). The password may come from HYPERLEARN_STORE_PASSWORD.
    Copy {
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LearnersCommand {
    /// Add a learner.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The language they learn (ISO 639-1: en, ru, de, fr, es ...).
        #[arg(long)]
        lang: String,
        /// Their CEFR level.
        #[arg(long)]
        level: Cefr,
        /// Interests: topics or free words, comma-separated.
        #[arg(long, value_delimiter = ',')]
        interests: Vec<String>,
        /// Local delivery time, HH:MM.
        #[arg(long, default_value = "07:00")]
        time: String,
        /// IANA time zone, e.g. Europe/Berlin.
        #[arg(long, default_value = "UTC")]
        tz: String,
        /// The learner was forgotten at their request and has asked to come back.
        #[arg(long)]
        again: bool,
    },
    /// List learners.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a learner (by id or address) and their history.
    Remove { learner: String },
    /// Print all we hold about a learner as JSON: profile, level history, lessons and their
    /// exercises, scores, flags and deliveries with the stored mail (a data request).
    Export {
        /// Id or address.
        learner: String,
    },
    /// Erase a learner at their request: everything `remove` deletes; the address is kept
    /// only as a salted hash, so that they are never mailed or imported again.
    Forget {
        /// Id or address.
        learner: String,
    },
    /// Pause a learner: no lessons until resumed.
    Pause {
        /// Id or address.
        learner: String,
        #[arg(long, default_value = "paused by an admin")]
        reason: String,
    },
    /// Resume a paused learner (also one paused after mail failures).
    Resume {
        /// Id or address.
        learner: String,
    },
    /// Record a lesson's score (share of right answers, 0 to 1) and adapt the learner's
    /// level: consistently high scores move it up, low ones down, damped.
    RecordScore {
        /// Id or address.
        learner: String,
        /// Share of right answers, 0.0 to 1.0.
        #[arg(long)]
        score: f64,
        /// The lesson's date (YYYY-MM-DD); default: the latest lesson.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// A learner's level over time.
    History {
        /// Id or address.
        learner: String,
    },
}

pub(super) fn feeds_command(config: &Path, cmd: FeedsCommand) -> anyhow::Result<()> {
    let config = load_config(config)?;
    match cmd {
        FeedsCommand::List { json } => {
            let sources = feeds::load_feed_lists(&config.feeds_dir)?;
            let store = Store::connect(&config.store)?;
            let mut rows = Vec::new();
            for f in &sources {
                let state = store.feed_state(&f.url)?;
                rows.push(serde_json::json!({
                    "url": f.url, "name": f.name, "lang": f.lang, "topics": f.topics, "enabled": f.enabled,
                    "list": f.file.file_name().map(|n| n.to_string_lossy().to_string()),
                    "last_fetch": state.last_fetch_at, "last_ok": state.last_ok_at,
                    "last_error": state.last_error, "consecutive_errors": state.consecutive_errors,
                    "items_seen": state.items_seen,
                    "paused": state.paused(config.fetch.pause_after_failures),
                    "next_fetch": state.next_fetch_at.map(|t| t.to_rfc3339()),
                }));
            }
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            if sources.is_empty() {
                out!(
                    "No feeds listed in {} (add one with `hyperlearn feeds add URL`).",
                    config.feeds_dir.display()
                );
            }
            for (f, row) in sources.iter().zip(&rows) {
                let status = if !f.enabled {
                    "disabled".to_string()
                } else if row["paused"].as_bool().unwrap_or(false) {
                    format!(
                        "PAUSED after {} failures in a row: {}\n    (`hyperlearn feeds refresh {}` tries it again)",
                        row["consecutive_errors"],
                        row["last_error"].as_str().unwrap_or(""),
                        f.url
                    )
                } else if row["consecutive_errors"].as_i64().unwrap_or(0) > 0 {
                    format!(
                        "failing ({}x): {}",
                        row["consecutive_errors"],
                        row["last_error"].as_str().unwrap_or("")
                    )
                } else if row["last_ok"].is_null() {
                    "never fetched".to_string()
                } else {
                    format!("ok, last fetched {}", row["last_ok"].as_str().unwrap_or(""))
                };
                out!(
                    "{} [{}] {}\n    {} ({})",
                    printable(&f.name),
                    f.lang.as_deref().unwrap_or("?"),
                    f.url,
                    status,
                    row["list"].as_str().unwrap_or("")
                );
            }
            Ok(())
        }
        FeedsCommand::Add {
            url,
            list,
            name,
            lang,
            topics,
        } => {
            let list =
                feeds::ListName::new(list.as_deref().or(lang.as_deref()).unwrap_or("feeds"))?;
            let path = feeds::add_feed(
                &config.feeds_dir,
                &list,
                &NewFeed {
                    url: url.clone(),
                    name,
                    lang,
                    topics,
                },
            )?;
            out!("Added {url} to {}", path.display());
            Ok(())
        }
        FeedsCommand::Remove { url } => {
            let path = feeds::remove_feed(&config.feeds_dir, &url)?;
            out!("Removed {url} from {}", path.display());
            Ok(())
        }
        FeedsCommand::Refresh { .. } => unreachable!("`feeds refresh` runs a fetch; see `run`"),
    }
}

/// A new password: the first line of standard input, at least 12 characters.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 12 {
        bail!("the password (first line of standard input) must have at least 12 characters");
    }
    Ok(password.to_string())
}

pub(super) fn store_command(config: &Path, cmd: StoreCommand, quiet: bool) -> anyhow::Result<()> {
    let config = load_config(config)?;
    match cmd {
        StoreCommand::Migrate => {
            let before = Store::schema_version_at(&config.store)?;
            let store = Store::connect(&config.store)?;
            let now = store.schema_version()?;
            if before == now {
                out!("{}: schema {now}, up to date.", config.store);
            } else {
                out!("{}: schema {before} -> {now}, up to date.", config.store);
            }
        }
        StoreCommand::Copy { to } => {
            let base = std::env::current_dir().context("the current folder")?;
            let target = StoreLocation::parse(&to, &base, crate::config::store_password())
                .map_err(anyhow::Error::msg)?;
            let source = Store::connect(&config.store)?;
            let dest = Store::connect(&target)?;
            let progress = pipeline::Progress::new(quiet);
            progress.say(format!("Copying {} to {target} ...", config.store));
            let copied = source.copy_to(&dest, |table, rows| {
                progress.say(format!("  {table}: {rows} rows"));
            })?;
            // Read back what arrived: every table holds what was copied.
            let arrived = dest.table_counts()?;
            if arrived != copied {
                bail!("the copy does not hold what was read: {arrived:?}, not {copied:?}");
            }
            // This installation's generated link key comes along, so that the links in mail
            // it sent keep working on every machine of the new store.
            if target.backend() == crate::store::Backend::Postgres
                && matches!(
                    config.mail.token_key_origin,
                    crate::config::KeyOrigin::KeyFile(_)
                )
            {
                dest.shared_token_key(config.mail.token_key.expose())?;
            }
            let count = |table: &str| {
                copied
                    .iter()
                    .find(|(t, _)| t == table)
                    .map_or(0, |(_, n)| *n)
            };
            out!(
                "Copied {} to {target}: {} learners, {} articles, {} lessons, {} deliveries, {} rows in all (checked). Set `[store] url` to it and start HyperLearn again; run `hyperlearn reindex` on each web node.",
                config.store,
                count("learners"),
                count("articles"),
                count("lessons"),
                count("deliveries"),
                copied.iter().map(|(_, n)| n).sum::<usize>()
            );
        }
    }
    Ok(())
}

pub(super) fn users_command(config: &Path, cmd: UsersCommand) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::Add { username, role } => {
            if crate::web::Role::parse(&role).is_none() {
                bail!(
                    "--role must be `admin` or `teacher`, not `{}`",
                    printable(&role)
                );
            }
            let username = username.trim();
            if username.is_empty()
                || username
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control())
            {
                bail!("the user name must be one word");
            }
            let password = password_from_stdin()?;
            let config = load_config(config)?;
            let store = Store::connect(&config.store)?;
            let hash = crate::web::hash_password(&password)?;
            let user = store.add_user(username, &hash, &role)?;
            out!("Added {} ({}).", user.username, user.role);
        }
        UsersCommand::List => {
            let config = load_config(config)?;
            let users = Store::connect(&config.store)?.users()?;
            if users.is_empty() {
                out!(
                    "No web UI accounts yet (add one with `hyperlearn users add NAME --role admin`)."
                );
            }
            for u in users {
                out!("{}  {}", printable(&u.username), u.role);
            }
        }
        UsersCommand::Remove { username } => {
            let config = load_config(config)?;
            let user = Store::connect(&config.store)?.remove_user(username.trim())?;
            out!(
                "Removed {} ({}); their sessions have ended.",
                printable(&user.username),
                user.role
            );
        }
        UsersCommand::Passwd { username } => {
            let config = load_config(config)?;
            let store = Store::connect(&config.store)?;
            if store.user_by_name(username.trim())?.is_none() {
                bail!(
                    "no user named `{}` (see `hyperlearn users list`)",
                    printable(&username)
                );
            }
            let password = password_from_stdin()?;
            let hash = crate::web::hash_password(&password)?;
            let user = store.set_password(username.trim(), &hash)?;
            out!(
                "New password set for {}; their sessions have ended.",
                printable(&user.username)
            );
        }
    }
    Ok(())
}

/// Outside text on one line of a listing: every control character escaped, line breaks too.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    crate::text::terminal_safe(s, false)
}

pub(super) fn learners_command(config: &Path, cmd: LearnersCommand) -> anyhow::Result<()> {
    let config = load_config(config)?;
    let store = Store::connect(&config.store)?;
    match cmd {
        LearnersCommand::Add {
            email,
            name,
            lang,
            level,
            interests,
            time,
            tz,
            again,
        } => {
            crate::delivery::check_address(&email).map_err(anyhow::Error::msg)?;
            if again {
                store.unforget(&email)?;
            }
            let delivery_time = NaiveTime::parse_from_str(&time, "%H:%M")
                .with_context(|| format!("--time `{time}` is not a time of day like 07:30"))?;
            tz.parse::<chrono_tz::Tz>().map_err(|_| {
                anyhow::anyhow!("--tz `{tz}` is not an IANA time zone such as Europe/Berlin")
            })?;
            let lang = lang.trim().to_lowercase();
            if lang.len() != 2 || !lang.chars().all(|c| c.is_ascii_lowercase()) {
                bail!("--lang `{lang}` is not a two-letter language code such as de");
            }
            let interests: Vec<String> = interests
                .into_iter()
                .map(|i| i.trim().to_string())
                .filter(|i| !i.is_empty())
                .collect();
            let learner = store.add_learner(&NewLearner {
                email,
                name,
                lang,
                level: level.score(),
                interests,
                delivery_time,
                timezone: tz,
            })?;
            out!(
                "Added learner {} <{}> ({} {}), id {}",
                learner.name,
                learner.email,
                learner.lang,
                learner.cefr(),
                learner.id
            );
            Ok(())
        }
        LearnersCommand::Pause { learner, reason } => {
            let learner = store.find_learner(&learner)?;
            store.set_learner_paused(learner.id, Some(&reason))?;
            out!("Paused {} ({reason}).", learner.email);
            Ok(())
        }
        LearnersCommand::Resume { learner } => {
            let learner = store.find_learner(&learner)?;
            store.set_learner_paused(learner.id, None)?;
            out!("Resumed {}.", learner.email);
            Ok(())
        }
        LearnersCommand::List { json } => {
            let learners = store.learners()?;
            let paused = store.paused_reasons()?;
            if json {
                out!("{}", serde_json::to_string_pretty(&learners)?);
                return Ok(());
            }
            if learners.is_empty() {
                out!("No learners yet (add one with `hyperlearn learners add`).");
            }
            for l in learners {
                out!(
                    "{:>4}  {} <{}>  {} {} ({:.1})  {} {}  interests: {}{}",
                    l.id,
                    printable(&l.name),
                    printable(&l.email),
                    l.lang,
                    l.cefr(),
                    l.level,
                    l.delivery_time.format("%H:%M"),
                    printable(&l.timezone),
                    printable(&l.interests.join(", ")),
                    match (l.active, paused.get(&l.id)) {
                        (true, _) => String::new(),
                        (false, Some(why)) => format!("\n      PAUSED: {}", printable(why)),
                        (false, None) => "  (paused)".to_string(),
                    }
                );
            }
            Ok(())
        }
        LearnersCommand::RecordScore {
            learner,
            score,
            date,
        } => {
            let services = Services::open(config)?;
            let learner = services.store.find_learner(&learner)?;
            let (before, after) = pipeline::record_score(&services, &learner, date, score)?;
            out!(
                "{}: level {:.2} ({}) -> {:.2} ({})",
                learner.email,
                before,
                articles::Cefr::from_score(before),
                after,
                articles::Cefr::from_score(after)
            );
            Ok(())
        }
        LearnersCommand::History { learner } => {
            let learner = store.find_learner(&learner)?;
            let history = store.level_history(learner.id)?;
            out!(
                "{} <{}>: now {:.2} ({})",
                learner.name,
                learner.email,
                learner.level,
                learner.cefr()
            );
            for change in history {
                out!(
                    "  {}  {:.2} ({})  {}",
                    change.at,
                    change.level,
                    articles::Cefr::from_score(change.level),
                    change.reason
                );
            }
            Ok(())
        }
        LearnersCommand::Export { learner } => {
            let data = store.export_learner(&learner)?;
            out!("{}", serde_json::to_string_pretty(&data)?);
            Ok(())
        }
        LearnersCommand::Forget { learner } => {
            let forgotten = store.forget_learner(&learner)?;
            out!(
                "Forgot learner {} <{}>: everything is erased; the address is kept only as a salted hash so that it is never mailed or imported again.",
                printable(&forgotten.name),
                printable(&forgotten.email)
            );
            Ok(())
        }
        LearnersCommand::Remove { learner } => {
            let removed = store.remove_learner(&learner)?;
            out!("Removed learner {} <{}>", removed.name, removed.email);
            Ok(())
        }
    }
}
