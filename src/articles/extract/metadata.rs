//! Title, byline, date, language, lead image and canonical URL, from meta tags, JSON-LD
//! and the markup.

use scraper::{Html, Selector};

use super::clean_inline;

pub(super) struct Metadata {
    pub(super) title: Option<String>,
    pub(super) byline: Option<String>,
    pub(super) published: Option<String>,
    pub(super) lang: Option<String>,
    pub(super) image: Option<String>,
    pub(super) canonical: Option<String>,
}

pub(super) fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector is valid")
}

pub(super) fn meta_content(doc: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(&sel(s))
            .filter_map(|e| e.value().attr("content"))
            .map(clean_inline)
            .find(|v| !v.is_empty())
    })
}

impl Metadata {
    pub(super) fn read(doc: &Html) -> Metadata {
        let json_ld = JsonLd::read(doc);
        let title = meta_content(
            doc,
            &["meta[property='og:title']", "meta[name='twitter:title']"],
        )
        .or(json_ld.headline)
        .or_else(|| first_text(doc, "article h1, main h1, h1"))
        .or_else(|| first_text(doc, "title").map(|t| strip_site_name(&t)));
        let byline = meta_content(
            doc,
            &["meta[name='author']", "meta[property='article:author']"],
        )
        .filter(|a| !a.starts_with("http"))
        .or(json_ld.author)
        .or_else(|| {
            first_text(
                doc,
                "[rel='author'], [itemprop='author'], .byline, .author, .article-author",
            )
        })
        .map(|b| b.chars().take(200).collect());
        let published = meta_content(
            doc,
            &[
                "meta[property='article:published_time']",
                "meta[itemprop='datePublished']",
                "meta[name='date']",
                "meta[name='pubdate']",
                "meta[name='publishdate']",
                "meta[name='DC.date.issued']",
            ],
        )
        .or(json_ld.date_published)
        .or_else(|| {
            doc.select(&sel("article time[datetime], time[datetime]"))
                .find_map(|e| e.value().attr("datetime").map(clean_inline))
        })
        .map(|d| normalize_date(&d));
        let lang = doc
            .root_element()
            .value()
            .attr("lang")
            .or_else(|| doc.root_element().value().attr("xml:lang"))
            .map(str::to_string)
            .or_else(|| {
                meta_content(
                    doc,
                    &[
                        "meta[http-equiv='content-language']",
                        "meta[property='og:locale']",
                    ],
                )
            })
            .and_then(|l| primary_subtag(&l));
        let image = meta_content(
            doc,
            &["meta[property='og:image']", "meta[name='twitter:image']"],
        );
        let canonical = doc
            .select(&sel("link[rel='canonical']"))
            .find_map(|e| e.value().attr("href").map(str::to_string));
        Metadata {
            title,
            byline,
            published,
            lang,
            image,
            canonical,
        }
    }
}

#[derive(Default)]
pub(super) struct JsonLd {
    headline: Option<String>,
    author: Option<String>,
    date_published: Option<String>,
}

impl JsonLd {
    fn read(doc: &Html) -> JsonLd {
        let mut out = JsonLd::default();
        for script in doc.select(&sel("script[type='application/ld+json']")) {
            let text: String = script.text().collect();
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            let mut stack = vec![value];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::Array(items) => stack.extend(items),
                    serde_json::Value::Object(map) => {
                        let ty = map.get("@type").map(|t| t.to_string()).unwrap_or_default();
                        if ty.contains("Article") || ty.contains("Posting") || ty.contains("Report")
                        {
                            if out.headline.is_none() {
                                out.headline = map
                                    .get("headline")
                                    .and_then(|h| h.as_str())
                                    .map(clean_inline);
                            }
                            if out.date_published.is_none() {
                                out.date_published = map
                                    .get("datePublished")
                                    .and_then(|h| h.as_str())
                                    .map(clean_inline);
                            }
                            if out.author.is_none() {
                                out.author = map.get("author").and_then(author_name);
                            }
                        }
                        if let Some(graph) = map.get("@graph") {
                            stack.push(graph.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

pub(super) fn author_name(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(clean_inline(s)),
        serde_json::Value::Object(m) => m.get("name").and_then(|n| n.as_str()).map(clean_inline),
        serde_json::Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(author_name).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

pub(super) fn first_text(doc: &Html, selector: &str) -> Option<String> {
    doc.select(&sel(selector))
        .map(|e| clean_inline(&e.text().collect::<String>()))
        .find(|t| !t.is_empty() && t.chars().count() < 300)
}

/// "Headline | Site" -> "Headline", when what remains is still a headline.
pub(super) fn strip_site_name(title: &str) -> String {
    for sep in [" | ", " - ", " — ", " – ", " :: ", " » "] {
        if let Some(i) = title.rfind(sep) {
            let head = title[..i].trim();
            if head.split_whitespace().count() >= 3 {
                return head.to_string();
            }
        }
    }
    title.trim().to_string()
}

pub(super) fn primary_subtag(lang: &str) -> Option<String> {
    let primary = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() >= 2 && primary.len() <= 3 && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(primary)
}

pub(super) fn normalize_date(raw: &str) -> String {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(raw) {
        return d.to_rfc3339();
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(raw) {
        return d.to_rfc3339();
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(d) = chrono::DateTime::parse_from_str(raw, fmt) {
            return d.to_rfc3339();
        }
    }
    raw.to_string()
}
