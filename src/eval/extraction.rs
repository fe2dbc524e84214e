//! `hyperlearn eval extraction`: the article extractor (`articles::extract`) on pages with gold
//! text, under `extraction/` in the data folder:
//!
//! - `readability-test-pages/`: Readability.js's test pages, token F1 of our text against the
//!   text of `expected.html`;
//! - `newspaper-tests/`: newspaper's test pages, token F1 against its gold `.txt` files;
//! - `trafilatura-eval/`: trafilatura's evaluation set, scored as trafilatura's own quality gate
//!   scores it: after whitespace normalisation, a `with` snippet found in our text is a true
//!   positive and a `without` snippet found a false positive, summed over all pages.
//!
//! Token F1 compares bags of lower-cased words (`text::normalized_words`: Unicode word
//! boundaries, so Chinese, Japanese and Thai count character by character rather than as one
//! "word" per sentence); a dataset reports the mean over its pages, also by the gold text's
//! language. A page the extractor panics on scores zero and the run goes on. Speed is the pages
//! over the seconds spent decoding and extracting them, one at a time on one core.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};
use serde::Deserialize;

use crate::articles::{self, Extracted, clean_inline};

/// Options of `hyperlearn eval extraction`.
#[derive(Debug, Clone, Default)]
pub struct ExtractionEval {
    /// The data folder; `None` for `$HYPERLEARN_DATA`, else `../shared/data`.
    pub data: Option<PathBuf>,
    /// Append the figures to `BENCHMARKS.md`.
    pub record: bool,
}

/// Goal for the mean token F1 on Readability.js's test pages.
const READABILITY_GOAL: f64 = 0.95;
/// Goal for the snippet F1 on trafilatura's set (trafilatura's own floor is about 0.92).
const TRAFILATURA_GOAL: f64 = 0.93;
/// Worst pages listed per dataset after the table.
const WORST_SHOWN: usize = 8;

