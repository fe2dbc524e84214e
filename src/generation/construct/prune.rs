//! The wrong options a content word's bank shows. The constructor picks words of the key's
//! class and form from the article, and a third of such banks on real English news had a
//! second word that fits the gap as well as the key ("six foreign supplier _____":
//! companies, entities; "formally _____ the two candidates": announced, confirmed; "Pour
//! _____ over pineapple": batter, butter). So it makes the bank with spares, and the model
//! reads the sentence with each word in the gap: the word it finds most at home there is
//! dropped, and of the rest the ones it finds least at home are shown.
//!
//! Whether a wrong word fits a gap only a reader can tell, so the model's fits choose only
//! for a model that has shown it tells words that fit from words that do not, on the
//! language's set (`lang/<code>/calibration-bank.tsv`, measured by
//! `verification::calibration::measure_banks` through `hyperlearn calibrate`); without that
//! no content word's bank is shown. Ranking the key above words from elsewhere is not
//! enough: the test model ranked it above 83% to 95% of them on real English news, and a
//! tenth of the banks it chose still held a second answer ("inferences about my life, my
//! _____, and my relationships": habits, contacts).

use super::{Candidate, Exercise, GAP};
use crate::analysis::AnswerModel;

/// The wrong options a bank shows, at most.
pub const BANK_WRONG: usize = 3;

/// The wrong options a content word's bank is made with beyond [`BANK_WRONG`].
pub const SPARE_WRONG: usize = 3;

/// How much less likely than with the key (in natural log) a wrong option must make its
/// sentence to be shown. Within it the word fits about as well: "formally _____ the two
/// candidates" scored announced -155.9, confirmed -157.5; "We _____ them in a good home"
/// placed -42.7, wanted -42.5; "Pour batter over pineapple and _____" cherries -56.9,
/// slices -59.2 (the test model, on real English news), where the wrong options that did not
/// fit stood 5 to 15 below their keys.
pub const FIT_MARGIN: f64 = 3.0;

/// The banks of an article's constructed gaps with the wrong options they show (see the
/// module). Each content-word bank ([`crate::exercise::is_content_word`]; other kinds have
/// banks of their own kind) with two wrong options or more is, where the model's fits are
/// `judged` (it passed the language's bank calibration), scored: how likely the model finds
/// the sentence with each word in the gap. Every wrong option that fits the gap about as
/// well as the key or better (`FIT_MARGIN`) is dropped, then, while more than two are
/// left, the one that fits best, and of the rest the [`BANK_WRONG`] that fit least are
/// kept, in their order. Fewer than two may be left: such a bank is no exercise
/// (verification refuses it). (Measured against how likely the word is alone, rare words
/// looked at home anywhere: "Hospitalization and discontinuity rates" fitted better than
/// the key, mortality, and morbidity stayed.) Where the fits are not judged, no reader has
/// judged the bank: it is [`Pruned::Unjudged`] (without a model's fits, a third of the
/// French banks on real news offered a second word that fits: "des _____ néfastes pour le
/// ventre", agents among aliments). Where the model cannot score, [`trim_bank`].
pub async fn prune_banks<M: AnswerModel>(
    candidates: Vec<Candidate>,
    lang: &str,
    model: &M,
    judged: bool,
) -> Vec<Pruned> {
    let mut out = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        out.push(if !is_content_bank(&candidate, lang) {
            Pruned::Ready(trim_bank(candidate))
        } else if !judged {
            Pruned::Unjudged(candidate)
        } else {
            match bank_fits(&candidate, model).await {
                Some(fits) => Pruned::Ready(fits.prune(candidate)),
                None => Pruned::Ready(trim_bank(candidate)),
            }
        });
    }
    out
}

