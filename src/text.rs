//! Plain-text helpers shared by extraction, levels, generation and verification: paragraphs,
//! sentences (always verbatim slices of the text they come from), words, normalisation and
//! stemming for the languages HyperLearn supports.

use unicode_segmentation::UnicodeSegmentation;

/// Human name of a language code, for messages and mail: its home's name, or one of the
/// common languages HyperLearn detects but has no home for.
pub fn lang_name(code: &str) -> &'static str {
    if let Some(l) = crate::lang::language(code) {
        return &l.name;
    }
    match code {
        "pt" => "Portuguese",
        "nl" => "Dutch",
        "pl" => "Polish",
        "uk" => "Ukrainian",
        "ar" => "Arabic",
        "ja" => "Japanese",
        "zh" => "Chinese",
        _ => "other",
    }
}

/// Whether a language writes its common nouns with a capital (German): a capital is then no
/// sign of a name.
pub fn capitalises_nouns(lang: &str) -> bool {
    crate::lang::language(lang).is_some_and(|l| l.nouns_capitalised)
}

/// Paragraphs of a text whose paragraphs are separated by blank lines.
pub fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
}

/// The sentences of a text, each a verbatim slice of it, trimmed. Sentences never cross
/// paragraph boundaries; fragments of fewer than three words are joined to the sentence
/// before them (so "Mr." or "No. 5" do not become sentences of their own), except the
/// number of a list item flattened into a paragraph ("… einsenden. 4. 6 € Gutschein …"),
/// which belongs to no sentence.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for paragraph in paragraphs(text) {
        let base = paragraph.as_ptr() as usize - text.as_ptr() as usize;
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let pieces = paragraph
            .split_sentence_bound_indices()
            .flat_map(|(start, piece)| {
                let mut cuts = missed_bounds(piece);
                cuts.push(piece.len());
                let mut from = 0;
                cuts.into_iter().map(move |to| {
                    let part = (start + from, &piece[from..to]);
                    from = to;
                    part
                })
            });
        for (start, piece) in pieces {
            let trimmed = piece.trim();
            if trimmed.is_empty() {
                continue;
            }
            let lead = piece.len() - piece.trim_start().len();
            let s = base + start + lead;
            let e = s + trimmed.len();
            if is_list_number(trimmed) {
                continue;
            }
            let short = trimmed.unicode_words().count() < 3 && !is_title(trimmed);
            match spans.last_mut() {
                Some(last) if short || no_break(&text[last.0..last.1], trimmed) => last.1 = e,
                _ => spans.push((s, e)),
            }
        }
        // A short first fragment is joined to what follows it.
        if spans.len() >= 2 && text[spans[0].0..spans[0].1].unicode_words().count() < 3 {
            let first = spans.remove(0);
            spans[0].0 = first.0;
        }
        out.extend(spans.into_iter().map(|(s, e)| &text[s..e]));
    }
    out
}

/// Where a full stop ends a sentence that Unicode's sentence rules run on; offsets just past
/// each such stop:
/// - glued to the next sentence, as pages glued from markup have it ("the leadership
///   style.The employee orientation ...", real English news): after a lower-case word of
///   three letters or more, before a capitalised word;
/// - before a number and a lower-case word, as German writes it ("… in der Staatsoper. 16
///   turbulente Jahre lang …", real Austrian news): after a word of five letters or more,
///   so that "Abs. 1", "Nr. 5" or "ca. 16" stay whole.
fn missed_bounds(piece: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (at, _) in piece.match_indices('.') {
        let before = piece[..at]
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let letters = before.chars().count();
        let after = &piece[at + 1..];
        let mut next = after.chars();
        let glued = letters >= 3
            && before.chars().all(char::is_lowercase)
            && next.next().is_some_and(char::is_uppercase)
            && next.next().is_some_and(char::is_lowercase);
        let number_opens = after.strip_prefix(' ').is_some_and(|rest| {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            digits > 0
                && rest[digits..]
                    .strip_prefix(' ')
                    .is_some_and(|w| w.starts_with(char::is_lowercase))
        });
        let number_opens = number_opens && letters >= 5 && before.chars().all(char::is_alphabetic);
        if glued || number_opens {
            out.push(at + 1);
        }
    }
    out
}

