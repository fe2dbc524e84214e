//! The wrong options a content word's bank shows. The constructor picks words of the key's
//! class and form from the article, and a third of such banks on real English news had a
//! second word that fits the gap as well as the key ("six foreign supplier _____":
//! companies, entities; "formally _____ the two candidates": announced, confirmed; "Pour
//! _____ over pineapple": batter, butter). So it makes the bank with spares, and the model
//! reads the sentence with each word in the gap: the word it finds most at home there is
//! dropped, and of the rest the ones it finds least at home are shown. Only where the
//! model reads the article's language, which the banks of that language it has scored
//! measure: the key, the article's own word, must fit better than most words from
//! elsewhere.

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

/// How many of a bank's wrong options the key must fit better than, on average over the
/// banks of a language scored so far ([`FitTally`]), for the model's fits to be trusted on
/// that language. The key is the
/// article's own word: a model that reads the language finds it at home more often than
/// words taken from elsewhere in the article (the test model, on real English news: better
/// than 95% and 83% of them, on the B1 and B2 pages), and one that does not read it ranks
/// it by chance, near half (on French news, 52% of them over 26 banks, where its fits had
/// left more than half of the banks too small to show).
pub const READS_SHARE: f64 = 2.0 / 3.0;

/// The banks of an article's constructed gaps with the wrong options they show (see the
/// module). Each content-word bank ([`crate::exercise::is_content_word`]; other kinds have
/// banks of their own kind) with two wrong options or more is scored: how likely the model
/// finds the sentence with each word in the gap. Where the key fits better than
/// `READS_SHARE` of the wrong options, on average over the banks of the article's language
/// that the `tally` has seen (this article's included: one article's two or three banks
/// pass by chance), the model reads the language and its fits decide: every wrong option that fits the gap
/// about as well as the key or better (`FIT_MARGIN`) is dropped, then, while more than two
/// are left, the one that fits best, and of the rest the [`BANK_WRONG`] that fit least are
/// kept, in their order. Fewer than two may be left: such a bank is no exercise
/// (verification refuses it). (Measured against how likely the word is alone, rare words
/// looked at home anywhere: "Hospitalization and discontinuity rates" fitted better than
/// the key, mortality, and morbidity stayed.) Where the model scores but does not read the
/// language, no reader has judged the bank: it is [`Pruned::Unjudged`] (without a model's
/// fits, a third of the French banks on real news offered a second word that fits:
/// "des _____ néfastes pour le ventre", agents among aliments). Where the model cannot
/// score, [`trim_bank`].
pub async fn prune_banks<M: AnswerModel>(
    candidates: Vec<Candidate>,
    lang: &str,
    model: &M,
    tally: &FitTally,
) -> Vec<Pruned> {
    let mut fits = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        fits.push(bank_fits(candidate, lang, model).await);
    }
    let shares: Vec<f64> = fits.iter().flatten().map(BankFits::key_share).collect();
    let reads = tally.add(lang, &shares);
    candidates
        .into_iter()
        .zip(fits)
        .map(|(candidate, fits)| match fits {
            Some(fits) if reads => Pruned::Ready(fits.prune(candidate)),
            Some(_) => Pruned::Unjudged(candidate),
            None => Pruned::Ready(trim_bank(candidate)),
        })
        .collect()
}

/// How well a model has found keys at home in word banks, by language: the mean share of
/// wrong options the key fits better than, over every bank scored so far (see
/// [`prune_banks`]). One per model, for the life of the process.
#[derive(Debug, Default)]
pub struct FitTally(std::sync::Mutex<std::collections::HashMap<String, (f64, usize)>>);

impl FitTally {
    /// Adds an article's banks (each its key's share) and tells whether the model reads the
    /// language, by all the banks of it seen so far; false where none has been scored.
    fn add(&self, lang: &str, shares: &[f64]) -> bool {
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (sum, banks) = all.entry(lang.to_string()).or_default();
        *sum += shares.iter().sum::<f64>();
        *banks += shares.len();
        if *banks == 0 {
            return false;
        }
        let mean = *sum / *banks as f64;
        let reads = mean >= READS_SHARE;
        if !shares.is_empty() {
            tracing::debug!(
                "word banks: the key fits better than {:.0}% of the wrong options over {} {lang} banks ({} of this article): the model's fits {}",
                100.0 * mean,
                *banks,
                shares.len(),
                if reads { "decide" } else { "are not used" }
            );
        }
        reads
    }
}

/// A constructed candidate after [`prune_banks`].
#[derive(Debug)]
pub enum Pruned {
    /// For verification, with the bank (if any) it shows.
    Ready(Candidate),
    /// A content word's bank that no reader has judged: the model does not read the
    /// article's language, and a wrong option may fit the gap as well as the key. Never
    /// shown.
    Unjudged(Candidate),
}

/// How well the key and each wrong option of a bank fit its gap: the log-likelihood of the
/// sentence with the word in the gap.
struct BankFits {
    key: f64,
    wrong: Vec<(f64, String)>,
}

impl BankFits {
    /// The share of wrong options the key fits better than.
    fn key_share(&self) -> f64 {
        let below = self.wrong.iter().filter(|(f, _)| *f < self.key).count();
        below as f64 / self.wrong.len() as f64
    }

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

/// The fits of a content word's bank with two wrong options or more; none for other
/// candidates, or where the model cannot score.
async fn bank_fits<M: AnswerModel>(
    candidate: &Candidate,
    lang: &str,
    model: &M,
) -> Option<BankFits> {
    let Exercise::GapFill {
        sentence,
        answer,
        options,
        ..
    } = &candidate.exercise
    else {
        return None;
    };
    let wrong: Vec<&String> = options.iter().filter(|o| *o != answer).collect();
    if wrong.len() < 2 || !crate::exercise::is_content_word(lang, answer) {
        return None;
    }
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
    let mut scored = Vec::with_capacity(wrong.len());
    for word in wrong {
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
    fn a_model_that_does_not_find_the_key_at_home_does_not_choose() {
        // The key fits better than one wrong option of six: the model does not read the
        // language, and nobody has judged the bank.
        let model = liking(-66.0);
        let unjudged = |p: Pruned| matches!(p, Pruned::Unjudged(_));
        assert!(unjudged(pruned(bank(&ALL), &model)));
        // The language's banks are measured together: beside two banks whose key it finds
        // at home, the model is trusted on this one too, in one article or over several.
        let model = liking(-62.0);
        let liked = || bank(&["estimates", "companies", "novelties"]);
        assert!(unjudged(pruned(bank(&ALL), &model)));
        let mut got = futures_executor(prune_banks(
            vec![liked(), liked(), bank(&ALL)],
            "en",
            &model,
            &FitTally::default(),
        ));
        let Some(Pruned::Ready(third)) = got.pop() else {
            panic!("judged")
        };
        assert_eq!(options(&third), ["estimates", "companies"]);
        let tally = FitTally::default();
        for _ in 0..2 {
            futures_executor(prune_banks(vec![liked()], "en", &model, &tally));
        }
        let mut got = futures_executor(prune_banks(vec![bank(&ALL)], "en", &model, &tally));
        assert!(matches!(got.pop(), Some(Pruned::Ready(_))));
        // Another language's are not.
        let mut got = futures_executor(prune_banks(vec![bank(&ALL)], "fr", &model, &tally));
        assert!(unjudged(got.pop().expect("one bank")));
    }

    fn pruned<M: AnswerModel>(candidate: Candidate, model: &M) -> Pruned {
        let mut got = futures_executor(prune_banks(
            vec![candidate],
            "en",
            model,
            &FitTally::default(),
        ));
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
