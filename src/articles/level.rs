//! How hard is this text? A difficulty score on a continuous scale (1.0 = A1 ... 6.0 = C2)
//! and its CEFR band, for any language, from these features:
//!
//! - sentence length (the log of words per sentence, averaged over words, so a heading or a
//!   list item weighs as little as its few words),
//! - mean word length (characters),
//! - the shares of words beyond the language's equivalents of English's 1k, 2k, 5k and 10k
//!   most frequent words (the ranks where the language's list covers as much running text as
//!   English's top 1,000 ... 10,000).
//!
//! Coefficients were fitted by least squares on CEFR-SP's Wiki-Auto training sentences (mean
//! of the two annotators; the SCoRE part is licensed for non-commercial use only, so nothing
//! shipped is derived from it), then stretched so that the median of each annotator class
//! lands on its band; per-language offsets keep each language's web articles where they
//! scored against English ones before the 1k/2k/5k shares were added. German
//! words missing from the list are ranked as compounds of listed words, and German's rare
//! share weighs less (fitted on TextComplexityDE). Scores are squashed, not clipped, into
//! 1..6, so very easy texts still order among themselves. See BENCHMARKS.md (`hyperlearn
//! eval levels`) for how well it orders and correlates.

use std::fmt;
use std::str::FromStr;

use super::wordfreq::{Ranks, WordFrequencies};
use crate::lang::LevelConstants;

/// A CEFR band.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Cefr {
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
}

impl Cefr {
    /// All bands, easiest first.
    pub const ALL: [Cefr; 6] = [Cefr::A1, Cefr::A2, Cefr::B1, Cefr::B2, Cefr::C1, Cefr::C2];

    /// The band's centre on the 1.0-6.0 scale.
    pub fn score(self) -> f64 {
        match self {
            Cefr::A1 => 1.0,
            Cefr::A2 => 2.0,
            Cefr::B1 => 3.0,
            Cefr::B2 => 4.0,
            Cefr::C1 => 5.0,
            Cefr::C2 => 6.0,
        }
    }

    /// The band a score falls in.
    pub fn from_score(score: f64) -> Cefr {
        match score {
            s if s < 1.5 => Cefr::A1,
            s if s < 2.5 => Cefr::A2,
            s if s < 3.5 => Cefr::B1,
            s if s < 4.5 => Cefr::B2,
            s if s < 5.5 => Cefr::C1,
            _ => Cefr::C2,
        }
    }

    /// The band as written ("B1").
    pub fn as_str(self) -> &'static str {
        match self {
            Cefr::A1 => "A1",
            Cefr::A2 => "A2",
            Cefr::B1 => "B1",
            Cefr::B2 => "B2",
            Cefr::C1 => "C1",
            Cefr::C2 => "C2",
        }
    }
}

impl fmt::Display for Cefr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not a CEFR band.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a CEFR level: use A1, A2, B1, B2, C1 or C2")]
pub struct BadCefr(pub String);

impl FromStr for Cefr {
    type Err = BadCefr;

    fn from_str(s: &str) -> Result<Cefr, BadCefr> {
        Cefr::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| BadCefr(s.to_string()))
    }
}

/// A text's difficulty.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Level {
    /// 1.0 (A1) ... 6.0 (C2).
    pub score: f64,
    pub cefr: Cefr,
}

/// The features behind a score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Features {
    pub words: usize,
    pub sentences: usize,
    /// Mean sentence length in words.
    pub msl: f64,
    /// The log of sentence length, averaged over words (each sentence weighs by its words),
    /// so that one sentence and a text of such sentences measure alike.
    pub ln_sentence: f64,
    /// Mean word length in characters.
    pub mwl: f64,
    /// Shares of words (without digits) beyond the language's equivalents of English's
    /// 1k, 2k, 5k and 10k most frequent words ([`BANDS`]).
    pub beyond: [f64; 4],
}

/// The English frequency ranks whose shares of rarer words are features.
pub const BANDS: [u32; 4] = [1_000, 2_000, 5_000, 10_000];

/// The English formula: the intercept and the weights of [`Features::predictors`], as
/// `hyperlearn eval levels --fit` prints them.
pub const INTERCEPT: f64 = -6.773;
pub const WEIGHTS: [f64; 6] = [2.200, 0.669, 0.261, 0.986, 1.972, 5.976];

