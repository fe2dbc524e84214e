//! The schema: migrations, in order, written in SQLite's words and given to PostgreSQL
//! through [`for_postgres`].

use super::db::{Backend, Conn, DbError, DbResult, OptionalExtension};

/// Migrations, in order; the schema version is the number applied.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // Exercise sets made once: an article's exercises for one CEFR band, made for the first
    // learner at that band who gets it and reused for every other. Their rows belong to the
    // set, not to a learner's lesson; what a lesson shows is listed in `lesson_items` (the
    // lessons made before sets keep their rows and get their items here).
    r#"
CREATE TABLE exercise_sets (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    band        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (article_id, band, lang)
);
ALTER TABLE exercises ADD COLUMN set_id INTEGER REFERENCES exercise_sets(id);
CREATE INDEX exercises_set ON exercises(set_id) WHERE set_id IS NOT NULL;
ALTER TABLE lessons ADD COLUMN set_id INTEGER REFERENCES exercise_sets(id);
CREATE TABLE lesson_items (
    lesson_id   INTEGER NOT NULL REFERENCES lessons(id),
    position    INTEGER NOT NULL,
    exercise_id INTEGER NOT NULL REFERENCES exercises(id),
    PRIMARY KEY (lesson_id, position)
);
CREATE INDEX lesson_items_exercise ON lesson_items(exercise_id);
INSERT INTO lesson_items (lesson_id, position, exercise_id)
    SELECT lesson_id, ROW_NUMBER() OVER (PARTITION BY lesson_id ORDER BY id), id
    FROM exercises WHERE lesson_id IS NOT NULL AND accepted = 1;
"#,
    // Case-blind lookups of addresses and user names that both engines can index
    // (SQLite's NOCASE collation has no PostgreSQL twin).
    r#"
CREATE UNIQUE INDEX users_username_lower ON users(lower(username));
CREATE INDEX learners_email_lower ON learners(lower(email));
"#,
    // A delivery being sent is leased: `lease_owner` (the process, as run locks name it)
    // sends it until `lease_until`, so mail workers on several machines share the ledger.
    // The owner stays after the send, naming who sent it last.
    r#"
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until TEXT;
"#,
];

/// A migration in PostgreSQL's words: tables referenced before they are made get their
/// foreign key at the end, 64-bit integers (identity columns for row ids),
/// double precision, bytea, no NOCASE collation (migration 11 indexes `lower(…)` instead)
/// and PostgreSQL's own random source for the address salt.
pub(super) fn for_postgres(sql: &str) -> String {
    // PostgreSQL wants a referenced table to exist: `entries` is made before `articles`.
    const FORWARD: &str = "article_id  INTEGER REFERENCES articles(id),";
    let sql = if sql.contains(FORWARD) {
        sql.replace(FORWARD, "article_id  INTEGER,")
            + "ALTER TABLE entries ADD FOREIGN KEY (article_id) REFERENCES articles(id);\n"
    } else {
        sql.to_string()
    };
    sql.replace(
        "INTEGER PRIMARY KEY",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    )
    .replace("INTEGER", "BIGINT")
    .replace("REAL NOT NULL", "DOUBLE PRECISION NOT NULL")
    .replace("BLOB", "BYTEA")
    .replace(" COLLATE NOCASE", "")
    .replace(
        "lower(hex(randomblob(32)))",
        "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')",
    )
}

/// The schema version the database is at (0: a new database).
pub(super) fn version(conn: &Conn) -> DbResult<usize> {
    let v: i64 = match conn.backend() {
        Backend::Sqlite => conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        Backend::Postgres => {
            let exists: bool = conn.query_row(
                "SELECT to_regclass('schema_version') IS NOT NULL",
                [],
                |r| r.get(0),
            )?;
            if !exists {
                return Ok(0);
            }
            conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0))
                .optional()?
                .unwrap_or(0)
        }
    };
    Ok(v.max(0) as usize)
}

/// Brings the schema up to date, under the store's write lock, in one transaction:
/// a database left by a newer HyperLearn is refused, not changed.
pub(super) fn migrate(conn: &mut Conn) -> DbResult<()> {
    let backend = conn.backend();
    let tx = conn.transaction_immediate()?;
    if backend == Backend::Postgres {
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    }
    let version = version(&tx)?;
    if version > MIGRATIONS.len() {
        return Err(DbError::other(format!(
            "schema version {version} is newer than this program knows ({}); upgrade HyperLearn",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let n = i + 1;
        match backend {
            Backend::Sqlite => {
                tx.execute_batch(sql)?;
                tx.execute_batch(&format!("PRAGMA user_version = {n}"))?;
            }
            Backend::Postgres => {
                tx.execute_batch(&for_postgres(sql))?;
                tx.execute("DELETE FROM schema_version", [])?;
                tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [n])?;
            }
        }
    }
    tx.commit()
}