/// Abbreviated titles before a name, and "St." of a place or a saint ("wie die St. | Galler
/// Polizei", real Swiss news): no sentence ends after them.
const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Mt", "Sen", "Gov", "Rep", "Gen", "Lt", "Col", "Sgt",
    "Rev", "Capt",
];

/// Whether a fragment is only such a title ("Sen."), which opens the sentence after it.
fn is_title(fragment: &str) -> bool {
    fragment
        .strip_suffix('.')
        .is_some_and(|t| TITLES.contains(&t))
}

/// Whether a fragment is only the number of a list item ("4.").
fn is_list_number(fragment: &str) -> bool {
    fragment
        .strip_suffix('.')
        .is_some_and(|n| (1..=2).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit()))
}

/// Whether a sentence bound between `before` and `after` is none: `before` ends with a
/// name's initial ("Ulysses S. | Grant"), a title ("Dr. | Smith") or a number sign
/// ("No. | 1"), which Unicode's sentence rules take for a full stop.
/// German articles, and prepositions joined to one, that an ordinal written "15." follows
/// ("das 15. Zukunftsforum", "zum 100. Geburtstag").
const ORDINAL_ARTICLES: &[&str] = &[
    "der", "die", "das", "dem", "den", "des", "am", "im", "vom", "zum", "zur", "beim",
];

fn no_break(before: &str, after: &str) -> bool {
    let Some(stem) = before.strip_suffix('.') else {
        return false;
    };
    let last = stem
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    // A fragment of one word is no name's initial nor a number sign, but a title may open
    // its sentence ("Sen. | Bernie Sanders spoke first.").
    if last.is_empty() || (last.len() == stem.len() && !TITLES.contains(&last)) {
        return false;
    }
    let next = after.chars().next();
    let capital = next.is_some_and(char::is_uppercase);
    // A day written as an ordinal before its month: "bis zum 30. | Juni".
    if last.len() <= 2 && last.chars().all(|c| c.is_ascii_digit()) {
        let month = after
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("")
            .to_lowercase();
        if crate::lang::codes()
            .filter_map(crate::lang::language)
            .any(|l| l.months.contains(&month.as_str()))
        {
            return true;
        }
    }
    // A German ordinal after an article, before its noun: "eröffnet das 15. |
    // Zukunftsforum" (real German news, where "eröffnet das _____." became a gap).
    if last.len() <= 3 && last.chars().all(|c| c.is_ascii_digit()) && capital {
        let article = stem[..stem.len() - last.len()]
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap_or("");
        if ORDINAL_ARTICLES.contains(&article) {
            return true;
        }
    }
    match last {
        // Number signs, and German's paragraph and article ("§ 910 Abs. | 1 BGB").
        "No" | "no" | "Nr" | "nr" | "Abs" | "Art" => next.is_some_and(|c| c.is_ascii_digit()),
        title if TITLES.contains(&title) => capital,
        _ => {
            let mut chars = last.chars();
            let first = chars.next();
            let letter = first.is_some_and(char::is_alphabetic) && chars.next().is_none();
            let initial = letter && first.is_some_and(char::is_uppercase);
            // An abbreviation's last letter before a lower-case word or a bracket, which
            // open no sentence: "den Naturschutzbund Deutschland e.V. | (NABU) und den
            // Landkreis" (real German news, where the cut sentence became a gap).
            let goes_on = next.is_some_and(|c| c.is_lowercase() || c == '(');
            (initial && capital) || (letter && goes_on)
        }
    }
}

/// The writing system of a letter, coarsely (Latin 1, Cyrillic 2, Greek 3, other 0): what a
/// word must not mix.
pub fn script(c: char) -> u8 {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => 1,
        '\u{0400}'..='\u{04FF}' => 2,
        '\u{0370}'..='\u{03FF}' => 3,
        _ => 0,
    }
}

/// Whether a word mixes the letters of two writing systems: "Аdvеrtіѕе", Latin with
/// Cyrillic look-alikes, as spam writes to slip past filters.
pub fn mixes_scripts(word: &str) -> bool {
    let mut scripts = word.chars().map(script).filter(|s| *s != 0);
    scripts
        .next()
        .is_some_and(|first| scripts.any(|s| s != first))
}

