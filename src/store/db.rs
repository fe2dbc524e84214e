//! The store's connection: one SQL dialect over SQLite (rusqlite) and PostgreSQL (postgres).
//! Every query goes through here; only SQLite's file-level backup and check
//! (`maintenance`) use rusqlite directly.
//!
//! The store's queries are written once, in the SQL both engines take: `?N` placeholders,
//! `INSERT … ON CONFLICT`, `RETURNING`, integers for booleans and RFC 3339 text for times.
//! For PostgreSQL the placeholders become `$N` and each statement is prepared once per
//! connection. Values cross as [`Value`]; rows come back owned, as [`Row`].
//!
//! The PostgreSQL client blocks on a runtime of its own, which Tokio forbids inside another
//! runtime's task; [`off_runtime`] steps out of the caller's runtime for each call, so the
//! store can be called from async code as the SQLite store always could.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What a query failed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// `query_row` found no row.
    NoRows,
    /// A unique or primary key constraint refused the row.
    Unique,
    /// The database is locked by another connection (SQLite).
    Busy,
    Other,
}

/// A failed query, with the engine's own words.
#[derive(Debug, Clone)]
pub(crate) struct DbError {
    pub kind: ErrorKind,
    pub message: String,
}

pub(crate) type DbResult<T> = Result<T, DbError>;

impl DbError {
    pub fn other(message: impl Into<String>) -> DbError {
        DbError {
            kind: ErrorKind::Other,
            message: message.into(),
        }
    }

    /// A column whose value is not what the store wrote there.
    pub fn conversion(column: usize, message: impl fmt::Display) -> DbError {
        DbError::other(format!("column {column}: {message}"))
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        let kind = match &e {
            rusqlite::Error::QueryReturnedNoRows => ErrorKind::NoRows,
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                ErrorKind::Unique
            }
            _ if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
            {
                ErrorKind::Busy
            }
            _ => ErrorKind::Other,
        };
        DbError {
            kind,
            message: e.to_string(),
        }
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        let kind = if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
            ErrorKind::Unique
        } else {
            ErrorKind::Other
        };
        // A server error's words are in its source; the error itself only says "db error".
        let message = match e.as_db_error() {
            Some(db) => db.to_string(),
            None => {
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    message = format!("{message}: {cause}");
                    source = cause.source();
                }
                message
            }
        };
        DbError { kind, message }
    }
}

/// `query_row`'s "no row" as `None`, as rusqlite's extension of the same name.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> DbResult<Option<T>>;
}

impl<T> OptionalExtension<T> for DbResult<T> {
    fn optional(self) -> DbResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind == ErrorKind::NoRows => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A Rust value the store binds to a statement.
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, usize, u64);

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(*self as i64)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// A statement's parameters: `[]`, an array of one type, [`params!`] or a vector of values.
pub(crate) trait Params {
    fn values(self) -> Vec<Value>;
}

impl Params for [&dyn ToValue; 0] {
    fn values(self) -> Vec<Value> {
        Vec::new()
    }
}

impl Params for &[&dyn ToValue] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl Params for Vec<Value> {
    fn values(self) -> Vec<Value> {
        self
    }
}

macro_rules! array_params {
    ($($n:literal),*) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn values(self) -> Vec<Value> {
                self.iter().map(ToValue::to_value).collect()
            }
        }
    )*};
}
array_params!(1, 2, 3, 4, 5, 6, 7, 8);

/// Parameters of mixed types, as rusqlite's macro of the same name.
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::db::ToValue]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::store::db::ToValue),+] as &[&dyn $crate::store::db::ToValue]
    };
}
pub(crate) use params;

/// A row, read out of the engine.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    values: Vec<Value>,
}

/// A column of a [`Row`], by position.
pub(crate) trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl Row {
    /// The row's values, in column order.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The value of column `i` as `T`.
    pub fn get<I: RowIndex, T: FromValue>(&self, i: I) -> DbResult<T> {
        let i = i.index();
        let value = self
            .values
            .get(i)
            .ok_or_else(|| DbError::conversion(i, "no such column"))?;
        T::from_value(value).map_err(|message| DbError::conversion(i, message))
    }
}

/// A Rust value the store reads from a column.
pub(crate) trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

