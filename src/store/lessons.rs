//! Lessons and their exercises: every one tried, with its verdict; what learners and
//! teachers may be shown; flags.

use crate::delivery::ComposedMail;
use crate::exercise::{Exercise, Origin};
use crate::verification::{Rejection, VerifiedExercise};
use chrono::{DateTime, NaiveDate, Utc};

use super::db::{DbError, OptionalExtension, Tx, params};
use super::{Delivery, LessonItems, OrStore, Store, StoreError, now};

/// An exercise a learner flagged as wrong.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Flag {
    pub id: i64,
    pub exercise_id: i64,
    pub article_id: i64,
    pub payload: String,
    pub note: String,
    pub created_at: String,
    pub pulled: bool,
}

/// An exercise row to store, with its verdict. Only a [`VerifiedExercise`] makes an accepted
/// row: every other constructor makes a refused one, so the ledger cannot hold an
/// unverified exercise as accepted (and the lesson pages cannot serve one).
#[derive(Debug, Clone)]
pub struct ExerciseRecord {
    kind: String,
    origin: Origin,
    /// The exercise as JSON (or, for a model reply that never became one, the reply).
    payload: String,
    accepted: bool,
    reasons: Vec<String>,
}

impl ExerciseRecord {
    /// An exercise that passed verification, with the checks it passed.
    pub fn verified(v: &VerifiedExercise) -> ExerciseRecord {
        ExerciseRecord {
            kind: v.exercise().kind().to_string(),
            origin: v.origin(),
            payload: serde_json::to_string(v.exercise()).expect("exercises serialise"),
            accepted: true,
            reasons: v.checks().iter().map(|c| format!("passed:{c}")).collect(),
        }
    }

    /// A candidate that verification refused, with its reasons.
    pub fn rejected(r: &Rejection) -> ExerciseRecord {
        let candidate = &r.candidate;
        ExerciseRecord {
            kind: candidate.exercise.kind().to_string(),
            origin: candidate.origin,
            payload: serde_json::to_string(&candidate.exercise).expect("exercises serialise"),
            accepted: false,
            reasons: r.reasons.iter().map(|x| x.code().to_string()).collect(),
        }
    }

    /// A model reply that never became a candidate (it did not parse, or broke off), kept
    /// with what it was meant to be and why it failed.
    pub fn failed_reply(
        kind: &str,
        origin: Origin,
        raw: &str,
        detail: &str,
        reason: &str,
    ) -> ExerciseRecord {
        ExerciseRecord {
            kind: kind.to_string(),
            origin,
            payload: serde_json::json!({ "raw": raw, "detail": detail }).to_string(),
            accepted: false,
            reasons: vec![reason.to_string()],
        }
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn origin(&self) -> Origin {
        self.origin
    }

    pub fn accepted(&self) -> bool {
        self.accepted
    }

    /// Why it was refused (reason codes), or the checks it passed (`passed:<check>`).
    pub fn reasons(&self) -> &[String] {
        &self.reasons
    }
}

/// A verified exercise that is not pulled: what learners' pages and teachers' exercise
/// sets may show ([`Store::servable_exercises`]).
#[derive(Debug, Clone)]
pub struct ServableExercise {
    pub id: i64,
    /// What it was made for: `lesson of 2026-12-01` (lessons made before exercise sets),
    /// `B1 set` (an exercise set), or `None` (tried for a lesson that was never made).
    pub made_for: Option<String>,
    pub exercise: Exercise,
}

/// Whose servable exercises to read.
#[derive(Debug, Clone, Copy)]
pub enum Servable {
    /// One lesson's, in lesson order.
    Lesson(i64),
    /// Every one about an article (a teacher's reusable sets): by exercise set, then those
    /// of lessons made before sets, then those tried for no lesson.
    Article(i64),
}

/// Whose lesson, about which article, for which date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonInfo {
    pub learner_id: i64,
    pub article_id: i64,
    pub date: NaiveDate,
}

/// An exercise row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredExercise {
    pub id: i64,
    pub kind: String,
    pub origin: Origin,
    pub payload: String,
    pub accepted: bool,
    pub reasons: Vec<String>,
    /// Pulled by an admin after a learner flagged it: never shown again.
    pub pulled: bool,
}

/// A lesson's article and every exercise tried for it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonExercises {
    pub lesson_id: i64,
    pub article_id: i64,
    pub exercises: Vec<StoredExercise>,
}

