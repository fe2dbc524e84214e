//! Exercise types shared by generation (which proposes them), verification (which judges
//! them) and delivery (which renders the verified ones).
//!
//! An [`Exercise`] is only a candidate. The only way to get something delivery accepts is
//! [`crate::verification::VerifiedExercise`], which verification alone can construct.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::lang::{Text, Words};

/// A reading-comprehension exercise about one article, with its answer key and the
/// verbatim article sentence that supports the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Exercise {
    /// One right option among plausible wrong ones.
    MultipleChoice {
        question: String,
        options: Vec<String>,
        answer: usize,
        evidence: String,
    },
    /// A statement to judge against the article.
    TrueFalse {
        statement: String,
        answer: bool,
        evidence: String,
    },
    /// A question answered with a few words from the article.
    ShortAnswer {
        question: String,
        answer: String,
        evidence: String,
    },
    /// An article sentence with one word or number removed; `options` is a word bank that
    /// holds the answer (may be empty).
    GapFill {
        sentence: String,
        answer: String,
        options: Vec<String>,
        evidence: String,
    },
    /// Sentences of the article, shown out of order: the learner gives the article's order.
    Order {
        question: String,
        /// The sentences as shown.
        items: Vec<String>,
        /// The shown items' indexes in the article's order.
        answer: Vec<usize>,
        /// The items in the article's order, joined by [`ORDER_SEPARATOR`].
        evidence: String,
    },
    /// The meaning of a word as used in the article.
    Vocabulary {
        word: String,
        question: String,
        options: Vec<String>,
        answer: usize,
        evidence: String,
    },
}

/// The question of a vocabulary exercise, in the article's language.
pub fn vocabulary_question(lang: &str, word: &str) -> String {
    phrasing(lang).vocabulary_question.replace("{word}", word)
}

