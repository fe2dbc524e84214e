//! Language detection (whatlang trigram models over 69 languages), reconciled with what the
//! page and the feed declare.

/// ISO 639-3 (whatlang) to ISO 639-1, for the languages that have a two-letter code.
const ISO3_TO_1: &[(&str, &str)] = &[
    ("afr", "af"),
    ("aka", "ak"),
    ("amh", "am"),
    ("ara", "ar"),
    ("aze", "az"),
    ("bel", "be"),
    ("ben", "bn"),
    ("bul", "bg"),
    ("cat", "ca"),
    ("ces", "cs"),
    ("cmn", "zh"),
    ("cym", "cy"),
    ("dan", "da"),
    ("deu", "de"),
    ("ell", "el"),
    ("eng", "en"),
    ("epo", "eo"),
    ("est", "et"),
    ("fin", "fi"),
    ("fra", "fr"),
    ("guj", "gu"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("hun", "hu"),
    ("hye", "hy"),
    ("ind", "id"),
    ("ita", "it"),
    ("jav", "jv"),
    ("jpn", "ja"),
    ("kan", "kn"),
    ("kat", "ka"),
    ("khm", "km"),
    ("kor", "ko"),
    ("lat", "la"),
    ("lav", "lv"),
    ("lit", "lt"),
    ("mal", "ml"),
    ("mar", "mr"),
    ("mkd", "mk"),
    ("mya", "my"),
    ("nep", "ne"),
    ("nld", "nl"),
    ("nob", "nb"),
    ("ori", "or"),
    ("pan", "pa"),
    ("pes", "fa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("ron", "ro"),
    ("rus", "ru"),
    ("sin", "si"),
    ("slk", "sk"),
    ("slv", "sl"),
    ("sna", "sn"),
    ("spa", "es"),
    ("srp", "sr"),
    ("swe", "sv"),
    ("tam", "ta"),
    ("tel", "te"),
    ("tgl", "tl"),
    ("tha", "th"),
    ("tuk", "tk"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("urd", "ur"),
    ("uzb", "uz"),
    ("vie", "vi"),
    ("yid", "yi"),
    ("zul", "zu"),
];

/// A detected language.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// ISO 639-1 code (or 639-3 when there is no two-letter code).
    pub code: String,
    pub confidence: f64,
    pub reliable: bool,
}

/// Detects the language of a text from its first few thousand characters.
pub fn detect_language(text: &str) -> Option<Detected> {
    let sample: String = text.chars().take(4000).collect();
    let info = whatlang::detect(&sample)?;
    let code3 = info.lang().code();
    let code = ISO3_TO_1
        .iter()
        .find(|(three, _)| *three == code3)
        .map_or(code3, |(_, two)| two)
        .to_string();
    Some(Detected {
        code,
        confidence: info.confidence(),
        reliable: info.is_reliable(),
    })
}

/// The language of an article: detection when it is reliable, else what the page declares,
/// else what the feed declares, else detection however unsure, else "und".
pub fn article_language(text: &str, page_lang: Option<&str>, feed_lang: Option<&str>) -> String {
    let detected = detect_language(text);
    let primary = |l: &str| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase();
    match detected {
        Some(d) if d.reliable => d.code,
        d => page_lang
            .map(primary)
            .or_else(|| feed_lang.map(primary))
            .or(d.map(|d| d.code))
            .unwrap_or_else(|| "und".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_languages_with_a_home() {
        let check = |text: &str, code: &str| {
            assert_eq!(article_language(text, None, None), code, "{text}");
        };
        check(
            "The city council decided on Monday to build a new bridge over the river next year.",
            "en",
        );
        check(
            "El ayuntamiento decidió el lunes construir un nuevo puente sobre el río el próximo año.",
            "es",
        );
        check(
            "Le conseil municipal a décidé lundi de construire un nouveau pont sur la rivière l'année prochaine.",
            "fr",
        );
        check(
            "Der Stadtrat hat am Montag beschlossen, im nächsten Jahr eine neue Brücke über den Fluss zu bauen.",
            "de",
        );
        check(
            "Городской совет в понедельник решил построить новый мост через реку в следующем году.",
            "ru",
        );
        check(
            "Il consiglio comunale ha deciso lunedì di costruire un nuovo ponte sul fiume il prossimo anno.",
            "it",
        );
    }

    #[test]
    fn declared_language_wins_when_detection_is_unsure() {
        assert_eq!(article_language("OK", Some("de-AT"), Some("en")), "de");
        assert_eq!(article_language("", None, Some("fr-FR")), "fr");
    }
}
