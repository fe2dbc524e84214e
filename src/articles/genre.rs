//! What kind of text an article is: news or a feature (good reading), or a press release,
//! an advertorial or a listing page (poor reading for a learner: promotional language,
//! boilerplate, lists instead of prose). Selection prefers news when there is a choice and
//! `explain-selection` says why an article was put back.
//!
//! The signals are phrases that such texts carry and news rarely does, per language. A
//! news story may quote a press release ("said in a press release"), so one weak signal
//! is not enough: a press release needs [`PRESS_RELEASE_SCORE`] points.

use crate::text::{self, has_phrase};

/// The kind of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Genre {
    /// News, a feature, a report: prose written for readers.
    News,
    /// A company's or organisation's announcement.
    PressRelease,
    /// Paid content presented as an article.
    Advertorial,
    /// A list of items (events, products, links) rather than prose.
    Listing,
}

impl Genre {
    pub fn as_str(self) -> &'static str {
        match self {
            Genre::News => "news",
            Genre::PressRelease => "press release",
            Genre::Advertorial => "advertorial",
            Genre::Listing => "listing page",
        }
    }
}

/// A text's genre and the signals that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreVerdict {
    pub genre: Genre,
    pub signals: Vec<String>,
}

impl GenreVerdict {
    /// Why the text is poor reading, for `explain-selection`; `None` for news.
    pub fn poor_reading(&self) -> Option<String> {
        (self.genre != Genre::News)
            .then(|| format!("{}: {}", self.genre.as_str(), self.signals.join(", ")))
    }
}

/// Points a text needs to be a press release (strong signals count 2, weak ones 1).
pub const PRESS_RELEASE_SCORE: usize = 3;

/// Phrases of press releases: (phrase, strong). Lower case; matched on word boundaries.
const PRESS_RELEASE: &[(&str, bool)] = &[
    // Wire services and release boilerplate.
    ("for immediate release", true),
    ("prnewswire", true),
    ("pr newswire", true),
    ("business wire", true),
    ("businesswire", true),
    ("globe newswire", true),
    ("globenewswire", true),
    ("accesswire", true),
    ("media contact", true),
    ("media contacts", true),
    ("press contact", true),
    ("investor contact", true),
    ("investor relations", false),
    ("forward-looking statements", true),
    ("safe harbor", false),
    ("nasdaq", false),
    ("nyse", false),
    ("announced today", false),
    ("today announced", false),
    ("is pleased to announce", true),
    ("is proud to announce", true),
    ("is excited to announce", true),
    ("a leading provider of", false),
    ("the leading provider of", false),
    ("world's leading", false),
    ("for more information, visit", false),
    ("to learn more, visit", false),
    ("headquartered in", false),
    // es
    ("nota de prensa", false),
    ("contacto de prensa", true),
    ("contacto para medios", true),
    ("se complace en anunciar", true),
    ("anunció hoy", false),
    ("anuncia hoy", false),
    ("líder en", false),
    ("para más información, visite", false),
    ("con sede en", false),
    // fr
    ("contact presse", true),
    ("contacts presse", true),
    ("a le plaisir d'annoncer", true),
    ("annonce aujourd'hui", false),
    ("leader dans", false),
    ("pour plus d'informations, visitez", false),
    ("à propos de", false),
    // de
    ("pressekontakt", true),
    ("über das unternehmen", true),
    ("freut sich, bekannt zu geben", true),
    ("gab heute bekannt", false),
    ("gibt heute bekannt", false),
    ("führender anbieter", false),
    ("weitere informationen unter", false),
    // ru
    ("контакты для сми", true),
    ("пресс-релиз", false),
    ("о компании", false),
    ("рада сообщить", true),
    ("рады сообщить", true),
    ("ведущий поставщик", false),
    ("подробнее на сайте", false),
];

