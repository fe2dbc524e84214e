//! The individual checks behind [`super::verify`]. Each returns the reasons it found (empty
//! when the exercise passes).

use std::collections::HashSet;

use super::{AnswerModel, ArticleText, Reason, squash};
use crate::exercise::{Exercise, GAP, Origin};
use crate::text;

const MAX_PROMPT_CHARS: usize = 300;
const MIN_PROMPT_CHARS: usize = 8;
const MAX_ANSWER_CHARS: usize = 120;
const MAX_ANSWER_WORDS: usize = 12;

// --- form -----------------------------------------------------------------------------

fn has_url(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("http://") || l.contains("https://") || l.contains("www.") || l.contains("://")
}

fn has_markup(s: &str) -> bool {
    s.contains('<')
        || s.contains('>')
        || s.contains("&lt;")
        || s.contains("&gt;")
        || s.contains("&amp;")
}

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
            if sentence.matches(GAP).count() != 1 {
                reasons.push(Reason::GapMismatch);
            }
        }
        _ => {}
    }
    let prompt_len = prompt.chars().count();
    if !(MIN_PROMPT_CHARS..=MAX_PROMPT_CHARS).contains(&prompt_len)
        || answer.chars().count() > MAX_ANSWER_CHARS
        || options.iter().any(|o| o.chars().count() > MAX_ANSWER_CHARS)
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
    // Language: judged on the learner-facing text when there is enough of it to judge.
    let sample = format!("{prompt} {}", options.join(" "));
    if text::words(&sample).len() >= 6
        && let Some(d) = crate::articles::detect_language(&sample)
        && d.reliable
        && d.code != lang
        && text::SUPPORTED_LANGS.contains(&lang)
    {
        reasons.push(Reason::WrongLanguage);
    }
    reasons.sort();
    reasons.dedup();
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
    let ev_numbers: HashSet<String> = text::numbers(evidence).into_iter().collect();
    if text::numbers(claim).iter().any(|n| !ev_numbers.contains(n)) {
        reasons.push(Reason::NumberMismatch);
    }
    let ev_words: HashSet<String> = text::normalized_words(evidence).into_iter().collect();
    let names = capitalised_in_claim(claim);
    if names.iter().any(|n| !ev_words.contains(n)) {
        reasons.push(Reason::NameMismatch);
    }
    let claim_stems = stems(lang, claim);
    let ev_stems = stems(lang, evidence);
    let words_ok = if claim_stems.is_empty() {
        text::normalized_words(claim)
            .iter()
            .all(|w| ev_words.contains(w))
    } else {
        claim_stems.iter().all(|s| ev_stems.contains(s))
    };
    if !words_ok {
        reasons.push(Reason::KeyNotInEvidence);
    }
    reasons
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

fn is_supported(lang: &str, claim: &str, evidence: &str) -> bool {
    supported(lang, claim, evidence).is_empty()
}