/// The words and phrasings of rule-built exercises in a language: its home's
/// `exercises.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrasing {
    /// A vocabulary exercise's question; `{word}` is the word.
    pub vocabulary_question: Text,
    /// An order exercise's question.
    pub order_question: Text,
    /// Words that speak to the reader ("you", "your").
    pub you: Words,
    /// Words that link or frame clauses rather than carry the article's facts, and phrases
    /// that do ("for example"), none of whose words is a gap.
    pub discourse_markers: Words,
    /// Phrases that already compare a number ("more than 300").
    pub comparatives: Words,
    /// Words after which "more than" cannot stand before a number (articles, possessives,
    /// words that already qualify it).
    pub no_comparison_after: Words,
    /// Words or phrases right before a number that make it a bound, not a value ("more
    /// than", "within"): the fact holds for other numbers too, so no false statement
    /// changes it ("died within 60 minutes" is no misreading of "within 30 minutes").
    #[serde(default)]
    pub bounds: Words,
    /// Words right before a number that make it a label, not a count ("article 29",
    /// "gate 4"): no fact to gap or change, and its misreadings ("article 58") are no
    /// plausible misreading of what the article says.
    #[serde(default)]
    pub labels: Words,
    /// Words or phrases right after a counted word that make the count one more on top of
    /// another ("30 días más", "30 jours de plus"): "more than" there reads "más de 20
    /// días más".
    #[serde(default)]
    pub more_after: Words,
    /// Words or phrases right before a number that make it approximate ("around", "um"): a
    /// round year so given has misreadings decades apart ("um 1830" has no "um 1831").
    #[serde(default)]
    pub approximate: Words,
    /// Words before a number that make it an age ("aged").
    pub age_before: Words,
    /// What follows a number that makes it an age (" years old").
    pub age_after: Words,
    /// What a number of the hours of a day counts ("Uhr").
    pub hour_units: Words,
    /// Hours counted in a half day ("pm").
    pub half_day_units: Words,
    /// The word after a number that makes it a percentage.
    pub percent_units: Words,
    /// Titles before a name ("mrs", "herr").
    pub titles: Words,
    /// Relative pronouns for people ("who").
    pub person_after: Words,
    /// Last words of a place's or a firm's name that begins with a given name ("Virginia
    /// Beach", "Jordan Valley"): no surname.
    #[serde(default)]
    pub not_surnames: Words,
    /// Last words of a body's or a road's name, never a surname ("agency", "parkway"): a
    /// name that ends so is no person's, whoever it speaks for.
    #[serde(default)]
    pub bodies: Words,
    /// Nouns for people that name what firms are too ("developer", "maker"): after a name
    /// and a comma, they do not say it is a person's.
    #[serde(default)]
    pub firm_roles: Words,
    /// Words that open a description of a person after the name and a comma ("a" of "Qasim
    /// Tarin, a businessman").
    #[serde(default)]
    pub appositive_openers: Words,
    /// Articles ("the", "une"): none ends a sentence, and one that ends a sentence says a
    /// word was lost there (a link's text).
    #[serde(default)]
    pub articles: Words,
    /// Personal pronouns as the language writes them ("I", "them"): none follows an article,
    /// and one that does says a word was lost between them.
    #[serde(default)]
    pub personal_pronouns: Words,
    /// The word of an age after a number ("ans").
    pub age_words: Words,
    /// Whether the noun after a number takes one of three forms by the number's last
    /// digits (Russian: 1 месяц, 4 месяца, 18 месяцев, 2,5 месяца): a number's misreading
    /// or restatement takes the key's form.
    #[serde(default)]
    pub count_forms: bool,
    /// Phrases of page furniture ("all rights reserved").
    pub boilerplate: Words,
    /// Words before a year that make it a decade ("les années 1970").
    #[serde(default)]
    pub decade_before: Words,
    /// Words that open a page's time stamp ("edited", "mis à jour").
    pub stamps: Words,
    /// Words right before a name (or its role noun) that say the person is a woman ("la",
    /// "mrs").
    pub feminine_before: Words,
    /// Words right before a name (or its role noun) that say the person is a man ("il",
    /// "mr").
    pub masculine_before: Words,
    /// Nouns that say a person is a woman right before the name ("actress Laura Dern") or
    /// after it in the same sentence ("Laura Dern was named best supporting actress"): a
    /// name is swapped, and a speaker asked for, only among people the article marks the
    /// same way.
    #[serde(default)]
    pub feminine_words: Words,
    /// The same for a man ("husband").
    #[serde(default)]
    pub masculine_words: Words,
    /// Endings that words of different classes share ("better", "mother", "whatever": -er):
    /// a content word's wrong options share one letter more of its ending than the longest
    /// of these it ends with (three for -er).
    #[serde(default)]
    pub ambiguous_endings: Words,
    /// Words that end like an inflection but are none ("something", "morning": -ing):
    /// never a word gap's key or wrong option.
    #[serde(default)]
    pub not_inflections: Words,
    /// Endings of adverbs only ("-mente"), for languages without a word-class list: no
    /// content word to build on.
    #[serde(default)]
    pub adverb_endings: Words,
    /// Ordinal numbers, one series per form ("first" … "tenth"; "primera" … "décima"): an
    /// ordinal's wrong options are its neighbours in its series, not words that end alike
    /// ("segunda" among "creada", "defienda", "valida").
    #[serde(default)]
    pub ordinals: Vec<Words>,
    /// How reported speech is written and asked about.
    pub speech: SpeechWords,
}

/// Reported speech in a language: the verbs that report it and how a "who said" question
/// is written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeechWords {
    /// A name right after one of these verbs is its speaker ("…," said Lena Ortiz).
    pub after: Words,
    /// After these, only a name before the verb is the speaker ("Ortiz told Reuters").
    pub before_only: Words,
    /// Auxiliaries that may stand between the speaker and the verb ("Dupont a déclaré").
    pub auxiliaries: Words,
    /// The question for a quote, with `{q}` for the quote.
    pub quote_question: Text,
    /// The word that asks for a person, before a clause's verb.
    pub who: Text,
    /// Written before a question mark (French puts a space there).
    pub before_mark: Text,
    /// Opens a question (Spanish "¿").
    pub opening: Text,
}

