//! The individual checks behind [`super::verify`]. Each returns the reasons it found (empty
//! when the exercise passes).

use std::collections::{HashMap, HashSet};

use super::{AnswerModel, Reason};
use crate::analysis::addressed::{addresses_reader, has_markup, has_url, looks_like_instructions};
use crate::analysis::lexical::{self, Profile, Rule};
use crate::analysis::{ArticleText, classes, english, squash};
use crate::exercise::{Exercise, GAP};
use crate::text;

const MAX_PROMPT_CHARS: usize = 300;
const MIN_PROMPT_CHARS: usize = 8;
const MAX_ANSWER_CHARS: usize = 120;
const MAX_ANSWER_WORDS: usize = 12;

// --- form -----------------------------------------------------------------------------

pub(super) fn form(ex: &Exercise, lang: &str) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let prompt = ex.prompt().trim();
    let answer = ex.answer_text();
    let options = ex.options();
    let mut texts: Vec<&str> = vec![prompt, answer.as_str(), ex.evidence()];
    texts.extend(options.iter().map(String::as_str));
    if let Exercise::Vocabulary { word, .. } = ex {
        texts.push(word);
    }

    if prompt.is_empty() || answer.trim().is_empty() || ex.evidence().trim().is_empty() {
        reasons.push(Reason::MissingField);
    }
    // A question is one sentence: "… the system I've set up. I am now very, 2?" is not
    // (a quotation inside it may hold several: "Who said: “We won. It rained.”?").
    if matches!(
        ex,
        Exercise::MultipleChoice { .. } | Exercise::ShortAnswer { .. }
    ) && text::sentences(&without_quotations(prompt)).len() > 1
    {
        reasons.push(Reason::UngrammaticalQuestion);
    }
    // No prompt stutters ("conta più di più di 300 iscritti", "the the"), unless its
    // evidence does. Quotations are the article's words (and a vocabulary question quotes
    // its word: What does the word "mean" mean?).
    if stutters(&without_quotations(prompt), ex.evidence()) {
        reasons.push(Reason::UngrammaticalQuestion);
    }
    // A question, its key and its options are whole pieces of language.
    if matches!(
        ex,
        Exercise::MultipleChoice { .. } | Exercise::ShortAnswer { .. }
    ) && [prompt, answer.as_str()]
        .into_iter()
        .chain(options.iter().map(String::as_str))
        .any(|t| !text::quotes_balanced(t))
    {
        reasons.push(Reason::CutQuotation);
    }
    match ex {
        Exercise::MultipleChoice {
            options, answer, ..
        }
        | Exercise::Vocabulary {
            options, answer, ..
        } => {
            if *answer >= options.len()
                || options.len() < 2
                || options.iter().any(|o| o.trim().is_empty())
            {
                reasons.push(Reason::MissingField);
            }
            if options.len() > 6 {
                reasons.push(Reason::BadLength);
            }
        }
        Exercise::GapFill {
            options,
            answer,
            sentence,
            ..
        } => {
            if !options.is_empty() && !options.contains(answer) {
                reasons.push(Reason::MissingField);
            }
            // A bank shows the key and two or three wrong options (a constructed bank's
            // spares are dropped before: `generation::prune_banks`); one wrong option is a
            // coin toss.
            if options.len() > 1 + crate::generation::BANK_WRONG
                || (!options.is_empty() && options.len() < 3)
            {
                reasons.push(Reason::BadLength);
            }
            if sentence.matches(GAP).count() != 1 {
                reasons.push(Reason::GapMismatch);
            }
        }
        Exercise::Order { items, answer, .. } => {
            let mut sorted = answer.clone();
            sorted.sort_unstable();
            if !(3..=5).contains(&items.len())
                || sorted != (0..items.len()).collect::<Vec<_>>()
                || items.iter().any(|i| i.trim().is_empty())
            {
                reasons.push(Reason::MissingField);
            }
        }
        _ => {}
    }
    let prompt_len = prompt.chars().count();
    if !(MIN_PROMPT_CHARS..=MAX_PROMPT_CHARS).contains(&prompt_len)
        || answer.chars().count() > MAX_ANSWER_CHARS
        || options.iter().any(|o| {
            // An order exercise's options are whole sentences.
            let most = if matches!(ex, Exercise::Order { .. }) {
                MAX_PROMPT_CHARS
            } else {
                MAX_ANSWER_CHARS
            };
            o.chars().count() > most
        })
        || (matches!(ex, Exercise::ShortAnswer { .. })
            && text::words(&answer).len() > MAX_ANSWER_WORDS)
    {
        reasons.push(Reason::BadLength);
    }
    if texts.iter().any(|t| has_markup(t)) {
        reasons.push(Reason::Markup);
    }
    if texts.iter().any(|t| has_url(t)) {
        reasons.push(Reason::Url);
    }
    // Whole sentences (the prompt, the evidence, long options) must not address the reader;
    // no text may talk to a model or about answers.
    if texts.iter().any(|t| looks_like_instructions(t))
        || [prompt, ex.evidence()].iter().any(|t| addresses_reader(t))
        || options
            .iter()
            .any(|o| text::words(o).len() >= 3 && addresses_reader(o))
    {
        reasons.push(Reason::LooksLikeInstructions);
    }
    // Language: judged on the learner-facing text when there is enough of it to judge.
    let sample = format!("{prompt} {}", options.join(" "));
    if text::words(&sample).len() >= 6
        && let Some(d) = crate::articles::detect_language(&sample)
        && d.reliable
        && d.code != lang
        && crate::lang::is_supported(lang)
    {
        reasons.push(Reason::WrongLanguage);
    }
    reasons.sort();
    reasons.dedup();
    reasons
}

