//! Lexical checks of an answer key, without the model: is the key the kind of thing the
//! question asks for, is its sentence the one the question is about, and does it sit where
//! the question points in that sentence?
//!
//! A decision list, designed and measured on XQuAD (en, es): each rule either rejects or
//! passes to the next; the profile sets the last two thresholds. See BENCHMARKS.md for the
//! accept and reject rates. Words are runs of letters and digits, stems are Snowball's.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::lists::{LangLists, QType, QTypePhrases, lists};
use crate::text;

/// How strict the last two rules are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Content words allowed between the key and the nearest question word.
    pub max_content_gap: usize,
    /// Runs of the key's kind (numbers, names, other words) allowed closer to the question's
    /// words than the key.
    pub max_closer_competitors: usize,
}

impl Profile {
    /// About 98 % of wrong keys rejected on XQuAD (and about 40 % of right ones accepted).
    pub const STRICT: Profile = Profile {
        max_content_gap: 0,
        max_closer_competitors: 1,
    };
    /// About 95-96 % rejected, 51-56 % accepted.
    pub const BALANCED: Profile = Profile {
        max_content_gap: 1,
        max_closer_competitors: 3,
    };
    /// About 92-93 % rejected, 61-65 % accepted.
    pub const LENIENT: Profile = Profile {
        max_content_gap: 3,
        max_closer_competitors: usize::MAX,
    };

    /// A profile by name.
    pub fn named(name: &str) -> Option<Profile> {
        match name {
            "strict" => Some(Profile::STRICT),
            "balanced" => Some(Profile::BALANCED),
            "lenient" => Some(Profile::LENIENT),
            _ => None,
        }
    }
}

/// Why a key was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// R1: the key's words do not occur (in the evidence, when one is given).
    NotFound,
    /// R2: the key's content words are all in the question (or it has none).
    AnswerInQuestion,
    /// R3-R7: a number for "how many", a date for "when", a name for "who" ...
    TypeMismatch,
    /// R8: another sentence matches the question as well or better.
    SentenceNotBest,
    /// R9: the word the question asks about ("what award") is elsewhere in the sentence.
    FocusElsewhere,
    /// R10: no question word next to the key.
    NotNextToQuestion,
    /// R11: other numbers/names/words of the key's kind sit closer to the question's words.
    CloserCompetitor,
}

const DECAY: [f64; 10] = [1.0, 1.0, 0.8, 0.6, 0.45, 0.35, 0.25, 0.2, 0.15, 0.1];
const FOCUS_WINDOW: usize = 3;

fn contains(list: &[&str], word: &str) -> bool {
    list.binary_search(&word).is_ok()
}

/// Word runs (letters and digits) with their byte ranges.
fn word_spans(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s, i, &text[s..i]));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len(), &text[s..]));
    }
    out
}

fn norm_words(text: &str) -> Vec<String> {
    word_spans(text)
        .into_iter()
        .map(|(_, _, w)| w.to_lowercase())
        .collect()
}

fn normalize(text: &str) -> String {
    norm_words(text).join(" ")
}

/// Sentence byte ranges: a sentence ends at `.`, `!` or `?` (and closing quotes or brackets)
/// followed by whitespace, except after a `.` whose word is one letter (initials) or a known
/// abbreviation.
fn sentence_ranges(lang: &str, text: &str) -> Vec<(usize, usize)> {
    let abbreviations = &lists(lang).abbreviations;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (pos, c) = bytes[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j].1, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
            {
                j += 1;
            }
            let mut k = j;
            while k < bytes.len() && bytes[k].1.is_whitespace() {
                k += 1;
            }
            if k > j {
                let before = &text[start..pos];
                let last_word = word_spans(before).last().map(|(_, _, w)| w.to_lowercase());
                let abbreviation = c == '.'
                    && last_word
                        .as_deref()
                        .is_some_and(|w| w.chars().count() == 1 || contains(abbreviations, w));
                if !abbreviation {
                    let end = if k < bytes.len() {
                        bytes[k].0
                    } else {
                        text.len()
                    };
                    push_trimmed(text, start, end, &mut out);
                    start = end;
                }
                i = k;
                continue;
            }
        }
        i += 1;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

struct Tok {
    lower: String,
    stem: String,
    stop: bool,
    sentence: usize,
    capitalised: bool,
    sentence_start: bool,
    start: usize,
}

