//! Where does a language's data live? In its home, `lang/<code>/`: word lists, strings and
//! constants as data files, compiled in with `include_str!`. This module holds the register
//! of homes ([`HOMES`], one line per language) and the language's basic facts
//! (`language.toml`); each stage parses its own file of a home (`mail.toml` in delivery,
//! `verification.toml` in verification, ...) with [`parse_all`], so the types stay with the
//! code that uses them. Adding a language is its folder and one line here.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// The files of one home (see `home!` for the list). A home lacking one fails the build.
pub struct Home {
    pub code: &'static str,
    files: &'static [(&'static str, &'static str)],
}

/// A home: every file of `lang/<code>/`, compiled in. The one list of a home's files.
macro_rules! home {
    ($code:literal) => {
        home!(
            $code;
            "language.toml",
            "mail.toml",
            "exercises.toml",
            "verification.toml",
            "topics.toml",
            "offensive.txt",
            "calibration-vocabulary.tsv"
        )
    };
    ($code:literal; $($file:literal),+) => {
        Home {
            code: $code,
            files: &[$(($file, include_str!(concat!("../lang/", $code, "/", $file)))),+],
        }
    };
}

/// The languages HyperLearn supports fully, one line each. English comes first: it is the
/// fallback for strings of languages without a home.
pub const HOMES: &[Home] = &[
    home!("en"),
    home!("es"),
    home!("fr"),
    home!("de"),
    home!("ru"),
    home!("it"),
];

/// Files only some homes have, compiled in: (code, file, text). The word classes come, by
/// `scripts/make-word-classes`, from WordNet 3.0 in English (`lang/en/WORDNET-LICENSE`),
/// the Dicollecte dictionary in French (`lang/fr/MPL-2.0`), morph-it! in Italian
/// (`lang/it/MORPH-IT-LICENSE`) and spaCy's lemmatizer tables in Spanish
/// (`lang/es/SPACY-LOOKUPS-LICENSE`); German and Russian have none. The English given names
/// come from the US Census Bureau (the file's header); the related meanings of English
/// nouns and verbs from WordNet 3.0 too (`scripts/make-related`).
const OPTIONAL_FILES: &[(&str, &str, &str)] = &[
    (
        "en",
        "word-classes.txt",
        include_str!("../lang/en/word-classes.txt"),
    ),
    (
        "fr",
        "word-classes.txt",
        include_str!("../lang/fr/word-classes.txt"),
    ),
    (
        "it",
        "word-classes.txt",
        include_str!("../lang/it/word-classes.txt"),
    ),
    (
        "es",
        "word-classes.txt",
        include_str!("../lang/es/word-classes.txt"),
    ),
    (
        "en",
        "given-names.txt",
        include_str!("../lang/en/given-names.txt"),
    ),
    ("en", "places.txt", include_str!("../lang/en/places.txt")),
    ("en", "related.txt", include_str!("../lang/en/related.txt")),
    (
        "en",
        "person-nouns.txt",
        include_str!("../lang/en/person-nouns.txt"),
    ),
    (
        "en",
        "calibration-bank.tsv",
        include_str!("../lang/en/calibration-bank.tsv"),
    ),
];

impl Home {
    /// The text of a file only some homes have, if this one has it.
    pub fn optional_file(&self, name: &str) -> Option<&'static str> {
        OPTIONAL_FILES
            .iter()
            .find(|(code, n, _)| *code == self.code && *n == name)
            .map(|(_, _, text)| *text)
    }

    /// The text of one of the home's files.
    pub fn file(&self, name: &str) -> &'static str {
        self.files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
            .unwrap_or_else(|| panic!("lang/{}/{name}: not a file of `home!`", self.code))
    }
}

/// Each home's `name` (a file only some homes have, `OPTIONAL_FILES`) parsed by `parse`
/// from its text and the home's code, by language code; the homes without it are left out.
pub fn optional_lists<T>(
    name: &str,
    parse: impl Fn(&'static str, &'static str) -> T,
) -> HashMap<&'static str, T> {
    HOMES
        .iter()
        .filter_map(|h| Some((h.code, parse(h.optional_file(name)?, h.code))))
        .collect()
}

/// The lines of a word list that hold data: neither `#` comments nor blank.
pub fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
}

/// The home of a language code, if it has one.
pub fn home(code: &str) -> Option<&'static Home> {
    HOMES.iter().find(|h| h.code == code)
}

/// The codes of the languages with a home, in [`HOMES`] order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    HOMES.iter().map(|h| h.code)
}