/// Words of a text (UAX #29 word boundaries; punctuation dropped).
pub fn words(text: &str) -> Vec<&str> {
    text.unicode_words().collect()
}

/// Words with their byte offsets in `text`.
pub fn word_spans(text: &str) -> Vec<(usize, &str)> {
    text.unicode_word_indices().collect()
}

/// Lower-cased words, for comparisons.
pub fn normalized_words(text: &str) -> Vec<String> {
    text.unicode_words().map(str::to_lowercase).collect()
}

/// Normalised form for equality tests: lower case, words joined by single spaces.
pub fn normalize(text: &str) -> String {
    normalized_words(text).join(" ")
}

/// Stems a lower-cased word in `lang` (identity for languages without a stemmer).
pub fn stem(lang: &str, word: &str) -> String {
    match stemmer(lang) {
        Some(s) => s.stem(word).into_owned(),
        None => word.to_string(),
    }
}

fn stemmer(lang: &str) -> Option<&'static rust_stemmers::Stemmer> {
    use rust_stemmers::{Algorithm, Stemmer};
    use std::sync::LazyLock;
    /// A home's stemmer, or Snowball's for a language without a home.
    static STEMMERS: LazyLock<Vec<(&'static str, Stemmer)>> = LazyLock::new(|| {
        let homes = crate::lang::codes().map(|code| {
            let stemmer = crate::lang::language(code).expect("a home").stemmer;
            (code, snowball(stemmer))
        });
        homes
            .chain([("pt", Algorithm::Portuguese), ("nl", Algorithm::Dutch)])
            .map(|(code, algorithm)| (code, Stemmer::create(algorithm)))
            .collect()
    });
    STEMMERS
        .iter()
        .find(|(code, _)| *code == lang)
        .map(|(_, s)| s)
}

/// rust-stemmers' algorithm for a home's stemmer.
fn snowball(stemmer: crate::lang::Stemmer) -> rust_stemmers::Algorithm {
    use crate::lang::Stemmer as S;
    use rust_stemmers::Algorithm as A;
    match stemmer {
        S::Arabic => A::Arabic,
        S::Danish => A::Danish,
        S::Dutch => A::Dutch,
        S::English => A::English,
        S::Finnish => A::Finnish,
        S::French => A::French,
        S::German => A::German,
        S::Greek => A::Greek,
        S::Hungarian => A::Hungarian,
        S::Italian => A::Italian,
        S::Norwegian => A::Norwegian,
        S::Portuguese => A::Portuguese,
        S::Romanian => A::Romanian,
        S::Russian => A::Russian,
        S::Spanish => A::Spanish,
        S::Swedish => A::Swedish,
        S::Tamil => A::Tamil,
        S::Turkish => A::Turkish,
    }
}

/// Stems of the content words of a text (stop words removed).
pub fn content_stems(lang: &str, text: &str) -> Vec<String> {
    normalized_words(text)
        .into_iter()
        .filter(|w| !is_stop_word(lang, w))
        .map(|w| stem(lang, &w))
        .collect()
}

/// Tokens that contain a digit, normalised ("1,200" and "1200" compare equal).
pub fn numbers(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "()[]{}\"'«»„“”:;!?".contains(c))
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .map(|t| {
            t.chars()
                .filter(|c| c.is_alphanumeric() || *c == '.')
                .collect::<String>()
        })
        .map(|t| t.trim_end_matches('.').to_lowercase())
        .collect()
}

/// Whether text ends as a sentence does: a full stop, question or exclamation mark or an
/// ellipsis, possibly inside closing quotes or brackets.
pub fn ends_as_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', '»', '«', ')', ']'])
        .ends_with(['.', '!', '?', '…'])
}

/// Whether every quotation the text opens it also closes, and it closes none it did not
/// open: “…” and «…», German „…“ (or „…”), and straight double quotes in pairs. A sentence
/// that fails holds a piece of a quotation that runs over into another sentence.
pub fn quotes_balanced(text: &str) -> bool {
    let count = |c: char| text.matches(c).count();
    let (opened, closed) = if text.contains('„') {
        (count('„'), count('“') + count('”'))
    } else {
        (count('“'), count('”'))
    };
    opened == closed && count('«') == count('»') && count('"') % 2 == 0
}

