//! Word lists of the lexical answer-key checks, per language: each home's
//! `verification.toml`. en and es were designed and measured on XQuAD; fr, de and ru mirror
//! them (see BENCHMARKS.md for what was measured). Every list is lower case; the plain lists
//! are sorted on loading, for binary search.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::lang::{SortedWords, Text, Words};

/// What a question asks for, from its question words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QType {
    /// how many, how much, what percentage ...
    Num,
    /// when, what year ...
    Time,
    /// who, whom, whose
    Person,
    /// where
    Place,
    /// what, which, why, how: stops a later phrase from deciding ("what happened when").
    Other,
}

/// The phrases that ask for one kind of answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QTypePhrases {
    pub asks: QType,
    pub phrases: Words,
}

/// The lists for one language.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangLists {
    /// "More than": a statement may restate a number as a comparison.
    pub more_than: Option<Text>,
    pub qtypes: Vec<QTypePhrases>,
    pub focus_after: SortedWords,
    pub number_words: SortedWords,
    pub not_numeric: SortedWords,
    pub time_words: SortedWords,
    pub year_words: SortedWords,
    pub century_words: SortedWords,
    pub percent_phrases: Words,
    pub quantity_cues: SortedWords,
    pub abbreviations: SortedWords,
}

/// The lists for a language; empty ones (every question is `Other`) for a language without
/// a home. Its stop words are the home's one list (`text::is_stop_word`).
pub fn lists(lang: &str) -> &'static LangLists {
    static LISTS: LazyLock<HashMap<&'static str, LangLists>> =
        LazyLock::new(|| crate::lang::parse_all("verification.toml"));
    static NONE: LazyLock<LangLists> = LazyLock::new(LangLists::default);
    LISTS.get(lang).unwrap_or(&NONE)
}

/// The phrase for "more than" in `lang`, if the language has a home: a statement may
/// restate a number of its evidence as a comparison ("more than 10,000 euros" for "12,000
/// euros"), whose truth is arithmetic.
pub fn more_than(lang: &str) -> Option<&'static str> {
    lists(lang).more_than.map(|t| t.0)
}

/// Whether `word` (lower case) writes a number in `lang` ("cent", "dozen", "millions"): a
/// word no glossary lists, since the learner learns it with the numbers.
pub fn is_number_word(lang: &str, word: &str) -> bool {
    lists(lang).number_words.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_home_has_lists_in_lower_case() {
        for lang in crate::lang::codes() {
            let l = lists(lang);
            assert!(
                crate::text::stop_words(lang).len() > 50,
                "{lang}: {} stop words",
                crate::text::stop_words(lang).len()
            );
            assert!(!l.qtypes.is_empty() && more_than(lang).is_some(), "{lang}");
            for list in [
                &l.focus_after,
                &l.number_words,
                &l.not_numeric,
                &l.time_words,
                &l.year_words,
                &l.century_words,
                &l.quantity_cues,
                &l.abbreviations,
            ] {
                for w in list.iter() {
                    assert_eq!(*w, w.to_lowercase(), "{lang}: `{w}` is not lower case");
                }
            }
        }
        assert!(lists("xx").qtypes.is_empty() && more_than("xx").is_none());
    }
}
