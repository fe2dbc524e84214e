//! The run report: what a run did, what failed and why. Printed at the end of every run,
//! stored with the run, and available as JSON.

use std::collections::BTreeMap;
use std::fmt;

/// What a failure is about: the kind of thing its subject names.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A feed-list file or folder (the subject is its path).
    FeedList,
    /// A feed (its URL).
    Feed,
    /// An article page (its URL).
    Page,
    /// A learner whose lesson could not be made or who was paused (their address).
    Learner,
    /// A lesson mail (the learner's address).
    Mail,
    /// A stage that stopped the run before its end (the subject is the run's kind: fetch,
    /// lessons, mail or daily); what the run did before is counted.
    Stage,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::FeedList => "feed-list",
            FailureKind::Feed => "feed",
            FailureKind::Page => "page",
            FailureKind::Learner => "learner",
            FailureKind::Mail => "mail",
            FailureKind::Stage => "stage",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing that failed, named.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// The feed URL, page URL or learner address at fault.
    pub subject: String,
    pub error: String,
}

/// Counts and failures of one run.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RunReport {
    pub started_at: String,
    pub seconds: f64,
    pub feeds_total: usize,
    pub feeds_fetched: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    /// Feeds skipped: paused after repeated failures.
    pub feeds_paused: usize,
    /// Feeds skipped: not due yet (ttl, Cache-Control, Retry-After or back-off).
    pub feeds_deferred: usize,
    pub entries_seen: usize,
    pub articles_new: usize,
    pub articles_duplicate: usize,
    pub articles_indexed: usize,
    pub articles_failed: usize,
    pub articles_from_feed_text: usize,
    pub learners: usize,
    pub lessons_generated: usize,
    pub lessons_already_sent: usize,
    pub lessons_failed: usize,
    /// Exercise sets (an article's exercises for one band) made by this run.
    pub exercise_sets_made: usize,
    /// Lessons that took an exercise set made before instead of making one.
    pub exercise_sets_reused: usize,
    pub questions_model_written: usize,
    pub questions_model_accepted: usize,
    pub questions_constructed: usize,
    pub questions_constructed_accepted: usize,
    /// Questions the model phrased for a key the program chose, and those accepted.
    pub questions_phrased: usize,
    pub questions_phrased_accepted: usize,
    /// Rejected questions (and failed model replies) by reason code.
    pub questions_rejected: BTreeMap<String, usize>,
    pub mails_sent: usize,
    pub mails_failed: usize,
    /// Transient failures left pending for a later attempt.
    pub mails_retrying: usize,
    /// Lessons not sent because they would have been later than the cut-off.
    pub mails_missed: usize,
    /// Learners paused by this run after permanent mail failures.
    pub learners_paused: usize,
    /// Lessons made for a later delivery time (sent by the mail schedule).
    pub lessons_waiting: usize,
    /// Where mail went (outbox folder or relay).
    pub mail_destination: String,
    pub failures: Vec<Failure>,
    pub model: Option<crate::generation::EngineStats>,
}

impl RunReport {
    pub fn fail(
        &mut self,
        kind: FailureKind,
        subject: impl Into<String>,
        error: impl fmt::Display,
    ) {
        self.failures.push(Failure {
            kind,
            subject: subject.into(),
            error: error.to_string(),
        });
    }