/// A context (an article or a paragraph) split once.
pub struct Context {
    lang: String,
    toks: Vec<Tok>,
    sentence_tokens: Vec<(usize, usize)>,
    sentence_bytes: Vec<(usize, usize)>,
    sentence_stems: Vec<HashSet<String>>,
    df: HashMap<String, usize>,
}

impl Context {
    pub fn new(lang: &str, text: &str) -> Context {
        let l = lists(lang);
        let sentence_bytes = sentence_ranges(lang, text);
        let mut toks = Vec::new();
        let mut sentence_tokens = Vec::new();
        for (si, &(s, e)) in sentence_bytes.iter().enumerate() {
            let lo = toks.len();
            for (k, (ws, _, w)) in word_spans(&text[s..e]).into_iter().enumerate() {
                let lower = w.to_lowercase();
                toks.push(Tok {
                    stem: text::stem(lang, &lower),
                    stop: contains(&l.stop, &lower),
                    lower,
                    sentence: si,
                    capitalised: w.chars().next().is_some_and(char::is_uppercase),
                    sentence_start: k == 0,
                    start: s + ws,
                });
            }
            sentence_tokens.push((lo, toks.len()));
        }
        let sentence_stems: Vec<HashSet<String>> = sentence_tokens
            .iter()
            .map(|&(lo, hi)| {
                toks[lo..hi]
                    .iter()
                    .filter(|t| !t.stop)
                    .map(|t| t.stem.clone())
                    .collect()
            })
            .collect();
        let mut df = HashMap::new();
        for stems in &sentence_stems {
            for s in stems {
                *df.entry(s.clone()).or_insert(0) += 1;
            }
        }
        Context {
            lang: lang.to_string(),
            toks,
            sentence_tokens,
            sentence_bytes,
            sentence_stems,
            df,
        }
    }

    /// The byte range of the sentence holding the best occurrence of `answer` for
    /// `question` (the evidence the rules would pick), if the answer occurs.
    pub fn evidence_range(&self, question: &str, answer: &str) -> Option<(usize, usize)> {
        let a = Analysis::new(self, question, answer, None)?;
        Some(self.sentence_bytes[self.toks[a.start].sentence])
    }
}

fn has_digit(w: &str) -> bool {
    w.chars().any(|c| c.is_numeric())
}

fn is_numeric_token(l: &LangLists, w: &str) -> bool {
    has_digit(w) || (contains(&l.number_words, w) && !contains(&l.not_numeric, w))
}

fn question_type(l: &LangLists, question: &str) -> QType {
    let q = format!(" {} ", normalize(question));
    let mut best: Option<(usize, std::cmp::Reverse<usize>, QType)> = None;
    for QTypePhrases { asks, phrases } in &l.qtypes {
        for p in phrases.iter() {
            if let Some(i) = q.find(&format!(" {p} ")) {
                let key = (i, std::cmp::Reverse(p.len()), *asks);
                if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                    best = Some(key);
                }
            }
        }
    }
    best.map_or(QType::Other, |b| b.2)
}

fn focus_stem(lang: &str, l: &LangLists, question: &str) -> Option<String> {
    let words = norm_words(question);
    for i in 0..words.len().saturating_sub(1) {
        let w = words[i].as_str();
        if !contains(&l.focus_after, w) {
            continue;
        }
        let needs_how = match lang {
            "en" => matches!(w, "many" | "much").then_some("how"),
            "de" => matches!(w, "viel" | "viele" | "vielen").then_some("wie"),
            _ => None,
        };
        if let Some(how) = needs_how
            && (i == 0 || words[i - 1] != how)
        {
            continue;
        }
        let next = &words[i + 1];
        return (!contains(&l.stop, next)).then(|| text::stem(lang, next));
    }
    None
}

fn is_percent(l: &LangLists, text: &str) -> bool {
    let t = format!(" {} ", normalize(text));
    text.contains('%')
        || l.percent_phrases
            .iter()
            .any(|p| t.contains(&format!(" {p} ")))
}

fn is_year_like(lang: &str, l: &LangLists, words: &[String]) -> bool {
    words.iter().any(|w| {
        let digits = w.chars().take_while(char::is_ascii_digit).count();
        let rest = &w[digits..];
        (digits == 4 && rest.is_empty())
            || (digits == 4 && rest == "s" && lang == "en")
            || (digits == 4 && rest == "er" && lang == "de")
            || (digits > 0 && matches!(rest, "st" | "nd" | "rd" | "th") && lang == "en")
            || (digits > 0 && matches!(rest, "e" | "ème" | "er") && lang == "fr")
            || contains(&l.century_words, w)
    })
}

