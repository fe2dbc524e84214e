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

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveTime;
use clap::{Args, Parser, Subcommand};

use crate::articles::{self, Cefr};
use crate::config::Config;
use crate::demo::{self, DemoOptions};
use crate::feeds::{self, NewFeed};
use crate::generation::Generator;
use crate::index::{ArticleIndex, IndexDoc, SearchQuery};
use crate::pipeline::{self, RunOptions, Services};
use crate::store::{NewLearner, Store};

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
    /// The daily run on a bundled demo: serves demo feeds and pages in six languages from
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
    /// Write a consistent copy of the store to PATH (a new file) while the service runs
    /// (SQLite's online backup), and check it. The search index is not in it: `reindex`
    /// rebuilds it from the store. Keep `token.key` (beside the store) with the backups.
    Backup { path: PathBuf },
    /// Replace the store's contents with a backup after checking it (integrity, schema).
    /// Stop `serve` first; then run `hyperlearn reindex` to rebuild the search index.
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
    /// Measure, per language, whether the configured model may judge the kinds of exercise
    /// whose key only a model can judge (what a word means): each item of the set in
    /// `lang/<code>/calibration-<kind>.tsv` is verified with each of its four meanings as the
    /// key, as a lesson's item would be. The kind turns on for a language only when at least
    /// 60% of right keys and, at 95% confidence, at most 5% of wrong keys pass. The verdict is
    /// stored with the model file's sha256: another model file starts off again.
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

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// One synthetic page of N MiB through decoding and extraction: time and peak memory.
    Extraction {
        #[arg(long, default_value_t = 15)]
        mib: usize,
        #[arg(long)]
        no_record: bool,
    },
    /// An index of N synthetic articles (words from the wordfreq lists): indexing rate and
    /// query latency p50/p99 for typical teachers' queries with filters.
    Search {
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        #[arg(long, default_value_t = 500)]
        queries: usize,
        #[arg(long)]
        no_record: bool,
    },
    /// N learners' lessons through the delivery ledger and the SMTP connection pool to an
    /// SMTP server on 127.0.0.1: messages per second and peak memory.
    Delivery {
        #[arg(long, default_value_t = 10_000)]
        learners: usize,
        #[arg(long, default_value_t = 4)]
        connections: usize,
        /// Send to this SMTP server (HOST:PORT) instead of the bench's own.
        #[arg(long, value_name = "HOST:PORT")]
        smtp: Option<String>,
        #[arg(long)]
        no_record: bool,
    },
    /// Lessons over the bundled English demo articles, with 1 and K parallel sequences and
    /// with K without prefix sharing: lessons per hour, token rates, accepted share, time
    /// writing versus verifying, peak memory. Uses `[model]` and `[lesson]` from the config.
    Generation {
        #[arg(long, default_value_t = 8)]
        lessons: usize,
        /// K, the parallel sequences of the second and third rows.
        #[arg(long, default_value_t = 4)]
        parallel: u32,
        #[arg(long)]
        no_record: bool,
    },
    /// Raw engine throughput for N sequences of P prompt and G generated tokens, the mix
    /// llama.cpp's llama-batched-bench measures.
    Engine {
        #[arg(long = "prompt", default_value_t = 800)]
        prompt_tokens: usize,
        #[arg(long = "generate", default_value_t = 200)]
        generated_tokens: u32,
        /// Sequence counts to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,16")]
        sequences: Vec<u32>,
        /// All sequences share one prompt (as the article is shared within a lesson).
        #[arg(long)]
        shared_prompt: bool,
        /// Constrain generation with a (simple) grammar.
        #[arg(long)]
        grammar: bool,
        /// Runs per configuration; the fastest counts.
        #[arg(long, default_value_t = 2)]
        repeat: usize,
        /// Path to llama.cpp's llama-batched-bench, to run the same mix for comparison.
        #[arg(long, value_name = "BIN")]
        batched_bench: Option<PathBuf>,
        #[arg(long)]
        no_record: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// The learned topic classifier against the keyword lists on the BBC News corpus
    /// (5-fold cross-validation); `--save-model PATH` writes the model the pipeline uses
    /// (`[paths] topic_model`, default data/topics-en.json).
    Topics {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Also train on the whole corpus and write the model here.
        #[arg(long, value_name = "PATH")]
        save_model: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
    /// The feed parser on every feed under data/feeds: parsed or a clear error (never a
    /// panic), no lost characters, and agreement with feed-rs's expected parses.
    Feeds {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
    /// The article extractor on pages with gold text: token F1 on Readability.js's and
    /// newspaper's test pages, snippet F1 on trafilatura's evaluation set, and pages per second.
    Extraction {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
    /// The difficulty estimate on OneStopEnglish, CEFR-SP, CLEAR and TextComplexityDE, next
    /// to a length-only baseline.
    Levels {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
        /// Refit the formula on CEFR-SP's Wiki-Auto training sentences and print its weights (the
        /// constants in src/articles/level.rs) instead of evaluating; records nothing.
        #[arg(long)]
        fit: bool,
    },
    /// Lessons from real news pages, as a learner at LEVEL would get them with the configured
    /// model: per exercise kind, how many were made, accepted and rejected (by reason), the
    /// model's share and the seconds per lesson. Pages in other languages are skipped.
    Lessons(LessonsArgs),
    /// The verifier on XQuAD: right keys must be accepted, another question's answer from
    /// the same paragraph rejected.
    Verifier {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Languages, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "en,es")]
        langs: Vec<String>,
        /// Only the first N questions per language.
        #[arg(long)]
        limit: Option<usize>,
        /// Lexical rule thresholds: strict, balanced or lenient.
        #[arg(long, default_value = "strict")]
        profile: String,
        /// Lexical checks only, without the model's round trip.
        #[arg(long)]
        no_model: bool,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
}

/// `eval lessons`: where the pages are and whom the lessons are for.
#[derive(Debug, Args)]
pub struct LessonsArgs {
    /// The folder of pages: its `*.html` and `*.html.gz` files (not its subfolders).
    #[arg(long, value_name = "DIR")]
    pages: PathBuf,
    /// The learner's (and the pages') language.
    #[arg(long, value_name = "L")]
    lang: String,
    /// The learner's level: A1, A2, B1, B2, C1 or C2.
    #[arg(long, value_name = "CEFR")]
    level: String,
    /// Write one JSON line per delivered exercise here: page, lang, level, kind, origin,
    /// scope, question, options (when there are), answer, evidence.
    #[arg(long, value_name = "OUT")]
    jsonl: Option<PathBuf>,
    /// Write a page for a teacher to judge the exercises here (HTML).
    #[arg(long, value_name = "OUT.html")]
    audit: Option<PathBuf>,
    /// Only the first N pages in the language.
    #[arg(long)]
    limit: Option<usize>,
    /// Print only; do not append to BENCHMARKS.md.
    #[arg(long)]
    no_record: bool,
}

impl LessonsArgs {
    /// The checked options: a known level and a supported language.
    fn options(self, quiet: bool) -> anyhow::Result<crate::eval::lessons::EvalLessonsOptions> {
        let level: Cefr = self.level.trim().parse().map_err(|_| {
            anyhow::anyhow!("--level `{}`: use A1, A2, B1, B2, C1 or C2", self.level)
        })?;
        let lang = self.lang.trim().to_ascii_lowercase();
        if !crate::lang::is_supported(&lang) {
            bail!(
                "--lang `{lang}`: use one of {}",
                crate::lang::codes().collect::<Vec<_>>().join(", ")
            );
        }
        Ok(crate::eval::lessons::EvalLessonsOptions {
            pages: self.pages,
            lang,
            level,
            jsonl: self.jsonl,
            audit: self.audit,
            limit: self.limit,
            record: !self.no_record,
            quiet,
        })
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to search for (stemmed per language); empty lists everything that matches the
    /// filters.
    #[arg(default_value = "")]
    pub query: String,
    /// Only articles in this language (ISO 639-1, e.g. de).
    #[arg(long)]
    pub lang: Option<String>,
    /// Only articles at this CEFR level (A1 ... C2).
    #[arg(long)]
    pub level: Option<Cefr>,
    /// Only articles with this topic.
    #[arg(long)]
    pub topic: Option<String>,
    /// Only articles published on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// Only articles published on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    /// How many results (1 to 100).
    #[arg(long, default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::index::MAX_LIMIT as u64))]
    pub limit: usize,
    /// Skip this many results (for paging; offset and limit together at most 10,000).
    #[arg(long, default_value_t = 0,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..crate::index::MAX_OFFSET as u64))]
    pub offset: usize,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
}

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
            crate::serve::run(services, generator).await
        }
        Command::Search(args) => search(&cli.config, args),
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
        Command::Feeds(cmd) => feeds_command(&cli.config, cmd),
        Command::Users(cmd) => users_command(&cli.config, cmd),
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
            let info = Store::open(&config.store_path)?.backup_to(&path)?;
            out!(
                "Backed up {} to {} ({} bytes, schema {}): {} learners, {} lessons, {} deliveries.",
                config.store_path.display(),
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
            let info = Store::open(&config.store_path)?.restore_from(&path)?;
            out!(
                "Restored {} from {} (schema {}): {} learners, {} lessons, {} deliveries. Run `hyperlearn reindex` to rebuild the search index.",
                config.store_path.display(),
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
            let file = crate::config::rotate_token_key(&config)?;
            out!(
                "A new link-signing key is in {}. Links in mail sent before now no longer open; restart `hyperlearn serve` to sign and check links with the new key.",
                file.display()
            );
            Ok(())
        }
        Command::Learners(cmd) => learners_command(&cli.config, cmd),
        Command::Extract { url, file } => extract(url.as_deref(), &file),
        Command::Reindex { relevel } => reindex(&cli.config, relevel, cli.quiet),
        Command::Calibrate { langs, show, json } => {
            calibrate(&cli.config, &langs, show, json, cli.quiet).await
        }
        Command::Verify {
            jsonl,
            profile,
            no_model,
        } => {
            let options = verify_options(&profile, no_model)?;
            let generator = model_for(&cli.config, no_model, cli.quiet)?;
            crate::eval::verifier::verify_jsonl(&jsonl, generator.as_ref(), options).await
        }
        Command::Eval(EvalCommand::Topics {
            data,
            save_model,
            no_record,
        }) => crate::eval::topics::eval_topics(&crate::eval::topics::TopicsEval {
            data,
            save_model,
            record: !no_record,
        }),
        Command::Eval(EvalCommand::Feeds { data, no_record }) => {
            crate::eval::feeds::eval_feeds(&crate::eval::feeds::FeedsEval {
                data,
                record: !no_record,
            })
        }
        Command::Eval(EvalCommand::Extraction { data, no_record }) => {
            crate::eval::extraction::eval_extraction(&crate::eval::extraction::ExtractionEval {
                data,
                record: !no_record,
            })
        }
        Command::Bench(BenchCommand::Extraction { mib, no_record }) => {
            crate::eval::extraction::bench_large_page(mib, !no_record)
        }
        Command::Bench(BenchCommand::Search {
            articles,
            queries,
            no_record,
        }) => {
            let config = config_or_defaults(&cli.config)?;
            crate::eval::search::bench_search(&crate::eval::search::SearchBench {
                articles,
                queries,
                wordfreq_dir: config.wordfreq_dir,
                record: !no_record,
            })
        }
        Command::Bench(BenchCommand::Delivery {
            learners,
            connections,
            smtp,
            no_record,
        }) => {
            crate::eval::delivery::bench_delivery(&crate::eval::delivery::DeliveryBench {
                learners,
                connections,
                smtp,
                record: !no_record,
            })
            .await
        }
        Command::Bench(BenchCommand::Generation {
            lessons,
            parallel,
            no_record,
        }) => {
            let config = config_or_defaults(&cli.config)?;
            crate::eval::bench::bench_generation(&crate::eval::bench::GenerationBench {
                model: config.model,
                lesson: config.lesson,
                lessons,
                parallel,
                record: !no_record,
            })
            .await
        }
        Command::Bench(BenchCommand::Engine {
            prompt_tokens,
            generated_tokens,
            sequences,
            shared_prompt,
            grammar,
            repeat,
            batched_bench,
            no_record,
        }) => {
            let config = config_or_defaults(&cli.config)?;
            crate::eval::bench::bench_engine(&crate::eval::bench::EngineBench {
                model: config.model,
                prompt_tokens,
                generated_tokens,
                sequences,
                shared_prompt,
                grammar,
                repeat,
                batched_bench,
                record: !no_record,
            })
            .await
        }
        Command::ExplainSelection {
            learner,
            date,
            limit,
            json,
        } => {
            let services = open_services(&cli.config)?;
            let learner = services.store.find_learner(&learner)?;
            let now = match date {
                Some(d) => d.and_hms_opt(12, 0, 0).expect("noon exists").and_utc(),
                None => chrono::Utc::now(),
            };
            let (_, ranked) =
                pipeline::rank_articles(&services, &learner, now).map_err(anyhow::Error::msg)?;
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&ranked.iter().take(limit).collect::<Vec<_>>())?
                );
                return Ok(());
            }
            out!(
                "{} <{}>: {} {} ({:.2}), interests: {}; {} unseen articles",
                learner.name,
                learner.email,
                learner.lang,
                learner.cefr(),
                learner.level,
                learner.interests.join(", "),
                ranked.len()
            );
            out!(
                "{:>4} {:>6} {:>6} {:>9} {:>9} {:>10} {:>8} {:>8}  title",
                "rank",
                "total",
                "level",
                "interest",
                "level fit",
                "freshness",
                "variety",
                "reading"
            );
            for (i, r) in ranked.iter().take(limit).enumerate() {
                out!(
                    "{:>4} {:>6.2} {:>6.2} {:>9.2} {:>9.2} {:>10.2} {:>8.2} {:>8.2}  {}{}{}",
                    i + 1,
                    r.total,
                    r.level,
                    r.interest,
                    r.level_fit,
                    r.freshness,
                    r.variety,
                    r.reading,
                    r.title,
                    r.poor_reading
                        .as_deref()
                        .map(|e| format!("  [poor reading, {e}]"))
                        .unwrap_or_default(),
                    r.excluded
                        .as_deref()
                        .map(|e| format!("  [excluded: {e}]"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Level {
            file,
            jsonl,
            lang,
            features,
        } => {
            let config = config_or_defaults(&cli.config)?;
            level_command(
                &config,
                file.as_deref(),
                jsonl.as_deref(),
                lang.as_deref(),
                features,
            )
        }
        Command::Eval(EvalCommand::Levels {
            data, fit: true, ..
        }) => {
            let config = config_or_defaults(&cli.config)?;
            crate::eval::levels::fit_levels(
                &crate::config::data_dir(data.as_deref()),
                &config.wordfreq_dir,
            )
        }
        Command::Eval(EvalCommand::Levels {
            data,
            no_record,
            fit: false,
        }) => {
            let config = config_or_defaults(&cli.config)?;
            crate::eval::levels::eval_levels(
                &crate::config::data_dir(data.as_deref()),
                &config.wordfreq_dir,
                !no_record,
            )
        }
        Command::Eval(EvalCommand::Lessons(args)) => {
            let config = config_or_defaults(&cli.config)?;
            let options = args.options(cli.quiet)?;
            let generator = model_for(&cli.config, false, cli.quiet)?
                .expect("a model is loaded unless --no-model");
            crate::eval::lessons::eval_lessons(&config, &options, &generator).await
        }
        Command::Eval(EvalCommand::Verifier {
            data,
            langs,
            limit,
            profile,
            no_model,
            no_record,
        }) => {
            let options = crate::eval::verifier::EvalVerifierOptions {
                data: crate::config::data_dir(data.as_deref()),
                langs,
                limit,
                verify: verify_options(&profile, no_model)?,
                profile_name: profile,
                record: !no_record,
                quiet: cli.quiet,
            };
            let generator = model_for(&cli.config, no_model, cli.quiet)?;
            crate::eval::verifier::eval_verifier(&options, generator.as_ref()).await
        }
    }
}

fn verify_options(
    profile: &str,
    no_model: bool,
) -> anyhow::Result<crate::verification::VerifyOptions> {
    let profile = crate::verification::Profile::named(profile)
        .with_context(|| format!("--profile `{profile}`: use strict, balanced or lenient"))?;
    Ok(crate::verification::VerifyOptions {
        profile,
        round_trip: !no_model,
        ..Default::default()
    })
}

/// `hyperlearn calibrate`.
async fn calibrate(
    config_path: &Path,
    langs: &[String],
    show: bool,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let config = config_or_defaults(config_path)?;
    let store = crate::store::Store::open(&config.store_path)?;
    let kind = "vocabulary";
    let langs = crate::calibrate::langs(kind, langs)?;
    if show {
        let sha = crate::generation::model_file_sha256(&config.model.path)
            .with_context(|| format!("model {}", config.model.path.display()))?;
        let stored = crate::calibrate::stored(&store, &sha)?;
        if stored.is_empty() && !json {
            out!(
                "No calibration yet: model-judged kinds (vocabulary) are off. Run `hyperlearn calibrate`."
            );
        }
        for s in stored {
            if json {
                out!("{}", serde_json::to_string(&s)?);
            } else {
                out!("{s}");
            }
        }
        return Ok(());
    }
    let generator = model_for(config_path, false, quiet)?.expect("a model is loaded");
    let progress = pipeline::Progress::new(quiet);
    let frequencies = crate::articles::WordFrequencies::new(&config.wordfreq_dir);
    let outcomes =
        crate::calibrate::calibrate(&store, &generator, &frequencies, kind, &langs, |line| {
            progress.say(line)
        })
        .await?;
    for o in &outcomes {
        if json {
            out!("{}", serde_json::to_string(o)?);
        } else {
            out!("{o}");
        }
    }
    if !json {
        let on: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.verdict.passed)
            .map(|o| o.measure.lang.as_str())
            .collect();
        out!(
            "Stored for {} in {}. Lessons use {kind} in: {}.",
            config.model.path.display(),
            config.store_path.display(),
            if on.is_empty() {
                "no language".to_string()
            } else {
                on.join(", ")
            }
        );
    }
    Ok(())
}

/// `hyperlearn level`.
fn level_command(
    config: &Config,
    file: Option<&Path>,
    jsonl: Option<&Path>,
    lang: Option<&str>,
    with_features: bool,
) -> anyhow::Result<()> {
    let frequencies = articles::WordFrequencies::new(&config.wordfreq_dir);
    // The text's language, level and (with --features) what the level was measured from.
    let measure = |text: &str, lang: Option<&str>| {
        let lang = lang
            .map(str::to_string)
            .unwrap_or_else(|| articles::article_language(text, None, None));
        let ranks = frequencies.ranks(&lang);
        let features = articles::level::level_features(&lang, text, ranks.as_deref());
        let level = articles::level::level_of(&lang, features.as_ref());
        (lang, level, features)
    };
    let add_features = |out: &mut serde_json::Value,
                        features: Option<articles::level::Features>| {
        if with_features {
            out["features"] = serde_json::json!(features);
        }
    };
    match (file, jsonl) {
        (Some(file), None) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let (lang, level, features) = measure(&text, lang);
            let mut out = serde_json::json!({ "lang": lang, "score": (level.score * 100.0).round() / 100.0, "cefr": level.cefr });
            add_features(&mut out, features);
            out!("{out}");
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let item: serde_json::Value = match serde_json::from_str(line) {
                    Ok(v) => v,
                    Err(e) => {
                        out!(
                            "{}",
                            serde_json::json!({ "id": null, "error": format!("line {}: {e}", n + 1) })
                        );
                        continue;
                    }
                };
                let Some(text) = item.get("text").and_then(|t| t.as_str()) else {
                    out!(
                        "{}",
                        serde_json::json!({ "id": item.get("id"), "error": format!("line {}: no \"text\"", n + 1) })
                    );
                    continue;
                };
                let (lang, level, features) =
                    measure(text, item.get("lang").and_then(|l| l.as_str()).or(lang));
                let mut out = serde_json::json!({
                    "id": item.get("id"), "lang": lang, "score": (level.score * 100.0).round() / 100.0, "cefr": level.cefr,
                });
                add_features(&mut out, features);
                out!("{out}");
            }
        }
        _ => bail!("give a text file, or --jsonl FILE"),
    }
    Ok(())
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

fn search(config: &Path, args: SearchArgs) -> anyhow::Result<()> {
    let config = load_config(config)?;
    let index = ArticleIndex::open(&config.index_dir)?;
    let results = index.search(&SearchQuery {
        text: args.query,
        lang: args.lang,
        cefr: args.level,
        topic: args.topic,
        source: None,
        limit: args.limit,
        offset: args.offset,
        published_from: args.from,
        published_to: args.to,
    })?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} articles match", results.total)?;
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(
            out,
            "\n{}. [{} {}] {}",
            args.offset + i + 1,
            hit.lang,
            hit.cefr,
            hit.title
        )?;
        writeln!(
            out,
            "   {} | {} | topics: {}",
            hit.source,
            hit.url,
            hit.topics.join(", ")
        )?;
        writeln!(out, "   {}", hit.snippet.marked("[", "]"))?;
    }
    Ok(())
}

