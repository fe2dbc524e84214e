//! Copying a whole store into another, empty one: an SQLite installation moved to
//! PostgreSQL (`hyperlearn store copy --to postgres://…`), or back.

use super::db::{Backend, Conn, DbError, DbResult, Value};
use super::{OrStore, Store, StoreError};

/// Every table of the store, in an order that satisfies their foreign keys, with the
/// columns that order its rows. `locks` is left out: a run's lock means nothing in
/// another database. A test checks that every table of the schema is here.
pub(super) const TABLES: &[(&str, &str)] = &[
    ("settings", "name"),
    ("learners", "id"),
    ("feed_state", "url"),
    ("articles", "id"),
    ("entries", "entry_key"),
    ("exercise_sets", "id"),
    ("lessons", "id"),
    ("exercises", "id"),
    ("lesson_items", "lesson_id, position"),
    ("deliveries", "id"),
    ("runs", "id"),
    ("lesson_scores", "id"),
    ("level_history", "id"),
    ("users", "id"),
    ("sessions", "token_hash"),
    ("flags", "id"),
    ("forgotten", "address_hash"),
    ("calibrations", "model_sha256, kind, lang"),
];

/// What a copy is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyKind {
    /// `store copy`: into an empty store, while no run goes on in this one.
    Move,
    /// `backup`: into a new store, while runs go on (one consistent moment is read).
    Snapshot,
    /// `restore`: over the target's rows, while no run goes on in the target.
    Replace,
}

/// Tables not copied: the engine's bookkeeping and run locks.
pub(super) const NOT_COPIED: &[&str] = &["locks", "schema_version"];

/// Rows read and written at a time (a few in the unit tests, so that they go through
/// several batches).
const BATCH: usize = if cfg!(test) { 2 } else { 2_000 };

impl Store {
    /// Copies everything this store holds into `target`, which must be empty (a new
    /// database, migrated), in one transaction there: learners, lessons, the mail ledger
    /// with every delivery state, flags, forgotten addresses (with the salt that hashes
    /// them), accounts and sessions, calibrations. Reads one consistent moment of this
    /// store; refused while a run holds a lock here (stop `serve` and workers first).
    /// Calls `progress` with each table and its row count as it goes; returns them all.
    pub fn copy_to(
        &self,
        target: &Store,
        progress: impl FnMut(&str, usize),
    ) -> Result<Vec<(String, usize)>, StoreError> {
        self.copy_rows(target, progress, CopyKind::Move)
    }

    /// Copies everything this store holds, at one moment, into `target`, a new store made
    /// for it, while runs go on here (`backup` of a PostgreSQL store into an SQLite file).
    pub(super) fn snapshot_to(&self, target: &Store) -> Result<(), StoreError> {
        self.copy_rows(target, |_, _| {}, CopyKind::Snapshot)
            .map(drop)
    }

    /// Replaces everything `target` holds with what this store holds, in one transaction
    /// there (`restore` of a PostgreSQL store from a backup file); refused while a run holds
    /// a lock in `target`.
    pub(super) fn replace_contents_of(&self, target: &Store) -> Result<(), StoreError> {
        self.copy_rows(target, |_, _| {}, CopyKind::Replace)
            .map(drop)
    }

