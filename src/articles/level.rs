//! How hard is this text? A difficulty score on a continuous scale (1.0 = A1 ... 6.0 = C2)
//! and its CEFR band.
//!
//! The estimate is LIX (sentence length plus the share of long words), mapped linearly onto
//! the CEFR scale, with a per-language offset for languages whose words are longer on
//! average (German, Russian). It is deliberately simple and language-independent.

use std::fmt;
use std::str::FromStr;

use crate::text;

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

/// Estimates the difficulty of a text in `lang`.
pub fn estimate_level(lang: &str, body: &str) -> Level {
    let sentences = text::sentences(body).len().max(1) as f64;
    let words = text::words(body);
    if words.is_empty() {
        return Level {
            score: 1.0,
            cefr: Cefr::A1,
        };
    }
    let n = words.len() as f64;
    let long = words.iter().filter(|w| w.chars().count() > 6).count() as f64;
    let lix = n / sentences + 100.0 * long / n;
    // Languages with long words on average read easier than their LIX suggests.
    let offset = match lang {
        "de" | "ru" | "fi" | "nl" => 6.0,
        _ => 0.0,
    };
    let score = (1.0 + (lix - offset - 20.0) / 10.0).clamp(1.0, 6.0);
    Level {
        score,
        cefr: Cefr::from_score(score),
    }
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
    fn longer_sentences_and_words_score_higher() {
        let easy = estimate_level(
            "en",
            "The cat is big. It is red. We like it. The dog can run.",
        );
        let hard = estimate_level(
            "en",
            "Notwithstanding considerable administrative complications, the municipal authorities nevertheless authorised the comprehensive reconstruction of the deteriorating infrastructure, anticipating substantial economic consequences.",
        );
        assert!(easy.score < hard.score, "{easy:?} vs {hard:?}");
        assert_eq!(easy.cefr, Cefr::A1);
        assert!(hard.cefr >= Cefr::C1, "{hard:?}");
    }
}
