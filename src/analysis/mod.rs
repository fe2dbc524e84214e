//! `analysis`: the article as the exercise stages read it, below both of them.
//!
//! Generation writes and constructs exercises from an [`ArticleText`], and verification
//! judges them against the same one; neither imports the other. What this layer knows
//! about an article: its sentences and their places ([`ArticleText`]), the paragraphs that
//! speak to the reader or a model ([`addressed`]), the words a question and a sentence
//! share ([`lexical`]), the word classes a word form may have ([`classes`]), the places it
//! names after "in" ([`places`]), and how an English question is built from its sentence
//! ([`english`]). It says what it finds; verification turns that into verdicts.

pub mod addressed;
pub mod classes;
pub mod english;
pub mod lexical;
mod lists;
pub mod places;

use std::collections::HashMap;

use crate::text;

pub use lists::{is_number_word, more_than};

/// An option word that is not the article's must rank among this many of the language's
/// most frequent words.
pub(crate) const LEXICON_RANKS: u32 = 100_000;

/// The fewest words of a sentence that, found inside another, make it said twice
/// ([`ArticleText::echoed`]).
const ECHO_WORDS: usize = 5;

/// The model as a reader of the article, for verification's round trips. Implemented by
/// the generation engine; unit tests use fakes.
pub trait AnswerModel {
    /// Which option the model picks for `question` after reading `context`.
    fn choose(
        &self,
        context: &str,
        question: &str,
        options: &[String],
    ) -> impl Future<Output = Result<usize, String>> + Send;

    /// A short answer, copied from `context`, to `question`.
    fn answer_span(
        &self,
        context: &str,
        question: &str,
    ) -> impl Future<Output = Result<String, String>> + Send;

    /// The log-probability the model gives `text` after `context`, or `None` from a
    /// reader that has no language model to score with.
    fn log_likelihood(
        &self,
        context: &str,
        text: &str,
    ) -> impl Future<Output = Result<Option<f64>, String>> + Send {
        let _ = (context, text);
        async { Ok(None) }
    }
}

/// The article as the exercise stages read it: its language, text and sentences.
pub struct ArticleText {
    lang: String,
    text: String,
    sentences: Vec<String>,
    /// Whitespace-normalised sentence -> its byte range in `text`.
    ranges: HashMap<String, (usize, usize)>,
    lexical: lexical::Context,
    /// The article's words, lower-cased: an option's word found here is a real word.
    words: std::collections::HashSet<String>,
    /// The language's word list (wordfreq ranks): an option's word that is not in the
    /// article must be among its most frequent words. `None`: no list, shape rules only.
    lexicon: Option<std::sync::Arc<crate::articles::Ranks>>,
    /// Each sentence's words as [`echo_form`] gives them, made on the first
    /// [`ArticleText::echoed`].
    echo_forms: std::sync::OnceLock<Vec<String>>,
    /// Each sentence's words without those that hold a digit, made on the first
    /// [`ArticleText::repeats_with_other_numbers`].
    number_free_forms: std::sync::OnceLock<Vec<Vec<String>>>,
}

/// A sentence's words, lower case, space-separated and padded with a space on each side,
/// so that one sentence's form found in another's is a run of whole words.
fn echo_form(sentence: &str) -> String {
    format!(" {} ", text::normalized_words(sentence).join(" "))
}

/// A sentence's words without those that hold a digit ("the stock’s high is").
fn number_free_form(sentence: &str) -> Vec<String> {
    text::normalized_words(sentence)
        .into_iter()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

impl std::fmt::Debug for ArticleText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleText")
            .field("lang", &self.lang)
            .field("sentences", &self.sentences.len())
            .finish()
    }
}

