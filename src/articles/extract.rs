//! Main-text extraction from article HTML, on scraper.
//!
//! A Readability-style scorer: text blocks (paragraphs, and divs holding text directly) score
//! by length and commas and pass their score up to five ancestors; the best container,
//! adjusted by class/id hints and link density, wins. It climbs to an ancestor that most top
//! candidates share, to one that scores higher, and to the body container a CMS names
//! (`entry-content`, `itemprop=articleBody`); its good siblings join it, and a lead that
//! sits apart in the header goes first. The text is then written block by block (headings,
//! paragraphs, list items, quotes), skipping boilerplate inside the container (share bars,
//! "related" boxes, meta lines, captions, link lists and their labels, forms). When the
//! strict pass finds little, a lenient one that ignores class names tries again. Tuned on
//! `hyperlearn eval extraction` (Readability's, newspaper's and trafilatura's test pages).
//! Metadata (title, byline, date, language, lead image) come from meta tags, JSON-LD and
//! the markup.

use std::collections::{HashMap, HashSet};

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

/// What extraction found in a page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Extracted {
    pub title: Option<String>,
    pub byline: Option<String>,
    /// Publication time as found (RFC 3339 when it could be parsed).
    pub published: Option<String>,
    /// The page's declared language (primary subtag), before detection.
    pub declared_lang: Option<String>,
    /// Lead image URL (absolute when a base URL was given).
    pub image: Option<String>,
    /// Canonical URL declared by the page.
    pub canonical: Option<String>,
    /// Main text; paragraphs separated by blank lines.
    pub text: String,
}

/// Decodes page bytes to text: BOM; then bytes that are valid UTF-8 with non-ASCII text
/// in them are UTF-8 whatever is declared (pages are re-saved as UTF-8 with their old
/// `<meta charset>` left in, and legacy-encoded text is almost never valid UTF-8); then
/// `<meta charset>`, then the HTTP content type, then UTF-8 (invalid bytes replaced).
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    if !bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return text.to_string();
    }
    let head = &bytes[..bytes.len().min(4096)];
    let head_text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let declared = find_meta_charset(&head_text)
        .or_else(|| content_type.and_then(|ct| charset_param(&ct.to_ascii_lowercase())));
    let encoding = declared
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    // A page that declares UTF-16 in a meta tag is really ASCII-compatible; ignore it.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else {
        encoding
    };
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn find_meta_charset(head: &str) -> Option<String> {
    let mut rest = head;
    while let Some(i) = rest.find("charset") {
        let after = &rest[i + "charset".len()..];
        let after = after.trim_start();
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            let end = value
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':'))
                .unwrap_or(value.len());
            if end > 0 {
                return Some(value[..end].to_string());
            }
        }
        rest = after;
    }
    None
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        part.trim()
            .strip_prefix("charset=")
            .map(|v| v.trim_matches(['"', '\'']).to_string())
    })
}

/// Extracts title, byline, date, declared language, lead image and main text.
pub fn extract(html: &str, base_url: Option<&url::Url>) -> Extracted {
    let doc = Html::parse_document(html);
    let meta = Metadata::read(&doc);
    // As Readability does: strip unlikely-looking parts first; if that leaves too little,
    // try again keeping them, and take that text when it is much longer (the strict pass
    // threw the article out with a wrapper whose class looked like boilerplate).
    let strict = main_text(&doc, meta.title.as_deref(), Mode::Strict);
    let text = if strict.chars().count() >= RETRY_BELOW_CHARS {
        strict
    } else {
        let lenient = main_text(&doc, meta.title.as_deref(), Mode::Lenient);
        if lenient.chars().count() > 2 * strict.chars().count() {
            lenient
        } else {
            strict
        }
    };
    let absolute = |u: String| match base_url {
        Some(base) => base.join(&u).map(|u| u.to_string()).unwrap_or(u),
        None => u,
    };
    Extracted {
        title: meta.title,
        byline: meta.byline,
        published: meta.published,
        declared_lang: meta.lang,
        image: meta.image.map(absolute),
        canonical: meta.canonical.map(absolute),
        text,
    }
}

struct Metadata {
    title: Option<String>,
    byline: Option<String>,
    published: Option<String>,
    lang: Option<String>,
    image: Option<String>,
    canonical: Option<String>,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector is valid")
}

fn meta_content(doc: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(&sel(s))
            .filter_map(|e| e.value().attr("content"))
            .map(clean_inline)
            .find(|v| !v.is_empty())
    })
}

