//! *How is the service doing?* Counters of what this process's runs did (summed from their
//! run reports as each run ends) and gauges read from the store when scraped, in the
//! Prometheus text format (version 0.0.4). Names follow Prometheus conventions:
//! `hyperlearn_..._total` for counters, base units (seconds), labels of bounded cardinality
//! only (kinds, states, reasons; never a learner, a feed or a URL).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use crate::report::RunReport;
use crate::store::StoreGauges;

/// What the runs of this process did, since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    totals: Mutex<Totals>,
}

#[derive(Debug, Default, Clone)]
struct Totals {
    /// Runs by kind: (count, seconds).
    runs: BTreeMap<&'static str, (u64, f64)>,
    feed_fetches: BTreeMap<&'static str, u64>,
    articles: BTreeMap<&'static str, u64>,
    articles_failed: BTreeMap<&'static str, u64>,
    /// (origin, verdict) -> count.
    exercises: BTreeMap<(&'static str, &'static str), u64>,
    rejections: BTreeMap<String, u64>,
    lessons: BTreeMap<&'static str, u64>,
    /// Exercise sets made, or taken from an earlier lesson.
    exercise_sets: BTreeMap<&'static str, u64>,
    mails: BTreeMap<&'static str, u64>,
    learners_paused: u64,
    /// The model engine's own totals (since it started), as last reported.
    model: Option<crate::generation::EngineStats>,
}

/// The kinds of run a report can come from.
pub const RUN_KINDS: [&str; 5] = ["daily", "fetch", "lessons", "mail", "run"];

/// A page failure's reason, from its message, in a small fixed set (the message itself names
/// a URL, which must not become a label).
fn failure_reason(error: &str) -> &'static str {
    let e = error.to_lowercase();
    if e.contains("timed out") || e.contains("timeout") {
        "timeout"
    } else if e.contains("not an html page") {
        "not_html"
    } else if e.contains("robots.txt") {
        "robots"
    } else if e.contains("loopback") || e.contains("private") || e.contains("blocked") {
        "blocked_address"
    } else if e.contains("too short") || e.contains("too few words") {
        "too_short"
    } else if e.contains("language") {
        "language"
    } else if e.contains("http ") || e.contains("status") || e.contains(" 404") {
        "http_status"
    } else {
        "other"
    }
}

impl Metrics {
    /// Adds a finished run's report.
    pub fn record(&self, kind: &str, report: &RunReport) {
        let kind = RUN_KINDS
            .iter()
            .copied()
            .find(|k| *k == kind)
            .unwrap_or("run");
        let mut t = self.totals.lock().expect("metrics lock");
        let run = t.runs.entry(kind).or_default();
        run.0 += 1;
        run.1 += report.seconds;
        let add = |map: &mut BTreeMap<&'static str, u64>, key: &'static str, n: usize| {
            *map.entry(key).or_default() += n as u64;
        };
        add(&mut t.feed_fetches, "fetched", report.feeds_fetched);
        add(
            &mut t.feed_fetches,
            "not_modified",
            report.feeds_not_modified,
        );
        add(&mut t.feed_fetches, "failed", report.feeds_failed);
        add(&mut t.feed_fetches, "paused", report.feeds_paused);
        add(&mut t.feed_fetches, "deferred", report.feeds_deferred);
        add(&mut t.articles, "new", report.articles_new);
        add(&mut t.articles, "indexed", report.articles_indexed);
        add(&mut t.articles, "duplicate", report.articles_duplicate);
        add(&mut t.articles, "failed", report.articles_failed);
        add(
            &mut t.articles,
            "from_feed_text",
            report.articles_from_feed_text,
        );
        for f in report
            .failures
            .iter()
            .filter(|f| f.kind == crate::report::FailureKind::Page)
        {
            add(&mut t.articles_failed, failure_reason(&f.error), 1);
        }
        for (origin, written, accepted) in [
            (
                "model",
                report.questions_model_written,
                report.questions_model_accepted,
            ),
            (
                "constructed",
                report.questions_constructed,
                report.questions_constructed_accepted,
            ),
        ] {
            *t.exercises.entry((origin, "accepted")).or_default() += accepted as u64;
            *t.exercises.entry((origin, "rejected")).or_default() +=
                written.saturating_sub(accepted) as u64;
        }
        for (reason, n) in &report.questions_rejected {
            *t.rejections.entry(reason.clone()).or_default() += *n as u64;
        }
        add(&mut t.lessons, "made", report.lessons_generated);
        add(&mut t.lessons, "failed", report.lessons_failed);
        add(&mut t.exercise_sets, "made", report.exercise_sets_made);
        add(&mut t.exercise_sets, "reused", report.exercise_sets_reused);
        add(&mut t.mails, "sent", report.mails_sent);
        add(&mut t.mails, "failed", report.mails_failed);
        add(&mut t.mails, "retried", report.mails_retrying);
        add(&mut t.mails, "missed", report.mails_missed);
        t.learners_paused += report.learners_paused as u64;
        if let Some(m) = &report.model {
            t.model = Some(m.clone());
        }
    }

