//! The mail stage: every open delivery that is due, sent once, each send bracketed by
//! committed ledger writes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::delivery::{Pacer, SendError};
use crate::report::{FailureKind, RunReport};
use crate::schedule::{self, SendDecision};
use crate::store::{DeliveryOutcome, OpenDelivery};

use super::{Progress, RunOptions, Services, Timing};

/// Sends the lessons that are due (all of today's with [`Timing::Now`]), marks those past
/// the cut-off as missed, and records every outcome in the ledger. Sends run on
/// `[delivery] connections` at once, at most `rate_per_second`.
pub async fn delivery_stage(
    services: &Services,
    report: &mut RunReport,
    progress: Progress,
    options: &RunOptions,
) -> anyhow::Result<()> {
    let now = options.now;
    let cfg = &services.config.delivery;
    let store = &services.store;
    let mut due = Vec::new();
    for d in store.open_deliveries()? {
        // Mail workers share the ledger: what another process is sending now is its.
        if d.sent_elsewhere(now.max(Utc::now()), crate::runlock::holder_alive) {
            continue;
        }
        let tz = match schedule::zone(&d.timezone) {
            Ok(tz) => tz,
            Err(e) => {
                report.fail(FailureKind::Mail, &d.email, e);
                continue;
            }
        };
        let due_at = d.due_at.unwrap_or(now);
        let decision = match options.timing {
            // Today's lessons go now, whatever their time or back-off; older ones only
            // within the cut-off.
            Timing::Now if d.lesson_date >= schedule::local_date(tz, now) => SendDecision::Send,
            Timing::Now => schedule::send_decision(due_at, None, now, cfg),
            Timing::Scheduled => schedule::send_decision(due_at, d.next_attempt_at, now, cfg),
        };
        match decision {
            SendDecision::Send => due.push(d),
            SendDecision::Wait => {}
            SendDecision::Missed => {
                let why = format!(
                    "not sent: {} minutes after its delivery time, past the cut-off of {} minutes",
                    (now - due_at).num_minutes(),
                    cfg.late_cutoff.num_minutes()
                );
                store.miss_delivery(d.id, &why)?;
                report.mails_missed += 1;
                report.fail(
                    FailureKind::Mail,
                    &d.email,
                    format!("{} lesson {why}", d.lesson_date),
                );
            }
        }
    }
    if due.is_empty() {
        return Ok(());
    }
    let total = due.len();
    progress.say(format!(
        "Sending {total} lessons ({} connections{}) ...",
        cfg.connections,
        if cfg.rate_per_second > 0.0 {
            format!(", at most {}/s", cfg.rate_per_second)
        } else {
            String::new()
        }
    ));
    // Workers sharing the ledger each start at their own place in it, so that they meet
    // on a lease rarely.
    if let Some(worker) = crate::runlock::process_name() {
        let start = super::start_for(Some(worker), due.len());
        due.rotate_left(start);
    }
    let pacer = Pacer::new(cfg.rate_per_second);
    let owner = crate::runlock::new_owner();
    let sends = due
        .into_iter()
        .map(|d| send_one(services, d, now, &owner, &pacer));
    let mut outcomes = futures_util::stream::iter(sends).buffer_unordered(cfg.connections);
    let mut done = 0;
    while let Some((d, outcome)) = outcomes.next().await {
        done += 1;
        match outcome {
            Ok(Sent) => report.mails_sent += 1,
            Ok(Elsewhere) => {}
            Ok(Failed {
                error,
                retry,
                paused,
            }) => {
                if retry {
                    report.mails_retrying += 1;
                } else {
                    report.mails_failed += 1;
                }
                progress.say(format!("  x {}: {error}", d.email));
                report.fail(FailureKind::Mail, &d.email, &error);
                if paused {
                    report.learners_paused += 1;
                    report.fail(
                        FailureKind::Learner,
                        &d.email,
                        "paused after repeated permanent mail failures (see `learners list`)",
                    );
                }
            }
            Err(e) => {
                // The ledger could not be written: stop sending rather than risk duplicates.
                return Err(anyhow::Error::new(e).context(format!("delivery to {}", d.email)));
            }
        }
        if done % 500 == 0 {
            progress.say(format!("  [{done}/{total}] mails handled"));
        }
    }
    Ok(())
}

/// How one send ended (ledger already updated).
enum SendResult {
    Sent,
    /// Another process leased it first (it read the ledger at the same time).
    Elsewhere,
    Failed {
        error: String,
        retry: bool,
        paused: bool,
    },
}
use SendResult::{Elsewhere, Failed, Sent};

/// How long a lease on a delivery being sent lasts: a send that outlives it could be
/// taken over by another machine and sent twice, so it is far longer than an SMTP
/// transaction may take (its commands time out after `[smtp] timeout_secs`).
fn lease_time(services: &Services) -> chrono::Duration {
    let smtp = services
        .config
        .mail
        .smtp
        .as_ref()
        .map_or(Duration::ZERO, |s| s.timeout * 10);
    chrono::Duration::from_std(smtp.max(Duration::from_secs(600))).unwrap_or(chrono::Duration::MAX)
}

/// One SMTP transaction under a lease, with the ledger written before and after it.
async fn send_one(
    services: &Services,
    d: OpenDelivery,
    now: DateTime<Utc>,
    owner: &str,
    pacer: &Pacer,
) -> (OpenDelivery, Result<SendResult, crate::store::StoreError>) {
    let result = async {
        let store = &services.store;
        let cfg = &services.config.delivery;
        let bytes = store.delivery_message(d.id)?;
        // Leased before the wait for the rate limit, so that a worker spends its sending
        // rate on its own mail, not on mail another worker took meanwhile.
        if !store.lease_delivery(d.id, d.attempts, owner, Utc::now() + lease_time(services))? {
            return Ok(Elsewhere);
        }
        pacer.wait().await;
        let stem = format!("{}_{}_{}", d.lesson_date, d.learner_id, d.email);
        let outcome = match services.mailer.send(&d.email, &bytes, &stem).await {
            Ok(sent) => DeliveryOutcome::Sent {
                transport: sent.transport_name().to_string(),
            },
            Err(SendError::Transient(e)) => DeliveryOutcome::Retry {
                retry_at: schedule::next_attempt(d.attempts + 1, now, cfg),
                error: e,
            },
            Err(SendError::Permanent(e)) => DeliveryOutcome::Permanent {
                error: e,
                pause_after: cfg.pause_after_failures,
            },
        };
        let paused = store.finish_delivery(d.id, &outcome)?;
        Ok(match outcome {
            DeliveryOutcome::Sent { .. } => Sent,
            DeliveryOutcome::Retry { error, retry_at } => Failed {
                error: match retry_at {
                    Some(t) => format!(
                        "temporary failure, attempt {} of {}; next at {}: {error}",
                        d.attempts + 1,
                        cfg.max_attempts,
                        t.format("%H:%M:%S UTC")
                    ),
                    None => format!(
                        "temporary failure, gave up after {} attempts: {error}",
                        d.attempts + 1
                    ),
                },
                retry: retry_at.is_some(),
                paused,
            },
            DeliveryOutcome::Permanent { error, .. } => Failed {
                error: format!("permanent failure: {error}"),
                retry: false,
                paused,
            },
        })
    }
    .await;
    (d, result)
}