/// Runs the three extraction evaluations, prints a table and records it.
pub fn eval_extraction(e: &ExtractionEval) -> anyhow::Result<()> {
    let root = crate::config::data_dir(e.data.as_deref()).join("extraction");
    anyhow::ensure!(
        root.is_dir(),
        "no extraction data in {} (pass --data DIR or set HYPERLEARN_DATA)",
        root.display()
    );
    let mut clock = ExtractionClock::default();
    let readability = readability_pages(&root.join("readability-test-pages"), &mut clock)?;
    let newspaper = newspaper_pages(&root.join("newspaper-tests"), &mut clock)?;
    let trafilatura = trafilatura_pages(&root.join("trafilatura-eval"), &mut clock)?;
    let table = summary(&readability, &newspaper, &trafilatura, &clock);
    println!("{table}");
    println!("{}", details(&readability, &newspaper, &trafilatura));
    if e.record {
        super::record("Extraction", &table)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Running the extractor

/// Time spent in the extractor and the pages it ran on.
#[derive(Debug, Default)]
struct ExtractionClock {
    pages: usize,
    spent: Duration,
}

impl ExtractionClock {
    /// Decodes and extracts one page as `hyperlearn extract` does (without a URL), timing it.
    /// `None` when the extractor panicked: the page then scores as an empty extraction, as a
    /// crash does in trafilatura's evaluation, and the other pages still run.
    fn extract(&mut self, page: &[u8]) -> Option<Extracted> {
        let started = Instant::now();
        let extracted = std::panic::catch_unwind(|| {
            articles::extract(&articles::decode_html(page, None), None)
        });
        self.spent += started.elapsed();
        self.pages += 1;
        extracted.ok()
    }

    fn pages_per_second(&self) -> f64 {
        self.pages as f64 / self.spent.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

// ---------------------------------------------------------------------------------------
// Token F1: Readability.js and newspaper test pages

/// Bag-of-words overlap of an extracted text with its gold text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct TokenScore {
    /// Share of the extracted words that are in the gold text.
    precision: f64,
    /// Share of the gold words that were extracted.
    recall: f64,
    f1: f64,
}

/// Token scores of `extracted` against `gold`: lower-cased words as multisets, each gold
/// occurrence matched at most once. An empty extraction scores zero.
fn token_score(extracted: &str, gold: &str) -> TokenScore {
    let gold_words = crate::text::normalized_words(gold);
    let extracted_words = crate::text::normalized_words(extracted);
    let mut unmatched: HashMap<&str, usize> = HashMap::new();
    for word in &gold_words {
        *unmatched.entry(word.as_str()).or_default() += 1;
    }
    let mut common = 0;
    for word in &extracted_words {
        if let Some(left) = unmatched.get_mut(word.as_str())
            && *left > 0
        {
            *left -= 1;
            common += 1;
        }
    }
    let precision = ratio(common, extracted_words.len());
    let recall = ratio(common, gold_words.len());
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    TokenScore {
        precision,
        recall,
        f1,
    }
}

/// `part / whole`, zero when `whole` is.
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One page scored against its gold text.
#[derive(Debug)]
struct TokenPage {
    name: String,
    /// Language of the gold text.
    lang: String,
    score: TokenScore,
    /// The extractor panicked (the page scores zero).
    panicked: bool,
}

/// A token-F1 dataset: its scored pages, and the pages left out with why.
#[derive(Debug, Default)]
struct TokenDataset {
    pages: Vec<TokenPage>,
    left_out: Vec<(String, &'static str)>,
}

impl TokenDataset {
    /// Extracts `page` and scores it against `gold`.
    fn score(
        &mut self,
        name: String,
        lang: String,
        page: &[u8],
        gold: &str,
        clock: &mut ExtractionClock,
    ) {
        let extracted = clock.extract(page);
        self.pages.push(TokenPage {
            name,
            lang,
            score: extracted
                .as_ref()
                .map_or_else(TokenScore::default, |x| token_score(&x.text, gold)),
            panicked: extracted.is_none(),
        });
    }
}

/// Mean of one score over pages; `None` for no pages.
fn mean<'a>(
    pages: impl IntoIterator<Item = &'a TokenPage>,
    field: impl Fn(&TokenScore) -> f64,
) -> Option<f64> {
    let values: Vec<f64> = pages.into_iter().map(|p| field(&p.score)).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The part of Readability's `expected-metadata.json` read here.
#[derive(Debug, Deserialize)]
struct ReadabilityMetadata {
    /// The page's declared language (`<html lang>`), when it has one.
    lang: Option<String>,
}

/// Readability.js's test pages: `<case>/source.html` against the text of
/// `<case>/expected.html`. The language is the gold text's, by the project's own rule
/// (`article_language`): detection when reliable, else `lang` from `expected-metadata.json`.
fn readability_pages(dir: &Path, clock: &mut ExtractionClock) -> anyhow::Result<TokenDataset> {
    let mut dataset = TokenDataset::default();
    for case in sorted_entries(dir)?.into_iter().filter(|p| p.is_dir()) {
        let name = file_name(&case);
        let expected = case.join("expected.html");
        if !expected.is_file() {
            dataset.left_out.push((name, "no expected.html"));
            continue;
        }
        let gold = html_text(&articles::decode_html(&read(&expected)?, None));
        if crate::text::words(&gold).is_empty() {
            dataset.left_out.push((name, "expected.html has no text"));
            continue;
        }
        let metadata = case.join("expected-metadata.json");
        let declared = if metadata.is_file() {
            let json = std::fs::read_to_string(&metadata)
                .with_context(|| format!("cannot read {}", metadata.display()))?;
            serde_json::from_str::<ReadabilityMetadata>(&json)
                .with_context(|| format!("cannot parse {}", metadata.display()))?
                .lang
                .filter(|l| !l.trim().is_empty())
        } else {
            None
        };
        let lang = articles::article_language(&gold, declared.as_deref(), None);
        let page = read(&case.join("source.html"))?;
        dataset.score(name, lang, &page, &gold, clock);
    }
    Ok(dataset)
}

/// newspaper's test pages: `html/<name>.html` against `text/<name>.txt`; the foreign-language
/// pages drop `_article` in the gold name (`html/thai_article.html`, `text/thai.txt`).
fn newspaper_pages(dir: &Path, clock: &mut ExtractionClock) -> anyhow::Result<TokenDataset> {
    let mut dataset = TokenDataset::default();
    for page_path in sorted_entries(&dir.join("html"))? {
        if page_path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let name = file_name(&page_path);
        let stem = name.trim_end_matches(".html");
        let gold_path = [stem.to_string(), stem.replace("_article", "")]
            .into_iter()
            .map(|s| dir.join("text").join(format!("{s}.txt")))
            .find(|p| p.is_file());
        let Some(gold_path) = gold_path else {
            dataset.left_out.push((name, "no gold text"));
            continue;
        };
        let gold = std::fs::read_to_string(&gold_path)
            .with_context(|| format!("cannot read {}", gold_path.display()))?;
        if crate::text::words(&gold).is_empty() {
            dataset.left_out.push((name, "empty gold text"));
            continue;
        }
        if is_annotators_note(&gold) {
            dataset.left_out.push((
                name,
                "the gold file is an annotator's note, not the article",
            ));
            continue;
        }
        let lang = articles::article_language(&gold, None, None);
        let page = read(&page_path)?;
        dataset.score(name, lang, &page, &gold, clock);
    }
    Ok(dataset)
}

/// newspaper's gold files for pages its own extractor got wrong hold one line, mostly in
/// capitals, saying what went wrong ("EXTRACTED NOTHING", "MISSED LAST PARAGRAPH") instead of
/// the article; scoring against them would measure nothing.
fn is_annotators_note(gold: &str) -> bool {
    let gold = gold.trim();
    let letters = gold.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = gold.chars().filter(|c| c.is_uppercase()).count();
    !gold.contains(['\n', '\r']) && letters > 0 && capitals * 2 > letters
}

/// Elements that run on with the text around them; every other element boundary separates
/// words, as it does in the extractor's output.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "wbr",
];

/// The text of a gold HTML page's body: its text nodes in document order, with a space at
/// each element boundary except inline ones, so `<p>one</p><p>two</p>` gives two words and
/// `<b>bold</b>face` one (a space between every pair of text nodes would split it in two).
fn html_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let root = doc.root_element();
    let body = root
        .children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .unwrap_or(root);
    let separates = |e: &scraper::node::Element| !INLINE_TAGS.contains(&e.name());
    let mut text = String::new();
    for edge in body.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) if !in_code(node) => text.push_str(t),
                Node::Element(e) if separates(e) => text.push(' '),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value()
                    && separates(e)
                {
                    text.push(' ');
                }
            }
        }
    }
    text
}

