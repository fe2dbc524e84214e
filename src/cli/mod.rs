//! The command line: definitions (clap) and the glue that runs each command.

/// `println!` that hands a failed write back to the caller instead of panicking, so that a
/// reader that stops early (`hyperlearn level --jsonl F | head`) ends the command quietly:
/// main treats a broken pipe as the end of the output, not as an error.
/// Control characters other than line breaks and tabs in what is printed (a learner's name,
/// a feed's title) are shown escaped, so no outside text can drive the terminal.
macro_rules! out {
    ($($arg:tt)*) => {
        writeln!(
            std::io::stdout().lock(),
            "{}",
            crate::text::terminal_safe(&format!($($arg)*), true)
        )
        .map_err(StdoutError)?
    };
}

mod admin;
mod articles;
mod eval;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::demo::{self, DemoOptions};
use crate::feeds;
use crate::generation::Generator;
use crate::pipeline::{self, RunOptions, Services};
use crate::store::Store;

pub use admin::{FeedsCommand, LearnersCommand, StoreCommand, UsersCommand};
pub use articles::SearchArgs;
pub use eval::{BenchCommand, EvalCommand, LessonsArgs};

/// HyperLearn turns the day's news into a personal reading lesson for each language
/// learner: it fetches the feeds listed in `feeds/`, extracts and indexes the articles,
/// picks an unseen article for each learner by language, level and interests, writes
/// reading exercises with a local language model, verifies every question and answer key
/// against the article, and mails each learner their lesson.
/// Writing the command's output failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub struct StdoutError(#[source] std::io::Error);

impl StdoutError {
    /// The reader of the output went away (`| head`): the output simply ends there.
    pub fn is_closed_pipe(&self) -> bool {
        self.0.kind() == std::io::ErrorKind::BrokenPipe
    }
}