/// What the rules look at for one (question, answer) pair.
struct Analysis {
    qtype: QType,
    start: usize,
    sentence_strictly_best: bool,
    answer_in_question: bool,
    a_number: bool,
    a_time: bool,
    a_digit: bool,
    a_bare_year: bool,
    a_year_like: bool,
    a_time_word: bool,
    a_starts_numeric: bool,
    a_capitalised: bool,
    a_percent: bool,
    q_percent: bool,
    q_year: bool,
    q_quantity_cue: bool,
    focus_elsewhere: bool,
    content_gap: Option<usize>,
    closer_competitors: usize,
}

impl Analysis {
    /// `None` when the answer does not occur (inside `within`, a byte range, when given).
    fn new(
        ctx: &Context,
        question: &str,
        answer: &str,
        within: Option<(usize, usize)>,
    ) -> Option<Analysis> {
        let lang = ctx.lang.as_str();
        let l = lists(lang);
        let toks = &ctx.toks;
        let aw = norm_words(answer);
        let qw = norm_words(question);
        let qstems: HashSet<String> = qw
            .iter()
            .filter(|w| !contains(&l.stop, w))
            .map(|w| text::stem(lang, w))
            .collect();
        if aw.is_empty() || aw.len() > toks.len() {
            return None;
        }
        let occurrences: Vec<(usize, usize)> = (0..=toks.len() - aw.len())
            .filter(|&i| {
                toks[i..i + aw.len()]
                    .iter()
                    .zip(&aw)
                    .all(|(t, w)| &t.lower == w)
            })
            .filter(|&i| {
                within.is_none_or(|(s, e)| toks[i].start >= s && toks[i + aw.len() - 1].start < e)
            })
            .map(|i| (i, i + aw.len()))
            .collect();
        if occurrences.is_empty() {
            return None;
        }
        let weight = |s: &str| 1.0 / *ctx.df.get(s).unwrap_or(&1) as f64;
        let is_q = |i: usize| !toks[i].stop && qstems.contains(&toks[i].stem);
        // Sums run over stems in sorted order, so that equal scores are equal to the last
        // bit and every verdict is the same from run to run (hash order is not).
        let mut qsorted: Vec<&String> = qstems.iter().collect();
        qsorted.sort();
        let sentence_score: Vec<f64> = ctx
            .sentence_stems
            .iter()
            .map(|stems| {
                qsorted
                    .iter()
                    .filter(|s| stems.contains(**s))
                    .map(|s| weight(s))
                    .sum()
            })
            .collect();
        let prox = |a0: usize, a1: usize, lo: usize, hi: usize| -> f64 {
            let mut best: BTreeMap<&str, usize> = BTreeMap::new();
            for (i, tok) in toks.iter().enumerate().take(hi).skip(lo) {
                if (a0..a1).contains(&i) || !is_q(i) {
                    continue;
                }
                let d = if i < a0 { a0 - i } else { i - a1 + 1 };
                let e = best.entry(tok.stem.as_str()).or_insert(usize::MAX);
                *e = (*e).min(d);
            }
            best.iter()
                .map(|(s, &d)| weight(s) * DECAY.get(d - 1).copied().unwrap_or(0.0))
                .sum()
        };
        let span_range = |(a, b): (usize, usize)| {
            (
                ctx.sentence_tokens[toks[a].sentence].0,
                ctx.sentence_tokens[toks[b - 1].sentence].1,
            )
        };
        let top = occurrences
            .iter()
            .map(|o| sentence_score[toks[o.0].sentence])
            .fold(f64::MIN, f64::max);
        let mut chosen: Option<((usize, usize), f64)> = None;
        for &o in occurrences
            .iter()
            .filter(|o| sentence_score[toks[o.0].sentence] == top)
        {
            let (lo, hi) = span_range(o);
            let p = prox(o.0, o.1, lo, hi);
            if chosen.is_none_or(|(_, best)| p > best) {
                chosen = Some((o, p));
            }
        }
        let ((st, en), a_prox) = chosen.expect("occurrences are not empty");
        let (lo, hi) = span_range((st, en));
        let si = toks[st].sentence;
        let others = sentence_score
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != si)
            .map(|(_, s)| *s);
        let sentence_strictly_best = sentence_score[si] > others.fold(0.0, f64::max);

