//! Which topics is an article about? Feed and entry categories first, then keyword hits in
//! the title and text, per language.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::lang::Words;
use crate::text;

/// The topics HyperLearn knows. Each home's `topics.toml` gives keyword stems per topic.
const TOPICS: [&str; 9] = [
    "science",
    "technology",
    "sport",
    "environment",
    "culture",
    "business",
    "food",
    "health",
    "politics",
];

/// The keyword stems of a topic in a language (none for a language without a home).
fn keywords(lang: &str, topic: &str) -> &'static [&'static str] {
    static KEYWORDS: LazyLock<HashMap<&'static str, HashMap<String, Words>>> =
        LazyLock::new(|| crate::lang::parse_all("topics.toml"));
    KEYWORDS
        .get(lang)
        .and_then(|topics| topics.get(topic))
        .map_or(&[], |w| w)
}

/// The names of all known topics.
pub fn known_topics() -> impl Iterator<Item = &'static str> {
    TOPICS.into_iter()
}

/// Topics of an article: categories (lower-cased, mapped to a known topic when they name
/// one) plus every known topic with at least `min_hits` keyword hits in the title and text.
pub fn classify_topics(lang: &str, title: &str, body: &str, categories: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in categories {
        let c = c.trim().to_lowercase();
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    let words: Vec<String> = text::normalized_words(title)
        .into_iter()
        .chain(text::normalized_words(body))
        .collect();
    let total = words.len().max(1);
    let min_hits = (total / 120).clamp(2, 6);
    let mut scored: Vec<(&str, usize)> = TOPICS
        .into_iter()
        .filter_map(|name| {
            let keys = keywords(lang, name);
            let hits = words
                .iter()
                .filter(|w| keys.iter().any(|k| w.starts_with(k)))
                .count();
            (hits >= min_hits).then_some((name, hits))
        })
        .collect();
    scored.sort_by_key(|(_, hits)| std::cmp::Reverse(*hits));
    for (name, _) in scored.into_iter().take(2) {
        if !out.iter().any(|t| t == name) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_categories_give_topics() {
        let topics = classify_topics(
            "en",
            "Robot cleans harbour",
            "The robot collected plastic waste. Engineers built the robot with cheap software. The plastic was recycled.",
            &["Local News".into()],
        );
        assert_eq!(topics[0], "local news");
        assert!(topics.contains(&"technology".to_string()), "{topics:?}");
        assert!(topics.contains(&"environment".to_string()), "{topics:?}");
    }

    #[test]
    fn every_home_names_only_known_topics() {
        for code in crate::lang::codes() {
            let topics: HashMap<String, Words> =
                toml::from_str(crate::lang::home(code).unwrap().file("topics.toml")).unwrap();
            for (topic, stems) in &topics {
                assert!(
                    TOPICS.contains(&topic.as_str()),
                    "lang/{code}/topics.toml: {topic}"
                );
                assert!(!stems.is_empty(), "lang/{code}/topics.toml: {topic}");
            }
            assert_eq!(topics.len(), TOPICS.len(), "lang/{code}/topics.toml");
        }
    }
}