/// Whether `phrase` occurs in `haystack` (both lower case) as whole words: where the phrase
/// begins or ends with a letter or digit, no letter or digit may touch it there ("nyse" is
/// not in "canyses", "subscribe" not in "oversubscribed"; ".com" is in "herald.com").
pub fn has_phrase(haystack: &str, phrase: &str) -> bool {
    let starts_word = phrase.starts_with(char::is_alphanumeric);
    let ends_word = phrase.ends_with(char::is_alphanumeric);
    haystack.match_indices(phrase).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + phrase.len()..].chars().next();
        (!starts_word || before.is_none_or(|c| !c.is_alphanumeric()))
            && (!ends_word || after.is_none_or(|c| !c.is_alphanumeric()))
    })
}

/// The value of a whole number as an article writes it: plain digits, or groups of three
/// after a thousands separator ("12,000", "12.000"). Decimals and other forms give `None`.
pub fn count_value(word: &str) -> Option<u64> {
    let separator = word.chars().find(|c| *c == ',' || *c == '.');
    let groups: Vec<&str> = match separator {
        Some(sep) => word.split(sep).collect(),
        None => vec![word],
    };
    if groups
        .iter()
        .any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_digit()))
        || (groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)))
    {
        return None;
    }
    groups.concat().parse().ok()
}

/// Writes `n` with `separator` between groups of three digits (none: plain digits).
pub fn format_count(n: u64, separator: Option<char>) -> String {
    let digits = n.to_string();
    let Some(sep) = separator else {
        return digits;
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Words that look like names: capitalised and not the first word of their sentence, in
/// lower case. (Crude, but language-independent for cased scripts; German nouns are
/// capitalised too, which only makes the check stricter.)
pub fn capitalized_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in sentences_or_whole(text) {
        for (i, w) in sentence.unicode_words().enumerate() {
            let first = w.chars().next().unwrap_or(' ');
            if i > 0 && first.is_uppercase() {
                out.push(w.to_lowercase());
            }
        }
    }
    out
}

fn sentences_or_whole(text: &str) -> Vec<&str> {
    let s = sentences(text);
    if s.is_empty() { vec![text] } else { s }
}

/// Whether `word` (lower case) is a function word in `lang`.
pub fn is_stop_word(lang: &str, word: &str) -> bool {
    stop_words(lang).binary_search(&word).is_ok()
}

/// The function words of a language (its home's `stop_words`), sorted.
pub fn stop_words(lang: &str) -> &'static [&'static str] {
    crate::lang::language(lang).map_or(&[], |l| &l.stop_words)
}

/// Cuts a text to at most `max_words` words, at a sentence end where possible. Returns a
/// prefix of the text (so sentences of the result are sentences of the original).
pub fn truncate_words(text: &str, max_words: usize) -> &str {
    let spans = word_spans(text);
    if spans.len() <= max_words {
        return text;
    }
    let cut = spans[max_words].0;
    let head = &text[..cut];
    match head.rfind(['.', '!', '?', '。']) {
        Some(i) if i > cut / 2 => &text[..i + head[i..].chars().next().map_or(1, char::len_utf8)],
        _ => head.trim_end(),
    }
}

/// Text from outside (names, feed titles, error messages) made safe for a terminal: control
/// characters, escape sequences among them, are shown escaped (`\u{1b}`) instead of being
/// acted on. Line breaks and tabs stay when `keep_lines`.
pub fn terminal_safe(s: &str, keep_lines: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(keep_lines && (c == '\n' || c == '\t'));
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The calendar list (months or weekdays) a word belongs to, if any. Months and weekdays
/// are dates, not names, although English capitalises them; the constructor gives a month
/// other months as distractors, a weekday other weekdays.
pub fn calendar_list(lang: &str, word: &str) -> Option<&'static [&'static str]> {
    let language = crate::lang::language(lang)?;
    if !written_as_dates(language, word) {
        return None;
    }
    let lower = word.to_lowercase();
    [&*language.months, &*language.weekdays]
        .into_iter()
        .find(|list| list.contains(&lower.as_str()))
}