impl Metadata {
    fn read(doc: &Html) -> Metadata {
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
struct JsonLd {
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

fn author_name(v: &serde_json::Value) -> Option<String> {
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

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    doc.select(&sel(selector))
        .map(|e| clean_inline(&e.text().collect::<String>()))
        .find(|t| !t.is_empty() && t.chars().count() < 300)
}

/// "Headline | Site" -> "Headline", when what remains is still a headline.
fn strip_site_name(title: &str) -> String {
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

fn primary_subtag(lang: &str) -> Option<String> {
    let primary = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() >= 2 && primary.len() <= 3 && primary.chars().all(|c| c.is_ascii_alphabetic()))
        .then_some(primary)
}

fn normalize_date(raw: &str) -> String {
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

/// Whitespace runs as single spaces, without the invisible characters that only guide line
/// breaking: soft hyphens ("Veran\u{ad}staltung"), zero-width spaces and word joiners.
/// Left in, they split words for levels, search and the verifier's evidence matching.
pub(crate) fn clean_inline(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.replace(INVISIBLE, ""))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Soft hyphen, zero-width space, word joiner, zero-width no-break space.
const INVISIBLE: [char; 4] = ['\u{ad}', '\u{200b}', '\u{2060}', '\u{feff}'];

// ---------------------------------------------------------------------------------------
// Main text
// ---------------------------------------------------------------------------------------

/// Elements whose content is never article text (`rt` and `rp`: the readings printed over
/// Japanese kanji, which would double every annotated word).
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "input", "select", "textarea", "nav", "aside", "footer", "menu", "dialog",
    "head", "title", "meta", "link", "rt", "rp",
];

/// Block elements that become paragraphs of the output.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "figcaption",
    "td",
    "th",
    "div",
    "section",
    "article",
    "main",
    "header",
    "ul",
    "ol",
    "dl",
    "table",
    "tr",
    "tbody",
    "figure",
    "center",
    "h1",
    "address",
    "details",
    "summary",
];

/// Class and id words of boilerplate. A word matches a class/id token that equals it, or,
/// for words of four letters or more, a token that starts with it ("sidebar-left").
const UNLIKELY: &[&str] = &[
    "comment",
    "comments",
    "cookie",
    "consent",
    "banner",
    "sidebar",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "related",
    "share",
    "sharing",
    "social",
    "newsletter",
    "subscribe",
    "signup",
    "promo",
    "advert",
    "ad",
    "ads",
    "sponsor",
    "popup",
    "modal",
    "breadcrumb",
    "pagination",
    "pager",
    "masthead",
    "tags",
    "toolbar",
    "disqus",
    "outbrain",
    "taboola",
    "recommend",
    "mostread",
    "trending",
    "skip",
    "login",
    "paywall",
    "byline",
    "author",
    "dateline",
    "timestamp",
    "copyright",
    "disclaimer",
    "toc",
    "affiliate",
    "factbox",
    "infobox",
    "download",
];

/// Class and id words of image captions and credits ("Photo: Reuters"). Captions describe a
/// picture the lesson does not show, so they are left out even inside the article (class
/// words like "text" do not save them, as they do boilerplate).
const CAPTION: &[&str] = &[
    "caption",
    "credit",
    "credits",
    "bildunterschrift",
    "legend",
    "imagedescription",
];

/// Class and id words (whole words only) of boilerplate that no likely word saves: in
/// "entry-meta", "post-footer" or "comment-content" the likely word names whose part it is.
const STRONGLY_UNLIKELY: &[&str] = &[
    "meta",
    "postmeta",
    "footer",
    "comment",
    "comments",
    "kommentar",
    "kommentare",
    "related",
    "share",
    "sharing",
    "sharedaddy",
    "rating",
    "ratings",
    "embed",
    "noprint",
];

/// Parts of class and id names of boxes about the author or the shop, whose words alone
/// ("author", "box") would say too little.
const BOILERPLATE_NAMES: &[&str] = &[
    "author-box",
    "authorbox",
    "author-bio",
    "about-author",
    "saboxplugin",
    "buybox",
];

/// Class and id words that keep an element although an unlikely word matched too.
const MAYBE: &[&str] = &[
    "article", "body", "column", "content", "main", "shadow", "story", "entry", "post", "text",
];

/// Below this many characters, the strict pass is retried leniently (1,000 rather than
/// Readability's 500: on trafilatura's set that recovers more short articles than it adds
/// boilerplate).
const RETRY_BELOW_CHARS: usize = 1000;

/// Whether unlikely-looking parts are stripped (the first pass) or kept (the retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    Lenient,
}

/// The lower-case words of an element's class and id ("nav-main_top" -> nav, main, top).
fn class_tokens(e: &scraper::node::Element) -> Vec<String> {
    tokens_of(&class_id(e))
}

/// The words of a lower-cased class and id string.
fn tokens_of(names: &str) -> Vec<String> {
    names
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn token_matches(tokens: &[String], words: &[&str]) -> bool {
    tokens.iter().any(|t| {
        words
            .iter()
            .any(|w| t == w || (w.len() >= 4 && t.starts_with(w)))
    })
}

const LIKELY: &[&str] = &[
    "article", "body", "content", "entry", "main", "page", "post", "text", "blog", "story",
    "prose", "column",
];

fn class_id(e: &scraper::node::Element) -> String {
    let mut s = String::new();
    if let Some(id) = e.id() {
        s.push_str(id);
        s.push(' ');
    }
    for c in e.classes() {
        s.push_str(c);
        s.push(' ');
    }
    s.to_ascii_lowercase()
}

/// Paragraphs in a `form` that make it a page wrapper rather than a form.
const FORM_WRAPPER_PARAGRAPHS: usize = 5;

/// Whether a `form` wraps the page's content, as ASP.NET WebForms pages do (one form around
/// the whole body), so it must not be skipped as a form.
fn wraps_content(node: NodeRef<'_, Node>) -> bool {
    let mut paragraphs = 0;
    node.descendants()
        .skip(1)
        .any(|d| match d.value().as_element().map(|e| e.name()) {
            Some("article" | "main") => true,
            Some("p") => {
                paragraphs += 1;
                paragraphs >= FORM_WRAPPER_PARAGRAPHS
            }
            _ => false,
        })
}

/// Whether the page's main region lies inside this element: a `nav`, `footer` or banner
/// left unclosed by broken markup swallows the rest of the page, and must not be skipped.
fn wraps_main(node: NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).any(|d| {
        d.value()
            .as_element()
            .is_some_and(|e| e.name() == "main" || e.attr("role") == Some("main"))
    })
}

/// Paragraphs that, with the headline, make a boilerplate-looking wrapper the article's.
const ARTICLE_WRAPPER_PARAGRAPHS: usize = 6;

/// Whether an element holds the page's headline (`h1`) and enough paragraphs to be the
/// article's wrapper, whatever its class says ("above-footer", "sidebar-layout").
fn holds_the_article(node: NodeRef<'_, Node>) -> bool {
    let (mut headline, mut paragraphs) = (false, 0);
    for d in node.descendants().skip(1) {
        match d.value().as_element().map(|e| e.name()) {
            Some("h1") => headline = true,
            Some("p") => paragraphs += 1,
            _ => continue,
        }
        if headline && paragraphs >= ARTICLE_WRAPPER_PARAGRAPHS {
            return true;
        }
    }
    false
}

fn is_unlikely(node: NodeRef<'_, Node>, mode: Mode) -> bool {
    let Node::Element(e) = node.value() else {
        return false;
    };
    if SKIP_TAGS.contains(&e.name()) {
        return match e.name() {
            "form" => !wraps_content(node),
            // The lenient retry reads asides: some sites put the article in one.
            "aside" if mode == Mode::Lenient => false,
            "nav" | "aside" | "footer" | "menu" => !wraps_main(node),
            _ => true,
        };
    }
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let style = style.replace(' ', "").to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    if matches!(
        e.attr("role"),
        Some("navigation" | "complementary" | "banner" | "contentinfo" | "dialog")
    ) {
        return !wraps_main(node);
    }
    if mode == Mode::Lenient || matches!(e.name(), "body" | "article" | "main" | "html") {
        return false;
    }
    if e.name() == "figcaption" {
        return true;
    }
    // Most elements have neither class nor id: nothing more to read.
    if e.id().is_none() && e.classes().next().is_none() {
        return false;
    }
    let names = class_id(e);
    let tokens = tokens_of(&names);
    if token_matches(&tokens, CAPTION) {
        return true;
    }
    let unlikely = BOILERPLATE_NAMES.iter().any(|n| names.contains(n))
        || tokens
            .iter()
            .any(|t| STRONGLY_UNLIKELY.contains(&t.as_str()))
        || (token_matches(&tokens, UNLIKELY) && !token_matches(&tokens, MAYBE));
    unlikely && !holds_the_article(node)
}

fn class_weight(e: &scraper::node::Element) -> f64 {
    let tokens = class_tokens(e);
    let mut w = 0.0;
    if token_matches(&tokens, UNLIKELY) {
        w -= 25.0;
    }
    if token_matches(&tokens, LIKELY) {
        w += 25.0;
    }
    w
}

struct TextStats {
    chars: usize,
    link_chars: usize,
    commas: usize,
}

/// Text statistics of a subtree, skipping unlikely parts.
fn stats(node: NodeRef<'_, Node>, mode: Mode) -> TextStats {
    let mut st = TextStats {
        chars: 0,
        link_chars: 0,
        commas: 0,
    };
    let mut stack = vec![(node, false)];
    while let Some((n, in_link)) = stack.pop() {
        match n.value() {
            Node::Text(t) => {
                let len = t.trim().chars().count();
                st.chars += len;
                st.commas += t.matches([',', '，', '、', '،']).count();
                if in_link {
                    st.link_chars += len;
                }
            }
            Node::Element(e) => {
                if is_unlikely(n, mode) && n.id() != node.id() {
                    continue;
                }
                let link = in_link || e.name() == "a";
                for c in n.children() {
                    stack.push((c, link));
                }
            }
            _ => {}
        }
    }
    st
}

fn link_density(st: &TextStats) -> f64 {
    if st.chars == 0 {
        0.0
    } else {
        st.link_chars as f64 / st.chars as f64
    }
}

/// Whether a div holds text itself rather than only block children.
fn has_direct_text(node: NodeRef<'_, Node>) -> bool {
    node.children().any(|c| match c.value() {
        Node::Text(t) => t.trim().chars().count() > 20,
        _ => false,
    })
}

/// Whether an element holds block elements (or images) anywhere below it. A `div` without
/// any is a paragraph in all but name (as Readability treats it), text in spans and all.
fn has_block_descendant(node: NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).any(|d| {
        d.value()
            .as_element()
            .is_some_and(|e| e.name() == "img" || BLOCK_TAGS.contains(&e.name()))
    })
}

