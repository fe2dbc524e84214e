//! The daily run: the only module that calls several stages.
//!
//! feeds -> articles -> index -> selection -> generation -> verification -> delivery.
//! Every stage returns what worked and records what failed in the [`RunReport`]; one broken
//! feed, page, model reply or address never stops the run for the others. Only failures of
//! the run as a whole (store, index, model, templates) end it with an error.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;

use crate::articles::{self, Cefr, EntryHints, TextSource};
use crate::config::Config;
use crate::delivery::{self, Mailer, Renderer, SendError};
use crate::exercise::Origin;
use crate::feeds::{self, FeedEntry, FeedSource};
use crate::generation::{Generator, Rng, Shape, constructed_exercises, question_plans};
use crate::http::{FetchError, HttpClient, Validators};
use crate::index::{ArticleIndex, IndexDoc};
use crate::lesson::{LessonArticle, LessonLearner, VerifiedLesson};
use crate::report::{FailureKind, RunReport};
use crate::runlock::RunLock;
use crate::schedule::{self, SendDecision};
use crate::selection::{self, CandidateArticle};
use crate::store::{
    Delivery, DeliveryOutcome, DeliveryState, ExerciseRecord, Learner, OpenDelivery, Store,
    StoredArticle,
};
use crate::verification::{
    ArticleText, Calibrated, Rejection, VerifiedExercise, VerifyOptions, deduplicate, verify,
    verify_with,
};

/// Entries that failed this many times are not tried again.
const MAX_ENTRY_ATTEMPTS: i64 = 3;

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
}

impl Services {
    /// Opens the store, the index, the HTTP client, the templates and the mailer.
    pub fn open(config: Config) -> anyhow::Result<Services> {
        let store = Store::open(&config.store_path)?;
        let index = ArticleIndex::open(&config.index_dir)?;
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
        })
    }
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
            locks.push(RunLock::acquire(services.store.path(), name, ttl)?);
        }
    }
    let run_id = services.store.start_run(kind)?;
    if options.fetch {
        fetch_stage(services, &mut report, progress, options).await?;
        if let Some(keep) = services.config.keep {
            let (mails, scores) = services.store.apply_retention(options.now - keep)?;
            if mails + scores > 0 {
                progress.say(format!(
                    "Retention ([privacy] keep_days): {mails} old mail bodies and {scores} scores deleted"
                ));
            }
        }
    }
    if options.lessons {
        let generator = generator.context("a lesson run needs the model")?;
        lesson_stage(services, generator, &mut report, progress, options).await?;
        report.model = Some(generator.engine().stats());
    }
    if options.mail {
        delivery_stage(services, &mut report, progress, options).await?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    if options.timing == Timing::Scheduled && !options.fetch && report.is_idle() {
        // A scheduled tick that found nothing to do leaves no trace in the run history.
        services.store.discard_run(run_id)?;
    } else {
        services.store.finish_run(
            run_id,
            &serde_json::to_string(&report).expect("report serialises"),
        )?;
    }
    drop(locks);
    services.metrics.record(kind, &report);
    Ok(report)
}

// --- feeds and articles -----------------------------------------------------------------

struct PendingEntry {
    feed: FeedSource,
    feed_lang: Option<String>,
    entry: FeedEntry,
    key: String,
    url: Option<String>,
}

fn load_sources(services: &Services, report: &mut RunReport) -> Vec<FeedSource> {
    let dir = &services.config.feeds_dir;
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            report.fail(FailureKind::FeedList, dir.display().to_string(), e);
            return Vec::new();
        }
    };
    files.sort();
    let mut sources = Vec::new();
    for file in files {
        match feeds::load_feed_list(&file) {
            Ok(list) => sources.extend(list),
            // A broken list file costs its own feeds only.
            Err(e) => report.fail(FailureKind::FeedList, file.display().to_string(), e),
        }
    }
    sources.into_iter().filter(|f| f.enabled).collect()
}

/// Adds the learned classifier's topic when it is confident (and speaks the language).
fn add_learned_topic(model: Option<&articles::TopicModel>, article: &mut articles::Article) {
    let Some(model) = model.filter(|m| m.lang == article.lang) else {
        return;
    };
    let text = format!("{}\n{}", article.title, article.text);
    if let Some((class, p)) = model.predict(&text)
        && p >= 0.6
    {
        let topic = articles::topic_name(class).to_string();
        if !article.topics.contains(&topic) {
            article.topics.push(topic);
        }
    }
}

/// Downloads an article page unless robots.txt disallows it.
async fn fetch_page(
    http: &HttpClient,
    url: &str,
    respect_robots: bool,
) -> Result<crate::http::Fetched, FetchError> {
    if respect_robots && !http.robots_allow(url).await? {
        return Err(FetchError::Blocked {
            url: url.to_string(),
            reason: "disallowed by the site's robots.txt".into(),
        });
    }
    http.get(url, &Validators::default()).await
}

/// When to fetch a feed again after it answered: the later of its RSS `ttl` and its
/// Cache-Control max-age, capped at a day; `None` means the next run.
fn next_fetch_after_ok(
    now: DateTime<Utc>,
    ttl_minutes: Option<u32>,
    max_age: Option<std::time::Duration>,
) -> Option<DateTime<Utc>> {
    let ttl = ttl_minutes.map(|m| std::time::Duration::from_secs(u64::from(m) * 60));
    let wait = ttl.into_iter().chain(max_age).max()?;
    let wait = wait.min(std::time::Duration::from_secs(24 * 3600));
    Some(now + chrono::Duration::from_std(wait).ok()?)
}

/// When to try a failed feed again: what the server asked for (Retry-After), else the
/// back-off doubled for each failure in a row, capped at a day.
fn next_fetch_after_error(
    now: DateTime<Utc>,
    streak: i64,
    backoff: std::time::Duration,
    retry_after: Option<std::time::Duration>,
) -> DateTime<Utc> {
    let doubled = backoff.saturating_mul(1 << streak.clamp(1, 10).saturating_sub(1));
    let wait = retry_after
        .unwrap_or(doubled)
        .min(std::time::Duration::from_secs(24 * 3600));
    now + chrono::Duration::from_std(wait).unwrap_or_default()
}

