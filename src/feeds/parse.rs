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
    // A fresh parser per attempt: one that panicked is left in a broken state.
    let parser = || {
        feed_rs::parser::Builder::new()
            .base_uri(Some(url))
            // Keep "no id" distinguishable from an id: entry identity falls back by itself.
            .id_generator(|_, _, _| String::new())
            .sanitize_content(false)
            .build()
    };
    let bytes = as_atom_1(with_rss_version(without_misplaced_declarations(
        to_parseable(bytes),
    )));
    // feed-rs has panicked on some inputs (UTF-16 among them); one bad feed must never take
    // the run down, so a panic is this feed's error. It also panics on some author strings
    // (slicing inside a multi-byte character next to an e-mail address, found by fuzzing):
    // then the feed is read once more without its bylines, rather than lost.
    let parse = |bytes: &[u8]| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser().parse(bytes)))
    };
    let parsed = match parse(&bytes) {
        Err(_) => parse(&without_people(&bytes)),
        parsed => parsed,
    };
    let feed = match parsed {
        Ok(Ok(feed)) => feed,
        Ok(Err(e)) => {
            return Err(FeedError::Parse {
                url: url.to_string(),
                message: e.to_string(),
            });
        }
        Err(_) => {
            return Err(FeedError::Parse {
                url: url.to_string(),
                message: "the feed parser crashed on this document".into(),
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

/// The document as bytes the XML parser reads correctly:
/// - UTF-16 (by byte-order mark, or `<?` spelled in UTF-16) becomes UTF-8;
/// - a document that is not UTF-8 and declares no encoding is decoded from the encoding
///   chardetng guesses (Latin-1 feeds without a declaration are common);
/// - a document that declares UTF-8 but carries stray bytes of another encoding is read as a
///   lenient reader would, with U+FFFD for the bad bytes;
/// - everything else (UTF-8, or a declared encoding the parser decodes itself) is unchanged.
fn to_parseable(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let utf16 = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0x3C, 0x00, 0x3F, 0x00])
    {
        Some(encoding_rs::UTF_16LE)
    } else if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0x00, 0x3C, 0x00, 0x3F]) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    };
    if let Some(enc) = utf16 {
        let (text, _) = enc.decode_with_bom_removal(bytes);
        return Cow::Owned(without_declared_encoding(&text).into_bytes());
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Cow::Borrowed(bytes);
    }
    match declared_encoding(bytes) {
        Some(e) if e.starts_with("utf-8") || e.starts_with("utf8") => {
            Cow::Owned(String::from_utf8_lossy(bytes).into_owned().into_bytes())
        }
        Some(_) => Cow::Borrowed(bytes),
        None => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let enc = detector.guess(None, false);
            let (text, _, _) = enc.decode(bytes);
            Cow::Owned(without_declared_encoding(&text).into_bytes())
        }
    }
}

