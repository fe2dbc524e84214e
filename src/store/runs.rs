//! Runs and their reports, and the named locks that keep runs of a kind from overlapping.

use chrono::{DateTime, Utc};

use super::db::{OptionalExtension, params};
use super::{OrStore, Store, StoreError, now};

/// A run as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub kind: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub report: Option<String>,
}

/// Who holds a named lock.
#[derive(Debug, Clone, PartialEq)]
pub struct LockHolder {
    pub owner: String,
    pub acquired_at: String,
    pub expires_at: String,
}

impl Store {
    /// The latest runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, kind, started_at, finished_at, report FROM runs ORDER BY id DESC LIMIT ?1")
            .or_store(self)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(RunRecord {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    started_at: r.get(2)?,
                    finished_at: r.get(3)?,
                    report: r.get(4)?,
                })
            })
            .or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
    }

    /// Takes the named lock for `owner` until `now + ttl`, unless someone else holds it:
    /// a holder `holder_alive` knows to be running is respected, one it knows to be gone is
    /// taken over, and one it cannot tell about (`None`) is respected until its lock expires.
    /// Returns the current holder when the lock is taken.
    pub fn try_lock(
        &self,
        name: &str,
        owner: &str,
        ttl: std::time::Duration,
        now: DateTime<Utc>,
        holder_alive: impl Fn(&str) -> Option<bool>,
    ) -> Result<Result<(), LockHolder>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_immediate().or_store(self)?;
        let holder: Option<LockHolder> = tx
            .query_row(
                "SELECT owner, acquired_at, expires_at FROM locks WHERE name = ?1",
                [name],
                |r| {
                    Ok(LockHolder {
                        owner: r.get(0)?,
                        acquired_at: r.get(1)?,
                        expires_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .or_store(self)?;
        if let Some(h) = holder {
            let expired = DateTime::parse_from_rfc3339(&h.expires_at)
                .map(|t| t.with_timezone(&Utc) <= now)
                .unwrap_or(true);
            let respected = match holder_alive(&h.owner) {
                Some(alive) => alive,
                None => !expired,
            };
            if h.owner != owner && respected {
                return Ok(Err(h));
            }
        }
        let expires = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        tx.execute(
            "INSERT INTO locks (name, owner, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET owner = ?2, acquired_at = ?3, expires_at = ?4",
            params![name, owner, now.to_rfc3339(), expires.to_rfc3339()],
        )
        .or_store(self)?;
        tx.commit().or_store(self)?;
        Ok(Ok(()))
    }

    /// Extends a held lock; false when `owner` no longer holds it.
    pub fn renew_lock(
        &self,
        name: &str,
        owner: &str,
        ttl: std::time::Duration,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let expires = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let n = self
            .conn()
            .execute(
                "UPDATE locks SET expires_at = ?3 WHERE name = ?1 AND owner = ?2",
                params![name, owner, expires.to_rfc3339()],
            )
            .or_store(self)?;
        Ok(n == 1)
    }

    /// Gives a lock back (only if `owner` holds it).
    pub fn unlock(&self, name: &str, owner: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "DELETE FROM locks WHERE name = ?1 AND owner = ?2",
                params![name, owner],
            )
            .or_store(self)?;
        Ok(())
    }

    /// Starts a run record.
    pub fn start_run(&self, kind: &str) -> Result<i64, StoreError> {
        self.conn()
            .insert(
                "INSERT INTO runs (kind, started_at) VALUES (?1, ?2)",
                params![kind, now()],
            )
            .or_store(self)
    }

    /// Forgets a run that did nothing.
    pub fn discard_run(&self, run_id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM runs WHERE id = ?1", [run_id])
            .or_store(self)?;
        Ok(())
    }

    /// Finishes a run record with its report (JSON).
    pub fn finish_run(&self, run_id: i64, report_json: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE runs SET finished_at = ?2, report = ?3 WHERE id = ?1",
                params![run_id, now(), report_json],
            )
            .or_store(self)?;
        Ok(())
    }
}
