//! Calibration: has the configured model earned the right to judge a kind of exercise whose
//! key nothing but a model can judge?
//!
//! A word's meaning ([`Exercise::Vocabulary`]) has no proof the program can check: only the
//! model's round trip stands between a wrong meaning and a learner. Such a kind is sent only
//! for a model file and language whose round trip has been *measured* to separate right keys
//! from wrong ones on a set written for the purpose (`lang/<code>/calibration-vocabulary.tsv`):
//! each item is verified four times, once with each of its four meanings as the key, through
//! [`super::verify_with`] exactly as a lesson's item would be. The verdict is stored with the
//! model file's sha256 and the set's, so another model file, or a changed set, starts off.
//!
//! The bar ([`Measure::verdict`]): at least [`MIN_ITEMS`] items; at least [`MIN_RIGHT`] of
//! the right keys accepted; and, at one-sided 95% confidence, at most [`MAX_WRONG`] of the
//! wrong keys accepted. The wrong meanings of the set are written to be wrong for a careful
//! reader; a model's own wrong meanings may be subtler, which is why the bar on wrong keys
//! is strict.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{AnswerModel, ArticleText, Reason, VerifyOptions, verify_with};
use crate::exercise::{Candidate, Exercise, Origin};
use crate::generation::{Pruned, prune_banks};

/// Fewest items of a set for a verdict that can turn a kind on.
pub const MIN_ITEMS: usize = 30;
/// Least share of right keys the round trip must accept.
pub const MIN_RIGHT: f64 = 0.6;
/// Most share of wrong keys it may accept (upper bound at one-sided 95% confidence).
pub const MAX_WRONG: f64 = 0.05;

pub use crate::exercise::{CALIBRATED_KINDS as KINDS, Calibrated};

/// A calibration set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error("no {kind} calibration set for language `{lang}` (lang/{lang}/calibration-{kind}.tsv)")]
    Missing { kind: String, lang: String },
    #[error("lang/{lang}/calibration-{kind}.tsv line {line}: {message}")]
    Line {
        kind: String,
        lang: String,
        line: usize,
        message: String,
    },
}

/// One item: a passage, a word of it, its meaning there and three wrong meanings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub word: String,
    pub meaning: String,
    pub wrong: [String; 3],
    pub passage: String,
}

/// The set's text for a kind and language, as shipped in the binary: the home's
/// `calibration-<kind>.tsv`, if it holds any item (a home may ship an empty set: the kind
/// then stays off in that language).
fn set_text(kind: &str, lang: &str) -> Option<&'static str> {
    let text = match kind {
        "vocabulary" => crate::lang::home(lang)?.file("calibration-vocabulary.tsv"),
        "bank" => crate::lang::home(lang)?.optional_file("calibration-bank.tsv")?,
        _ => return None,
    };
    text.lines()
        .any(|l| !l.starts_with('#') && !l.trim().is_empty())
        .then_some(text)
}

/// The languages with a set for `kind`.
pub fn langs(kind: &str) -> Vec<&'static str> {
    crate::lang::codes()
        .filter(|l| set_text(kind, l).is_some())
        .collect()
}

/// The sha256 of a set, stored with a verdict: a changed set needs a new calibration.
pub fn set_sha256(kind: &str, lang: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    set_text(kind, lang).map(|t| hex::encode(Sha256::digest(t.as_bytes())))
}

/// The items of the set for a kind and language.
pub fn items(kind: &str, lang: &str) -> Result<Vec<Item>, SetError> {
    read_set(kind, lang, parse)
}

/// What reading a set's text gives: its items, or the line at fault and what is wrong.
type Parsed<T> = Result<Vec<T>, (usize, String)>;

/// A set's text for a kind and language, read by `parse`; its errors name the file's line.
fn read_set<T>(kind: &str, lang: &str, parse: fn(&str) -> Parsed<T>) -> Result<Vec<T>, SetError> {
    let text = set_text(kind, lang).ok_or_else(|| SetError::Missing {
        kind: kind.into(),
        lang: lang.into(),
    })?;
    parse(text).map_err(|(line, message)| SetError::Line {
        kind: kind.into(),
        lang: lang.into(),
        line,
        message,
    })
}

/// A set's lines that hold an item, each with its line number and its tab-separated fields,
/// trimmed: blank lines and `#` comments left out.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(n, line)| (n + 1, line.split('\t').map(str::trim).collect()))
}

/// One item of a bank set: a sentence with a gap, its key, words that fit the gap as well
/// as the key, and words of its form that do not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankItem {
    pub sentence: String,
    pub key: String,
    pub fitting: Vec<String>,
    pub wrong: Vec<String>,
}

