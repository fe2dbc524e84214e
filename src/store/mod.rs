//! The store: learners, feed state, articles, lessons, exercises with their verification
//! verdicts, deliveries and run reports, in an SQLite file (the default) or a PostgreSQL
//! database (`[store] url`). The only module that imports rusqlite or postgres; `db` owns
//! both drivers and the one SQL dialect the store writes.
//!
//! The schema is versioned (SQLite: `PRAGMA user_version`; PostgreSQL: the table
//! `schema_version`); migrations run on open, in order, in one transaction that holds the
//! store's write lock, so two processes starting at once do not both migrate.

mod articles;
mod calibrations;
mod copy;
pub(crate) mod db;
mod deliveries;
mod feeds;
mod learners;
mod lessons;
mod maintenance;
mod runs;
mod schema;
mod sets;
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;
mod tls;
mod users;

use crate::config::Secret;
use chrono::Utc;
use db::{Conn, DbError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use db::Backend;

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

/// Errors of the store; each names the database (an SQLite file, or a PostgreSQL URL
/// without its password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("store {store}: cannot open: {message}")]
    Open { store: String, message: String },
    /// A query failed.
    #[error("store {store}: {message}")]
    Query { store: String, message: String },
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

/// A query's result as the store's: a failed query becomes [`StoreError::Query`], naming
/// the database. Every query of the store ends in `.or_store(self)`.
trait OrStore<T> {
    fn or_store(self, store: &Store) -> Result<T, StoreError>;
}

impl<T> OrStore<T> for Result<T, DbError> {
    fn or_store(self, store: &Store) -> Result<T, StoreError> {
        self.map_err(|e| store.q(e))
    }
}

/// Where the store lives: an SQLite file (the default, nothing to set up) or a PostgreSQL
/// database shared by several processes and machines.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    Sqlite(PathBuf),
    /// A `postgres://` URL, and the password when it is not in the URL (`config` reads it
    /// from `HYPERLEARN_STORE_PASSWORD`).
    Postgres {
        url: String,
        password: Option<Secret>,
    },
}

impl StoreLocation {
    /// Reads `sqlite:PATH` (relative paths against `base`) or `postgres://…`
    /// (`postgresql://…`), with the password to use when the URL has none.
    pub fn parse(
        url: &str,
        base: &Path,
        password: Option<Secret>,
    ) -> Result<StoreLocation, String> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err("`sqlite:` needs a file, as in `sqlite:var/hyperlearn.db`".into());
            }
            return Ok(StoreLocation::Sqlite(base.join(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let not_usable = |e: String| {
                format!(
                    "`{}` is not a PostgreSQL URL HyperLearn can use: {e}",
                    redact(url)
                )
            };
            let (plain, tls) = tls::split(url).map_err(not_usable)?;
            plain
                .parse::<postgres::Config>()
                .map_err(|e| not_usable(e.to_string()))?;
            tls::check(&tls).map_err(not_usable)?;
            return Ok(StoreLocation::Postgres {
                url: url.to_string(),
                password,
            });
        }
        Err(format!(
            "`{}` is neither `sqlite:PATH` nor `postgres://USER@HOST/DATABASE`",
            redact(url)
        ))
    }

    /// The store as messages name it: the file, or the URL without its password.
    pub fn name(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres { url, .. } => redact(url),
        }
    }

    /// Which engine it is.
    pub fn backend(&self) -> Backend {
        match self {
            StoreLocation::Sqlite(_) => Backend::Sqlite,
            StoreLocation::Postgres { .. } => Backend::Postgres,
        }
    }
}

/// As `Display`: a URL's password is never printed.
impl std::fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            StoreLocation::Postgres { url, .. } => {
                f.debug_tuple("Postgres").field(&redact(url)).finish()
            }
        }
    }
}

impl std::fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// A URL without its password.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(a database URL)".into(),
    }
}

/// The store.
pub struct Store {
    location: StoreLocation,
    conn: Mutex<Conn>,
}

fn now() -> String {
    Utc::now().to_rfc3339()
}