/// A text node inside `<script>`, `<style>` and the like: not visible text.
fn in_code(node: ego_tree::NodeRef<'_, Node>) -> bool {
    node.parent()
        .and_then(|p| p.value().as_element())
        .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript" | "template"))
}

// ---------------------------------------------------------------------------------------
// Snippet F1: trafilatura's evaluation set

/// One page of trafilatura's set; `evaldata.json` maps the page's URL to this.
#[derive(Debug, Deserialize)]
struct SnippetCase {
    /// The page's file name in the `cache/` or `eval/` folder of the archives.
    file: String,
    /// Snippets the main text must contain.
    with: Vec<String>,
    /// Snippets it must not contain.
    without: Vec<String>,
}

/// Snippet counts, trafilatura's way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct SnippetCounts {
    /// `with` snippets found.
    true_positives: usize,
    /// `without` snippets found.
    false_positives: usize,
    /// `with` snippets missing.
    false_negatives: usize,
    /// `without` snippets missing.
    true_negatives: usize,
}

impl SnippetCounts {
    /// Counts one page's snippets in its extracted text (`None`: the extractor failed and
    /// found nothing). Both sides are whitespace-normalised, as trafilatura's `norm` does,
    /// and lose the invisible line-breaking characters the extractor drops (soft hyphens,
    /// zero-width spaces): six `with` snippets are hyphenated "Klima\u{ad}wandel", and
    /// "Klimawandel" is the same text.
    fn of_page(extracted: Option<&str>, with: &[String], without: &[String]) -> Self {
        let text = extracted.map(clean_inline).unwrap_or_default();
        let found = |snippet: &str| !text.is_empty() && text.contains(&clean_inline(snippet));
        let with_found = with.iter().filter(|s| found(s)).count();
        let without_found = without.iter().filter(|s| found(s)).count();
        SnippetCounts {
            true_positives: with_found,
            false_positives: without_found,
            false_negatives: with.len() - with_found,
            true_negatives: without.len() - without_found,
        }
    }