    /// Counts one rejection.
    pub fn reject(&mut self, reason: &str) {
        *self
            .questions_rejected
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// Adds the lesson counters and failures of a part of the run (one learner's lesson).
    pub fn absorb(&mut self, part: RunReport) {
        self.lessons_generated += part.lessons_generated;
        self.lessons_already_sent += part.lessons_already_sent;
        self.lessons_failed += part.lessons_failed;
        self.exercise_sets_made += part.exercise_sets_made;
        self.exercise_sets_reused += part.exercise_sets_reused;
        self.questions_model_written += part.questions_model_written;
        self.questions_model_accepted += part.questions_model_accepted;
        self.questions_phrased += part.questions_phrased;
        self.questions_phrased_accepted += part.questions_phrased_accepted;
        self.questions_constructed += part.questions_constructed;
        self.questions_constructed_accepted += part.questions_constructed_accepted;
        for (reason, n) in part.questions_rejected {
            *self.questions_rejected.entry(reason).or_default() += n;
        }
        self.mails_sent += part.mails_sent;
        self.mails_failed += part.mails_failed;
        self.mails_retrying += part.mails_retrying;
        self.mails_missed += part.mails_missed;
        self.learners_paused += part.learners_paused;
        self.lessons_waiting += part.lessons_waiting;
        self.failures.extend(part.failures);
    }

    /// Whether the run made, sent, skipped or failed nothing (a scheduled tick with no work).
    pub fn is_idle(&self) -> bool {
        self.lessons_generated
            + self.lessons_failed
            + self.mails_sent
            + self.mails_failed
            + self.mails_retrying
            + self.mails_missed
            + self.failures.len()
            == 0
    }

    pub fn questions_rejected_total(&self) -> usize {
        self.questions_rejected.values().sum()
    }

    pub fn failures_of(&self, kind: FailureKind) -> impl Iterator<Item = &Failure> {
        self.failures.iter().filter(move |f| f.kind == kind)
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Run report ({}, {:.1} s)", self.started_at, self.seconds)?;
        writeln!(
            f,
            "  Feeds:     {} listed, {} fetched, {} not modified, {} failed, {} not due yet, {} paused",
            self.feeds_total,
            self.feeds_fetched,
            self.feeds_not_modified,
            self.feeds_failed,
            self.feeds_deferred,
            self.feeds_paused
        )?;
        writeln!(
            f,
            "  Articles:  {} entries seen, {} new, {} indexed, {} duplicates, {} failed ({} from feed text)",
            self.entries_seen,
            self.articles_new,
            self.articles_indexed,
            self.articles_duplicate,
            self.articles_failed,
            self.articles_from_feed_text
        )?;
        writeln!(
            f,
            "  Lessons:   {} learners, {} generated, {} already sent today, {} failed; {} exercise sets made, {} reused",
            self.learners,
            self.lessons_generated,
            self.lessons_already_sent,
            self.lessons_failed,
            self.exercise_sets_made,
            self.exercise_sets_reused
        )?;
        writeln!(
            f,
            "  Questions: {} accepted ({} of {} model-written, {} of {} model-phrased, {} of {} constructed), {} rejected",
            self.questions_model_accepted
                + self.questions_phrased_accepted
                + self.questions_constructed_accepted,
            self.questions_model_accepted,
            self.questions_model_written,
            self.questions_phrased_accepted,
            self.questions_phrased,
            self.questions_constructed_accepted,
            self.questions_constructed,
            self.questions_rejected_total()
        )?;
        if !self.questions_rejected.is_empty() {
            let mut by_count: Vec<(&String, &usize)> = self.questions_rejected.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let parts: Vec<String> = by_count.iter().map(|(r, n)| format!("{r} {n}")).collect();
            writeln!(f, "             rejected by reason: {}", parts.join(", "))?;
        }
        writeln!(
            f,
            "  Mails:     {} sent, {} failed, {} to retry, {} missed (past the cut-off), {} learners paused -> {}",
            self.mails_sent,
            self.mails_failed,
            self.mails_retrying,
            self.mails_missed,
            self.learners_paused,
            self.mail_destination
        )?;
        if let Some(m) = &self.model {
            let seconds = m.prompt_seconds + m.generation_seconds;
            let rate = if seconds > 0.0 {
                (m.prompt_tokens_evaluated + m.generated_tokens) as f64 / seconds
            } else {
                0.0
            };
            writeln!(
                f,
                "  Model:     {} requests, {} prompt tokens decoded + {} re-used from cache, {} generated; {:.0} tok/s overall",
                m.requests,
                m.prompt_tokens_evaluated,
                m.prompt_tokens_cached,
                m.generated_tokens,
                rate
            )?;
        }
        if !self.failures.is_empty() {
            writeln!(f, "  Failures:")?;
            for x in &self.failures {
                // Stage errors already name what they are about; don't say it twice.
                let error = x
                    .error
                    .strip_prefix(&format!("{}: ", x.subject))
                    .unwrap_or(&x.error);
                let error = error
                    .strip_prefix(&format!("{} {}: ", x.kind, x.subject))
                    .unwrap_or(error);
                writeln!(f, "    {} {}: {}", x.kind, x.subject, error)?;
            }
        }
        Ok(())
    }
}
