//! The fixed strings of a lesson mail and of the learner's pages, in the learner's language
//! (English for languages without a home): each home's `mail.toml`.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::lang::Text;

/// Every fixed string a lesson mail uses.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailStrings {
    pub subject: Text,
    pub greeting: Text,
    pub intro: Text,
    pub read_article: Text,
    pub level: Text,
    pub source: Text,
    pub exercises: Text,
    pub multiple_choice: Text,
    pub true_false: Text,
    pub short_answer: Text,
    pub gap_fill: Text,
    pub vocabulary: Text,
    /// How to answer an order exercise.
    pub order: Text,
    pub true_word: Text,
    pub false_word: Text,
    pub word_bank: Text,
    pub glossary: Text,
    pub answer_key: Text,
    pub answer_key_note: Text,
    pub evidence: Text,
    pub footer: Text,
    pub answer_online: Text,
    pub unsubscribe: Text,
    /// The learner's web pages (lesson, score, preferences, unsubscribe, messages): the
    /// file's `[page]`.
    pub page: PageStrings,
}

/// The fixed strings of the learner's web pages, in the same language as their mail.
/// `{right}`, `{total}` and `{email}` are filled in by the page.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageStrings {
    pub lesson_title: Text,
    pub lesson_for: Text,
    pub your_answer: Text,
    pub check_answers: Text,
    pub preferences: Text,
    pub score: Text,
    pub practice: Text,
    pub right: Text,
    pub not_quite: Text,
    pub answer: Text,
    pub flag: Text,
    pub what_is_wrong: Text,
    pub back_to_lesson: Text,
    pub unsubscribe_question: Text,
    pub unsubscribe_confirm: Text,
    pub unsubscribed: Text,
    pub unsubscribed_text: Text,
    pub preferences_title: Text,
    pub saved: Text,
    pub interests_label: Text,
    pub time_label: Text,
    pub timezone_label: Text,
    pub save: Text,
    pub link_invalid_title: Text,
    pub link_invalid_text: Text,
    pub stale_title: Text,
    pub stale_text: Text,
    pub thanks_title: Text,
    pub thanks_text: Text,
    /// Preferences that do not check out; `{value}` is what the learner gave.
    pub bad_level: Text,
    pub bad_time: Text,
    pub bad_timezone: Text,
}

/// The strings for a language (English for a language without a home).
pub fn mail_strings(lang: &str) -> &'static MailStrings {
    static STRINGS: LazyLock<HashMap<&'static str, MailStrings>> =
        LazyLock::new(|| crate::lang::parse_all("mail.toml"));
    STRINGS.get(lang).unwrap_or_else(|| &STRINGS["en"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_home_has_its_mail_strings_and_others_get_english() {
        for code in crate::lang::codes() {
            assert!(!mail_strings(code).subject.is_empty(), "{code}");
        }
        assert_eq!(mail_strings("xx").subject.0, "Your reading lesson");
        assert_eq!(mail_strings("de").page.save.0, "Speichern");
    }
}