/// Whether a language has a home (full support).
pub fn is_supported(code: &str) -> bool {
    home(code).is_some()
}

/// One file of every home, parsed as TOML into `T`. The files are compiled in, so a file
/// that does not parse is a bug of this build: the panic names the file, and each stage's
/// tests parse its files for every language.
pub fn parse_all<T: DeserializeOwned>(file: &str) -> HashMap<&'static str, T> {
    HOMES
        .iter()
        .map(|h| {
            let parsed = toml::from_str(h.file(file))
                .unwrap_or_else(|e| panic!("lang/{}/{file}: {e}", h.code));
            (h.code, parsed)
        })
        .collect()
}

/// A list of words or phrases from a home, kept in the file's order. The strings live as
/// long as the program (they are parsed once, into statics), so consumers keep
/// `&'static str` slices.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Words(Vec<&'static str>);

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let owned: Vec<String> = Vec::deserialize(d)?;
        Ok(Words(owned.into_iter().map(leak).collect()))
    }
}

impl std::ops::Deref for Words {
    type Target = [&'static str];
    fn deref(&self) -> &[&'static str] {
        &self.0
    }
}

/// A list of words, sorted (byte order) and without repeats on loading, for binary search.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SortedWords(Vec<&'static str>);

impl<'de> Deserialize<'de> for SortedWords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Words(mut words) = Words::deserialize(d)?;
        words.sort_unstable();
        words.dedup();
        Ok(SortedWords(words))
    }
}

impl std::ops::Deref for SortedWords {
    type Target = [&'static str];
    fn deref(&self) -> &[&'static str] {
        &self.0
    }
}

/// A string from a home (a mail or page string, a question's wording), kept for the
/// program's life like [`Words`]: a `&'static str` that can be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(pub &'static str);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(leak(String::deserialize(d)?)))
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A string parsed once and kept for the program's life (see [`Words`]).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A language's basic facts (`language.toml`): its name, how it is stemmed and
/// levelled, its function words and its calendar.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// The language's English name ("Italian"), for messages and prompts.
    pub name: String,
    /// The Snowball stemmer ("italian"): text stems and search analyzers.
    pub stemmer: Stemmer,
    /// Whether common nouns are written with a capital (German): a capital is then no
    /// sign of a name.
    pub nouns_capitalised: bool,
    /// Function words (lower case): not content, never a gap, never a key.
    pub stop_words: SortedWords,
    /// How its level scores are made comparable with English ones.
    pub level: LevelConstants,
    /// Month names, lower case, January first, in the form dates use.
    pub months: Words,
    /// Weekday names, lower case, in the form dates use.
    pub weekdays: Words,
    /// Whether month and weekday names are written with a capital (English, German):
    /// lower case they are other words ("may", "march").
    pub calendar_capitalised: bool,
}

/// The Snowball stemmers that both rust-stemmers (text) and tantivy (search) have, by the
/// name a home's `language.toml` gives. A name that is not one of them fails the home's
/// parse, so `text` and `index` each map this to their crate's type without a fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stemmer {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

/// How a language's level scores are made comparable with English ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelConstants {
    /// The ranks that cover as much running text in the language as ranks 1k, 2k, 5k and
    /// 10k in English, by the wordfreq lists' own frequencies.
    pub bands: [u32; 4],
    /// Added to the score, aligning the language's typical texts with English ones.
    pub offset: f64,
    /// The weight of the rare-word shares, as a factor of English's.
    pub rare_factor: f64,
    /// Whether words missing from the list are tried as compounds of listed words.
    pub compounds: bool,
}

static LANGUAGES: LazyLock<HashMap<&'static str, Language>> =
    LazyLock::new(|| parse_all("language.toml"));

/// The basic facts of a language with a home.
pub fn language(code: &str) -> Option<&'static Language> {
    LANGUAGES.get(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_home_parses_and_names_its_language() {
        for code in codes() {
            let l = language(code).unwrap_or_else(|| panic!("{code}"));
            assert!(!l.name.is_empty(), "{code}");
            assert!(
                l.stop_words.len() > 20,
                "{code}: {} stop words",
                l.stop_words.len()
            );
            assert_eq!(l.months.len(), 12, "{code}");
            assert_eq!(l.weekdays.len(), 7, "{code}");
        }
    }

    #[test]
    fn sorted_words_sort_and_drop_repeats() {
        let w: SortedWords = serde_json::from_str(r#"["b", "a", "b"]"#).unwrap();
        assert_eq!(&*w, ["a", "b"]);
    }
}