/// The text with what stands between quotation marks left out.
fn without_quotations(text: &str) -> String {
    let mut out = String::new();
    let mut closing: Option<char> = None;
    for c in text.chars() {
        match closing {
            Some(close) if c == close => closing = None,
            Some(_) => {}
            None => match c {
                '“' => closing = Some('”'),
                '«' => closing = Some('»'),
                '„' => closing = Some('“'),
                '"' => closing = Some('"'),
                _ => out.push(c),
            },
        }
    }
    out
}

// --- real language --------------------------------------------------------------------

/// How far down the language's frequency list an invented option word may be: below the
/// 100,000 most frequent words, wordfreq's lists hold typos, fragments and run-ons.
/// The longest word an option may hold when it is not a word of the article.
const MAX_WORD_CHARS: usize = 24;

fn has_vowel(word: &str) -> bool {
    word.chars().any(|c| {
        "aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœаеёиоуыэюяіїє"
            .contains(c.to_lowercase().next().unwrap_or(c))
    })
}

/// Whether a word (lower-cased) looks like a word of a language at all: a number, or
/// letters of one script (inner apostrophes and dots allowed) with a vowel, no letter
/// three times in a row and not too long.
fn word_shaped(word: &str) -> bool {
    if word
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return word.chars().any(|c| c.is_ascii_digit());
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty()
        || word
            .chars()
            .any(|c| !(c.is_alphabetic() || matches!(c, '\'' | '’' | '.' | '·')))
        || letters.len() > MAX_WORD_CHARS
    {
        return false;
    }
    let first = text::script(letters[0]);
    if first == 0 || letters.iter().any(|c| text::script(*c) != first) {
        return false;
    }
    if letters.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return false;
    }
    // Abbreviations and single letters are words only when the article has them.
    letters.len() >= 2 && has_vowel(word)
}

/// The offensive-word list of a language: its home's `offensive.txt` (LDNOOBW, CC BY 4.0;
/// see each file's header).
fn offensive_list(lang: &str) -> &'static [Vec<String>] {
    use std::sync::LazyLock;
    static LISTS: LazyLock<HashMap<&'static str, Vec<Vec<String>>>> = LazyLock::new(|| {
        crate::lang::HOMES
            .iter()
            .map(|home| {
                let phrases = home
                    .file("offensive.txt")
                    .lines()
                    .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                    .map(text::normalized_words)
                    .filter(|w| !w.is_empty())
                    .collect();
                (home.code, phrases)
            })
            .collect()
    });
    LISTS.get(lang).map_or(&[], Vec::as_slice)
}

/// Whether a text holds a phrase of the language's offensive-word list (as whole words).
fn is_offensive(lang: &str, text: &str) -> bool {
    let words = text::normalized_words(text);
    offensive_list(lang)
        .iter()
        .any(|phrase| words.windows(phrase.len()).any(|w| w == phrase.as_slice()))
}