pub(super) fn grounding(ex: &Exercise, article: &ArticleText) -> Vec<Reason> {
    let lang = article.lang();
    let evidence = ex.evidence();
    if !article.has_sentence(evidence) {
        return vec![Reason::EvidenceNotInArticle];
    }
    let mut reasons = Vec::new();
    match ex {
        Exercise::ShortAnswer { answer, .. } => reasons.extend(supported(lang, answer, evidence)),
        Exercise::MultipleChoice {
            options, answer, ..
        } => {
            reasons.extend(supported(lang, &options[*answer], evidence));
            reasons.extend(distractor_checks(lang, options, *answer, evidence));
        }
        Exercise::Vocabulary {
            word,
            options,
            answer,
            ..
        } => {
            if !text::normalized_words(evidence).contains(&word.to_lowercase()) {
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
                if options.iter().filter(|o| *o != answer).any(|o| {
                    text::normalized_words(o)
                        .iter()
                        .all(|w| evidence_words.contains(w))
                }) {
                    reasons.push(Reason::DistractorSupported);
                }
            }
        }
        Exercise::TrueFalse {
            statement, answer, ..
        } => {
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

/// What kind of answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    /// "how many", "how much", "what percentage": the key must hold a number.
    Number,
    /// "when", "what year": a number, a month or day name, or a time word.
    Time,
    /// "who": a name (capitalised) or a word for a person or group.
    Person,
    /// Anything else.
    Any,
}

/// The answer type a question asks for, from its question words.
pub fn expected_answer_type(lang: &str, question: &str) -> AnswerType {
    let q = format!(" {} ", text::normalize(question));
    let has = |words: &[&str]| words.iter().any(|w| q.contains(&format!(" {w} ")));
    let (number, time, person): (&[&str], &[&str], &[&str]) = match lang {
        "en" => (
            &[
                "how many",
                "how much",
                "what percentage",
                "how old",
                "how far",
                "how long",
                "what number",
            ],
            &[
                "when",
                "what year",
                "which year",
                "what time",
                "what day",
                "which day",
                "what date",
            ],
            &["who", "whom", "whose"],
        ),
        "es" => (
            &["cuántos", "cuántas", "cuánto", "cuánta", "qué porcentaje"],
            &["cuándo", "qué año", "en qué año", "qué día"],
            &["quién", "quiénes"],
        ),
        "fr" => (
            &["combien", "quel pourcentage"],
            &["quand", "quelle année", "en quelle année", "quel jour"],
            &["qui"],
        ),
        "de" => (
            &["wie viele", "wie viel", "wie hoch", "wie alt", "wie lange"],
            &["wann", "in welchem jahr", "an welchem tag"],
            &["wer", "wem", "wen"],
        ),
        "ru" => (
            &["сколько"],
            &["когда", "в каком году", "в какой день"],
            &["кто", "кого", "кому"],
        ),
        _ => (&[], &[], &[]),
    };
    if has(number) {
        AnswerType::Number
    } else if has(time) {
        AnswerType::Time
    } else if has(person) {
        AnswerType::Person
    } else {
        AnswerType::Any
    }
}

const TIME_WORDS: &[&str] = &[
    // en
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "tomorrow",
    "morning",
    "evening",
    "night",
    "week",
    "month",
    "year",
    "spring",
    "summer",
    "autumn",
    "winter",
    "ago",
    "last",
    "next",
    "century",
    "decade",
    "weekend",
    // es
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "ayer",
    "hoy",
    "mañana",
    "semana",
    "mes",
    "año",
    "verano",
    "invierno",
    // fr
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "hier",
    "aujourd'hui",
    "demain",
    "semaine",
    "mois",
    "an",
    "année",
    "été",
    "hiver",
    // de
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "gestern",
    "heute",
    "morgen",
    "woche",
    "monat",
    "jahr",
    "sommer",
    "winter",
    // ru (stems: words are matched by prefix)
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
    "понедельник",
    "вторник",
    "сред",
    "четверг",
    "пятниц",
    "суббот",
    "воскресень",
    "вчера",
    "сегодня",
    "завтра",
    "недел",
    "месяц",
    "год",
    "лет",
    "зим",
    "лет",
];

fn has_number(s: &str) -> bool {
    !text::numbers(s).is_empty() || has_number_word(s)
}

fn has_number_word(s: &str) -> bool {
    const NUMBER_WORDS: &[&str] = &[
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "thousand",
        "million",
        "dozen",
        "half",
        "uno",
        "una",
        "dos",
        "tres",
        "cuatro",
        "cinco",
        "diez",
        "cien",
        "mil",
        "un",
        "une",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "dix",
        "cent",
        "eins",
        "ein",
        "eine",
        "zwei",
        "drei",
        "vier",
        "fünf",
        "zehn",
        "hundert",
        "tausend",
        "один",
        "одна",
        "два",
        "две",
        "три",
        "четыре",
        "пять",
        "десять",
        "сто",
        "тысяч",
    ];
    text::normalized_words(s)
        .iter()
        .any(|w| NUMBER_WORDS.contains(&w.as_str()))
}

fn has_time(s: &str) -> bool {
    has_number(s)
        || text::normalized_words(s).iter().any(|w| {
            TIME_WORDS
                .iter()
                .any(|t| w == t || (t.chars().count() >= 3 && w.starts_with(t)))
        })
}

fn answer_type_fits(lang: &str, question: &str, key: &str) -> bool {
    match expected_answer_type(lang, question) {
        AnswerType::Number => has_number(key),
        AnswerType::Time => has_time(key),
        // A bare number is never a person.
        AnswerType::Person => !text::normalized_words(key).iter().all(|w| {
            w.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        }),
        AnswerType::Any => true,
    }
}

/// The sentences of the article that best match a question, by content-stem overlap.
fn best_sentences<'a>(
    lang: &str,
    question: &str,
    article: &'a ArticleText,
) -> (usize, Vec<&'a str>) {
    let q = stems(lang, question);
    let mut best = 0;
    let mut winners = Vec::new();
    for s in article.sentences() {
        let e = stems(lang, s);
        let n = q.iter().filter(|w| e.contains(*w)).count();
        if n > best {
            best = n;
            winners.clear();
        }
        if n == best && n > 0 {
            winners.push(s.as_str());
        }
    }
    (best, winners)
}

pub(super) fn fit(ex: &Exercise, article: &ArticleText, origin: Origin) -> Vec<Reason> {
    let lang = article.lang();
    let mut reasons = Vec::new();
    let (question, key) = match ex {
        Exercise::MultipleChoice {
            question,
            options,
            answer,
            ..
        } => (question, options[*answer].clone()),
        Exercise::ShortAnswer {
            question, answer, ..
        } => (question, answer.clone()),
        _ => return reasons,
    };
    // The key must not be readable in the question.
    let question_stems = stems(lang, question);
    let key_stems = stems(lang, &key);
    let question_words: HashSet<String> = text::normalized_words(question).into_iter().collect();
    let key_words = text::normalized_words(&key);
    if (!key_stems.is_empty() && key_stems.iter().all(|s| question_stems.contains(s)))
        || (!key_words.is_empty() && key_words.iter().all(|w| question_words.contains(w)))
    {
        reasons.push(Reason::AnswerInQuestion);
    }
    if !answer_type_fits(lang, question, &key) {
        reasons.push(Reason::AnswerTypeMismatch);
    }
    // The question must be about the evidence: it shares content words with it, and no
    // other sentence of the article shares more.
    if origin == Origin::Model {
        let evidence = squash(ex.evidence());
        let (best, winners) = best_sentences(lang, question, article);
        let about = winners.iter().any(|s| squash(s) == evidence);
        if best == 0 || !about {
            reasons.push(Reason::QuestionNotAboutEvidence);
        } else if !key_near_question_words(lang, question, &key, ex.evidence()) {
            reasons.push(Reason::AnswerTypeMismatch);
        }
    }
    reasons.sort();
    reasons.dedup();
    reasons
}

/// Where the key sits in the evidence: a right key is what the evidence says besides what
/// the question already says, so it lies outside the question's words but within a few
/// words of them.
fn key_near_question_words(lang: &str, question: &str, key: &str, evidence: &str) -> bool {
    let ev: Vec<String> = text::normalized_words(evidence);
    let key_words = text::normalized_words(key);
    if key_words.is_empty() || ev.len() <= key_words.len() {
        return true;
    }
    let Some(start) = ev
        .windows(key_words.len())
        .position(|w| w == key_words.as_slice())
    else {
        // Not contiguous (stem-level support only): nothing to judge.
        return true;
    };
    let end = start + key_words.len();
    let q_stems = stems(lang, question);
    let anchors: Vec<usize> = ev
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            (*i < start || *i >= end)
                && !text::is_stop_word(lang, w)
                && q_stems.contains(&text::stem(lang, w))
        })
        .map(|(i, _)| i)
        .collect();
    if anchors.is_empty() {
        return false;
    }
    let window = 8;
    anchors.iter().any(|&a| {
        if a < start {
            start - a <= window
        } else {
            a + 1 - end <= window
        }
    })
}

pub(super) fn is_duplicate<'a>(ex: &Exercise, lesson: impl Iterator<Item = &'a Exercise>) -> bool {
    let prompt = text::normalize(ex.prompt());
    let key = (squash(ex.evidence()), text::normalize(&ex.answer_text()));
    for other in lesson {
        if text::normalize(other.prompt()) == prompt {
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
                Err(_) => vec![Reason::RoundTripFailed],
                Ok(choice) if choice != *answer => vec![Reason::EvidenceOnlyDisagrees],
                Ok(_) => vec![],
            }
        }
        Exercise::ShortAnswer {
            question, answer, ..
        } => match model.answer_span(article.text(), question).await {
            Err(_) => vec![Reason::RoundTripFailed],
            Ok(given) if !answers_match(article.lang(), &given, answer) => {
                vec![Reason::RoundTripDisagrees]
            }
            Ok(_) => vec![],
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
        // A gap is checked by construction: the rebuilt sentence is the evidence.
        Exercise::GapFill { .. } => vec![],
    }
}
