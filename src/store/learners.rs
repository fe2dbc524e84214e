//! Learners: who they are, their level history and scores, pausing, export and forgetting.

use crate::articles::Cefr;
use chrono::NaiveTime;
use std::collections::HashMap;

use super::db::{DbResult, ErrorKind, OptionalExtension, Row, params};
use super::{OrStore, Store, StoreError, now};

/// A change of a learner's level: when (RFC 3339), to what, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelChange {
    pub at: String,
    pub level: f64,
    pub reason: String,
}

/// A learner.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Learner {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub lang: String,
    /// Level estimate, 1.0 (A1) ... 6.0 (C2).
    pub level: f64,
    pub interests: Vec<String>,
    pub delivery_time: NaiveTime,
    /// IANA time zone name.
    pub timezone: String,
    pub active: bool,
}

impl Learner {
    /// The learner's CEFR band.
    pub fn cefr(&self) -> Cefr {
        Cefr::from_score(self.level)
    }
}

/// What `learners add` needs.
#[derive(Debug, Clone)]
pub struct NewLearner {
    pub email: String,
    pub name: String,
    pub lang: String,
    pub level: f64,
    pub interests: Vec<String>,
    pub delivery_time: NaiveTime,
    pub timezone: String,
}

/// A lesson a learner had.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecentLesson {
    pub lesson_id: i64,
    pub date: String,
    pub article_id: i64,
    pub article_level: f64,
    pub topics: Vec<String>,
    pub title: String,
}

