//! `index/`: which articles match this query? The only module that imports tantivy.
//!
//! Schema: one title field and one body field per supported language, each with that
//! language's analyzer (lower-casing, stop words, Snowball stemming), plus a generic pair for
//! every other language. An article's text goes into its language's fields only, so a German
//! query is stemmed as German and matches German articles. Filters (language, CEFR band,
//! topic, source) are raw-string fields; the canonical URL is the document key, so
//! re-indexing an article replaces it.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::articles::Cefr;

/// Languages with their own analyzer (every home, by its stemmer); everything else uses the
/// generic one. A new home adds fields to the schema: `hyperlearn reindex` rebuilds an
/// index made before it.
fn index_langs() -> impl Iterator<Item = (&'static str, Language)> {
    use crate::lang::Stemmer as S;
    crate::lang::codes().map(|code| {
        let language = match crate::lang::language(code).expect("a home").stemmer {
            S::Arabic => Language::Arabic,
            S::Danish => Language::Danish,
            S::Dutch => Language::Dutch,
            S::English => Language::English,
            S::Finnish => Language::Finnish,
            S::French => Language::French,
            S::German => Language::German,
            S::Greek => Language::Greek,
            S::Hungarian => Language::Hungarian,
            S::Italian => Language::Italian,
            S::Norwegian => Language::Norwegian,
            S::Portuguese => Language::Portuguese,
            S::Romanian => Language::Romanian,
            S::Russian => Language::Russian,
            S::Spanish => Language::Spanish,
            S::Swedish => Language::Swedish,
            S::Tamil => Language::Tamil,
            S::Turkish => Language::Turkish,
        };
        (code, language)
    })
}
const GENERIC: &str = "xx";

/// The furthest into a result list a search may look (offset plus limit). tantivy allocates
/// room for `offset + limit` hits up front, so an unbounded offset from a request would
/// abort the process.
pub const MAX_OFFSET: usize = 10_000;

/// How long a write waits for another process to let go of the index folder's write lock.
const WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// The most hits one search returns.
pub const MAX_LIMIT: usize = 100;

/// Errors of the index; each names the index folder.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The index folder could not be created or opened.
    #[error("search index {path}: {message}")]
    Open { path: PathBuf, message: String },
    /// Writing or committing failed.
    #[error("search index {path}: write failed: {message}")]
    Write { path: PathBuf, message: String },
    /// A search failed.
    #[error("search index {path}: search failed: {message}")]
    Search { path: PathBuf, message: String },
}

/// What is indexed about an article.
#[derive(Debug, Clone)]
pub struct IndexDoc<'a> {
    pub article_id: i64,
    pub url: &'a str,
    pub title: &'a str,
    pub text: &'a str,
    pub lang: &'a str,
    pub level: f64,
    pub cefr: Cefr,
    pub topics: &'a [String],
    pub source: &'a str,
    /// RFC 3339, when known.
    pub published: Option<&'a str>,
}

/// A teacher's search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub lang: Option<String>,
    pub cefr: Option<Cefr>,
    pub topic: Option<String>,
    pub source: Option<String>,
    /// Published on or after this day (articles without a date are then left out).
    pub published_from: Option<chrono::NaiveDate>,
    /// Published on or before this day.
    pub published_to: Option<chrono::NaiveDate>,
    pub limit: usize,
    pub offset: usize,
}

/// One search result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub article_id: i64,
    pub url: String,
    pub title: String,
    pub lang: String,
    pub cefr: String,
    pub level: f64,
    pub topics: Vec<String>,
    pub source: String,
    pub published: Option<String>,
    pub score: f32,
    pub snippet: Snippet,
}

/// A piece of text around the matches, with the matched ranges (byte offsets into
/// `fragment`) so that each front end can mark them up with its own escaping.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Snippet {
    pub fragment: String,
    pub highlighted: Vec<(usize, usize)>,
}

impl Snippet {
    /// The fragment with matches wrapped in the given markers (no escaping).
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut pos = 0;
        for &(s, e) in &self.highlighted {
            out.push_str(&self.fragment[pos..s]);
            out.push_str(open);
            out.push_str(&self.fragment[s..e]);
            out.push_str(close);
            pos = e;
        }
        out.push_str(&self.fragment[pos..]);
        out
    }
}