/// How many ancestors of a text block share its score (halved for the grandparent, then
/// divided by three times the level).
const ANCESTOR_LEVELS: usize = 5;
/// Candidates looked at for a shared ancestor, and how many must share it.
const TOP_CANDIDATES: usize = 5;
const MIN_SHARED_CANDIDATES: usize = 3;
/// How far above the best candidate a named body container is looked for.
const BODY_CONTAINER_LEVELS: usize = 9;
/// Class and id names of the element that holds an article's body in common publishing
/// systems (WordPress, Drupal, news CMSs).
const BODY_CONTAINERS: &[&str] = &[
    "entry-content",
    "article-body",
    "article__body",
    "articlebody",
    "article-content",
    "article__content",
    "post-content",
    "post-body",
    "story-body",
    "article-text",
];

fn is_body_container(e: &scraper::node::Element) -> bool {
    if e.attr("itemprop") == Some("articleBody") {
        return true;
    }
    let names = class_id(e);
    BODY_CONTAINERS.iter().any(|c| names.contains(c))
}

/// An ancestor climbed to must not be mostly links (teasers of other articles).
const CLIMB_MAX_LINK_DENSITY: f64 = 0.2;

fn main_text(doc: &Html, title: Option<&str>, mode: Mode) -> String {
    let root = doc.tree.root();
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    let mut order: Vec<NodeId> = Vec::new();

    // Walk the document, skipping unlikely subtrees, scoring text blocks.
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if let Node::Element(e) = n.value() {
            if is_unlikely(n, mode) {
                continue;
            }
            let name = e.name();
            let is_block = matches!(name, "p" | "pre" | "td" | "blockquote")
                || (matches!(name, "div" | "section")
                    && (has_direct_text(n) || !has_block_descendant(n)));
            if is_block {
                let st = stats(n, mode);
                if st.chars >= 25 {
                    let score = 1.0 + st.commas as f64 + (st.chars as f64 / 100.0).min(3.0);
                    let mut ancestor = n.parent();
                    let mut level = 0;
                    while let Some(a) = ancestor {
                        if level >= ANCESTOR_LEVELS || !a.value().is_element() {
                            break;
                        }
                        let divider = match level {
                            0 => 1.0,
                            1 => 2.0,
                            _ => 3.0 * level as f64,
                        };
                        let entry = scores.entry(a.id()).or_insert_with(|| {
                            order.push(a.id());
                            initial_score(a, mode)
                        });
                        *entry += score / divider;
                        ancestor = a.parent();
                        level += 1;
                    }
                }
            }
        }
        // Children pushed in reverse so that we walk in document order.
        let children: Vec<_> = n.children().collect();
        stack.extend(children.into_iter().rev());
    }

    let mut best: Option<(NodeId, f64)> = None;
    for id in &order {
        let node = doc.tree.get(*id).expect("scored node exists");
        let st = stats(node, mode);
        let score = scores[id] * (1.0 - link_density(&st));
        scores.insert(*id, score);
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((*id, score));
        }
    }
    let Some((best_id, best_score)) = best else {
        return fallback_text(doc, mode);
    };
    let mut top = doc.tree.get(best_id).expect("best node exists");

    // An article split into several blocks (between images, ads, pull quotes) gives several
    // candidates of about the same score: when enough of them share an ancestor with the
    // best, that ancestor is the article (Readability's "alternative candidate ancestors"),
    // unless it is mostly links.
    let mut ranked: Vec<(NodeId, f64)> = order.iter().map(|id| (*id, scores[id])).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let alternatives: Vec<HashSet<NodeId>> = ranked
        .iter()
        .skip(1)
        .take(TOP_CANDIDATES - 1)
        .filter(|(_, score)| *score >= best_score * 0.75)
        .map(|(id, _)| {
            let node = doc.tree.get(*id).expect("scored node exists");
            node.ancestors().map(|a| a.id()).collect()
        })
        .collect();
    if alternatives.len() >= MIN_SHARED_CANDIDATES {
        let mut ancestor = top.parent();
        while let Some(a) = ancestor {
            if a.value().as_element().is_none_or(|e| e.name() == "body") {
                break;
            }
            let sharing = alternatives
                .iter()
                .filter(|set| set.contains(&a.id()))
                .count();
            if sharing >= MIN_SHARED_CANDIDATES {
                if link_density(&stats(a, mode)) < CLIMB_MAX_LINK_DENSITY {
                    top = a;
                }
                break;
            }
            ancestor = a.parent();
        }
    }

    // An ancestor that scores higher than the one below it gathers more of the article:
    // climb to it, as long as the scores on the way do not fall below a third (and it is
    // not mostly links).
    let mut last = scores.get(&top.id()).copied().unwrap_or(best_score);
    let mut ancestor = top.parent();
    while let Some(a) = ancestor {
        if a.value().as_element().is_none_or(|e| e.name() == "body") {
            break;
        }
        if let Some(&score) = scores.get(&a.id()) {
            if score < last / 3.0 {
                break;
            }
            if score > last {
                if link_density(&stats(a, mode)) < CLIMB_MAX_LINK_DENSITY {
                    top = a;
                }
                break;
            }
            last = score;
        }
        ancestor = a.parent();
    }

    // A body container that publishing systems name as such ("entry-content", itemprop
    // "articleBody") holds the whole article, also when it is split into sections: climb to it.
    if let Some(body) = top
        .ancestors()
        .take(BODY_CONTAINER_LEVELS)
        .take_while(|a| a.value().as_element().is_some_and(|e| e.name() != "body"))
        .find(|a| a.value().as_element().is_some_and(is_body_container))
        && link_density(&stats(body, mode)) < CLIMB_MAX_LINK_DENSITY
    {
        top = body;
    }

    // If the winner is a thin wrapper holding most of its parent's text, climb.
    while let Some(parent) = top.parent() {
        if !parent.value().is_element()
            || parent
                .value()
                .as_element()
                .is_some_and(|e| e.name() == "body")
        {
            break;
        }
        let parent_score = scores.get(&parent.id()).copied().unwrap_or(0.0);
        if parent_score > best_score * 0.9 && stats(parent, mode).chars < stats(top, mode).chars * 2
        {
            top = parent;
        } else {
            break;
        }
    }

    // Siblings that look like more of the article join it.
    let threshold = (best_score * 0.2).max(10.0);
    let mut parts: Vec<NodeRef<'_, Node>> = Vec::new();
    match top.parent() {
        Some(parent) if parent.value().is_element() => {
            for sibling in parent.children() {
                if sibling.id() == top.id() {
                    parts.push(sibling);
                    continue;
                }
                let Node::Element(e) = sibling.value() else {
                    continue;
                };
                if is_unlikely(sibling, mode) {
                    continue;
                }
                let score = scores.get(&sibling.id()).copied().unwrap_or(0.0);
                let st = stats(sibling, mode);
                let append = score >= threshold
                    || (e.name() == "p" && st.chars > 80 && link_density(&st) < 0.25)
                    || (e.name() == "p"
                        && st.chars > 0
                        && link_density(&st) == 0.0
                        && has_sentence_end(sibling));
                if append {
                    parts.push(sibling);
                }
            }
        }
        _ => parts.push(top),
    }

    let mut blocks: Vec<String> = Vec::new();
    if let Some(lead) = lead_before(top, mode) {
        collect_blocks(lead, &mut blocks, mode);
    }
    for part in parts {
        collect_blocks(part, &mut blocks, mode);
    }
    // The headline is metadata, not body text.
    if let (Some(first), Some(title)) = (blocks.first(), title)
        && clean_inline(first) == clean_inline(title)
    {
        blocks.remove(0);
    }
    blocks.retain(|b| {
        !is_dateline(b) && !is_photo_credit(b) && !is_ad_marker(b) && !is_related_label(b)
    });
    trim_trailing_labels(&mut blocks);
    let text = blocks.join("\n\n");
    if text.chars().count() < 50 {
        fallback_text(doc, mode)
    } else {
        text
    }
}