/// Options and keys must be real language: words of the article or of the language's word
/// list (no garbled tokens, run-ons or mixed scripts), words where words are expected (no
/// sentence as an option beside a short key), and nothing offensive in anything shown.
pub(super) fn real_language(ex: &Exercise, article: &ArticleText) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let lang = article.lang();
    let answer = ex.answer_text();
    let options = ex.options();
    let mut shown: Vec<&str> = options.iter().map(String::as_str).collect();
    if !matches!(ex, Exercise::TrueFalse { .. }) {
        shown.push(answer.as_str());
    }
    if let Exercise::Vocabulary { word, .. } = ex {
        shown.push(word);
    }
    // Every word shown as an option or key: the article's, or a real word of the language.
    // Numbers are checked against the evidence elsewhere; word lists hold none.
    let numeric = |w: &str| {
        w.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    };
    // A question the model wrote is held to real words too: "The answer is ”the enormous
    // welwte iament 3e …„?" reached a delivered short answer on real English news.
    let asked = match ex {
        Exercise::MultipleChoice { question, .. } | Exercise::ShortAnswer { question, .. } => {
            Some(question.as_str())
        }
        _ => None,
    };
    let read: Vec<&str> = shown.iter().copied().chain(asked).collect();
    let unknown = read
        .iter()
        .flat_map(|t| text::normalized_words(t))
        .any(|w| {
            if numeric(&w) {
                return !word_shaped(&w);
            }
            // The language's function words are words, lists or not ("a", "y", "в").
            if text::is_stop_word(lang, &w) {
                return false;
            }
            match article.knows_word(&w) {
                Some(true) => false,
                Some(false) => true,
                None => !word_shaped(&w),
            }
        });
    // Shape rules hold even for words the list knows (it holds fragments like "theres"
    // only far down; mixed scripts never).
    let misshapen = read.iter().flat_map(|t| text::words(t)).any(|w| {
        let lower = w.to_lowercase();
        !article.has_word(&lower) && !text::is_stop_word(lang, &lower) && !word_shaped(&lower)
    });
    if unknown || misshapen {
        reasons.push(Reason::NonWord);
    }
    // A sentence where a word or short phrase is expected.
    let key_words = text::words(&answer).len();
    let word_kind = matches!(ex, Exercise::GapFill { .. } | Exercise::Vocabulary { .. });
    if options.iter().any(|o| {
        let n = text::words(o).len();
        let sentence_end = o.trim_end().ends_with(['.', '!', '?', '…']) && n >= 3;
        squash(o) == squash(ex.evidence())
            || (word_kind && (n > 4 || sentence_end))
            || (key_words <= 4 && (n >= 8 || sentence_end))
    }) {
        reasons.push(Reason::SentenceAsOption);
    }
    if shown
        .iter()
        .chain([&ex.prompt()])
        .any(|t| is_offensive(lang, t))
    {
        reasons.push(Reason::Offensive);
    }
    reasons
}

// --- grounding ------------------------------------------------------------------------

fn stems(lang: &str, s: &str) -> HashSet<String> {
    text::content_stems(lang, s).into_iter().collect()
}

/// Whether `claim` is supported by `evidence`: its content words (by stem) are in the
/// evidence, and so are its numbers and names, exactly.
fn supported(lang: &str, claim: &str, evidence: &str) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let ev_numbers: HashSet<String> = text::numbers(evidence)
        .iter()
        .map(|n| unpadded(n))
        .collect();
    if text::numbers(claim)
        .iter()
        .any(|n| !ev_numbers.contains(&unpadded(n)))
    {
        reasons.push(Reason::NumberMismatch);
    }
    let ev_words: HashSet<String> = text::normalized_words(evidence).into_iter().collect();
    let names = capitalised_in_claim(claim);
    if names.iter().any(|n| !ev_words.contains(n)) {
        reasons.push(Reason::NameMismatch);
    }
    // A number the evidence has by value is there, however it is written.
    let same_number =
        |w: &String| w.chars().any(|c| c.is_ascii_digit()) && ev_numbers.contains(&unpadded(w));
    let mut claim_stems = stems(lang, claim);
    claim_stems.retain(|s| !same_number(s));
    let ev_stems = stems(lang, evidence);
    let words_ok = if claim_stems.is_empty() {
        text::normalized_words(claim)
            .iter()
            .filter(|w| !same_number(w))
            .all(|w| ev_words.contains(w))
    } else {
        claim_stems.iter().all(|s| ev_stems.contains(s))
    };
    if !words_ok {
        reasons.push(Reason::KeyNotInEvidence);
    }
    reasons
}

