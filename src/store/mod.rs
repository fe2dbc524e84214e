//! The SQLite store: learners, feed state, articles, lessons, exercises with their
//! verification verdicts, deliveries and run reports. The only module that imports rusqlite.
//!
//! The schema is versioned with `PRAGMA user_version`; migrations run on open, in order, each
//! in its own transaction.

mod articles;
mod calibrations;
mod deliveries;
mod feeds;
mod learners;
mod lessons;
mod maintenance;
mod runs;
mod schema;
mod sets;
#[cfg(test)]
mod tests;
mod users;

use chrono::Utc;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use articles::{Inserted, StoredArticle};
pub use calibrations::Calibration;
pub use deliveries::{Delivery, DeliveryOutcome, DeliveryState, OpenDelivery};
pub use feeds::FeedState;
pub use learners::{Learner, LevelChange, NewLearner, RecentLesson};
pub use lessons::{
    ExerciseRecord, Flag, LessonExercises, LessonInfo, Servable, ServableExercise, StoredExercise,
};
pub use maintenance::{CopyInfo, Retention, StoreGauges, check_copy};
pub use runs::{LockHolder, RunRecord};
use schema::MIGRATIONS;
pub use sets::{ExerciseSet, KeptExercises, LessonItems, SetExercise, SetKey};
pub use users::User;

/// Errors of the store; each names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("store {path}: cannot open: {message}")]
    Open { path: PathBuf, message: String },
    /// A query failed.
    #[error("store {path}: {message}")]
    Query { path: PathBuf, message: String },
    /// A learner that does not exist.
    #[error("no learner `{0}` (use `hyperlearn learners list`)")]
    NoSuchLearner(String),
    /// Adding a learner who asked to be forgotten.
    #[error(
        "{0} was forgotten at its owner's request and is never added again unless they ask to come back (`hyperlearn learners add --again`)"
    )]
    Forgotten(String),
    /// Adding a learner whose address is taken.
    #[error("a learner with address {0} already exists")]
    DuplicateLearner(String),
}

/// A rusqlite result as the store's: a failed query becomes [`StoreError::Query`], naming
/// the database file. Every query of the store ends in `.or_store(self)`.
trait OrStore<T> {
    fn or_store(self, store: &Store) -> Result<T, StoreError>;
}

impl<T> OrStore<T> for rusqlite::Result<T> {
    fn or_store(self, store: &Store) -> Result<T, StoreError> {
        self.map_err(|e| store.q(e))
    }
}

/// The SQLite store.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn now() -> String {
    Utc::now().to_rfc3339()
}

impl Store {
    /// Opens (creating when missing) and migrates the database file.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |message: String| StoreError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_err(e.to_string()))?;
        }
        // Opening (journal mode, migrations) can meet another process doing the same on a
        // new file; SQLite then answers "locked" without waiting, so try again for a while.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let conn = loop {
            match Self::open_and_migrate(path) {
                Ok(conn) => break conn,
                Err(e)
                    if matches!(
                        e.sqlite_error_code(),
                        Some(
                            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                        )
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(open_err(e.to_string())),
            }
        };
        Ok(Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    fn open_and_migrate(path: &Path) -> rusqlite::Result<Connection> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(
            // secure_delete: deleted rows (a forgotten learner's) are overwritten, not left
            // readable in free pages.
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;
             PRAGMA secure_delete = ON;",
        )?;
        // Migrate under a write lock, reading the version inside it, so that two processes
        // opening a new database at once do not both run the same migration.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version as usize > MIGRATIONS.len() {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "schema version {version} is newer than this program knows ({}); upgrade HyperLearn",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(conn)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn q(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Query {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }
}
