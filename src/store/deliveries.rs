//! The delivery ledger: pending -> sending -> sent | failed, or missed.

use chrono::{DateTime, NaiveDate, Utc};

use super::db::{OptionalExtension, params};
use super::{OrStore, Store, StoreError, now};

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
    /// The process that leased it last ([`Store::lease_delivery`]), and until when.
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
}

impl OpenDelivery {
    /// Whether another process is sending it now: it is `sending` under a lease whose holder
    /// `holder_alive` knows to run, or, where it cannot tell (`None`: another machine),
    /// whose lease has not expired. A delivery left `sending` by a process that is gone is
    /// not: it is sent again, with the same bytes and Message-ID.
    pub fn sent_elsewhere(
        &self,
        now: DateTime<Utc>,
        holder_alive: impl Fn(&str) -> Option<bool>,
    ) -> bool {
        if self.state != DeliveryState::Sending {
            return false;
        }
        let Some(owner) = &self.lease_owner else {
            return false;
        };
        match holder_alive(owner) {
            Some(alive) => alive,
            None => self.lease_until.is_some_and(|until| until > now),
        }
    }
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

impl Store {
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
            .or_store(self)
    }

    /// Deliveries not yet sent, failed or missed, of active learners, oldest first.
    pub fn open_deliveries(&self) -> Result<Vec<OpenDelivery>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT d.id, d.learner_id, l.email, l.timezone, d.lesson_date, d.message_id,
                        d.state, d.attempts, d.due_at, d.next_attempt_at, d.lease_owner,
                        d.lease_until
                 FROM deliveries d JOIN learners l ON l.id = d.learner_id
                 WHERE d.state IN ('pending', 'sending') AND l.active = 1
                 ORDER BY COALESCE(d.due_at, d.created_at), d.id",
            )
            .or_store(self)?;
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
                    lease_owner: r.get(10)?,
                    lease_until: time(r.get(11)?),
                })
            })
            .or_store(self)?;
        rows.collect::<Result<Vec<_>, _>>().or_store(self)
    }

    /// The stored message of a delivery.
    pub fn delivery_message(&self, delivery_id: i64) -> Result<Vec<u8>, StoreError> {
        self.conn()
            .query_row(
                "SELECT message FROM deliveries WHERE id = ?1",
                [delivery_id],
                |r| r.get(0),
            )
            .or_store(self)
    }

    /// Leases a delivery to `owner` until `until` and marks it as being sent (committed
    /// before the SMTP transaction starts). `seen_attempts` is its attempt count as the
    /// caller read it: every lease counts an attempt, so the lease is refused (false) when
    /// another process leased it since, or it reached a final state. One conditional
    /// update: of two processes that read it alike, one gets it.
    pub fn lease_delivery(
        &self,
        delivery_id: i64,
        seen_attempts: u32,
        owner: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1,
                    lease_owner = ?3, lease_until = ?4
                 WHERE id = ?1 AND attempts = ?2 AND state IN ('pending', 'sending')",
                params![
                    delivery_id,
                    i64::from(seen_attempts),
                    owner,
                    until.to_rfc3339()
                ],
            )
            .or_store(self)?;
        Ok(n == 1)
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
        let tx = conn.transaction().or_store(self)?;
        let learner_id: i64 = tx
            .query_row(
                "SELECT learner_id FROM deliveries WHERE id = ?1",
                [delivery_id],
                |r| r.get(0),
            )
            .or_store(self)?;
        let t = now();
        let mut paused = false;
        match outcome {
            DeliveryOutcome::Sent { transport } => {
                tx.execute(
                    "UPDATE deliveries SET state = 'sent', transport = ?2, last_error = NULL,
                        next_attempt_at = NULL, sent_at = ?3, lease_until = NULL WHERE id = ?1",
                    params![delivery_id, transport, t],
                )
                .or_store(self)?;
                tx.execute(
                    "UPDATE learners SET mail_failures = 0 WHERE id = ?1",
                    [learner_id],
                )
                .or_store(self)?;
            }
            DeliveryOutcome::Retry { error, retry_at } => {
                let (state, at) = match retry_at {
                    Some(at) => ("pending", Some(at.to_rfc3339())),
                    None => ("failed", None),
                };
                tx.execute(
                    "UPDATE deliveries SET state = ?2, last_error = ?3, next_attempt_at = ?4,
                        lease_until = NULL
                     WHERE id = ?1",
                    params![delivery_id, state, error, at],
                )
                .or_store(self)?;
            }
            DeliveryOutcome::Permanent { error, pause_after } => {
                tx.execute(
                    "UPDATE deliveries SET state = 'failed', last_error = ?2, next_attempt_at = NULL,
                        lease_until = NULL
                     WHERE id = ?1",
                    params![delivery_id, error],
                )
                .or_store(self)?;
                let failures: i64 = tx
                    .query_row(
                        "UPDATE learners SET mail_failures = mail_failures + 1 WHERE id = ?1
                         RETURNING mail_failures",
                        [learner_id],
                        |r| r.get(0),
                    )
                    .or_store(self)?;
                if *pause_after > 0 && failures >= i64::from(*pause_after) {
                    let reason = format!(
                        "paused after {failures} permanent mail failures in a row; last: {error}"
                    );
                    tx.execute(
                        "UPDATE learners SET active = 0, paused_reason = ?2 WHERE id = ?1",
                        params![learner_id, reason],
                    )
                    .or_store(self)?;
                    paused = true;
                }
            }
        }
        tx.commit().or_store(self)?;
        Ok(paused)
    }

    /// Marks a delivery as missed: it would have been later than the cut-off.
    pub fn miss_delivery(&self, delivery_id: i64, why: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE deliveries SET state = 'missed', last_error = ?2 WHERE id = ?1",
                params![delivery_id, why],
            )
            .or_store(self)?;
        Ok(())
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
                 WHERE CAST(?1 AS TEXT) IS NULL OR lesson_date = ?1 GROUP BY state ORDER BY state",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map([date.map(|d| d.to_string())], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
    }
}