/// The phrasing of a language with a home.
pub fn phrasing_of(lang: &str) -> Option<&'static Phrasing> {
    static PHRASINGS: LazyLock<HashMap<&'static str, Phrasing>> =
        LazyLock::new(|| crate::lang::parse_all("exercises.toml"));
    PHRASINGS.get(lang)
}

/// Whether a gap's key is a content word: lower case, not a month, a weekday or an
/// ordinal (whose banks are of their own kind), nor a number.
pub fn is_content_word(lang: &str, answer: &str) -> bool {
    answer.chars().next().is_some_and(char::is_lowercase)
        && crate::text::calendar_list(lang, answer).is_none()
        && ordinal_series(lang, answer).is_none()
}

/// The ordinal series of the language that holds a word (any case), if it is an ordinal.
pub fn ordinal_series(lang: &str, word: &str) -> Option<&'static Words> {
    let lower = word.to_lowercase();
    phrasing_of(lang)?
        .ordinals
        .iter()
        .find(|s| s.contains(&lower.as_str()))
}

/// One list of every home's phrasing, pooled: words that mark page furniture, ages, hours
/// or titles are taken whichever language they come in, as articles quote other languages.
pub fn pooled(list: fn(&Phrasing) -> &Words) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = crate::lang::codes()
        .filter_map(phrasing_of)
        .flat_map(|p| list(p).iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The phrasing of a language, English's for a language without a home.
pub fn phrasing(lang: &str) -> &'static Phrasing {
    phrasing_of(lang)
        .or_else(|| phrasing_of("en"))
        .expect("English has a home")
}

/// Between the sentences of an order exercise's evidence.
pub const ORDER_SEPARATOR: &str = " … ";

/// The gap marker in gap-fill sentences.
pub const GAP: &str = "_____";

