//! Parsing a fetched feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) with feed-rs, from
//! raw bytes so that the document's own encoding declaration is honoured.

use chrono::{DateTime, Utc};

use super::FeedError;

/// A parsed feed.
#[derive(Debug, Clone)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// The feed's declared language, if any (e.g. `en-GB`).
    pub language: Option<String>,
    /// RSS `<ttl>` in minutes.
    pub ttl_minutes: Option<u32>,
    pub entries: Vec<FeedEntry>,
}

/// One entry of a feed, reduced to what HyperLearn uses.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    /// The publisher's id (GUID / Atom id / JSON Feed id), when it gave one.
    pub guid: Option<String>,
    /// The article link (alternate link, else the first link).
    pub link: Option<String>,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    /// Summary (HTML or text).
    pub summary: Option<String>,
    /// Full content when the feed carries it (content:encoded, Atom content).
    pub content_html: Option<String>,
}

/// Parses a feed from its raw bytes. `url` is used for error messages and relative links.
pub fn parse_feed(url: &str, bytes: &[u8]) -> Result<ParsedFeed, FeedError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url))
        // Keep "no id" distinguishable from an id: entry identity falls back by itself.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    let feed = match parser.parse(bytes) {
        Ok(feed) => feed,
        // A document that says (or defaults to) UTF-8 but carries stray bytes of another
        // encoding: read it as a lenient reader would, with U+FFFD for the bad bytes.
        Err(first) if std::str::from_utf8(bytes).is_err() && declares_utf8(bytes) => parser
            .parse(String::from_utf8_lossy(bytes).as_bytes())
            .map_err(|_| FeedError::Parse {
                url: url.to_string(),
                message: first.to_string(),
            })?,
        Err(e) => {
            return Err(FeedError::Parse {
                url: url.to_string(),
                message: e.to_string(),
            });
        }
    };
    let entries = feed
        .entries
        .into_iter()
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| e.links.first())
                .map(|l| l.href.trim().to_string());
            FeedEntry {
                guid: Some(e.id).filter(|id| !id.trim().is_empty()),
                link,
                title: e
                    .title
                    .map(|t| t.content.trim().to_string())
                    .unwrap_or_default(),
                published: e.published.or(e.updated),
                authors: e.authors.into_iter().filter_map(|p| p.name).collect(),
                categories: e
                    .categories
                    .into_iter()
                    .map(|c| c.label.unwrap_or(c.term).trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
                summary: e.summary.map(|t| t.content),
                content_html: e
                    .content
                    .and_then(|c| c.body)
                    .filter(|b| !b.trim().is_empty()),
            }
        })
        .collect();
    Ok(ParsedFeed {
        title: feed.title.map(|t| t.content),
        language: feed.language,
        ttl_minutes: feed.ttl,
        entries,
    })
}

/// Whether a document's XML declaration names UTF-8 or no encoding (so UTF-8 applies), and
/// it has no UTF-16 byte-order mark.
fn declares_utf8(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let Some(decl) = head
        .find("<?xml")
        .and_then(|i| head[i..].find("?>").map(|j| &head[i..i + j]))
    else {
        return true;
    };
    match decl.find("encoding") {
        None => true,
        Some(i) => {
            let value = decl[i + "encoding".len()..]
                .trim_start_matches([' ', '='])
                .trim_start_matches(['"', '\''])
                .to_string();
            value.starts_with("utf-8") || value.starts_with("utf8")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_latin1_bytes_in_a_utf8_feed_are_replaced_not_fatal() {
        let mut xml = br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title><item><title>Caf"#.to_vec();
        xml.push(0xE9);
        xml.extend_from_slice(
            b" ouvert</title><link>https://e.com/a</link></item></channel></rss>",
        );
        let feed = parse_feed("https://e.com/rss", &xml).unwrap();
        assert_eq!(feed.entries[0].title, "Caf\u{FFFD} ouvert");
        // A feed that declares another encoding is left to that decoder.
        assert!(!declares_utf8(
            b"<?xml version='1.0' encoding='windows-1251'?><rss/>"
        ));
        assert!(declares_utf8(b"<rss/>"));
    }

    #[test]
    fn rss_entries_keep_guid_link_and_categories() {
        let xml = br#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><language>en</language><ttl>60</ttl>
<item><title>A story</title><link>https://e.com/a</link><guid isPermaLink="false">g-1</guid><category>science</category><pubDate>Mon, 23 Nov 2026 07:30:00 GMT</pubDate><content:encoded><![CDATA[<p>Full text.</p>]]></content:encoded></item>
<item><title>No guid</title><link>https://e.com/b</link></item></channel></rss>"#;
        let feed = parse_feed("https://e.com/rss", xml).unwrap();
        assert_eq!(feed.language.as_deref(), Some("en"));
        assert_eq!(feed.ttl_minutes, Some(60));
        assert_eq!(feed.entries[0].guid.as_deref(), Some("g-1"));
        assert_eq!(feed.entries[0].categories, vec!["science"]);
        assert!(
            feed.entries[0]
                .content_html
                .as_deref()
                .unwrap()
                .contains("Full text")
        );
        assert_eq!(feed.entries[1].guid, None);
        assert_eq!(feed.entries[1].link.as_deref(), Some("https://e.com/b"));
    }

    #[test]
    fn garbage_is_an_error_naming_the_feed() {
        let err = parse_feed("https://e.com/broken", b"<rss><channel><item><title>x").unwrap_err();
        assert!(err.to_string().contains("https://e.com/broken"), "{err}");
    }
}