/// Whether a word has the case the language writes its months and weekdays in: English and
/// German write them with a capital ("may" and "march" are verbs).
fn written_as_dates(language: &crate::lang::Language, word: &str) -> bool {
    !language.calendar_capitalised || word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether a word is a month of `lang` shortened before a full stop ("Nov", "Sept"): three
/// letters or more that begin the month's name, written as the language writes months.
pub fn month_abbreviation(lang: &str, word: &str) -> bool {
    let Some(language) = crate::lang::language(lang) else {
        return false;
    };
    let lower = word.to_lowercase();
    written_as_dates(language, word)
        && lower.chars().count() >= 3
        && lower.chars().all(char::is_alphabetic)
        && language
            .months
            .iter()
            .any(|m| m.len() > lower.len() && m.starts_with(lower.as_str()))
}

/// Which of the calendar's lists a word is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarWord {
    Month,
    Weekday,
}

/// Whether a word is a month or a weekday of `lang`, written as dates are
/// ([`calendar_list`]).
pub fn calendar_word(lang: &str, word: &str) -> Option<CalendarWord> {
    calendar_list(lang, word)?;
    let months = &crate::lang::language(lang)?.months;
    Some(if months.contains(&word.to_lowercase().as_str()) {
        CalendarWord::Month
    } else {
        CalendarWord::Weekday
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotations_open_and_close_in_each_language_s_marks() {
        for whole in [
            "“We paid 300 euros,” she said.",
            "Der Stadtrat nannte den Plan „mutig“ und stimmte zu.",
            "Il a parlé d'un « échec » du projet.",
            "He called it \"a waste\" of money.",
            "No quotation at all.",
        ] {
            assert!(quotes_balanced(whole), "{whole}");
        }
        for piece in [
            "“Es una maniobra burda con el único propósito de obstaculizar la ley.",
            "The ban is wrong,” she said at the meeting.",
            "Er sagte: „Wir bauen die Brücke im Sommer.",
            "Il a dit « nous verrons bien.",
            "He called it \"a waste of money.",
        ] {
            assert!(!quotes_balanced(piece), "{piece}");
        }
    }

    #[test]
    fn months_and_weekdays() {
        assert_eq!(calendar_word("en", "March"), Some(CalendarWord::Month));
        assert_eq!(calendar_word("en", "march"), None);
        assert_eq!(calendar_word("en", "Thursday"), Some(CalendarWord::Weekday));
        assert_eq!(calendar_word("fr", "jeudi"), Some(CalendarWord::Weekday));
        assert_eq!(calendar_word("en", "Ohio"), None);
        assert!(month_abbreviation("en", "Nov"));
        assert!(month_abbreviation("en", "Sept"));
        assert!(!month_abbreviation("en", "nov"));
        assert!(!month_abbreviation("en", "No"));
        assert!(!month_abbreviation("en", "November"));
        assert!(!month_abbreviation("en", "Mark"));
    }

    #[test]
    fn terminal_escapes_are_shown_not_acted_on() {
        let name = "Eve\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nroot";
        let safe = terminal_safe(name, true);
        assert!(
            !safe
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\r'),
            "{safe}"
        );
        assert!(safe.contains("\\u{1b}") && safe.contains('\n'));
        assert!(!terminal_safe(name, false).contains('\n'));
        assert!(matches!(
            terminal_safe("Ana\tB\nC", true),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn initials_titles_and_number_signs_end_no_sentence() {
        // Found auditing lessons from real English news: an order item showed "Step back in
        // time to roam its streets where Abraham Lincoln and Ulysses S.", and a statement
        // began "2 Alabama in the Sugar Bowl" (after "No.").
        let text = "Step back in time to roam the streets where Ulysses S. Grant once lived. \
            Holtz picked Ohio State to beat No. 1 Alabama in the Sugar Bowl that night. \
            The hotel was opened by Dr. Ruth Adams and her husband. \
            They chose plan B. Then it rained.";
        assert_eq!(
            sentences(text),
            vec![
                "Step back in time to roam the streets where Ulysses S. Grant once lived.",
                "Holtz picked Ohio State to beat No. 1 Alabama in the Sugar Bowl that night.",
                "The hotel was opened by Dr. Ruth Adams and her husband.",
                "They chose plan B. Then it rained.",
            ]
        );
    }

    #[test]
    fn sentences_are_verbatim_slices_and_never_cross_paragraphs() {
        let text = "The robot worked for 6 hours. It found 340 kg of plastic!\n\nMayor Lena Ortiz was pleased. Why? Because it was cheap.";
        let got = sentences(text);
        assert_eq!(
            got,
            vec![
                "The robot worked for 6 hours.",
                "It found 340 kg of plastic!",
                "Mayor Lena Ortiz was pleased. Why?",
                "Because it was cheap.",
            ]
        );
        for s in got {
            assert!(text.contains(s));
        }
        // A full stop glued to the next sentence, as pages glued from markup have it (real
        // English news); a domain, an abbreviation or a version is no sentence's end.
        let text = "Both play an important role in the leadership style.The employee orientation \
            is based on trust. Read it on example.com or in the U.S.Army report 2.0.";
        assert_eq!(
            sentences(text),
            [
                "Both play an important role in the leadership style.",
                "The employee orientation is based on trust.",
                "Read it on example.com or in the U.S.Army report 2.0.",
            ]
        );
    }

    #[test]
    fn an_ordinal_day_and_a_paragraph_sign_end_no_sentence() {
        // German on real news: "bis zum 30." and "§ 910 Abs." were cut into sentences.
        let text = "Der Vertrag läuft bis zum 30. Juni 2018 weiter. \
            Das Recht besteht nach § 910 Abs. 1 BGB nur bei Schäden. \
            Das Geld ging an den Naturschutzbund Deutschland e.V. (NABU) und die Stadt. \
            Der Minister eröffnet das 15. Zukunftsforum in Berlin.";
        assert_eq!(
            sentences(text),
            [
                "Der Vertrag läuft bis zum 30. Juni 2018 weiter.",
                "Das Recht besteht nach § 910 Abs. 1 BGB nur bei Schäden.",
                "Das Geld ging an den Naturschutzbund Deutschland e.V. (NABU) und die Stadt.",
                "Der Minister eröffnet das 15. Zukunftsforum in Berlin."
            ]
        );
        // Real German-language news: a sentence that opens with a number and a lower-case
        // word, "St." before a place, and a numbered list flattened into one paragraph.
        let text = "Tobisch spielte in der Staatsoper. 16 turbulente Jahre lang prägte sie den Ball. \
            Der Lenker war unterwegs, wie die St. Galler Polizei in einer Mitteilung schreibt. \
            Sen. Bernie Sanders spoke first.\n\n\
            1. Zwei Gläser Kaffee bei Edeka kaufen. 2. Die Karte ausfüllen. \
            3. Den Kassenbon in einen Umschlag stecken. 4. 6 € Gutschein erhalten.";
        assert_eq!(
            sentences(text),
            [
                "Tobisch spielte in der Staatsoper.",
                "16 turbulente Jahre lang prägte sie den Ball.",
                "Der Lenker war unterwegs, wie die St. Galler Polizei in einer Mitteilung schreibt.",
                "Sen. Bernie Sanders spoke first.",
                "Zwei Gläser Kaffee bei Edeka kaufen.",
                "Die Karte ausfüllen.",
                "Den Kassenbon in einen Umschlag stecken.",
                "6 € Gutschein erhalten.",
            ]
        );
    }

    #[test]
    fn stop_word_lists_are_sorted_for_binary_search() {
        for lang in crate::lang::codes() {
            let list = stop_words(lang);
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(
                list,
                sorted.as_slice(),
                "stop words of {lang} are not sorted"
            );
        }
    }

    #[test]
    fn numbers_compare_without_separators() {
        assert_eq!(
            numbers("It cost 1,200 euros in 2026."),
            vec!["1200", "2026"]
        );
        assert_eq!(numbers("about 3.5 km"), vec!["3.5"]);
    }

    #[test]
    fn stems_are_language_specific() {
        assert_eq!(stem("en", "running"), "run");
        assert_eq!(stem("de", "häuser"), stem("de", "häusern"));
        assert_eq!(stem("xx", "running"), "running");
    }

    #[test]
    fn truncation_ends_at_a_sentence() {
        let text = "One two three. Four five six. Seven eight nine.";
        assert_eq!(truncate_words(text, 7), "One two three. Four five six.");
        assert_eq!(truncate_words(text, 100), text);
    }
}
