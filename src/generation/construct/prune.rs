//! The wrong options a content word's bank shows. The constructor picks words of the key's
//! class and form from the article, and a third of such banks on real English news had a
//! second word that fits the gap as well as the key ("six foreign supplier _____":
//! companies, entities; "formally _____ the two candidates": announced, confirmed; "Pour
//! _____ over pineapple": batter, butter). So it makes the bank with spares, and the model
//! reads the sentence with each word in the gap: the word it finds most at home there is
//! dropped, and of the rest the ones it finds least at home are shown.

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

/// The bank of a constructed gap with the wrong options it shows (see the module): where its
/// key is a content word ([`crate::exercise::is_content_word`]; other kinds have banks of
/// their own kind) and it has two wrong options or more, every one that fits the gap about
/// as well as the key or better (`FIT_MARGIN`) is dropped, then, while more than two are
/// left, the one that fits best, and of the rest the [`BANK_WRONG`] that fit least are kept,
/// in their order. Fewer than two may be left: such a bank is no exercise (verification
/// refuses it). A word fits by how likely the model finds the sentence with it. (Measured
/// against how likely the word is alone, rare words looked at home anywhere:
/// "Hospitalization and discontinuity rates" fitted better than the key, mortality, and
/// morbidity stayed.) Where the model cannot score, [`trim_bank`].
pub async fn prune_bank<M: AnswerModel>(candidate: Candidate, lang: &str, model: &M) -> Candidate {
    let Exercise::GapFill {
        sentence,
        answer,
        options,
        ..
    } = &candidate.exercise
    else {
        return candidate;
    };
    let wrong: Vec<&String> = options.iter().filter(|o| *o != answer).collect();
    if wrong.len() < 2 || !crate::exercise::is_content_word(lang, answer) {
        return trim_bank(candidate);
    }
    let fit = async |word: &str| {
        model
            .log_likelihood("", &sentence.replacen(GAP, word, 1))
            .await
    };
    // The key's fit first, then each wrong option's.
    let mut fits = Vec::with_capacity(wrong.len() + 1);
    for word in std::iter::once(answer).chain(wrong.iter().copied()) {
        match fit(word).await {
            Ok(Some(f)) => fits.push(f),
            Ok(None) => return trim_bank(candidate),
            Err(e) => {
                tracing::warn!("word bank: the model could not score {word:?}: {e}");
                return trim_bank(candidate);
            }
        }
    }
    let key = fits[0];
    let mut scored: Vec<(f64, &String)> = fits[1..].iter().copied().zip(wrong).collect();
    // Least at home first.
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    tracing::debug!(
        "word bank for {answer} ({key:.1}): {}",
        scored
            .iter()
            .map(|(f, o)| format!("{o} {f:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    scored.retain(|(f, _)| *f < key - FIT_MARGIN);
    if scored.len() > 2 {
        scored.pop();
    }
    scored.truncate(BANK_WRONG);
    let keep: Vec<String> = scored.into_iter().map(|(_, o)| o.clone()).collect();
    with_wrong(candidate, |o| keep.contains(o))
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
    struct Liking(&'static [(&'static str, f64)]);

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

    fn options(c: &Candidate) -> Vec<&str> {
        match &c.exercise {
            Exercise::GapFill { options, .. } => options.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_word_that_fits_the_gap_best_is_dropped_and_the_least_fitting_kept() {
        let model = Liking(&[
            ("companies", -50.0),
            ("entities", -52.0),
            ("estimates", -70.0),
            ("notaries", -60.0),
            ("novelties", -65.0),
            ("properties", -49.0),
            ("remedies", -58.0),
        ]);
        let all = [
            "entities",
            "estimates",
            "companies",
            "notaries",
            "novelties",
            "properties",
            "remedies",
        ];
        let got = futures_executor(prune_bank(bank(&all), "en", &model));
        // "properties" fits better than the key and "entities" about as well: they go; so
        // does "remedies", which fits best of the rest, and the three least at home stay.
        assert_eq!(
            options(&got),
            ["estimates", "companies", "notaries", "novelties"]
        );
        // Without a model's scores, the first three wrong options.
        let got = futures_executor(prune_bank(bank(&all), "en", &Liking(&[])));
        assert_eq!(
            options(&got),
            ["entities", "estimates", "companies", "notaries"]
        );
        assert_eq!(options(&trim_bank(bank(&all))), options(&got));
        // Two wrong options are kept where neither fits about as well as the key; one that
        // does goes even so, and the bank is too small to be shown.
        let two = bank(&["notaries", "companies", "estimates"]);
        assert_eq!(
            options(&futures_executor(prune_bank(two.clone(), "en", &model))),
            options(&two)
        );
        let fits = bank(&["entities", "companies", "estimates"]);
        assert_eq!(
            options(&futures_executor(prune_bank(fits, "en", &model))),
            ["companies", "estimates"]
        );
    }

    fn futures_executor<F: std::future::Future>(f: F) -> F::Output {
        futures_util::FutureExt::now_or_never(f).expect("the fake model does not wait")
    }
}
