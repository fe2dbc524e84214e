//! The daily run: the only module that calls several stages.
//!
//! feeds -> articles -> index -> selection -> generation -> verification -> delivery.
//! Every stage returns what worked and records what failed in the [`RunReport`]; one broken
//! feed, page, model reply or address never stops the run for the others. Only failures of
//! the run as a whole (store, index, model, templates) end it with an error.

mod fetch;
mod lessons;
mod mail;

use fetch::fetch_stage;
pub use fetch::preview_feed;
use lessons::lesson_stage;
pub use lessons::{
    MadeExercises, adopt_calibrations, keep_lesson, lesson_exercises, lessons_due, local_date,
    rank_articles, record_score, timed_exercises,
};
pub use mail::delivery_stage;

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::articles;
use crate::config::Config;
use crate::delivery::{Mailer, Renderer};
use crate::generation::Generator;
use crate::http::HttpClient;
use crate::index::{ArticleIndex, IndexDoc};
use crate::report::{FailureKind, RunReport};
use crate::runlock::RunLock;
use crate::store::{Store, StoredArticle};

/// The long-lived parts a run works with.
pub struct Services {
    pub config: Config,
    pub store: Store,
    pub index: ArticleIndex,
    pub http: HttpClient,
    pub renderer: Renderer,
    pub mailer: Mailer,
    pub frequencies: articles::WordFrequencies,
    /// The learned topic classifier, when `[paths] topic_model` exists.
    pub topic_model: Option<articles::TopicModel>,
    /// What this process's runs did (`/metrics`).
    pub metrics: crate::metrics::Metrics,
    /// Why an article is poor reading (`None`: it is not), by article id: judged once per
    /// article for the process, not once per learner that ranks it.
    poor_reading: std::sync::Mutex<HashMap<i64, Option<String>>>,
    /// One turn per exercise set being made in this process: a second lesson that wants the
    /// same article at the same band waits for the set instead of making it again.
    set_turns: lessons::SetTurns,
}

impl Services {
    /// Opens the store, the index, the HTTP client, the templates and the mailer.
    pub fn open(mut config: Config) -> anyhow::Result<Services> {
        let store = Store::connect(&config.store)?;
        // Machines sharing a PostgreSQL store sign learners' links with one key: a generated
        // one lives in the store (seeded by the first key file to reach it).
        if config.key_belongs_in_store() {
            let key = store.shared_token_key(config.mail.token_key.expose())?;
            config.use_store_key(key);
        }
        let index = ArticleIndex::open(&config.index_dir)?;
        // An empty index beside a store that has articles (a restored store, a deleted index
        // folder, a new web node) is filled from the store before anything searches it.
        if index.is_empty() && store.article_count()? > 0 {
            tracing::info!(
                "the search index in {} is empty: indexing the stored articles",
                config.index_dir.display()
            );
            if let Err(e) = catch_up_index(&store, &index, &Progress::new(true)) {
                tracing::warn!(
                    "cannot fill the search index from the store: {e:#}; run `hyperlearn reindex`"
                );
            }
        }
        let http = HttpClient::new(&config.fetch).context("cannot build the HTTP client")?;
        let renderer = Renderer::new(config.templates_dir.as_deref())?;
        let mailer = Mailer::new(
            &config.mail,
            &config.outbox_dir,
            config.delivery.connections,
        )?;
        let frequencies = articles::WordFrequencies::new(&config.wordfreq_dir);
        let topic_model = if config.topic_model.is_file() {
            match articles::TopicModel::load(&config.topic_model) {
                Ok(m) => Some(m),
                Err(e) => {
                    tracing::warn!("topic model not used: {e}");
                    None
                }
            }
        } else {
            None
        };
        Ok(Services {
            config,
            store,
            index,
            http,
            renderer,
            mailer,
            frequencies,
            topic_model,
            metrics: crate::metrics::Metrics::default(),
            poor_reading: Default::default(),
            set_turns: Default::default(),
        })
    }
}

/// Puts `articles` into the index and commits, saying how far it got every thousand.
pub fn index_articles(
    index: &ArticleIndex,
    articles: &[StoredArticle],
    progress: &Progress,
) -> anyhow::Result<()> {
    for (i, chunk) in articles.chunks(1000).enumerate() {
        add_to_index(index, chunk)?;
        if chunk.len() == 1000 {
            progress.say(format!("  {} / {}", (i + 1) * 1000, articles.len()));
        }
    }
    index.commit()?;
    Ok(())
}

