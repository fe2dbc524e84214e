//! The SQLite store: learners, feed state, articles, lessons, exercises with their
//! verification verdicts, deliveries and run reports. The only module that imports rusqlite.
//!
//! The schema is versioned with `PRAGMA user_version`; migrations run on open, in order, each
//! in its own transaction.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::articles::{Article, Cefr, Level};
use crate::delivery::ComposedMail;
use crate::exercise::{Exercise, Origin};
use crate::verification::{Rejection, VerifiedExercise};

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

/// Migrations, in order; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE learners (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    lang          TEXT NOT NULL,
    level         REAL NOT NULL,
    interests     TEXT NOT NULL DEFAULT '[]',
    delivery_time TEXT NOT NULL DEFAULT '07:00',
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);
CREATE TABLE feed_state (
    url                TEXT PRIMARY KEY,
    etag               TEXT,
    last_modified      TEXT,
    last_fetch_at      TEXT,
    last_ok_at         TEXT,
    last_error         TEXT,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    items_seen         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entries (
    entry_key   TEXT PRIMARY KEY,
    feed_url    TEXT NOT NULL,
    article_id  INTEGER REFERENCES articles(id),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    first_seen  TEXT NOT NULL
);
CREATE TABLE articles (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    byline      TEXT,
    published   TEXT,
    lang        TEXT NOT NULL,
    body        TEXT NOT NULL,
    level       REAL NOT NULL,
    cefr        TEXT NOT NULL,
    topics      TEXT NOT NULL DEFAULT '[]',
    image       TEXT,
    source      TEXT NOT NULL,
    text_source TEXT NOT NULL,
    fetched_at  TEXT NOT NULL
);
CREATE INDEX articles_lang ON articles(lang, fetched_at);
CREATE TABLE lessons (
    id          INTEGER PRIMARY KEY,
    learner_id  INTEGER NOT NULL REFERENCES learners(id),
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    lesson_date TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (learner_id, lesson_date)
);
CREATE TABLE exercises (
    id          INTEGER PRIMARY KEY,
    lesson_id   INTEGER REFERENCES lessons(id),
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    kind        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    accepted    INTEGER NOT NULL,
    reasons     TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL
);
CREATE INDEX exercises_article ON exercises(article_id, accepted);
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    lesson_id   INTEGER NOT NULL UNIQUE REFERENCES lessons(id),
    learner_id  INTEGER NOT NULL REFERENCES learners(id),
    lesson_date TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    transport   TEXT,
    message     BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (learner_id, lesson_date)
);
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    report      TEXT
);
"#,
    r#"
CREATE TABLE lesson_scores (
    id          INTEGER PRIMARY KEY,
    lesson_id   INTEGER NOT NULL REFERENCES lessons(id),
    learner_id  INTEGER NOT NULL REFERENCES learners(id),
    score       REAL NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE level_history (
    id          INTEGER PRIMARY KEY,
    learner_id  INTEGER NOT NULL REFERENCES learners(id),
    level       REAL NOT NULL,
    reason      TEXT NOT NULL,
    lesson_id   INTEGER REFERENCES lessons(id),
    at          TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE deliveries ADD COLUMN due_at TEXT;
ALTER TABLE deliveries ADD COLUMN next_attempt_at TEXT;
CREATE INDEX deliveries_open ON deliveries(state) WHERE state IN ('pending', 'sending');
ALTER TABLE learners ADD COLUMN paused_reason TEXT;
ALTER TABLE learners ADD COLUMN mail_failures INTEGER NOT NULL DEFAULT 0;
CREATE TABLE locks (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE feed_state ADD COLUMN next_fetch_at TEXT;
"#,
    r#"
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises(id),
    learner_id  INTEGER REFERENCES learners(id),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    resolved    TEXT
);
ALTER TABLE exercises ADD COLUMN pulled INTEGER NOT NULL DEFAULT 0;
"#,
    // One flag per learner and exercise (a learner's repeated flags only update the note).
    r#"
DELETE FROM flags WHERE learner_id IS NOT NULL AND id NOT IN (
    SELECT MAX(id) FROM flags WHERE learner_id IS NOT NULL GROUP BY exercise_id, learner_id
);
CREATE UNIQUE INDEX flags_once ON flags(exercise_id, learner_id);
"#,
    // Learners forgotten at their request: a salted hash of the address, so they are never
    // mailed (or imported) again and the address itself is gone.
    r#"
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (name, value) VALUES ('address_salt', lower(hex(randomblob(32))));
CREATE TABLE forgotten (
    address_hash TEXT PRIMARY KEY,
    forgotten_at TEXT NOT NULL
);
"#,
    // The lesson's glossary (JSON), so the lesson page shows what the mail showed.
    r#"
ALTER TABLE lessons ADD COLUMN glossary TEXT NOT NULL DEFAULT '[]';
"#,
    // Calibration verdicts: whether a model file (by sha256) judges a model-judged kind of
    // exercise reliably in a language, measured on a set (by sha256).
    r#"
CREATE TABLE calibrations (
    model_sha256   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    lang           TEXT NOT NULL,
    set_sha256     TEXT NOT NULL,
    model_file     TEXT NOT NULL,
    items          INTEGER NOT NULL,
    right_accepted INTEGER NOT NULL,
    wrong_tried    INTEGER NOT NULL,
    wrong_accepted INTEGER NOT NULL,
    passed         INTEGER NOT NULL,
    why            TEXT NOT NULL,
    measured_at    TEXT NOT NULL,
    PRIMARY KEY (model_sha256, kind, lang)
);
"#,
];

/// A user of the web UI.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
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
        path: path.to_path_buf(),
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

/// A `User` from the columns `id, username, role, password_hash` of a row.
fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: r.get(2)?,
        password_hash: r.get(3)?,
    })
}

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

/// A run as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub kind: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub report: Option<String>,
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

/// Per-feed fetch state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedState {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<String>,
    pub last_ok_at: Option<String>,
    pub last_error: Option<String>,
    pub consecutive_errors: i64,
    pub items_seen: i64,
    /// Not fetched before this time (ttl, Cache-Control, Retry-After or error back-off).
    pub next_fetch_at: Option<DateTime<Utc>>,
}

impl FeedState {
    /// Whether the feed is paused: `pause_after` failures in a row (0: never paused).
    pub fn paused(&self, pause_after: u32) -> bool {
        pause_after > 0 && self.consecutive_errors >= i64::from(pause_after)
    }
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
    /// The date of the lesson it was made for.
    pub lesson_date: Option<String>,
    pub exercise: Exercise,
}