impl Store {
    /// Opens (creating when missing) and migrates an SQLite database file.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::connect(&StoreLocation::Sqlite(path.to_path_buf()))
    }

    /// Opens the store at `location` and brings its schema up to date: an SQLite file is
    /// created when missing; a PostgreSQL database must exist (its tables are made here).
    pub fn connect(location: &StoreLocation) -> Result<Store, StoreError> {
        let open_err = |message: String| StoreError::Open {
            store: location.name(),
            message,
        };
        let conn = match location {
            StoreLocation::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| open_err(e.to_string()))?;
                }
                // Opening (journal mode, migrations) can meet another process doing the same
                // on a new file; SQLite then answers "locked" without waiting, so try again
                // for a while.
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
                loop {
                    match Self::open_sqlite(path) {
                        Ok(conn) => break conn,
                        Err(e)
                            if e.kind == db::ErrorKind::Busy
                                && std::time::Instant::now() < deadline =>
                        {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                        }
                        Err(e) => return Err(open_err(e.to_string())),
                    }
                }
            }
            StoreLocation::Postgres { url, password } => {
                Self::open_postgres(url, password.as_ref()).map_err(|e| open_err(e.to_string()))?
            }
        };
        Ok(Store {
            location: location.clone(),
            conn: Mutex::new(conn),
        })
    }

    fn open_sqlite(path: &Path) -> Result<Conn, DbError> {
        let conn = rusqlite::Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(128);
        conn.execute_batch(
            // secure_delete: deleted rows (a forgotten learner's) are overwritten, not left
            // readable in free pages.
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;
             PRAGMA secure_delete = ON;",
        )?;
        let mut conn = Conn::Sqlite(conn);
        schema::migrate(&mut conn)?;
        Ok(conn)
    }

    fn open_postgres(url: &str, password: Option<&Secret>) -> Result<Conn, DbError> {
        let mut conn = Self::connect_postgres(url, password)?;
        schema::migrate(&mut conn)?;
        Ok(conn)
    }

    fn connect_postgres(url: &str, password: Option<&Secret>) -> Result<Conn, DbError> {
        let (url, tls) = tls::split(url).map_err(DbError::other)?;
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| DbError::other(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_password().is_none()
            && let Some(password) = password
        {
            config.password(password.expose());
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.application_name("hyperlearn");
        let client = match tls {
            tls::PgTls::Off => db::off_runtime(|| config.connect(postgres::NoTls))?,
            tls::PgTls::Verified { root_cert } => {
                let connector = tls::connector(root_cert.as_deref()).map_err(DbError::other)?;
                db::off_runtime(|| config.connect(connector))?
            }
        };
        Ok(Conn::postgres(client))
    }

    /// The schema version of the store at `location`, read without migrating it (0: a
    /// new database, or no SQLite file yet).
    pub fn schema_version_at(location: &StoreLocation) -> Result<usize, StoreError> {
        let open_err = |e: DbError| StoreError::Open {
            store: location.name(),
            message: e.to_string(),
        };
        let conn = match location {
            StoreLocation::Sqlite(path) if !path.exists() => return Ok(0),
            StoreLocation::Sqlite(path) => Conn::Sqlite(
                rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )
                .map_err(|e| open_err(e.into()))?,
            ),
            StoreLocation::Postgres { url, password } => {
                Self::connect_postgres(url, password.as_ref()).map_err(open_err)?
            }
        };
        schema::version(&conn).map_err(open_err)
    }

    /// Makes a new, empty PostgreSQL database named `name` on the server of `beside` (a
    /// PostgreSQL store), for a benchmark that must not touch real data; needs the CREATEDB
    /// right. [`Store::drop_database`] removes it.
    pub fn create_database(
        beside: &StoreLocation,
        name: &str,
    ) -> Result<StoreLocation, StoreError> {
        Self::database_ddl(beside, &format!("CREATE DATABASE {name}"), name)?;
        let StoreLocation::Postgres { url, password } = beside else {
            unreachable!("database_ddl accepts PostgreSQL stores only")
        };
        let mut new = url::Url::parse(url).map_err(|e| StoreError::Open {
            store: beside.name(),
            message: e.to_string(),
        })?;
        new.set_path(&format!("/{name}"));
        Ok(StoreLocation::Postgres {
            url: new.to_string(),
            password: password.clone(),
        })
    }

    /// Removes a database [`Store::create_database`] made.
    pub fn drop_database(beside: &StoreLocation, name: &str) -> Result<(), StoreError> {
        Self::database_ddl(beside, &format!("DROP DATABASE IF EXISTS {name}"), name)
    }

    fn database_ddl(beside: &StoreLocation, sql: &str, name: &str) -> Result<(), StoreError> {
        let fail = |message: String| StoreError::Open {
            store: beside.name(),
            message,
        };
        let StoreLocation::Postgres { url, password } = beside else {
            return Err(fail("databases are made on a PostgreSQL server".into()));
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(fail(format!(
                "`{name}` is not a database name for a scratch database"
            )));
        }
        let conn =
            Self::connect_postgres(url, password.as_ref()).map_err(|e| fail(e.to_string()))?;
        conn.execute_batch(sql).map_err(|e| fail(e.to_string()))
    }

    /// The number of migrations this program knows: the schema version it brings a store to.
    pub fn latest_schema_version() -> usize {
        MIGRATIONS.len()
    }

    /// How many rows each table holds, in copy order (for checking a copy).
    pub fn table_counts(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let conn = self.conn();
        copy::TABLES
            .iter()
            .map(|&(table, _)| {
                let n: i64 = conn
                    .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                    .or_store(self)?;
                Ok((table.to_string(), n as usize))
            })
            .collect()
    }

    /// Where the store is.
    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// Which engine holds the store.
    pub fn backend(&self) -> Backend {
        self.location.backend()
    }

    /// The link-signing key kept in the store for every machine that shares it: `candidate`
    /// when the store has none yet (the first to ask seeds it), else the one it has.
    pub fn shared_token_key(&self, candidate: &str) -> Result<String, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO settings (name, value) VALUES ('token_key', ?1)
             ON CONFLICT (name) DO NOTHING",
            [candidate],
        )
        .or_store(self)?;
        conn.query_row(
            "SELECT value FROM settings WHERE name = 'token_key'",
            [],
            |r| r.get(0),
        )
        .or_store(self)
    }

    /// Replaces the link-signing key kept in the store.
    pub fn replace_token_key(&self, key: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO settings (name, value) VALUES ('token_key', ?1)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [key],
            )
            .or_store(self)?;
        Ok(())
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        schema::version(&self.conn()).or_store(self)
    }

    fn conn(&self) -> MutexGuard<'_, Conn> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn q(&self, e: DbError) -> StoreError {
        StoreError::Query {
            store: self.location.name(),
            message: e.to_string(),
        }
    }

    /// A failure of the store's own making, naming the store.
    fn fail(&self, message: impl Into<String>) -> StoreError {
        StoreError::Query {
            store: self.location.name(),
            message: message.into(),
        }
    }
}
