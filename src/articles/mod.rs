//! `articles/`: what does this page say, in which language, at which level, about what?

mod extract;
pub mod genre;
mod lang;
pub mod level;
pub mod topic_model;
mod topics;
pub mod wordfreq;

pub(crate) use extract::clean_inline;
pub use extract::{Extracted, decode_html, extract};
pub use genre::{Genre, GenreVerdict, genre};
pub use lang::{Detected, article_language, detect_language};
pub use level::{BadCefr, Cefr, Level, UnknownWord, estimate_level, glossary};
pub use topic_model::{TopicModel, topic_name};
pub use topics::{classify_topics, known_topics};
pub use wordfreq::{Ranks, WordFrequencies};

/// Why a downloaded body or a file is not an HTML page, if it is not: a known binary format
/// by its magic bytes, or bytes that no text holds (NUL, or many control characters). UTF-16
/// text (with its byte-order mark) is text.
pub fn not_html(bytes: &[u8]) -> Option<String> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.starts_with(&[0xff, 0xfe]) || sample.starts_with(&[0xfe, 0xff]) {
        return None;
    }
    for (magic, what) in [
        (&b"%PDF-"[..], "a PDF document"),
        (&b"\x89PNG"[..], "a PNG image"),
        (&b"GIF8"[..], "a GIF image"),
        (&b"\xff\xd8\xff"[..], "a JPEG image"),
        (&b"PK\x03\x04"[..], "a ZIP archive (or an office document)"),
        (&b"\x1f\x8b"[..], "gzip-compressed data"),
        (&b"RIFF"[..], "a RIFF file (WebP image, WAV audio ...)"),
        (&b"\x7fELF"[..], "an executable"),
    ] {
        if sample.starts_with(magic) {
            return Some(format!("not an HTML page: {what}"));
        }
    }
    if sample.contains(&0) {
        return Some("not an HTML page: binary data (NUL bytes)".into());
    }
    let control = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    if control * 100 > sample.len() {
        return Some(format!(
            "not an HTML page: binary data ({control} control bytes in the first {} bytes)",
            sample.len()
        ));
    }
    None
}

/// Where an article's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TextSource {
    /// Extracted from the downloaded page.
    Page,
    /// The feed's own full text (content:encoded), used when the page failed.
    Feed,
}

impl TextSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TextSource::Page => "page",
            TextSource::Feed => "feed",
        }
    }
}

/// An article ready to be stored and indexed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Article {
    /// Canonical URL: the article's identity.
    pub url: String,
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub lang: String,
    pub text: String,
    pub level: Level,
    pub topics: Vec<String>,
    pub image: Option<String>,
    /// The feed's display name.
    pub source: String,
    pub text_source: TextSource,
}

/// Too little text to make a lesson of.
#[derive(Debug, thiserror::Error)]
#[error("{url}: only {words} words of text could be extracted (at least {min} needed)")]
pub struct TooShort {
    pub url: String,
    pub words: usize,
    pub min: usize,
}

/// Fewest words an article needs to be worth indexing.
pub const MIN_ARTICLE_WORDS: usize = 80;

/// What the feed said about an entry, used to fill gaps in what the page says.
#[derive(Debug, Clone, Default)]
pub struct EntryHints<'a> {
    pub title: Option<&'a str>,
    pub published: Option<String>,
    pub author: Option<&'a str>,
    pub feed_lang: Option<&'a str>,
    pub categories: &'a [String],
    pub feed_topics: &'a [String],
    pub source: &'a str,
}

/// Builds an article from extracted page content and feed hints.
pub fn build_article(
    url: &str,
    extracted: Extracted,
    hints: &EntryHints<'_>,
    text_source: TextSource,
    frequencies: &WordFrequencies,
) -> Result<Article, TooShort> {
    let words = crate::text::words(&extracted.text).len();
    if words < MIN_ARTICLE_WORDS {
        return Err(TooShort {
            url: url.to_string(),
            words,
            min: MIN_ARTICLE_WORDS,
        });
    }
    let lang = article_language(
        &extracted.text,
        extracted.declared_lang.as_deref(),
        hints.feed_lang,
    );
    let title = extracted
        .title
        .or_else(|| hints.title.map(str::to_string))
        .unwrap_or_else(|| url.to_string());
    let level = estimate_level(&lang, &extracted.text, frequencies);
    let mut categories: Vec<String> = hints.feed_topics.to_vec();
    categories.extend(hints.categories.iter().cloned());
    let topics = classify_topics(&lang, &title, &extracted.text, &categories);
    Ok(Article {
        url: url.to_string(),
        title,
        byline: extracted
            .byline
            .or_else(|| hints.author.map(str::to_string)),
        published: extracted.published.or_else(|| hints.published.clone()),
        lang,
        text: extracted.text,
        level,
        topics,
        image: extracted.image,
        source: hints.source.to_string(),
        text_source,
    })
}

#[cfg(test)]
mod not_html_tests {
    use super::not_html;

    #[test]
    fn binary_files_are_named_and_pages_pass() {
        // A deterministic "random" 1 MiB (xorshift), like a stray binary download.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let random: Vec<u8> = (0..1 << 20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert!(not_html(&random).is_some_and(|r| r.contains("binary")));
        assert!(not_html(b"%PDF-1.7\n...").is_some_and(|r| r.contains("PDF")));
        assert!(not_html(b"\x89PNG\r\n\x1a\n").is_some_and(|r| r.contains("PNG")));
        assert_eq!(not_html(b"<!doctype html><p>Hallo\tWelt</p>\r\n"), None);
        assert_eq!(not_html("<p>Привет, мир</p>".as_bytes()), None);
        assert_eq!(
            not_html(b"\xff\xfe<\x00p\x00>\x00"),
            None,
            "UTF-16 with a BOM"
        );
    }
}
