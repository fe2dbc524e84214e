//! Stable identity of feed entries and articles: canonical URLs without tracking noise.

use sha2::{Digest, Sha256};
use url::Url;

/// Query parameters that only track clicks and never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_hsenc",
    "_hsmi",
    "ref_src",
    "cmpid",
    "at_medium",
    "at_campaign",
    "ns_mchannel",
    "ns_source",
    "ns_campaign",
    "ns_linkname",
    "ns_fee",
    "wt_mc",
    "wt.mc_id",
    "xtor",
    "spm",
    "ocid",
];

/// The canonical form of an article URL: scheme and host lower-cased (the URL parser does
/// that), default port dropped, fragment removed, `utm_*` and other tracking parameters
/// removed. Returns `None` for URLs that do not parse or are not http(s).
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(url.to_string())
}

/// The identity of a feed entry: its GUID, else its canonical link, else a hash of title and
/// date. Entry identity only decides whether an entry was seen before; articles themselves are
/// deduplicated by canonical URL, so a volatile GUID or the same story reached through two
/// feeds never makes a second article.
pub fn entry_key(
    link: Option<&str>,
    guid: Option<&str>,
    title: &str,
    date: Option<&str>,
) -> String {
    if let Some(guid) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return format!("guid:{guid}");
    }
    if let Some(url) = link.and_then(canonical_url) {
        return format!("url:{url}");
    }
    let mut hasher = Sha256::new();
    hasher.update(title.trim().as_bytes());
    hasher.update([0]);
    hasher.update(date.unwrap_or("").as_bytes());
    format!("hash:{}", hex::encode(&hasher.finalize()[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_noise_is_removed() {
        let check = |input: &str, expected: &str| {
            assert_eq!(canonical_url(input).as_deref(), Some(expected), "{input}");
        };
        check(
            "HTTPS://News.Example.COM:443/a/b?utm_source=rss&id=7&utm_medium=feed#top",
            "https://news.example.com/a/b?id=7",
        );
        check("http://example.com/x?fbclid=abc", "http://example.com/x");
        check(
            "http://example.com/x?page=2&gclid=1",
            "http://example.com/x?page=2",
        );
        assert_eq!(canonical_url("mailto:a@b.c"), None);
        assert_eq!(canonical_url("not a url"), None);
    }

    #[test]
    fn entry_identity_falls_back_from_guid_to_link_to_hash() {
        let a = entry_key(Some("https://e.com/story?utm_source=a"), None, "T", None);
        let b = entry_key(Some("https://e.com/story#comments"), None, "T", None);
        assert_eq!(a, b);
        assert_eq!(
            entry_key(Some("https://e.com/story"), Some("g1"), "T", None),
            "guid:g1"
        );
        let c = entry_key(None, None, "Title", Some("2026-11-25"));
        assert!(c.starts_with("hash:"));
        assert_eq!(entry_key(None, Some(" g "), "", None), "guid:g");
    }
}