/// Results of a search.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    url: Field,
    article_id: Field,
    title: Field,
    body: Field,
    lang: Field,
    cefr: Field,
    level: Field,
    topic: Field,
    source: Field,
    published: Field,
}

/// The article index on disk.
pub struct ArticleIndex {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    text_fields: HashMap<&'static str, (Field, Field)>,
    writer: Mutex<Option<IndexWriter>>,
}

fn analyzer_name(lang: &str) -> String {
    format!("hl_{lang}")
}

fn build_schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("url", STRING | STORED);
    b.add_i64_field("article_id", INDEXED | STORED | FAST);
    b.add_text_field("title", STORED);
    b.add_text_field("body", STORED);
    b.add_text_field("lang", STRING | STORED | FAST);
    b.add_text_field("cefr", STRING | STORED | FAST);
    b.add_f64_field("level", STORED | FAST);
    b.add_text_field("topic", STRING | STORED);
    b.add_text_field("source", STRING | STORED);
    b.add_text_field("published", STRING | STORED);
    for lang in index_langs().map(|(l, _)| l).chain([GENERIC]) {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&analyzer_name(lang))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        b.add_text_field(&format!("title_{lang}"), options.clone());
        b.add_text_field(&format!("body_{lang}"), options);
    }
    b.build()
}

fn register_analyzers(index: &Index) {
    for (code, language) in index_langs() {
        let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .dynamic();
        if let Some(stop) = StopWordFilter::new(language) {
            builder = builder.filter_dynamic(stop);
        }
        let analyzer = builder.filter_dynamic(Stemmer::new(language)).build();
        index.tokenizers().register(&analyzer_name(code), analyzer);
    }
    let generic = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
    index
        .tokenizers()
        .register(&analyzer_name(GENERIC), generic);
}

fn lang_key(lang: &str) -> &'static str {
    index_langs()
        .map(|(l, _)| l)
        .find(|l| *l == lang)
        .unwrap_or(GENERIC)
}