fn wrong(v: &Value, wanted: &str) -> String {
    let got = match v {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Real(_) => "a real number",
        Value::Text(_) => "text",
        Value::Blob(_) => "a blob",
    };
    format!("{got} where {wanted} was expected")
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<i64, String> {
        match v {
            Value::Int(i) => Ok(*i),
            _ => Err(wrong(v, "an integer")),
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Result<$t, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range"))
            }
        }
    )*};
}
int_from_value!(i32, u32, usize, u64);

impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<f64, String> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            _ => Err(wrong(v, "a number")),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<bool, String> {
        Ok(i64::from_value(v)? != 0)
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<String, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            _ => Err(wrong(v, "text")),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Result<Vec<u8>, String> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => Err(wrong(v, "a blob")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Option<T>, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A PostgreSQL client with the statements it has prepared, by the store's SQL.
pub(crate) struct PgClient {
    // Always `Some` until dropped: closing the client blocks too (see `Drop`).
    client: Option<postgres::Client>,
    prepared: HashMap<String, postgres::Statement>,
}

impl PgClient {
    fn client(&mut self) -> &mut postgres::Client {
        self.client
            .as_mut()
            .expect("the client lives until the store is dropped")
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            off_runtime(move || drop(client));
        }
    }
}

/// A connection to the store's database.
pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    // The client needs `&mut` for every call; the store hands out `&Conn` under its mutex.
    Postgres(Box<RefCell<PgClient>>),
}

impl Conn {
    pub fn postgres(client: postgres::Client) -> Conn {
        Conn::Postgres(Box::new(RefCell::new(PgClient {
            client: Some(client),
            prepared: HashMap::new(),
        })))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (backups, pragmas).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    /// The SQLite connection, for SQLite's backup API.
    pub fn sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    /// Runs statements without parameters or results (schema changes, transactions).
    pub fn execute_batch(&self, sql: &str) -> DbResult<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(cell) => {
                let mut guard = cell.borrow_mut();
                let pg: &mut PgClient = &mut guard;
                off_runtime(|| pg.client().batch_execute(sql)).map_err(DbError::from)
            }
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> DbResult<usize> {
        let values = params.values();
        match self {
            Conn::Sqlite(c) => Ok(c
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values.iter()))?),
            Conn::Postgres(cell) => {
                let mut guard = cell.borrow_mut();
                let pg: &mut PgClient = &mut guard;
                off_runtime(|| pg.execute(sql, &values)).map(|n| n as usize)
            }
        }
    }

    /// The rows of a query.
    fn rows(&self, sql: &str, values: &[Value]) -> DbResult<Vec<Row>> {
        match self {
            Conn::Sqlite(c) => sqlite_rows(c, sql, values),
            Conn::Postgres(cell) => {
                let mut guard = cell.borrow_mut();
                let pg: &mut PgClient = &mut guard;
                off_runtime(|| pg.rows(sql, values))
            }
        }
    }

    /// The first row of a query, through `f`; [`ErrorKind::NoRows`] when there is none.
    pub fn query_row<P: Params, T>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row) -> DbResult<T>,
    ) -> DbResult<T> {
        let rows = self.rows(sql, &params.values())?;
        match rows.first() {
            Some(row) => f(row),
            None => Err(DbError {
                kind: ErrorKind::NoRows,
                message: "the query returned no row".into(),
            }),
        }
    }

    /// A statement to run later, as rusqlite's `prepare` (the engines keep their own caches).
    pub fn prepare(&self, sql: &str) -> DbResult<Statement<'_>> {
        Ok(Statement {
            conn: self,
            sql: sql.to_string(),
        })
    }

    /// Runs an `INSERT` and returns the new row's `id`.
    pub fn insert<P: Params>(&self, sql: &str, params: P) -> DbResult<i64> {
        self.query_row(&format!("{sql} RETURNING id"), params, |r| r.get(0))
    }

    /// Starts a transaction; it rolls back unless committed.
    pub fn transaction(&mut self) -> DbResult<Tx<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Tx {
            conn: self,
            done: false,
        })
    }

    /// Starts a transaction that holds the store's write lock from its start, so that what
    /// it reads cannot change before it writes: SQLite's `BEGIN IMMEDIATE`, and on PostgreSQL
    /// a transaction-scoped advisory lock that every such transaction takes.
    pub fn transaction_immediate(&mut self) -> DbResult<Tx<'_>> {
        match self.backend() {
            Backend::Sqlite => self.execute_batch("BEGIN IMMEDIATE")?,
            Backend::Postgres => self.execute_batch(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY});"
            ))?,
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }
}