    /// Counts summed over pages.
    fn total(pages: impl IntoIterator<Item = SnippetCounts>) -> Self {
        pages
            .into_iter()
            .fold(Self::default(), |sum, c| SnippetCounts {
                true_positives: sum.true_positives + c.true_positives,
                false_positives: sum.false_positives + c.false_positives,
                false_negatives: sum.false_negatives + c.false_negatives,
                true_negatives: sum.true_negatives + c.true_negatives,
            })
    }

    fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    fn f1(&self) -> f64 {
        ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }

    fn accuracy(&self) -> f64 {
        ratio(
            self.true_positives + self.true_negatives,
            self.true_positives + self.true_negatives + self.false_positives + self.false_negatives,
        )
    }

    /// Snippets scored wrong: unwanted ones found and wanted ones missing.
    fn errors(&self) -> usize {
        self.false_positives + self.false_negatives
    }
}

/// A page of trafilatura's set with its snippet counts.
#[derive(Debug)]
struct SnippetPage {
    file: String,
    /// Language of the page's `with` snippets.
    lang: String,
    counts: SnippetCounts,
    /// The extractor panicked (nothing found).
    panicked: bool,
}

/// trafilatura's set: the pages scored, and the files `evaldata.json` names that neither
/// archive holds (trafilatura's gate skips those too).
#[derive(Debug, Default)]
struct SnippetDataset {
    pages: Vec<SnippetPage>,
    missing: Vec<String>,
}

/// trafilatura's pages come as `trafilatura-{cache,eval}-html.tar.gz` (folders `cache/` and
/// `eval/`), read here without unpacking; as in trafilatura, `cache/` wins when both hold a
/// file. The language is that of the `with` snippets when detection is reliable, else the
/// page's declared one.
fn trafilatura_pages(dir: &Path, clock: &mut ExtractionClock) -> anyhow::Result<SnippetDataset> {
    let path = dir.join("evaldata.json");
    let json = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let cases: BTreeMap<String, SnippetCase> =
        serde_json::from_str(&json).with_context(|| format!("cannot parse {}", path.display()))?;
    let mut by_file: HashMap<&str, Vec<&SnippetCase>> = HashMap::new();
    for case in cases.values() {
        by_file.entry(case.file.as_str()).or_default().push(case);
    }
    let mut dataset = SnippetDataset::default();
    let mut seen: HashSet<String> = HashSet::new();
    for archive in [
        "trafilatura-cache-html.tar.gz",
        "trafilatura-eval-html.tar.gz",
    ] {
        for_each_tar_gz_file(&dir.join(archive), |entry, page| {
            let file = entry.rsplit('/').next().unwrap_or(entry);
            let Some(file_cases) = by_file.get(file) else {
                return Ok(());
            };
            if !seen.insert(file.to_string()) {
                return Ok(());
            }
            let extracted = clock.extract(&page);
            let text = extracted.as_ref().map(|x| x.text.as_str());
            let declared = extracted.as_ref().and_then(|x| x.declared_lang.as_deref());
            for case in file_cases {
                dataset.pages.push(SnippetPage {
                    file: case.file.clone(),
                    lang: articles::article_language(&case.with.join(" "), declared, None),
                    counts: SnippetCounts::of_page(text, &case.with, &case.without),
                    panicked: extracted.is_none(),
                });
            }
            Ok(())
        })?;
    }
    dataset.missing = cases
        .values()
        .filter(|c| !seen.contains(&c.file))
        .map(|c| c.file.clone())
        .collect();
    Ok(dataset)
}

