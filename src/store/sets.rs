//! Exercise sets made once: an article's verified exercises for one CEFR band, made for the
//! first learner at that band who gets the article and reused for every other, so that
//! the model writes and judges an article's questions once per band, not once per learner.

use crate::articles::Cefr;
use crate::exercise::{Exercise, Origin};

use super::db::{OptionalExtension, params};
use super::{ExerciseRecord, OrStore, Store, StoreError, now};

/// What an exercise set is made for: one article, at one CEFR band, in the article's
/// language. At most one set is stored per key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetKey {
    pub article_id: i64,
    pub band: Cefr,
    pub lang: String,
}

/// A stored exercise set: its servable exercises (verified, not pulled), in the order
/// they were made.
#[derive(Debug, Clone)]
pub struct ExerciseSet {
    pub id: i64,
    pub exercises: Vec<SetExercise>,
}

/// A verified exercise of a set, with what its verification recorded.
#[derive(Debug, Clone)]
pub struct SetExercise {
    pub id: i64,
    pub origin: Origin,
    pub exercise: Exercise,
    /// Whether the model's round trip agreed with its key when the set was made.
    pub round_trip_passed: bool,
}

/// Where the exercises tried for an article were kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptExercises {
    /// The set they make, or `None` when none was asked for or another process stored the
    /// set for the same key first (then they are kept beside it, as tried).
    pub set_id: Option<i64>,
    /// The ids of the accepted rows, in the order of the records.
    pub accepted: Vec<i64>,
}

/// The exercise rows a lesson shows, in order. The store links only accepted rows about
/// the lesson's article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonItems {
    pub set_id: Option<i64>,
    pub exercise_ids: Vec<i64>,
}

impl Store {
    /// The exercise set stored for `key`, with its exercises that are verified and not
    /// pulled. A row whose payload no longer parses is left out.
    pub fn exercise_set(&self, key: &SetKey) -> Result<Option<ExerciseSet>, StoreError> {
        let Some(id) = self.exercise_set_id(key)? else {
            return Ok(None);
        };
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, origin, payload, reasons FROM exercises
                 WHERE set_id = ?1 AND accepted = 1 AND pulled = 0 ORDER BY id",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .or_store(self)?
            .collect::<Result<Vec<_>, _>>()
            .or_store(self)?;
        let exercises = rows
            .into_iter()
            .filter_map(|(id, origin, payload, reasons)| {
                let reasons: Vec<String> = serde_json::from_str(&reasons).unwrap_or_default();
                Some(SetExercise {
                    id,
                    origin: Origin::parse(&origin)?,
                    exercise: serde_json::from_str(&payload).ok()?,
                    round_trip_passed: reasons.iter().any(|r| r == "passed:round_trip"),
                })
            })
            .collect();
        Ok(Some(ExerciseSet { id, exercises }))
    }

    /// The id of the exercise set stored for `key`, without reading its exercises.
    pub fn exercise_set_id(&self, key: &SetKey) -> Result<Option<i64>, StoreError> {
        self.conn()
            .query_row(
                "SELECT id FROM exercise_sets WHERE article_id = ?1 AND band = ?2 AND lang = ?3",
                params![key.article_id, key.band.as_str(), key.lang],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .or_store(self)
    }

    /// Keeps every exercise tried for an article (accepted or not, with reasons), as the
    /// exercise set of `set` when one is given and none is stored for it yet, in one
    /// transaction.
    pub fn keep_exercises(
        &self,
        article_id: i64,
        set: Option<&SetKey>,
        exercises: &[ExerciseRecord],
    ) -> Result<KeptExercises, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        let t = now();
        let set_id = match set {
            Some(key) => tx
                .insert(
                    "INSERT INTO exercise_sets (article_id, band, lang, created_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    params![key.article_id, key.band.as_str(), key.lang, t],
                )
                .optional()
                .or_store(self)?,
            None => None,
        };
        let accepted = self.insert_exercises(&tx, None, set_id, article_id, exercises, &t)?;
        tx.commit().or_store(self)?;
        Ok(KeptExercises { set_id, accepted })
    }

    /// Exercise rows that belong to no set and no lesson's own rows: those of lessons an
    /// admin or test made by hand (`keep_lesson`), and sets made a second time at the same
    /// moment by another process, kept beside the first as tried (the waste the workers'
    /// set claims prevent).
    pub fn exercises_outside_sets(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row(
                "SELECT COUNT(*) FROM exercises WHERE set_id IS NULL AND lesson_id IS NULL",
                [],
                |r| r.get(0),
            )
            .or_store(self)
    }
}