#[derive(Debug, Parser)]
#[command(name = "hyperlearn", version, about, long_about = None, after_help = "Start with `hyperlearn demo`: a full run on bundled content, mail written to var/demo/outbox.")]
pub struct Cli {
    /// The configuration file. Relative paths inside it are resolved against its folder.
    #[arg(
        long,
        global = true,
        default_value = "config.toml",
        value_name = "PATH"
    )]
    pub config: PathBuf,
    /// No progress lines (errors and results are still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One complete run: fetch feeds, extract and index new articles, then make, verify and
    /// send today's lesson for every active learner who has not had it yet. Safe to re-run:
    /// a learner never gets a second lesson on the same day.
    Daily {
        /// Print the run report as JSON on stdout (progress stays on stderr).
        #[arg(long)]
        json: bool,
        /// Skip fetching; make lessons from articles already stored.
        #[arg(long)]
        no_fetch: bool,
        /// Run as if it were this time (RFC 3339); for testing schedules.
        #[arg(long, hide = true)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Send the lessons that are due, as `serve` does on its mail schedule: each at the
    /// learner's local delivery time, temporary failures retried with back-off, lessons later
    /// than `[delivery] late_cutoff_minutes` skipped. Every step is recorded in the store
    /// first, so an interrupted run can simply be started again: nobody gets a lesson twice.
    Deliver {
        /// Send every lesson made for the learner's today now, whatever its delivery time.
        #[arg(long)]
        all: bool,
        /// Print the run report as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Run as if it were this time (RFC 3339); for testing schedules.
        #[arg(long, hide = true)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Fetch feeds and index new articles, without making lessons.
    Fetch {
        /// Print the run report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The daily run on a bundled demo: serves demo feeds and pages in seven languages from
    /// 127.0.0.1, adds demo learners, and writes their lessons as .eml files to an outbox.
    /// Uses `[model]` and `[lesson]` from the config file when it exists.
    Demo {
        /// Where to write the mail (default: var/demo/outbox).
        #[arg(long, value_name = "DIR")]
        outbox: Option<PathBuf>,
        /// Working folder for the demo's store, index and feed list.
        #[arg(long, value_name = "DIR", default_value = "var/demo")]
        dir: PathBuf,
        /// Start from scratch: delete the working folder first.
        #[arg(long)]
        fresh: bool,
    },
    /// Run the service: fetch feeds on `[schedule] fetch`, make each learner's lesson ahead
    /// of their local delivery time (`[delivery] lead_minutes`) and send it at that time,
    /// across daylight-saving changes; after downtime, late lessons are sent once within the
    /// cut-off. Stops cleanly on Ctrl-C.
    Serve,
    /// Run some of `serve`'s work beside other processes on the same PostgreSQL store
    /// (`[store] url`), on this machine or others: any number of workers share the lessons
    /// (each learner's lesson is claimed in the store, so it is made once, and a killed
    /// worker's claims are taken over), while fetch and mail runs take turns (one at a time,
    /// any worker). A worker with the web role serves the web UI and keeps its own search
    /// index caught up with the store.
    Worker {
        /// What this worker does: any of fetch, lessons, mail, web.
        #[arg(long, default_value = "fetch,lessons,mail", value_name = "ROLES")]
        roles: String,
        /// A name for this worker in run locks and logs (default: host and process id).
        #[arg(long, value_name = "NAME")]
        id: Option<String>,
    },
    /// Search the article index (for teachers).
    Search(SearchArgs),
    /// Manage the feed lists in `feeds/*.toml`.
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Manage learners.
    #[command(subcommand)]
    Learners(LearnersCommand),
    /// Manage web UI accounts (admins and teachers).
    #[command(subcommand)]
    Users(UsersCommand),
    /// The store: bring its schema up to date, or copy it into PostgreSQL (`[store] url`).
    #[command(subcommand)]
    Store(StoreCommand),
    /// Extract an article from a saved HTML page and print it as JSON:
    /// {"title","byline","published","lang","text"} (paragraphs separated by blank lines).
    Extract {
        /// The page's URL (resolves relative links; never fetched).
        #[arg(long)]
        url: Option<String>,
        /// The saved page.
        file: PathBuf,
    },
    /// Check a configuration before the first run: the public URL is https, a link key is
    /// set, the store opens and is migrated, the feed lists parse, the word lists are there,
    /// the SMTP relay accepts a connection (EHLO, TLS, AUTH; nothing is sent) and the model
    /// loads and answers. Prints what to fix; exits non-zero when something needs fixing.
    Doctor {
        /// Skip loading the model (faster; for checking a config on another machine).
        #[arg(long)]
        no_model: bool,
    },
    /// Write a consistent copy of the store to PATH (a new SQLite file) while the service
    /// runs (SQLite's online backup; a PostgreSQL store's rows read at one moment), and
    /// check it. The search index is not in it: `reindex`
    /// rebuilds it from the store. Keep `token.key` (beside the store) with the backups.
    Backup { path: PathBuf },
    /// Replace the store's contents with a backup after checking it (integrity, schema);
    /// a PostgreSQL store's rows are replaced in one transaction. Stop `serve` and workers
    /// first; then run `hyperlearn reindex` to rebuild the search index.
    Restore { path: PathBuf },
    /// Replace the key that signs learners' links (lesson, preferences, unsubscribe) with a
    /// new random one, kept beside the store (`token.key`, mode 0600). Links in mail already
    /// sent stop working; restart `serve` to use the new key. A key set in `[mail] token_key`
    /// or HYPERLEARN_TOKEN_KEY is changed there instead.
    RotateTokenKey,
    /// Rebuild the search index from the store (after a schema change).
    Reindex {
        /// First measure every stored article's level again with the current formula (after
        /// an upgrade that changed it, so old and new articles compare on one scale).
        #[arg(long)]
        relevel: bool,
    },
    /// Verify answer keys: reads JSON lines {"id","context","question","answer",
    /// "options"?,"lang"?} and writes {"id","accepted","reasons"} per line, with the same
    /// verifier as the pipeline (the model's round trip included).
    Verify {
        /// The JSON-lines file.
        #[arg(long, value_name = "FILE")]
        jsonl: PathBuf,
        /// Lexical rule thresholds: strict, balanced or lenient.
        #[arg(long, default_value = "strict")]
        profile: String,
        /// Skip the model's round trip (diagnostics only; the pipeline always asks it).
        #[arg(long)]
        no_model: bool,
    },
    /// Measure, per language, whether the configured model may judge what only a model can
    /// judge, on the sets in `lang/<code>/calibration-<kind>.tsv`: what a word means
    /// (vocabulary: each item verified with each of its four meanings as the key, as a
    /// lesson's item would be), and which words fit a gap (bank: each content word's bank
    /// chosen by the model's fits, as a lesson's would be, among words that fit its gap and
    /// words that do not). A kind turns on for a language only when at least 60% of right
    /// keys (banks shown clean) and, at 95% confidence, at most 5% of wrong keys (words that
    /// fit) pass. The verdict is stored with the model file's sha256: another model file
    /// starts off again.
    Calibrate {
        /// Languages, comma-separated (default: every language with a set).
        #[arg(long, value_delimiter = ',')]
        langs: Vec<String>,
        /// Print the stored verdicts and whether they hold for the configured model file;
        /// measure nothing (the model is not loaded).
        #[arg(long)]
        show: bool,
        /// Print JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show how articles rank for a learner: interest match, level fit, freshness, topic
    /// variety, and which are excluded (already read as another feed's story).
    ExplainSelection {
        /// Id or address.
        learner: String,
        /// Rank as of this date (YYYY-MM-DD); default: now.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// How many candidates to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Difficulty of texts: `level FILE.txt` prints {"lang","score","cefr"} for one text;
    /// `level --jsonl FILE` reads lines {"id","text","lang"?} and writes {"id","lang","score",
    /// "cefr"} (score 1.0 = A1 ... 6.0 = C2).
    Level {
        /// A plain-text file with one text.
        file: Option<PathBuf>,
        /// A JSON-lines file with many texts.
        #[arg(long, value_name = "FILE", conflicts_with = "file")]
        jsonl: Option<PathBuf>,
        /// The language, when not detected (ISO 639-1).
        #[arg(long)]
        lang: Option<String>,
        /// Also print the features behind each score: sentence and word length, and the
        /// shares of words beyond the 1k/2k/5k/10k most frequent (English-equivalent ranks).
        #[arg(long)]
        features: bool,
    },
    /// Evaluations on the data under ../shared/data; figures are printed and appended to
    /// BENCHMARKS.md.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Benchmarks; figures are printed and appended to BENCHMARKS.md with the machine.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Daily { json, no_fetch, at } => {
            let services = open_services(&cli.config)?;
            let progress = pipeline::Progress::new(cli.quiet);
            progress.say(format!(
                "Loading model {} ...",
                services.config.model.path.display()
            ));
            let generator = Generator::start(&services.config.model)?;
            let options = RunOptions {
                fetch: !no_fetch,
                now: at.unwrap_or_else(chrono::Utc::now),
                ..RunOptions::full(cli.quiet)
            };
            let report = pipeline::run(&services, Some(&generator), &options).await?;
            print_report(&report, json)
        }
        Command::Fetch { json } => {
            let services = open_services(&cli.config)?;
            let options = RunOptions {
                lessons: false,
                mail: false,
                ..RunOptions::full(cli.quiet)
            };
            let report = pipeline::run(&services, None, &options).await?;
            print_report(&report, json)
        }
        Command::Deliver { all, json, at } => {
            let services = open_services(&cli.config)?;
            let options = RunOptions {
                now: at.unwrap_or_else(chrono::Utc::now),
                timing: if all {
                    pipeline::Timing::Now
                } else {
                    pipeline::Timing::Scheduled
                },
                ..RunOptions::scheduled(crate::pipeline::Stage::Mail, cli.quiet)
            };
            let report = pipeline::run(&services, None, &options).await?;
            print_report(&report, json)
        }
        Command::Demo { outbox, dir, fresh } => {
            let outcome = demo::run_demo(&DemoOptions {
                dir,
                outbox,
                config_file: cli.config,
                fresh,
                quiet: cli.quiet,
            })
            .await?;
            out!("{}", outcome.report);
            out!(
                "Outbox: {} ({} lesson mails)",
                outcome.outbox.display(),
                outcome.mails.len()
            );
            for m in &outcome.mails {
                out!("  {}", m.display());
            }
            Ok(())
        }
        Command::Serve => {
            let services = open_services(&cli.config)?;
            let generator = Generator::start(&services.config.model)?;
            crate::serve::run(services, Some(generator), crate::serve::Roles::ALL).await
        }
        Command::Worker { roles, id } => {
            let roles = crate::serve::Roles::parse(&roles).map_err(anyhow::Error::msg)?;
            if let Some(id) = id {
                crate::runlock::name_this_process(&id).map_err(anyhow::Error::msg)?;
            }
            let services = open_services(&cli.config)?;
            if services.store.backend() == crate::store::Backend::Sqlite {
                pipeline::Progress::new(cli.quiet).say(format!(
                    "Note: the store is the SQLite file {}; workers on other machines need a PostgreSQL store ([store] url)",
                    services.store.location()
                ));
            }
            let generator = if roles.lessons {
                Some(Generator::start(&services.config.model)?)
            } else {
                None
            };
            crate::serve::run(services, generator, roles).await
        }
        Command::Search(args) => articles::search(&cli.config, args),
        Command::Feeds(FeedsCommand::Refresh { url, json }) => {
            let services = open_services(&cli.config)?;
            let listed = feeds::load_feed_lists(&services.config.feeds_dir)?;
            if !listed.iter().any(|f| f.url == url) {
                anyhow::bail!(
                    "{url} is not in any list in {} (see `hyperlearn feeds list`)",
                    services.config.feeds_dir.display()
                );
            }
            services.store.reset_feed(&url)?;
            let options = RunOptions {
                lessons: false,
                mail: false,
                only_feed: Some(url),
                ..RunOptions::full(cli.quiet)
            };
            let report = pipeline::run(&services, None, &options).await?;
            print_report(&report, json)
        }
        Command::Feeds(cmd) => admin::feeds_command(&cli.config, cmd),
        Command::Users(cmd) => admin::users_command(&cli.config, cmd),
        Command::Store(cmd) => admin::store_command(&cli.config, cmd, cli.quiet),
        Command::Doctor { no_model } => {
            let config = load_config(&cli.config)?;
            pipeline::Progress::new(cli.quiet)
                .say(format!("Checking {} ...", cli.config.display()));
            let findings = crate::doctor::check(&config, !no_model).await;
            for f in &findings {
                out!(
                    "{}  {:<11} {}",
                    if f.ok { "ok " } else { "FIX" },
                    f.what,
                    f.detail
                );
            }
            let to_fix = findings.iter().filter(|f| !f.ok).count();
            if to_fix > 0 {
                bail!("{to_fix} thing(s) to fix before the first run (lines marked FIX above)");
            }
            out!("Ready for `hyperlearn serve`.");
            Ok(())
        }
        Command::Backup { path } => {
            let config = load_config(&cli.config)?;
            let info = Store::connect(&config.store)?.backup_to(&path)?;
            out!(
                "Backed up {} to {} ({} bytes, schema {}): {} learners, {} lessons, {} deliveries.",
                config.store,
                path.display(),
                info.bytes,
                info.schema_version,
                info.learners,
                info.lessons,
                info.deliveries
            );
            Ok(())
        }
        Command::Restore { path } => {
            let config = load_config(&cli.config)?;
            let info = Store::connect(&config.store)?.restore_from(&path)?;
            out!(
                "Restored {} from {} (schema {}): {} learners, {} lessons, {} deliveries. Run `hyperlearn reindex` to rebuild the search index.",
                config.store,
                path.display(),
                info.schema_version,
                info.learners,
                info.lessons,
                info.deliveries
            );
            Ok(())
        }
        Command::RotateTokenKey => {
            let config = load_config(&cli.config)?;
            if config.key_belongs_in_store() {
                let store = crate::store::Store::connect(&config.store)?;
                store.replace_token_key(crate::config::Secret::random().expose())?;
                out!(
                    "A new link-signing key is kept in {}. Links in mail sent before now no longer open; restart `hyperlearn serve` and every worker to sign and check links with the new key.",
                    config.store
                );
                return Ok(());
            }
            let file = crate::config::rotate_token_key(&config)?;
            out!(
                "A new link-signing key is in {}. Links in mail sent before now no longer open; restart `hyperlearn serve` to sign and check links with the new key.",
                file.display()
            );
            Ok(())
        }
        Command::Learners(cmd) => admin::learners_command(&cli.config, cmd),
        Command::Extract { url, file } => articles::extract(url.as_deref(), &file),
        Command::Reindex { relevel } => articles::reindex(&cli.config, relevel, cli.quiet),
        Command::Calibrate { langs, show, json } => {
            eval::calibrate(&cli.config, &langs, show, json, cli.quiet).await
        }
        Command::Verify {
            jsonl,
            profile,
            no_model,
        } => eval::verify(&cli.config, cli.quiet, &jsonl, &profile, no_model).await,
        Command::Eval(cmd) => eval::eval(&cli.config, cli.quiet, cmd).await,
        Command::Bench(cmd) => eval::bench(&cli.config, cmd).await,
        Command::ExplainSelection {
            learner,
            date,
            limit,
            json,
        } => articles::explain_selection(&cli.config, &learner, date, limit, json),
        Command::Level {
            file,
            jsonl,
            lang,
            features,
        } => {
            let config = config_or_defaults(&cli.config)?;
            articles::level_command(
                &config,
                file.as_deref(),
                jsonl.as_deref(),
                lang.as_deref(),
                features,
            )
        }
    }
}

/// The config file, or the defaults when there is none (eval and bench commands).
fn config_or_defaults(config: &Path) -> anyhow::Result<Config> {
    Ok(if config.exists() {
        Config::from_file(config)?
    } else {
        Config::parse("", Path::new("."))?
    })
}

/// The model from the config's `[model]` (defaults when there is no config file).
fn model_for(config: &Path, no_model: bool, quiet: bool) -> anyhow::Result<Option<Generator>> {
    if no_model {
        return Ok(None);
    }
    let config = config_or_defaults(config)?;
    pipeline::Progress::new(quiet)
        .say(format!("Loading model {} ...", config.model.path.display()));
    Ok(Some(Generator::start(&config.model)?))
}

fn load_config(path: &Path) -> anyhow::Result<Config> {
    if !path.exists() {
        bail!(
            "config file {} not found (pass --config PATH, or run from the project folder)",
            path.display()
        );
    }
    Ok(Config::from_file(path)?)
}

fn open_services(config: &Path) -> anyhow::Result<Services> {
    Services::open(load_config(config)?)
}

fn print_report(report: &crate::report::RunReport, json: bool) -> anyhow::Result<()> {
    if json {
        out!("{}", serde_json::to_string_pretty(report)?);
    } else {
        out!("{report}");
    }
    Ok(())
}
