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
        let sentence_bytes = sentence_ranges(lang, text);
        let mut toks = Vec::new();
        let mut sentence_tokens = Vec::new();
        for (si, &(s, e)) in sentence_bytes.iter().enumerate() {
            let lo = toks.len();
            for (k, (ws, _, w)) in word_spans(&text[s..e]).into_iter().enumerate() {
                let lower = w.to_lowercase();
                toks.push(Tok {
                    stem: text::stem(lang, &lower),
                    stop: text::is_stop_word(lang, &lower),
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
        Some(self.sentence_bytes[self.toks[a.answer_start].sentence])
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
        return (!text::is_stop_word(lang, next)).then(|| text::stem(lang, next));
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

/// A run of tokens: `start..end`, token indices into the context.
type Span = (usize, usize);

/// The kind of thing a token is, as the last rule compares them.
#[derive(PartialEq, Clone, Copy)]
enum TokenKind {
    Number,
    Name,
    Word,
}

/// What the rules look at for one (question, answer) pair.
struct Analysis {
    qtype: QType,
    /// The first token of the answer's chosen occurrence.
    answer_start: usize,
    sentence_strictly_best: bool,
    answer_in_question: bool,
    answer_number: bool,
    answer_time: bool,
    answer_digit: bool,
    answer_bare_year: bool,
    answer_year_like: bool,
    answer_time_word: bool,
    answer_starts_numeric: bool,
    answer_capitalised: bool,
    answer_percent: bool,
    question_percent: bool,
    question_year: bool,
    question_quantity_cue: bool,
    focus_elsewhere: bool,
    content_gap: Option<usize>,
    closer_competitors: usize,
}

/// The question's content words, matched against the context's tokens.
struct QuestionWords<'a> {
    ctx: &'a Context,
    stems: HashSet<String>,
    /// The same stems in sorted order: sums run over them in this order, so that equal
    /// scores are equal to the last bit and every verdict is the same from run to run (hash
    /// order is not).
    sorted: Vec<String>,
}

impl<'a> QuestionWords<'a> {
    fn new(ctx: &'a Context, words: &[String]) -> QuestionWords<'a> {
        let stems: HashSet<String> = words
            .iter()
            .filter(|w| !text::is_stop_word(&ctx.lang, w))
            .map(|w| text::stem(&ctx.lang, w))
            .collect();
        let mut sorted: Vec<String> = stems.iter().cloned().collect();
        sorted.sort();
        QuestionWords { ctx, stems, sorted }
    }

    /// A stem's weight: the rarer among the context's sentences, the more it says.
    fn weight(&self, stem: &str) -> f64 {
        1.0 / *self.ctx.df.get(stem).unwrap_or(&1) as f64
    }

    /// Whether token `i` is one of the question's content words.
    fn at(&self, i: usize) -> bool {
        let token = &self.ctx.toks[i];
        !token.stop && self.stems.contains(&token.stem)
    }

    /// How well each sentence of the context matches the question: the weights of the
    /// question's stems it holds.
    fn sentence_scores(&self) -> Vec<f64> {
        self.ctx
            .sentence_stems
            .iter()
            .map(|stems| {
                self.sorted
                    .iter()
                    .filter(|s| stems.contains(*s))
                    .map(|s| self.weight(s))
                    .sum()
            })
            .collect()
    }

    /// How close the question's words sit to `span` among the tokens of `sentence`: each
    /// question stem counts once, at its nearest token, its weight decaying with distance.
    fn proximity(&self, span: Span, sentence: Span) -> f64 {
        let (start, end) = span;
        let mut nearest: BTreeMap<&str, usize> = BTreeMap::new();
        for i in sentence.0..sentence.1 {
            if (start..end).contains(&i) || !self.at(i) {
                continue;
            }
            let distance = if i < start { start - i } else { i - end + 1 };
            let d = nearest
                .entry(self.ctx.toks[i].stem.as_str())
                .or_insert(usize::MAX);
            *d = (*d).min(distance);
        }
        nearest
            .iter()
            .map(|(s, &d)| self.weight(s) * DECAY.get(d - 1).copied().unwrap_or(0.0))
            .sum()
    }

    /// Content words between `span` and the nearest question word within `sentence`, on
    /// whichever side is nearer; `None` when no question word is in the sentence.
    fn content_gap(&self, span: Span, sentence: Span) -> Option<usize> {
        let toks = &self.ctx.toks;
        let gap = |indices: &mut dyn Iterator<Item = usize>| -> Option<usize> {
            let mut words = 0;
            for i in indices {
                if self.at(i) {
                    return Some(words);
                }
                if !toks[i].stop {
                    words += 1;
                }
            }
            None
        };
        let left = gap(&mut (sentence.0..span.0).rev());
        let right = gap(&mut (span.1..sentence.1));
        match (left, right) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs of tokens of `kind` in `sentence`, outside `span` and not question words, that
    /// the question's words sit closer to than `span` (whose closeness is `span_proximity`).
    fn closer_competitors(
        &self,
        lists: &LangLists,
        kind: TokenKind,
        span: Span,
        span_proximity: f64,
        sentence: Span,
    ) -> usize {
        let toks = &self.ctx.toks;
        let kind_of = |i: usize| -> Option<TokenKind> {
            let t = &toks[i];
            if is_numeric_token(lists, &t.lower) {
                Some(TokenKind::Number)
            } else if t.stop {
                None
            } else if t.capitalised {
                Some(TokenKind::Name)
            } else {
                Some(TokenKind::Word)
            }
        };
        let competitor =
            |i: usize| kind_of(i) == Some(kind) && !self.at(i) && !(span.0..span.1).contains(&i);
        let mut closer = 0;
        let mut i = sentence.0;
        while i < sentence.1 {
            if competitor(i) {
                let mut j = i;
                while j < sentence.1 && competitor(j) {
                    j += 1;
                }
                if self.proximity((i, j), sentence) > span_proximity + 1e-9 {
                    closer += 1;
                }
                i = j;
            } else {
                i += 1;
            }
        }
        closer
    }
}

/// Where the answer's words occur as a run of tokens (starting inside `within`, a byte
/// range, when given).
fn occurrences(toks: &[Tok], answer_words: &[String], within: Option<(usize, usize)>) -> Vec<Span> {
    let n = answer_words.len();
    (0..=toks.len() - n)
        .filter(|&i| {
            toks[i..i + n]
                .iter()
                .zip(answer_words)
                .all(|(t, w)| &t.lower == w)
        })
        .filter(|&i| within.is_none_or(|(s, e)| toks[i].start >= s && toks[i + n - 1].start < e))
        .map(|i| (i, i + n))
        .collect()
}

/// Whether the word the question asks about ("what award", "how many goals") sits in the
/// answer's sentence but away from the answer, and not in it.
fn focus_elsewhere(
    ctx: &Context,
    lists: &LangLists,
    question: &str,
    answer_words: &[String],
    span: Span,
    sentence: Span,
) -> bool {
    let lang = ctx.lang.as_str();
    let toks = &ctx.toks;
    let Some(focus) = focus_stem(lang, lists, question) else {
        return false;
    };
    let (start, end) = span;
    let in_answer = answer_words.iter().any(|w| text::stem(lang, w) == focus);
    let in_sentence =
        (sentence.0..sentence.1).any(|i| !(start..end).contains(&i) && toks[i].stem == focus);
    let near = (sentence.0.max(start.saturating_sub(FOCUS_WINDOW))
        ..sentence.1.min(end + FOCUS_WINDOW))
        .any(|i| toks[i].stem == focus);
    in_sentence && !near && !in_answer
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
        let lists = lists(lang);
        let toks = &ctx.toks;
        let answer_words = norm_words(answer);
        let question_words = norm_words(question);
        if answer_words.is_empty() || answer_words.len() > toks.len() {
            return None;
        }
        let found = occurrences(toks, &answer_words, within);
        if found.is_empty() {
            return None;
        }
        let asked = QuestionWords::new(ctx, &question_words);
        let sentence_of = |(start, end): Span| -> Span {
            (
                ctx.sentence_tokens[toks[start].sentence].0,
                ctx.sentence_tokens[toks[end - 1].sentence].1,
            )
        };

        // The occurrence the question points at: in the best-matching sentence, the one the
        // question's words sit closest to.
        let scores = asked.sentence_scores();
        let top = found
            .iter()
            .map(|o| scores[toks[o.0].sentence])
            .fold(f64::MIN, f64::max);
        let mut chosen: Option<(Span, f64)> = None;
        for &o in found.iter().filter(|o| scores[toks[o.0].sentence] == top) {
            let p = asked.proximity(o, sentence_of(o));
            if chosen.is_none_or(|(_, best)| p > best) {
                chosen = Some((o, p));
            }
        }
        let (span, span_proximity) = chosen.expect("occurrences are not empty");
        let (start, end) = span;
        let sentence = sentence_of(span);
        let own = toks[start].sentence;
        let best_elsewhere = scores
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != own)
            .map(|(_, s)| *s)
            .fold(0.0, f64::max);

        // The answer's words.
        let answer_stems: HashSet<String> = answer_words
            .iter()
            .filter(|w| !text::is_stop_word(lang, w))
            .map(|w| text::stem(lang, w))
            .collect();
        let content: Vec<&String> = answer_words
            .iter()
            .filter(|w| !text::is_stop_word(lang, w))
            .collect();
        let first_meaningful = answer_words
            .iter()
            .find(|w| !text::is_stop_word(lang, w) || is_numeric_token(lists, w));
        // A capital that opens a sentence says nothing, unless the context writes the word
        // with a capital inside a sentence too ("Blackett said …" after "president Steve
        // Blackett").
        let named_inside = |lower: &str| {
            toks.iter()
                .any(|t| t.lower == lower && t.capitalised && !t.sentence_start)
        };
        let answer_capitalised = (start..end).any(|i| {
            toks[i].capitalised
                && !toks[i].stop
                && (!toks[i].sentence_start || named_inside(&toks[i].lower))
        });
        let kind = if answer_words.iter().any(|w| is_numeric_token(lists, w)) {
            TokenKind::Number
        } else if answer_capitalised {
            TokenKind::Name
        } else {
            TokenKind::Word
        };
        let quantity_cues: HashSet<String> = lists
            .quantity_cues
            .iter()
            .map(|w| text::stem(lang, w))
            .collect();

        Some(Analysis {
            qtype: question_type(lists, question),
            answer_start: start,
            sentence_strictly_best: scores[own] > best_elsewhere,
            answer_in_question: answer_stems.is_empty() || answer_stems.is_subset(&asked.stems),
            answer_number: answer_words
                .iter()
                .any(|w| has_digit(w) || contains(&lists.number_words, w)),
            answer_time: answer_words
                .iter()
                .any(|w| has_digit(w) || contains(&lists.time_words, w)),
            answer_digit: answer_words.iter().any(|w| has_digit(w)),
            answer_bare_year: content.len() == 1
                && content[0].len() == 4
                && content[0]
                    .parse::<u32>()
                    .is_ok_and(|y| (1000..=2100).contains(&y)),
            answer_year_like: is_year_like(lang, lists, &answer_words),
            answer_time_word: answer_words.iter().any(|w| contains(&lists.time_words, w)),
            answer_starts_numeric: first_meaningful.is_some_and(|w| is_numeric_token(lists, w)),
            answer_capitalised,
            answer_percent: is_percent(lists, answer),
            question_percent: is_percent(lists, question),
            question_year: question_words
                .iter()
                .any(|w| contains(&lists.year_words, w)),
            question_quantity_cue: question_words
                .iter()
                .any(|w| quantity_cues.contains(&text::stem(lang, w))),
            focus_elsewhere: focus_elsewhere(ctx, lists, question, &answer_words, span, sentence),
            content_gap: asked.content_gap(span, sentence),
            closer_competitors: asked.closer_competitors(
                lists,
                kind,
                span,
                span_proximity,
                sentence,
            ),
        })
    }

    fn decide(&self, profile: Profile) -> Option<Rule> {
        use QType::*;
        if self.answer_in_question {
            return Some(Rule::AnswerInQuestion);
        }
        let type_mismatch = (self.qtype == Num && (!self.answer_number || self.answer_bare_year))
            || (self.qtype == Time && !self.answer_time)
            || (matches!(self.qtype, Person | Place) && self.answer_digit)
            || (self.qtype == Time
                && !self.answer_year_like
                && (self.question_year || !self.answer_time_word))
            || (self.question_percent && !self.answer_percent)
            || (self.answer_percent && !self.question_percent && self.qtype != Num)
            || (matches!(self.qtype, Other | Person | Place)
                && self.answer_starts_numeric
                && !self.question_quantity_cue)
            || (self.qtype == Person && !self.answer_capitalised);
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
    fn a_name_that_opens_its_sentence_is_a_name_where_the_context_says_so() {
        let said = "Blackett said the special conference would feature a devotion.";
        let judge = |context: &str| {
            check(
                &Context::new("en", context),
                "Who said the special conference would feature a devotion?",
                "Blackett",
                None,
                Profile::STRICT,
            )
        };
        assert_eq!(
            judge(&format!("Interim president Steve Blackett spoke. {said}")),
            None
        );
        // Only at a sentence's start, a capital may be any word's.
        assert_eq!(judge(said), Some(Rule::TypeMismatch));
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
