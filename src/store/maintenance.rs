//! Backups, restores, retention, health and gauges.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::Path;

use super::db::{Backend, Conn, Value, params};
use super::{MIGRATIONS, OrStore, Store, StoreError, StoreLocation, now};

/// What a retention pass deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Stored bodies of old mail cleared (the ledger rows stay).
    pub mail_bodies: usize,
    /// Lesson scores deleted.
    pub scores: usize,
}

/// What a checked copy of the store holds.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyInfo {
    /// The copy's schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    pub learners: i64,
    pub lessons: i64,
    pub deliveries: i64,
    pub bytes: u64,
}

/// What the store holds now, for `/metrics` and `/readyz`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreGauges {
    pub learners_active: i64,
    pub learners_paused: i64,
    /// Deliveries (the mail ledger) by state: pending, sending, sent, failed, missed.
    pub deliveries: Vec<(String, i64)>,
    /// Pending mail whose time has come (the mail job's queue).
    pub mails_due: i64,
    /// Pending mail made ahead of its time (lessons waiting for the learner's hour).
    pub mails_waiting: i64,
    /// Lessons whose time to be made has come and that are not made yet (the lesson job's
    /// queue); filled in by `pipeline::lessons_due`, which knows the learners' schedules.
    pub lessons_due: i64,
    pub articles: i64,
    /// Feeds whose last fetch failed, and those of them paused after repeated failures.
    pub feeds_failing: i64,
    pub feeds_paused: i64,
}

/// Checks a copy of the store without changing it: SQLite's integrity check, a schema this
/// program knows, and the tables it needs.
pub fn check_copy(path: &Path) -> Result<CopyInfo, StoreError> {
    let fail = |message: String| StoreError::Open {
        store: path.display().to_string(),
        message,
    };
    let bytes = std::fs::metadata(path)
        .map_err(|e| fail(e.to_string()))?
        .len();
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| fail(e.to_string()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| fail(format!("not an SQLite database HyperLearn can read ({e})")))?;
    if integrity != "ok" {
        return Err(fail(format!("damaged: {integrity}")));
    }
    let schema_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| fail(e.to_string()))?;
    if schema_version < 1 {
        return Err(fail("not a HyperLearn store (no schema version)".into()));
    }
    if schema_version as usize > MIGRATIONS.len() {
        return Err(fail(format!(
            "made by a newer HyperLearn (schema {schema_version}, this one knows {})",
            MIGRATIONS.len()
        )));
    }
    let count = |table: &str| -> Result<i64, StoreError> {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| fail(format!("table {table}: {e}")))
    };
    Ok(CopyInfo {
        schema_version,
        learners: count("learners")?,
        lessons: count("lessons")?,
        deliveries: count("deliveries")?,
        bytes,
    })
}