/// A block this short that is not a sentence is a label, not text.
const LABEL_MAX_CHARS: usize = 60;

/// Drops the short, sentence-less blocks that end many extractions: "Related:", "More on
/// this topic", "About the author", titles of other articles, a date; and the short calls to
/// the reader after the article ("Jetzt teilen!", "War dieser Artikel hilfreich?"). The
/// article's own last paragraph ends a sentence; the first block is always kept.
fn trim_trailing_labels(blocks: &mut Vec<String>) {
    while blocks.len() > 1 && blocks.last().is_some_and(|b| is_label(b) || is_call(b)) {
        blocks.pop();
    }
}

/// Longest call to the reader, in characters.
const CALL_MAX_CHARS: usize = 40;

/// A short question or exclamation: at the end of an article, a call to share, rate or
/// comment rather than its text.
fn is_call(block: &str) -> bool {
    block.chars().count() <= CALL_MAX_CHARS && block.trim_end().ends_with(['?', '!', '？', '！'])
}

/// A short block that is not a sentence: a heading or a label ("Read more:").
fn is_label(block: &str) -> bool {
    block.chars().count() <= LABEL_MAX_CHARS && (block.ends_with(':') || !ends_sentence(block))
}

/// The links left out of the text take the label just before them along ("Related
/// stories", "More on this topic:").
fn drop_label(out: &mut Vec<String>) {
    if out.last().is_some_and(|b| is_label(b)) {
        out.pop();
    }
}

/// Month names and their usual abbreviations (first three letters match), in the
/// languages whose pages are most common: a date written out ("2. Februar 2022").
const MONTHS: &[&str] = &[
    // en, de, fr, es, it, pl (stems where the forms differ). Extraction runs before the
    // language is known, so these are pooled here rather than taken from the homes.
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januar",
    "februar",
    "märz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "janvier",
    "février",
    "mars",
    "avril",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "gennaio",
    "febbraio",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "settembre",
    "ottobre",
    "dicembre",
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

/// Longest dateline or photo credit, in characters.
const STAMP_MAX_CHARS: usize = 60;
/// Words besides the date a dateline may have: that it was published or updated, and when
/// ("Veröffentlicht am", "Update vom", "Publikacja:"). Stems of five letters or more match
/// as prefixes (veröffentlichung, publicado, opublikowano). Any other word makes the block
/// content: "Termin: 29.02.2020".
const DATELINE_WORDS: &[&str] = &[
    "veröffentlich",
    "aktualisier",
    "erschien",
    "stand",
    "datum",
    "publi",
    "opublikow",
    "updat",
    "posted",
    "actualiz",
    "aktualiz",
    "pubblica",
    "aggiorna",
    "date",
    "am",
    "vom",
    "um",
    "on",
    "at",
    "le",
    "el",
    "il",
    "de",
    "del",
    "à",
    "a",
    "pm",
    "uhr",
    "h",
];

/// A block that is only a date or time, perhaps with words saying it was published or
/// updated ([`DATELINE_WORDS`]): "23.10.2018", "Veröffentlichung: 2. Februar 2022",
/// "Aktualisiert: 11.04.2020, 10:27", "3:59 PM". The article's date is metadata; in the text
/// it is not prose to read.
fn is_dateline(block: &str) -> bool {
    if block.chars().count() > STAMP_MAX_CHARS || !block.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let (mut date, mut time, mut year, mut month) = (false, false, false, false);
    for token in block.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')')) {
        let t = token.trim_end_matches([':', '.']).to_lowercase();
        if t.is_empty() || t == "-" || t == "–" {
            continue;
        }
        let digits = t.chars().filter(char::is_ascii_digit).count();
        let groups = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .count();
        let numeric = t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ':' | '+' | 't'));
        if numeric && digits > 0 {
            if t.contains(':') && groups <= 3 && !t.contains(['.', '/']) && !t.contains('-') {
                time = true;
            } else if groups >= 3 {
                date = true;
            } else if groups == 1 {
                year |= digits == 4;
            } else {
                return false;
            }
        } else if t.chars().all(char::is_alphabetic) {
            if MONTHS
                .iter()
                .any(|m| *m == t || (t.chars().count() >= 3 && m.starts_with(&t)))
            {
                month = true;
            } else if !DATELINE_WORDS
                .iter()
                .any(|w| *w == t || (w.chars().count() >= 5 && t.starts_with(w)))
            {
                return false;
            }
        } else {
            return false;
        }
    }
    date || time || (month && year)
}