/// XML declarations (`<?xml ...?>`) anywhere but at the start of the document are dropped:
/// they are not XML, and one that names an encoding there panics the parser (found by
/// fuzzing, see `fuzz/`). Works on the bytes of any ASCII-compatible encoding.
fn without_misplaced_declarations(bytes: std::borrow::Cow<'_, [u8]>) -> std::borrow::Cow<'_, [u8]> {
    let lead = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .map_or(0, |_| 3);
    let lead = lead
        + bytes[lead..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    let misplaced = |mut from: usize| loop {
        let i = find_bytes(&bytes, b"<?xml", from)?;
        if i != lead && bytes.get(i + 5).is_some_and(u8::is_ascii_whitespace) {
            return Some(i);
        }
        from = i + 1;
    };
    let Some(first) = misplaced(0) else {
        return bytes;
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    let mut next = Some(first);
    while let Some(start) = next {
        out.extend_from_slice(&bytes[at..start]);
        let end = find_bytes(&bytes, b"?>", start).map_or(bytes.len(), |p| p + 2);
        at = end;
        next = misplaced(end);
    }
    out.extend_from_slice(&bytes[at..]);
    std::borrow::Cow::Owned(out)
}

/// Elements naming people, which feed-rs splits into name and e-mail.
const PEOPLE: [&str; 7] = [
    "author",
    "contributor",
    "managingEditor",
    "webMaster",
    "dc:creator",
    "dc:contributor",
    "itunes:author",
];

/// The document without its people elements (and what is inside them).
fn without_people(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for name in PEOPLE {
        let open = format!("<{name}");
        let close = format!("</{name}>");
        let mut at = 0;
        while let Some(start) = find_bytes(&out, open.as_bytes(), at) {
            let boundary = out.get(start + open.len()).copied();
            if !matches!(boundary, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
                at = start + open.len();
                continue;
            }
            let Some(gt) = find_bytes(&out, b">", start) else {
                break;
            };
            let end = if out[gt - 1] == b'/' {
                gt + 1
            } else {
                match find_bytes(&out, close.as_bytes(), gt) {
                    Some(c) => c + close.len(),
                    None => break,
                }
            };
            out.drain(start..end);
            at = start;
        }
    }
    out
}

const ATOM_03_NS: &[u8] = b"http://purl.org/atom/ns#";
const ATOM_1_NS: &[u8] = b"http://www.w3.org/2005/Atom";
/// Atom 0.3 element names and their Atom 1.0 equivalents.
const ATOM_03_RENAMES: [(&str, &str); 4] = [
    ("issued", "published"),
    ("modified", "updated"),
    ("tagline", "subtitle"),
    ("copyright", "rights"),
];

/// Atom 0.3 (still served by old blogs) read as Atom 1.0, which is all the parser knows: its
/// namespace, the renamed elements, and its text constructs' MIME types and modes. Without
/// this, such a feed parsed without error but gave no entries at all. Works on the bytes of
/// any ASCII-compatible encoding.
fn as_atom_1(bytes: std::borrow::Cow<'_, [u8]>) -> std::borrow::Cow<'_, [u8]> {
    if find_bytes(&bytes, ATOM_03_NS, 0).is_none() {
        return bytes;
    }
    let mut out = replace_bytes(&bytes, ATOM_03_NS, ATOM_1_NS);
    for (old, new) in ATOM_03_RENAMES {
        for prefix in ["", "atom:"] {
            for (open, close) in [("<", ">"), ("<", " "), ("<", "/"), ("</", ">")] {
                out = replace_bytes(
                    &out,
                    format!("{open}{prefix}{old}{close}").as_bytes(),
                    format!("{open}{prefix}{new}{close}").as_bytes(),
                );
            }
        }
    }
    std::borrow::Cow::Owned(text_constructs_as_atom_1(out))
}

/// Atom 0.3 text constructs say how their text is written with a MIME type and a mode;
/// Atom 1.0 with `type="text|html|xhtml"` alone (the parser refuses anything else).
const TEXT_CONSTRUCTS: [&str; 5] = ["title", "subtitle", "rights", "summary", "content"];

/// The start tags of text constructs with their `type` and `mode` rewritten for Atom 1.0.
fn text_constructs_as_atom_1(bytes: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(lt) = find_bytes(&bytes, b"<", at) {
        out.extend_from_slice(&bytes[at..lt]);
        let Some(gt) = find_bytes(&bytes, b">", lt) else {
            at = lt;
            break;
        };
        let tag = &bytes[lt..=gt];
        let name_end = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            .unwrap_or(tag.len());
        let name = String::from_utf8_lossy(&tag[1..name_end]);
        let local = name.strip_prefix("atom:").unwrap_or(&name);
        if TEXT_CONSTRUCTS.contains(&local) {
            out.extend_from_slice(&atom_1_text_tag(tag, name_end));
        } else {
            out.extend_from_slice(tag);
        }
        at = gt + 1;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// One start tag (`<name ...>`, `name` ending at `name_end`) with `mode` dropped and `type`
/// set from the old type and mode.
fn atom_1_text_tag(tag: &[u8], name_end: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(tag);
    let attr = |key: &str| -> Option<(usize, usize, String)> {
        let at = text.find(&format!(" {key}="))? + 1;
        let quote = text[at + key.len() + 1..]
            .chars()
            .next()
            .filter(|q| matches!(q, '"' | '\''))?;
        let value_start = at + key.len() + 2;
        let len = text[value_start..].find(quote)?;
        Some((
            at,
            value_start + len + 1,
            text[value_start..value_start + len].to_string(),
        ))
    };
    let mode = attr("mode");
    let kind = attr("type");
    if mode.is_none() && kind.is_none() {
        return tag.to_vec();
    }
    let new_type = match (
        mode.as_ref().map(|m| m.2.as_str()),
        kind.as_ref().map(|k| k.2.as_str()),
    ) {
        (Some("escaped"), _) => "html",
        (_, Some("text/html" | "html")) => "html",
        (_, Some("application/xhtml+xml" | "xhtml")) => "xhtml",
        _ => "text",
    };
    // Cut both attributes out (the later one first), then add the new type.
    let mut cuts: Vec<(usize, usize)> = [mode, kind]
        .into_iter()
        .flatten()
        .map(|(s, e, _)| (s, e))
        .collect();
    cuts.sort();
    let mut rebuilt = String::new();
    let mut at = 0;
    for (s, e) in cuts {
        rebuilt.push_str(text[at..s].trim_end());
        at = e;
    }
    rebuilt.push_str(&text[at..]);
    let insert = name_end.min(rebuilt.len());
    rebuilt.insert_str(insert, &format!(" type=\"{new_type}\""));
    rebuilt.into_bytes()
}

fn find_bytes(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    while let Some(i) = find_bytes(haystack, needle, at) {
        out.extend_from_slice(&haystack[at..i]);
        out.extend_from_slice(with);
        at = i + needle.len();
    }
    out.extend_from_slice(&haystack[at..]);
    out
}

/// `<rss>` without a `version` attribute (common in the wild) is read as RSS 2.0; the
/// parser refuses it otherwise. Works on the bytes of any ASCII-compatible encoding.
fn with_rss_version(bytes: std::borrow::Cow<'_, [u8]>) -> std::borrow::Cow<'_, [u8]> {
    let Some(at) = bytes
        .windows(5)
        .position(|w| w[..4] == *b"<rss" && (w[4] == b'>' || w[4].is_ascii_whitespace()))
    else {
        return bytes;
    };
    let Some(end) = bytes[at..].iter().position(|&b| b == b'>').map(|e| at + e) else {
        return bytes;
    };
    if bytes[at..end].windows(7).any(|w| w == b"version") {
        return bytes;
    }
    let mut out = bytes.into_owned();
    out.splice(at + 4..at + 4, *b" version=\"2.0\"");
    std::borrow::Cow::Owned(out)
}

/// The encoding named in the XML declaration, lower-cased.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let start = head.find("<?xml")?;
    let decl = &head[start..start + head[start..].find("?>")?];
    let at = decl.find("encoding")?;
    let value = decl[at + "encoding".len()..]
        .trim_start_matches([' ', '='])
        .trim_start_matches(['"', '\''])
        .split(['"', '\''])
        .next()?
        .trim()
        .to_string();
    (!value.is_empty()).then_some(value)
}

/// The text with any `encoding="..."` removed from its XML declaration (it is UTF-8 now).
fn without_declared_encoding(text: &str) -> String {
    let Some(start) = text.find("<?xml") else {
        return text.to_string();
    };
    let Some(len) = text[start..].find("?>") else {
        return text.to_string();
    };
    let decl = &text[start..start + len];
    let Some(at) = decl.to_ascii_lowercase().find("encoding") else {
        return text.to_string();
    };
    let rest = &decl[at..];
    // encoding = "value" (either quote)
    let end = rest
        .char_indices()
        .filter(|(_, c)| *c == '"' || *c == '\'')
        .nth(1)
        .map(|(i, _)| i + 1)
        .unwrap_or(rest.len());
    format!(
        "{}{}{}",
        &text[..start + at],
        &rest[end..],
        &text[start + len..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_0_3_feeds_are_read_as_atom_1() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Blog</title>
  <tagline>Example Atom</tagline>
  <entry>
    <title mode="escaped" type="text/html">First &amp;lt;em&amp;gt;post&amp;lt;/em&amp;gt;</title>
    <link rel="alternate" type="text/html" href="https://old.example/1"/>
    <id>tag:old.example,2004:1</id>
    <issued>2004-01-01T19:48:21Z</issued>
    <modified>2004-01-02T19:48:21Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</content>
  </entry>
</feed>"#;
        // Odd attribute values are left alone, never a panic.
        for odd in [
            "<title type=é>x</title>",
            "<title mode=\"escaped",
            "<content type='text/plain' mode=>",
        ] {
            let doc = format!("<feed xmlns=\"http://purl.org/atom/ns#\">{odd}</feed>");
            let _ = parse_feed("https://old.example/atom.xml", doc.as_bytes());
        }
        let feed = parse_feed("https://old.example/atom.xml", xml.as_bytes()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Old Blog"));
        assert_eq!(feed.entries.len(), 1, "{feed:?}");
        let e = &feed.entries[0];
        assert_eq!(e.link.as_deref(), Some("https://old.example/1"));
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2004-01-01T19:48:21+00:00")
        );
        assert!(
            e.content_html
                .as_deref()
                .is_some_and(|c| c.contains("<b>world</b>")),
            "{e:?}"
        );
    }

    /// Found by `scripts/fuzz` (feed_parse): feed-rs panics splitting an author string whose
    /// e-mail address follows a multi-byte character. The feed is read without bylines.
    #[test]
    fn an_author_that_panics_the_parser_costs_the_byline_not_the_feed() {
        let doc = "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>T</title>\
            <item><title>Kept</title><link>https://e.com/1</link>\
            <dc:creator>Simon St.Laurent (mailto:simon\u{FFFD}stl@simonstl.com)</dc:creator></item>\
            <item><title>Also kept</title><link>https://e.com/2</link><author>a@e.com (Ann)</author></item>\
            </channel></rss>";
        let feed = parse_feed("https://e.com/feed", doc.as_bytes()).unwrap();
        let titles: Vec<&str> = feed.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["Kept", "Also kept"]);
        assert_eq!(
            String::from_utf8(without_people(
                b"<a><author>x</author><dc:creator/><authority>y</authority></a>"
            ))
            .unwrap(),
            "<a><authority>y</authority></a>"
        );
    }

    /// Found by `scripts/fuzz` (feed_parse): an XML declaration naming an encoding after the
    /// start of the document panicked feed-rs (in quick-xml's `set_encoding`).
    #[test]
    fn a_declaration_in_the_middle_of_a_feed_is_no_crash() {
        let crash = "the feed parser crashed on this document";
        for doc in [
            "<!-- note -->\n<feed xmlns=\"http://www.w3.org/2005/Atom\">PHA+<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><title>T</title></feed>",
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><?xml version=\"1.0\" encoding=\"koi8-r\"?></channel></rss>",
        ] {
            match parse_feed("https://e.com/feed", doc.as_bytes()) {
                Err(FeedError::Parse { message, .. }) => assert_ne!(message, crash, "{doc}"),
                Err(e) => panic!("{e}"),
                Ok(feed) => assert_eq!(feed.title.as_deref(), Some("T")),
            }
        }
        // A declaration at the start (after a BOM and blank lines) stays.
        let fine = b"\xEF\xBB\xBF\n<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>";
        assert_eq!(
            without_misplaced_declarations(std::borrow::Cow::Borrowed(fine.as_slice())).as_ref(),
            fine.as_slice()
        );
    }

    #[test]
    fn utf16_and_undeclared_latin1_feeds_decode_to_the_right_text() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Größe</title><item><title>Привет</title><link>https://e.com/a</link></item></channel></rss>";
        for enc in [encoding_rs::UTF_16BE, encoding_rs::UTF_16LE] {
            let mut bytes: Vec<u8> = Vec::new();
            for unit in xml.encode_utf16() {
                let pair = if enc == encoding_rs::UTF_16BE {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                };
                bytes.extend_from_slice(&pair);
            }
            let feed = parse_feed("https://e.com/rss", &bytes).unwrap();
            assert_eq!(feed.title.as_deref(), Some("Größe"));
            assert_eq!(feed.entries[0].title, "Привет");
        }
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<rss version=\"2.0\"><channel><title>Le Cercle Psy : société et santé mentale</title><item><title>Pourquoi la sérénité arrive à l'âge mûr</title><link>https://e.com/a</link></item></channel></rss>",
        );
        let feed = parse_feed("https://e.com/rss", &latin1).unwrap();
        assert_eq!(
            feed.entries[0].title,
            "Pourquoi la sérénité arrive à l'âge mûr"
        );
        assert_eq!(
            without_declared_encoding("<?xml version='1.0' encoding='UTF-16'?><a/>"),
            "<?xml version='1.0' ?><a/>"
        );
    }

    #[test]
    fn rss_without_a_version_is_read_as_rss_2() {
        let feed = parse_feed(
            "https://e.com/rss",
            b"<rss>\n<channel><title>T</title><item><title>A</title></item></channel></rss>",
        )
        .unwrap();
        assert_eq!(feed.entries[0].title, "A");
    }

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
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding='Windows-1251'?><rss/>").as_deref(),
            Some("windows-1251")
        );
        assert_eq!(declared_encoding(b"<rss/>"), None);
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