async fn fetch_stage(
    services: &Services,
    report: &mut RunReport,
    progress: Progress,
    options: &RunOptions,
) -> anyhow::Result<()> {
    let now = options.now;
    let fetch_cfg = &services.config.fetch;
    let store = &services.store;
    let http = &services.http;
    let mut sources = Vec::new();
    for feed in load_sources(services, report) {
        if options.only_feed.as_deref().is_some_and(|u| u != feed.url) {
            continue;
        }
        let state = store.feed_state(&feed.url)?;
        if state.paused(fetch_cfg.pause_after_failures) {
            report.feeds_paused += 1;
            report.fail(
                FailureKind::Feed,
                &feed.url,
                format!(
                    "paused after {} failures in a row (last: {}); `hyperlearn feeds refresh {}` tries it again",
                    state.consecutive_errors,
                    state.last_error.as_deref().unwrap_or("unknown"),
                    feed.url
                ),
            );
            continue;
        }
        if let Some(next) = state.next_fetch_at
            && next > now
        {
            report.feeds_deferred += 1;
            continue;
        }
        sources.push((feed, state));
    }
    report.feeds_total = sources.len() + report.feeds_paused + report.feeds_deferred;
    progress.say(format!(
        "Fetching {} feeds ({} not due yet, {} paused) ...",
        sources.len(),
        report.feeds_deferred,
        report.feeds_paused
    ));
    let concurrency = fetch_cfg.concurrency;
    let fetched: Vec<_> = futures_util::stream::iter(sources)
        .map(|(feed, state)| async move {
            let validators = Validators {
                etag: state.etag.clone(),
                last_modified: state.last_modified.clone(),
            };
            let result = http.get(&feed.url, &validators).await;
            (feed, result)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;

    let mut pending = Vec::new();
    let feed_error = |report: &mut RunReport,
                      feed: &FeedSource,
                      error: String,
                      retry_after: Option<std::time::Duration>|
     -> anyhow::Result<()> {
        let streak = store.feed_state(&feed.url)?.consecutive_errors + 1;
        let next = next_fetch_after_error(now, streak, fetch_cfg.error_backoff, retry_after);
        store.record_feed_error(&feed.url, &error, Some(next))?;
        report.feeds_failed += 1;
        let paused = if fetch_cfg.pause_after_failures > 0
            && streak >= i64::from(fetch_cfg.pause_after_failures)
        {
            "; now paused until `hyperlearn feeds refresh`".to_string()
        } else {
            format!("; next try after {}", next.format("%Y-%m-%d %H:%M UTC"))
        };
        progress.say(format!("  x {}: {error}", feed.name));
        report.fail(
            FailureKind::Feed,
            &feed.url,
            format!("{error} ({streak} failures in a row{paused})"),
        );
        Ok(())
    };
    for (feed, result) in fetched {
        let fetched = match result {
            Ok(f) => f,
            Err(e) => {
                feed_error(report, &feed, e.to_string(), e.retry_after())?;
                continue;
            }
        };
        if fetched.not_modified {
            store.record_feed_ok(
                &feed.url,
                fetched.validators.etag.as_deref(),
                fetched.validators.last_modified.as_deref(),
                0,
                next_fetch_after_ok(now, None, fetched.max_age),
            )?;
            report.feeds_not_modified += 1;
            progress.say(format!("  = {}: not modified", feed.name));
            continue;
        }
        let parsed = match feeds::parse_feed(&feed.url, &fetched.body) {
            Ok(p) => p,
            Err(e) => {
                feed_error(report, &feed, e.to_string(), None)?;
                continue;
            }
        };
        store.record_feed_ok(
            &feed.url,
            fetched.validators.etag.as_deref(),
            fetched.validators.last_modified.as_deref(),
            parsed.entries.len(),
            next_fetch_after_ok(now, parsed.ttl_minutes, fetched.max_age),
        )?;
        report.feeds_fetched += 1;
        progress.say(format!(
            "  + {}: {} entries",
            feed.name,
            parsed.entries.len()
        ));
        let mut entries = parsed.entries;
        entries.sort_by_key(|e| std::cmp::Reverse(e.published));
        entries.truncate(services.config.fetch.max_articles_per_feed);
        let feed_lang = feed.lang.clone().or(parsed.language.clone());
        for entry in entries {
            report.entries_seen += 1;
            let date = entry.published.map(|d| d.to_rfc3339());
            let key = feeds::entry_key(
                entry.link.as_deref(),
                entry.guid.as_deref(),
                &entry.title,
                date.as_deref(),
            );
            if store.entry_done(&key, MAX_ENTRY_ATTEMPTS)? {
                continue;
            }
            let url = entry.link.as_deref().and_then(feeds::canonical_url);
            pending.push(PendingEntry {
                feed: feed.clone(),
                feed_lang: feed_lang.clone(),
                entry,
                key,
                url,
            });
        }
    }

    // The same story reached through two feeds (or twice in one) is one article.
    let mut seen_urls = HashSet::new();
    let mut to_fetch = Vec::new();
    for p in pending {
        if let Some(url) = &p.url {
            if let Some(id) = store.article_id_by_url(url)? {
                store.record_entry_article(&p.key, &p.feed.url, id)?;
                report.articles_duplicate += 1;
                continue;
            }
            if !seen_urls.insert(url.clone()) {
                report.articles_duplicate += 1;
                continue;
            }
        }
        to_fetch.push(p);
    }
    if to_fetch.is_empty() {
        progress.say("No new articles.");
        return Ok(());
    }
    progress.say(format!("Downloading {} new articles ...", to_fetch.len()));
    let downloaded: Vec<_> = futures_util::stream::iter(to_fetch)
        .map(|p| async move {
            let page = match &p.url {
                Some(url) => Some(fetch_page(http, url, fetch_cfg.respect_robots).await),
                None => None,
            };
            (p, page)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;

    for (p, page) in downloaded {
        let subject = p.url.clone().unwrap_or_else(|| p.entry.title.clone());
        match build_article(&p, page, &services.frequencies) {
            Ok(mut article) => {
                add_learned_topic(services.topic_model.as_ref(), &mut article);
                if article.text_source == TextSource::Feed {
                    report.articles_from_feed_text += 1;
                }
                let (id, new) = store.insert_article(&article)?;
                store.record_entry_article(&p.key, &p.feed.url, id)?;
                if !new {
                    report.articles_duplicate += 1;
                    continue;
                }
                report.articles_new += 1;
                services.index.upsert(&IndexDoc {
                    article_id: id,
                    url: &article.url,
                    title: &article.title,
                    text: &article.text,
                    lang: &article.lang,
                    level: article.level.score,
                    cefr: article.level.cefr,
                    topics: &article.topics,
                    source: &article.source,
                    published: article.published.as_deref(),
                })?;
                report.articles_indexed += 1;
                progress.say(format!(
                    "  + [{} {}] {}",
                    article.lang, article.level.cefr, article.title
                ));
            }
            Err(error) => {
                store.record_entry_error(&p.key, &p.feed.url, &error)?;
                report.articles_failed += 1;
                report.fail(FailureKind::Page, &subject, &error);
                progress.say(format!("  x {subject}: {error}"));
            }
        }
    }
    services.index.commit()?;
    Ok(())
}

/// The article of an entry: from its page, else from the feed's own full text.
fn build_article(
    p: &PendingEntry,
    page: Option<Result<crate::http::Fetched, crate::http::FetchError>>,
    frequencies: &articles::WordFrequencies,
) -> Result<articles::Article, String> {
    let hints = EntryHints {
        title: Some(p.entry.title.as_str()).filter(|t| !t.is_empty()),
        published: p.entry.published.map(|d| d.to_rfc3339()),
        author: p.entry.authors.first().map(String::as_str),
        feed_lang: p.feed_lang.as_deref(),
        categories: &p.entry.categories,
        feed_topics: &p.feed.topics,
        source: &p.feed.name,
    };
    let url = p
        .url
        .clone()
        .unwrap_or_else(|| format!("urn:hyperlearn:{}", p.key));
    // The feed's own full text, when it carries one (never its title: that is the page's
    // or the entry's).
    let from_feed = p
        .entry
        .content_html
        .as_deref()
        .map(|content| articles::Extracted {
            title: None,
            ..articles::extract(content, None)
        });
    let page_error = match page {
        Some(Ok(fetched)) => match articles::not_html(&fetched.body) {
            Some(reason) => format!("{}: {reason}", fetched.final_url),
            None => {
                let html = articles::decode_html(&fetched.body, fetched.content_type.as_deref());
                let mut extracted = articles::extract(&html, Some(&fetched.final_url));
                let mut source = TextSource::Page;
                // A feed that carries the full text checks the page's: when it is much longer,
                // the extraction missed the article (a body rendered by script, a notice or a
                // side block taken for it), so the feed's text goes with the page's metadata.
                if let Some(feed) = &from_feed
                    && feed_text_is_fuller(&feed.text, &extracted.text)
                {
                    extracted.text = feed.text.clone();
                    source = TextSource::Feed;
                }
                match articles::build_article(&url, extracted, &hints, source, frequencies) {
                    Ok(a) => return Ok(a),
                    Err(e) => e.to_string(),
                }
            }
        },
        Some(Err(e)) => e.to_string(),
        None => "entry has no link".to_string(),
    };
    // The page failed: use the feed's full text when it carries one.
    if let Some(extracted) = from_feed
        && let Ok(a) =
            articles::build_article(&url, extracted, &hints, TextSource::Feed, frequencies)
    {
        return Ok(a);
    }
    Err(page_error)
}

/// Whether a feed's full text should stand in for the text extracted from the page: it is
/// an article by itself and at least twice as long as the page's.
fn feed_text_is_fuller(feed: &str, page: &str) -> bool {
    let feed_words = crate::text::words(feed).len();
    feed_words >= articles::MIN_ARTICLE_WORDS && feed_words >= 2 * crate::text::words(page).len()
}

// --- lessons ----------------------------------------------------------------------------

async fn lesson_stage(
    services: &Services,
    generator: &Generator,
    report: &mut RunReport,
    progress: Progress,
    options: &RunOptions,
) -> anyhow::Result<()> {
    let now = options.now;
    adopt_calibrations(&services.store, generator)?;
    let learners: Vec<Learner> = services
        .store
        .learners()?
        .into_iter()
        .filter(|l| l.active)
        .collect();
    report.learners = learners.len();
    // Which lessons to make: (learner, local date, due time).
    let mut work = Vec::new();
    for learner in &learners {
        let tz = match schedule::zone(&learner.timezone) {
            Ok(tz) => tz,
            Err(e) => {
                report.lessons_failed += 1;
                report.fail(FailureKind::Learner, &learner.email, e);
                continue;
            }
        };
        match options.timing {
            Timing::Now => work.push((learner, schedule::local_date(tz, now), now)),
            Timing::Scheduled => {
                for date in schedule::dates_to_prepare(
                    tz,
                    learner.delivery_time,
                    now,
                    &services.config.delivery,
                ) {
                    let due = schedule::due_at(tz, date, learner.delivery_time);
                    work.push((learner, date, due));
                }
            }
        }
    }
    let parallel = generator.config().parallel_sequences.max(1) as usize;
    if options.timing == Timing::Scheduled && work.is_empty() {
        return Ok(());
    }
    progress.say(format!(
        "Making lessons for {} learners ({} at a time) ...",
        work.len(),
        parallel
    ));
    let total = work.len();
    // Several lessons at once: their model requests share the engine's batch.
    let lessons: Vec<_> = work
        .into_iter()
        .map(|(learner, date, due)| async move {
            (
                learner,
                lesson_for(services, generator, learner, now, date, due).await,
            )
        })
        .collect();
    let mut outcomes = futures_util::stream::iter(lessons).buffer_unordered(parallel);
    let mut done = 0;
    while let Some((learner, outcome)) = outcomes.next().await {
        done += 1;
        let LessonOutcome {
            mut part,
            result,
            note,
        } = outcome;
        if let Err(e) = &result {
            part.lessons_failed += 1;
            part.fail(FailureKind::Learner, &learner.email, e);
        }
        let line = match &result {
            Ok(()) => note,
            Err(e) => format!("x {e}"),
        };
        progress.say(format!(
            "  [{done}/{total}] {} ({}, {}): {line}",
            learner.email,
            learner.lang,
            learner.cefr()
        ));
        report.absorb(part);
    }
    Ok(())
}

/// Tells the generator which model-judged kinds its model file has passed a calibration of
/// (`hyperlearn calibrate`), by language: verdicts for this file's sha256, measured on the
/// set this binary ships. Read at each lesson stage, so a calibration made while `serve`
/// runs counts from the next stage on. Without any passed verdict the file is not hashed.
pub fn adopt_calibrations(store: &Store, generator: &Generator) -> anyhow::Result<()> {
    let mut by_lang: HashMap<String, Calibrated> = HashMap::new();
    if store.any_calibration_passed()? {
        let sha = generator
            .model_sha256()
            .map_err(|e| anyhow::anyhow!("cannot read the model's calibrations: {e}"))?;
        for s in crate::calibrate::stored(store, &sha)? {
            let c = s.calibration;
            if s.applies && c.passed {
                let kinds = by_lang.entry(c.lang).or_default();
                *kinds = kinds.with(&c.kind);
            }
        }
    }
    generator.set_calibrated(by_lang);
    Ok(())
}

/// Lessons the scheduled lesson job would make at `now`: for each active learner, the local
/// dates within the lead before (and the cut-off after) their delivery time that have no
/// lesson yet. Learners with an unknown time zone are left out (the run reports them).
pub fn lessons_due(
    services: &Services,
    now: DateTime<Utc>,
) -> Result<i64, crate::store::StoreError> {
    let mut wanted = Vec::new();
    for learner in services.store.learners()?.iter().filter(|l| l.active) {
        let Ok(tz) = schedule::zone(&learner.timezone) else {
            continue;
        };
        for date in
            schedule::dates_to_prepare(tz, learner.delivery_time, now, &services.config.delivery)
        {
            wanted.push((learner.id, date));
        }
    }
    // One query for the lessons already made (a scrape must not cost a query per learner).
    let Some(from) = wanted.iter().map(|(_, d)| *d).min() else {
        return Ok(0);
    };
    let made = services.store.lesson_dates_from(from)?;
    Ok(wanted.iter().filter(|w| !made.contains(w)).count() as i64)
}

/// The learner's local date at `now`.
pub fn local_date(learner: &Learner, now: DateTime<Utc>) -> Result<NaiveDate, String> {
    Ok(schedule::local_date(
        schedule::zone(&learner.timezone)?,
        now,
    ))
}

fn lesson_seed(base: u32, learner_id: i64, date: NaiveDate) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{base}/{learner_id}/{date}").bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What one learner's lesson did: its share of the report, and a line for the progress.
struct LessonOutcome {
    part: RunReport,
    result: Result<(), String>,
    note: String,
}

/// Makes and stores one learner's lesson for a local date, as a pending delivery due at
/// `due`. Errors are this learner's only.
async fn lesson_for(
    services: &Services,
    generator: &Generator,
    learner: &Learner,
    now: DateTime<Utc>,
    date: NaiveDate,
    due: DateTime<Utc>,
) -> LessonOutcome {
    let mut part = RunReport::default();
    let mut note = String::new();
    let result = lesson_steps(
        services, generator, learner, now, date, due, &mut part, &mut note,
    )
    .await;
    LessonOutcome { part, result, note }
}

#[allow(clippy::too_many_arguments)]
async fn lesson_steps(
    services: &Services,
    generator: &Generator,
    learner: &Learner,
    now: DateTime<Utc>,
    date: NaiveDate,
    due: DateTime<Utc>,
    report: &mut RunReport,
    note: &mut String,
) -> Result<(), String> {
    let store = &services.store;
    if let Some(existing) = store
        .delivery_for(learner.id, date)
        .map_err(|e| e.to_string())?
    {
        // Made already: a lesson is made once per learner and date, whatever its mail did.
        *note = match existing.state {
            DeliveryState::Sent => {
                report.lessons_already_sent += 1;
                format!("{date}: already sent")
            }
            state => format!("{date}: already made ({})", state.as_str()),
        };
        return Ok(());
    }
    delivery::check_address(&learner.email)
        .map_err(|e| format!("cannot mail this learner: {e}"))?;

    let seed = lesson_seed(services.config.model.seed, learner.id, date);
    let lesson_cfg = &services.config.lesson;
    let (article, made, below_mix) =
        article_and_exercises(services, generator, learner, now, seed, report).await?;
    // The glossary quotes a word's first sentence that no exercise is about.
    let asked = crate::lesson::exercise_sentences(&made.accepted);
    let lesson = VerifiedLesson::new(
        lesson_learner(learner),
        lesson_article(&article),
        date,
        made.accepted,
        articles::glossary(
            &article.lang,
            &crate::verification::without_addressed_paragraphs(&text_body(
                &article.text,
                lesson_cfg.max_article_words,
            )),
            learner.level,
            &services.frequencies,
            8,
            |sentence| {
                crate::verification::quotable(sentence)
                    && !asked.contains(&crate::text::normalize(sentence))
            },
        )
        .into_iter()
        .map(|w| crate::lesson::GlossaryEntry {
            word: w.word,
            sentence: w.sentence,
        })
        .collect(),
        services.config.lesson.min_exercises,
    );
    let lesson = match lesson {
        Ok(l) => l,
        Err(e) => {
            store
                .save_rejected_exercises(article.id, &made.records)
                .map_err(|e| e.to_string())?;
            return Err(e.to_string());
        }
    };
    let mail = delivery::compose(&lesson, &services.renderer, &services.config.mail)
        .map_err(|e| e.to_string())?;
    store
        .save_lesson(&mail, &made.records, due)
        .map_err(|e| e.to_string())?;
    report.lessons_generated += 1;
    if due > now {
        report.lessons_waiting += 1;
    }
    *note = format!(
        "[{}] {} -> {} verified exercises ({} from the model){}{}",
        article.cefr,
        article.title,
        lesson.exercises().len(),
        made.model_accepted,
        below_mix
            .map(|(got, wanted)| format!(
                "; {got} of the {wanted} items beyond one sentence a {} lesson wants",
                learner.cefr()
            ))
            .unwrap_or_default(),
        if due > now {
            format!("; mail due {}", due.format("%Y-%m-%d %H:%M UTC"))
        } else {
            String::new()
        }
    );
    Ok(())
}

fn lesson_learner(learner: &Learner) -> LessonLearner {
    LessonLearner {
        id: learner.id,
        name: learner.name.clone(),
        email: learner.email.clone(),
        lang: learner.lang.clone(),
        cefr: learner.cefr().to_string(),
    }
}

fn lesson_article(article: &StoredArticle) -> LessonArticle {
    LessonArticle {
        id: article.id,
        title: article.title.clone(),
        url: article.url.clone(),
        lang: article.lang.clone(),
        cefr: article.cefr.to_string(),
        source: article.source.clone(),
        published: article.published.as_deref().map(display_date),
        text: article.text.clone(),
    }
}

/// Makes a lesson the way the daily run does, from exercises given instead of generated:
/// verifies each (they must be constructed ones: no model judges them), puts them in the
/// learner's lesson about the stored article on `date`, composes its mail and stores it as
/// a pending delivery due at `due`. For seeding benchmarks and tests with real lessons;
/// the ledger takes nothing but a composed verified lesson.
#[allow(clippy::too_many_arguments)]
pub async fn keep_lesson(
    store: &Store,
    renderer: &Renderer,
    mail: &crate::config::MailConfig,
    learner: &Learner,
    article_id: i64,
    date: NaiveDate,
    exercises: Vec<crate::exercise::Exercise>,
    glossary: Vec<crate::lesson::GlossaryEntry>,
    due: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    let article = store
        .article(article_id)?
        .with_context(|| format!("no article {article_id}"))?;
    let text = ArticleText::new(&article.lang, &article.text);
    let mut verified = Vec::new();
    for exercise in exercises {
        let candidate = crate::exercise::Candidate {
            exercise,
            origin: Origin::Constructed,
        };
        let v = verify(candidate, &text, &crate::verification::NoModel, &verified)
            .await
            .map_err(|r| anyhow::anyhow!("an exercise does not verify: {:?}", r.reasons))?;
        verified.push(v);
    }
    let records: Vec<ExerciseRecord> = verified.iter().map(ExerciseRecord::verified).collect();
    let min = verified.len();
    let lesson = VerifiedLesson::new(
        lesson_learner(learner),
        lesson_article(&article),
        date,
        verified,
        glossary,
        min,
    )?;
    let composed = delivery::compose(&lesson, renderer, mail)?;
    Ok(store.save_lesson(&composed, &records, due)?)
}

// --- mail -------------------------------------------------------------------------------

/// Sends the lessons that are due (all of today's with [`Timing::Now`]), marks those past
/// the cut-off as missed, and records every outcome in the ledger. Sends run on
/// `[delivery] connections` at once, at most `rate_per_second`.
pub async fn delivery_stage(
    services: &Services,
    report: &mut RunReport,
    progress: Progress,
    options: &RunOptions,
) -> anyhow::Result<()> {
    let now = options.now;
    let cfg = &services.config.delivery;
    let store = &services.store;
    let mut due = Vec::new();
    for d in store.open_deliveries()? {
        let tz = match schedule::zone(&d.timezone) {
            Ok(tz) => tz,
            Err(e) => {
                report.fail(FailureKind::Mail, &d.email, e);
                continue;
            }
        };
        let due_at = d.due_at.unwrap_or(now);
        let decision = match options.timing {
            // Today's lessons go now, whatever their time or back-off; older ones only
            // within the cut-off.
            Timing::Now if d.lesson_date >= schedule::local_date(tz, now) => SendDecision::Send,
            Timing::Now => schedule::send_decision(due_at, None, now, cfg),
            Timing::Scheduled => schedule::send_decision(due_at, d.next_attempt_at, now, cfg),
        };
        match decision {
            SendDecision::Send => due.push(d),
            SendDecision::Wait => {}
            SendDecision::Missed => {
                let why = format!(
                    "not sent: {} minutes after its delivery time, past the cut-off of {} minutes",
                    (now - due_at).num_minutes(),
                    cfg.late_cutoff.num_minutes()
                );
                store.miss_delivery(d.id, &why)?;
                report.mails_missed += 1;
                report.fail(
                    FailureKind::Mail,
                    &d.email,
                    format!("{} lesson {why}", d.lesson_date),
                );
            }
        }
    }
    if due.is_empty() {
        return Ok(());
    }
    let total = due.len();
    progress.say(format!(
        "Sending {total} lessons ({} connections{}) ...",
        cfg.connections,
        if cfg.rate_per_second > 0.0 {
            format!(", at most {}/s", cfg.rate_per_second)
        } else {
            String::new()
        }
    ));
    let pacer = Pacer::new(cfg.rate_per_second);
    let sends = due.into_iter().map(|d| {
        let pacer = &pacer;
        async move {
            pacer.wait().await;
            send_one(services, d, now).await
        }
    });
    let mut outcomes = futures_util::stream::iter(sends).buffer_unordered(cfg.connections);
    let mut done = 0;
    while let Some((d, outcome)) = outcomes.next().await {
        done += 1;
        match outcome {
            Ok(Sent) => report.mails_sent += 1,
            Ok(Failed {
                error,
                retry,
                paused,
            }) => {
                if retry {
                    report.mails_retrying += 1;
                } else {
                    report.mails_failed += 1;
                }
                progress.say(format!("  x {}: {error}", d.email));
                report.fail(FailureKind::Mail, &d.email, &error);
                if paused {
                    report.learners_paused += 1;
                    report.fail(
                        FailureKind::Learner,
                        &d.email,
                        "paused after repeated permanent mail failures (see `learners list`)",
                    );
                }
            }
            Err(e) => {
                // The ledger could not be written: stop sending rather than risk duplicates.
                return Err(anyhow::Error::new(e).context(format!("delivery to {}", d.email)));
            }
        }
        if done % 500 == 0 {
            progress.say(format!("  [{done}/{total}] mails handled"));
        }
    }
    Ok(())
}

/// How one send ended (ledger already updated).
enum SendResult {
    Sent,
    Failed {
        error: String,
        retry: bool,
        paused: bool,
    },
}
use SendResult::{Failed, Sent};

/// One SMTP transaction, with the ledger written before and after it.
async fn send_one(
    services: &Services,
    d: OpenDelivery,
    now: DateTime<Utc>,
) -> (OpenDelivery, Result<SendResult, crate::store::StoreError>) {
    let result = async {
        let store = &services.store;
        let cfg = &services.config.delivery;
        let bytes = store.delivery_message(d.id)?;
        store.start_delivery(d.id)?;
        let stem = format!("{}_{}_{}", d.lesson_date, d.learner_id, d.email);
        let outcome = match services.mailer.send(&d.email, &bytes, &stem).await {
            Ok(sent) => DeliveryOutcome::Sent {
                transport: sent.transport_name().to_string(),
            },
            Err(SendError::Transient(e)) => DeliveryOutcome::Retry {
                retry_at: schedule::next_attempt(d.attempts + 1, now, cfg),
                error: e,
            },
            Err(SendError::Permanent(e)) => DeliveryOutcome::Permanent {
                error: e,
                pause_after: cfg.pause_after_failures,
            },
        };
        let paused = store.finish_delivery(d.id, &outcome)?;
        Ok(match outcome {
            DeliveryOutcome::Sent { .. } => Sent,
            DeliveryOutcome::Retry { error, retry_at } => Failed {
                error: match retry_at {
                    Some(t) => format!(
                        "temporary failure, attempt {} of {}; next at {}: {error}",
                        d.attempts + 1,
                        cfg.max_attempts,
                        t.format("%H:%M:%S UTC")
                    ),
                    None => format!(
                        "temporary failure, gave up after {} attempts: {error}",
                        d.attempts + 1
                    ),
                },
                retry: retry_at.is_some(),
                paused,
            },
            DeliveryOutcome::Permanent { error, .. } => Failed {
                error: format!("permanent failure: {error}"),
                retry: false,
                paused,
            },
        })
    }
    .await;
    (d, result)
}

/// Spaces sends out to at most `rate` per second (0: no limit).
struct Pacer {
    interval: Option<std::time::Duration>,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    fn new(rate: f64) -> Pacer {
        Pacer {
            interval: (rate > 0.0).then(|| std::time::Duration::from_secs_f64(1.0 / rate)),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(tokio::time::Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The part of an article the lesson works with.
fn text_body(text: &str, max_words: usize) -> String {
    crate::text::truncate_words(text, max_words).to_string()
}

/// A publication time as a plain date when it parses, else as given.
fn display_date(published: &str) -> String {
    DateTime::parse_from_rfc3339(published)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| published.to_string())
}

/// What the learner had: titles of every article, topics of the last lessons.
fn learner_history(services: &Services, learner: &Learner) -> Result<selection::History, String> {
    let lessons = services
        .store
        .recent_lessons(learner.id, 10_000)
        .map_err(|e| e.to_string())?;
    Ok(selection::History {
        titles: lessons.iter().map(|l| l.title.clone()).collect(),
        recent_topics: lessons
            .iter()
            .take(selection::VARIETY_WINDOW)
            .map(|l| l.topics.clone())
            .collect(),
    })
}

/// Unseen articles in the learner's language, ranked (best first, excluded ones last).
pub fn rank_articles(
    services: &Services,
    learner: &Learner,
    now: DateTime<Utc>,
) -> Result<(Vec<StoredArticle>, Vec<selection::Ranked>), String> {
    let candidates = services
        .store
        .unseen_articles(learner.id, &learner.lang, 300)
        .map_err(|e| e.to_string())?;
    let interest = services
        .index
        .interest_scores(&learner.lang, &learner.interests, 500)
        .map_err(|e| e.to_string())?;
    let scored: Vec<CandidateArticle> = candidates
        .iter()
        .map(|a| CandidateArticle {
            article_id: a.id,
            title: a.title.clone(),
            level: a.level,
            interest: interest.get(&a.id).copied().unwrap_or(0.0),
            published: a
                .published
                .as_deref()
                .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
                .or_else(|| DateTime::parse_from_rfc3339(&a.fetched_at).ok())
                .map(|d| d.with_timezone(&Utc)),
            topics: a.topics.clone(),
            poor_reading: services
                .poor_reading
                .lock()
                .expect("the genre cache is never poisoned")
                .entry(a.id)
                .or_insert_with(|| crate::articles::genre(&a.title, &a.text).poor_reading())
                .clone(),
        })
        .collect();
    let history = learner_history(services, learner)?;
    let ranked = selection::rank(&scored, learner.level, &history, now);
    Ok((candidates, ranked))
}

/// Articles tried for a learner's lesson before one below the level's mix of items beyond
/// one sentence is taken.
const ARTICLES_TRIED: usize = 3;

/// The best unseen articles for a learner, best first (at most `n`), none repeating a story
/// the learner had.
fn choose_articles(
    services: &Services,
    learner: &Learner,
    now: DateTime<Utc>,
    n: usize,
) -> Result<Vec<StoredArticle>, String> {
    let (mut candidates, ranked) = rank_articles(services, learner, now)?;
    if candidates.is_empty() {
        return Err(format!("no unseen article in language `{}`", learner.lang));
    }
    let chosen: Vec<StoredArticle> = ranked
        .iter()
        .filter(|r| r.excluded.is_none())
        .take(n)
        .filter_map(|r| {
            let at = candidates.iter().position(|a| a.id == r.article_id)?;
            Some(candidates.swap_remove(at))
        })
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "every unseen article in `{}` repeats a story the learner already had",
            learner.lang
        ));
    }
    Ok(chosen)
}

/// The article of a learner's lesson and its exercises: the best article whose lesson has
/// the level's mix of items beyond one sentence ([`crate::generation::text_items_wanted`]);
/// when none of the best [`ARTICLES_TRIED`] has, the one with most such items among those
/// with enough exercises (then `Some((got, wanted))`), or the best article when none has
/// enough. Exercises made for an article not taken are kept as not sent.
async fn article_and_exercises(
    services: &Services,
    generator: &Generator,
    learner: &Learner,
    now: DateTime<Utc>,
    seed: u64,
    report: &mut RunReport,
) -> Result<(StoredArticle, MadeExercises, Option<(usize, usize)>), String> {
    let lesson_cfg = &services.config.lesson;
    let level = learner.cefr();
    let wanted = crate::generation::text_items_wanted(level);
    let mut tried: Vec<(StoredArticle, MadeExercises, usize)> = Vec::new();
    for article in choose_articles(services, learner, now, ARTICLES_TRIED)? {
        let text = ArticleText::new(
            &article.lang,
            crate::text::truncate_words(&article.text, lesson_cfg.max_article_words),
        )
        .with_lexicon(services.frequencies.ranks(&article.lang));
        let made = make_exercises(lesson_cfg, generator, &text, level, seed, report).await;
        let beyond = made
            .accepted
            .iter()
            .filter(|v| v.exercise().scope(&article.lang) == crate::exercise::Scope::Text)
            .count();
        let enough = made.accepted.len() >= lesson_cfg.min_exercises;
        if enough && beyond >= wanted {
            keep_not_taken(services, &tried)?;
            return Ok((article, made, None));
        }
        tracing::debug!(
            article = article.id,
            exercises = made.accepted.len(),
            beyond,
            wanted,
            "article gives no lesson with the level's mix; trying the next"
        );
        tried.push((article, made, beyond));
    }
    let counts: Vec<(usize, usize)> = tried
        .iter()
        .map(|(_, m, beyond)| (m.accepted.len(), *beyond))
        .collect();
    let best = fallback_attempt(&counts, lesson_cfg.min_exercises);
    let (article, made, beyond) = tried.remove(best);
    keep_not_taken(services, &tried)?;
    Ok((article, made, Some((beyond, wanted))))
}

/// Which of the articles tried (each with its lesson's verified exercises and those beyond
/// one sentence, best-ranked first) to take when none has the level's mix: the most items
/// beyond one sentence among lessons with enough exercises, the better-ranked on a tie;
/// the best-ranked when none has enough (its lesson then fails with "too few").
fn fallback_attempt(tried: &[(usize, usize)], min_exercises: usize) -> usize {
    tried
        .iter()
        .enumerate()
        .filter(|(_, (exercises, _))| *exercises >= min_exercises)
        .max_by_key(|(i, (_, beyond))| (*beyond, std::cmp::Reverse(*i)))
        .map_or(0, |(i, _)| i)
}

/// Keeps the exercises made for articles not taken, as not sent.
fn keep_not_taken(
    services: &Services,
    tried: &[(StoredArticle, MadeExercises, usize)],
) -> Result<(), String> {
    for (article, made, _) in tried {
        services
            .store
            .save_rejected_exercises(article.id, &made.records)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Records a learner's score for a lesson and moves their level estimate.
pub fn record_score(
    services: &Services,
    learner: &Learner,
    date: Option<NaiveDate>,
    score: f64,
) -> anyhow::Result<(f64, f64)> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&score),
        "the score must be between 0 and 1 (share of right answers)"
    );
    let lessons = services.store.recent_lessons(learner.id, 10_000)?;
    let lesson = match date {
        Some(d) => lessons.iter().find(|l| l.date == d.to_string()),
        None => lessons.first(),
    }
    .with_context(|| match date {
        Some(d) => format!("{} had no lesson on {d}", learner.email),
        None => format!("{} has had no lesson yet", learner.email),
    })?;
    let new_level = crate::adapt::updated_level(learner.level, lesson.article_level, score);
    services
        .store
        .record_score(learner.id, lesson.lesson_id, score, new_level)?;
    Ok((learner.level, new_level))
}

pub struct MadeExercises {
    /// The lesson's exercises, at most `[lesson] exercises`.
    pub accepted: Vec<VerifiedExercise>,
    /// Every exercise tried, accepted or not, with its reasons.
    pub records: Vec<ExerciseRecord>,
    model_accepted: usize,
    /// Time waiting for the model to write candidates.
    write_time: std::time::Duration,
    /// Time verifying them (round trips included).
    verify_time: std::time::Duration,
}

/// Makes one lesson's exercises for an article (benchmarks): the report part and the time
/// spent writing and verifying.
pub async fn timed_exercises(
    lesson_cfg: &crate::config::LessonConfig,
    generator: &Generator,
    text: &ArticleText,
    level: Cefr,
    seed: u64,
) -> (RunReport, std::time::Duration, std::time::Duration) {
    let mut report = RunReport::default();
    let made = make_exercises(lesson_cfg, generator, text, level, seed, &mut report).await;
    (report, made.write_time, made.verify_time)
}

/// Makes one lesson's exercises for an article as the lesson stage does (`eval lessons`).
pub async fn lesson_exercises(
    lesson_cfg: &crate::config::LessonConfig,
    generator: &Generator,
    text: &ArticleText,
    level: Cefr,
    seed: u64,
) -> MadeExercises {
    let mut report = RunReport::default();
    make_exercises(lesson_cfg, generator, text, level, seed, &mut report).await
}

/// A refused candidate's row, counted in the report by reason.
fn rejected_record(r: &Rejection, report: &mut RunReport) -> ExerciseRecord {
    for reason in &r.reasons {
        report.reject(reason.code());
    }
    ExerciseRecord::rejected(r)
}

/// Verifies candidates at once (their round trips share the article prefix in the engine),
/// keeps the first of duplicates, and records every rejection. Model-judged kinds pass only
/// where the model is calibrated for them ([`adopt_calibrations`]).
async fn verify_at_once(
    candidates: Vec<crate::exercise::Candidate>,
    text: &ArticleText,
    generator: &Generator,
    lesson: &[VerifiedExercise],
    records: &mut Vec<ExerciseRecord>,
    report: &mut RunReport,
) -> Vec<VerifiedExercise> {
    let options = VerifyOptions {
        calibrated: generator.calibrated(text.lang()),
        ..VerifyOptions::default()
    };
    let verdicts = futures_util::future::join_all(
        candidates
            .into_iter()
            .map(|c| verify_with(c, text, generator, lesson, options)),
    )
    .await;
    let mut accepted: Vec<VerifiedExercise> = Vec::new();
    for verdict in verdicts {
        match verdict {
            Ok(v) => accepted.push(v),
            Err(r) => records.push(rejected_record(&r, report)),
        }
    }
    let (accepted, duplicates) = deduplicate(accepted);
    for d in &duplicates {
        records.push(rejected_record(d, report));
    }
    accepted
}

/// Question plans a lesson asks the model to phrase, and phrasings asked of each: a question
/// is about 20 tokens, so several are asked and only those that pass verification kept.
const PHRASED_PLANS: usize = 6;
const PHRASINGS_PER_PLAN: usize = 3;
/// At most this many phrased questions in one lesson, so that it keeps other kinds.
const PHRASED_PER_LESSON: usize = 2;

/// Questions whose key the program chose and whose wording the model wrote
/// ([`crate::generation::question_plans`]): every phrasing is verified, and at most one per
/// plan (and [`PHRASED_PER_LESSON`] in all, at most `room`) is kept.
#[allow(clippy::too_many_arguments)]
async fn phrased_exercises(
    generator: &Generator,
    text: &ArticleText,
    level: Cefr,
    rng: &mut Rng,
    lesson: &[VerifiedExercise],
    room: usize,
    records: &mut Vec<ExerciseRecord>,
    report: &mut RunReport,
) -> Vec<VerifiedExercise> {
    let avoid: HashSet<String> = lesson
        .iter()
        .map(|v| v.exercise().evidence().to_string())
        .collect();
    let plans = question_plans(text, PHRASED_PLANS, rng.next_u64(), &avoid);
    let asks = plans
        .iter()
        .flat_map(|plan| (0..PHRASINGS_PER_PLAN).map(move |_| plan));
    let seeds: Vec<u32> = (0..plans.len() * PHRASINGS_PER_PLAN)
        .map(|_| rng.next_u64() as u32)
        .collect();
    let phrasings =
        futures_util::future::join_all(asks.zip(seeds).map(|(plan, seed)| async move {
            (
                plan,
                generator.phrase_question(text, plan, level, seed).await,
            )
        }))
        .await;
    let mut candidates: Vec<crate::exercise::Candidate> = Vec::new();
    for (plan, phrasing) in phrasings {
        match phrasing {
            Ok(question) => {
                let exercise = plan.exercise(question);
                if !candidates.iter().any(|c| c.exercise == exercise) {
                    report.questions_phrased += 1;
                    candidates.push(crate::exercise::Candidate {
                        exercise,
                        origin: Origin::Phrased,
                    });
                }
            }
            Err(f) => {
                report.reject(f.reason.code());
                records.push(ExerciseRecord::failed_reply(
                    "multiple_choice",
                    Origin::Phrased,
                    &f.raw,
                    &f.detail,
                    f.reason.code(),
                ));
            }
        }
    }
    // One question per sentence: a second phrasing of the same plan (same evidence and key)
    // is a duplicate.
    let mut kept = verify_at_once(candidates, text, generator, lesson, records, report).await;
    kept.truncate(PHRASED_PER_LESSON.min(room));
    for v in &kept {
        records.push(ExerciseRecord::verified(v));
    }
    report.questions_phrased_accepted += kept.len();
    kept
}

/// Model-written exercises first: all candidates of a lesson are written at once (they share
/// the article prefix in the engine), each from its own share of the article's sentences,
/// then verified at once; duplicates are dropped after. Constructed exercises fill the rest.
async fn make_exercises(
    lesson_cfg: &crate::config::LessonConfig,
    generator: &Generator,
    text: &ArticleText,
    level: Cefr,
    seed: u64,
    report: &mut RunReport,
) -> MadeExercises {
    let mut rng = Rng::new(seed);
    let mut records = Vec::new();

    let usable: Vec<&str> = text
        .sentences()
        .iter()
        .map(String::as_str)
        .filter(|s| (6..=40).contains(&crate::text::words(s).len()))
        .collect();
    let wanted = lesson_cfg.model_candidates.min(usable.len());
    // Vocabulary only when the model has passed a calibration of it in this language: only
    // a model can judge a meaning key.
    let shapes: &[Shape] = if generator.calibrated(text.lang()).vocabulary {
        &[Shape::MultipleChoice, Shape::Vocabulary, Shape::ShortAnswer]
    } else {
        &[Shape::MultipleChoice, Shape::ShortAnswer]
    };
    let writes = (0..wanted).map(|i| {
        // Every candidate gets its own share of the sentences: different evidence, no
        // duplicates, and a smaller grammar.
        let share: Vec<&str> = usable.iter().copied().skip(i).step_by(wanted).collect();
        let shape = shapes[i % shapes.len()];
        let seed = rng.next_u64() as u32;
        async move {
            (
                shape,
                generator
                    .write_exercise(text, &share, shape, level, seed)
                    .await,
            )
        }
    });
    let write_started = std::time::Instant::now();
    let written = futures_util::future::join_all(writes).await;
    let write_time = write_started.elapsed();
    let mut candidates = Vec::new();
    for (shape, (candidate, failures)) in written {
        for f in failures {
            report.reject(f.reason.code());
            tracing::debug!(reason = f.reason.code(), detail = %f.detail, raw = %f.raw, "model reply failed");
            let kind = match shape {
                Shape::MultipleChoice => "multiple_choice",
                Shape::ShortAnswer => "short_answer",
                Shape::Vocabulary => "vocabulary",
            };
            records.push(ExerciseRecord::failed_reply(
                kind,
                Origin::Model,
                &f.raw,
                &f.detail,
                f.reason.code(),
            ));
        }
        if let Some(c) = candidate {
            report.questions_model_written += 1;
            candidates.push(c);
        }
    }
    let verify_started = std::time::Instant::now();
    let mut accepted = verify_at_once(candidates, text, generator, &[], &mut records, report).await;
    let verify_time = verify_started.elapsed();
    accepted.truncate(lesson_cfg.exercises);
    for v in &accepted {
        records.push(ExerciseRecord::verified(v));
    }
    report.questions_model_accepted += accepted.len();
    let model_accepted = accepted.len();

    if accepted.len() < lesson_cfg.exercises {
        let phrased = phrased_exercises(
            generator,
            text,
            level,
            &mut rng,
            &accepted,
            lesson_cfg.exercises - accepted.len(),
            &mut records,
            report,
        )
        .await;
        accepted.extend(phrased);
    }

    if accepted.len() < lesson_cfg.exercises {
        let avoid: HashSet<String> = accepted
            .iter()
            .map(|v| v.exercise().evidence().to_string())
            .collect();
        let want = lesson_cfg.exercises - accepted.len();
        for candidate in constructed_exercises(text, level, want * 2 + 4, rng.next_u64(), &avoid) {
            if accepted.len() >= lesson_cfg.exercises {
                break;
            }
            report.questions_constructed += 1;
            match verify(candidate, text, generator, &accepted).await {
                Ok(v) => {
                    records.push(ExerciseRecord::verified(&v));
                    report.questions_constructed_accepted += 1;
                    accepted.push(v);
                }
                Err(r) => records.push(rejected_record(&r, report)),
            }
        }
    }
    MadeExercises {
        accepted,
        records,
        model_accepted,
        write_time,
        verify_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn without_the_mix_the_lesson_with_most_items_beyond_one_sentence_is_taken() {
        // (verified exercises, of them beyond one sentence), best-ranked article first.
        assert_eq!(
            fallback_attempt(&[(5, 1), (5, 1), (4, 1)], 3),
            0,
            "a tie: rank"
        );
        assert_eq!(
            fallback_attempt(&[(5, 0), (2, 2), (4, 1)], 3),
            2,
            "enough first"
        );
        assert_eq!(
            fallback_attempt(&[(1, 0), (2, 2)], 3),
            0,
            "none enough: the best"
        );
        assert_eq!(fallback_attempt(&[(3, 0), (5, 1)], 3), 1);
    }

    #[test]
    fn feed_text_stands_in_only_when_it_is_an_article_twice_as_long() {
        let words = |n: usize| vec!["word"; n].join(" ");
        assert!(feed_text_is_fuller(&words(200), &words(90)));
        assert!(feed_text_is_fuller(&words(200), ""));
        assert!(!feed_text_is_fuller(&words(200), &words(120)));
        // A teaser in the feed never replaces a page, however short.
        assert!(!feed_text_is_fuller(&words(60), &words(10)));
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn feeds_are_fetched_again_after_their_ttl_or_max_age() {
        let now = t("2026-11-26T08:00:00Z");
        assert_eq!(next_fetch_after_ok(now, None, None), None);
        assert_eq!(
            next_fetch_after_ok(now, Some(60), Some(Duration::from_secs(600))),
            Some(t("2026-11-26T09:00:00Z"))
        );
        assert_eq!(
            next_fetch_after_ok(now, None, Some(Duration::from_secs(7 * 24 * 3600))),
            Some(t("2026-11-27T08:00:00Z")),
            "capped at a day"
        );
    }

    #[test]
    fn failed_feeds_back_off_or_wait_as_asked() {
        let now = t("2026-11-26T08:00:00Z");
        let base = Duration::from_secs(15 * 60);
        assert_eq!(
            next_fetch_after_error(now, 1, base, None),
            t("2026-11-26T08:15:00Z")
        );
        assert_eq!(
            next_fetch_after_error(now, 3, base, None),
            t("2026-11-26T09:00:00Z")
        );
        assert_eq!(
            next_fetch_after_error(now, 1, base, Some(Duration::from_secs(120))),
            t("2026-11-26T08:02:00Z")
        );
    }
}