/// A number as its value reads, without the zeros that pad its parts: "01.09.2015" is
/// "1.9.2015", the same date (a statement that only writes it otherwise is not false).
fn unpadded(number: &str) -> String {
    number
        .split('.')
        .map(|part| match part.trim_start_matches('0') {
            "" if !part.is_empty() => "0",
            trimmed => trimmed,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Capitalised words of a short claim (keys are fragments: every capitalised word counts,
/// the first one too unless it is a stop word).
fn capitalised_in_claim(claim: &str) -> Vec<String> {
    text::words(claim)
        .into_iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(str::to_lowercase)
        .collect()
}

/// Whether another sentence of the article answers the question with a wrong option: it
/// holds the option and every content word of the question (at least two). "How much is
/// the stock's 52-week high?" has several answers where the article lists several stocks,
/// each with its "The stock's 52-week high is …".
fn answered_elsewhere(
    article: &ArticleText,
    question: &str,
    options: &[String],
    answer: usize,
    evidence: &str,
) -> bool {
    let lang = article.lang();
    let wanted = stems(lang, question);
    if wanted.len() < 2 {
        return false;
    }
    article
        .sentences()
        .iter()
        .filter(|s| s.as_str() != evidence)
        .any(|s| {
            let lower = s.to_lowercase();
            options
                .iter()
                .enumerate()
                .any(|(i, o)| i != answer && text::has_phrase(&lower, &o.to_lowercase()))
                && wanted.is_subset(&stems(lang, s))
        })
}

fn is_supported(lang: &str, claim: &str, evidence: &str) -> bool {
    supported(lang, claim, evidence).is_empty()
}

pub(super) fn grounding(ex: &Exercise, article: &ArticleText) -> Vec<Reason> {
    let lang = article.lang();
    let evidence = ex.evidence();
    if let Exercise::Order { items, answer, .. } = ex {
        return order_grounding(items, answer, evidence, article);
    }
    if !article.has_sentence(evidence) {
        return vec![Reason::EvidenceNotInArticle];
    }
    let mut reasons = real_language(ex, article);
    match ex {
        Exercise::Order { .. } => unreachable!("order exercises are grounded above"),
        Exercise::ShortAnswer { answer, .. } => reasons.extend(supported(lang, answer, evidence)),
        Exercise::MultipleChoice {
            question,
            options,
            answer,
            ..
        } => {
            reasons.extend(supported(lang, &options[*answer], evidence));
            reasons.extend(distractor_checks(lang, options, *answer, evidence));
            if !reasons.contains(&Reason::DistractorSupported)
                && answered_elsewhere(article, question, options, *answer, evidence)
            {
                reasons.push(Reason::DistractorSupported);
            }
        }
        Exercise::Vocabulary {
            word,
            options,
            answer,
            ..
        } => {
            // A whole word, or the word after an elision ("d'avocats", "l'engouement").
            if !text::has_phrase(&evidence.to_lowercase(), &word.to_lowercase()) {
                reasons.push(Reason::KeyNotInEvidence);
            }
            if !options_distinct(options) {
                reasons.push(Reason::OptionsNotDistinct);
            }
            let _ = answer;
        }
        Exercise::GapFill {
            sentence,
            answer,
            options,
            ..
        } => {
            let rebuilt = sentence.replacen(GAP, answer, 1);
            if squash(&rebuilt) != squash(evidence) {
                reasons.push(Reason::GapMismatch);
            }
            if !options.is_empty() {
                if !options_distinct(options) {
                    reasons.push(Reason::OptionsNotDistinct);
                }
                // No other option may fit the gap as the article has it.
                let evidence_words: HashSet<String> =
                    text::normalized_words(evidence).into_iter().collect();
                // Nor one that means nearly what the key means ("immunization" beside
                // "vaccination"): it fits the gap as well.
                if options.iter().filter(|o| *o != answer).any(|o| {
                    text::normalized_words(o)
                        .iter()
                        .all(|w| evidence_words.contains(w))
                        || classes::related(lang, o, answer)
                }) {
                    reasons.push(Reason::DistractorSupported);
                }
                // A content word's options of its word class, where the language lists
                // classes (a name's, a number's, a month's or an ordinal's options are of
                // their own kind: "mars" may be a plural, "janvier" not).
                let previous = sentence
                    .find(GAP)
                    .and_then(|at| classes::word_before(sentence, at));
                if crate::exercise::is_content_word(lang, answer)
                    && options
                        .iter()
                        .any(|o| !classes::same_class(lang, previous.as_deref(), answer, o))
                {
                    reasons.push(Reason::OptionClassMismatch);
                }
                // "In an _____ town hall meeting": only the key may start as "an" says.
                if lang == "en"
                    && options
                        .iter()
                        .any(|o| !english::article_agrees(previous.as_deref(), answer, o))
                    && !reasons.contains(&Reason::OptionClassMismatch)
                {
                    reasons.push(Reason::OptionClassMismatch);
                }
            }
        }
        Exercise::TrueFalse {
            statement, answer, ..
        } => {
            // A number restated as "more than": its truth is arithmetic.
            if let Some(truth) = comparison_truth(lang, statement, evidence) {
                if truth != *answer {
                    reasons.push(if *answer {
                        Reason::StatementUnsupported
                    } else {
                        Reason::StatementNotFalse
                    });
                }
                reasons.sort();
                reasons.dedup();
                return reasons;
            }
            if *answer && text::normalize(statement) == text::normalize(evidence) {
                reasons.push(Reason::StatementCopiesEvidence);
            }
            let support = supported(lang, statement, evidence);
            let overlap = overlap_ratio(lang, statement, evidence);
            if *answer {
                if !support.is_empty() || overlap < 0.9 {
                    reasons.push(Reason::StatementUnsupported);
                }
            } else {
                // A false statement is the evidence with a fact changed: mostly the same
                // words, but a number, name or word that the evidence does not have.
                if support.is_empty() || overlap < 0.5 {
                    reasons.push(Reason::StatementNotFalse);
                }
            }
        }
    }
    reasons.sort();
    reasons.dedup();
    reasons
}

/// Whether a text repeats a run of one to three words back to back ("più di più di")
/// where `evidence` does not.
fn stutters(text: &str, evidence: &str) -> bool {
    let words = text::normalized_words(text);
    let evidence = text::normalized_words(evidence);
    (1..=3).any(|n| {
        words
            .windows(2 * n)
            .any(|run| run[..n] == run[n..] && !evidence.windows(2 * n).any(|e| e == run))
    })
}

/// For a statement that is its evidence with one whole number `n` replaced by "more than
/// `m`": whether that is true (`n > m`). `None` when the statement is no such restatement.
pub(super) fn comparison_truth(lang: &str, statement: &str, evidence: &str) -> Option<bool> {
    let phrase = format!("{} ", crate::analysis::more_than(lang)?);
    let (statement, evidence) = (squash(statement), squash(evidence));
    for (at, _) in statement.match_indices(&phrase) {
        let prefix = &statement[..at];
        let after = &statement[at + phrase.len()..];
        let m_len = after
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(after.len());
        // A trailing full stop or comma belongs to the sentence, not to the number.
        let m_word = after[..m_len].trim_end_matches(['.', ',']);
        let suffix = &after[m_word.len()..];
        let Some(m) = text::count_value(m_word) else {
            continue;
        };
        let Some(middle) = evidence
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
        else {
            continue;
        };
        if let Some(n) = text::count_value(middle) {
            return Some(n > m);
        }
    }
    None
}

/// An order exercise: every item is a sentence of the article, none twice; the key puts
/// them in the order of their places in the article, which the shown order is not; the
/// evidence is the items in that order; nothing offensive.
fn order_grounding(
    items: &[String],
    answer: &[usize],
    evidence: &str,
    article: &ArticleText,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let places: Option<Vec<usize>> = items
        .iter()
        .map(|i| article.sentence_range(i).map(|(start, _)| start))
        .collect();
    let Some(places) = places else {
        return vec![Reason::EvidenceNotInArticle];
    };
    if !options_distinct(items) {
        reasons.push(Reason::OptionsNotDistinct);
    }
    if items.iter().any(|i| article.echoed(i)) {
        reasons.push(Reason::OrderAmbiguous);
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|i| places[*i]);
    let in_order: Vec<&str> = order.iter().map(|i| items[*i].as_str()).collect();
    if order != answer
        || order.iter().enumerate().all(|(k, i)| k == *i)
        || squash(evidence) != squash(&in_order.join(crate::exercise::ORDER_SEPARATOR))
    {
        reasons.push(Reason::OrderMismatch);
    }
    if items.iter().any(|i| is_offensive(article.lang(), i)) {
        reasons.push(Reason::Offensive);
    }
    reasons.sort();
    reasons.dedup();
    reasons
}

fn options_distinct(options: &[String]) -> bool {
    let normalized: HashSet<String> = options.iter().map(|o| text::normalize(o)).collect();
    normalized.len() == options.len()
}

fn distractor_checks(lang: &str, options: &[String], answer: usize, evidence: &str) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if !options_distinct(options) {
        reasons.push(Reason::OptionsNotDistinct);
    }
    let key = text::normalize(&options[answer]);
    for (i, option) in options.iter().enumerate() {
        if i == answer {
            continue;
        }
        let o = text::normalize(option);
        // A distractor that the evidence supports, or that says the same as the key, is a
        // second right answer.
        if is_supported(lang, option, evidence) || o.contains(&key) || key.contains(&o) {
            reasons.push(Reason::DistractorSupported);
            break;
        }
    }
    reasons
}

/// Share of the claim's content stems found in the evidence.
fn overlap_ratio(lang: &str, claim: &str, evidence: &str) -> f64 {
    let c = stems(lang, claim);
    if c.is_empty() {
        return 0.0;
    }
    let e = stems(lang, evidence);
    c.iter().filter(|s| e.contains(*s)).count() as f64 / c.len() as f64
}

// --- fit ------------------------------------------------------------------------------

fn reason_of(rule: Rule) -> Reason {
    match rule {
        Rule::NotFound => Reason::KeyNotInEvidence,
        Rule::AnswerInQuestion => Reason::AnswerInQuestion,
        Rule::TypeMismatch => Reason::AnswerTypeMismatch,
        Rule::SentenceNotBest => Reason::QuestionNotAboutEvidence,
        Rule::FocusElsewhere => Reason::FocusElsewhere,
        Rule::NotNextToQuestion => Reason::KeyNotNextToQuestion,
        Rule::CloserCompetitor => Reason::CloserCompetitor,
    }
}

/// Does the key fit the question? For question-and-key exercises: the lexical rules (type
/// of answer, the question's sentence, where the key sits in it), with the exercise's own
/// evidence as the sentence the key must come from.
pub(super) fn fit(ex: &Exercise, article: &ArticleText, profile: Profile) -> Vec<Reason> {
    let (question, key) = match ex {
        Exercise::MultipleChoice {
            question,
            options,
            answer,
            ..
        } => (question, options[*answer].as_str()),
        Exercise::ShortAnswer {
            question, answer, ..
        } => (question, answer.as_str()),
        _ => return Vec::new(),
    };
    let Some(evidence) = article.sentence_range(ex.evidence()) else {
        return vec![Reason::EvidenceNotInArticle];
    };
    match lexical::check(article.lexical(), question, key, Some(evidence), profile) {
        None => Vec::new(),
        Some(rule) => vec![reason_of(rule)],
    }
}

pub(super) fn is_duplicate<'a>(ex: &Exercise, lesson: impl Iterator<Item = &'a Exercise>) -> bool {
    let prompt = text::normalize(ex.prompt());
    let key = (squash(ex.evidence()), text::normalize(&ex.answer_text()));
    // One answer asked for twice: "In which year did we create a beta?" and "how a beta
    // test in _____ escalated", both 2019 (real English news); whoever found it once
    // writes it again.
    let span = asks_for_a_span(ex).then(|| text::normalize(&ex.answer_text()));
    for other in lesson {
        if text::normalize(other.prompt()) == prompt {
            return true;
        }
        if span.is_some()
            && asks_for_a_span(other)
            && span.as_deref() == Some(text::normalize(&other.answer_text()).as_str())
        {
            return true;
        }
        if (
            squash(other.evidence()),
            text::normalize(&other.answer_text()),
        ) == key
        {
            return true;
        }
    }
    false
}

/// Whether this exercise and another of the lesson give each other's key away: one shows
/// the other's key with a word its evidence has beside it. Real Spanish news: "La deuda
/// externa total aumentó en _____ millones de dólares" beside a true/false statement that
/// reads "La deuda externa total aumentó en 884,3 millones …".
///
/// Two exercises that ask for the same fact answer each other too: the same key beside the
/// same word of its evidence ("am 21. und 22. _____ 2022" beside the false statements "im
/// Februar 2022" and "am 21. und 22. März 2022", all three about "Mai 2022" on real German
/// news), a true/false statement's key being the words its statement changed.
pub(super) fn gives_away<'a>(ex: &Exercise, lesson: impl Iterator<Item = &'a Exercise>) -> bool {
    let own = key_in_context(ex);
    let fact = asked_fact(ex);
    let shown = shown_words(ex);
    for other in lesson {
        if let (Some(a), Some(b)) = (&fact, asked_fact(other))
            && a.same_fact(&b)
        {
            return true;
        }
        if own
            .as_ref()
            .is_some_and(|k| k.shown_in(&shown_words(other)))
        {
            return true;
        }
        if key_in_context(other).is_some_and(|k| k.shown_in(&shown)) {
            return true;
        }
    }
    false
}

/// Whether an exercise asks for a span of its evidence (a gap's word, a question's answer).
fn asks_for_a_span(ex: &Exercise) -> bool {
    matches!(
        ex,
        Exercise::GapFill { .. } | Exercise::MultipleChoice { .. } | Exercise::ShortAnswer { .. }
    )
}

/// A key's words with the word before and the word after it in its evidence.
struct KeyInContext {
    key: Vec<String>,
    before: Option<String>,
    after: Option<String>,
}

impl KeyInContext {
    /// Whether two keys are one fact: the same words beside the same word before or after.
    fn same_fact(&self, other: &KeyInContext) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        self.key == other.key
            && (same(&self.before, &other.before) || same(&self.after, &other.after))
    }

    /// Whether one of these texts (each a list of lower-case words) has the key with the
    /// word before it or the word after it.
    fn shown_in(&self, texts: &[Vec<String>]) -> bool {
        let patterns: [Option<Vec<&String>>; 2] = [
            self.before
                .as_ref()
                .map(|b| std::iter::once(b).chain(&self.key).collect()),
            self.after
                .as_ref()
                .map(|a| self.key.iter().chain(std::iter::once(a)).collect()),
        ];
        texts.iter().any(|words| {
            patterns.iter().flatten().any(|p| {
                words
                    .windows(p.len())
                    .any(|w| w.iter().zip(p).all(|(a, b)| a == *b))
            })
        })
    }
}