        let astems: HashSet<String> = aw
            .iter()
            .filter(|w| !contains(&l.stop, w))
            .map(|w| text::stem(lang, w))
            .collect();
        let content: Vec<&String> = aw.iter().filter(|w| !contains(&l.stop, w)).collect();
        let first_meaningful = aw
            .iter()
            .find(|w| !contains(&l.stop, w) || is_numeric_token(l, w));
        let a_numeric_class = aw.iter().any(|w| is_numeric_token(l, w));
        let a_capitalised =
            (st..en).any(|i| toks[i].capitalised && !toks[i].stop && !toks[i].sentence_start);
        let quantity_cues: HashSet<String> = l
            .quantity_cues
            .iter()
            .map(|w| text::stem(lang, w))
            .collect();

        let focus = focus_stem(lang, l, question);
        let focus_elsewhere = focus.as_ref().is_some_and(|f| {
            let in_answer = aw.iter().any(|w| &text::stem(lang, w) == f);
            let in_sentence = (lo..hi).any(|i| !(st..en).contains(&i) && &toks[i].stem == f);
            let near = (lo.max(st.saturating_sub(FOCUS_WINDOW))..hi.min(en + FOCUS_WINDOW))
                .any(|i| &toks[i].stem == f);
            in_sentence && !near && !in_answer
        });

        let gap = |indices: &mut dyn Iterator<Item = usize>| -> Option<usize> {
            let mut n = 0;
            for i in indices {
                if is_q(i) {
                    return Some(n);
                }
                if !toks[i].stop {
                    n += 1;
                }
            }
            None
        };
        let left = gap(&mut (lo..st).rev());
        let right = gap(&mut (en..hi));
        let content_gap = match (left, right) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };

        #[derive(PartialEq, Clone, Copy)]
        enum Class {
            Number,
            Name,
            Word,
        }
        let class = |i: usize| -> Option<Class> {
            let t = &toks[i];
            if is_numeric_token(l, &t.lower) {
                Some(Class::Number)
            } else if t.stop {
                None
            } else if t.capitalised {
                Some(Class::Name)
            } else {
                Some(Class::Word)
            }
        };
        let answer_class = if a_numeric_class {
            Class::Number
        } else if a_capitalised {
            Class::Name
        } else {
            Class::Word
        };
        let competitor =
            |i: usize| class(i) == Some(answer_class) && !is_q(i) && !(st..en).contains(&i);
        let mut closer_competitors = 0;
        let mut i = lo;
        while i < hi {
            if competitor(i) {
                let mut j = i;
                while j < hi && competitor(j) {
                    j += 1;
                }
                if prox(i, j, lo, hi) > a_prox + 1e-9 {
                    closer_competitors += 1;
                }
                i = j;
            } else {
                i += 1;
            }
        }

        Some(Analysis {
            qtype: question_type(l, question),
            start: st,
            sentence_strictly_best,
            answer_in_question: astems.is_empty() || astems.is_subset(&qstems),
            a_number: aw
                .iter()
                .any(|w| has_digit(w) || contains(&l.number_words, w)),
            a_time: aw
                .iter()
                .any(|w| has_digit(w) || contains(&l.time_words, w)),
            a_digit: aw.iter().any(|w| has_digit(w)),
            a_bare_year: content.len() == 1
                && content[0].len() == 4
                && content[0]
                    .parse::<u32>()
                    .is_ok_and(|y| (1000..=2100).contains(&y)),
            a_year_like: is_year_like(lang, l, &aw),
            a_time_word: aw.iter().any(|w| contains(&l.time_words, w)),
            a_starts_numeric: first_meaningful.is_some_and(|w| is_numeric_token(l, w)),
            a_capitalised,
            a_percent: is_percent(l, answer),
            q_percent: is_percent(l, question),
            q_year: qw.iter().any(|w| contains(&l.year_words, w)),
            q_quantity_cue: qw
                .iter()
                .any(|w| quantity_cues.contains(&text::stem(lang, w))),
            focus_elsewhere,
            content_gap,
            closer_competitors,
        })
    }

    fn decide(&self, profile: Profile) -> Option<Rule> {
        use QType::*;
        if self.answer_in_question {
            return Some(Rule::AnswerInQuestion);
        }
        let type_mismatch = (self.qtype == Num && (!self.a_number || self.a_bare_year))
            || (self.qtype == Time && !self.a_time)
            || (matches!(self.qtype, Person | Place) && self.a_digit)
            || (self.qtype == Time && !self.a_year_like && (self.q_year || !self.a_time_word))
            || (self.q_percent && !self.a_percent)
            || (self.a_percent && !self.q_percent && self.qtype != Num)
            || (matches!(self.qtype, Other | Person | Place)
                && self.a_starts_numeric
                && !self.q_quantity_cue)
            || (self.qtype == Person && !self.a_capitalised);
        if type_mismatch {
            return Some(Rule::TypeMismatch);
        }
        if !self.sentence_strictly_best {
            return Some(Rule::SentenceNotBest);
        }
        if self.focus_elsewhere {
            return Some(Rule::FocusElsewhere);
        }
        if self.content_gap.is_none_or(|g| g > profile.max_content_gap) {
            return Some(Rule::NotNextToQuestion);
        }
        if self.closer_competitors > profile.max_closer_competitors {
            return Some(Rule::CloserCompetitor);
        }
        None
    }
}