impl ArticleIndex {
    /// Opens the index in `dir`, creating it (and the folder) when missing.
    pub fn open(dir: &Path) -> Result<ArticleIndex, IndexError> {
        let open_err = |message: String| IndexError::Open {
            path: dir.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_err(e.to_string()))?;
        let schema = build_schema();
        let index = Index::open_or_create(directory, schema.clone()).map_err(|e| {
            open_err(format!(
                "{e} (an index made by another version, for example before a language was added: run `hyperlearn reindex`)"
            ))
        })?;
        register_analyzers(&index);
        let reader = index
            .reader_builder()
            // Commits by another process (`hyperlearn fetch` beside `serve`) become visible
            // within a second or so; our own commits reload at once (`commit`).
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|e: tantivy::TantivyError| open_err(e.to_string()))?;
        let f = |name: &str| schema.get_field(name).expect("field is in the schema");
        let fields = Fields {
            url: f("url"),
            article_id: f("article_id"),
            title: f("title"),
            body: f("body"),
            lang: f("lang"),
            cefr: f("cefr"),
            level: f("level"),
            topic: f("topic"),
            source: f("source"),
            published: f("published"),
        };
        let text_fields = index_langs()
            .map(|(l, _)| l)
            .chain([GENERIC])
            .map(|l| (l, (f(&format!("title_{l}")), f(&format!("body_{l}")))))
            .collect();
        Ok(ArticleIndex {
            path: dir.to_path_buf(),
            index,
            reader,
            fields,
            text_fields,
            writer: Mutex::new(None),
        })
    }

    /// Deletes the index in `dir` (tantivy's files only; anything else in the folder stays)
    /// and creates an empty one.
    pub fn recreate(dir: &Path) -> Result<ArticleIndex, IndexError> {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                let ours = name == "meta.json"
                    || name == ".managed.json"
                    || name.ends_with(".lock")
                    || ["idx", "pos", "term", "store", "fast", "fieldnorm", "del"]
                        .iter()
                        .any(|ext| name.ends_with(&format!(".{ext}")));
                if ours && path.is_file() {
                    std::fs::remove_file(&path).map_err(|e| IndexError::Open {
                        path: dir.to_path_buf(),
                        message: format!("cannot remove {}: {e}", path.display()),
                    })?;
                }
            }
        }
        ArticleIndex::open(dir)
    }

    fn write_err(&self, e: impl std::fmt::Display) -> IndexError {
        IndexError::Write {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    fn search_err(&self, e: impl std::fmt::Display) -> IndexError {
        IndexError::Search {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Adds or replaces (by canonical URL) an article. Visible to searches after
    /// [`ArticleIndex::commit`].
    pub fn upsert(&self, doc: &IndexDoc<'_>) -> Result<(), IndexError> {
        let mut guard = self.writer.lock().expect("index writer lock");
        if guard.is_none() {
            *guard = Some(self.writer_when_free()?);
        }
        let writer = guard.as_mut().expect("writer was just created");
        let f = self.fields;
        writer.delete_term(Term::from_field_text(f.url, doc.url));
        let (title_field, body_field) = self.text_fields[lang_key(doc.lang)];
        let mut d = TantivyDocument::default();
        d.add_text(f.url, doc.url);
        d.add_i64(f.article_id, doc.article_id);
        d.add_text(f.title, doc.title);
        d.add_text(f.body, doc.text);
        d.add_text(f.lang, doc.lang);
        d.add_text(f.cefr, doc.cefr.as_str());
        d.add_f64(f.level, doc.level);
        for topic in doc.topics {
            d.add_text(f.topic, topic);
        }
        d.add_text(f.source, doc.source);
        if let Some(p) = doc.published {
            d.add_text(f.published, p);
        }
        d.add_text(title_field, doc.title);
        d.add_text(body_field, doc.text);
        writer.add_document(d).map_err(|e| self.write_err(e))?;
        Ok(())
    }

    /// A writer for the folder, waiting up to [`WRITER_WAIT`] while another process holds
    /// its write lock: `serve` filling its index from the store beside a `fetch` run on the
    /// same machine each hold it a moment, and the run must not fail for that.
    fn writer_when_free(&self) -> Result<IndexWriter, IndexError> {
        let deadline = std::time::Instant::now() + WRITER_WAIT;
        loop {
            match self.index.writer(50_000_000) {
                Ok(writer) => return Ok(writer),
                Err(tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                )) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(self.write_err(e)),
            }
        }
    }

    /// Commits pending changes and makes them visible to searches. The writer (and the
    /// folder's write lock) is let go, so that another process (`hyperlearn fetch` beside
    /// `serve`) can write between our runs; before that, the merges the commit started are
    /// waited for. A writer dropped mid-merge leaves its segments unmerged, and a
    /// commit per run would pile them up: at a million articles, queries got several times
    /// slower (BENCHMARKS, "Search").
    pub fn commit(&self) -> Result<(), IndexError> {
        let mut guard = self.writer.lock().expect("index writer lock");
        if let Some(mut writer) = guard.take() {
            writer.commit().map_err(|e| self.write_err(e))?;
            writer
                .wait_merging_threads()
                .map_err(|e| self.write_err(e))?;
        }
        self.reader.reload().map_err(|e| self.write_err(e))
    }

    /// Number of articles in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no article.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The store ids of the indexed articles numbered `from` or higher (for catching up with
    /// a store that other processes write to). Reads the id column of every live document.
    pub fn article_ids_from(&self, from: i64) -> Result<HashSet<i64>, IndexError> {
        let searcher = self.reader.searcher();
        let mut ids = HashSet::new();
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .i64("article_id")
                .map_err(|e| self.write_err(e))?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                if let Some(id) = column.first(doc).filter(|id| *id >= from) {
                    ids.insert(id);
                }
            }
        }
        Ok(ids)
    }

    /// The highest store id of an indexed article (0 for an empty index).
    pub fn max_article_id(&self) -> Result<i64, IndexError> {
        let searcher = self.reader.searcher();
        let mut max = 0;
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .i64("article_id")
                .map_err(|e| self.write_err(e))?;
            if segment.num_docs() > 0 {
                max = max.max(column.max_value());
            }
        }
        Ok(max)
    }

    fn text_query(&self, text: &str, lang: Option<&str>, conjunction: bool) -> Box<dyn Query> {
        let langs: Vec<&'static str> = match lang {
            Some(l) => vec![lang_key(l)],
            None => self.text_fields.keys().copied().collect(),
        };
        let mut fields = Vec::new();
        for l in &langs {
            let (t, b) = self.text_fields[l];
            fields.push(t);
            fields.push(b);
        }
        let mut parser = QueryParser::for_index(&self.index, fields);
        for l in &langs {
            parser.set_field_boost(self.text_fields[l].0, 2.0);
        }
        if conjunction {
            parser.set_conjunction_by_default();
        }
        // Lenient: a teacher's stray quote or colon never makes the search fail.
        parser.parse_query_lenient(text).0
    }

    fn filtered(&self, base: Box<dyn Query>, q: &SearchQuery) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, base)];
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(l) = &q.lang {
            clauses.push((Occur::Must, term(f.lang, l)));
        }
        if let Some(c) = q.cefr {
            clauses.push((Occur::Must, term(f.cefr, c.as_str())));
        }
        if let Some(t) = &q.topic {
            clauses.push((Occur::Must, term(f.topic, &t.to_lowercase())));
        }
        if let Some(s) = &q.source {
            clauses.push((Occur::Must, term(f.source, s)));
        }
        if q.published_from.is_some() || q.published_to.is_some() {
            // Dates are stored as RFC 3339 in UTC, so their text sorts by time: a day's
            // articles lie between "YYYY-MM-DD" and the next day's "YYYY-MM-DD".
            let day = |d: chrono::NaiveDate| Term::from_field_text(f.published, &d.to_string());
            let lower = q
                .published_from
                .map_or(Bound::Unbounded, |d| Bound::Included(day(d)));
            let upper = q
                .published_to
                .and_then(|d| d.succ_opt())
                .map_or(Bound::Unbounded, |d| Bound::Excluded(day(d)));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        if clauses.len() == 1 {
            return clauses.pop().expect("one clause").1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// A teacher's search, with snippets.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, IndexError> {
        let searcher = self.reader.searcher();
        let base: Box<dyn Query> = if q.text.trim().is_empty() {
            Box::new(tantivy::query::AllQuery)
        } else {
            self.text_query(&q.text, q.lang.as_deref(), true)
        };
        let query = self.filtered(base, q);
        let limit = q.limit.clamp(1, MAX_LIMIT);
        let offset = q.offset.min(MAX_OFFSET - limit);
        let (total, top) = searcher
            .search(
                &query,
                &(
                    Count,
                    TopDocs::with_limit(limit)
                        .and_offset(offset)
                        .order_by_score(),
                ),
            )
            .map_err(|e| self.search_err(e))?;
        let mut generators: HashMap<&'static str, SnippetGenerator> = HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.search_err(e))?;
            let hit = self.hit_from_doc(&doc, score);
            let key = lang_key(&hit.lang);
            if !generators.contains_key(key) {
                let mut g = SnippetGenerator::create(&searcher, &*query, self.text_fields[key].1)
                    .map_err(|e| self.search_err(e))?;
                g.set_max_num_chars(220);
                generators.insert(key, g);
            }
            let body = doc
                .get_first(self.fields.body)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let s = generators[key].snippet(body);
            let snippet = if s.fragment().is_empty() {
                Snippet {
                    fragment: body.chars().take(200).collect(),
                    highlighted: vec![],
                }
            } else {
                Snippet {
                    fragment: s.fragment().to_string(),
                    highlighted: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                }
            };
            hits.push(Hit { snippet, ..hit });
        }
        Ok(SearchResults { total, hits })
    }

    fn hit_from_doc(&self, doc: &TantivyDocument, score: f32) -> Hit {
        let f = self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        Hit {
            article_id: doc
                .get_first(f.article_id)
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            url: text(f.url),
            title: text(f.title),
            lang: text(f.lang),
            cefr: text(f.cefr),
            level: doc
                .get_first(f.level)
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
            topics: doc
                .get_all(f.topic)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            source: text(f.source),
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_str())
                .map(str::to_string),
            score,
            snippet: Snippet {
                fragment: String::new(),
                highlighted: vec![],
            },
        }
    }

    /// BM25 scores of articles in `lang` against a learner's interests (any of the words),
    /// by article id. Articles that match none are absent.
    pub fn interest_scores(
        &self,
        lang: &str,
        interests: &[String],
        limit: usize,
    ) -> Result<HashMap<i64, f32>, IndexError> {
        let words: Vec<String> = interests
            .iter()
            .flat_map(|i| i.split_whitespace())
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || *c == '-')
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Ok(HashMap::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            self.text_query(&words.join(" "), Some(lang), false),
        )];
        for w in &words {
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.topic, &w.to_lowercase()),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>,
            ),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.lang, lang),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(limit.clamp(1, MAX_OFFSET)).order_by_score(),
            )
            .map_err(|e| self.search_err(e))?;
        let mut out = HashMap::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.search_err(e))?;
            if let Some(id) = doc
                .get_first(self.fields.article_id)
                .and_then(|v| v.as_i64())
            {
                out.insert(id, score);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(index: &ArticleIndex, id: i64, lang: &str, title: &str, text: &str, cefr: Cefr) {
        let topics = vec!["science".to_string()];
        let published = format!("2026-11-2{id}T08:00:00+00:00");
        index
            .upsert(&IndexDoc {
                article_id: id,
                url: &format!("https://e.com/{id}"),
                title,
                text,
                lang,
                level: cefr.score(),
                cefr,
                topics: &topics,
                source: "Example",
                published: Some(&published),
            })
            .unwrap();
    }

    #[test]
    fn a_write_waits_while_another_writer_holds_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (
            ArticleIndex::open(dir.path()).unwrap(),
            ArticleIndex::open(dir.path()).unwrap(),
        );
        add(
            &first,
            1,
            "en",
            "Bakers",
            "The bakery opens at six.",
            Cefr::A2,
        );
        // `first` holds the write lock until it commits, a moment later.
        let committer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            first.commit().unwrap();
        });
        add(
            &second,
            2,
            "en",
            "Millers",
            "The mill grinds wheat.",
            Cefr::A2,
        );
        committer.join().unwrap();
        second.commit().unwrap();
        assert_eq!(second.len(), 2);
    }

    #[test]
    fn every_home_has_its_stemmer_in_search() {
        let dir = tempfile::tempdir().unwrap();
        let index = ArticleIndex::open(dir.path()).unwrap();
        add(
            &index,
            1,
            "it",
            "I forni del lago",
            "Le panetterie del paese vendono pagnotte ogni mattina.",
            Cefr::A2,
        );
        index.commit().unwrap();
        let hits = |text: &str| {
            index
                .search(&SearchQuery {
                    text: text.into(),
                    lang: Some("it".into()),
                    limit: 10,
                    ..Default::default()
                })
                .unwrap()
                .total
        };
        // Italian stems: "forno" finds "forni", "pagnotta" finds "pagnotte".
        assert_eq!(hits("forno"), 1);
        assert_eq!(hits("pagnotta"), 1);
        assert_eq!(index_langs().count(), crate::lang::HOMES.len());
    }

    #[test]
    fn huge_offsets_and_limits_are_bounded_not_allocated() {
        let dir = tempfile::tempdir().unwrap();
        let index = ArticleIndex::open(dir.path()).unwrap();
        add(
            &index,
            1,
            "en",
            "Otters",
            "Otters swim in the river.",
            Cefr::B1,
        );
        index.commit().unwrap();
        // Before the bound: "memory allocation of 16000000000000160 bytes failed" (abort).
        for (offset, limit) in [
            (usize::MAX / 2, 10),
            (1_000_000_000_000_000, usize::MAX),
            (0, usize::MAX),
        ] {
            let r = index
                .search(&SearchQuery {
                    text: "otters".into(),
                    limit,
                    offset,
                    ..SearchQuery::default()
                })
                .unwrap();
            assert_eq!(r.total, 1);
            assert!(r.hits.len() <= 1);
        }
    }

    #[test]
    fn another_process_commits_become_visible_without_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let serving = ArticleIndex::open(dir.path()).unwrap();
        add(
            &serving,
            2,
            "en",
            "Beavers",
            "Beavers build a dam.",
            Cefr::B1,
        );
        serving.commit().unwrap();
        assert_eq!(serving.len(), 1);
        {
            // A separate `hyperlearn fetch`: its own handle on the same folder.
            let fetching = ArticleIndex::open(dir.path()).unwrap();
            add(
                &fetching,
                1,
                "en",
                "Otters",
                "Otters swim in the river.",
                Cefr::B1,
            );
            fetching.commit().unwrap();
        }
        // tantivy watches meta.json; give it up to 30 s (it takes about half a second).
        let started = std::time::Instant::now();
        while serving.len() < 2 && started.elapsed() < std::time::Duration::from_secs(30) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(serving.len(), 2);
        // And the serving process can write again afterwards.
        add(
            &serving,
            3,
            "en",
            "Herons",
            "Herons fish at dawn.",
            Cefr::B1,
        );
        serving.commit().unwrap();
        assert_eq!(serving.len(), 3);
    }

    #[test]
    fn stemmed_search_per_language_with_filters_and_snippets() {
        let dir = tempfile::tempdir().unwrap();
        let index = ArticleIndex::open(dir.path()).unwrap();
        add(
            &index,
            1,
            "en",
            "Robots clean harbours",
            "Two robots were cleaning the harbours of the city all week.",
            Cefr::B1,
        );
        add(
            &index,
            2,
            "de",
            "Neue Häuser",
            "In der Stadt werden viele neue Häuser gebaut.",
            Cefr::A2,
        );
        add(
            &index,
            3,
            "ru",
            "Новые дома",
            "В городе строят новые дома для учителей.",
            Cefr::B2,
        );
        index.commit().unwrap();
        assert_eq!(index.len(), 3);

        let search = |text: &str, lang: Option<&str>, cefr: Option<Cefr>| {
            index
                .search(&SearchQuery {
                    text: text.into(),
                    lang: lang.map(str::to_string),
                    cefr,
                    limit: 10,
                    ..Default::default()
                })
                .unwrap()
        };
        let r = search("robot cleaned", None, None);
        assert_eq!(r.total, 1);
        assert_eq!(r.hits[0].article_id, 1);

        // Date range: articles 1, 2, 3 were published on 21, 22, 23 November.
        let day = |d: &str| Some(d.parse::<chrono::NaiveDate>().unwrap());
        let in_range = |from, to| {
            let mut ids: Vec<i64> = index
                .search(&SearchQuery {
                    published_from: from,
                    published_to: to,
                    limit: 10,
                    ..Default::default()
                })
                .unwrap()
                .hits
                .iter()
                .map(|h| h.article_id)
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(in_range(day("2026-11-22"), day("2026-11-22")), [2]);
        assert_eq!(in_range(day("2026-11-22"), None), [2, 3]);
        assert_eq!(in_range(None, day("2026-11-21")), [1]);
        assert!(
            r.hits[0].snippet.marked("[", "]").contains("[cleaning]"),
            "{:?}",
            r.hits[0].snippet
        );
        assert_eq!(search("Haus", Some("de"), None).hits[0].article_id, 2);
        assert_eq!(search("дом", Some("ru"), None).hits[0].article_id, 3);
        assert_eq!(search("дом", Some("ru"), Some(Cefr::A1)).total, 0);
        assert_eq!(search("", Some("en"), Some(Cefr::B1)).total, 1);
        // A broken query is still a query.
        assert_eq!(search("robot AND (", None, None).total, 1);
    }

    #[test]
    fn reindexing_the_same_url_replaces_the_article() {
        let dir = tempfile::tempdir().unwrap();
        let index = ArticleIndex::open(dir.path()).unwrap();
        add(
            &index,
            1,
            "en",
            "Old title",
            "Old text about robots and harbours.",
            Cefr::B1,
        );
        index.commit().unwrap();
        add(
            &index,
            1,
            "en",
            "New title",
            "New text about robots and harbours.",
            Cefr::B1,
        );
        index.commit().unwrap();
        assert_eq!(index.len(), 1);
        drop(index);
        let reopened = ArticleIndex::open(dir.path()).unwrap();
        assert_eq!(reopened.len(), 1);
        let scores = reopened
            .interest_scores("en", &["robots".into()], 10)
            .unwrap();
        assert!(scores.contains_key(&1));
    }
}