fn feeds_command(config: &Path, cmd: FeedsCommand) -> anyhow::Result<()> {
    let config = load_config(config)?;
    match cmd {
        FeedsCommand::List { json } => {
            let sources = feeds::load_feed_lists(&config.feeds_dir)?;
            let store = Store::open(&config.store_path)?;
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

fn users_command(config: &Path, cmd: UsersCommand) -> anyhow::Result<()> {
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
            let store = Store::open(&config.store_path)?;
            let hash = crate::web::hash_password(&password)?;
            let user = store.add_user(username, &hash, &role)?;
            out!("Added {} ({}).", user.username, user.role);
        }
        UsersCommand::List => {
            let config = load_config(config)?;
            let users = Store::open(&config.store_path)?.users()?;
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
            let user = Store::open(&config.store_path)?.remove_user(username.trim())?;
            out!(
                "Removed {} ({}); their sessions have ended.",
                printable(&user.username),
                user.role
            );
        }
        UsersCommand::Passwd { username } => {
            let config = load_config(config)?;
            let store = Store::open(&config.store_path)?;
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

fn learners_command(config: &Path, cmd: LearnersCommand) -> anyhow::Result<()> {
    let config = load_config(config)?;
    let store = Store::open(&config.store_path)?;
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
            for (at, level, why) in history {
                out!(
                    "  {at}  {level:.2} ({})  {why}",
                    articles::Cefr::from_score(level)
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

/// The `extract` contract: JSON with title, byline, published, lang, text.
fn extract(url: Option<&str>, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if let Some(reason) = articles::not_html(&bytes) {
        bail!("{}: {reason}", file.display());
    }
    let base = match url {
        Some(u) => Some(url::Url::parse(u).with_context(|| format!("--url `{u}` is not a URL"))?),
        None => None,
    };
    let html = articles::decode_html(&bytes, None);
    let extracted = articles::extract(&html, base.as_ref());
    let lang =
        articles::article_language(&extracted.text, extracted.declared_lang.as_deref(), None);
    let out = serde_json::json!({
        "title": extracted.title,
        "byline": extracted.byline,
        "published": extracted.published,
        "lang": lang,
        "text": extracted.text,
    });
    out!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

fn reindex(config: &Path, relevel: bool, quiet: bool) -> anyhow::Result<()> {
    let config = load_config(config)?;
    let store = Store::open(&config.store_path)?;
    let index = ArticleIndex::recreate(&config.index_dir)?;
    let mut articles = store.all_articles()?;
    let progress = pipeline::Progress::new(quiet);
    if relevel {
        let frequencies = articles::WordFrequencies::new(&config.wordfreq_dir);
        let mut changed = 0;
        let mut levels = Vec::with_capacity(articles.len());
        for a in &mut articles {
            let level = articles::estimate_level(&a.lang, &a.text, &frequencies);
            if level.cefr != a.cefr {
                changed += 1;
            }
            levels.push((a.id, level));
            a.level = level.score;
            a.cefr = level.cefr;
        }
        store.set_article_levels(&levels)?;
        out!(
            "Measured the level of {} articles again: {changed} changed band",
            articles.len()
        );
    }
    for (i, a) in articles.iter().enumerate() {
        index.upsert(&IndexDoc {
            article_id: a.id,
            url: &a.url,
            title: &a.title,
            text: &a.text,
            lang: &a.lang,
            level: a.level,
            cefr: a.cefr,
            topics: &a.topics,
            source: &a.source,
            published: a.published.as_deref(),
        })?;
        if (i + 1) % 1000 == 0 {
            progress.say(format!("  {} / {}", i + 1, articles.len()));
        }
    }
    index.commit()?;
    out!(
        "Indexed {} articles into {}",
        articles.len(),
        config.index_dir.display()
    );
    Ok(())
}