/// Whether a candidate is a gap whose key is a content word, with two wrong options or more.
fn is_content_bank(candidate: &Candidate, lang: &str) -> bool {
    let Exercise::GapFill {
        answer, options, ..
    } = &candidate.exercise
    else {
        return false;
    };
    options.iter().filter(|o| *o != answer).count() >= 2
        && crate::exercise::is_content_word(lang, answer)
}

/// A constructed candidate after [`prune_banks`].
#[derive(Debug)]
pub enum Pruned {
    /// For verification, with the bank (if any) it shows.
    Ready(Candidate),
    /// A content word's bank that no reader has judged: the model has not passed the bank
    /// calibration of the article's language, and a wrong option may fit the gap as well as
    /// the key. Never shown.
    Unjudged(Candidate),
}

/// How well the key and each wrong option of a bank fit its gap: the log-likelihood of the
/// sentence with the word in the gap.
struct BankFits {
    key: f64,
    wrong: Vec<(f64, String)>,
}

impl BankFits {
    /// The bank with the wrong options these fits choose (see [`prune_banks`]).
    fn prune(mut self, candidate: Candidate) -> Candidate {
        // Least at home first.
        self.wrong.sort_by(|a, b| a.0.total_cmp(&b.0));
        let key = self.key;
        self.wrong.retain(|(f, _)| *f < key - FIT_MARGIN);
        if self.wrong.len() > 2 {
            self.wrong.pop();
        }
        self.wrong.truncate(BANK_WRONG);
        let keep: Vec<String> = self.wrong.into_iter().map(|(_, o)| o).collect();
        with_wrong(candidate, |o| keep.contains(o))
    }
}