/// Calls `visit` with the path and contents of each regular file in a `.tar.gz`, in archive
/// order, without unpacking it to disk. Reads what GNU tar and POSIX ustar write: a path too
/// long for the header comes in a GNU `L` entry or a pax `x` header before its file.
fn for_each_tar_gz_file(
    path: &Path,
    mut visit: impl FnMut(&str, Vec<u8>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut archive = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
    let mut long_path: Option<String> = None;
    loop {
        let mut header = [0u8; 512];
        archive
            .read_exact(&mut header)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if header.iter().all(|&b| b == 0) {
            return Ok(());
        }
        let size =
            tar_size(&header).with_context(|| format!("{}: bad entry header", path.display()))?;
        let mut body = Vec::new();
        archive
            .by_ref()
            .take(size)
            .read_to_end(&mut body)
            .with_context(|| format!("cannot read {}", path.display()))?;
        anyhow::ensure!(
            body.len() as u64 == size,
            "{}: the archive is truncated",
            path.display()
        );
        let padding = size.next_multiple_of(512) - size;
        std::io::copy(&mut archive.by_ref().take(padding), &mut std::io::sink())
            .with_context(|| format!("cannot read {}", path.display()))?;
        match header[156] {
            b'L' => long_path = Some(until_nul(&body)),
            b'x' => long_path = pax_path(&body).or(long_path),
            b'0' | 0 => {
                let name = long_path.take().unwrap_or_else(|| header_path(&header));
                visit(&name, body)?;
            }
            _ => long_path = None,
        }
    }
}

/// A tar entry's size: octal digits, padded with NULs or spaces.
fn tar_size(header: &[u8; 512]) -> anyhow::Result<u64> {
    let field = String::from_utf8_lossy(&header[124..136]);
    let digits = field.trim_matches(|c: char| c == '\0' || c == ' ');
    if digits.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(digits, 8).with_context(|| format!("size `{digits}` is not octal"))
}

/// A NUL-terminated field as text.
fn until_nul(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The path in a tar header; POSIX ustar splits a long one into a prefix and a name.
fn header_path(header: &[u8; 512]) -> String {
    let name = until_nul(&header[..100]);
    let prefix = if &header[257..263] == b"ustar\0" {
        until_nul(&header[345..500])
    } else {
        String::new()
    };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// The `path` record of a pax extended header (records read "<length> path=<value>\n").
fn pax_path(body: &[u8]) -> Option<String> {
    String::from_utf8_lossy(body).lines().find_map(|record| {
        record
            .split_once(' ')?
            .1
            .strip_prefix("path=")
            .map(str::to_string)
    })
}

// ---------------------------------------------------------------------------------------
// Report

/// The recorded table: headline figures against the goals, breakdowns by language, speed.
fn summary(
    readability: &TokenDataset,
    newspaper: &TokenDataset,
    trafilatura: &SnippetDataset,
    clock: &ExtractionClock,
) -> String {
    let score = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |x| format!("{x:.3}"));
    let mut rows = vec![
        "Extraction (`hyperlearn eval extraction`): `articles::extract` against gold text"
            .to_string(),
        String::new(),
        "| data | pages | precision | recall | F1 | goal |".to_string(),
        "|---|---|---|---|---|---|".to_string(),
    ];
    for (label, dataset, goal) in [
        (
            "Readability.js test pages: mean token scores against `expected.html`",
            readability,
            format!("F1 >= {READABILITY_GOAL}"),
        ),
        (
            "newspaper test pages: mean token scores against the gold text",
            newspaper,
            String::new(),
        ),
    ] {
        rows.push(format!(
            "| {label} | {} | {} | {} | {} | {goal} |",
            dataset.pages.len(),
            score(mean(&dataset.pages, |s| s.precision)),
            score(mean(&dataset.pages, |s| s.recall)),
            score(mean(&dataset.pages, |s| s.f1)),
        ));
    }
    let total = SnippetCounts::total(trafilatura.pages.iter().map(|p| p.counts));
    rows.push(format!(
        "| trafilatura eval: `with`/`without` snippets summed over pages (accuracy {:.3}) | {} | {:.3} | {:.3} | {:.3} | F1 >= {TRAFILATURA_GOAL} |",
        total.accuracy(),
        trafilatura.pages.len(),
        total.precision(),
        total.recall(),
        total.f1(),
    ));

    rows.extend([
        String::new(),
        "Mean token F1 by the language of the gold text (pages):".to_string(),
        String::new(),
        "| language | Readability.js test pages | newspaper test pages |".to_string(),
        "|---|---|---|".to_string(),
    ]);
    let token_langs = readability
        .pages
        .iter()
        .chain(&newspaper.pages)
        .map(|p| p.lang.as_str());
    for lang in by_frequency(token_langs) {
        let cell = |dataset: &TokenDataset| {
            let pages: Vec<&TokenPage> = dataset.pages.iter().filter(|p| p.lang == lang).collect();
            mean(pages.iter().copied(), |s| s.f1)
                .map_or_else(String::new, |f1| format!("{f1:.3} ({})", pages.len()))
        };
        rows.push(format!(
            "| {lang} | {} | {} |",
            cell(readability),
            cell(newspaper)
        ));
    }

    rows.extend([
        String::new(),
        "trafilatura eval by the language of the `with` snippets:".to_string(),
        String::new(),
        "| language | pages | precision | recall | F1 | accuracy |".to_string(),
        "|---|---|---|---|---|---|".to_string(),
    ]);
    for lang in by_frequency(trafilatura.pages.iter().map(|p| p.lang.as_str())) {
        let pages: Vec<&SnippetPage> = trafilatura
            .pages
            .iter()
            .filter(|p| p.lang == lang)
            .collect();
        let counts = SnippetCounts::total(pages.iter().map(|p| p.counts));
        rows.push(format!(
            "| {lang} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
            pages.len(),
            counts.precision(),
            counts.recall(),
            counts.f1(),
            counts.accuracy()
        ));
    }

    let panicked = readability
        .pages
        .iter()
        .chain(&newspaper.pages)
        .filter(|p| p.panicked)
        .count()
        + trafilatura.pages.iter().filter(|p| p.panicked).count();
    rows.extend([
        String::new(),
        format!(
            "Speed: {} pages decoded and extracted in {:.2} s, one at a time on one core: {:.1} pages/s.",
            clock.pages,
            clock.spent.as_secs_f64(),
            clock.pages_per_second()
        ),
        format!(
            "Left out: {} Readability.js pages, {} newspaper pages (no gold text, an empty one, or an \
             annotator's note in place of the article), {} trafilatura pages (in neither archive). \
             The extractor panicked on {panicked} pages (scored as empty).",
            readability.left_out.len(),
            newspaper.left_out.len(),
            trafilatura.missing.len()
        ),
    ]);
    rows.join("\n") + "\n"
}

/// Distinct values, most frequent first (ties in alphabetical order).
fn by_frequency<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    sorted.into_iter().map(|(value, _)| value).collect()
}

/// For whoever tunes the extractor: the pages left out and why, those the extractor panicked
/// on, and the worst pages of each set. Printed after the table, not recorded.
fn details(
    readability: &TokenDataset,
    newspaper: &TokenDataset,
    trafilatura: &SnippetDataset,
) -> String {
    let mut lines = Vec::new();
    for (set, dataset) in [
        ("readability-test-pages", readability),
        ("newspaper-tests", newspaper),
    ] {
        for (name, why) in &dataset.left_out {
            lines.push(format!("left out: {set}/{name}: {why}"));
        }
        for page in dataset.pages.iter().filter(|p| p.panicked) {
            lines.push(format!("extractor panicked: {set}/{}", page.name));
        }
        let mut worst: Vec<&TokenPage> = dataset.pages.iter().collect();
        worst.sort_by(|a, b| a.score.f1.total_cmp(&b.score.f1));
        let worst: Vec<String> = worst
            .iter()
            .take(WORST_SHOWN)
            .map(|p| format!("{} ({}) {:.3}", p.name, p.lang, p.score.f1))
            .collect();
        lines.push(format!("lowest token F1, {set}: {}", worst.join(", ")));
    }
    for file in &trafilatura.missing {
        lines.push(format!(
            "left out: trafilatura-eval/{file}: in neither archive"
        ));
    }
    for page in trafilatura.pages.iter().filter(|p| p.panicked) {
        lines.push(format!(
            "extractor panicked: trafilatura-eval/{}",
            page.file
        ));
    }
    let mut worst: Vec<&SnippetPage> = trafilatura
        .pages
        .iter()
        .filter(|p| p.counts.errors() > 0)
        .collect();
    worst.sort_by_key(|p| std::cmp::Reverse(p.counts.errors()));
    let worst: Vec<String> = worst
        .iter()
        .take(WORST_SHOWN)
        .map(|p| {
            format!(
                "{} ({}) {} missing, {} unwanted",
                p.file, p.lang, p.counts.false_negatives, p.counts.false_positives
            )
        })
        .collect();
    lines.push(format!(
        "most snippet errors, trafilatura-eval: {}",
        worst.join(", ")
    ));
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------
// Files

/// The entries of a folder, sorted by name.
fn sorted_entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths = std::fs::read_dir(dir)
        .and_then(|entries| {
            entries
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
        })
        .with_context(|| format!("cannot list {}", dir.display()))?;
    paths.sort();
    Ok(paths)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `hyperlearn bench extraction --mib N`: one synthetic page of N MiB (an article's
/// paragraphs among navigation, comments and scripts) through `decode_html` and `extract`:
/// time and the process's peak memory, to show memory stays bounded for the largest page
/// the fetcher accepts.
pub fn bench_large_page(mib: usize, record: bool) -> anyhow::Result<()> {
    let paragraph = "<p>The council agreed on Tuesday to plant four hundred trees along the river, \
        and the work will start in the spring when the ground is soft again.</p>\n";
    let noise = "<div class=\"comments\"><p>First! Great article, thanks.</p></div>\
        <nav><a href=\"/a\">Home</a> <a href=\"/b\">News</a></nav>\
        <script>var tracking = 'x'.repeat(10);</script>\n";
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><title>Big page</title></head><body><article>",
    );
    while html.len() < mib * 1024 * 1024 {
        for _ in 0..20 {
            html.push_str(paragraph);
        }
        html.push_str(noise);
    }
    html.push_str("</article></body></html>");
    let bytes = html.into_bytes();
    let before = crate::eval::peak_memory_mib();
    let started = std::time::Instant::now();
    let decoded = crate::articles::decode_html(&bytes, Some("text/html; charset=utf-8"));
    let extracted = crate::articles::extract(&decoded, None);
    let seconds = started.elapsed().as_secs_f64();
    let peak = crate::eval::peak_memory_mib();
    let body = format!(
        "`hyperlearn bench extraction --mib {mib}`: one synthetic {:.1} MiB page (article \
         paragraphs among comments, navigation and scripts)\n\n\
         | page | extracted text | seconds | peak memory before | peak memory after |\n\
         |---|---|---|---|---|\n\
         | {:.1} MiB | {:.1} MiB | {seconds:.2} | {before:.0} MiB | {peak:.0} MiB |\n",
        bytes.len() as f64 / 1048576.0,
        bytes.len() as f64 / 1048576.0,
        extracted.text.len() as f64 / 1048576.0,
    );
    println!("{body}");
    if record {
        crate::eval::record("Extraction of a large page", &body)?;
        eprintln!("Recorded in BENCHMARKS.md");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn token_score_compares_bags_of_lower_cased_words() {
        let full = TokenScore {
            precision: 1.0,
            recall: 1.0,
            f1: 1.0,
        };
        assert_eq!(token_score("Hello, World!", "hello world"), full);
        // The extraction's second "the" and "cat" have no gold occurrence left to match.
        let partial = token_score("the cat the cat", "the cat sat");
        assert!(close(partial.precision, 0.5), "{partial:?}");
        assert!(close(partial.recall, 2.0 / 3.0), "{partial:?}");
        assert!(close(partial.f1, 4.0 / 7.0), "{partial:?}");
        assert_eq!(token_score("", "some gold text"), TokenScore::default());
        assert_eq!(token_score("nothing shared", "entirely different").f1, 0.0);
    }

    #[test]
    fn token_score_counts_unspaced_scripts_by_character() {
        // 東京都 against 京都: two of three characters, all of the gold.
        let s = token_score("東京都", "京都");
        assert!(close(s.precision, 2.0 / 3.0), "{s:?}");
        assert!(close(s.recall, 1.0), "{s:?}");
        assert!(close(s.f1, 0.8), "{s:?}");
    }

    #[test]
    fn gold_html_text_keeps_inline_words_whole_and_skips_scripts() {
        let text = html_text(
            "<html><head><title>Headline</title></head><body><p>one<b>two</b></p>\
             <p>three</p><script>var hidden = 1;</script></body></html>",
        );
        assert_eq!(
            crate::text::normalized_words(&text),
            vec!["onetwo", "three"]
        );
    }

    #[test]
    fn snippets_count_as_in_trafilatura() {
        let with = ["first  line".to_string(), "missing part".to_string()];
        let without = ["Impressum".to_string(), "Twitter".to_string()];
        let page = SnippetCounts::of_page(
            Some("The first\nline of text.\n\nFollow us on Twitter"),
            &with,
            &without,
        );
        let expected = SnippetCounts {
            true_positives: 1,
            false_positives: 1,
            false_negatives: 1,
            true_negatives: 1,
        };
        assert_eq!(page, expected);
        assert!(close(page.precision(), 0.5));
        assert!(close(page.recall(), 0.5));
        assert!(close(page.f1(), 0.5));
        assert!(close(page.accuracy(), 0.5));

        // Soft hyphens in a snippet do not hide it: the extractor drops them.
        let hyphenated = ["Klima\u{ad}wandel".to_string()];
        let found = SnippetCounts::of_page(Some("Der Klimawandel."), &hyphenated, &[]);
        assert_eq!(found.true_positives, 1);

        // A failed extraction finds nothing: every `with` missed, every `without` avoided.
        let failed = SnippetCounts::of_page(None, &with, &without);
        assert_eq!(
            failed,
            SnippetCounts {
                true_positives: 0,
                false_positives: 0,
                false_negatives: 2,
                true_negatives: 2,
            }
        );

        // Pages are summed before the ratios: F1 = 2tp / (2tp + fp + fn) = 2 / 6.
        let total = SnippetCounts::total([page, failed]);
        assert_eq!(total.true_positives, 1);
        assert_eq!(total.false_negatives, 3);
        assert!(close(total.f1(), 1.0 / 3.0));
        assert!(close(total.accuracy(), 4.0 / 8.0));
    }

    #[test]
    fn newspaper_annotators_notes_are_told_from_gold_text() {
        assert!(is_annotators_note("MISSED LAST PARAGRAPH\n"));
        assert!(is_annotators_note(
            "ONLY \"More coming soon!\" AT END OF ARTICLE WAS EXTRACTED"
        ));
        assert!(!is_annotators_note("A short article. NATO met on Monday."));
        assert!(!is_annotators_note("東京のNHKニュース"));
        assert!(!is_annotators_note(
            "BREAKING NEWS\nThe river rose overnight."
        ));
    }

    /// One tar entry as GNU tar writes it (no checksum: the reader does not check it).
    fn tar_entry(path: &str, kind: u8, body: &[u8]) -> Vec<u8> {
        let mut entry = vec![0u8; 512];
        entry[..path.len()].copy_from_slice(path.as_bytes());
        entry[124..135].copy_from_slice(format!("{:011o}", body.len()).as_bytes());
        entry[156] = kind;
        entry[257..265].copy_from_slice(b"ustar  \0");
        entry.extend_from_slice(body);
        entry.resize(entry.len().next_multiple_of(512), 0);
        entry
    }

    #[test]
    fn tar_gz_files_are_read_with_their_long_paths() {
        let long = format!("eval/{}.html", "x".repeat(120));
        let mut tar = tar_entry("eval/", b'5', b"");
        tar.extend(tar_entry(
            "././@LongLink",
            b'L',
            format!("{long}\0").as_bytes(),
        ));
        tar.extend(tar_entry(&long[..100], b'0', b"<p>long</p>"));
        tar.extend(tar_entry("eval/short.html", b'0', b"<p>short</p>"));
        tar.extend([0u8; 1024]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.tar.gz");
        std::fs::write(&path, gz.finish().unwrap()).unwrap();

        let mut files = Vec::new();
        for_each_tar_gz_file(&path, |name, bytes| {
            files.push((name.to_string(), bytes));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            files,
            vec![
                (long, b"<p>long</p>".to_vec()),
                ("eval/short.html".to_string(), b"<p>short</p>".to_vec()),
            ]
        );
    }
}