/// Adds (or replaces) articles in the index, uncommitted.
fn add_to_index(index: &ArticleIndex, articles: &[StoredArticle]) -> anyhow::Result<()> {
    for a in articles {
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
    }
    Ok(())
}

/// How far below its highest article id the index is checked again: another process may
/// number an article before one it stores later.
const CATCH_UP_WINDOW: i64 = 1_000;

/// Stored articles read at a time when catching up.
const CATCH_UP_BATCH: usize = 500;

/// Indexes the stored articles the index lacks: everything on a new index, else what other
/// processes stored since (a web node that does not fetch, beside workers that do). Adds,
/// never rebuilds; returns how many were added.
pub fn catch_up_index(
    store: &Store,
    index: &ArticleIndex,
    progress: &Progress,
) -> anyhow::Result<usize> {
    let from = (index.max_article_id()? - CATCH_UP_WINDOW).max(0);
    let indexed = index.article_ids_from(from)?;
    let missing: Vec<i64> = store
        .article_ids_from(from)?
        .into_iter()
        .filter(|id| !indexed.contains(id))
        .collect();
    let mut added = 0;
    for ids in missing.chunks(CATCH_UP_BATCH) {
        let articles = store.articles_by_ids(ids)?;
        add_to_index(index, &articles)?;
        added += articles.len();
        if missing.len() > CATCH_UP_BATCH {
            progress.say(format!("  {added} / {}", missing.len()));
        }
    }
    if added > 0 {
        index.commit()?;
    }
    Ok(added)
}

/// What a run does.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's clock (injectable for tests).
    pub now: DateTime<Utc>,
    /// Fetch feeds and articles.
    pub fetch: bool,
    /// Make lessons.
    pub lessons: bool,
    /// Send the mail that is due.
    pub mail: bool,
    /// Whether lessons follow each learner's delivery time or are made and sent now.
    pub timing: Timing,
    /// Fetch only this feed (a manual refresh).
    pub only_feed: Option<String>,
    /// No progress lines on stderr.
    pub quiet: bool,
}

/// When lessons are made and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// `hyperlearn daily`: today's lesson for every learner, sent now.
    Now,
    /// `hyperlearn serve`: lessons made within the lead before each learner's local delivery
    /// time and sent at it, with retries and the catch-up cut-off ([`crate::schedule`]).
    Scheduled,
}

impl RunOptions {
    /// Everything, now: the daily run.
    pub fn full(quiet: bool) -> RunOptions {
        RunOptions {
            now: Utc::now(),
            fetch: true,
            lessons: true,
            mail: true,
            timing: Timing::Now,
            only_feed: None,
            quiet,
        }
    }

    /// One stage, on the learners' schedules (what `serve` runs on each stage's schedule).
    pub fn scheduled(stage: Stage, quiet: bool) -> RunOptions {
        RunOptions {
            now: Utc::now(),
            fetch: stage == Stage::Fetch,
            lessons: stage == Stage::Lessons,
            mail: stage == Stage::Mail,
            timing: Timing::Scheduled,
            only_feed: None,
            quiet,
        }
    }
}

/// A stage of the run that `serve` schedules on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Fetch feeds and articles.
    Fetch,
    /// Make lessons.
    Lessons,
    /// Send the mail that is due.
    Mail,
}

/// Progress lines on stderr.
#[derive(Clone, Copy)]
pub struct Progress {
    quiet: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress { quiet }
    }

    pub fn say(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "{}",
                crate::text::terminal_safe(&line.to_string(), true)
            );
        }
    }
}