impl Exercise {
    /// Stable name of the exercise type, as stored and counted.
    pub fn kind(&self) -> &'static str {
        match self {
            Exercise::MultipleChoice { .. } => "multiple_choice",
            Exercise::TrueFalse { .. } => "true_false",
            Exercise::ShortAnswer { .. } => "short_answer",
            Exercise::GapFill { .. } => "gap_fill",
            Exercise::Vocabulary { .. } => "vocabulary",
            Exercise::Order { .. } => "order",
        }
    }

    /// The article sentence that supports the key.
    pub fn evidence(&self) -> &str {
        match self {
            Exercise::MultipleChoice { evidence, .. }
            | Exercise::TrueFalse { evidence, .. }
            | Exercise::ShortAnswer { evidence, .. }
            | Exercise::GapFill { evidence, .. }
            | Exercise::Order { evidence, .. }
            | Exercise::Vocabulary { evidence, .. } => evidence,
        }
    }

    /// What the learner reads: question, statement or gapped sentence.
    pub fn prompt(&self) -> &str {
        match self {
            Exercise::MultipleChoice { question, .. }
            | Exercise::ShortAnswer { question, .. }
            | Exercise::Order { question, .. }
            | Exercise::Vocabulary { question, .. } => question,
            Exercise::TrueFalse { statement, .. } => statement,
            Exercise::GapFill { sentence, .. } => sentence,
        }
    }

    /// The options offered, if any.
    pub fn options(&self) -> &[String] {
        match self {
            Exercise::MultipleChoice { options, .. }
            | Exercise::GapFill { options, .. }
            | Exercise::Vocabulary { options, .. } => options,
            Exercise::Order { items, .. } => items,
            _ => &[],
        }
    }

    /// The answer key as text.
    pub fn answer_text(&self) -> String {
        match self {
            Exercise::MultipleChoice {
                options, answer, ..
            }
            | Exercise::Vocabulary {
                options, answer, ..
            } => options.get(*answer).cloned().unwrap_or_default(),
            Exercise::TrueFalse { answer, .. } => answer.to_string(),
            Exercise::ShortAnswer { answer, .. } | Exercise::GapFill { answer, .. } => {
                answer.clone()
            }
            Exercise::Order { answer, .. } => answer
                .iter()
                .map(|i| option_letter(*i).to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// What answering takes (see [`Scope`]), for an exercise on an article in `lang`.
    pub fn scope(&self, lang: &str) -> Scope {
        match self {
            Exercise::MultipleChoice { .. }
            | Exercise::ShortAnswer { .. }
            | Exercise::Order { .. } => Scope::Text,
            Exercise::Vocabulary { .. } => Scope::Sentence,
            Exercise::TrueFalse {
                statement,
                evidence,
                ..
            } => {
                if crate::text::normalize(statement) == crate::text::normalize(evidence) {
                    Scope::Sentence
                } else {
                    Scope::Text
                }
            }
            Exercise::GapFill {
                options, answer, ..
            } => {
                let all: Vec<&str> = std::iter::once(answer.as_str())
                    .chain(options.iter().map(String::as_str))
                    .collect();
                if options.len() >= 2 && all.iter().all(|o| fact_shaped(lang, o)) {
                    Scope::Text
                } else {
                    Scope::Sentence
                }
            }
        }
    }

    /// The index of the right option, for option-based exercises.
    pub fn answer_index(&self) -> Option<usize> {
        match self {
            Exercise::MultipleChoice { answer, .. } | Exercise::Vocabulary { answer, .. } => {
                Some(*answer)
            }
            Exercise::GapFill {
                options, answer, ..
            } => options.iter().position(|o| o == answer),
            _ => None,
        }
    }
}

/// What answering an exercise takes: the grammar of one sentence, or the article's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The sentence's grammar can decide it: a word-bank gap of content words (a verb
    /// among nouns), or a true statement that copies a sentence (found by matching).
    Sentence,
    /// Only the article's content decides it: a question about the text, a statement with
    /// a fact changed or restated, a gap whose options are all of the key's kind (numbers
    /// of one unit, names, months) so that grammar cannot choose among them.
    Text,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Sentence => "sentence",
            Scope::Text => "text",
        }
    }
}

/// Whether a short text is a number, a month or weekday, or a name (every word
/// capitalised; not in German, which capitalises every noun): an option of such a kind is
/// chosen by the article's facts, not by the sentence's grammar.
fn fact_shaped(lang: &str, option: &str) -> bool {
    let words = crate::text::words(option);
    !words.is_empty()
        && (words.iter().all(|w| {
            w.chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        }) || (words.len() == 1 && crate::text::calendar_list(lang, words[0]).is_some())
            || (!crate::text::capitalises_nouns(lang)
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))))
}

/// Who wrote an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Written by the language model; its key is a claim to be checked.
    Model,
    /// Built by rules from an article sentence; its key is right by construction, and
    /// verification checks that construction.
    Constructed,
    /// Key, evidence, options and the question's opening chosen by the program, the rest of
    /// the question phrased by the model from the sentence's words; verification checks the
    /// key's construction and that the question is the sentence's, asking for the key.
    Phrased,
}

impl Origin {
    /// The origin `as_str` names.
    pub fn parse(s: &str) -> Option<Origin> {
        [Origin::Model, Origin::Constructed, Origin::Phrased]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Model => "model",
            Origin::Constructed => "constructed",
            Origin::Phrased => "phrased",
        }
    }

    /// Who wrote the words the learner reads: "model" for model-written and model-phrased
    /// items, "constructed" for rule-built ones (the `origin` of `eval lessons --jsonl`).
    pub fn writer(self) -> &'static str {
        match self {
            Origin::Model | Origin::Phrased => "model",
            Origin::Constructed => "constructed",
        }
    }
}