pub(crate) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ArticleText {
    /// Splits the text into sentences once. Paragraphs that address the reader or a model
    /// (prompt injection, "Answer B.") are left out: nothing is generated, constructed,
    /// verified or asked of the model from them.
    pub fn new(lang: &str, text: &str) -> ArticleText {
        let text = &*addressed::without_addressed_paragraphs(text);
        let slices = text::sentences(text);
        let ranges = slices
            .iter()
            .map(|s| {
                let start = s.as_ptr() as usize - text.as_ptr() as usize;
                (squash(s), (start, start + s.len()))
            })
            .collect();
        ArticleText {
            lang: lang.to_string(),
            text: text.to_string(),
            sentences: slices.into_iter().map(str::to_string).collect(),
            ranges,
            lexical: lexical::Context::new(lang, text),
            words: text::normalized_words(text).into_iter().collect(),
            lexicon: None,
            echo_forms: std::sync::OnceLock::new(),
            number_free_forms: std::sync::OnceLock::new(),
        }
    }

    /// With the language's word list, against which invented option words are checked.
    pub fn with_lexicon(
        mut self,
        lexicon: Option<std::sync::Arc<crate::articles::Ranks>>,
    ) -> ArticleText {
        self.lexicon = lexicon.filter(|l| !l.is_empty());
        self
    }

    /// Whether a lower-case word is a word of the article (`Some(true)`), of its language's
    /// list (`Some(true)`), or of neither (`Some(false)`); `None` without a list.
    pub fn knows_word(&self, word: &str) -> Option<bool> {
        if self.words.contains(word) {
            return Some(true);
        }
        self.lexicon
            .as_ref()
            .map(|l| l.rank(word).is_some_and(|r| r <= LEXICON_RANKS))
    }

    /// Whether a lower-case word is one of the article's.
    pub fn has_word(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    pub fn lang(&self) -> &str {
        &self.lang
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn sentences(&self) -> &[String] {
        &self.sentences
    }

    /// Whether `sentence` is one of the article's sentences (whitespace-insensitive).
    pub fn has_sentence(&self, sentence: &str) -> bool {
        self.ranges.contains_key(&squash(sentence))
    }

    /// The byte range of one of the article's sentences.
    pub fn sentence_range(&self, sentence: &str) -> Option<(usize, usize)> {
        self.ranges.get(&squash(sentence)).copied()
    }

    /// Whether the article says the sentence twice: it occurs again, or it holds another
    /// sentence's words in a row or another holds its (five words at least): a pull quote
    /// set beside the text repeats a sentence or part of one. Such a sentence has no one
    /// place in the article.
    pub fn echoed(&self, sentence: &str) -> bool {
        let forms = self
            .echo_forms
            .get_or_init(|| self.sentences.iter().map(|s| echo_form(s)).collect());
        let this = echo_form(sentence);
        let mut itself = false;
        for other in forms {
            if *other == this {
                if itself {
                    return true;
                }
                itself = true;
                continue;
            }
            let (short, long) = if other.len() < this.len() {
                (other, &this)
            } else {
                (&this, other)
            };
            if short.split_whitespace().count() >= ECHO_WORDS && long.contains(short.as_str()) {
                return true;
            }
        }
        false
    }

    /// Whether another sentence of the article reads the same but for its numbers ("The
    /// stock’s 52-week high is $10.12." and "The stock’s 52-week high is $29.43.", one per
    /// stock of a list): an item on it does not say which of them it means.
    pub fn repeats_with_other_numbers(&self, sentence: &str) -> bool {
        let forms = self
            .number_free_forms
            .get_or_init(|| self.sentences.iter().map(|s| number_free_form(s)).collect());
        let this = number_free_form(sentence);
        self.sentences
            .iter()
            .zip(forms)
            .any(|(other, form)| other != sentence && *form == this)
    }

    /// The article's sentence that contains the byte range, if one does.
    pub fn sentence_containing(&self, range: (usize, usize)) -> Option<&str> {
        self.ranges
            .values()
            .find(|(s, e)| *s <= range.0 && range.1 <= *e)
            .map(|(s, e)| &self.text[*s..*e])
    }

    pub(crate) fn lexical(&self) -> &lexical::Context {
        &self.lexical
    }
}