/// One run: fetch, index, and make and deliver today's lessons. `generator` is needed
/// when lessons are made.
pub async fn run(
    services: &Services,
    generator: Option<&Generator>,
    options: &RunOptions,
) -> anyhow::Result<RunReport> {
    let started = Instant::now();
    let progress = Progress::new(options.quiet);
    let mut report = RunReport {
        started_at: options.now.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        mail_destination: services.mailer.describe(),
        ..Default::default()
    };
    let kind = match (options.fetch, options.lessons, options.mail) {
        (true, true, true) => "daily",
        (true, false, false) => "fetch",
        (false, true, false) => "lessons",
        (false, false, true) => "mail",
        _ => "run",
    };
    // Each stage has its own lock (serve runs them on separate schedules, so a slow lesson
    // stage never holds up the mail); a run takes those of its stages before it starts.
    let ttl = services.config.delivery.lock_ttl;
    let mut locks = Vec::new();
    for (name, wanted) in [
        ("fetch", options.fetch),
        ("lessons", options.lessons),
        ("mail", options.mail),
    ] {
        if wanted {
            // Lesson and mail runs of different workers go on side by side, sharing the
            // learners (each lesson is claimed, `lessons::lesson_for`) and the ledger
            // (each send is leased, `Store::lease_delivery`); one worker's runs never
            // overlap each other. Fetch runs take turns across the fleet, which keeps the
            // politeness limits per host across machines.
            let name = match (name, crate::runlock::process_name()) {
                ("lessons" | "mail", Some(worker)) => format!("{name}@{worker}"),
                (name, _) => name.to_string(),
            };
            locks.push(RunLock::acquire(services.store.location(), &name, ttl)?);
        }
    }
    let run_id = services.store.start_run(kind)?;
    let outcome = run_stages(services, generator, options, &mut report, progress).await;
    report.seconds = started.elapsed().as_secs_f64();
    // A stage that stops early still finishes its run's record: what the run did before
    // (articles stored, lessons made) and why it stopped, for `runs` and the web UI, instead
    // of a run that looks "running or interrupted" forever.
    if let Err(e) = &outcome {
        report.fail(FailureKind::Stage, kind, format!("{e:#}"));
    }
    // A scheduled tick that found nothing to do leaves no trace in the run history.
    let idle_tick = outcome.is_ok()
        && options.timing == Timing::Scheduled
        && !options.fetch
        && report.is_idle();
    let recorded = if idle_tick {
        services.store.discard_run(run_id)
    } else {
        services.store.finish_run(
            run_id,
            &serde_json::to_string(&report).expect("report serialises"),
        )
    };
    match (&outcome, recorded) {
        (_, Ok(())) => {}
        (Ok(()), Err(e)) => return Err(e.into()),
        (Err(_), Err(e)) => tracing::warn!("cannot record the failed {kind} run: {e}"),
    }
    drop(locks);
    services.metrics.record(kind, &report);
    outcome.map(|()| report)
}

/// The stages `options` asks for, in order, adding to `report`.
async fn run_stages(
    services: &Services,
    generator: Option<&Generator>,
    options: &RunOptions,
    report: &mut RunReport,
    progress: Progress,
) -> anyhow::Result<()> {
    if options.fetch {
        fetch_stage(services, report, progress, options).await?;
        if let Some(keep) = services.config.keep {
            let deleted = services.store.apply_retention(options.now - keep)?;
            if deleted.mail_bodies + deleted.scores > 0 {
                progress.say(format!(
                    "Retention ([privacy] keep_days): {} old mail bodies and {} scores deleted",
                    deleted.mail_bodies, deleted.scores
                ));
            }
        }
    }
    if options.lessons {
        let generator = generator.context("a lesson run needs the model")?;
        lesson_stage(services, generator, report, progress, options).await?;
        report.model = Some(generator.engine().stats());
    }
    if options.mail {
        delivery_stage(services, report, progress, options).await?;
    }
    Ok(())
}

/// Where a worker starts in a list of `len` jobs (lessons to make, mail to send): spread by
/// its name (by its process id when unnamed), the same place on every run, so that workers
/// sharing the list meet on a claim rarely.
fn start_for(worker: Option<&str>, len: usize) -> usize {
    let name = worker.map_or_else(|| std::process::id().to_string(), str::to_string);
    (fnv1a(&name) % len.max(1) as u64) as usize
}

/// FNV-1a: a hash that stays the same across processes and releases.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_whose_stage_fails_is_recorded_with_what_stopped_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "").unwrap();
        let services = Services::open(Config::from_file(&path).unwrap()).unwrap();
        // A lesson run without the model stops at its lesson stage.
        let options = RunOptions {
            fetch: false,
            mail: false,
            ..RunOptions::full(true)
        };
        let error = run(&services, None, &options).await.unwrap_err();
        assert!(
            format!("{error:#}").contains("needs the model"),
            "{error:#}"
        );
        let runs = services.store.runs(10).unwrap();
        assert_eq!(runs.len(), 1);
        assert!(runs[0].finished_at.is_some(), "left as if still running");
        let report: RunReport = serde_json::from_str(runs[0].report.as_deref().unwrap()).unwrap();
        assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
        let failure = &report.failures[0];
        assert_eq!(
            (failure.kind, failure.subject.as_str()),
            (FailureKind::Stage, "lessons")
        );
        assert!(
            failure.error.contains("needs the model"),
            "{}",
            failure.error
        );
    }
}