/// Whose servable exercises to read.
#[derive(Debug, Clone, Copy)]
pub enum Servable {
    /// One lesson's, in lesson order.
    Lesson(i64),
    /// Every one about an article (a teacher's reusable sets), by lesson; those of a lesson
    /// that was never made (too few passed) have no date.
    Article(i64),
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

/// Delivery states (the ledger): pending -> sending -> sent | failed, or pending -> missed.
/// `sending` is committed before the SMTP transaction starts, so a crash leaves it there;
/// such a delivery is sent again with the same bytes (and Message-ID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Sending,
    Sent,
    Failed,
    /// Not sent because it would have been later than the cut-off (downtime).
    Missed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Missed => "missed",
        }
    }

    fn parse(s: &str) -> DeliveryState {
        match s {
            "sending" => DeliveryState::Sending,
            "sent" => DeliveryState::Sent,
            "failed" => DeliveryState::Failed,
            "missed" => DeliveryState::Missed,
            _ => DeliveryState::Pending,
        }
    }
}

/// A delivery that has not reached a final state, with what sending it needs.
#[derive(Debug, Clone)]
pub struct OpenDelivery {
    pub id: i64,
    pub learner_id: i64,
    pub email: String,
    pub timezone: String,
    pub lesson_date: NaiveDate,
    pub message_id: String,
    pub state: DeliveryState,
    pub attempts: u32,
    /// `None` for rows made before delivery times were recorded: due at once.
    pub due_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// Who holds a named lock.
#[derive(Debug, Clone, PartialEq)]
pub struct LockHolder {
    pub owner: String,
    pub acquired_at: String,
    pub expires_at: String,
}

/// How a delivery attempt ended, for [`Store::finish_delivery`].
#[derive(Debug, Clone)]
pub enum DeliveryOutcome {
    Sent {
        transport: String,
    },
    /// Transient failure: try again at `retry_at`, or give up (`None`).
    Retry {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
    /// Permanent failure; the learner is paused when this makes `pause_after` in a row.
    Permanent {
        error: String,
        pause_after: u32,
    },
}

/// A delivery row.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub lesson_id: i64,
    pub learner_id: i64,
    pub lesson_date: NaiveDate,
    pub message_id: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// A calibration verdict: what `hyperlearn calibrate` measured for a model file, a kind
/// and a language.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Calibration {
    pub model_sha256: String,
    pub kind: String,
    pub lang: String,
    /// The sha256 of the calibration set it was measured on.
    pub set_sha256: String,
    /// The model file's path when it was measured (for people; the sha256 is the key).
    pub model_file: String,
    pub items: i64,
    pub right_accepted: i64,
    pub wrong_tried: i64,
    pub wrong_accepted: i64,
    pub passed: bool,
    pub why: String,
    pub measured_at: DateTime<Utc>,
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

    // --- learners -------------------------------------------------------------------