impl Store {
    /// Counts for monitoring, read in one go (a handful of COUNT queries on indexed columns).
    pub fn gauges(
        &self,
        pause_after_failures: u32,
        now: DateTime<Utc>,
    ) -> Result<StoreGauges, StoreError> {
        let deliveries = self.delivery_counts(None)?;
        let conn = self.conn();
        let count = |sql: &str, p: &[&dyn super::db::ToValue]| -> Result<i64, StoreError> {
            conn.query_row(sql, p, |r| r.get(0)).or_store(self)
        };
        let now = now.to_rfc3339();
        let pause = i64::from(pause_after_failures.max(1));
        Ok(StoreGauges {
            learners_active: count("SELECT COUNT(*) FROM learners WHERE active = 1", &[])?,
            learners_paused: count("SELECT COUNT(*) FROM learners WHERE active = 0", &[])?,
            deliveries,
            mails_due: count(
                "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')
                 AND COALESCE(due_at, created_at) <= ?1
                 AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)",
                &[&now],
            )?,
            mails_waiting: count(
                "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND due_at > ?1",
                &[&now],
            )?,
            lessons_due: 0,
            articles: count("SELECT COUNT(*) FROM articles", &[])?,
            feeds_failing: count(
                "SELECT COUNT(*) FROM feed_state WHERE consecutive_errors > 0",
                &[],
            )?,
            feeds_paused: if pause_after_failures == 0 {
                0
            } else {
                count(
                    "SELECT COUNT(*) FROM feed_state WHERE consecutive_errors >= ?1",
                    &[&pause],
                )?
            },
        })
    }

    /// Writes a consistent copy of the store to `dest` (a new file) while other
    /// connections and processes go on using it: SQLite's online backup in one step, in
    /// WAL mode a read that never blocks writers. The copy is checked before it is given
    /// its name.
    pub fn backup_to(&self, dest: &Path) -> Result<CopyInfo, StoreError> {
        let fail = |message: String| StoreError::Query {
            store: dest.display().to_string(),
            message,
        };
        if dest.exists() {
            return Err(fail("exists already; give the backup a new name".into()));
        }
        let tmp = dest.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        if self.backend() == Backend::Postgres {
            // PostgreSQL: one consistent moment of it, read while runs go on, into a new
            // SQLite file, which `restore` (or `store copy`) takes back.
            let copy = Store::open(&tmp)?;
            if let Err(e) = self.snapshot_to(&copy) {
                drop(copy);
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        } else {
            let conn = self.conn();
            let conn = conn
                .sqlite()
                .ok_or_else(|| self.fail("not an SQLite store"))?;
            let mut target = Connection::open(&tmp).map_err(|e| fail(e.to_string()))?;
            let backup = rusqlite::backup::Backup::new(conn, &mut target)
                .map_err(|e| fail(e.to_string()))?;
            loop {
                match backup.step(-1).map_err(|e| fail(e.to_string()))? {
                    rusqlite::backup::StepResult::Done => break,
                    // Another process holds a write lock for a moment: wait and go on.
                    _ => std::thread::sleep(std::time::Duration::from_millis(50)),
                }
            }
        }
        let info = match check_copy(&tmp) {
            Ok(info) => info,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, dest).map_err(|e| fail(e.to_string()))?;
        Ok(info)
    }

    /// Replaces the store's contents with a checked backup (SQLite's backup API, into the
    /// open database, so other connections see the restored data). Refused while a run
    /// holds a lock: stop `serve` and other runs first. Migrations then bring an older
    /// backup up to date.
    pub fn restore_from(&self, src: &Path) -> Result<CopyInfo, StoreError> {
        let info = check_copy(src)?;
        let StoreLocation::Sqlite(path) = self.location.clone() else {
            // PostgreSQL: the backup (an SQLite file) is brought up to date in a scratch
            // copy, never in place, and replaces every row in one transaction.
            let scratch = tempfile::Builder::new()
                .prefix("hyperlearn-restore")
                .tempdir()
                .map_err(|e| self.fail(format!("a scratch folder for the restore: {e}")))?;
            let copy = scratch.path().join("restore.sqlite");
            std::fs::copy(src, &copy).map_err(|e| StoreError::Query {
                store: src.display().to_string(),
                message: e.to_string(),
            })?;
            Store::open(&copy)?.replace_contents_of(self)?;
            return Ok(info);
        };
        {
            let mut conn = self.conn();
            let held = self.held_locks_in(&conn)?;
            if let Some(name) = held.first() {
                return Err(self.fail(format!(
                    "a {name} run is going (its lock is held); stop `hyperlearn serve` and other runs, then restore"
                )));
            }
            let Some(sqlite) = conn.sqlite_mut() else {
                return Err(self.fail("not an SQLite store"));
            };
            sqlite
                .restore(
                    rusqlite::MAIN_DB,
                    src,
                    None::<fn(rusqlite::backup::Progress)>,
                )
                .map_err(|e| self.fail(e.to_string()))?;
            // The locks of runs that went on while the backup was taken came with it; those
            // runs are not going now.
            conn.execute("DELETE FROM locks", []).or_store(self)?;
        }
        // Bring an older copy's schema up to date (and check a newer one is refused).
        Store::open(&path)?;
        Ok(info)
    }

    /// Deletes what `[privacy] keep_days` no longer allows: the stored bodies of mail sent,
    /// failed or missed before `cutoff` (the ledger rows stay, so nothing is sent twice) and
    /// lesson scores recorded before it.
    pub fn apply_retention(&self, cutoff: DateTime<Utc>) -> Result<Retention, StoreError> {
        let cutoff = cutoff.to_rfc3339();
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        let mails = tx
            .execute(
                "UPDATE deliveries SET message = ?2 WHERE state IN ('sent', 'failed', 'missed')
                 AND created_at < ?1 AND length(message) > 0",
                params![cutoff, Value::Blob(Vec::new())],
            )
            .or_store(self)?;
        let scores = tx
            .execute(
                "DELETE FROM lesson_scores WHERE recorded_at < ?1",
                [&cutoff],
            )
            .or_store(self)?;
        tx.commit().or_store(self)?;
        Ok(Retention {
            mail_bodies: mails,
            scores,
        })
    }

    /// The run locks held now.
    pub(super) fn held_locks(&self) -> Result<Vec<String>, StoreError> {
        self.held_locks_in(&self.conn())
    }

    fn held_locks_in(&self, conn: &Conn) -> Result<Vec<String>, StoreError> {
        conn.prepare("SELECT name FROM locks WHERE expires_at > ?1 ORDER BY name")
            .or_store(self)?
            .query_map([now()], |r| r.get(0))
            .or_store(self)?
            .collect::<Result<_, _>>()
            .or_store(self)
    }

    /// Whether the database answers (for `/readyz`).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn()
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .map(|_| ())
            .or_store(self)
    }
}