/// Words that open a photo credit ("Foto: Anita Drenckhahn", "(Credit: Clayton Aldern)").
const CREDIT_WORDS: &[&str] = &[
    "credit",
    "credits",
    "photo",
    "photos",
    "foto",
    "fotos",
    "bild",
    "bilder",
    "titelbild",
    "beitragsbild",
    "image",
    "images",
    "fotograf",
    "crédit",
    "crédits",
    "imagen",
    "fotografía",
];

/// A short block that credits a picture, which a lesson does not show.
fn is_photo_credit(block: &str) -> bool {
    if block.chars().count() > STAMP_MAX_CHARS {
        return false;
    }
    let lower = block
        .trim_start_matches(['(', '['])
        .trim_start()
        .to_lowercase();
    lower.split_once(':').is_some_and(|(head, _)| {
        CREDIT_WORDS.contains(&head.trim()) || head.trim() == "quelle" && lower.contains("foto")
    })
}

/// Words that mark an advertisement or a sponsored post.
const AD_WORDS: &[&str] = &[
    "anzeige",
    "werbung",
    "advertisement",
    "advertorial",
    "sponsored",
    "gesponsert",
    "publicidad",
    "publicité",
    "reklama",
    "pubblicità",
];
/// Longest advertisement marker, in characters.
const AD_MARKER_MAX_CHARS: usize = 80;

/// A short block that marks an advertisement or discloses one: "Advertisement", "- Anzeige -",
/// "*Werbung. Dieser Beitrag enthält Werbung für ...". Not the article's text.
fn is_ad_marker(block: &str) -> bool {
    short_block_opening(block, AD_MARKER_MAX_CHARS).is_some_and(|lower| {
        let word: String = lower.chars().take_while(|c| c.is_alphabetic()).collect();
        AD_WORDS.contains(&word.as_str())
    })
}

/// A block of at most `max_chars`, lower-cased from its first letter or digit (past bullets,
/// dashes and brackets); `None` for a longer block.
fn short_block_opening(block: &str, max_chars: usize) -> Option<String> {
    (block.chars().count() <= max_chars).then(|| {
        block
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    })
}

/// How pages introduce links to their other articles, lower-cased; a short block that opens
/// with one is navigation ("Mehr zum Thema", "Lesen Sie auch", "Czytaj też: ...").
const RELATED_LABELS: &[&str] = &[
    "mehr zum thema",
    "mehr zu ",
    "zum weiterlesen",
    "auch interessant",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "lesen sie auch",
    "lies auch",
    "weitere artikel",
    "weitere beiträge",
    "ähnliche beiträge",
    "ähnliche artikel",
    "verwandte artikel",
    "neueste artikel",
    "schon gelesen",
    "read more",
    "related",
    "you may also like",
    "more from",
    "le puede interesar",
    "te puede interesar",
    "también te puede interesar",
    "lee también",
    "lea también",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "leggi anche",
    "czytaj też",
    "czytaj także",
    "zobacz też",
    "dowiedz się więcej",
];
/// Longest block taken for a related-links label, in characters.
const RELATED_LABEL_MAX_CHARS: usize = 60;

fn is_related_label(block: &str) -> bool {
    short_block_opening(block, RELATED_LABEL_MAX_CHARS)
        .is_some_and(|lower| RELATED_LABELS.iter().any(|label| lower.starts_with(label)))
}

/// Whether text ends as a sentence does (closing quotes and brackets allowed after it).
fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']'])
        .ends_with(['.', '!', '?', '。', '！', '？', '…'])
}

/// Class and id words of an article's lead (standfirst), which sites often put in the
/// header, apart from the body the scoring finds.
const LEAD: &[&str] = &[
    "lead",
    "intro",
    "teaser",
    "excerpt",
    "standfirst",
    "chapo",
    "vorspann",
    "preface",
    "summary",
    "deck",
    "sapo",
    "abstract",
    "einleitung",
    "perex",
    "bajada",
    "epigraph",
    "description",
    "subhead",
    "subtitle",
    "subline",
];
/// How far above the article its lead may sit, in ancestors of the article element.
const LEAD_SCOPE: usize = 6;
/// A lead is prose: this long at least, and few links.
const LEAD_MIN_CHARS: usize = 40;
const LEAD_MAX_LINK_DENSITY: f64 = 0.3;

