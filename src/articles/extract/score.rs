//! The main text: candidates scored Readability-style, the winning container (and the
//! body container a CMS names, a lead that sits apart), and its blocks written out.

use std::collections::{HashMap, HashSet};

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node};

use super::boilerplate::{
    article_end, drop_label, is_ad_marker, is_dateline, is_photo_credit, is_related_label,
    trim_trailing_labels,
};
use super::clean_inline;
use super::metadata::sel;

/// Elements whose content is never article text (`rt` and `rp`: the readings printed over
/// Japanese kanji, which would double every annotated word).
pub(super) const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "input", "select", "textarea", "nav", "aside", "footer", "menu", "dialog",
    "head", "title", "meta", "link", "rt", "rp",
];

/// Block elements that become paragraphs of the output.
pub(super) const BLOCK_TAGS: &[&str] = &[
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
pub(super) const UNLIKELY: &[&str] = &[
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
pub(super) const CAPTION: &[&str] = &[
    "caption",
    "credit",
    "credits",
    "bildunterschrift",
    "legend",
    "imagedescription",
];

/// Class and id words (whole words only) of boilerplate that no likely word saves: in
/// "entry-meta", "post-footer" or "comment-content" the likely word names whose part it is.
pub(super) const STRONGLY_UNLIKELY: &[&str] = &[
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
pub(super) const BOILERPLATE_NAMES: &[&str] = &[
    "author-box",
    "authorbox",
    "author-bio",
    "about-author",
    "saboxplugin",
    "buybox",
];

/// Class and id words that keep an element although an unlikely word matched too.
pub(super) const MAYBE: &[&str] = &[
    "article", "body", "column", "content", "main", "shadow", "story", "entry", "post", "text",
];

/// Below this many characters, the strict pass is retried leniently (1,000 rather than
/// Readability's 500: on trafilatura's set that recovers more short articles than it adds
/// boilerplate).
pub(super) const RETRY_BELOW_CHARS: usize = 1000;

/// Whether unlikely-looking parts are stripped (the first pass) or kept (the retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Strict,
    Lenient,
}

/// The lower-case words of an element's class and id ("nav-main_top" -> nav, main, top).
pub(super) fn class_tokens(e: &scraper::node::Element) -> Vec<String> {
    tokens_of(&class_id(e))
}

/// Class and id words of a note's mark.
const NOTE: &[&str] = &["footnote", "fn", "reference", "note", "endnote", "cite"];

/// The words of a lower-cased class and id string.
pub(super) fn tokens_of(names: &str) -> Vec<String> {
    names
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn token_matches(tokens: &[String], words: &[&str]) -> bool {
    tokens.iter().any(|t| {
        words
            .iter()
            .any(|w| t == w || (w.len() >= 4 && t.starts_with(w)))
    })
}

pub(super) const LIKELY: &[&str] = &[
    "article", "body", "content", "entry", "main", "page", "post", "text", "blog", "story",
    "prose", "column",
];

pub(super) fn class_id(e: &scraper::node::Element) -> String {
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
pub(super) const FORM_WRAPPER_PARAGRAPHS: usize = 5;

/// Whether a `form` wraps the page's content, as ASP.NET WebForms pages do (one form around
/// the whole body), so it must not be skipped as a form.
pub(super) fn wraps_content(node: NodeRef<'_, Node>) -> bool {
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
pub(super) fn wraps_main(node: NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).any(|d| {
        d.value()
            .as_element()
            .is_some_and(|e| e.name() == "main" || e.attr("role") == Some("main"))
    })
}

/// Paragraphs that, with the headline, make a boilerplate-looking wrapper the article's.
pub(super) const ARTICLE_WRAPPER_PARAGRAPHS: usize = 6;

/// Whether an element holds the page's headline (`h1`) and enough paragraphs to be the
/// article's wrapper, whatever its class says ("above-footer", "sidebar-layout").
pub(super) fn holds_the_article(node: NodeRef<'_, Node>) -> bool {
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

pub(super) fn is_unlikely(node: NodeRef<'_, Node>, mode: Mode) -> bool {
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
    if e.name() == "sup" && is_note_mark(node) {
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

/// Whether a superscript is a note's mark ("auf.<sup><a href="#fn-9">9</a></sup> Dabei",
/// "<sup>[12]</sup>"), not an exponent ("m<sup>2</sup>"): a number or letter in brackets, or
/// one that links within the page or whose class names a note. Glued to the sentence, its
/// number read as a count: "auf.9 Dabei" became a false "auf.5 Dabei" (real German page).
fn is_note_mark(node: NodeRef<'_, Node>) -> bool {
    let Some(sup) = ElementRef::wrap(node) else {
        return false;
    };
    let text: String = sup.text().collect();
    let mark = text.trim();
    let short = !mark.is_empty()
        && mark.chars().count() <= 8
        && mark
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "[](),–-*† ".contains(c));
    if !short {
        return false;
    }
    let bracketed = mark.starts_with('[') && mark.ends_with(']');
    let links_within = sup.descendants().any(|d| {
        d.value()
            .as_element()
            .and_then(|a| a.attr("href"))
            .is_some_and(|href| href.contains('#'))
    });
    let named = token_matches(&class_tokens(sup.value()), NOTE);
    bracketed || links_within || named
}

pub(super) fn class_weight(e: &scraper::node::Element) -> f64 {
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

pub(super) struct TextStats {
    chars: usize,
    link_chars: usize,
    commas: usize,
}

/// Text statistics of a subtree, skipping unlikely parts.
pub(super) fn stats(node: NodeRef<'_, Node>, mode: Mode) -> TextStats {
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

pub(super) fn link_density(st: &TextStats) -> f64 {
    if st.chars == 0 {
        0.0
    } else {
        st.link_chars as f64 / st.chars as f64
    }
}

/// Whether a div holds text itself rather than only block children.
pub(super) fn has_direct_text(node: NodeRef<'_, Node>) -> bool {
    node.children().any(|c| match c.value() {
        Node::Text(t) => t.trim().chars().count() > 20,
        _ => false,
    })
}

/// Whether an element holds block elements (or images) anywhere below it. A `div` without
/// any is a paragraph in all but name (as Readability treats it), text in spans and all.
pub(super) fn has_block_descendant(node: NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).any(|d| {
        d.value()
            .as_element()
            .is_some_and(|e| e.name() == "img" || BLOCK_TAGS.contains(&e.name()))
    })
}

/// How many ancestors of a text block share its score (halved for the grandparent, then
/// divided by three times the level).
pub(super) const ANCESTOR_LEVELS: usize = 5;
/// Candidates looked at for a shared ancestor, and how many must share it.
pub(super) const TOP_CANDIDATES: usize = 5;
pub(super) const MIN_SHARED_CANDIDATES: usize = 3;
/// How far above the best candidate a named body container is looked for.
pub(super) const BODY_CONTAINER_LEVELS: usize = 9;
/// Class and id names of the element that holds an article's body in common publishing
/// systems (WordPress, Drupal, news CMSs).
pub(super) const BODY_CONTAINERS: &[&str] = &[
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

pub(super) fn is_body_container(e: &scraper::node::Element) -> bool {
    if e.attr("itemprop") == Some("articleBody") {
        return true;
    }
    let names = class_id(e);
    BODY_CONTAINERS.iter().any(|c| names.contains(c))
}

/// An ancestor climbed to must not be mostly links (teasers of other articles).
pub(super) const CLIMB_MAX_LINK_DENSITY: f64 = 0.2;

pub(super) fn main_text(doc: &Html, title: Option<&str>, mode: Mode) -> String {
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
    if let Some(at) = article_end(&blocks) {
        blocks.truncate(at);
    }
    trim_trailing_labels(&mut blocks);
    let text = blocks.join("\n\n");
    if text.chars().count() < 50 {
        fallback_text(doc, mode)
    } else {
        text
    }
}

/// Class and id words of an article's lead (standfirst), which sites often put in the
/// header, apart from the body the scoring finds.
pub(super) const LEAD: &[&str] = &[
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
pub(super) const LEAD_SCOPE: usize = 6;
/// A lead is prose: this long at least, and few links.
pub(super) const LEAD_MIN_CHARS: usize = 40;
pub(super) const LEAD_MAX_LINK_DENSITY: f64 = 0.3;

/// The article's lead, when it stands apart from `top`: the first element with a lead's
/// class word that comes before `top` under one of its near ancestors, is not part of it,
/// and reads as prose.
pub(super) fn lead_before<'a>(top: NodeRef<'a, Node>, mode: Mode) -> Option<NodeRef<'a, Node>> {
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
pub(super) fn lead_tokens(e: &scraper::node::Element) -> Vec<String> {
    let mut tokens = class_tokens(e);
    let pairs: Vec<String> = tokens
        .windows(2)
        .map(|w| format!("{}{}", w[0], w[1]))
        .collect();
    tokens.extend(pairs);
    tokens
}

pub(super) fn has_sentence_end(node: NodeRef<'_, Node>) -> bool {
    let t: String = ElementRef::wrap(node)
        .map(|e| e.text().collect())
        .unwrap_or_default();
    let t = t.trim_end();
    t.ends_with(['.', '!', '?', '。', '»', '"', '”'])
}

pub(super) fn initial_score(node: NodeRef<'_, Node>, mode: Mode) -> f64 {
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
pub(super) fn collect_blocks(node: NodeRef<'_, Node>, out: &mut Vec<String>, mode: Mode) {
    let mut current = String::new();
    walk_blocks(node, out, &mut current, mode);
    flush(out, &mut current);
}

pub(super) fn flush(out: &mut Vec<String>, current: &mut String) {
    let block = clean_inline(current);
    current.clear();
    if !block.is_empty() {
        out.push(block);
    }
}

pub(super) fn walk_blocks(
    node: NodeRef<'_, Node>,
    out: &mut Vec<String>,
    current: &mut String,
    mode: Mode,
) {
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
            // A drop cap: the first letter in an element of its own before its paragraph
            // ("<span>T</span><p>urkey, Poland …" on a real English page, whose sentence
            // began "urkey"). The letter joins the paragraph.
            let drop_cap = block && {
                let pending = current.trim();
                pending.chars().count() == 1
                    && pending.chars().all(char::is_uppercase)
                    && ElementRef::wrap(node)
                        .and_then(|e| e.text().flat_map(str::chars).find(|c| !c.is_whitespace()))
                        .is_some_and(char::is_lowercase)
            };
            if drop_cap {
                *current = current.trim().to_string();
            } else if block {
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
pub(super) fn fallback_text(doc: &Html, mode: Mode) -> String {
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
