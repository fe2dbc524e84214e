//! Feed state: validators, failures in a row, when a feed is due again.

use chrono::{DateTime, Utc};

use super::db::{OptionalExtension, params};
use super::{OrStore, Store, StoreError, now};

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

impl Store {
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
            .or_store(self)?
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
                    last_error=NULL, consecutive_errors=0, items_seen=feed_state.items_seen + ?5, next_fetch_at=?6",
                params![url, etag, last_modified, t, items as i64, next],
            )
            .or_store(self)?;
        Ok(())
    }

    /// Forgets a feed's failures and waits, so the next run fetches it (a manual refresh).
    pub fn reset_feed(&self, url: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE feed_state SET consecutive_errors = 0, next_fetch_at = NULL WHERE url = ?1",
                [url],
            )
            .or_store(self)?;
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
             ON CONFLICT(url) DO UPDATE SET last_fetch_at=?2, last_error=?3, consecutive_errors=feed_state.consecutive_errors + 1, next_fetch_at=?4",
            params![url, now(), error, next_fetch_at.map(|t| t.to_rfc3339())],
        )
        .or_store(self)?;
        conn.query_row(
            "SELECT consecutive_errors FROM feed_state WHERE url = ?1",
            [url],
            |r| r.get(0),
        )
        .or_store(self)
    }
}