/// The key of an exercise that asks for a span of its evidence, in its context there.
fn key_in_context(ex: &Exercise) -> Option<KeyInContext> {
    if !asks_for_a_span(ex) {
        return None;
    }
    let key = text::normalized_words(&ex.answer_text());
    if key.is_empty() {
        return None;
    }
    let evidence = text::normalized_words(ex.evidence());
    let at = evidence
        .windows(key.len())
        .position(|w| w == key.as_slice())?;
    Some(KeyInContext {
        before: at.checked_sub(1).map(|i| evidence[i].clone()),
        after: evidence.get(at + key.len()).cloned(),
        key,
    })
}

/// The fact an exercise asks about: the key of one that asks for a span, or the words of
/// its evidence that a true/false statement changed ("30" of "mehr als 20" for "30", "mai"
/// of "im Februar" for "im Mai"), in their context in the evidence.
fn asked_fact(ex: &Exercise) -> Option<KeyInContext> {
    let Exercise::TrueFalse {
        statement,
        evidence,
        ..
    } = ex
    else {
        return key_in_context(ex);
    };
    let ev = text::normalized_words(evidence);
    let st = text::normalized_words(statement);
    let prefix = ev.iter().zip(&st).take_while(|(a, b)| a == b).count();
    let suffix = ev[prefix..]
        .iter()
        .rev()
        .zip(st[prefix.min(st.len())..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let key = ev[prefix..ev.len() - suffix].to_vec();
    // A statement that changed nothing, or much: no one fact.
    if key.is_empty() || key.len() > 3 {
        return None;
    }
    Some(KeyInContext {
        before: prefix.checked_sub(1).map(|i| ev[i].clone()),
        after: ev.get(ev.len() - suffix).cloned(),
        key,
    })
}

/// What a learner reads of an exercise, each text as its lower-case words: the prompt and
/// each option or order item.
fn shown_words(ex: &Exercise) -> Vec<Vec<String>> {
    std::iter::once(ex.prompt())
        .chain(ex.options().iter().map(String::as_str))
        .map(text::normalized_words)
        .collect()
}

// --- round trip -------------------------------------------------------------------------

/// Whether a model's short answer matches the key: same numbers, and the content stems of
/// one contain those of the other, or overlap with F1 of at least 0.5.
pub(super) fn answers_match(lang: &str, model_answer: &str, key: &str) -> bool {
    let a_num: HashSet<String> = text::numbers(model_answer).into_iter().collect();
    let k_num: HashSet<String> = text::numbers(key).into_iter().collect();
    if !k_num.is_empty() && !k_num.is_subset(&a_num) {
        return false;
    }
    let a = stems(lang, model_answer);
    let k = stems(lang, key);
    if k.is_empty() || a.is_empty() {
        return text::normalize(model_answer) == text::normalize(key);
    }
    let common = a.intersection(&k).count() as f64;
    if common == 0.0 {
        return false;
    }
    let precision = common / a.len() as f64;
    let recall = common / k.len() as f64;
    recall == 1.0 || 2.0 * precision * recall / (precision + recall) >= 0.5
}

pub(super) async fn round_trip<M: AnswerModel>(
    ex: &Exercise,
    article: &ArticleText,
    model: &M,
) -> Vec<Reason> {
    match ex {
        Exercise::MultipleChoice {
            question,
            options,
            answer,
            evidence,
        }
        | Exercise::Vocabulary {
            question,
            options,
            answer,
            evidence,
            ..
        } => {
            match model.choose(article.text(), question, options).await {
                Err(_) => return vec![Reason::RoundTripFailed],
                Ok(choice) if choice != *answer => return vec![Reason::RoundTripDisagrees],
                Ok(_) => {}
            }
            match model.choose(evidence, question, options).await {
                Err(_) => return vec![Reason::RoundTripFailed],
                Ok(choice) if choice != *answer => return vec![Reason::EvidenceOnlyDisagrees],
                Ok(_) => {}
            }
            // A question the model answers without the article tests knowledge, not reading
            // (word meanings excepted: knowing them is the point of a vocabulary exercise).
            if matches!(ex, Exercise::MultipleChoice { .. }) {
                match model.choose("", question, options).await {
                    Err(_) => return vec![Reason::RoundTripFailed],
                    Ok(choice) if choice == *answer => {
                        return vec![Reason::AnswerableWithoutArticle];
                    }
                    Ok(_) => {}
                }
            }
            vec![]
        }
        Exercise::ShortAnswer {
            question, answer, ..
        } => match model.answer_span(article.text(), question).await {
            Err(e) => {
                tracing::debug!(question, key = answer, error = %e, "round trip failed");
                vec![Reason::RoundTripFailed]
            }
            Ok(given) => {
                let agrees = answers_match(article.lang(), &given, answer);
                tracing::debug!(question, key = answer, given, agrees, "round trip");
                if agrees {
                    vec![]
                } else {
                    vec![Reason::RoundTripDisagrees]
                }
            }
        },
        Exercise::TrueFalse {
            statement, answer, ..
        } => {
            let options = vec!["True".to_string(), "False".to_string()];
            let want = if *answer { 0 } else { 1 };
            match model.choose(article.text(), statement, &options).await {
                Err(_) => vec![Reason::RoundTripFailed],
                Ok(choice) if choice != want => vec![Reason::RoundTripDisagrees],
                Ok(_) => vec![],
            }
        }
        // A gap is checked by construction: the rebuilt sentence is the evidence; an order
        // by the sentences' places in the article.
        Exercise::GapFill { .. } | Exercise::Order { .. } => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_that_stutters_is_refused_unless_its_evidence_does() {
        let evidence = "Oggi l'associazione conta più di 400 iscritti.";
        assert!(stutters(
            "Oggi l'associazione conta più di più di 300 iscritti.",
            evidence
        ));
        assert!(stutters("The the club won.", "The club won."));
        assert!(!stutters(
            "Oggi l'associazione conta più di 300 iscritti.",
            evidence
        ));
        assert!(!stutters(
            "It was very, very cold.",
            "It was very, very cold that night."
        ));
    }
}