/// What proves an exercise's key: every kind states it, and verification holds each
/// candidate to its proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyProof {
    /// The program cut the key out of an article sentence (the gap's word, the sentence a
    /// true statement copies, the fact a false one changes); verification re-checks the cut.
    Construction,
    /// The program checks the key against the evidence sentence: its content words (by
    /// stem), numbers and names are there, and no distractor's are (multiple choice); the
    /// statement is supported or contradicted (true/false). The model's round trip is a
    /// second, weaker check on top.
    Evidence,
    /// Only a reader can judge the key (what a word means, a paraphrase). A model-written
    /// item of such a kind is sent only for a model that has passed a measured calibration
    /// of that kind; none has so far, so these kinds are off (`model_judged_kind`).
    ModelJudgement,
}

impl Candidate {
    /// What proves this candidate's key.
    pub fn key_proof(&self) -> KeyProof {
        match (self.origin, &self.exercise) {
            (Origin::Constructed | Origin::Phrased, _) => KeyProof::Construction,
            (Origin::Model, Exercise::Vocabulary { .. }) => KeyProof::ModelJudgement,
            (Origin::Model, _) => KeyProof::Evidence,
        }
    }
}

/// A candidate exercise and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub exercise: Exercise,
    pub origin: Origin,
}

/// A learner's answer to an order exercise: option letters in some order ("B, A, C",
/// "bac", "B A C"), as indexes. `None` when anything else is written.
pub fn parse_order(given: &str) -> Option<Vec<usize>> {
    let tokens: Vec<&str> = given
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '-' | '>' | '.' | ')'))
        .filter(|t| !t.is_empty())
        .collect();
    // Letters written together ("bac") or one per token ("B, A, C").
    let letters: Vec<char> = match tokens.as_slice() {
        [] => return None,
        [one] if one.len() <= 6 => one.chars().collect(),
        many if many.iter().all(|t| t.chars().count() == 1) => {
            many.iter().flat_map(|t| t.chars()).collect()
        }
        _ => return None,
    };
    letters
        .into_iter()
        .map(|c| {
            let upper = c.to_ascii_uppercase();
            upper
                .is_ascii_uppercase()
                .then(|| (upper as u8 - b'A') as usize)
        })
        .collect()
}

/// Letters for options.
pub fn option_letter(i: usize) -> char {
    (b'A' + (i as u8 % 26)) as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_read_from_letters_however_they_are_written() {
        for given in ["B, A, C", "bac", "B A C", "B-A-C", " b;a;c "] {
            assert_eq!(parse_order(given), Some(vec![1, 0, 2]), "{given}");
        }
        for given in ["", "B, A, 3", "first B"] {
            assert_eq!(parse_order(given), None, "{given}");
        }
        let order = Exercise::Order {
            question: "In which order?".into(),
            items: vec!["b".into(), "a".into(), "c".into()],
            answer: vec![1, 0, 2],
            evidence: "a … b … c".into(),
        };
        assert_eq!(order.answer_text(), "B, A, C");
        assert_eq!(order.scope("en"), Scope::Text);
    }
}

/// The kinds that only a model can judge: a word's meaning (`vocabulary`), and whether a
/// content word's bank holds no second word that fits its gap (`bank`).
pub const CALIBRATED_KINDS: &[&str] = &["vocabulary", "bank"];

/// Which model-judged kinds a model has passed, for one language. The default passes none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calibrated {
    pub vocabulary: bool,
    /// Content words' banks: the model's fits choose their wrong options
    /// (`generation::prune_banks`); without it such a bank is never shown.
    pub bank: bool,
}

impl Calibrated {
    /// Whether an exercise of this kind may be judged by the model.
    pub fn allows(&self, exercise: &Exercise) -> bool {
        match exercise {
            Exercise::Vocabulary { .. } => self.vocabulary,
            _ => false,
        }
    }

    /// Turns on the kind named `kind` (one of [`CALIBRATED_KINDS`]); other names change nothing.
    pub fn with(mut self, kind: &str) -> Calibrated {
        match kind {
            "vocabulary" => self.vocabulary = true,
            "bank" => self.bank = true,
            _ => {}
        }
        self
    }
}
