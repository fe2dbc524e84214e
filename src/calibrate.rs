//! `hyperlearn calibrate`: measures whether the configured model may judge the kinds of
//! exercise whose key only a model can judge, per language, and stores the verdict with the
//! model file's sha256 (the measuring is [`crate::verification::calibration`]; lessons read
//! the verdicts through [`crate::pipeline::adopt_calibrations`]).

use anyhow::Context as _;

use crate::articles::WordFrequencies;
use crate::generation::Generator;
use crate::store::{Calibration, Store};
use crate::verification::calibration::{self, Measure, Verdict};

/// One language's calibration of one kind, as measured and stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub measure: Measure,
    pub right_rate: f64,
    pub wrong_upper: f64,
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl Outcome {
    fn new(measure: Measure) -> Outcome {
        Outcome {
            right_rate: measure.right_rate(),
            wrong_upper: measure.wrong_upper(),
            verdict: measure.verdict(),
            measure,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = &self.measure;
        // What the counts are: a bank set's right answers are banks shown without a word
        // that fits; its wrong keys are the words that fit.
        let (right, wrong) = match m.kind.as_str() {
            "bank" => ("banks shown clean", "words that fit shown"),
            _ => ("right keys accepted", "wrong keys accepted"),
        };
        write!(
            f,
            "{} ({}): {} items; {right} {} of {} ({:.0}%); {wrong} {} of {} ({:.1}%, at most {:.1}%): {}, {}",
            m.kind,
            m.lang,
            m.items,
            m.right_accepted,
            m.items,
            self.right_rate * 100.0,
            m.wrong_accepted,
            m.wrong_tried,
            m.wrong_rate() * 100.0,
            self.wrong_upper * 100.0,
            if self.verdict.passed { "ON" } else { "off" },
            self.verdict.why
        )?;
        for (word, reasons) in &m.refused_by_checks {
            write!(
                f,
                "\n  set defect: the item for `{word}` is refused by the program's checks ({})",
                reasons.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The languages to calibrate for each kind: those asked for that have a set of it (each
/// asked for must have a set of some kind), or every language with a set of it.
pub fn langs(asked: &[String]) -> anyhow::Result<Vec<(&'static str, Vec<String>)>> {
    for lang in asked {
        anyhow::ensure!(
            calibration::KINDS
                .iter()
                .any(|kind| calibration::langs(kind).contains(&lang.as_str())),
            "--langs: no calibration set for `{lang}` ({})",
            calibration::KINDS
                .iter()
                .map(|kind| format!(
                    "{kind} sets exist for {}",
                    calibration::langs(kind).join(", ")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(calibration::KINDS
        .iter()
        .map(|&kind| {
            let known = calibration::langs(kind);
            let langs = known
                .into_iter()
                .filter(|l| asked.is_empty() || asked.iter().any(|a| a == l))
                .map(String::from)
                .collect();
            (kind, langs)
        })
        .collect())
}

/// Calibrates `kind` in each of `langs` with the model and stores every verdict.
/// `progress` gets a line now and then.
pub async fn calibrate(
    store: &Store,
    generator: &Generator,
    frequencies: &WordFrequencies,
    kind: &str,
    langs: &[String],
    progress: impl Fn(String),
) -> anyhow::Result<Vec<Outcome>> {
    let model_sha256 = generator
        .model_sha256()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut outcomes = Vec::new();
    for lang in langs {
        let set_sha256 = calibration::set_sha256(kind, lang).context("a set without text")?;
        let step = |done: usize, total: usize| {
            if done.is_multiple_of(10) || done == total {
                progress(format!("  {done}/{total}"));
            }
        };
        let measure = if kind == "bank" {
            let items = calibration::bank_items(lang)?;
            progress(format!(
                "Calibrating {kind} ({lang}): {} banks, each with words that fit its gap ...",
                items.len()
            ));
            calibration::measure_banks(lang, &items, generator, step).await
        } else {
            let items = calibration::items(kind, lang)?;
            progress(format!(
                "Calibrating {kind} ({lang}): {} items, 4 keys each ...",
                items.len()
            ));
            calibration::measure(kind, lang, &items, generator, frequencies.ranks(lang), step).await
        };
        let outcome = Outcome::new(measure);
        let m = &outcome.measure;
        store.save_calibration(&Calibration {
            model_sha256: model_sha256.clone(),
            kind: kind.into(),
            lang: lang.clone(),
            set_sha256,
            model_file: generator.config().path.display().to_string(),
            items: m.items as i64,
            right_accepted: m.right_accepted as i64,
            wrong_tried: m.wrong_tried as i64,
            wrong_accepted: m.wrong_accepted as i64,
            passed: outcome.verdict.passed,
            why: outcome.verdict.why.clone(),
            measured_at: chrono::Utc::now(),
        })?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// A stored verdict, and whether it holds for the configured model file and this binary's
/// set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stored {
    #[serde(flatten)]
    pub calibration: Calibration,
    /// Measured on the configured model file and on the set this binary ships.
    pub applies: bool,
}

impl std::fmt::Display for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.calibration;
        write!(
            f,
            "{} ({}): {} on {} (sha256 {}…, {}): right keys {} of {}, wrong keys {} of {}: {}{}",
            c.kind,
            c.lang,
            if c.passed { "ON" } else { "off" },
            c.model_file,
            c.model_sha256.get(..12).unwrap_or(&c.model_sha256),
            c.measured_at.format("%Y-%m-%d %H:%M UTC"),
            c.right_accepted,
            c.items,
            c.wrong_accepted,
            c.wrong_tried,
            c.why,
            if self.applies {
                ""
            } else {
                " [another model file or set: does not apply]"
            }
        )
    }
}

/// Every stored verdict; `model_sha256` is the configured model file's.
pub fn stored(store: &Store, model_sha256: &str) -> anyhow::Result<Vec<Stored>> {
    Ok(store
        .calibrations()?
        .into_iter()
        .map(|c| Stored {
            applies: c.model_sha256 == model_sha256
                && calibration::set_sha256(&c.kind, &c.lang).as_deref() == Some(&*c.set_sha256),
            calibration: c,
        })
        .collect())
}