    /// The Prometheus text exposition of the counters and of `store` (read just now).
    pub fn render(&self, store: &StoreGauges, index_documents: u64) -> String {
        let t = self.totals.lock().expect("metrics lock").clone();
        let mut out = Exposition::default();
        out.family(
            "hyperlearn_runs_total",
            "counter",
            "Runs finished by this process, by kind.",
        );
        for kind in RUN_KINDS {
            let n = t.runs.get(kind).map_or(0, |r| r.0);
            out.sample("hyperlearn_runs_total", &[("kind", kind)], n as f64);
        }
        out.family(
            "hyperlearn_run_duration_seconds",
            "summary",
            "Time runs took, by kind.",
        );
        for kind in RUN_KINDS {
            let (n, secs) = t.runs.get(kind).copied().unwrap_or_default();
            out.sample(
                "hyperlearn_run_duration_seconds_sum",
                &[("kind", kind)],
                secs,
            );
            out.sample(
                "hyperlearn_run_duration_seconds_count",
                &[("kind", kind)],
                n as f64,
            );
        }
        out.counter_map(
            "hyperlearn_feed_fetches_total",
            "Feeds fetched, not modified, failed, skipped while paused or not yet due.",
            "result",
            &t.feed_fetches,
            &["fetched", "not_modified", "failed", "paused", "deferred"],
        );
        out.counter_map(
            "hyperlearn_articles_total",
            "Articles seen by fetch runs, by outcome.",
            "result",
            &t.articles,
            &["new", "indexed", "duplicate", "failed", "from_feed_text"],
        );
        out.counter_map(
            "hyperlearn_article_failures_total",
            "Article pages that could not be used, by reason.",
            "reason",
            &t.articles_failed,
            &[
                "timeout",
                "not_html",
                "robots",
                "blocked_address",
                "too_short",
                "language",
                "http_status",
                "other",
            ],
        );
        out.family(
            "hyperlearn_exercises_total",
            "counter",
            "Exercise candidates verified, by origin and verdict.",
        );
        for origin in ["model", "constructed"] {
            for verdict in ["accepted", "rejected"] {
                let n = t.exercises.get(&(origin, verdict)).copied().unwrap_or(0);
                out.sample(
                    "hyperlearn_exercises_total",
                    &[("origin", origin), ("verdict", verdict)],
                    n as f64,
                );
            }
        }
        out.family(
            "hyperlearn_exercise_rejections_total",
            "counter",
            "Reasons exercise candidates (and model replies) were rejected.",
        );
        for (reason, n) in &t.rejections {
            out.sample(
                "hyperlearn_exercise_rejections_total",
                &[("reason", reason)],
                *n as f64,
            );
        }
        out.counter_map(
            "hyperlearn_lessons_total",
            "Lessons made, or failed to be made.",
            "result",
            &t.lessons,
            &["made", "failed"],
        );
        out.counter_map(
            "hyperlearn_exercise_sets_total",
            "Exercise sets (an article's exercises for one band) made, or reused by a later lesson.",
            "result",
            &t.exercise_sets,
            &["made", "reused"],
        );
        out.counter_map(
            "hyperlearn_mail_attempts_total",
            "Lesson mails sent, failed for good, left for a retry, or missed (past the cut-off).",
            "result",
            &t.mails,
            &["sent", "failed", "retried", "missed"],
        );
        out.single(
            "hyperlearn_learners_paused_by_runs_total",
            "counter",
            "Learners paused after repeated permanent mail failures.",
            t.learners_paused as f64,
        );
        let model = t.model.unwrap_or_default();
        out.single(
            "hyperlearn_model_requests_total",
            "counter",
            "Requests to the language model.",
            model.requests as f64,
        );
        out.labelled(
            "hyperlearn_model_prompt_tokens_total",
            "counter",
            "Prompt tokens, decoded or re-used from the KV cache.",
            "source",
            &[
                ("decoded", model.prompt_tokens_evaluated as f64),
                ("cached", model.prompt_tokens_cached as f64),
            ],
        );
        out.single(
            "hyperlearn_model_generated_tokens_total",
            "counter",
            "Tokens the model generated.",
            model.generated_tokens as f64,
        );
        out.labelled(
            "hyperlearn_model_seconds_total",
            "counter",
            "Time the model spent decoding; generated tokens over generation seconds is its speed.",
            "phase",
            &[
                ("prompt", model.prompt_seconds),
                ("generation", model.generation_seconds),
            ],
        );
        // Gauges from the store.
        out.labelled(
            "hyperlearn_learners",
            "gauge",
            "Learners, by state.",
            "state",
            &[
                ("active", store.learners_active as f64),
                ("paused", store.learners_paused as f64),
            ],
        );
        out.family(
            "hyperlearn_mails",
            "gauge",
            "Lesson mails in the delivery ledger, by state.",
        );
        for state in ["pending", "sending", "sent", "failed", "missed"] {
            let n = store
                .deliveries
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n);
            out.sample("hyperlearn_mails", &[("state", state)], n as f64);
        }
        out.single(
            "hyperlearn_mails_due",
            "gauge",
            "Pending lesson mails whose time has come (the mail job's queue).",
            store.mails_due as f64,
        );
        out.single(
            "hyperlearn_lessons_due",
            "gauge",
            "Lessons whose time to be made has come and that are not made yet (the lesson job's queue).",
            store.lessons_due as f64,
        );
        out.single(
            "hyperlearn_lessons_waiting",
            "gauge",
            "Lessons made ahead of their learner's delivery time.",
            store.mails_waiting as f64,
        );
        out.single(
            "hyperlearn_articles_stored",
            "gauge",
            "Articles in the store.",
            store.articles as f64,
        );
        out.single(
            "hyperlearn_index_documents",
            "gauge",
            "Articles in this process's search index.",
            index_documents as f64,
        );
        out.labelled(
            "hyperlearn_feeds_failing",
            "gauge",
            "Feeds whose last fetch failed; `paused`: skipped after repeated failures.",
            "paused",
            &[
                (
                    "false",
                    (store.feeds_failing - store.feeds_paused).max(0) as f64,
                ),
                ("true", store.feeds_paused as f64),
            ],
        );
        out.text
    }
}