/// The items of a language's bank set (`lang/<code>/calibration-bank.tsv`: a sentence
/// with `_____`, the key, the words that fit and those that do not, each list split by
/// `|`), measured by [`measure_banks`].
pub fn bank_items(lang: &str) -> Result<Vec<BankItem>, SetError> {
    read_set("bank", lang, parse_banks)
}

fn parse_banks(text: &str) -> Parsed<BankItem> {
    let mut items = Vec::new();
    for (n, fields) in rows(text) {
        let [sentence, key, fitting, wrong] = fields[..] else {
            return Err((n, format!("{} fields instead of 4", fields.len())));
        };
        let words = |f: &str| -> Vec<String> {
            f.split('|')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        };
        let (fitting, wrong) = (words(fitting), words(wrong));
        if sentence.matches(crate::exercise::GAP).count() != 1 {
            return Err((
                n,
                format!("the sentence holds no single {}", crate::exercise::GAP),
            ));
        }
        if key.is_empty() || fitting.is_empty() || wrong.len() < 2 {
            return Err((
                n,
                "a key, a word that fits and two that do not are needed".into(),
            ));
        }
        items.push(BankItem {
            sentence: sentence.into(),
            key: key.into(),
            fitting,
            wrong,
        });
    }
    Ok(items)
}

/// Measures whether `model` tells words that fit a gap from words that do not, on the
/// `items` of a language's bank set: each item's bank (its key, the words that fit and
/// those that do not) is chosen as a lesson's would be ([`prune_banks`], judged). A bank is
/// right where two wrong options or more are left and none of them fits; each word that fits
/// is a wrong key tried, accepted where the bank still shows it. `progress` is called after
/// each item with (done, total).
pub async fn measure_banks<M: AnswerModel>(
    lang: &str,
    items: &[BankItem],
    model: &M,
    mut progress: impl FnMut(usize, usize),
) -> Measure {
    let mut m = Measure {
        kind: "bank".into(),
        lang: lang.into(),
        items: items.len(),
        ..Measure::default()
    };
    for (i, item) in items.iter().enumerate() {
        let mut options: Vec<String> = item.fitting.iter().chain(&item.wrong).cloned().collect();
        // The key takes each place in turn over the set.
        options.insert(i % (options.len() + 1), item.key.clone());
        let candidate = Candidate {
            exercise: Exercise::GapFill {
                sentence: item.sentence.clone(),
                answer: item.key.clone(),
                options,
                evidence: item.sentence.replacen(crate::exercise::GAP, &item.key, 1),
            },
            origin: Origin::Constructed,
        };
        let shown = match prune_banks(vec![candidate], lang, model, true).await.pop() {
            Some(Pruned::Ready(Candidate {
                exercise: Exercise::GapFill { options, .. },
                ..
            })) => options,
            _ => Vec::new(),
        };
        let fitting = shown.iter().filter(|o| item.fitting.contains(o)).count();
        let wrong = shown.iter().filter(|o| item.wrong.contains(o)).count();
        m.wrong_tried += item.fitting.len();
        m.wrong_accepted += fitting;
        if fitting == 0 && wrong >= 2 {
            m.right_accepted += 1;
        }
        progress(i + 1, items.len());
    }
    m
}

fn parse(text: &str) -> Parsed<Item> {
    let mut items = Vec::new();
    for (n, fields) in rows(text) {
        let [word, meaning, w1, w2, w3, passage] = fields[..] else {
            return Err((n, format!("{} fields instead of 6", fields.len())));
        };
        if [word, meaning, w1, w2, w3, passage]
            .iter()
            .any(|f| f.is_empty())
        {
            return Err((n, "an empty field".into()));
        }
        items.push(Item {
            word: word.into(),
            meaning: meaning.into(),
            wrong: [w1.into(), w2.into(), w3.into()],
            passage: passage.into(),
        });
    }
    Ok(items)
}

impl Item {
    /// The item as a lesson's vocabulary exercise would be: the right meaning at `slot`
    /// (0 to 3) among the wrong ones, and `key` the option given as the answer. `None` when
    /// no sentence of the passage holds the word.
    fn exercise(&self, article: &ArticleText, slot: usize, key: usize) -> Option<Exercise> {
        let word = self.word.to_lowercase();
        let evidence = article
            .sentences()
            .iter()
            .find(|s| crate::text::has_phrase(&s.to_lowercase(), &word))?;
        let mut options: Vec<String> = self.wrong.to_vec();
        options.insert(slot, self.meaning.clone());
        Some(Exercise::Vocabulary {
            question: crate::exercise::vocabulary_question(article.lang(), &self.word),
            word: self.word.clone(),
            options,
            answer: key,
            evidence: evidence.clone(),
        })
    }
}

