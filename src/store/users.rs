//! Web UI accounts and sessions.

use chrono::{DateTime, Utc};

use super::db::{DbResult, ErrorKind, OptionalExtension, Row, Tx, params};
use super::{OrStore, Store, StoreError, now};

/// A user of the web UI.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
}

/// A `User` from the columns `id, username, role, password_hash` of a row.
fn user_row(r: &Row) -> DbResult<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: r.get(2)?,
        password_hash: r.get(3)?,
    })
}

impl Store {
    /// Adds a user with an already hashed password.
    pub fn add_user(
        &self,
        username: &str,
        password_hash: &str,
        role: &str,
    ) -> Result<User, StoreError> {
        let id = self
            .conn()
            .insert(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![username, password_hash, role, now()],
            )
            .map_err(|e| match e.kind {
                ErrorKind::Unique => self.fail(format!("a user named `{username}` already exists")),
                _ => self.q(e),
            })?;
        Ok(User {
            id,
            username: username.to_string(),
            role: role.to_string(),
            password_hash: password_hash.to_string(),
        })
    }

    /// A user by name (case-insensitive).
    pub fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.conn()
            .query_row(
                "SELECT id, username, role, password_hash FROM users WHERE lower(username) = lower(?1)",
                [username],
                user_row,
            )
            .optional()
            .or_store(self)
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
        .or_store(self)?;
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, user_id, csrf, expires_at.to_rfc3339()],
        )
        .or_store(self)?;
        Ok(())
    }

    /// Sessions stored, live or expired.
    #[cfg(test)]
    pub(super) fn session_count(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
            .or_store(self)
    }

    /// Every web user, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, username, role, password_hash FROM users ORDER BY username")
            .or_store(self)?;
        let rows = stmt.query_map([], user_row).or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
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
        change: impl FnOnce(&Tx<'_>, &User) -> DbResult<()>,
    ) -> Result<User, StoreError> {
        let user = self
            .user_by_name(username)?
            .ok_or_else(|| self.fail(format!("no user named `{username}`")))?;
        let mut conn = self.conn();
        let tx = conn.transaction().or_store(self)?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])
            .or_store(self)?;
        change(&tx, &user).or_store(self)?;
        tx.commit().or_store(self)?;
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
            .or_store(self)
    }

    /// Ends a session.
    pub fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .or_store(self)?;
        Ok(())
    }
}
