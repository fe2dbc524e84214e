//! Feed entries tried and the articles made of them.

use crate::articles::{Article, Cefr, Level};

use super::db::{DbError, DbResult, OptionalExtension, Row, Value, params};
use super::{OrStore, Store, StoreError, now};

/// An article's id, and whether storing it added it (or found it stored already).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    pub id: i64,
    pub new: bool,
}

/// An article as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredArticle {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub lang: String,
    pub text: String,
    pub level: f64,
    pub cefr: Cefr,
    pub topics: Vec<String>,
    pub image: Option<String>,
    pub source: String,
    pub fetched_at: String,
}

impl Store {
    /// Whether an entry was already turned into an article (or tried too often).
    pub fn entry_done(&self, entry_key: &str, max_attempts: i64) -> Result<bool, StoreError> {
        let row: Option<(Option<i64>, i64)> = self
            .conn()
            .query_row(
                "SELECT article_id, attempts FROM entries WHERE entry_key = ?1",
                [entry_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .or_store(self)?;
        Ok(
            matches!(row, Some((Some(_), _)))
                || matches!(row, Some((None, a)) if a >= max_attempts),
        )
    }

    /// Records that an entry led to an article.
    pub fn record_entry_article(
        &self,
        entry_key: &str,
        feed_url: &str,
        article_id: i64,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO entries (entry_key, feed_url, article_id, attempts, first_seen) VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT(entry_key) DO UPDATE SET article_id = ?3, attempts = entries.attempts + 1, last_error = NULL",
                params![entry_key, feed_url, article_id, now()],
            )
            .or_store(self)?;
        Ok(())
    }

    /// Records a failed attempt to turn an entry into an article.
    pub fn record_entry_error(
        &self,
        entry_key: &str,
        feed_url: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO entries (entry_key, feed_url, attempts, last_error, first_seen) VALUES (?1, ?2, 1, ?3, ?4)
                 ON CONFLICT(entry_key) DO UPDATE SET attempts = entries.attempts + 1, last_error = ?3",
                params![entry_key, feed_url, error, now()],
            )
            .or_store(self)?;
        Ok(())
    }

    /// The id of the article with this canonical URL, if stored.
    pub fn article_id_by_url(&self, url: &str) -> Result<Option<i64>, StoreError> {
        self.conn()
            .query_row("SELECT id FROM articles WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()
            .or_store(self)
    }

    /// Stores an article; an article with the same canonical URL is kept (first wins).
    pub fn insert_article(&self, a: &Article) -> Result<Inserted, StoreError> {
        if let Some(id) = self.article_id_by_url(&a.url)? {
            return Ok(Inserted { id, new: false });
        }
        // Another process may store the same page at the same moment: the first row wins.
        let id: Option<i64> = self
            .conn()
            .insert(
                "INSERT INTO articles (url, title, byline, published, lang, body, level, cefr, topics, image, source, text_source, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (url) DO NOTHING",
                params![
                    a.url,
                    a.title,
                    a.byline,
                    a.published,
                    a.lang,
                    a.text,
                    a.level.score,
                    a.level.cefr.as_str(),
                    serde_json::to_string(&a.topics).expect("strings serialise"),
                    a.image,
                    a.source,
                    a.text_source.as_str(),
                    now()
                ],
            )
            .optional()
            .or_store(self)?;
        match id {
            Some(id) => Ok(Inserted { id, new: true }),
            None => {
                let id = self.article_id_by_url(&a.url)?.ok_or_else(|| {
                    self.fail(format!("article {} was stored and is gone", a.url))
                })?;
                Ok(Inserted { id, new: false })
            }
        }
    }

    fn article_from_row(r: &Row) -> DbResult<StoredArticle> {
        let topics: String = r.get(9)?;
        Ok(StoredArticle {
            id: r.get(0)?,
            url: r.get(1)?,
            title: r.get(2)?,
            byline: r.get(3)?,
            published: r.get(4)?,
            lang: r.get(5)?,
            text: r.get(6)?,
            level: r.get(7)?,
            cefr: {
                let cefr: String = r.get(8)?;
                cefr.parse()
                    .map_err(|e: crate::articles::BadCefr| DbError::conversion(8, e))?
            },
            topics: serde_json::from_str(&topics).unwrap_or_default(),
            image: r.get(10)?,
            source: r.get(11)?,
            fetched_at: r.get(12)?,
        })
    }

    const ARTICLE_COLUMNS: &'static str = "id, url, title, byline, published, lang, body, level, cefr, topics, image, source, fetched_at";

    /// An article by id.
    pub fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {} FROM articles WHERE id = ?1",
                    Self::ARTICLE_COLUMNS
                ),
                [id],
                Self::article_from_row,
            )
            .optional()
            .or_store(self)
    }

    /// Articles in a language that this learner has not had a lesson on, newest first.
    pub fn unseen_articles(
        &self,
        learner_id: i64,
        lang: &str,
        limit: usize,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM articles WHERE lang = ?1
                   AND id NOT IN (SELECT article_id FROM lessons WHERE learner_id = ?2)
                 ORDER BY COALESCE(published, fetched_at) DESC, id DESC LIMIT ?3",
                Self::ARTICLE_COLUMNS
            ))
            .or_store(self)?;
        let rows = stmt
            .query_map(
                params![lang, learner_id, limit as i64],
                Self::article_from_row,
            )
            .or_store(self)?;
        rows.collect::<Result<Vec<_>, _>>().or_store(self)
    }

    /// The ids of the stored articles numbered `from` or higher, in order.
    pub fn article_ids_from(&self, from: i64) -> Result<Vec<i64>, StoreError> {
        self.conn()
            .prepare("SELECT id FROM articles WHERE id >= ?1 ORDER BY id")
            .or_store(self)?
            .query_map([from], |r| r.get(0))
            .or_store(self)?
            .collect::<Result<_, _>>()
            .or_store(self)
    }

    /// The stored articles with these ids, in id order (ids not stored are left out).
    pub fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<StoredArticle>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
        let values: Vec<Value> = ids.iter().map(|id| Value::Int(*id)).collect();
        self.conn()
            .prepare(&format!(
                "SELECT {} FROM articles WHERE id IN ({}) ORDER BY id",
                Self::ARTICLE_COLUMNS,
                placeholders.join(", ")
            ))
            .or_store(self)?
            .query_map(values, Self::article_from_row)
            .or_store(self)?
            .collect::<Result<_, _>>()
            .or_store(self)
    }

    /// Sets articles' measured levels (after the level formula changed), in one transaction.
    pub fn set_article_levels(&self, levels: &[(i64, Level)]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        {
            let mut stmt = tx
                .prepare("UPDATE articles SET level = ?2, cefr = ?3 WHERE id = ?1")
                .or_store(self)?;
            for (id, level) in levels {
                stmt.execute(params![id, level.score, level.cefr.as_str()])
                    .or_store(self)?;
            }
        }
        tx.commit().or_store(self)
    }

    /// How many articles are stored.
    pub fn article_count(&self) -> Result<u64, StoreError> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .or_store(self)
    }

    /// Every stored article, by id (for re-indexing).
    pub fn all_articles(&self) -> Result<Vec<StoredArticle>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM articles ORDER BY id",
                Self::ARTICLE_COLUMNS
            ))
            .or_store(self)?;
        let rows = stmt.query_map([], Self::article_from_row).or_store(self)?;
        rows.collect::<Result<Vec<_>, _>>().or_store(self)
    }
}