impl Store {
    /// Stores a lesson from its composed mail (learner, article, date, glossary and the
    /// message, which only a verified lesson composes), the exercise rows it shows (kept
    /// before with [`Store::keep_exercises`]; only accepted, unpulled rows about its article
    /// are taken) and the message as a pending delivery, in one transaction. Returns the
    /// delivery.
    pub fn save_lesson(
        &self,
        mail: &ComposedMail,
        items: &LessonItems,
        due_at: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let (learner_id, article_id, date) = (mail.learner_id(), mail.article_id(), mail.date());
        let (glossary, message_id, message) =
            (mail.glossary_json(), mail.message_id(), mail.bytes());
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        let t = now();
        let lesson_id = tx
            .insert(
                "INSERT INTO lessons (learner_id, article_id, lesson_date, created_at, glossary, set_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![learner_id, article_id, date.to_string(), t, glossary, items.set_id],
            )
            .or_store(self)?;
        for (position, exercise_id) in items.exercise_ids.iter().enumerate() {
            let linked = tx
                .execute(
                    "INSERT INTO lesson_items (lesson_id, position, exercise_id)
                     SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), id FROM exercises
                     WHERE id = ?3 AND article_id = ?4 AND accepted = 1 AND pulled = 0",
                    params![lesson_id, position as i64 + 1, exercise_id, article_id],
                )
                .or_store(self)?;
            if linked != 1 {
                return Err(self.fail(format!(
                    "exercise {exercise_id} is not a verified, unpulled exercise of article {article_id}: no lesson shows it"
                )));
            }
        }
        tx.execute(
            "INSERT INTO deliveries (lesson_id, learner_id, lesson_date, message_id, state, message, created_at, due_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7)",
            params![lesson_id, learner_id, date.to_string(), message_id, message, t, due_at.to_rfc3339()],
        )
        .or_store(self)?;
        tx.commit().or_store(self)?;
        drop(conn);
        Ok(self
            .delivery_for(learner_id, date)?
            .expect("delivery was just stored"))
    }

    /// Exercise rows of an article, of a lesson, a set or neither, inside `tx`. Returns the
    /// ids of the accepted rows, in order.
    pub(super) fn insert_exercises(
        &self,
        tx: &Tx<'_>,
        lesson_id: Option<i64>,
        set_id: Option<i64>,
        article_id: i64,
        exercises: &[ExerciseRecord],
        created_at: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let mut accepted = Vec::new();
        for e in exercises {
            let id = tx
                .insert(
                "INSERT INTO exercises (lesson_id, set_id, article_id, kind, origin, payload, accepted, reasons, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    lesson_id,
                    set_id,
                    article_id,
                    e.kind,
                    e.origin.as_str(),
                    e.payload,
                    e.accepted as i64,
                    serde_json::to_string(&e.reasons).expect("strings serialise"),
                    created_at
                ],
            )
            .or_store(self)?;
            if e.accepted {
                accepted.push(id);
            }
        }
        Ok(accepted)
    }

    /// The learner, article and date of a lesson.
    pub fn lesson_info(&self, lesson_id: i64) -> Result<Option<LessonInfo>, StoreError> {
        self.conn()
            .query_row(
                "SELECT learner_id, article_id, lesson_date FROM lessons WHERE id = ?1",
                [lesson_id],
                |r| {
                    let d: String = r.get(2)?;
                    Ok(LessonInfo {
                        learner_id: r.get(0)?,
                        article_id: r.get(1)?,
                        date: d.parse().unwrap_or_default(),
                    })
                },
            )
            .optional()
            .or_store(self)
    }

    /// The (learner, local date) of every lesson in the ledger dated `from` or later.
    pub fn lesson_dates_from(
        &self,
        from: NaiveDate,
    ) -> Result<std::collections::HashSet<(i64, NaiveDate)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT learner_id, lesson_date FROM deliveries WHERE lesson_date >= ?1")
            .or_store(self)?;
        let rows = stmt
            .query_map([from.to_string()], |r| {
                let date: String = r.get(1)?;
                Ok((r.get(0)?, date.parse().unwrap_or_default()))
            })
            .or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
    }

    /// A lesson's glossary as stored (JSON; `[]` for lessons made before it was kept).
    pub fn lesson_glossary(&self, lesson_id: i64) -> Result<String, StoreError> {
        self.conn()
            .query_row(
                "SELECT glossary FROM lessons WHERE id = ?1",
                [lesson_id],
                |r| r.get(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .or_store(self)
    }

    /// Whether a lesson already has a recorded score.
    pub fn lesson_scored(&self, lesson_id: i64) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM lesson_scores WHERE lesson_id = ?1)",
                [lesson_id],
                |r| r.get(0),
            )
            .or_store(self)
    }

    /// Records a learner's flag on an exercise; flagging it again only updates the note.
    pub fn flag_exercise(
        &self,
        exercise_id: i64,
        learner_id: Option<i64>,
        note: &str,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO flags (exercise_id, learner_id, note, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (exercise_id, learner_id) DO UPDATE SET note = excluded.note",
                params![exercise_id, learner_id, note, now()],
            )
            .or_store(self)?;
        Ok(())
    }

    /// Open flags, newest first.
    pub fn flags(&self) -> Result<Vec<Flag>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT f.id, f.exercise_id, e.article_id, e.payload, f.note, f.created_at, e.pulled
                 FROM flags f JOIN exercises e ON e.id = f.exercise_id
                 WHERE f.resolved IS NULL ORDER BY f.id DESC",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Flag {
                    id: r.get(0)?,
                    exercise_id: r.get(1)?,
                    article_id: r.get(2)?,
                    payload: r.get(3)?,
                    note: r.get(4)?,
                    created_at: r.get(5)?,
                    pulled: r.get::<_, i64>(6)? != 0,
                })
            })
            .or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
    }

    /// Pulls an exercise: it is never shown or sent again; its flags are resolved.
    pub fn pull_exercise(&self, exercise_id: i64) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        tx.execute(
            "UPDATE exercises SET pulled = 1 WHERE id = ?1",
            [exercise_id],
        )
        .or_store(self)?;
        tx.execute(
            "UPDATE flags SET resolved = ?2 WHERE exercise_id = ?1 AND resolved IS NULL",
            params![exercise_id, now()],
        )
        .or_store(self)?;
        tx.commit().or_store(self)
    }

    /// The verified exercises that are not pulled, of a lesson or of everything made about
    /// an article: the one query behind every page that shows exercises. A row whose
    /// payload no longer parses is left out.
    pub fn servable_exercises(&self, of: Servable) -> Result<Vec<ServableExercise>, StoreError> {
        let (sql, id) = match of {
            Servable::Lesson(id) => (
                "SELECT e.id, NULL, e.payload FROM lesson_items i
                 JOIN exercises e ON e.id = i.exercise_id
                 WHERE i.lesson_id = ?1 AND e.accepted = 1 AND e.pulled = 0 ORDER BY i.position",
                id,
            ),
            Servable::Article(id) => (
                "SELECT e.id,
                        CASE WHEN s.band IS NOT NULL THEN s.band || ' set'
                             WHEN l.lesson_date IS NOT NULL THEN 'lesson of ' || l.lesson_date END,
                        e.payload
                 FROM exercises e
                 LEFT JOIN exercise_sets s ON s.id = e.set_id
                 LEFT JOIN lessons l ON l.id = e.lesson_id
                 WHERE e.article_id = ?1 AND e.accepted = 1 AND e.pulled = 0
                 ORDER BY e.set_id IS NULL, e.set_id, e.lesson_id IS NULL, e.lesson_id, e.id",
                id,
            ),
        };
        let conn = self.conn();
        let mut stmt = conn.prepare(sql).or_store(self)?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, String>(2)?))
            })
            .or_store(self)?;
        let rows: Vec<(i64, Option<String>, String)> =
            rows.collect::<Result<_, _>>().or_store(self)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, made_for, payload)| {
                let exercise = serde_json::from_str(&payload).ok()?;
                Some(ServableExercise {
                    id,
                    made_for,
                    exercise,
                })
            })
            .collect())
    }

    /// A lesson's article and every exercise tried for it (accepted and rejected, with
    /// reasons): its own rows (lessons made before exercise sets) or its set's.
    pub fn lesson_exercises(&self, lesson_id: i64) -> Result<LessonExercises, StoreError> {
        let conn = self.conn();
        let article_id: i64 = conn
            .query_row(
                "SELECT article_id FROM lessons WHERE id = ?1",
                [lesson_id],
                |r| r.get(0),
            )
            .or_store(self)?;
        let mut stmt = conn
            .prepare(
                "SELECT id, kind, origin, payload, accepted, reasons, pulled FROM exercises
                 WHERE lesson_id = ?1 OR set_id = (SELECT set_id FROM lessons WHERE id = ?1)
                    OR id IN (SELECT exercise_id FROM lesson_items WHERE lesson_id = ?1)
                 ORDER BY id",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map([lesson_id], |r| {
                let reasons: String = r.get(5)?;
                let origin: String = r.get(2)?;
                Ok(StoredExercise {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    origin: Origin::parse(&origin).ok_or_else(|| {
                        DbError::conversion(2, format!("unknown exercise origin {origin:?}"))
                    })?,
                    payload: r.get(3)?,
                    accepted: r.get::<_, i64>(4)? != 0,
                    reasons: serde_json::from_str(&reasons).unwrap_or_default(),
                    pulled: r.get::<_, i64>(6)? != 0,
                })
            })
            .or_store(self)?;
        let exercises = rows.collect::<Result<Vec<_>, _>>().or_store(self)?;
        Ok(LessonExercises {
            lesson_id,
            article_id,
            exercises,
        })
    }
}