impl Store {
    /// Adds a learner; the address must be new.
    pub fn add_learner(&self, l: &NewLearner) -> Result<Learner, StoreError> {
        if self.is_forgotten(&l.email)? {
            return Err(StoreError::Forgotten(l.email.clone()));
        }
        let result = self.conn().insert(
            "INSERT INTO learners (email, name, lang, level, interests, delivery_time, timezone, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                l.email,
                l.name,
                l.lang,
                l.level,
                serde_json::to_string(&l.interests).expect("strings serialise"),
                l.delivery_time.format("%H:%M").to_string(),
                l.timezone,
                now()
            ],
        );
        match result {
            Ok(id) => self.learner(id),
            Err(e) if e.kind == ErrorKind::Unique => {
                Err(StoreError::DuplicateLearner(l.email.clone()))
            }
            Err(e) => Err(self.q(e)),
        }
    }

    /// Adds a learner, or updates name, language, level, interests and time of an existing
    /// one with that address (used by the demo so that re-runs are safe).
    pub fn upsert_learner(&self, l: &NewLearner) -> Result<Learner, StoreError> {
        match self.find_learner(&l.email) {
            Ok(existing) => {
                self.conn()
                    .execute(
                        "UPDATE learners SET name=?2, lang=?3, level=?4, interests=?5, delivery_time=?6, timezone=?7 WHERE id=?1",
                        params![
                            existing.id,
                            l.name,
                            l.lang,
                            l.level,
                            serde_json::to_string(&l.interests).expect("strings serialise"),
                            l.delivery_time.format("%H:%M").to_string(),
                            l.timezone
                        ],
                    )
                    .or_store(self)?;
                self.learner(existing.id)
            }
            Err(StoreError::NoSuchLearner(_)) => self.add_learner(l),
            Err(e) => Err(e),
        }
    }

    fn learner_from_row(row: &Row) -> DbResult<Learner> {
        let interests: String = row.get(5)?;
        let time: String = row.get(6)?;
        Ok(Learner {
            id: row.get(0)?,
            email: row.get(1)?,
            name: row.get(2)?,
            lang: row.get(3)?,
            level: row.get(4)?,
            interests: serde_json::from_str(&interests).unwrap_or_default(),
            delivery_time: NaiveTime::parse_from_str(&time, "%H:%M")
                .unwrap_or_else(|_| NaiveTime::from_hms_opt(7, 0, 0).expect("valid time")),
            timezone: row.get(7)?,
            active: row.get::<_, i64>(8)? != 0,
        })
    }

    const LEARNER_COLUMNS: &'static str =
        "id, email, name, lang, level, interests, delivery_time, timezone, active";

    /// A learner by id.
    pub fn learner(&self, id: i64) -> Result<Learner, StoreError> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {} FROM learners WHERE id = ?1",
                    Self::LEARNER_COLUMNS
                ),
                [id],
                Self::learner_from_row,
            )
            .optional()
            .or_store(self)?
            .ok_or_else(|| StoreError::NoSuchLearner(id.to_string()))
    }

    /// A learner by id or address.
    pub fn find_learner(&self, id_or_email: &str) -> Result<Learner, StoreError> {
        if let Ok(id) = id_or_email.parse::<i64>() {
            return self.learner(id);
        }
        self.conn()
            .query_row(
                &format!(
                    "SELECT {} FROM learners WHERE lower(email) = lower(?1)",
                    Self::LEARNER_COLUMNS
                ),
                [id_or_email],
                Self::learner_from_row,
            )
            .optional()
            .or_store(self)?
            .ok_or_else(|| StoreError::NoSuchLearner(id_or_email.to_string()))
    }

    /// All learners, by id.
    pub fn learners(&self) -> Result<Vec<Learner>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM learners ORDER BY id",
                Self::LEARNER_COLUMNS
            ))
            .or_store(self)?;
        let rows = stmt.query_map([], Self::learner_from_row).or_store(self)?;
        rows.collect::<Result<Vec<_>, _>>().or_store(self)
    }

    /// Removes a learner and everything about them.
    pub fn remove_learner(&self, id_or_email: &str) -> Result<Learner, StoreError> {
        self.erase_learner(id_or_email, false)
    }

    /// Erases a learner at their request: everything `remove_learner` deletes, and a salted
    /// hash of the address is kept so that they are never added (imported) or mailed again.
    pub fn forget_learner(&self, id_or_email: &str) -> Result<Learner, StoreError> {
        self.erase_learner(id_or_email, true)
    }

    fn erase_learner(&self, id_or_email: &str, remember_hash: bool) -> Result<Learner, StoreError> {
        let learner = self.find_learner(id_or_email)?;
        let hash = self.address_hash(&learner.email)?;
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        for sql in [
            "DELETE FROM deliveries WHERE learner_id = ?1",
            "DELETE FROM lesson_scores WHERE learner_id = ?1",
            "DELETE FROM level_history WHERE learner_id = ?1",
            "DELETE FROM flags WHERE learner_id = ?1
                OR exercise_id IN (SELECT e.id FROM exercises e JOIN lessons l ON l.id = e.lesson_id
                                   WHERE l.learner_id = ?1)",
            "DELETE FROM lesson_items WHERE lesson_id IN (SELECT id FROM lessons WHERE learner_id = ?1)",
            // Rows of lessons made before exercise sets were the learner's own; a set's rows
            // are the article's, shared by every learner who had it.
            "DELETE FROM exercises WHERE lesson_id IN (SELECT id FROM lessons WHERE learner_id = ?1)",
            "DELETE FROM lessons WHERE learner_id = ?1",
            "DELETE FROM learners WHERE id = ?1",
        ] {
            tx.execute(sql, [learner.id]).or_store(self)?;
        }
        if remember_hash {
            tx.execute(
                "INSERT INTO forgotten (address_hash, forgotten_at) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                params![hash, now()],
            )
            .or_store(self)?;
        }
        tx.commit().or_store(self)?;
        if let (true, Some(sqlite)) = (remember_hash, conn.sqlite()) {
            // Old versions of the erased pages also live in the write-ahead log until it is
            // checkpointed: fold it into the database and empty it (best effort: a reader in
            // another process may hold it; the next checkpoint then finishes the job).
            let _ = sqlite.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        }
        Ok(learner)
    }

    /// The salted hash under which a forgotten address is kept.
    fn address_hash(&self, email: &str) -> Result<String, StoreError> {
        use sha2::{Digest, Sha256};
        let salt: String = self
            .conn()
            .query_row(
                "SELECT value FROM settings WHERE name = 'address_salt'",
                [],
                |r| r.get(0),
            )
            .or_store(self)?;
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update(b":");
        h.update(email.trim().to_lowercase().as_bytes());
        Ok(hex::encode(h.finalize()))
    }

    /// Whether an address was forgotten at its owner's request.
    pub fn is_forgotten(&self, email: &str) -> Result<bool, StoreError> {
        let hash = self.address_hash(email)?;
        self.conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM forgotten WHERE address_hash = ?1)",
                [hash],
                |r| r.get(0),
            )
            .or_store(self)
    }

    /// Lets a forgotten address be added again (its owner asked to come back).
    pub fn unforget(&self, email: &str) -> Result<bool, StoreError> {
        let hash = self.address_hash(email)?;
        self.conn()
            .execute("DELETE FROM forgotten WHERE address_hash = ?1", [hash])
            .map(|n| n > 0)
            .or_store(self)
    }

    /// All we hold about a learner, as JSON: profile, level history, lessons with their
    /// exercises, scores, flags and deliveries (with the stored mail).
    pub fn export_learner(&self, id_or_email: &str) -> Result<serde_json::Value, StoreError> {
        use serde_json::json;
        let learner = self.find_learner(id_or_email)?;
        let conn = self.conn();
        // The binding lets `stmt` outlive the rows iterator that borrows it.
        #[allow(clippy::let_and_return)]
        let rows = |sql: &str, f: &dyn Fn(&Row) -> DbResult<serde_json::Value>| {
            let mut stmt = conn.prepare(sql).or_store(self)?;
            let out = stmt
                .query_map([learner.id], |r| f(r))
                .or_store(self)?
                .collect::<Result<Vec<_>, _>>()
                .or_store(self);
            out
        };
        let paused_reason: Option<String> = conn
            .query_row(
                "SELECT paused_reason FROM learners WHERE id = ?1",
                [learner.id],
                |r| r.get(0),
            )
            .or_store(self)?;
        let level_history = rows(
            "SELECT at, level, reason FROM level_history WHERE learner_id = ?1 ORDER BY id",
            &|r| {
                Ok(
                    json!({"at": r.get::<_, String>(0)?, "level": r.get::<_, f64>(1)?, "reason": r.get::<_, String>(2)?}),
                )
            },
        )?;
        let lessons = rows(
            "SELECT l.id, l.lesson_date, a.id, a.title, a.url FROM lessons l
             JOIN articles a ON a.id = l.article_id WHERE l.learner_id = ?1 ORDER BY l.id",
            &|r| {
                Ok(
                    json!({"id": r.get::<_, i64>(0)?, "date": r.get::<_, String>(1)?,
                    "article": {"id": r.get::<_, i64>(2)?, "title": r.get::<_, String>(3)?, "url": r.get::<_, String>(4)?}}),
                )
            },
        )?;
        let exercises = rows(
            "SELECT i.lesson_id, e.id, e.kind, e.origin, e.accepted, e.payload FROM lesson_items i
             JOIN exercises e ON e.id = i.exercise_id JOIN lessons l ON l.id = i.lesson_id
             WHERE l.learner_id = ?1 ORDER BY i.lesson_id, i.position",
            &|r| {
                let payload: String = r.get(5)?;
                Ok(
                    json!({"lesson_id": r.get::<_, i64>(0)?, "id": r.get::<_, i64>(1)?, "kind": r.get::<_, String>(2)?,
                    "origin": r.get::<_, String>(3)?, "accepted": r.get::<_, i64>(4)? != 0,
                    "exercise": serde_json::from_str::<serde_json::Value>(&payload).unwrap_or(serde_json::Value::String(payload))}),
                )
            },
        )?;
        let scores = rows(
            "SELECT lesson_id, score, recorded_at FROM lesson_scores WHERE learner_id = ?1 ORDER BY id",
            &|r| {
                Ok(
                    json!({"lesson_id": r.get::<_, i64>(0)?, "score": r.get::<_, f64>(1)?, "recorded_at": r.get::<_, String>(2)?}),
                )
            },
        )?;
        let flags = rows(
            "SELECT exercise_id, note, created_at, resolved FROM flags WHERE learner_id = ?1 ORDER BY id",
            &|r| {
                Ok(
                    json!({"exercise_id": r.get::<_, i64>(0)?, "note": r.get::<_, String>(1)?, "created_at": r.get::<_, String>(2)?, "resolved": r.get::<_, Option<String>>(3)?}),
                )
            },
        )?;
        let deliveries = rows(
            "SELECT lesson_date, state, attempts, last_error, transport, message_id, created_at, sent_at, message
             FROM deliveries WHERE learner_id = ?1 ORDER BY id",
            &|r| {
                let message: Vec<u8> = r.get(8)?;
                Ok(json!({"date": r.get::<_, String>(0)?, "state": r.get::<_, String>(1)?, "attempts": r.get::<_, i64>(2)?,
                    "last_error": r.get::<_, Option<String>>(3)?, "transport": r.get::<_, Option<String>>(4)?,
                    "message_id": r.get::<_, String>(5)?, "created_at": r.get::<_, String>(6)?, "sent_at": r.get::<_, Option<String>>(7)?,
                    "message": String::from_utf8_lossy(&message)}))
            },
        )?;
        Ok(json!({
            "profile": learner,
            "paused_reason": paused_reason,
            "level_history": level_history,
            "lessons": lessons,
            "exercises": exercises,
            "scores": scores,
            "flags": flags,
            "deliveries": deliveries,
        }))
    }

    /// Records a lesson's score and the learner's new level, with its history, in one
    /// transaction.
    pub fn record_score(
        &self,
        learner_id: i64,
        lesson_id: i64,
        score: f64,
        new_level: f64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        let t = now();
        tx.execute(
            "INSERT INTO lesson_scores (lesson_id, learner_id, score, recorded_at) VALUES (?1, ?2, ?3, ?4)",
            params![lesson_id, learner_id, score, t],
        )
        .or_store(self)?;
        tx.execute(
            "UPDATE learners SET level = ?2 WHERE id = ?1",
            params![learner_id, new_level],
        )
        .or_store(self)?;
        tx.execute(
            "INSERT INTO level_history (learner_id, level, reason, lesson_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![learner_id, new_level, format!("score {score:.2}"), lesson_id, t],
        )
        .or_store(self)?;
        tx.commit().or_store(self)
    }

    /// A learner's level history, oldest first.
    pub fn level_history(&self, learner_id: i64) -> Result<Vec<LevelChange>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT at, level, reason FROM level_history WHERE learner_id = ?1 ORDER BY id",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map([learner_id], |r| {
                Ok(LevelChange {
                    at: r.get(0)?,
                    level: r.get(1)?,
                    reason: r.get(2)?,
                })
            })
            .or_store(self)?;
        rows.collect::<Result<Vec<_>, _>>().or_store(self)
    }

    /// A learner's lessons, newest first: (lesson id, date, article id, article level, topics,
    /// title).
    pub fn recent_lessons(
        &self,
        learner_id: i64,
        limit: usize,
    ) -> Result<Vec<RecentLesson>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT lessons.id, lessons.lesson_date, articles.id, articles.level, articles.topics, articles.title
                 FROM lessons JOIN articles ON articles.id = lessons.article_id
                 WHERE lessons.learner_id = ?1 ORDER BY lessons.lesson_date DESC, lessons.id DESC LIMIT ?2",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map(params![learner_id, limit as i64], |r| {
                let topics: String = r.get(4)?;
                Ok(RecentLesson {
                    lesson_id: r.get(0)?,
                    date: r.get(1)?,
                    article_id: r.get(2)?,
                    article_level: r.get(3)?,
                    topics: serde_json::from_str(&topics).unwrap_or_default(),
                    title: r.get(5)?,
                })
            })
            .or_store(self)?;
        rows.collect::<Result<Vec<_>, _>>().or_store(self)
    }

    /// Pauses (with a reason) or resumes a learner. Resuming clears the failure run.
    pub fn set_learner_paused(&self, id: i64, reason: Option<&str>) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE learners SET active = ?2, paused_reason = ?3,
                    mail_failures = CASE WHEN CAST(?3 AS TEXT) IS NULL THEN 0 ELSE mail_failures END
                 WHERE id = ?1",
                params![id, reason.is_none() as i64, reason],
            )
            .or_store(self)?;
        Ok(())
    }

    /// Why each paused learner is paused, by learner id.
    pub fn paused_reasons(&self) -> Result<HashMap<i64, String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, paused_reason FROM learners WHERE active = 0 AND paused_reason IS NOT NULL")
            .or_store(self)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
    }
}
