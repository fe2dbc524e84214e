//! The mail stage: every open delivery that is due, sent once, each send bracketed by
//! committed ledger writes.

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
    let pacer = Pacer::new(cfg.rate_per_second);
    let sends = due.into_iter().map(|d| {
        let pacer = &pacer;
        async move {
            pacer.wait().await;
            send_one(services, d, now).await
        }
    });
    let mut outcomes = futures_util::stream::iter(sends).buffer_unordered(cfg.connections);
    let mut done = 0;
    while let Some((d, outcome)) = outcomes.next().await {
        done += 1;
        match outcome {
            Ok(Sent) => report.mails_sent += 1,
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
    Failed {
        error: String,
        retry: bool,
        paused: bool,
    },
}
use SendResult::{Failed, Sent};

/// One SMTP transaction, with the ledger written before and after it.
async fn send_one(
    services: &Services,
    d: OpenDelivery,
    now: DateTime<Utc>,
) -> (OpenDelivery, Result<SendResult, crate::store::StoreError>) {
    let result = async {
        let store = &services.store;
        let cfg = &services.config.delivery;
        let bytes = store.delivery_message(d.id)?;
        store.start_delivery(d.id)?;
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