/// Checks a key against its context. With `evidence` (a byte range of the context), the
/// key must occur in it, and it must be the sentence the question is about.
pub fn check(
    ctx: &Context,
    question: &str,
    answer: &str,
    evidence: Option<(usize, usize)>,
    profile: Profile,
) -> Option<Rule> {
    match Analysis::new(ctx, question, answer, evidence) {
        None => Some(Rule::NotFound),
        Some(a) => a.decide(profile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: &str = "The Panthers finished the regular season with a 15-1 record. Quarterback Cam Newton was named the NFL Most Valuable Player. The game was played on February 7, 2016, at Levi's Stadium in Santa Clara, California. About 71,088 people attended the game.";

    fn verdict(question: &str, answer: &str) -> Option<Rule> {
        check(
            &Context::new("en", CONTEXT),
            question,
            answer,
            None,
            Profile::STRICT,
        )
    }

    fn lenient(question: &str, answer: &str) -> Option<Rule> {
        check(
            &Context::new("en", CONTEXT),
            question,
            answer,
            None,
            Profile::LENIENT,
        )
    }

    #[test]
    fn right_keys_pass_and_wrong_keys_from_the_same_paragraph_fail() {
        // "NFL" sits between the key and the question's words: only the lenient profile
        // lets that through.
        assert_eq!(
            verdict("Who was named the Most Valuable Player?", "Cam Newton"),
            Some(Rule::NotNextToQuestion)
        );
        assert_eq!(
            lenient("Who was named the Most Valuable Player?", "Cam Newton"),
            None
        );
        assert_eq!(
            verdict("How many people attended the game?", "71,088"),
            None
        );
        // Six content words between "played" and the key: too far even when lenient.
        assert_eq!(
            lenient("In what city was the game played?", "Santa Clara"),
            Some(Rule::NotNextToQuestion)
        );
        // Wrong keys: each is another question's answer.
        assert_eq!(
            verdict("Who was named the Most Valuable Player?", "71,088"),
            Some(Rule::TypeMismatch)
        );
        assert_eq!(
            verdict("How many people attended the game?", "Cam Newton"),
            Some(Rule::TypeMismatch)
        );
        assert!(verdict("In what city was the game played?", "Cam Newton").is_some());
        assert_eq!(
            verdict("Who was named the Most Valuable Player?", "Denver"),
            Some(Rule::NotFound)
        );
        assert_eq!(
            verdict("Was Cam Newton the most valuable player?", "Cam Newton"),
            Some(Rule::AnswerInQuestion)
        );
    }

    #[test]
    fn sentences_do_not_end_at_initials_or_abbreviations() {
        let text = "Dr. J. R. Smith arrived. He left at 5 p.m. on Friday! Then? Nothing.";
        let got: Vec<&str> = sentence_ranges("en", text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            got,
            vec![
                "Dr. J. R. Smith arrived.",
                "He left at 5 p.m. on Friday!",
                "Then?",
                "Nothing."
            ]
        );
    }

    #[test]
    fn question_types_and_focus_words() {
        let en = lists("en");
        assert_eq!(question_type(en, "How many people came?"), QType::Num);
        assert_eq!(
            question_type(en, "What happened when the war began?"),
            QType::Other
        );
        assert_eq!(
            question_type(lists("de"), "In welchem Jahr wurde die Brücke gebaut?"),
            QType::Time
        );
        assert_eq!(
            question_type(lists("ru"), "Сколько стоит билет?"),
            QType::Num
        );
        assert_eq!(
            focus_stem("en", en, "What award did he win?").as_deref(),
            Some("award")
        );
        assert_eq!(
            focus_stem("en", en, "How many points did they score?").as_deref(),
            Some("point")
        );
        assert_eq!(focus_stem("en", en, "Many people think what?"), None);
    }
}