impl Conn {
    /// Starts a read-only transaction that sees one moment of the database throughout
    /// (SQLite: a read transaction; PostgreSQL: repeatable read).
    pub fn snapshot(&mut self) -> DbResult<Tx<'_>> {
        match self.backend() {
            Backend::Sqlite => self.execute_batch("BEGIN")?,
            Backend::Postgres => {
                self.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?
            }
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }

    /// A table's columns, in order.
    pub fn columns(&self, table: &str) -> DbResult<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1
                 ORDER BY ordinal_position"
            }
        };
        self.prepare(sql)?
            .query_map([table], |r| r.get(0))?
            .collect()
    }

    /// The store's tables (not the engine's own).
    pub fn tables(&self) -> DbResult<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                 ORDER BY table_name"
            }
        };
        self.prepare(sql)?.query_map([], |r| r.get(0))?.collect()
    }
}

/// The advisory lock key of [`Conn::transaction_immediate`] on PostgreSQL ("HyLe").
const WRITE_LOCK_KEY: i64 = 0x4879_4c65;

/// A prepared statement, as rusqlite's.
pub(crate) struct Statement<'c> {
    conn: &'c Conn,
    sql: String,
}

impl Statement<'_> {
    /// Runs the statement; the number of rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> DbResult<usize> {
        self.conn.execute(&self.sql, params)
    }

    /// Every row, through `f`.
    pub fn query_map<P: Params, T>(
        &mut self,
        params: P,
        f: impl FnMut(&Row) -> DbResult<T>,
    ) -> DbResult<std::vec::IntoIter<DbResult<T>>> {
        let rows = self.conn.rows(&self.sql, &params.values())?;
        Ok(rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }
}

/// A transaction; rolled back when dropped uncommitted.
pub(crate) struct Tx<'c> {
    conn: &'c Conn,
    done: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> DbResult<()> {
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        Ok(())
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn sqlite_rows(c: &rusqlite::Connection, sql: &str, values: &[Value]) -> DbResult<Vec<Row>> {
    use rusqlite::types::ValueRef;
    let mut stmt = c.prepare_cached(sql)?;
    let n = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(match r.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Row { values: row });
    }
    Ok(out)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl PgClient {
    fn statement(&mut self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let statement = self.client().prepare(&postgres_placeholders(sql))?;
        self.prepared.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> DbResult<u64> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            values.iter().map(|v| v as _).collect();
        Ok(self.client().execute(&statement, &params)?)
    }

    fn rows(&mut self, sql: &str, values: &[Value]) -> DbResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            values.iter().map(|v| v as _).collect();
        self.client()
            .query(&statement, &params)?
            .iter()
            .map(postgres_row)
            .collect()
    }
}