/// The text format, one family at a time.
#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let v = v
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n");
                let _ = write!(self.text, "{k}=\"{v}\"");
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
    }

    fn single(&mut self, name: &str, kind: &str, help: &str, value: f64) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }

    /// A family with one label, a sample per (label value, value).
    fn labelled(
        &mut self,
        name: &str,
        kind: &str,
        help: &str,
        label: &str,
        values: &[(&str, f64)],
    ) {
        self.family(name, kind, help);
        for (key, value) in values {
            self.sample(name, &[(label, key)], *value);
        }
    }

    /// A counter with one label whose values are all listed (absent ones are 0).
    fn counter_map(
        &mut self,
        name: &str,
        help: &str,
        label: &str,
        values: &BTreeMap<&'static str, u64>,
        keys: &[&str],
    ) {
        let values: Vec<(&str, f64)> = keys
            .iter()
            .map(|k| (*k, values.get(k).copied().unwrap_or(0) as f64))
            .collect();
        self.labelled(name, "counter", help, label, &values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Failure;

    #[test]
    fn runs_add_up_and_the_exposition_is_well_formed() {
        let metrics = Metrics::default();
        let mut report = RunReport {
            seconds: 2.5,
            feeds_fetched: 3,
            feeds_failed: 1,
            articles_new: 4,
            articles_indexed: 4,
            questions_model_written: 5,
            questions_model_accepted: 1,
            questions_constructed: 6,
            questions_constructed_accepted: 6,
            lessons_generated: 2,
            exercise_sets_made: 1,
            exercise_sets_reused: 1,
            mails_sent: 2,
            ..RunReport::default()
        };
        report.reject("round_trip_disagrees");
        report.failures.push(Failure {
            kind: crate::report::FailureKind::Page,
            subject: "https://example.org/secret-learner-page".into(),
            error: "https://example.org/x: not an HTML page: a PDF document".into(),
        });
        metrics.record("daily", &report);
        metrics.record("daily", &report);
        metrics.record("something else", &report);
        let store = StoreGauges {
            learners_active: 7,
            deliveries: vec![("sent".into(), 5)],
            lessons_due: 3,
            ..StoreGauges::default()
        };
        let text = metrics.render(&store, 42);
        for line in [
            "hyperlearn_runs_total{kind=\"daily\"} 2",
            "hyperlearn_runs_total{kind=\"run\"} 1",
            "hyperlearn_run_duration_seconds_sum{kind=\"daily\"} 5",
            "hyperlearn_feed_fetches_total{result=\"fetched\"} 9",
            "hyperlearn_article_failures_total{reason=\"not_html\"} 3",
            "hyperlearn_exercises_total{origin=\"model\",verdict=\"rejected\"} 12",
            "hyperlearn_exercise_rejections_total{reason=\"round_trip_disagrees\"} 3",
            "hyperlearn_mail_attempts_total{result=\"sent\"} 6",
            "hyperlearn_exercise_sets_total{result=\"reused\"} 3",
            "hyperlearn_learners{state=\"active\"} 7",
            "hyperlearn_mails{state=\"sent\"} 5",
            "hyperlearn_lessons_due 3",
            "hyperlearn_index_documents 42",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing `{line}` in\n{text}"
            );
        }
        assert!(!text.contains("example.org"), "no URL becomes a label");
        // Every sample belongs to a family declared just before it, with HELP and TYPE.
        let mut declared: Option<String> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                declared = rest.split(' ').next().map(str::to_string);
            } else if !line.starts_with('#') {
                let name = line.split(['{', ' ']).next().unwrap();
                let family = declared.as_deref().unwrap();
                assert!(
                    name == family
                        || name == format!("{family}_sum")
                        || name == format!("{family}_count"),
                    "{line} under {family}"
                );
                let value = line.rsplit(' ').next().unwrap();
                assert!(value.parse::<f64>().is_ok(), "{line}");
                assert!(name.starts_with("hyperlearn_"), "{line}");
            }
        }
    }
}