    /// Adds a learner; the address must be new.
    pub fn add_learner(&self, l: &NewLearner) -> Result<Learner, StoreError> {
        if self.is_forgotten(&l.email)? {
            return Err(StoreError::Forgotten(l.email.clone()));
        }
        let conn = self.conn();
        let result = conn.execute(
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
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(StoreError::DuplicateLearner(l.email.clone()));
            }
            Err(e) => return Err(self.q(e)),
        }
        let id = conn.last_insert_rowid();
        drop(conn);
        self.learner(id)
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
                    .map_err(|e| self.q(e))?;
                self.learner(existing.id)
            }
            Err(StoreError::NoSuchLearner(_)) => self.add_learner(l),
            Err(e) => Err(e),
        }
    }

    fn learner_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Learner> {
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
            .map_err(|e| self.q(e))?
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
                    "SELECT {} FROM learners WHERE email = ?1 COLLATE NOCASE",
                    Self::LEARNER_COLUMNS
                ),
                [id_or_email],
                Self::learner_from_row,
            )
            .optional()
            .map_err(|e| self.q(e))?
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
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([], Self::learner_from_row)
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
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
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        for sql in [
            "DELETE FROM deliveries WHERE learner_id = ?1",
            "DELETE FROM lesson_scores WHERE learner_id = ?1",
            "DELETE FROM level_history WHERE learner_id = ?1",
            "DELETE FROM flags WHERE learner_id = ?1
                OR exercise_id IN (SELECT e.id FROM exercises e JOIN lessons l ON l.id = e.lesson_id
                                   WHERE l.learner_id = ?1)",
            "DELETE FROM exercises WHERE lesson_id IN (SELECT id FROM lessons WHERE learner_id = ?1)",
            "DELETE FROM lessons WHERE learner_id = ?1",
            "DELETE FROM learners WHERE id = ?1",
        ] {
            tx.execute(sql, [learner.id]).map_err(|e| self.q(e))?;
        }
        if remember_hash {
            tx.execute(
                "INSERT OR IGNORE INTO forgotten (address_hash, forgotten_at) VALUES (?1, ?2)",
                params![hash, now()],
            )
            .map_err(|e| self.q(e))?;
        }
        tx.commit().map_err(|e| self.q(e))?;
        if remember_hash {
            // Old versions of the erased pages also live in the write-ahead log until it is
            // checkpointed: fold it into the database and empty it (best effort: a reader in
            // another process may hold it; the next checkpoint then finishes the job).
            let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
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
            .map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))
    }

    /// Lets a forgotten address be added again (its owner asked to come back).
    pub fn unforget(&self, email: &str) -> Result<bool, StoreError> {
        let hash = self.address_hash(email)?;
        self.conn()
            .execute("DELETE FROM forgotten WHERE address_hash = ?1", [hash])
            .map(|n| n > 0)
            .map_err(|e| self.q(e))
    }

    /// All we hold about a learner, as JSON: profile, level history, lessons with their
    /// exercises, scores, flags and deliveries (with the stored mail).
    pub fn export_learner(&self, id_or_email: &str) -> Result<serde_json::Value, StoreError> {
        use serde_json::json;
        let learner = self.find_learner(id_or_email)?;
        let conn = self.conn();
        // The binding lets `stmt` outlive the rows iterator that borrows it.
        #[allow(clippy::let_and_return)]
        let rows =
            |sql: &str, f: &dyn Fn(&rusqlite::Row<'_>) -> rusqlite::Result<serde_json::Value>| {
                let mut stmt = conn.prepare(sql).map_err(|e| self.q(e))?;
                let out = stmt
                    .query_map([learner.id], |r| f(r))
                    .map_err(|e| self.q(e))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| self.q(e));
                out
            };
        let paused_reason: Option<String> = conn
            .query_row(
                "SELECT paused_reason FROM learners WHERE id = ?1",
                [learner.id],
                |r| r.get(0),
            )
            .map_err(|e| self.q(e))?;
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
            "SELECT e.lesson_id, e.id, e.kind, e.origin, e.accepted, e.payload FROM exercises e
             JOIN lessons l ON l.id = e.lesson_id WHERE l.learner_id = ?1 ORDER BY e.id",
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
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        let t = now();
        tx.execute(
            "INSERT INTO lesson_scores (lesson_id, learner_id, score, recorded_at) VALUES (?1, ?2, ?3, ?4)",
            params![lesson_id, learner_id, score, t],
        )
        .map_err(|e| self.q(e))?;
        tx.execute(
            "UPDATE learners SET level = ?2 WHERE id = ?1",
            params![learner_id, new_level],
        )
        .map_err(|e| self.q(e))?;
        tx.execute(
            "INSERT INTO level_history (learner_id, level, reason, lesson_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![learner_id, new_level, format!("score {score:.2}"), lesson_id, t],
        )
        .map_err(|e| self.q(e))?;
        tx.commit().map_err(|e| self.q(e))
    }

    /// A learner's level history, oldest first: (when, level, why).
    pub fn level_history(&self, learner_id: i64) -> Result<Vec<(String, f64, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT at, level, reason FROM level_history WHERE learner_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([learner_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
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
            .map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
    }

    // --- feeds ----------------------------------------------------------------------

    /// Fetch state of a feed (default when never fetched).
    pub fn feed_state(&self, url: &str) -> Result<FeedState, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT url, etag, last_modified, last_fetch_at, last_ok_at, last_error, consecutive_errors, items_seen, next_fetch_at
                 FROM feed_state WHERE url = ?1",
                [url],
                |r| {
                    Ok(FeedState {
                        url: r.get(0)?,
                        etag: r.get(1)?,
                        last_modified: r.get(2)?,
                        last_fetch_at: r.get(3)?,
                        last_ok_at: r.get(4)?,
                        last_error: r.get(5)?,
                        consecutive_errors: r.get(6)?,
                        items_seen: r.get(7)?,
                        next_fetch_at: r
                            .get::<_, Option<String>>(8)?
                            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                            .map(|t| t.with_timezone(&Utc)),
                    })
                },
            )
            .optional()
            .map_err(|e| self.q(e))?
            .unwrap_or_else(|| FeedState { url: url.to_string(), ..Default::default() }))
    }

    /// Records a successful fetch (including 304); the feed is not fetched again before
    /// `next_fetch_at` when given.
    pub fn record_feed_ok(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        items: usize,
        next_fetch_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let t = now();
        let next = next_fetch_at.map(|t| t.to_rfc3339());
        self.conn()
            .execute(
                "INSERT INTO feed_state (url, etag, last_modified, last_fetch_at, last_ok_at, last_error, consecutive_errors, items_seen, next_fetch_at)
                 VALUES (?1, ?2, ?3, ?4, ?4, NULL, 0, ?5, ?6)
                 ON CONFLICT(url) DO UPDATE SET etag=?2, last_modified=?3, last_fetch_at=?4, last_ok_at=?4,
                    last_error=NULL, consecutive_errors=0, items_seen=items_seen + ?5, next_fetch_at=?6",
                params![url, etag, last_modified, t, items as i64, next],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Forgets a feed's failures and waits, so the next run fetches it (a manual refresh).
    pub fn reset_feed(&self, url: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE feed_state SET consecutive_errors = 0, next_fetch_at = NULL WHERE url = ?1",
                [url],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Records a failed fetch and when to try again; returns the number of failures in a row.
    pub fn record_feed_error(
        &self,
        url: &str,
        error: &str,
        next_fetch_at: Option<DateTime<Utc>>,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO feed_state (url, last_fetch_at, last_error, consecutive_errors, next_fetch_at) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT(url) DO UPDATE SET last_fetch_at=?2, last_error=?3, consecutive_errors=consecutive_errors + 1, next_fetch_at=?4",
            params![url, now(), error, next_fetch_at.map(|t| t.to_rfc3339())],
        )
        .map_err(|e| self.q(e))?;
        conn.query_row(
            "SELECT consecutive_errors FROM feed_state WHERE url = ?1",
            [url],
            |r| r.get(0),
        )
        .map_err(|e| self.q(e))
    }

    // --- entries and articles ---------------------------------------------------------

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
            .map_err(|e| self.q(e))?;
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
                 ON CONFLICT(entry_key) DO UPDATE SET article_id = ?3, attempts = attempts + 1, last_error = NULL",
                params![entry_key, feed_url, article_id, now()],
            )
            .map_err(|e| self.q(e))?;
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
                 ON CONFLICT(entry_key) DO UPDATE SET attempts = attempts + 1, last_error = ?3",
                params![entry_key, feed_url, error, now()],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// The id of the article with this canonical URL, if stored.
    pub fn article_id_by_url(&self, url: &str) -> Result<Option<i64>, StoreError> {
        self.conn()
            .query_row("SELECT id FROM articles WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.q(e))
    }

    /// Stores an article; an article with the same canonical URL is kept (first wins).
    /// Returns the id and whether it was new.
    pub fn insert_article(&self, a: &Article) -> Result<(i64, bool), StoreError> {
        if let Some(id) = self.article_id_by_url(&a.url)? {
            return Ok((id, false));
        }
        let conn = self.conn();
        conn.execute(
            "INSERT INTO articles (url, title, byline, published, lang, body, level, cefr, topics, image, source, text_source, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
        .map_err(|e| self.q(e))?;
        Ok((conn.last_insert_rowid(), true))
    }

    fn article_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredArticle> {
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
                cefr.parse().map_err(|e: crate::articles::BadCefr| {
                    rusqlite::Error::FromSqlConversionFailure(
                        8,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?
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
            .map_err(|e| self.q(e))
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
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map(
                params![lang, learner_id, limit as i64],
                Self::article_from_row,
            )
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
    }

    /// Sets articles' measured levels (after the level formula changed), in one transaction.
    pub fn set_article_levels(&self, levels: &[(i64, Level)]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        {
            let mut stmt = tx
                .prepare("UPDATE articles SET level = ?2, cefr = ?3 WHERE id = ?1")
                .map_err(|e| self.q(e))?;
            for (id, level) in levels {
                stmt.execute(params![id, level.score, level.cefr.as_str()])
                    .map_err(|e| self.q(e))?;
            }
        }
        tx.commit().map_err(|e| self.q(e))
    }

    /// Every stored article, by id (for re-indexing).
    pub fn all_articles(&self) -> Result<Vec<StoredArticle>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM articles ORDER BY id",
                Self::ARTICLE_COLUMNS
            ))
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([], Self::article_from_row)
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
    }

    // --- lessons and deliveries --------------------------------------------------------

    /// The delivery of a learner's lesson for a date, if one was made.
    pub fn delivery_for(
        &self,
        learner_id: i64,
        date: NaiveDate,
    ) -> Result<Option<Delivery>, StoreError> {
        self.conn()
            .query_row(
                "SELECT id, lesson_id, learner_id, lesson_date, message_id, state, attempts, last_error
                 FROM deliveries WHERE learner_id = ?1 AND lesson_date = ?2",
                params![learner_id, date.to_string()],
                |r| {
                    let date: String = r.get(3)?;
                    let state: String = r.get(5)?;
                    Ok(Delivery {
                        id: r.get(0)?,
                        lesson_id: r.get(1)?,
                        learner_id: r.get(2)?,
                        lesson_date: date.parse().unwrap_or_default(),
                        message_id: r.get(4)?,
                        state: DeliveryState::parse(&state),
                        attempts: r.get(6)?,
                        last_error: r.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.q(e))
    }

    /// Stores a lesson from its composed mail (learner, article, date, glossary and the
    /// message, which only a verified lesson composes), every exercise tried for it
    /// (accepted or not, with reasons) and the message as a pending delivery, in one
    /// transaction. Returns the delivery.
    pub fn save_lesson(
        &self,
        mail: &ComposedMail,
        exercises: &[ExerciseRecord],
        due_at: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let (learner_id, article_id, date) = (mail.learner_id(), mail.article_id(), mail.date());
        let (glossary, message_id, message) =
            (mail.glossary_json(), mail.message_id(), mail.bytes());
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        let t = now();
        tx.execute(
            "INSERT INTO lessons (learner_id, article_id, lesson_date, created_at, glossary) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![learner_id, article_id, date.to_string(), t, glossary],
        )
        .map_err(|e| self.q(e))?;
        let lesson_id = tx.last_insert_rowid();
        for e in exercises {
            tx.execute(
                "INSERT INTO exercises (lesson_id, article_id, kind, origin, payload, accepted, reasons, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    lesson_id,
                    article_id,
                    e.kind,
                    e.origin.as_str(),
                    e.payload,
                    e.accepted as i64,
                    serde_json::to_string(&e.reasons).expect("strings serialise"),
                    t
                ],
            )
            .map_err(|e| self.q(e))?;
        }
        tx.execute(
            "INSERT INTO deliveries (lesson_id, learner_id, lesson_date, message_id, state, message, created_at, due_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7)",
            params![lesson_id, learner_id, date.to_string(), message_id, message, t, due_at.to_rfc3339()],
        )
        .map_err(|e| self.q(e))?;
        tx.commit().map_err(|e| self.q(e))?;
        drop(conn);
        Ok(self
            .delivery_for(learner_id, date)?
            .expect("delivery was just stored"))
    }

    /// Stores exercises that were tried for an article without making a lesson (e.g. too
    /// few passed), so their verdicts are kept.
    pub fn save_rejected_exercises(
        &self,
        article_id: i64,
        exercises: &[ExerciseRecord],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        let t = now();
        for e in exercises {
            tx.execute(
                "INSERT INTO exercises (lesson_id, article_id, kind, origin, payload, accepted, reasons, created_at)
                 VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    article_id,
                    e.kind,
                    e.origin.as_str(),
                    e.payload,
                    e.accepted as i64,
                    serde_json::to_string(&e.reasons).expect("strings serialise"),
                    t
                ],
            )
            .map_err(|e| self.q(e))?;
        }
        tx.commit().map_err(|e| self.q(e))
    }

    /// Deliveries not yet sent, failed or missed, of active learners, oldest first.
    pub fn open_deliveries(&self) -> Result<Vec<OpenDelivery>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT d.id, d.learner_id, l.email, l.timezone, d.lesson_date, d.message_id,
                        d.state, d.attempts, d.due_at, d.next_attempt_at
                 FROM deliveries d JOIN learners l ON l.id = d.learner_id
                 WHERE d.state IN ('pending', 'sending') AND l.active = 1
                 ORDER BY COALESCE(d.due_at, d.created_at), d.id",
            )
            .map_err(|e| self.q(e))?;
        let time = |s: Option<String>| {
            s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let rows = stmt
            .query_map([], |r| {
                let date: String = r.get(4)?;
                let state: String = r.get(6)?;
                Ok(OpenDelivery {
                    id: r.get(0)?,
                    learner_id: r.get(1)?,
                    email: r.get(2)?,
                    timezone: r.get(3)?,
                    lesson_date: date.parse().unwrap_or_default(),
                    message_id: r.get(5)?,
                    state: DeliveryState::parse(&state),
                    attempts: r.get::<_, i64>(7)?.max(0) as u32,
                    due_at: time(r.get(8)?),
                    next_attempt_at: time(r.get(9)?),
                })
            })
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
    }

    /// The stored message of a delivery.
    pub fn delivery_message(&self, delivery_id: i64) -> Result<Vec<u8>, StoreError> {
        self.conn()
            .query_row(
                "SELECT message FROM deliveries WHERE id = ?1",
                [delivery_id],
                |r| r.get(0),
            )
            .map_err(|e| self.q(e))
    }

    /// Marks a delivery as being sent (committed before the SMTP transaction starts).
    pub fn start_delivery(&self, delivery_id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1 WHERE id = ?1",
                [delivery_id],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Records how an attempt ended, and keeps the learner's run of permanent failures:
    /// reset by a success, and the learner paused (with the reason) when it reaches
    /// `pause_after`. Returns true when this paused the learner.
    pub fn finish_delivery(
        &self,
        delivery_id: i64,
        outcome: &DeliveryOutcome,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        let learner_id: i64 = tx
            .query_row(
                "SELECT learner_id FROM deliveries WHERE id = ?1",
                [delivery_id],
                |r| r.get(0),
            )
            .map_err(|e| self.q(e))?;
        let t = now();
        let mut paused = false;
        match outcome {
            DeliveryOutcome::Sent { transport } => {
                tx.execute(
                    "UPDATE deliveries SET state = 'sent', transport = ?2, last_error = NULL,
                        next_attempt_at = NULL, sent_at = ?3 WHERE id = ?1",
                    params![delivery_id, transport, t],
                )
                .map_err(|e| self.q(e))?;
                tx.execute(
                    "UPDATE learners SET mail_failures = 0 WHERE id = ?1",
                    [learner_id],
                )
                .map_err(|e| self.q(e))?;
            }
            DeliveryOutcome::Retry { error, retry_at } => {
                let (state, at) = match retry_at {
                    Some(at) => ("pending", Some(at.to_rfc3339())),
                    None => ("failed", None),
                };
                tx.execute(
                    "UPDATE deliveries SET state = ?2, last_error = ?3, next_attempt_at = ?4
                     WHERE id = ?1",
                    params![delivery_id, state, error, at],
                )
                .map_err(|e| self.q(e))?;
            }
            DeliveryOutcome::Permanent { error, pause_after } => {
                tx.execute(
                    "UPDATE deliveries SET state = 'failed', last_error = ?2, next_attempt_at = NULL
                     WHERE id = ?1",
                    params![delivery_id, error],
                )
                .map_err(|e| self.q(e))?;
                let failures: i64 = tx
                    .query_row(
                        "UPDATE learners SET mail_failures = mail_failures + 1 WHERE id = ?1
                         RETURNING mail_failures",
                        [learner_id],
                        |r| r.get(0),
                    )
                    .map_err(|e| self.q(e))?;
                if *pause_after > 0 && failures >= i64::from(*pause_after) {
                    let reason = format!(
                        "paused after {failures} permanent mail failures in a row; last: {error}"
                    );
                    tx.execute(
                        "UPDATE learners SET active = 0, paused_reason = ?2 WHERE id = ?1",
                        params![learner_id, reason],
                    )
                    .map_err(|e| self.q(e))?;
                    paused = true;
                }
            }
        }
        tx.commit().map_err(|e| self.q(e))?;
        Ok(paused)
    }

    /// Marks a delivery as missed: it would have been later than the cut-off.
    pub fn miss_delivery(&self, delivery_id: i64, why: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE deliveries SET state = 'missed', last_error = ?2 WHERE id = ?1",
                params![delivery_id, why],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Pauses (with a reason) or resumes a learner. Resuming clears the failure run.
    pub fn set_learner_paused(&self, id: i64, reason: Option<&str>) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE learners SET active = ?2, paused_reason = ?3,
                    mail_failures = CASE WHEN ?2 = 1 THEN 0 ELSE mail_failures END
                 WHERE id = ?1",
                params![id, reason.is_none() as i64, reason],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Why each paused learner is paused, by learner id.
    pub fn paused_reasons(&self) -> Result<HashMap<i64, String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, paused_reason FROM learners WHERE active = 0 AND paused_reason IS NOT NULL")
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
    }

    /// Counts for monitoring, read in one go (a handful of COUNT queries on indexed columns).
    pub fn gauges(
        &self,
        pause_after_failures: u32,
        now: DateTime<Utc>,
    ) -> Result<StoreGauges, StoreError> {
        let deliveries = self.delivery_counts(None)?;
        let conn = self.conn();
        let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<i64, StoreError> {
            conn.query_row(sql, p, |r| r.get(0)).map_err(|e| self.q(e))
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
            path: dest.to_path_buf(),
            message,
        };
        if dest.exists() {
            return Err(fail("exists already; give the backup a new name".into()));
        }
        let tmp = dest.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        {
            let conn = self.conn();
            let mut target = Connection::open(&tmp).map_err(|e| fail(e.to_string()))?;
            let backup = rusqlite::backup::Backup::new(&conn, &mut target)
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
        {
            let mut conn = self.conn();
            let held: Option<String> = conn
                .query_row(
                    "SELECT name FROM locks WHERE expires_at > ?1 LIMIT 1",
                    [now()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.q(e))?;
            if let Some(name) = held {
                return Err(StoreError::Query {
                    path: self.path.clone(),
                    message: format!(
                        "a {name} run is going (its lock is held); stop `hyperlearn serve` and other runs, then restore"
                    ),
                });
            }
            conn.restore(
                rusqlite::MAIN_DB,
                src,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|e| self.q(e))?;
        }
        // Bring an older copy's schema up to date (and check a newer one is refused).
        Store::open(&self.path)?;
        Ok(info)
    }

    /// Deletes what `[privacy] keep_days` no longer allows: the stored bodies of mail sent,
    /// failed or missed before `cutoff` (the ledger rows stay, so nothing is sent twice) and
    /// lesson scores recorded before it. Returns (mail bodies cleared, scores deleted).
    pub fn apply_retention(&self, cutoff: DateTime<Utc>) -> Result<(usize, usize), StoreError> {
        let cutoff = cutoff.to_rfc3339();
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        let mails = tx
            .execute(
                "UPDATE deliveries SET message = X'' WHERE state IN ('sent', 'failed', 'missed')
                 AND created_at < ?1 AND length(message) > 0",
                [&cutoff],
            )
            .map_err(|e| self.q(e))?;
        let scores = tx
            .execute(
                "DELETE FROM lesson_scores WHERE recorded_at < ?1",
                [&cutoff],
            )
            .map_err(|e| self.q(e))?;
        tx.commit().map_err(|e| self.q(e))?;
        Ok((mails, scores))
    }

    /// Whether the database answers (for `/readyz`).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn()
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .map(|_| ())
            .map_err(|e| self.q(e))
    }

    /// Counts of deliveries by state for a local date (all dates when `None`).
    pub fn delivery_counts(
        &self,
        date: Option<NaiveDate>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT state, COUNT(*) FROM deliveries
                 WHERE ?1 IS NULL OR lesson_date = ?1 GROUP BY state ORDER BY state",
            )
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([date.map(|d| d.to_string())], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
    }

    // --- web UI: users, sessions, flags, runs --------------------------------------------

    /// Adds a user with an already hashed password.
    pub fn add_user(
        &self,
        username: &str,
        password_hash: &str,
        role: &str,
    ) -> Result<User, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![username, password_hash, role, now()],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Query {
                path: self.path.clone(),
                message: format!("a user named `{username}` already exists"),
            },
            _ => self.q(e),
        })?;
        Ok(User {
            id: conn.last_insert_rowid(),
            username: username.to_string(),
            role: role.to_string(),
            password_hash: password_hash.to_string(),
        })
    }

    /// A user by name (case-insensitive).
    pub fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.conn()
            .query_row(
                "SELECT id, username, role, password_hash FROM users WHERE username = ?1",
                [username],
                user_row,
            )
            .optional()
            .map_err(|e| self.q(e))
    }

    /// Stores a session (by the hash of its token) until `expires_at`.
    pub fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        // Expired sessions are of no use to anyone: they go whenever a new one starts.
        conn.execute(
            "DELETE FROM sessions WHERE expires_at <= ?1",
            [Utc::now().to_rfc3339()],
        )
        .map_err(|e| self.q(e))?;
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, user_id, csrf, expires_at.to_rfc3339()],
        )
        .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Sessions stored, live or expired.
    #[cfg(test)]
    fn session_count(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
            .map_err(|e| self.q(e))
    }

    /// Every web user, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, username, role, password_hash FROM users ORDER BY username")
            .map_err(|e| self.q(e))?;
        let rows = stmt.query_map([], user_row).map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
    }

    /// Removes a web user and ends their sessions.
    pub fn remove_user(&self, username: &str) -> Result<User, StoreError> {
        self.change_user(username, |tx, user| {
            tx.execute("DELETE FROM users WHERE id = ?1", [user.id])
                .map(|_| ())
        })
    }

    /// Sets a user's password (already hashed) and ends their sessions.
    pub fn set_password(&self, username: &str, password_hash: &str) -> Result<User, StoreError> {
        let user = self.change_user(username, |tx, user| {
            tx.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![user.id, password_hash],
            )
            .map(|_| ())
        })?;
        Ok(User {
            password_hash: password_hash.to_string(),
            ..user
        })
    }

    /// Ends a user's sessions and applies `change` to them, in one transaction.
    fn change_user(
        &self,
        username: &str,
        change: impl FnOnce(&rusqlite::Transaction<'_>, &User) -> rusqlite::Result<()>,
    ) -> Result<User, StoreError> {
        let user = self
            .user_by_name(username)?
            .ok_or_else(|| StoreError::Query {
                path: self.path.clone(),
                message: format!("no user named `{username}`"),
            })?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])
            .map_err(|e| self.q(e))?;
        change(&tx, &user).map_err(|e| self.q(e))?;
        tx.commit().map_err(|e| self.q(e))?;
        Ok(user)
    }

    /// The user and CSRF token of a live session.
    pub fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, String)>, StoreError> {
        self.conn()
            .query_row(
                "SELECT u.id, u.username, u.role, u.password_hash, s.csrf FROM sessions s
                 JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                params![token_hash, now.to_rfc3339()],
                |r| Ok((user_row(r)?, r.get(4)?)),
            )
            .optional()
            .map_err(|e| self.q(e))
    }

    /// Ends a session.
    pub fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// The learner, article and date of a lesson.
    pub fn lesson_info(&self, lesson_id: i64) -> Result<Option<(i64, i64, NaiveDate)>, StoreError> {
        self.conn()
            .query_row(
                "SELECT learner_id, article_id, lesson_date FROM lessons WHERE id = ?1",
                [lesson_id],
                |r| {
                    let d: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, d.parse().unwrap_or_default()))
                },
            )
            .optional()
            .map_err(|e| self.q(e))
    }

    /// The (learner, local date) of every lesson in the ledger dated `from` or later.
    pub fn lesson_dates_from(
        &self,
        from: NaiveDate,
    ) -> Result<std::collections::HashSet<(i64, NaiveDate)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT learner_id, lesson_date FROM deliveries WHERE lesson_date >= ?1")
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([from.to_string()], |r| {
                let date: String = r.get(1)?;
                Ok((r.get(0)?, date.parse().unwrap_or_default()))
            })
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
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
            .map_err(|e| self.q(e))
    }

    /// Whether a lesson already has a recorded score.
    pub fn lesson_scored(&self, lesson_id: i64) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM lesson_scores WHERE lesson_id = ?1)",
                [lesson_id],
                |r| r.get(0),
            )
            .map_err(|e| self.q(e))
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
            .map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
    }

    /// Pulls an exercise: it is never shown or sent again; its flags are resolved.
    pub fn pull_exercise(&self, exercise_id: i64) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.q(e))?;
        tx.execute(
            "UPDATE exercises SET pulled = 1 WHERE id = ?1",
            [exercise_id],
        )
        .map_err(|e| self.q(e))?;
        tx.execute(
            "UPDATE flags SET resolved = ?2 WHERE exercise_id = ?1 AND resolved IS NULL",
            params![exercise_id, now()],
        )
        .map_err(|e| self.q(e))?;
        tx.commit().map_err(|e| self.q(e))
    }

    /// The verified exercises that are not pulled, of a lesson or of every lesson about an
    /// article: the one query behind every page that shows exercises. A row whose payload
    /// no longer parses is left out.
    pub fn servable_exercises(&self, of: Servable) -> Result<Vec<ServableExercise>, StoreError> {
        let (filter, id) = match of {
            Servable::Lesson(id) => ("e.lesson_id = ?1", id),
            Servable::Article(id) => ("e.article_id = ?1", id),
        };
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT e.id, l.lesson_date, e.payload FROM exercises e
                 LEFT JOIN lessons l ON l.id = e.lesson_id
                 WHERE {filter} AND e.accepted = 1 AND e.pulled = 0 ORDER BY e.lesson_id, e.id"
            ))
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, String>(2)?))
            })
            .map_err(|e| self.q(e))?;
        let rows: Vec<(i64, Option<String>, String)> =
            rows.collect::<Result<_, _>>().map_err(|e| self.q(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, lesson_date, payload)| {
                let exercise = serde_json::from_str(&payload).ok()?;
                Some(ServableExercise {
                    id,
                    lesson_date,
                    exercise,
                })
            })
            .collect())
    }

    /// The latest runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, kind, started_at, finished_at, report FROM runs ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
    }

    // --- locks ---------------------------------------------------------------------------

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
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))?;
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
        .map_err(|e| self.q(e))?;
        tx.commit().map_err(|e| self.q(e))?;
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
            .map_err(|e| self.q(e))?;
        Ok(n == 1)
    }

    /// Gives a lock back (only if `owner` holds it).
    pub fn unlock(&self, name: &str, owner: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "DELETE FROM locks WHERE name = ?1 AND owner = ?2",
                params![name, owner],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// A lesson's article and exercises (accepted and rejected, with reasons).
    pub fn lesson_exercises(&self, lesson_id: i64) -> Result<LessonExercises, StoreError> {
        let conn = self.conn();
        let article_id: i64 = conn
            .query_row(
                "SELECT article_id FROM lessons WHERE id = ?1",
                [lesson_id],
                |r| r.get(0),
            )
            .map_err(|e| self.q(e))?;
        let mut stmt = conn
            .prepare("SELECT id, kind, origin, payload, accepted, reasons, pulled FROM exercises WHERE lesson_id = ?1 ORDER BY id")
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([lesson_id], |r| {
                let reasons: String = r.get(5)?;
                let origin: String = r.get(2)?;
                Ok(StoredExercise {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    origin: Origin::parse(&origin).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            2,
                            rusqlite::types::Type::Text,
                            format!("unknown exercise origin {origin:?}").into(),
                        )
                    })?,
                    payload: r.get(3)?,
                    accepted: r.get::<_, i64>(4)? != 0,
                    reasons: serde_json::from_str(&reasons).unwrap_or_default(),
                    pulled: r.get::<_, i64>(6)? != 0,
                })
            })
            .map_err(|e| self.q(e))?;
        let exercises = rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))?;
        Ok(LessonExercises {
            lesson_id,
            article_id,
            exercises,
        })
    }

    /// Counts of exercises by verdict reason, for reports and tests.
    pub fn rejection_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT j.value, COUNT(*) FROM exercises, json_each(exercises.reasons) AS j
                 WHERE accepted = 0 GROUP BY j.value ORDER BY 2 DESC",
            )
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.q(e))
    }

    // --- runs -----------------------------------------------------------------------

    /// Starts a run record.
    pub fn start_run(&self, kind: &str) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO runs (kind, started_at) VALUES (?1, ?2)",
            params![kind, now()],
        )
        .map_err(|e| self.q(e))?;
        Ok(conn.last_insert_rowid())
    }

    /// Forgets a run that did nothing.
    pub fn discard_run(&self, run_id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM runs WHERE id = ?1", [run_id])
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Finishes a run record with its report (JSON).
    pub fn finish_run(&self, run_id: i64, report_json: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE runs SET finished_at = ?2, report = ?3 WHERE id = ?1",
                params![run_id, now(), report_json],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    // --- calibrations -------------------------------------------------------------------

    /// Records a calibration verdict, replacing the one for the same model, kind and
    /// language.
    pub fn save_calibration(&self, c: &Calibration) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO calibrations (model_sha256, kind, lang, set_sha256,
                    model_file, items, right_accepted, wrong_tried, wrong_accepted, passed, why,
                    measured_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    c.model_sha256,
                    c.kind,
                    c.lang,
                    c.set_sha256,
                    c.model_file,
                    c.items,
                    c.right_accepted,
                    c.wrong_tried,
                    c.wrong_accepted,
                    c.passed,
                    c.why,
                    c.measured_at.to_rfc3339(),
                ],
            )
            .map_err(|e| self.q(e))?;
        Ok(())
    }

    /// Every calibration verdict, newest first.
    pub fn calibrations(&self) -> Result<Vec<Calibration>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT model_sha256, kind, lang, set_sha256, model_file, items, right_accepted,
                        wrong_tried, wrong_accepted, passed, why, measured_at
                 FROM calibrations ORDER BY measured_at DESC, kind, lang",
            )
            .map_err(|e| self.q(e))?;
        let rows = stmt
            .query_map([], |r| {
                let at: String = r.get(11)?;
                Ok(Calibration {
                    model_sha256: r.get(0)?,
                    kind: r.get(1)?,
                    lang: r.get(2)?,
                    set_sha256: r.get(3)?,
                    model_file: r.get(4)?,
                    items: r.get(5)?,
                    right_accepted: r.get(6)?,
                    wrong_tried: r.get(7)?,
                    wrong_accepted: r.get(8)?,
                    passed: r.get(9)?,
                    why: r.get(10)?,
                    measured_at: DateTime::parse_from_rfc3339(&at)
                        .map(|t| t.with_timezone(&Utc))
                        .unwrap_or_default(),
                })
            })
            .map_err(|e| self.q(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.q(e))
    }

    /// Whether any verdict turned a kind on: without one, nobody needs the model's sha256.
    pub fn any_calibration_passed(&self) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM calibrations WHERE passed = 1)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.q(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learner(email: &str) -> NewLearner {
        NewLearner {
            email: email.into(),
            name: "Ana".into(),
            lang: "es".into(),
            level: 3.0,
            interests: vec!["sport".into()],
            delivery_time: NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
            timezone: "Europe/Madrid".into(),
        }
    }

    #[test]
    fn learners_round_trip_and_duplicates_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let a = store.add_learner(&learner("ana@example.org")).unwrap();
        assert_eq!(a.cefr(), Cefr::B1);
        assert_eq!(a.interests, vec!["sport"]);
        assert!(matches!(
            store.add_learner(&learner("ana@example.org")),
            Err(StoreError::DuplicateLearner(_))
        ));
        assert_eq!(store.find_learner("ANA@example.org").unwrap().id, a.id);
        store.remove_learner("ana@example.org").unwrap();
        assert!(store.learners().unwrap().is_empty());
    }

    #[test]
    fn a_calibration_verdict_is_kept_per_model_kind_and_language_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        assert!(!store.any_calibration_passed().unwrap());
        let verdict = |lang: &str, passed: bool| Calibration {
            model_sha256: "ab".repeat(32),
            kind: "vocabulary".into(),
            lang: lang.into(),
            set_sha256: "cd".repeat(32),
            model_file: "models/m.gguf".into(),
            items: 40,
            right_accepted: if passed { 38 } else { 12 },
            wrong_tried: 120,
            wrong_accepted: if passed { 0 } else { 25 },
            passed,
            why: "measured".into(),
            measured_at: DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        store.save_calibration(&verdict("en", false)).unwrap();
        store.save_calibration(&verdict("es", false)).unwrap();
        assert!(!store.any_calibration_passed().unwrap());
        store.save_calibration(&verdict("en", true)).unwrap();
        assert!(store.any_calibration_passed().unwrap());
        let all = store.calibrations().unwrap();
        assert_eq!(all.len(), 2);
        assert!(all.contains(&verdict("en", true)));
        assert!(all.contains(&verdict("es", false)));
    }

    #[test]
    fn expired_sessions_go_and_users_can_be_removed_or_get_a_new_password() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let ada = store.add_user("ada", "old-hash", "admin").unwrap();
        let past = Utc::now() - chrono::Duration::hours(1);
        let later = Utc::now() + chrono::Duration::hours(1);
        store.create_session("expired", ada.id, "c1", past).unwrap();
        store.create_session("live", ada.id, "c2", later).unwrap();
        assert_eq!(
            store.session_count().unwrap(),
            1,
            "the expired one was deleted"
        );
        let changed = store.set_password("ADA", "new-hash").unwrap();
        assert_eq!(changed.password_hash, "new-hash");
        assert_eq!(
            store.session_count().unwrap(),
            0,
            "a new password ends sessions"
        );
        store.create_session("again", ada.id, "c3", later).unwrap();
        assert_eq!(store.remove_user("ada").unwrap().id, ada.id);
        assert!(store.user_by_name("ada").unwrap().is_none());
        assert_eq!(store.session_count().unwrap(), 0);
        assert!(store.remove_user("ada").is_err());
        assert!(store.set_password("nobody", "h").is_err());
    }

    #[test]
    fn a_backup_taken_while_in_use_is_checked_and_restores_what_it_held() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        store.add_learner(&learner("ana@example.org")).unwrap();
        // Another connection keeps writing while the backup is taken.
        let other = Store::open(&dir.path().join("db.sqlite")).unwrap();
        other.add_learner(&learner("ben@example.org")).unwrap();
        let backup = dir.path().join("backup.sqlite");
        let info = store.backup_to(&backup).unwrap();
        assert_eq!(info.learners, 2);
        assert_eq!(info.schema_version as usize, MIGRATIONS.len());
        assert!(store.backup_to(&backup).is_err(), "never overwrites");
        // Later changes are undone by the restore.
        store.remove_learner("ana@example.org").unwrap();
        store.add_learner(&learner("cy@example.org")).unwrap();
        store.restore_from(&backup).unwrap();
        let mut emails: Vec<String> = other
            .learners()
            .unwrap()
            .into_iter()
            .map(|l| l.email)
            .collect();
        emails.sort();
        assert_eq!(emails, ["ana@example.org", "ben@example.org"]);
        // What is not a store is refused with a reason, and changes nothing.
        let junk = dir.path().join("junk.sqlite");
        std::fs::write(&junk, b"not a database at all, just some text").unwrap();
        assert!(store.restore_from(&junk).is_err());
        assert!(check_copy(&dir.path().join("missing.sqlite")).is_err());
        assert_eq!(store.learners().unwrap().len(), 2);
        // A run's live lock refuses the restore.
        store
            .conn()
            .execute(
                "INSERT INTO locks (name, owner, acquired_at, expires_at) VALUES ('mail', 'x', ?1, ?2)",
                params![now(), (Utc::now() + chrono::Duration::minutes(5)).to_rfc3339()],
            )
            .unwrap();
        let err = store.restore_from(&backup).unwrap_err().to_string();
        assert!(err.contains("mail run is going"), "{err}");
    }

    #[test]
    fn retention_clears_old_mail_bodies_and_scores_but_keeps_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let ana = store.add_learner(&learner("ana@example.org")).unwrap();
        let old = "2025-01-01T07:00:00+00:00";
        let recent = Utc::now().to_rfc3339();
        {
            let conn = store.conn();
            conn.execute(
                "INSERT INTO articles (id, url, title, lang, body, level, cefr, source, text_source, fetched_at)
                 VALUES (1, 'https://e.org/a', 'A', 'es', 'Texto.', 3.0, 'B1', 'E', 'page', ?1)",
                [old],
            )
            .unwrap();
            for (id, date, state, at) in [
                (1, "2025-01-01", "sent", old),
                (2, "2025-01-02", "pending", old),
                (3, "2026-12-01", "sent", recent.as_str()),
            ] {
                conn.execute(
                    "INSERT INTO lessons (id, learner_id, article_id, lesson_date, created_at) VALUES (?1, ?2, 1, ?3, ?4)",
                    params![id, ana.id, date, at],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO deliveries (lesson_id, learner_id, lesson_date, message_id, state, message, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, X'48656C6C6F', ?6)",
                    params![id, ana.id, date, format!("<m{id}@t>"), state, at],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO lesson_scores (lesson_id, learner_id, score, recorded_at) VALUES (?1, ?2, 0.5, ?3)",
                    params![id, ana.id, at],
                )
                .unwrap();
            }
        }
        let cutoff = Utc::now() - chrono::Duration::days(365);
        assert_eq!(store.apply_retention(cutoff).unwrap(), (1, 2));
        assert_eq!(
            store.apply_retention(cutoff).unwrap(),
            (0, 0),
            "safe to run again"
        );
        let conn = store.conn();
        let bodies: Vec<(String, i64)> = conn
            .prepare("SELECT state, length(message) FROM deliveries ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            bodies,
            [
                ("sent".to_string(), 0),
                ("pending".to_string(), 5),
                ("sent".to_string(), 5)
            ],
            "an old pending mail keeps its body: it may still be sent"
        );
    }

    #[test]
    fn concurrent_opens_of_a_new_database_migrate_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(|_| ())
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().expect("every concurrent open succeeds");
        }
    }

    #[test]
    fn reopening_keeps_data_and_does_not_migrate_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        Store::open(&path)
            .unwrap()
            .add_learner(&learner("b@example.org"))
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.learners().unwrap().len(), 1);
    }

    #[test]
    fn feed_errors_count_up_and_success_resets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        assert_eq!(store.record_feed_error("u", "boom", None).unwrap(), 1);
        let later = Utc::now() + chrono::Duration::minutes(30);
        assert_eq!(
            store.record_feed_error("u", "boom", Some(later)).unwrap(),
            2
        );
        let s = store.feed_state("u").unwrap();
        assert!(s.paused(2) && !s.paused(3) && !s.paused(0));
        assert_eq!(
            s.next_fetch_at.map(|t| t.timestamp()),
            Some(later.timestamp())
        );
        store.reset_feed("u").unwrap();
        let s = store.feed_state("u").unwrap();
        assert_eq!((s.consecutive_errors, s.next_fetch_at), (0, None));
        store.record_feed_error("u", "boom", None).unwrap();
        store
            .record_feed_ok("u", Some("\"e\""), None, 3, None)
            .unwrap();
        let s = store.feed_state("u").unwrap();
        assert_eq!(s.consecutive_errors, 0);
        assert_eq!(s.etag.as_deref(), Some("\"e\""));
        assert_eq!(s.items_seen, 3);
    }
}