/// The article's lead, when it stands apart from `top`: the first element with a lead's
/// class word that comes before `top` under one of its near ancestors, is not part of it,
/// and reads as prose.
fn lead_before<'a>(top: NodeRef<'a, Node>, mode: Mode) -> Option<NodeRef<'a, Node>> {
    if mode == Mode::Lenient {
        return None;
    }
    let scope = top
        .ancestors()
        .take(LEAD_SCOPE)
        .take_while(|a| a.value().as_element().is_some_and(|e| e.name() != "body"))
        .last()?;
    let mut stack = vec![scope];
    while let Some(n) = stack.pop() {
        if n.id() == top.id() {
            return None;
        }
        let Node::Element(e) = n.value() else {
            continue;
        };
        if is_unlikely(n, mode) {
            continue;
        }
        let is_ancestor = top.ancestors().any(|a| a.id() == n.id());
        if !is_ancestor && !matches!(e.name(), "h1" | "a") && token_matches(&lead_tokens(e), LEAD) {
            let st = stats(n, mode);
            if st.chars >= LEAD_MIN_CHARS && link_density(&st) < LEAD_MAX_LINK_DENSITY {
                return Some(n);
            }
        }
        let children: Vec<_> = n.children().collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// Class and id words, and each pair of neighbours joined ("sub-headline", "stand-first").
fn lead_tokens(e: &scraper::node::Element) -> Vec<String> {
    let mut tokens = class_tokens(e);
    let pairs: Vec<String> = tokens
        .windows(2)
        .map(|w| format!("{}{}", w[0], w[1]))
        .collect();
    tokens.extend(pairs);
    tokens
}

fn has_sentence_end(node: NodeRef<'_, Node>) -> bool {
    let t: String = ElementRef::wrap(node)
        .map(|e| e.text().collect())
        .unwrap_or_default();
    let t = t.trim_end();
    t.ends_with(['.', '!', '?', '。', '»', '"', '”'])
}

fn initial_score(node: NodeRef<'_, Node>, mode: Mode) -> f64 {
    let Some(e) = node.value().as_element() else {
        return 0.0;
    };
    let tag = match e.name() {
        "article" => 10.0,
        "div" | "main" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    match mode {
        Mode::Strict => tag + class_weight(e),
        // The retry distrusts class names altogether.
        Mode::Lenient => tag,
    }
}

/// Writes the text blocks under `node` in document order.
fn collect_blocks(node: NodeRef<'_, Node>, out: &mut Vec<String>, mode: Mode) {
    let mut current = String::new();
    walk_blocks(node, out, &mut current, mode);
    flush(out, &mut current);
}

fn flush(out: &mut Vec<String>, current: &mut String) {
    let block = clean_inline(current);
    current.clear();
    if !block.is_empty() {
        out.push(block);
    }
}

fn walk_blocks(node: NodeRef<'_, Node>, out: &mut Vec<String>, current: &mut String, mode: Mode) {
    match node.value() {
        Node::Text(t) => current.push_str(t),
        Node::Element(e) => {
            if is_unlikely(node, mode) {
                return;
            }
            let name = e.name();
            if name == "br" {
                current.push(' ');
                return;
            }
            if name == "img" {
                return;
            }
            let block = BLOCK_TAGS.contains(&name);
            if block {
                flush(out, current);
                // A list or block full of links is navigation, not text.
                if matches!(name, "ul" | "ol" | "div" | "section" | "table" | "dl") {
                    let st = stats(node, mode);
                    if st.chars > 0 && link_density(&st) > 0.5 {
                        drop_label(out);
                        return;
                    }
                }
                if matches!(name, "p" | "li" | "dd" | "blockquote") {
                    let st = stats(node, mode);
                    if st.chars > 0 && link_density(&st) > 0.8 && st.chars < 400 {
                        drop_label(out);
                        return;
                    }
                }
            }
            for c in node.children() {
                walk_blocks(c, out, current, mode);
            }
            if block {
                flush(out, current);
            } else if matches!(name, "span" | "a" | "em" | "strong" | "b" | "i") {
                // Inline: nothing to do; whitespace comes from the text itself.
            }
        }
        _ => {}
    }
}

/// When no container stands out, all paragraphs of the page.
fn fallback_text(doc: &Html, mode: Mode) -> String {
    let mut blocks = Vec::new();
    for p in doc.select(&sel("p")) {
        let mut skip = false;
        let mut a = p.parent();
        while let Some(n) = a {
            if is_unlikely(n, mode) {
                skip = true;
                break;
            }
            a = n.parent();
        }
        if !skip {
            let t = clean_inline(&p.text().collect::<String>());
            if !t.is_empty() {
                blocks.push(t);
            }
        }
    }
    if blocks.is_empty() {
        // No paragraphs at all: whatever text the body shows (a short note, headings).
        if let Some(body) = doc.select(&sel("body")).next() {
            collect_blocks(*body, &mut blocks, mode);
        }
    }
    blocks.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Robot cleans harbour | The Courier</title>
<meta property="og:title" content="Robot cleans the harbour">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2026-11-23T07:30:00Z">
<meta property="og:image" content="/img/robot.jpg">
<script>var tracking = "do not extract me";</script></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your experience, accept them all now.</div>
<article><h1>Robot cleans the harbour</h1><p class="byline">By Jane Doe</p>
<p>A small underwater robot collected 340 kilograms of plastic from the harbour of Port Alden in six weeks, the city said on Monday.</p>
<h2>How it works</h2>
<p>The robot, called Skimmer, moves slowly along the sea floor, and it uses a camera, a net and a small motor to find and catch waste.</p>
<p>Engineers from the local college built it for 12,000 euros, which is much less than a boat with a crew would cost.</p>
<aside class="related"><a href="/a">Related story one</a><a href="/b">Related story two</a></aside>
</article>
<section class="comments"><p>Great news, I love this robot, it is wonderful!</p></section>
<footer><p>Copyright 2026 The Courier, all rights reserved, every single one.</p></footer></body></html>"#;

    #[test]
    fn extracts_article_text_and_metadata_without_boilerplate() {
        let base = url::Url::parse("https://courier.example/news/robot.html").unwrap();
        let got = extract(PAGE, Some(&base));
        assert_eq!(got.title.as_deref(), Some("Robot cleans the harbour"));
        assert_eq!(got.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(got.declared_lang.as_deref(), Some("en"));
        assert_eq!(got.published.as_deref(), Some("2026-11-23T07:30:00+00:00"));
        assert_eq!(
            got.image.as_deref(),
            Some("https://courier.example/img/robot.jpg")
        );
        let paragraphs: Vec<&str> = got.text.split("\n\n").collect();
        assert_eq!(paragraphs.len(), 4, "{}", got.text);
        assert!(paragraphs[0].starts_with("A small underwater robot"));
        assert_eq!(paragraphs[1], "How it works");
        for noise in [
            "cookies",
            "Related story",
            "Great news",
            "Copyright",
            "tracking",
            "Home",
        ] {
            assert!(
                !got.text.contains(noise),
                "`{noise}` leaked into: {}",
                got.text
            );
        }
    }

    #[test]
    fn decoding_honours_bom_valid_utf8_meta_and_header() {
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("<html><head><meta charset=\"windows-1251\"></head><body><p>Привет, мир</p></body></html>");
        assert!(decode_html(&cp1251, None).contains("Привет, мир"));
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("<p>Café crème</p>");
        assert!(decode_html(&latin, Some("text/html; charset=ISO-8859-1")).contains("Café crème"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("<p>Größe</p>".as_bytes());
        assert!(decode_html(&bom, Some("text/html; charset=ISO-8859-1")).contains("Größe"));
        // Re-saved as UTF-8 with the old declaration left in: the bytes win.
        let resaved = "<meta charset=\"gb2312\"><p>谷歌在2014年收购</p>".as_bytes();
        assert!(decode_html(resaved, None).contains("谷歌在2014年收购"));
    }

    #[test]
    fn an_article_split_into_blocks_between_images_is_kept_whole() {
        let block = |i: usize| {
            format!(
                "<div class=\"o-block\"><div class=\"grid\"><div class=\"cell\"><div class=\"article-text\">\
                 <p>Part {i} of the review, with a sentence long enough to count, and a comma or two, \
                 which is what a real paragraph of a review has, more or less, in the end.</p>\
                 <p>Another sentence of part {i}, also long enough, with commas, clauses, and the rest.</p>\
                 </div></div></div></div><div class=\"breakout\"><img src=\"/i{i}.jpg\"></div>"
            )
        };
        let body: String = (1..=5).map(block).collect();
        let page = format!(
            "<html><body><nav><a href=\"/\">Home</a></nav><main><div class=\"body\">{body}</div></main>\
             <div class=\"related\"><a href=\"/x\">Other story, click here now</a></div></body></html>"
        );
        let got = extract(&page, None).text;
        for i in 1..=5 {
            assert!(got.contains(&format!("Part {i} of the review")), "{got}");
        }
        assert!(!got.contains("Other story"), "{got}");
    }

    #[test]
    fn a_div_of_spans_is_a_paragraph() {
        let line = |t: &str| format!("<div style=\"direction: ltr\"><span>{t}</span></div>");
        let chapter: String = [
            "“Were you expecting the competition for the showers to be the highest drama part of gym class?” Alden asked.",
            "It was a ten minute walk from the building, right on the edge of campus, and they had both had the same idea.",
            "Haoyu laughed, shook his head, and said nothing at all for a while, which was unlike him.",
        ]
        .iter()
        .map(|t| line(t))
        .collect();
        let page = format!(
            "<html><body><div class=\"chapter-content\"><div>{chapter}</div></div>\
             <div class=\"author-note\"><p>Notes: thanks for reading, see you next week.</p></div></body></html>"
        );
        let got = extract(&page, None).text;
        assert!(
            got.contains("Alden asked") && got.contains("unlike him"),
            "{got}"
        );
    }

    #[test]
    fn an_article_inside_a_wrapper_with_a_boilerplate_class_is_kept() {
        let para = "<p>The council agreed on Tuesday to plant four hundred trees along the river, \
                    and the work will start in the spring when the ground is soft again.</p>";
        let page = format!(
            "<html><body><div class=\"nav-drawer widget\"><div class=\"ad-portal\">{}</div></div>\
             <div class=\"comments\"><p>First!</p></div></body></html>",
            para.repeat(6)
        );
        let got = extract(&page, None);
        assert!(got.text.starts_with("The council agreed"), "{}", got.text);
        assert_eq!(got.text.split("\n\n").count(), 6, "{}", got.text);
        // Words match whole class tokens: "loads" and "header-ads" are not alike.
        let tokens = vec!["loads".to_string(), "thread".to_string()];
        assert!(!token_matches(&tokens, &["ads", "ad"]));
        assert!(token_matches(&["sidebarleft".to_string()], &["sidebar"]));
    }

    #[test]
    fn a_page_without_structure_falls_back_to_its_paragraphs() {
        let got = extract(
            "<p>Only one paragraph here, but it is long enough to be the text of the page.</p>",
            None,
        );
        assert!(got.text.starts_with("Only one paragraph"));
    }

    /// Three paragraphs of prose, each with a sentence about `topic`.
    fn prose(topic: &str) -> String {
        (1..=3)
            .map(|i| {
                format!(
                    "<p>Paragraph {i} about {topic}, long enough to count as text, with a comma, \
                     another clause, and a full stop at the end of it.</p>"
                )
            })
            .collect()
    }

    #[test]
    fn captions_and_meta_lines_inside_the_article_are_left_out() {
        let page = format!(
            "<html><body><article><div class=\"entry-content\">{}\
             <figure><img src=\"/a.jpg\"><figcaption>Photo: Agency/Jane Roe</figcaption></figure>\
             <p class=\"wp-caption-text\">The harbour at dawn, seen from the north pier.</p>\
             <div class=\"entry-meta\">Posted on 3 March by the editors of the site.</div>{}\
             </div></article></body></html>",
            prose("the harbour"),
            prose("the ferries")
        );
        let got = extract(&page, None).text;
        assert!(got.contains("Paragraph 1 about the harbour"), "{got}");
        assert!(got.contains("Paragraph 3 about the ferries"), "{got}");
        // "entry" is a likely word, but it names whose meta line this is.
        for gone in ["Agency/Jane Roe", "seen from the north pier", "Posted on"] {
            assert!(!got.contains(gone), "{gone}: {got}");
        }
    }

    #[test]
    fn a_lead_in_the_header_comes_before_the_body() {
        let page = format!(
            "<html><body><article><header><h1>Harbour reopens</h1>\
             <p class=\"article-lead\">After two years of repairs the old harbour opens again \
             to ferries and fishing boats this week.</p></header>\
             <div class=\"story\">{}</div></article></body></html>",
            prose("the harbour")
        );
        let got = extract(&page, None).text;
        assert!(got.starts_with("After two years of repairs"), "{got}");
        assert!(got.contains("Paragraph 3 about the harbour"), "{got}");
        // A class word split in two ("sub-headline") names a lead too.
        let split = page.replace("article-lead", "article--sub-headline");
        let got = extract(&split, None).text;
        assert!(got.starts_with("After two years of repairs"), "{got}");
        let doc = Html::parse_fragment("<h2 class=\"stand-first\">Lead</h2>");
        let h2 = doc.select(&Selector::parse("h2").unwrap()).next().unwrap();
        assert_eq!(lead_tokens(h2.value()), ["stand", "first", "standfirst"]);
    }

    #[test]
    fn a_page_wrapped_in_a_form_or_an_unclosed_banner_is_read() {
        // ASP.NET WebForms pages put the whole body in one form.
        let asp = format!(
            "<html><body><form id=\"aspnetForm\"><div class=\"col\">{}{}</div>\
             </form><form class=\"search\"><input name=\"q\"><p>Search the archive for more.</p>\
             </form></body></html>",
            prose("the council"),
            prose("the budget")
        );
        let got = extract(&asp, None).text;
        assert!(got.contains("Paragraph 2 about the council"), "{got}");
        assert!(!got.contains("Search the archive"), "{got}");
        // A header left open swallows the page: its main region still counts.
        let banner = format!(
            "<html><body><header role=\"banner\"><a href=\"/\">Home</a>\
             <main role=\"main\"><div class=\"node\">{}</div></main></body></html>",
            prose("the election")
        );
        let got = extract(&banner, None).text;
        assert!(got.contains("Paragraph 2 about the election"), "{got}");
    }

    #[test]
    fn an_article_in_sections_is_gathered_from_its_named_body() {
        let page = format!(
            "<html><body><div class=\"entry-content\">\
             <section class=\"part\"><div class=\"inner\"><div class=\"text\">{}{}</div></div></section>\
             <section class=\"part\"><div class=\"inner\"><div class=\"text\">{}</div></div></section>\
             </div></body></html>",
            prose("the river"),
            prose("the bridge"),
            prose("the mill")
        );
        let got = extract(&page, None).text;
        assert!(got.contains("Paragraph 1 about the river"), "{got}");
        assert!(got.contains("Paragraph 3 about the mill"), "{got}");
    }

    #[test]
    fn labels_of_link_lists_and_at_the_end_are_dropped() {
        let page = format!(
            "<html><body><div class=\"story\">{}<h3>Read more</h3><ul>\
             <li><a href=\"/1\">The harbour in winter</a></li><li><a href=\"/2\">Ferry times</a></li>\
             </ul>{}<p>About the author</p><p>Follow us:</p></div></body></html>",
            prose("the harbour"),
            prose("the ferries")
        );
        let got = extract(&page, None).text;
        assert!(got.ends_with("at the end of it."), "{got}");
        assert!(!got.contains("Read more"), "{got}");
        assert!(got.contains("Paragraph 1 about the ferries"), "{got}");
        let mut blocks: Vec<String> = vec!["Text.".into(), "Related:".into(), "By Jane".into()];
        trim_trailing_labels(&mut blocks);
        assert_eq!(blocks, ["Text."]);
        let mut blocks: Vec<String> = vec![
            "Text.".into(),
            "Ready for the winter?".into(),
            "The harbour opens again on Monday, and the ferries run every hour!".into(),
            "War dieser Artikel hilfreich?".into(),
            "Jetzt teilen!".into(),
        ];
        trim_trailing_labels(&mut blocks);
        assert_eq!(blocks.len(), 3, "a long exclamation is text: {blocks:?}");
    }

    #[test]
    fn datelines_and_photo_credits_are_not_text() {
        for stamp in [
            "23.10.2018",
            "Veröffentlichung: 2. Februar 2022",
            "Aktualisiert: 11.04.2020, 10:27",
            "3:59 PM",
            "July 30, 2019 1:16 pm",
            "opublikowano: 2021-04-29 17:13:04.031886+02:00",
            "Publikacja: 04.05.2021",
            "Update vom 3. April 2019",
        ] {
            assert!(is_dateline(stamp), "{stamp}");
        }
        for prose in [
            "Der Zug fährt um 10:27 ab und kommt um 12:00 an.",
            "2019",
            "Top 10",
            "Am Ende des Tages gewann die Mannschaft mit 3:1 gegen den Meister.",
            "Chapter 3",
            "Termin: 29.02.2020, 19 Uhr",
            "Einsendeschluss: 03.11.2019 (Poststempel)",
        ] {
            assert!(!is_dateline(prose), "{prose}");
        }
        assert!(is_photo_credit("(Credit: Clayton Aldern / Grist)"));
        assert!(is_photo_credit("Foto: Anita Drenckhahn"));
        assert!(is_photo_credit("(Quelle: Foto Steven Vangermain)"));
        assert!(!is_photo_credit("Quelle: Landesregierung"));
        assert!(!is_photo_credit("Photosynthesis: how plants make sugar"));
        for ad in [
            "Advertisement",
            "- Anzeige -",
            "*Werbung. Dieser Beitrag enthält Werbung.",
        ] {
            assert!(is_ad_marker(ad), "{ad}");
        }
        assert!(!is_ad_marker(
            "Werbungskosten lassen sich von der Steuer absetzen."
        ));
        let page = format!(
            "<html><body><div class=\"story\"><p>Veröffentlicht am 12. Juni 2017</p>{}\
             <p>Foto: Anita Drenckhahn</p>{}</div></body></html>",
            prose("the harbour"),
            prose("the ferries")
        );
        let got = extract(&page, None).text;
        assert!(got.starts_with("Paragraph 1 about the harbour"), "{got}");
        assert!(!got.contains("Foto:"), "{got}");
    }

    #[test]
    fn ruby_readings_are_not_text_and_a_lenient_retry_reads_asides() {
        let page = "<html><body><div class=\"story\"><p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>\
                    どもへの<ruby>虐待<rt>ぎゃくたい</rt></ruby>をなくすための<ruby>法律<rt>ほうりつ</rt></ruby>\
                    ができて、親が子どもを教育するために、体罰を禁止することになりました。</p></div></body></html>";
        let got = extract(page, None).text;
        assert!(
            got.starts_with("子どもへの虐待をなくすための法律ができて"),
            "{got}"
        );
        let page = format!(
            "<html><body><main><aside class=\"direct-content\"><article>{}</article></aside></main>\
             </body></html>",
            prose("the prize")
        );
        let got = extract(&page, None).text;
        assert!(got.contains("Paragraph 3 about the prize"), "{got}");
    }

    #[test]
    fn a_wrapper_with_a_footer_class_that_holds_the_headline_and_the_article_is_read() {
        let page = format!(
            "<html><body><div class=\"above-footer\"><h1>Alaska joins the alliance</h1>\
             <div class=\"content\">{}{}</div></div>\
             <div class=\"disclosure\"><p>Offers on this site come from partners who pay us, \
             which may affect where products appear on the page.</p></div></body></html>",
            prose("the alliance"),
            prose("the lounges")
        );
        let got = extract(&page, None).text;
        assert!(got.contains("Paragraph 1 about the alliance"), "{got}");
        assert!(got.contains("Paragraph 3 about the lounges"), "{got}");
        assert!(!got.contains("Offers on this site"), "{got}");
    }

    #[test]
    fn soft_hyphens_and_zero_width_spaces_do_not_split_words() {
        assert_eq!(
            clean_inline("Die Veran\u{ad}stal\u{ad}tung  ist\u{200b} \u{200b} vorbei"),
            "Die Veranstaltung ist vorbei"
        );
    }
}