fn postgres_row(r: &postgres::Row) -> DbResult<Row> {
    use postgres::types::Type;
    fn read<'a, T: postgres::types::FromSql<'a>>(
        r: &'a postgres::Row,
        i: usize,
    ) -> DbResult<Option<T>> {
        r.try_get(i).map_err(DbError::from)
    }
    let mut values = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let ty = column.type_();
        let v = if *ty == Type::INT8 {
            read::<i64>(r, i)?.map(Value::Int)
        } else if *ty == Type::INT4 {
            read::<i32>(r, i)?.map(|v| Value::Int(v.into()))
        } else if *ty == Type::INT2 {
            read::<i16>(r, i)?.map(|v| Value::Int(v.into()))
        } else if *ty == Type::BOOL {
            read::<bool>(r, i)?.map(|v| Value::Int(v.into()))
        } else if *ty == Type::FLOAT8 {
            read::<f64>(r, i)?.map(Value::Real)
        } else if *ty == Type::FLOAT4 {
            read::<f32>(r, i)?.map(|v| Value::Real(v.into()))
        } else if *ty == Type::BYTEA {
            read::<Vec<u8>>(r, i)?.map(Value::Blob)
        } else if [
            Type::TEXT,
            Type::VARCHAR,
            Type::BPCHAR,
            Type::NAME,
            Type::UNKNOWN,
        ]
        .contains(ty)
        {
            read::<String>(r, i)?.map(Value::Text)
        } else {
            return Err(DbError::other(format!(
                "column {} has type {ty}, which the store does not read",
                column.name()
            )));
        };
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Row { values })
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        let text = [
            Type::TEXT,
            Type::VARCHAR,
            Type::BPCHAR,
            Type::NAME,
            Type::UNKNOWN,
        ];
        match self {
            Value::Null => Ok(postgres::types::IsNull::Yes),
            Value::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::BOOL => (*i != 0).to_sql(ty, out),
            Value::Int(i) if *ty == Type::FLOAT8 => (*i as f64).to_sql(ty, out),
            Value::Int(i) if text.contains(ty) => i.to_string().to_sql(ty, out),
            Value::Real(f) if *ty == Type::FLOAT8 => f.to_sql(ty, out),
            Value::Real(f) if *ty == Type::FLOAT4 => (*f as f32).to_sql(ty, out),
            Value::Text(s) if text.contains(ty) => s.as_str().to_sql(ty, out),
            Value::Blob(b) if *ty == Type::BYTEA => b.as_slice().to_sql(ty, out),
            v => Err(format!("{} cannot be sent as {ty}", wrong(v, ty.name())).into()),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// The store's `?N` and `?` placeholders as PostgreSQL's `$N`, outside string literals.
pub(crate) fn postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0;
    let mut in_string = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            in_string = c != '\'';
            out.push(c);
            continue;
        }
        match c {
            '\'' => {
                in_string = true;
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            c => out.push(c),
        }
    }
    out
}

/// Runs a blocking PostgreSQL call where blocking is allowed: outside any Tokio runtime as
/// it is; on a multi-threaded runtime's thread through `block_in_place`; on a
/// current-thread runtime on a helper thread (the caller's thread waits, as it would for
/// SQLite).
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return f();
    };
    match handle.runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_strings() {
        assert_eq!(
            postgres_placeholders("SELECT a FROM t WHERE b = ?1 AND c = ?12 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $12 OR d = $1"
        );
        assert_eq!(
            postgres_placeholders("UPDATE t SET a = ?, b = ? WHERE c = 'what?' AND d = ?"),
            "UPDATE t SET a = $1, b = $2 WHERE c = 'what?' AND d = $3"
        );
        assert_eq!(
            postgres_placeholders("SELECT 'it''s ?' , ?2"),
            "SELECT 'it''s ?' , $2"
        );
    }

    #[test]
    fn values_read_back_as_the_types_the_store_asks_for() {
        let row = Row {
            values: vec![
                Value::Int(3),
                Value::Null,
                Value::Text("x".into()),
                Value::Int(1),
                Value::Int(2),
            ],
        };
        assert_eq!(row.get::<_, i64>(0).unwrap(), 3);
        assert_eq!(row.get::<_, f64>(0).unwrap(), 3.0);
        assert_eq!(row.get::<_, Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<_, String>(2).unwrap(), "x");
        assert!(row.get::<_, bool>(3).unwrap());
        let e = row.get::<_, String>(4).unwrap_err();
        assert_eq!(e.message, "column 4: an integer where text was expected");
        assert!(row.get::<_, i64>(9).is_err());
    }

    #[test]
    fn sqlite_transactions_roll_back_unless_committed() {
        let mut conn = Conn::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            .unwrap();
        {
            let tx = conn.transaction().unwrap();
            tx.insert("INSERT INTO t (v) VALUES (?1)", ["lost"])
                .unwrap();
        }
        let tx = conn.transaction_immediate().unwrap();
        let id = tx
            .insert("INSERT INTO t (v) VALUES (?1)", ["kept"])
            .unwrap();
        tx.commit().unwrap();
        let all = conn
            .prepare("SELECT id, v FROM t")
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        assert_eq!(all, vec![(id, "kept".to_string())]);
        let none = conn
            .query_row("SELECT v FROM t WHERE id = ?1", [id + 1], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