/// What a calibration measured for one kind and language.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Measure {
    pub kind: String,
    pub lang: String,
    pub items: usize,
    /// Items whose right key verification accepted.
    pub right_accepted: usize,
    /// Wrong keys tried (three per item).
    pub wrong_tried: usize,
    /// Wrong keys verification accepted.
    pub wrong_accepted: usize,
    /// Items whose right key the program's own checks refused before the model was asked
    /// (a defect of the set: a word the word list lacks, an option too long), by word.
    pub refused_by_checks: Vec<(String, Vec<String>)>,
}

/// A measure's verdict, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub why: String,
}

impl Measure {
    pub fn right_rate(&self) -> f64 {
        ratio(self.right_accepted, self.items)
    }

    pub fn wrong_rate(&self) -> f64 {
        ratio(self.wrong_accepted, self.wrong_tried)
    }

    /// The upper bound of the wrong keys' acceptance at one-sided 95% confidence (Wilson).
    pub fn wrong_upper(&self) -> f64 {
        wilson_upper(self.wrong_accepted, self.wrong_tried)
    }

    /// Whether the kind may be judged by this model, against the bar in the module header.
    pub fn verdict(&self) -> Verdict {
        let (right, upper) = (self.right_rate(), self.wrong_upper());
        let why = if self.items < MIN_ITEMS {
            format!("{} items, fewer than {MIN_ITEMS}", self.items)
        } else if right < MIN_RIGHT {
            format!(
                "accepts {:.0}% of right keys, below {:.0}%",
                right * 100.0,
                MIN_RIGHT * 100.0
            )
        } else if upper > MAX_WRONG {
            format!(
                "may accept up to {:.1}% of wrong keys, above {:.0}%",
                upper * 100.0,
                MAX_WRONG * 100.0
            )
        } else {
            return Verdict {
                passed: true,
                why: format!(
                    "accepts {:.0}% of right keys and at most {:.1}% of wrong ones",
                    right * 100.0,
                    upper * 100.0
                ),
            };
        };
        Verdict { passed: false, why }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Wilson score interval's upper bound for `k` of `n`, one-sided 95% (z = 1.645); 1 when
/// nothing was tried.
fn wilson_upper(k: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let (n, p, z) = (n as f64, k as f64 / n as f64, 1.645_f64);
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre + spread) / (1.0 + z2 / n)).min(1.0)
}

/// A model that asks the wrapped one each distinct question once: the four trials of an
/// item ask it the same questions (it never sees the key), so it is asked once, not four
/// times.
struct Once<'m, M> {
    model: &'m M,
    choices: Mutex<Choices>,
}

/// The model's choice for (context, question, options).
type Choices = HashMap<(String, String, Vec<String>), Result<usize, String>>;

impl<M: AnswerModel + Sync> AnswerModel for Once<'_, M> {
    async fn choose(
        &self,
        context: &str,
        question: &str,
        options: &[String],
    ) -> Result<usize, String> {
        let key = (context.to_string(), question.to_string(), options.to_vec());
        if let Some(known) = self.lock().get(&key) {
            return known.clone();
        }
        let choice = self.model.choose(context, question, options).await;
        self.lock().insert(key, choice.clone());
        choice
    }

    async fn answer_span(&self, context: &str, question: &str) -> Result<String, String> {
        self.model.answer_span(context, question).await
    }

    async fn log_likelihood(&self, context: &str, text: &str) -> Result<Option<f64>, String> {
        self.model.log_likelihood(context, text).await
    }
}

impl<M> Once<'_, M> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Choices> {
        self.choices.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Measures how the round trip of `model` judges the `items` of one kind and language:
/// every item verified with each of its meanings as the key. `lexicon` is the language's
/// word list, as lessons use it. `progress` is called after each item with (done, total).
pub async fn measure<M: AnswerModel + Sync>(
    kind: &str,
    lang: &str,
    items: &[Item],
    model: &M,
    lexicon: Option<std::sync::Arc<crate::articles::Ranks>>,
    mut progress: impl FnMut(usize, usize),
) -> Measure {
    let model = Once {
        model,
        choices: Mutex::default(),
    };
    let options = VerifyOptions {
        calibrated: Calibrated::default().with(kind),
        ..VerifyOptions::default()
    };
    let mut m = Measure {
        kind: kind.into(),
        lang: lang.into(),
        items: items.len(),
        ..Measure::default()
    };
    for (i, item) in items.iter().enumerate() {
        let article = ArticleText::new(lang, &item.passage).with_lexicon(lexicon.clone());
        // The right meaning takes each of the four places in turn over the set, so a model
        // that favours one letter gains nothing.
        let slot = i % 4;
        for key in 0..4 {
            let Some(exercise) = item.exercise(&article, slot, key) else {
                if key == slot {
                    m.refused_by_checks.push((
                        item.word.clone(),
                        vec![Reason::KeyNotInEvidence.to_string()],
                    ));
                }
                continue;
            };
            let candidate = Candidate {
                exercise,
                origin: Origin::Model,
            };
            let verdict = verify_with(candidate, &article, &model, &[], options).await;
            match (key == slot, verdict) {
                (true, Ok(_)) => m.right_accepted += 1,
                (false, Ok(_)) => m.wrong_accepted += 1,
                (true, Err(r)) => {
                    if !r.reasons.iter().any(|r| r.is_models()) {
                        m.refused_by_checks.push((
                            item.word.clone(),
                            r.reasons.iter().map(|r| r.to_string()).collect(),
                        ));
                    }
                }
                (false, Err(_)) => {}
            }
            if key != slot {
                m.wrong_tried += 1;
            }
        }
        progress(i + 1, items.len());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that picks the option naming the right meaning of every item of the set.
    struct Knows(Vec<String>);

    impl AnswerModel for Knows {
        async fn choose(&self, _: &str, _: &str, options: &[String]) -> Result<usize, String> {
            options
                .iter()
                .position(|o| self.0.contains(o))
                .ok_or_else(|| "none known".into())
        }
        async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
            Err("not asked".into())
        }
    }

    /// A reader that always picks the same letter.
    struct Letter(usize);

    impl AnswerModel for Letter {
        async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
            Ok(self.0)
        }
        async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
            Err("not asked".into())
        }
    }

    /// A reader that picks the first wrong meaning whenever it can.
    struct Fooled(Vec<String>);

    impl AnswerModel for Fooled {
        async fn choose(&self, _: &str, _: &str, options: &[String]) -> Result<usize, String> {
            Ok(options.iter().position(|o| self.0.contains(o)).unwrap_or(0))
        }
        async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
            Err("not asked".into())
        }
    }

    fn run<M: AnswerModel + Sync>(lang: &str, model: &M) -> Measure {
        let items = items("vocabulary", lang).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(measure("vocabulary", lang, &items, model, None, |_, _| {}))
    }

    #[test]
    fn every_set_parses_and_is_big_enough_for_a_verdict() {
        for lang in langs("vocabulary") {
            let items = items("vocabulary", lang).unwrap();
            assert!(items.len() >= MIN_ITEMS, "{lang}: {} items", items.len());
            let words: std::collections::HashSet<String> =
                items.iter().map(|i| i.word.to_lowercase()).collect();
            assert_eq!(words.len(), items.len(), "{lang}: a word twice");
        }
        assert_eq!(langs("vocabulary").len(), crate::lang::HOMES.len());
        assert!(items("vocabulary", "xx").is_err());
    }

    #[test]
    fn a_reader_that_knows_the_meanings_passes_and_passes_every_check() {
        for lang in langs("vocabulary") {
            let set = items("vocabulary", lang).unwrap();
            let m = run(
                lang,
                &Knows(set.iter().map(|i| i.meaning.clone()).collect()),
            );
            assert!(
                m.refused_by_checks.is_empty(),
                "{lang}: {:?}",
                m.refused_by_checks
            );
            assert_eq!(m.right_accepted, m.items, "{lang}");
            assert_eq!(
                (m.wrong_accepted, m.wrong_tried),
                (0, 3 * m.items),
                "{lang}"
            );
            assert!(m.verdict().passed, "{lang}: {}", m.verdict().why);
        }
    }

    #[test]
    fn a_reader_that_favours_one_letter_fails() {
        let m = run("en", &Letter(0));
        assert_eq!(m.right_accepted, m.items.div_ceil(4));
        let v = m.verdict();
        assert!(!v.passed);
        assert!(v.why.contains("right keys"), "{}", v.why);
    }

    #[test]
    fn a_reader_fooled_by_wrong_meanings_fails_on_them() {
        let set = items("vocabulary", "en").unwrap();
        // Right on most items, fooled on a few: enough right keys, too many wrong ones.
        let mut picks: Vec<String> = set.iter().map(|i| i.meaning.clone()).collect();
        for item in set.iter().take(6) {
            picks.retain(|p| *p != item.meaning);
            picks.push(item.wrong[0].clone());
        }
        let m = run("en", &Fooled(picks));
        assert_eq!(m.wrong_accepted, 6);
        let v = m.verdict();
        assert!(!v.passed);
        assert!(v.why.contains("wrong keys"), "{}", v.why);
    }

    #[test]
    fn the_bar() {
        let m = |items, right, wrong| Measure {
            items,
            right_accepted: right,
            wrong_tried: 3 * items,
            wrong_accepted: wrong,
            ..Measure::default()
        };
        assert!(m(40, 40, 0).verdict().passed);
        assert!(m(40, 24, 2).verdict().passed);
        assert!(!m(40, 23, 0).verdict().passed);
        assert!(!m(40, 40, 4).verdict().passed);
        assert!(!m(20, 20, 0).verdict().passed);
        assert!((wilson_upper(0, 120) - 0.022).abs() < 0.001);
        assert_eq!(wilson_upper(0, 0), 1.0);
    }

    /// A reader that finds the key and the words that fit at home in each gap of a set, and
    /// the others not.
    struct Reader(Vec<BankItem>);

    impl AnswerModel for Reader {
        async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
            Err("not asked".into())
        }

        async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
            Err("not asked".into())
        }

        async fn log_likelihood(&self, _: &str, text: &str) -> Result<Option<f64>, String> {
            let fits =
                |i: &BankItem, w: &String| i.sentence.replacen(crate::exercise::GAP, w, 1) == text;
            Ok(self.0.iter().find_map(|i| {
                if fits(i, &i.key) || i.fitting.iter().any(|w| fits(i, w)) {
                    Some(-10.0)
                } else {
                    i.wrong.iter().any(|w| fits(i, w)).then_some(-50.0)
                }
            }))
        }
    }

    #[test]
    fn a_reader_passes_the_english_bank_set_and_a_ranking_model_does_not() {
        let items = bank_items("en").unwrap();
        let m = now(measure_banks(
            "en",
            &items,
            &Reader(items.clone()),
            |_, _| {},
        ));
        assert!(m.verdict().passed, "{m:?} {:?}", m.verdict());
        assert_eq!(m.wrong_accepted, 0);
        // A model that finds the key at home and the other words alike keeps words that fit.
        let ranks_the_key = Reader(
            items
                .iter()
                .map(|i| BankItem {
                    fitting: Vec::new(),
                    wrong: i.fitting.iter().chain(&i.wrong).cloned().collect(),
                    ..i.clone()
                })
                .collect(),
        );
        let m = now(measure_banks("en", &items, &ranks_the_key, |_, _| {}));
        assert!(!m.verdict().passed, "{m:?}");
    }

    fn now<F: std::future::Future>(f: F) -> F::Output {
        futures_util::FutureExt::now_or_never(f).expect("the fake model does not wait")
    }

    #[test]
    fn every_bank_set_parses_and_is_big_enough_for_a_verdict() {
        assert!(!langs("bank").is_empty());
        for lang in langs("bank") {
            let items = bank_items(lang).unwrap();
            assert!(items.len() >= MIN_ITEMS, "{lang}: {} items", items.len());
            // Words that fit enough for a verdict: at one-sided 95% none kept of them must
            // stay under the bar.
            let tried: usize = items.iter().map(|i| i.fitting.len()).sum();
            assert!(
                wilson_upper(0, tried) <= MAX_WRONG,
                "{lang}: {tried} words that fit"
            );
            for i in &items {
                let sentence = i.sentence.to_lowercase();
                for w in i.fitting.iter().chain(&i.wrong).chain([&i.key]) {
                    assert!(
                        !crate::text::has_phrase(&sentence, w),
                        "{lang}: {w} in {}",
                        i.sentence
                    );
                    assert!(
                        crate::exercise::is_content_word(lang, w),
                        "{lang}: {w} is no content word"
                    );
                }
            }
        }
        assert!(bank_items("xx").is_err());
        let err = parse_banks("The _____ met.\tcouncil\tboard\n").unwrap_err();
        assert_eq!(err, (1, "3 fields instead of 4".into()));
    }

    #[test]
    fn a_line_without_six_fields_is_named() {
        let err = parse("# comment\nword\tmeaning\ta\tb\tc\n").unwrap_err();
        assert_eq!(err, (2, "5 fields instead of 6".into()));
    }
}