/// The fits of a content word's bank ([`is_content_bank`]); none where the model cannot
/// score.
async fn bank_fits<M: AnswerModel>(candidate: &Candidate, model: &M) -> Option<BankFits> {
    let Exercise::GapFill {
        sentence,
        answer,
        options,
        ..
    } = &candidate.exercise
    else {
        return None;
    };
    let fit = async |word: &str| match model
        .log_likelihood("", &sentence.replacen(GAP, word, 1))
        .await
    {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("word bank: the model could not score {word:?}: {e}");
            None
        }
    };
    let key = fit(answer).await?;
    let mut scored = Vec::new();
    for word in options.iter().filter(|o| *o != answer) {
        scored.push((fit(word).await?, word.clone()));
    }
    tracing::debug!(
        "word bank for {answer} ({key:.1}): {}",
        scored
            .iter()
            .map(|(f, o)| format!("{o} {f:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some(BankFits { key, wrong: scored })
}

/// The bank of a constructed gap with its first [`BANK_WRONG`] wrong options, without a
/// model: where verification runs without one, and where the model cannot score.
pub fn trim_bank(candidate: Candidate) -> Candidate {
    let mut left = BANK_WRONG;
    with_wrong(candidate, |_| {
        let keep = left > 0;
        left = left.saturating_sub(1);
        keep
    })
}

/// The candidate with the wrong options of its bank that `keep` takes, in their order.
fn with_wrong(mut candidate: Candidate, mut keep: impl FnMut(&String) -> bool) -> Candidate {
    if let Exercise::GapFill {
        answer, options, ..
    } = &mut candidate.exercise
    {
        options.retain(|o| o == answer || keep(o));
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::Origin;

    /// A reader whose language model likes each word as much as the table says.
    struct Liking(Vec<(&'static str, f64)>);

    impl AnswerModel for Liking {
        async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
            Err("not asked".into())
        }

        async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
            Err("not asked".into())
        }

        async fn log_likelihood(&self, _: &str, text: &str) -> Result<Option<f64>, String> {
            Ok(self
                .0
                .iter()
                .find(|(w, _)| text.contains(&format!("supplier {w},")))
                .map(|(_, l)| *l))
        }
    }

    fn bank(options: &[&str]) -> Candidate {
        Candidate {
            exercise: Exercise::GapFill {
                sentence: format!("They ordered goods from six supplier {GAP}, three abroad."),
                answer: "companies".into(),
                options: options.iter().map(|o| o.to_string()).collect(),
                evidence: "They ordered goods from six supplier companies, three abroad.".into(),
            },
            origin: Origin::Constructed,
        }
    }

    /// The words of the supplier bank, its key (companies) among them.
    const ALL: [&str; 7] = [
        "entities",
        "estimates",
        "companies",
        "notaries",
        "novelties",
        "properties",
        "remedies",
    ];

    /// How the model likes the words of [`ALL`] in the gap, the key as given.
    fn liking(key: f64) -> Liking {
        Liking(vec![
            ("companies", key),
            ("entities", -52.0),
            ("estimates", -70.0),
            ("notaries", -60.0),
            ("novelties", -65.0),
            ("properties", -49.0),
            ("remedies", -58.0),
        ])
    }

    fn options(c: &Candidate) -> Vec<&str> {
        match &c.exercise {
            Exercise::GapFill { options, .. } => options.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_word_that_fits_the_gap_best_is_dropped_and_the_least_fitting_kept() {
        let model = liking(-50.0);
        let got = prune_one(bank(&ALL), &model);
        // "properties" fits better than the key and "entities" about as well: they go; so
        // does "remedies", which fits best of the rest, and the three least at home stay.
        assert_eq!(
            options(&got),
            ["estimates", "companies", "notaries", "novelties"]
        );
        // Without a model's scores, the first three wrong options.
        let got = prune_one(bank(&ALL), &Liking(Vec::new()));
        assert_eq!(
            options(&got),
            ["entities", "estimates", "companies", "notaries"]
        );
        assert_eq!(options(&trim_bank(bank(&ALL))), options(&got));
        // Two wrong options are kept where neither fits about as well as the key; one that
        // does goes even so, and the bank is too small to be shown.
        let two = bank(&["notaries", "companies", "estimates"]);
        assert_eq!(options(&prune_one(two.clone(), &model)), options(&two));
        let fits = bank(&["entities", "companies", "estimates"]);
        assert_eq!(
            options(&prune_one(fits, &model)),
            ["companies", "estimates"]
        );
    }

    #[test]
    fn a_model_that_has_not_passed_the_bank_calibration_does_not_choose() {
        let model = liking(-50.0);
        let mut got = futures_executor(prune_banks(vec![bank(&ALL)], "en", &model, false));
        assert!(matches!(got.pop(), Some(Pruned::Unjudged(_))));
        // A number's bank is no content word's: it is shown, its first three wrong options.
        let numbers = Candidate {
            exercise: Exercise::GapFill {
                sentence: format!("The club has {GAP} members."),
                answer: "40".into(),
                options: ["20", "40", "80", "30", "50"].map(String::from).to_vec(),
                evidence: "The club has 40 members.".into(),
            },
            origin: Origin::Constructed,
        };
        let mut got = futures_executor(prune_banks(vec![numbers], "en", &model, false));
        let Some(Pruned::Ready(shown)) = got.pop() else {
            panic!("a number's bank is shown")
        };
        assert_eq!(options(&shown), ["20", "40", "80", "30"]);
    }

    fn pruned<M: AnswerModel>(candidate: Candidate, model: &M) -> Pruned {
        let mut got = futures_executor(prune_banks(vec![candidate], "en", model, true));
        got.pop().expect("one bank")
    }

    /// The bank [`prune_banks`] makes of one candidate, judged.
    fn prune_one<M: AnswerModel>(candidate: Candidate, model: &M) -> Candidate {
        match pruned(candidate, model) {
            Pruned::Ready(c) => c,
            Pruned::Unjudged(c) => panic!("unjudged: {c:?}"),
        }
    }

    fn futures_executor<F: std::future::Future>(f: F) -> F::Output {
        futures_util::FutureExt::now_or_never(f).expect("the fake model does not wait")
    }
}