/// Phrases that mark paid content; one is enough.
const ADVERTORIAL: &[&str] = &[
    "sponsored content",
    "sponsored post",
    "paid post",
    "paid content",
    "partner content",
    "advertorial",
    "this content was paid for",
    "publirreportaje",
    "contenido patrocinado",
    "contenu sponsorisé",
    "publi-rédactionnel",
    "publireportage",
    "gesponserter beitrag",
    "anzeige:",
    "на правах рекламы",
    "партнёрский материал",
    "партнерский материал",
];

/// The genre of an article from its title and text.
pub fn genre(title: &str, text: &str) -> GenreVerdict {
    let lower = format!("{}\n{}", title.to_lowercase(), text.to_lowercase());
    let advertorial: Vec<String> = ADVERTORIAL
        .iter()
        .filter(|p| has_phrase(&lower, p))
        .map(|p| format!("“{p}”"))
        .collect();
    if !advertorial.is_empty() {
        return GenreVerdict {
            genre: Genre::Advertorial,
            signals: advertorial,
        };
    }
    let found: Vec<&(&str, bool)> = PRESS_RELEASE
        .iter()
        .filter(|(p, _)| has_phrase(&lower, p))
        .collect();
    let score: usize = found
        .iter()
        .map(|(_, strong)| if *strong { 2 } else { 1 })
        .sum();
    if score >= PRESS_RELEASE_SCORE {
        return GenreVerdict {
            genre: Genre::PressRelease,
            signals: found.iter().map(|(p, _)| format!("“{p}”")).collect(),
        };
    }
    // A listing: most paragraphs are short lines that do not end as sentences.
    let paragraphs: Vec<&str> = text::paragraphs(text).collect();
    let lines = paragraphs
        .iter()
        .filter(|p| text::words(p).len() < 12 && !text::ends_as_sentence(p))
        .count();
    if paragraphs.len() >= 6 && lines * 10 >= paragraphs.len() * 6 {
        return GenreVerdict {
            genre: Genre::Listing,
            signals: vec![format!(
                "{lines} of {} paragraphs are short lines, not sentences",
                paragraphs.len()
            )],
        };
    }
    GenreVerdict {
        genre: Genre::News,
        signals: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn press_releases_advertorials_and_listings_are_told_from_news() {
        let release = "SAN JOSE, Calif., March 3, 2025 /PRNewswire/ -- Acme Robotics, a leading \
            provider of harbour-cleaning robots, today announced a new model.\n\n\
            About Acme Robotics\n\nAcme Robotics is headquartered in San Jose.\n\n\
            Media contact: press@acme.example";
        let v = genre("Acme Robotics Unveils Skimmer 2", release);
        assert_eq!(v.genre, Genre::PressRelease, "{v:?}");
        assert!(v.poor_reading().unwrap().contains("prnewswire"));
        // News that quotes a press release stays news.
        let news = "The company said in a press release that the robot collected 340 \
            kilograms of plastic. Fishermen in the port were not so sure. \"We worried about \
            the fish,\" said Maria Silva.";
        assert_eq!(genre("Robot cleans harbour", news).genre, Genre::News);
        assert_eq!(genre("Robot cleans harbour", news).poor_reading(), None);
        assert_eq!(
            genre(
                "Sponsored content: ten reasons to visit Alden",
                "Alden is lovely in spring."
            )
            .genre,
            Genre::Advertorial
        );
        let listing = (1..=8)
            .map(|i| format!("Concert number {i} at the town hall"))
            .collect::<Vec<_>>()
            .join("\n\n");
        assert_eq!(genre("What's on", &listing).genre, Genre::Listing);
        // A phrase inside a longer word is no signal ("anyse" is not "nyse").
        assert!(!has_phrase("canyses", "nyse"));
        let es = "MADRID, 3 de marzo. La empresa Acme se complace en anunciar su nuevo robot. \
            Acme, con sede en Madrid, es líder en robótica. Contacto de prensa: Ana Gil.";
        assert_eq!(
            genre("Acme presenta su robot", es).genre,
            Genre::PressRelease
        );
    }
}