    fn copy_rows(
        &self,
        target: &Store,
        mut progress: impl FnMut(&str, usize),
        how: CopyKind,
    ) -> Result<Vec<(String, usize)>, StoreError> {
        if self.location == target.location {
            return Err(self.fail("the store cannot be copied onto itself"));
        }
        let unknown: Vec<String> = self
            .conn()
            .tables()
            .or_store(self)?
            .into_iter()
            .filter(|t| {
                !TABLES.iter().any(|(name, _)| name == t) && !NOT_COPIED.contains(&t.as_str())
            })
            .collect();
        if !unknown.is_empty() {
            return Err(self.fail(format!(
                "holds tables this program cannot copy ({}): use the HyperLearn that made them",
                unknown.join(", ")
            )));
        }
        // Moving or replacing a store while runs write to it would lose what they write.
        let busy = match how {
            CopyKind::Move => Some(self),
            CopyKind::Snapshot => None,
            CopyKind::Replace => Some(target),
        };
        if let Some(store) = busy {
            let held = store.held_locks()?;
            if !held.is_empty() {
                return Err(store.fail(format!(
                    "runs are going ({}): stop `hyperlearn serve` and workers first",
                    held.join(", ")
                )));
            }
        }
        let (source_version, target_version) = (self.schema_version()?, target.schema_version()?);
        if source_version != target_version {
            return Err(target.fail(format!(
                "schema {target_version}, but the store copied is at {source_version}"
            )));
        }
        let mut source = self.conn();
        let mut dest = target.conn();
        let read = source.snapshot().or_store(self)?;
        let write = dest.transaction_immediate().or_store(target)?;
        if how == CopyKind::Replace {
            // Children before the rows they point at.
            for &(table, _) in TABLES.iter().rev() {
                write
                    .execute(&format!("DELETE FROM {table}"), [])
                    .or_store(target)?;
            }
        }
        for &(table, _) in TABLES {
            if table == "settings" {
                continue;
            }
            let rows: i64 = write
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .or_store(target)?;
            if rows > 0 {
                return Err(target.fail(format!(
                    "already holds data ({rows} rows in {table}); copy into a new, empty database"
                )));
            }
        }
        // The target's migration made its own settings (the address salt); the copy's
        // forgotten addresses need the source's.
        write.execute("DELETE FROM settings", []).or_store(target)?;
        let mut counts = Vec::new();
        for &(table, order) in TABLES {
            let copied = copy_table(&read, &write, table, order)
                .map_err(|e| target.fail(format!("copying {table}: {e}")))?;
            progress(table, copied);
            counts.push((table.to_string(), copied));
        }
        if write.backend() == Backend::Postgres {
            // Rows came with their ids: new rows must be numbered after them.
            for &(table, order) in TABLES {
                if order == "id" {
                    write
                        .execute_batch(&format!(
                            "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                           COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                        ))
                        .or_store(target)?;
                }
            }
        }
        write.commit().or_store(target)?;
        drop(read);
        Ok(counts)
    }
}

/// Copies one table's rows, in batches that go on from the last row's key (no OFFSET, which
/// would read the skipped rows again for every batch); returns how many.
fn copy_table(read: &Conn, write: &Conn, table: &str, order: &str) -> DbResult<usize> {
    let names = read.columns(table)?;
    let columns = names.join(", ");
    let key: Vec<usize> = order
        .split(',')
        .map(|k| {
            names
                .iter()
                .position(|n| n == k.trim())
                .ok_or_else(|| DbError::other(format!("{table} has no column {k}")))
        })
        .collect::<DbResult<_>>()?;
    let first = format!("SELECT {columns} FROM {table} ORDER BY {order} LIMIT {BATCH}");
    let after: Vec<String> = (1..=key.len()).map(|i| format!("?{i}")).collect();
    let next = format!(
        "SELECT {columns} FROM {table} WHERE ({order}) > ({}) ORDER BY {order} LIMIT {BATCH}",
        after.join(", ")
    );
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({columns}) VALUES ({})",
        placeholders.join(", ")
    );
    let mut copied = 0;
    let mut last: Option<Vec<Value>> = None;
    loop {
        let (sql, params) = match &last {
            None => (&first, Vec::new()),
            Some(key) => (&next, key.clone()),
        };
        let rows: Vec<Vec<Value>> = read
            .prepare(sql)?
            .query_map(params, |r| Ok(r.clone().into_values()))?
            .collect::<DbResult<_>>()?;
        let full = rows.len() == BATCH;
        last = rows
            .last()
            .map(|row| key.iter().map(|&i| row[i].clone()).collect());
        copied += rows.len();
        for row in rows {
            write.execute(&insert, row)?;
        }
        if !full {
            return Ok(copied);
        }
    }
}