impl Features {
    /// What the formula weighs: sentence length, word length, and the four rare shares.
    pub fn predictors(&self) -> [f64; 6] {
        let [b1, b2, b5, b10] = self.beyond;
        [self.ln_sentence, self.mwl, b1, b2, b5, b10]
    }
}

/// How a language's scores are made comparable with English ones: its home's `[level]`,
/// or English's for a language without a home.
fn language_constants(lang: &str) -> &'static LevelConstants {
    static ENGLISH_LIKE: LevelConstants = LevelConstants {
        bands: BANDS,
        offset: 0.0,
        rare_factor: 1.0,
        compounds: false,
    };
    crate::lang::language(lang).map_or(&ENGLISH_LIKE, |l| &l.level)
}

/// Shares of rare words assumed for a language without a frequency list (about what
/// English and Spanish web articles show).
const BEYOND_WITHOUT_LIST: [f64; 4] = [0.37, 0.28, 0.17, 0.11];

/// Word tokens: runs of letters, digits and inner apostrophes, lower-cased.
pub fn level_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        let t = current.trim_matches('\'');
        if !t.is_empty() {
            out.push(t.to_lowercase());
        }
        current.clear();
    };
    for c in text.chars() {
        let c = if c == '\u{2019}' || c == '\u{02BC}' {
            '\''
        } else {
            c
        };
        if c.is_alphanumeric() || c == '\'' {
            current.push(c);
        } else {
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}

/// Sentences for counting: cut after `.`, `!` or `?` (and closing quotes or brackets)
/// before whitespace or the end, except after initials and titles (`J.`, `Mr.`, `St.`), and
/// at every line break. Sentences without a word are dropped.
pub fn level_sentences(text: &str) -> Vec<&str> {
    let text = text.trim_start_matches('\u{feff}');
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    fn push<'a>(text: &'a str, s: usize, e: usize, out: &mut Vec<&'a str>) {
        let piece = &text[s..e];
        if piece.chars().any(char::is_alphanumeric) {
            out.push(piece.trim());
        }
    }
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c == '\n' {
            push(text, start, pos, &mut out);
            start = pos + 1;
            i += 1;
            continue;
        }
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len()
                && matches!(
                    chars[j].1,
                    '"' | '\'' | '\u{201D}' | '\u{2019}' | '\u{BB}' | ')' | ']'
                )
            {
                j += 1;
            }
            let at_boundary = j == chars.len() || chars[j].1.is_whitespace();
            if at_boundary && !(c == '.' && is_abbreviation(&chars, i)) {
                let end = if j < chars.len() {
                    chars[j].0
                } else {
                    text.len()
                };
                push(text, start, end, &mut out);
                start = end;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if start < text.len() {
        push(text, start, text.len(), &mut out);
    }
    out
}

/// Whether the `.` at `i` ends an initial or a title: a run of 1-2 letters just before it,
/// capitalised (second letter lower case), preceded by a non-alphanumeric or the start.
fn is_abbreviation(chars: &[(usize, char)], i: usize) -> bool {
    let mut k = i;
    while k > 0 && chars[k - 1].1.is_alphabetic() {
        k -= 1;
    }
    let run: Vec<char> = chars[k..i].iter().map(|(_, c)| *c).collect();
    let before_ok = k == 0 || !chars[k - 1].1.is_alphanumeric();
    match run.as_slice() {
        [a] => a.is_uppercase() && before_ok,
        [a, b] => a.is_uppercase() && b.is_lowercase() && before_ok,
        _ => false,
    }
}

/// The rank of a token, with the apostrophe rule: a token with `'` whose parts are all
/// listed ranks no worse than its rarest part (`l'homme` ranks as `homme`).
fn token_rank(ranks: &Ranks, token: &str) -> Option<u32> {
    let own = ranks.rank(token);
    if !token.contains('\'') {
        return own;
    }
    let parts: Option<Vec<u32>> = token
        .split('\'')
        .filter(|p| !p.is_empty())
        .map(|p| ranks.rank(p))
        .collect();
    match (own, parts.and_then(|p| p.into_iter().max())) {
        (Some(o), Some(m)) => Some(o.min(m)),
        (o, m) => o.or(m),
    }
}

/// The rank of a German-style compound: the best split into two listed words (a head of
/// at least 3 letters, possibly with a linking `s`, and a tail of at least 3) ranks as its
/// rarer part. `Seifenblase` ranks as `blase`, `Arbeitsmarkt` as the rarer of `arbeit` and
/// `markt`. Never worse than the token's own rank.
fn compound_rank(ranks: &Ranks, token: &str) -> Option<u32> {
    let own = token_rank(ranks, token);
    if own.is_some_and(|r| r <= 1_000) {
        return own;
    }
    let bounds: Vec<usize> = token.char_indices().map(|(i, _)| i).collect();
    let n = bounds.len();
    let mut best = own;
    for &at in bounds.iter().take(n.saturating_sub(2)).skip(3) {
        let (head, tail) = token.split_at(at);
        let head_rank = ranks
            .rank(head)
            .or_else(|| head.strip_suffix('s').and_then(|h| ranks.rank(h)));
        if let (Some(h), Some(t)) = (head_rank, ranks.rank(tail)) {
            let r = h.max(t);
            if best.is_none_or(|b| r < b) {
                best = Some(r);
            }
        }
    }
    best
}

/// The features of a text in `lang`, or `None` when it has no words.
pub fn level_features(lang: &str, text: &str, ranks: Option<&Ranks>) -> Option<Features> {
    let sentences: Vec<Vec<String>> = level_sentences(text)
        .into_iter()
        .map(level_tokens)
        .filter(|t| !t.is_empty())
        .collect();
    let tokens: Vec<&String> = sentences.iter().flatten().collect();
    if tokens.is_empty() {
        return None;
    }
    let n = tokens.len() as f64;
    let msl = (n / sentences.len() as f64).max(1.0);
    let ln_sentence = sentences
        .iter()
        .map(|s| s.len() as f64 * (s.len() as f64).ln())
        .sum::<f64>()
        / n;
    let mwl = tokens.iter().map(|t| t.chars().count()).sum::<usize>() as f64 / n;
    let constants = language_constants(lang);
    let rank = |ranks: &Ranks, t: &str| {
        if constants.compounds {
            compound_rank(ranks, t)
        } else {
            token_rank(ranks, t)
        }
    };
    let beyond = match ranks {
        None => BEYOND_WITHOUT_LIST,
        Some(ranks) => {
            let lexical: Vec<Option<u32>> = tokens
                .iter()
                .filter(|t| !t.chars().any(char::is_numeric))
                .map(|t| rank(ranks, t))
                .collect();
            constants.bands.map(|band| {
                let beyond = lexical
                    .iter()
                    .filter(|r| r.is_none_or(|r| r > band))
                    .count();
                beyond as f64 / lexical.len().max(1) as f64
            })
        }
    };
    Some(Features {
        words: tokens.len(),
        sentences: sentences.len(),
        msl,
        ln_sentence,
        mwl,
        beyond,
    })
}

/// The score of a set of features, before it is brought into 1..6.
pub fn raw_score(lang: &str, f: &Features) -> f64 {
    let c = language_constants(lang);
    let weighted = WEIGHTS.iter().zip(f.predictors()).enumerate();
    let sum: f64 = weighted
        .map(|(i, (w, x))| if i >= 2 { c.rare_factor * w * x } else { w * x })
        .sum();
    INTERCEPT + sum + c.offset
}

/// Brings a raw score into 1..6 without ties: unchanged within 1.5..5.5 (A2 to C1), and
/// beyond that squeezed towards the ends, so that of two very easy (or very hard) texts
/// the easier still scores lower.
pub fn squash(raw: f64) -> f64 {
    const EDGE: f64 = 0.5;
    if raw < 1.0 + EDGE {
        1.0 + EDGE * ((raw - 1.0 - EDGE) / EDGE).exp()
    } else if raw > 6.0 - EDGE {
        6.0 - EDGE * (-(raw - 6.0 + EDGE) / EDGE).exp()
    } else {
        raw
    }
}

/// Estimates the difficulty of a text in `lang`.
pub fn estimate_level(lang: &str, text: &str, frequencies: &WordFrequencies) -> Level {
    let ranks = frequencies.ranks(lang);
    level_of(lang, level_features(lang, text, ranks.as_deref()).as_ref())
}

/// The level that features give (A1 for a text without words).
pub fn level_of(lang: &str, features: Option<&Features>) -> Level {
    let score = features.map_or(1.0, |f| squash(raw_score(lang, f)));
    Level {
        score,
        cefr: Cefr::from_score(score),
    }
}

/// The length-only baseline the issue compares against: least squares on mean sentence and
/// word length.
pub fn baseline_score(f: &Features) -> f64 {
    -0.473 + 0.0845 * f.msl + 0.551 * f.mwl
}

/// The rank beyond which a word is likely new to a learner at `level` in `lang`: an English
/// threshold carried over to the language through its coverage bands.
pub fn known_rank(lang: &str, level: f64) -> u32 {
    let english = match Cefr::from_score(level) {
        Cefr::A1 => 800,
        Cefr::A2 => 1_500,
        Cefr::B1 => 3_000,
        Cefr::B2 => 6_000,
        Cefr::C1 => 12_000,
        Cefr::C2 => 25_000,
    };
    equivalent_rank(&language_constants(lang).bands, english)
}

/// The rank in a language that covers as much running text as `english` does in English,
/// interpolated on log scales between the language's band ranks ([`BANDS`]) and carried
/// beyond them at the ratio of the nearest band.
fn equivalent_rank(bands: &[u32; 4], english: u32) -> u32 {
    let pairs: Vec<(f64, f64)> = BANDS
        .iter()
        .zip(bands)
        .map(|(&e, &l)| (f64::from(e).ln(), f64::from(l).ln()))
        .collect();
    let x = f64::from(english).ln();
    let i = pairs.windows(2).position(|w| x <= w[1].0);
    let y = match i {
        Some(i) if x >= pairs[i].0 => {
            let ((x0, y0), (x1, y1)) = (pairs[i], pairs[i + 1]);
            y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        }
        // Below the first band or beyond the last: the nearest band's ratio.
        Some(_) => x + pairs[0].1 - pairs[0].0,
        None => x + pairs[3].1 - pairs[3].0,
    };
    y.exp().round() as u32
}

/// Syllables of an English word (vowel groups, silent e, -ed, -es), for the Flesch formulas.
pub fn english_syllables(word: &str) -> usize {
    let w: String = word.to_lowercase().chars().filter(|c| *c != '\'').collect();
    if !w.chars().any(|c| c.is_ascii_alphabetic()) {
        return 1;
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let chars: Vec<char> = w.chars().collect();
    let mut n = 0;
    let mut prev = false;
    for &c in &chars {
        let v = vowel(c);
        if v && !prev {
            n += 1;
        }
        prev = v;
    }
    let len = chars.len();
    let consonant_le = len >= 3 && w.ends_with("le") && !vowel(chars[len - 3]);
    if w.ends_with('e') && n > 1 && !consonant_le {
        n -= 1;
    }
    // A silent -ed (liked, not wanted) or -es (makes, not boxes).
    let silent_ed = w.ends_with("ed")
        && !"aeiouytd".contains(chars.get(len.wrapping_sub(3)).copied().unwrap_or('a'));
    let silent_es = w.ends_with("es")
        && !"aeiouysxzcgh".contains(chars.get(len.wrapping_sub(3)).copied().unwrap_or('a'));
    if n > 1 && len > 3 && (silent_ed || silent_es) {
        n -= 1;
    }
    n.max(1)
}

/// Flesch Reading Ease and Flesch-Kincaid grade of an English text.
pub fn flesch(text: &str) -> Option<(f64, f64)> {
    let sentences = level_sentences(text);
    let tokens: Vec<String> = sentences.iter().flat_map(|s| level_tokens(s)).collect();
    if tokens.is_empty() {
        return None;
    }
    let w = tokens.len() as f64;
    let s = sentences.len().max(1) as f64;
    let syl = tokens.iter().map(|t| english_syllables(t)).sum::<usize>() as f64;
    let fre = 206.835 - 1.015 * (w / s) - 84.6 * (syl / w);
    let fkgl = 0.39 * (w / s) + 11.8 * (syl / w) - 15.59;
    Some((fre, fkgl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_round_trip_and_parse() {
        for c in Cefr::ALL {
            assert_eq!(Cefr::from_score(c.score()), c);
            assert_eq!(c.as_str().parse::<Cefr>().unwrap(), c);
        }
        assert!("B3".parse::<Cefr>().is_err());
        assert_eq!("b2".parse::<Cefr>().unwrap(), Cefr::B2);
    }

    #[test]
    fn sentences_follow_the_calibration_rules() {
        let text = "Mr. Smith met Dr. J. K. Rowling in the US. They talked.\nA heading without a stop\nHe said \"Go away.\" Then he left!  What?! Yes... no.";
        assert_eq!(
            level_sentences(text),
            vec![
                "Mr. Smith met Dr. J. K. Rowling in the US.",
                "They talked.",
                "A heading without a stop",
                "He said \"Go away.\"",
                "Then he left!",
                "What?!",
                "Yes...",
                "no."
            ]
        );
        assert_eq!(
            level_tokens("Roy didn't like his girlfriend’s 'meals', 3,000 e-mails"),
            vec![
                "roy",
                "didn't",
                "like",
                "his",
                "girlfriend's",
                "meals",
                "3",
                "000",
                "e",
                "mails"
            ]
        );
    }

    #[test]
    fn rare_words_raise_the_score_and_apostrophes_rank_as_their_rarest_part() {
        let ranks = Ranks::from_words(["the", "cat", "sat", "on", "mat", "l", "homme"]);
        let easy = level_features("en", "The cat sat on the mat.", Some(&ranks)).unwrap();
        assert_eq!(easy.beyond, [0.0; 4]);
        let hard = level_features("en", "The ocelot sat on the ottoman.", Some(&ranks)).unwrap();
        assert!((hard.beyond[3] - 2.0 / 6.0).abs() < 1e-9);
        assert!(raw_score("en", &hard) > raw_score("en", &easy));
        assert_eq!(token_rank(&ranks, "l'homme"), Some(7));
        // Digits are not words for the rare share.
        let digits = level_features("en", "The cat sat on 12345 mats.", Some(&ranks)).unwrap();
        assert!((digits.beyond[3] - 1.0 / 5.0).abs() < 1e-9, "{digits:?}");
    }

    #[test]
    fn german_compounds_rank_as_their_rarer_part() {
        let mut words: Vec<String> = (0..2_000).map(|i| format!("filler{i}")).collect();
        words.splice(
            0..0,
            ["arbeit", "markt", "blase", "seife"].map(String::from),
        );
        let ranks = Ranks::from_words(words.iter().map(String::as_str));
        // "arbeits" + "markt" with a linking s; both parts are listed.
        assert_eq!(compound_rank(&ranks, "arbeitsmarkt"), Some(2));
        assert_eq!(compound_rank(&ranks, "seifeblase"), Some(4));
        assert_eq!(compound_rank(&ranks, "xyzblase"), None);
        // Only German splits compounds.
        let de = level_features("de", "Der Arbeitsmarkt wächst.", Some(&ranks)).unwrap();
        let en = level_features("en", "Der Arbeitsmarkt wächst.", Some(&ranks)).unwrap();
        assert!(de.beyond[3] < en.beyond[3], "{de:?} vs {en:?}");
    }

    #[test]
    fn scores_are_squashed_into_the_scale_without_ties() {
        assert_eq!(squash(3.2), 3.2);
        let ladder = [-3.0, 0.0, 1.0, 1.4, 1.5, 5.5, 5.6, 7.0, 12.0];
        let squashed: Vec<f64> = ladder.iter().map(|&r| squash(r)).collect();
        assert!(squashed.windows(2).all(|w| w[0] < w[1]), "{squashed:?}");
        assert!(squashed.iter().all(|s| (1.0..=6.0).contains(s)));
        assert!((squash(1.5) - 1.5).abs() < 1e-12 && (squash(5.5) - 5.5).abs() < 1e-12);
    }

    #[test]
    fn each_band_counts_the_words_beyond_it() {
        // Words of letters only (digits are not words for the shares), ranked 1..=12_000.
        let word = |i: u32| -> String {
            let (mut i, mut w) = (i, String::new());
            while i > 0 {
                w.insert(0, char::from(b'a' + ((i - 1) % 26) as u8));
                i = (i - 1) / 26;
            }
            w
        };
        let words: Vec<String> = (1..=12_000).map(word).collect();
        let ranks = Ranks::from_words(words.iter().map(String::as_str));
        let text = |ranks: [u32; 3]| {
            format!(
                "{} {} {} unlisted.",
                word(ranks[0]),
                word(ranks[1]),
                word(ranks[2])
            )
        };
        // Rank 1,500 is beyond the 1k band only, 7,000 beyond 1k, 2k and 5k, an unlisted
        // word beyond all four.
        let f = level_features("en", &text([1, 1_500, 7_000]), Some(&ranks)).unwrap();
        assert_eq!(f.beyond, [0.75, 0.5, 0.5, 0.25]);
        // Spanish bands sit at the ranks that cover as much text as English's (995, 2,305,
        // 6,741 and 14,530).
        let es = level_features("es", &text([1, 2_200, 6_000]), Some(&ranks)).unwrap();
        assert_eq!(es.beyond, [0.75, 0.5, 0.25, 0.25]);
        let en = level_features("en", &text([1, 2_200, 6_000]), Some(&ranks)).unwrap();
        assert_eq!(en.beyond, [0.75, 0.75, 0.5, 0.25]);
    }

    #[test]
    fn known_ranks_follow_each_languages_coverage_bands() {
        // English ranks are their own equivalents.
        assert_eq!(known_rank("en", 2.0), 1_500);
        assert_eq!(known_rank("en", 6.0), 25_000);
        // On a band, the language's band rank; between bands, in between on log scales.
        let ru = language_constants("ru").bands;
        assert_eq!(equivalent_rank(&ru, 1_000), 5_530);
        assert_eq!(equivalent_rank(&ru, 10_000), 62_745);
        let a2 = known_rank("ru", 2.0);
        assert!((5_530..11_710).contains(&a2), "{a2}");
        // Below the first band and beyond the last, the nearest band's ratio.
        assert_eq!(equivalent_rank(&ru, 500), 2_765);
        assert_eq!(equivalent_rank(&ru, 20_000), 125_490);
        // Thresholds rise with the level in every language.
        for lang in ["en", "de", "es", "fr", "ru", "it", "xx"] {
            let ranks: Vec<u32> = Cefr::ALL
                .iter()
                .map(|c| known_rank(lang, c.score()))
                .collect();
            assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{lang}: {ranks:?}");
        }
    }

    #[test]
    fn sentence_length_weighs_each_sentence_by_its_words() {
        let ranks = Ranks::from_words(["the", "cat", "sat", "on", "mat"]);
        let one = level_features("en", "The cat sat on the mat.", Some(&ranks)).unwrap();
        let many = level_features("en", &"The cat sat on the mat. ".repeat(5), Some(&ranks));
        let many = many.unwrap();
        assert!((one.ln_sentence - 6f64.ln()).abs() < 1e-12);
        assert!((raw_score("en", &one) - raw_score("en", &many)).abs() < 1e-12);
        // A one-word heading over a 19-word sentence: the heading weighs 1/20.
        let long = format!("Cats\n{}.", ["cat"; 19].join(" "));
        let f = level_features("en", &long, Some(&ranks)).unwrap();
        assert!(
            (f.ln_sentence - 19.0 * 19f64.ln() / 20.0).abs() < 1e-12,
            "{f:?}"
        );
        assert!((f.msl - 10.0).abs() < 1e-12);
    }

    #[test]
    fn syllables_and_flesch() {
        for (w, n) in [
            ("make", 1),
            ("table", 2),
            ("liked", 1),
            ("wanted", 2),
            ("boxes", 2),
            ("makes", 1),
            ("the", 1),
        ] {
            assert_eq!(english_syllables(w), n, "{w}");
        }
        let (fre, fk) = flesch("The cat sat on the mat. It was happy.").unwrap();
        assert!(fre > 100.0 && fk < 0.0, "{fre} {fk}");
    }

    #[test]
    fn glossary_lists_rare_words_in_quotable_sentences_only() {
        // A list where "the", "cat", ... are common and everything else is rare.
        let mut words: Vec<String> = ["the", "cat", "sat", "on", "mat", "and"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        words.extend((0..20_000).map(|i| format!("filler{i}")));
        words.extend(["ferocious", "reveal", "password"].map(String::from));
        let words_de = words.clone();
        let ranks = Ranks::from_words(words.iter().map(String::as_str));
        let freq = WordFrequencies::from_lists(vec![("en", ranks)]);
        let text = "The ferocious cat sat on the mat. Reveal your password at http://x.test now.";
        let none = std::collections::HashSet::new();
        let all = glossary("en", text, 1.0, &freq, 8, &none, |_| true);
        let words: Vec<&str> = all.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, ["ferocious", "reveal", "password"]);
        assert_eq!(all[0].sentence, "The ferocious cat sat on the mat.");
        let safe = glossary("en", text, 1.0, &freq, 8, &none, |s| !s.contains("http"));
        assert_eq!(safe.len(), 1, "{safe:?}");
        assert!(glossary("xx", text, 1.0, &freq, 8, &none, |_| true).is_empty());
        // A person's name is no word to learn, also where every noun is capitalised: the
        // German demo lesson listed "jonas" and "maier" (of Jonas Weber, Gertrud Maier).
        let names = ["ferocious".to_string()].into_iter().collect();
        let named = glossary("en", text, 1.0, &freq, 8, &names, |_| true);
        assert_eq!(named.len(), 2, "{named:?}");
        // A number word is learnt with the numbers: Fleur's French demo lesson listed "cent".
        let freq_dozen = WordFrequencies::from_lists(vec![(
            "en",
            Ranks::from_words(words_de.iter().map(String::as_str).chain(["dozen"])),
        )]);
        let counted = glossary(
            "en",
            "A dozen ferocious cats sat there.",
            1.0,
            &freq_dozen,
            8,
            &none,
            |_| true,
        );
        let counted: Vec<&str> = counted.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(counted, ["ferocious"]);
        // Where nouns are capitalised, a word keeps the capital its sentence gives it.
        let freq = WordFrequencies::from_lists(vec![(
            "de",
            Ranks::from_words(words_de.iter().map(String::as_str)),
        )]);
        let shown = glossary(
            "de",
            "Reveal the Password now.",
            1.0,
            &freq,
            8,
            &none,
            |_| true,
        );
        let shown: Vec<&str> = shown.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(shown, ["reveal", "Password"]);
    }
}

/// A word of a text that a learner at some level likely does not know, with its sentence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnknownWord {
    pub word: String,
    pub rank: u32,
    pub sentence: String,
}

/// Up to `max` words of `text` beyond what a learner at `level` likely knows, the most
/// frequent (most useful) first, each with the first sentence it occurs in. Names (capitalised
/// inside a sentence, where the language does not capitalise its nouns, and the words of
/// `names`, lower case), numbers (in digits or in words: "cent", "dozen"; the learner learns
/// them with the numbers) and words missing from the frequency list are left out, and
/// so are sentences that `quotable` refuses (the caller decides what may be shown to a
/// learner).
pub fn glossary(
    lang: &str,
    text: &str,
    level: f64,
    frequencies: &WordFrequencies,
    max: usize,
    names: &std::collections::HashSet<String>,
    quotable: impl Fn(&str) -> bool,
) -> Vec<UnknownWord> {
    let Some(ranks) = frequencies.ranks(lang) else {
        return Vec::new();
    };
    let known = known_rank(lang, level);
    let nouns_capitalised = crate::text::capitalises_nouns(lang);
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for sentence in crate::text::sentences(text) {
        if !quotable(sentence) {
            continue;
        }
        for (i, word) in crate::text::words(sentence).into_iter().enumerate() {
            let lower = word.to_lowercase();
            let capitalised_name =
                i > 0 && word.chars().next().is_some_and(char::is_uppercase) && !nouns_capitalised;
            if capitalised_name
                || names.contains(&lower)
                || crate::analysis::is_number_word(lang, &lower)
                || word.chars().count() < 3
                || !word.chars().all(char::is_alphabetic)
                || !seen.insert(lower.clone())
            {
                continue;
            }
            if let Some(rank) = ranks.rank(&lower)
                && rank > known
            {
                // A German noun is learnt with its capital ("Notfall"), as the sentence
                // writes it; a sentence's first word may be capitalised only for its place.
                let shown = if i > 0 && nouns_capitalised {
                    word.to_string()
                } else {
                    lower
                };
                found.push(UnknownWord {
                    word: shown,
                    rank,
                    sentence: sentence.to_string(),
                });
            }
        }
    }
    found.sort_by_key(|w| w.rank);
    found.truncate(max);
    found
}
