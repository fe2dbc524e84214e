//! The lesson stage: for each learner whose lesson is due, an article, its exercises
//! (written, phrased and constructed, every one verified), the lesson and its mail, kept
//! in the ledger.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;

use crate::articles::{self, Cefr};
use crate::delivery::{self, Renderer};
use crate::exercise::Origin;
use crate::generation::{
    Generator, Pruned, Rng, Shape, constructed_exercises, prune_banks, question_plans,
};
use crate::lesson::{LessonArticle, LessonLearner, VerifiedLesson};
use crate::report::{FailureKind, RunReport};
use crate::schedule;
use crate::selection::{self, CandidateArticle};
use crate::store::{
    Delivery, DeliveryState, ExerciseRecord, Learner, LessonItems, SetKey, Store, StoredArticle,
};
use crate::verification::{
    ArticleText, Calibrated, Reason, Rejection, VerifiedExercise, VerifyOptions, deduplicate,
    reverify, verify, verify_with,
};

use super::{Progress, RunOptions, Services, Timing};

pub(super) async fn lesson_stage(
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
    if options.timing == Timing::Scheduled {
        // Only the lessons still to make, found with one query: every worker runs this
        // stage every few minutes, and most of its window is done. Each worker starts at
        // its own place in the list, so that workers meet on a claim rarely.
        if let Some(from) = work.iter().map(|(_, date, _)| *date).min() {
            let made = services.store.lesson_dates_from(from)?;
            work.retain(|(learner, date, _)| !made.contains(&(learner.id, *date)));
        }
        if work.is_empty() {
            return Ok(());
        }
        let start = super::start_for(crate::runlock::process_name(), work.len());
        work.rotate_left(start);
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

/// The seed of an exercise set: the same for whichever learner's lesson makes it.
fn set_seed(base: u32, key: &SetKey) -> u64 {
    super::fnv1a(&format!(
        "{base}/{}/{}/{}",
        key.article_id, key.band, key.lang
    ))
}

/// How long a worker's claim on a learner's lesson (or on an exercise set it is making)
/// holds when its holder cannot be asked whether it still runs (it runs on another
/// machine): longer than any lesson takes. A holder on this machine that died is replaced
/// at once.
const LESSON_CLAIM_TTL: std::time::Duration = std::time::Duration::from_secs(600);

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
    // Workers share the learners: whoever claims a learner's day makes its lesson, and
    // another worker's claim is left alone (taken over only once its holder is gone).
    let claim_name = format!("lesson/{}/{date}", learner.id);
    let result = match crate::runlock::claim(&services.store, &claim_name, LESSON_CLAIM_TTL) {
        Ok(Some(_claim)) => {
            lesson_steps(
                services, generator, learner, now, date, due, &mut part, &mut note,
            )
            .await
        }
        Ok(None) => {
            note = format!("{date}: being made by another worker");
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    };
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

    let lesson_cfg = &services.config.lesson;
    let (article, set, below_mix) =
        article_and_exercises(services, generator, learner, now, report).await?;
    // The glossary quotes a word's first sentence that no exercise is about, and lists no
    // word of a person's name.
    let asked = crate::lesson::exercise_sentences(&set.accepted);
    let truncated = text_body(&article.text, lesson_cfg.max_article_words);
    let body = crate::verification::without_addressed_paragraphs(&truncated);
    let names: std::collections::HashSet<String> =
        crate::generation::people(&ArticleText::new(&article.lang, &body))
            .iter()
            .flat_map(|p| crate::text::normalized_words(p))
            .collect();
    let items = LessonItems {
        set_id: set.set_id,
        exercise_ids: set.ids,
    };
    let lesson = VerifiedLesson::new(
        lesson_learner(learner),
        lesson_article(&article),
        date,
        set.accepted,
        articles::glossary(
            &article.lang,
            &body,
            learner.level,
            &services.frequencies,
            8,
            &names,
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
    // (The exercises tried are kept with their set, even when the lesson fails.)
    let lesson = lesson.map_err(|e| e.to_string())?;
    let mail = delivery::compose(&lesson, &services.renderer, &services.config.mail)
        .map_err(|e| e.to_string())?;
    store
        .save_lesson(&mail, &items, due)
        .map_err(|e| e.to_string())?;
    report.lessons_generated += 1;
    if due > now {
        report.lessons_waiting += 1;
    }
    *note = format!(
        "[{}] {} -> {} verified exercises ({} from the model{}){}{}",
        article.cefr,
        article.title,
        lesson.exercises().len(),
        set.model_accepted,
        if set.reused {
            "; the level's set, made before"
        } else {
            ""
        },
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
    let kept = store.keep_exercises(article_id, None, &records)?;
    let items = LessonItems {
        set_id: None,
        exercise_ids: kept.accepted,
    };
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
    Ok(store.save_lesson(&composed, &items, due)?)
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

/// The article of a learner's lesson and its exercise set: the best article whose set
/// has the level's mix of items beyond one sentence
/// ([`crate::generation::text_items_wanted`]); when none of the best [`ARTICLES_TRIED`]
/// has, the one with most such items among those with enough exercises (then
/// `Some((got, wanted))`), or the best article when none has enough. Every set made on the
/// way is kept, for the next learner at this level who gets its article.
async fn article_and_exercises(
    services: &Services,
    generator: &Generator,
    learner: &Learner,
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(StoredArticle, LessonSet, Option<(usize, usize)>), String> {
    let lesson_cfg = &services.config.lesson;
    let level = learner.cefr();
    let wanted = crate::generation::text_items_wanted(level);
    let mut tried: Vec<(StoredArticle, LessonSet, usize)> = Vec::new();
    for article in choose_articles(services, learner, now, ARTICLES_TRIED)? {
        let set = exercise_set(services, generator, &article, level, report).await?;
        let beyond = set
            .accepted
            .iter()
            .filter(|v| v.exercise().scope(&article.lang) == crate::exercise::Scope::Text)
            .count();
        let enough = set.accepted.len() >= lesson_cfg.min_exercises;
        if enough && beyond >= wanted {
            return Ok((article, set, None));
        }
        tracing::debug!(
            article = article.id,
            exercises = set.accepted.len(),
            beyond,
            wanted,
            "article gives no lesson with the level's mix; trying the next"
        );
        tried.push((article, set, beyond));
    }
    let counts: Vec<(usize, usize)> = tried
        .iter()
        .map(|(_, s, beyond)| (s.accepted.len(), *beyond))
        .collect();
    let best = fallback_attempt(&counts, lesson_cfg.min_exercises);
    let (article, set, beyond) = tried.swap_remove(best);
    Ok((article, set, Some((beyond, wanted))))
}

/// An article's exercises for one band as a lesson takes them: verified, with the ids of
/// their rows in the ledger.
struct LessonSet {
    accepted: Vec<VerifiedExercise>,
    /// The rows of `accepted`, in the same order.
    ids: Vec<i64>,
    set_id: Option<i64>,
    model_accepted: usize,
    /// Made for an earlier lesson.
    reused: bool,
}

/// Turns at making exercise sets, by set: whoever holds a set's turn makes it (or finds it
/// made); a second lesson wanting it waits, then reuses it.
#[derive(Default)]
pub(super) struct SetTurns(
    std::sync::Mutex<HashMap<SetKey, std::sync::Arc<tokio::sync::Mutex<()>>>>,
);

impl SetTurns {
    fn turn(&self, key: &SetKey) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.0.lock().expect("the set turns are never poisoned");
        turns.entry(key.clone()).or_default().clone()
    }

    /// Forgets a set's turn once nobody holds or waits for it.
    fn done(&self, key: &SetKey, turn: std::sync::Arc<tokio::sync::Mutex<()>>) {
        let mut turns = self.0.lock().expect("the set turns are never poisoned");
        // Two references left: the map's and `turn`.
        if std::sync::Arc::strong_count(&turn) == 2 {
            turns.remove(key);
        }
    }
}

/// The exercise set of an article at a band: the stored one, every exercise verified again
/// ([`reverify`]: the checks run anew; the model's round trip is the one recorded), or,
/// when none is stored, one made now (written, phrased and constructed, every one verified)
/// and stored, with every exercise tried, for the next learner at this band.
async fn exercise_set(
    services: &Services,
    generator: &Generator,
    article: &StoredArticle,
    band: Cefr,
    report: &mut RunReport,
) -> Result<LessonSet, String> {
    let key = SetKey {
        article_id: article.id,
        band,
        lang: article.lang.clone(),
    };
    let turn = services.set_turns.turn(&key);
    let set = {
        let _held = turn.lock().await;
        match set_claim(services, &key).await {
            Ok(_claim) => stored_or_new_set(services, generator, article, &key, report).await,
            Err(e) => Err(e),
        }
    };
    services.set_turns.done(&key, turn);
    set
}

/// Across processes, one makes a set at a time: unless the set is stored, claims it,
/// waiting while another worker holds the claim (it is making the set, which this worker
/// then reuses). `None` when the set is stored, or when the other worker took too long
/// (then this one makes it too; the store keeps the first).
async fn set_claim<'s>(
    services: &'s Services,
    key: &SetKey,
) -> Result<Option<crate::runlock::Claim<'s>>, String> {
    let name = format!("set/{}/{}/{}", key.article_id, key.band.as_str(), key.lang);
    let deadline = std::time::Instant::now() + LESSON_CLAIM_TTL;
    loop {
        // Only whether it is stored: `stored_or_new_set` reads it.
        if services
            .store
            .exercise_set_id(key)
            .map_err(|e| e.to_string())?
            .is_some()
        {
            return Ok(None);
        }
        if let Some(claim) = crate::runlock::claim(&services.store, &name, LESSON_CLAIM_TTL)
            .map_err(|e| e.to_string())?
        {
            return Ok(Some(claim));
        }
        if std::time::Instant::now() > deadline {
            return Ok(None);
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

async fn stored_or_new_set(
    services: &Services,
    generator: &Generator,
    article: &StoredArticle,
    key: &SetKey,
    report: &mut RunReport,
) -> Result<LessonSet, String> {
    let lesson_cfg = &services.config.lesson;
    let text = ArticleText::new(
        &article.lang,
        crate::text::truncate_words(&article.text, lesson_cfg.max_article_words),
    )
    .with_lexicon(services.frequencies.ranks(&article.lang));
    let store = &services.store;
    if let Some(stored) = store.exercise_set(key).map_err(|e| e.to_string())? {
        let calibrated = generator.calibrated(&article.lang);
        let mut set = LessonSet {
            accepted: Vec::new(),
            ids: Vec::new(),
            set_id: Some(stored.id),
            model_accepted: 0,
            reused: true,
        };
        for e in stored.exercises {
            let candidate = crate::exercise::Candidate {
                exercise: e.exercise,
                origin: e.origin,
            };
            match reverify(
                candidate,
                &text,
                &set.accepted,
                calibrated,
                e.round_trip_passed,
            )
            .await
            {
                Ok(v) => {
                    set.model_accepted += usize::from(v.origin() == Origin::Model);
                    set.accepted.push(v);
                    set.ids.push(e.id);
                }
                Err(r) => tracing::warn!(
                    exercise = e.id,
                    reasons = ?r.reasons.iter().map(|x| x.code()).collect::<Vec<_>>(),
                    "an exercise of a stored set no longer passes verification; the lesson leaves it out"
                ),
            }
        }
        report.exercise_sets_reused += 1;
        return Ok(set);
    }
    let seed = set_seed(services.config.model.seed, key);
    let made = make_exercises(lesson_cfg, generator, &text, key.band, seed, report).await;
    let kept = store
        .keep_exercises(article.id, Some(key), &made.records)
        .map_err(|e| e.to_string())?;
    // Every accepted exercise has exactly one accepted row, in the same order.
    if kept.accepted.len() != made.accepted.len() {
        return Err(format!(
            "article {}: {} exercises verified but {} kept as accepted",
            article.id,
            made.accepted.len(),
            kept.accepted.len()
        ));
    }
    report.exercise_sets_made += 1;
    Ok(LessonSet {
        accepted: made.accepted,
        ids: kept.accepted,
        set_id: kept.set_id,
        model_accepted: made.model_accepted,
        reused: false,
    })
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
    tracing::debug!(origin = ?r.candidate.origin, reasons = ?r.reasons, exercise = ?r.candidate.exercise, "rejected");
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

/// The phrasings of one plan that verification runs in full (with the model's round
/// trip), the model's favourites first, until one passes.
const PHRASINGS_VERIFIED: usize = 3;
/// At most this many phrased questions in one lesson, so that it keeps other kinds.
const PHRASED_PER_LESSON: usize = 2;

/// Questions whose key the program chose and whose wording the model chose
/// ([`crate::generation::question_plans`]): of the plan's phrasings, those that pass the
/// checks that need no model (grammar, the sentence's words, the key's place) are ranked by
/// the model ([`Generator::rank_phrasings`]), and its favourites are verified in full in
/// that order, up to [`PHRASINGS_VERIFIED`]; the first that passes is kept, and
/// [`PHRASED_PER_LESSON`] in all, at most `room`.
#[allow(clippy::too_many_arguments)]
async fn phrased_exercises(
    generator: &Generator,
    wanted_plans: usize,
    text: &ArticleText,
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
    let plans = question_plans(text, wanted_plans, rng.next_u64(), &avoid);
    tracing::debug!(plans = plans.len(), "question plans");
    let options = VerifyOptions {
        calibrated: generator.calibrated(text.lang()),
        ..VerifyOptions::default()
    };
    let rules_only = VerifyOptions {
        round_trip: false,
        ..options
    };
    let mut kept: Vec<VerifiedExercise> = Vec::new();
    for plan in &plans {
        if kept.len() >= PHRASED_PER_LESSON.min(room) {
            break;
        }
        tracing::debug!(opening = %plan.opening.text(), answer = %plan.answer_phrase, evidence = %plan.evidence, phrasings = plan.phrasings.len(), "question plan");
        let candidate = |question: &str| crate::exercise::Candidate {
            exercise: plan.exercise(question.to_string()),
            origin: Origin::Phrased,
        };
        // The phrasings that pass the checks without the model; where none does, the
        // first is recorded with its reasons.
        let mut passing = Vec::new();
        let mut first_rejection = None;
        for question in &plan.phrasings {
            match verify_with(candidate(question), text, generator, lesson, rules_only).await {
                Ok(_) => passing.push(question.clone()),
                Err(r) => {
                    first_rejection.get_or_insert(r);
                }
            }
        }
        if passing.is_empty() {
            if let Some(r) = first_rejection {
                report.questions_phrased += 1;
                records.push(rejected_record(&r, report));
            }
            continue;
        }
        let ranked = match generator.rank_phrasings(&plan.evidence, passing).await {
            Ok(ranked) => ranked,
            Err(e) => {
                report.reject("model_error");
                tracing::warn!("phrased question: the model could not rank phrasings: {e}");
                continue;
            }
        };
        for question in ranked.iter().take(PHRASINGS_VERIFIED) {
            tracing::debug!(%question, "phrased");
            report.questions_phrased += 1;
            let verdict = verify_with(candidate(question), text, generator, lesson, options).await;
            match verdict {
                Ok(v) => {
                    records.push(ExerciseRecord::verified(&v));
                    kept.push(v);
                    break;
                }
                Err(r) => records.push(rejected_record(&r, report)),
            }
        }
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
            lesson_cfg.phrased_plans,
            text,
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
        let candidates = constructed_exercises(text, level, want * 2 + 4, rng.next_u64(), &avoid);
        for pruned in prune_banks(
            candidates,
            text.lang(),
            generator,
            generator.calibrated(text.lang()).bank,
        )
        .await
        {
            if accepted.len() >= lesson_cfg.exercises {
                break;
            }
            report.questions_constructed += 1;
            let candidate = match pruned {
                Pruned::Ready(candidate) => candidate,
                Pruned::Unjudged(candidate) => {
                    let r = Rejection {
                        candidate,
                        reasons: vec![Reason::BankNotJudged],
                    };
                    records.push(rejected_record(&r, report));
                    continue;
                }
            };
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
}
