//! Exercises built by rule from article sentences, right by construction: gap-fill (a word
//! or number removed, with a word bank of the same kind from elsewhere in the article) and
//! true/false (the sentence itself, or the sentence with one number or name swapped for
//! another from the article). They fill a lesson when the model's exercises fail
//! verification, and they still go through verification.

use std::collections::HashSet;

use crate::exercise::{Candidate, Exercise, GAP, Origin};
use crate::text;
use crate::verification::ArticleText;

/// A small deterministic generator (splitmix64), so a lesson is reproducible from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Name,
    Word,
}

#[derive(Debug, Clone)]
struct Target<'a> {
    offset: usize,
    word: &'a str,
    kind: Kind,
}

fn kind_of(lang: &str, word: &str, index_in_sentence: usize) -> Option<Kind> {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return Some(Kind::Number);
    }
    let first = word.chars().next()?;
    if !word.chars().all(char::is_alphabetic) {
        return None;
    }
    // German capitalises every noun: there a capital letter does not make a name.
    if index_in_sentence > 0 && first.is_uppercase() && lang != "de" {
        return Some(Kind::Name);
    }
    let lower = word.to_lowercase();
    (word.chars().count() >= 6 && !text::is_stop_word(lang, &lower)).then_some(Kind::Word)
}

/// Words of a sentence that can be gapped: they occur once in it.
fn targets<'a>(lang: &str, sentence: &'a str) -> Vec<Target<'a>> {
    let spans = text::word_spans(sentence);
    let lower: Vec<String> = spans.iter().map(|(_, w)| w.to_lowercase()).collect();
    spans
        .iter()
        .enumerate()
        .filter(|(i, _)| lower.iter().filter(|w| **w == lower[*i]).count() == 1)
        .filter_map(|(i, (offset, word))| {
            kind_of(lang, word, i).map(|kind| Target {
                offset: *offset,
                word,
                kind,
            })
        })
        .collect()
}

fn best_target<'a>(lang: &str, sentence: &'a str, rng: &mut Rng) -> Option<Target<'a>> {
    let all = targets(lang, sentence);
    for kind in [Kind::Number, Kind::Name, Kind::Word] {
        let of_kind: Vec<&Target<'_>> = all.iter().filter(|t| t.kind == kind).collect();
        if !of_kind.is_empty() {
            return Some(of_kind[rng.below(of_kind.len())].clone());
        }
    }
    None
}

/// Words of the same kind from other sentences, not present in `sentence`.
fn same_kind_elsewhere(
    lang: &str,
    article: &ArticleText,
    sentence: &str,
    target: &Target<'_>,
) -> Vec<String> {
    let here: HashSet<String> = text::normalized_words(sentence).into_iter().collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for other in article.sentences() {
        if other == sentence {
            continue;
        }
        for t in targets(lang, other) {
            let lower = t.word.to_lowercase();
            if t.kind == target.kind && !here.contains(&lower) && seen.insert(lower) {
                out.push(t.word.to_string());
            }
        }
    }
    out
}

fn usable(sentence: &str) -> bool {
    let n = text::words(sentence).len();
    (6..=45).contains(&n) && !sentence.contains(GAP)
}

/// Builds up to `n` constructed exercises from sentences not in `avoid`, alternating
/// gap-fill and true/false, spread over the article.
pub fn constructed_exercises(
    article: &ArticleText,
    n: usize,
    seed: u64,
    avoid: &HashSet<String>,
) -> Vec<Candidate> {
    let lang = article.lang();
    let mut rng = Rng::new(seed);
    let mut order: Vec<&String> = article
        .sentences()
        .iter()
        .filter(|s| usable(s) && !avoid.contains(s.as_str()))
        .collect();
    rng.shuffle(&mut order);
    let mut out = Vec::new();
    for sentence in order {
        if out.len() >= n {
            break;
        }
        let Some(target) = best_target(lang, sentence, &mut rng) else {
            continue;
        };
        let others = same_kind_elsewhere(lang, article, sentence, &target);
        let want_true_false = out.len() % 2 == 1 && target.kind != Kind::Word;
        if want_true_false {
            let truthful = rng.below(2) == 0 || others.is_empty();
            let statement = if truthful {
                sentence.to_string()
            } else {
                let replacement = &others[rng.below(others.len())];
                format!(
                    "{}{}{}",
                    &sentence[..target.offset],
                    replacement,
                    &sentence[target.offset + target.word.len()..]
                )
            };
            out.push(Candidate {
                exercise: Exercise::TrueFalse {
                    statement,
                    answer: truthful,
                    evidence: sentence.clone(),
                },
                origin: Origin::Constructed,
            });
            continue;
        }
        let gapped = format!(
            "{}{GAP}{}",
            &sentence[..target.offset],
            &sentence[target.offset + target.word.len()..]
        );
        let mut options: Vec<String> = Vec::new();
        if others.len() >= 2 {
            let mut pool = others;
            rng.shuffle(&mut pool);
            options.extend(pool.into_iter().take(3));
            options.push(target.word.to_string());
            rng.shuffle(&mut options);
        }
        out.push(Candidate {
            exercise: Exercise::GapFill {
                sentence: gapped,
                answer: target.word.to_string(),
                options,
                evidence: sentence.clone(),
            },
            origin: Origin::Constructed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "A small robot called Skimmer collected 340 kilograms of plastic in six weeks.\n\nEngineers from Alden College built the robot for 12,000 euros last year. The mayor, Lena Ortiz, said the city will buy 2 more robots next spring.";

    #[test]
    fn gap_fill_rebuilds_its_sentence_and_true_false_changes_one_fact() {
        let article = ArticleText::new("en", TEXT);
        for seed in 0..20 {
            let got = constructed_exercises(&article, 3, seed, &HashSet::new());
            assert_eq!(got.len(), 3, "seed {seed}");
            for c in &got {
                match &c.exercise {
                    Exercise::GapFill {
                        sentence,
                        answer,
                        options,
                        evidence,
                    } => {
                        assert_eq!(sentence.replacen(GAP, answer, 1), *evidence);
                        assert!(options.is_empty() || options.contains(answer));
                    }
                    Exercise::TrueFalse {
                        statement,
                        answer,
                        evidence,
                    } => {
                        assert_eq!(*answer, statement == evidence, "{statement} / {evidence}");
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
    }

    #[test]
    fn avoided_sentences_are_not_used() {
        let article = ArticleText::new("en", TEXT);
        let avoid: HashSet<String> = article.sentences().iter().skip(1).cloned().collect();
        let got = constructed_exercises(&article, 3, 1, &avoid);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].exercise.evidence(), article.sentences()[0]);
    }
}
