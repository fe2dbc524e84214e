//! When each learner's lesson is made and sent. Pure functions of a clock value, so every
//! rule here is tested with an injected `now`: local delivery times across daylight-saving
//! changes, the lead time for making lessons, the catch-up cut-off after downtime and the
//! retry back-off.
//!
//! Invariants:
//! - A learner's lesson for a local date is due at their local delivery time on that date,
//!   computed from the IANA zone for that very date (never a fixed UTC offset).
//! - Only the learner's local today and tomorrow are ever considered: after downtime a
//!   learner gets at most today's lesson, never several days' lessons at once.
//! - A lesson more than the cut-off late is not sent at all.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::DeliveryConfig;

/// The zone of an IANA name, with an error that says what to use instead.
pub fn zone(name: &str) -> Result<Tz, String> {
    name.parse()
        .map_err(|_| format!("unknown time zone `{name}` (use an IANA name such as Europe/Berlin)"))
}

/// The instant a lesson for local `date` is due: `time` on `date` in `tz`. A time that does
/// not exist that day (skipped by a spring-forward change) becomes the first minute after
/// the gap; a time that occurs twice (autumn) is its first occurrence.
pub fn due_at(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: the first valid minute after it.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            // No zone has a day-long gap; fall back to reading the time as UTC.
            Utc.from_utc_datetime(&local)
        }
    }
}

/// The learner's local date at `now`.
pub fn local_date(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Local dates whose lesson should exist by `now`: the lesson is made from `lead` before its
/// delivery time until the cut-off after it. Only today and tomorrow (local) are candidates.
pub fn dates_to_prepare(
    tz: Tz,
    time: NaiveTime,
    now: DateTime<Utc>,
    config: &DeliveryConfig,
) -> Vec<NaiveDate> {
    let today = local_date(tz, now);
    [today, today.succ_opt().unwrap_or(today)]
        .into_iter()
        .filter(|&date| {
            let due = due_at(tz, date, time);
            now >= due - config.lead && now <= due + config.late_cutoff
        })
        .collect()
}

/// What to do with a stored, unsent lesson at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendDecision {
    /// Due (and any retry back-off has passed): send it.
    Send,
    /// Not yet: its time (or its next attempt) is later.
    Wait,
    /// More than the cut-off late: never send it; record it as missed.
    Missed,
}

/// Whether a lesson due at `due` (next attempt not before `next_attempt`) is sent at `now`.
pub fn send_decision(
    due: DateTime<Utc>,
    next_attempt: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    config: &DeliveryConfig,
) -> SendDecision {
    if now > due + config.late_cutoff {
        SendDecision::Missed
    } else if now < due || next_attempt.is_some_and(|t| now < t) {
        SendDecision::Wait
    } else {
        SendDecision::Send
    }
}

/// When to try again after `attempts` failed attempts: the first back-off doubled each
/// time, capped at an hour. `None` when the attempts are used up.
pub fn next_attempt(
    attempts: u32,
    now: DateTime<Utc>,
    config: &DeliveryConfig,
) -> Option<DateTime<Utc>> {
    if attempts >= config.max_attempts {
        return None;
    }
    let factor = 1i32 << attempts.saturating_sub(1).min(10);
    let wait = (config.retry_backoff * factor).min(Duration::hours(1));
    Some(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DeliveryConfig {
        DeliveryConfig::default()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn time(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    #[test]
    fn delivery_time_follows_daylight_saving_in_each_zone() {
        let berlin = zone("Europe/Berlin").unwrap();
        let new_york = zone("America/New_York").unwrap();
        // Europe leaves summer time on 2026-10-25; the US on 2026-11-01.
        assert_eq!(
            due_at(berlin, date("2026-10-24"), time("07:00")),
            utc("2026-10-24T05:00:00Z")
        );
        assert_eq!(
            due_at(berlin, date("2026-10-26"), time("07:00")),
            utc("2026-10-26T06:00:00Z")
        );
        assert_eq!(
            due_at(new_york, date("2026-10-31"), time("07:00")),
            utc("2026-10-31T11:00:00Z")
        );
        assert_eq!(
            due_at(new_york, date("2026-11-02"), time("07:00")),
            utc("2026-11-02T12:00:00Z")
        );
        // Spring forward: 02:30 does not exist in Berlin on 2026-03-29; it is sent when the
        // clocks show 03:00, the first minute after the gap.
        assert_eq!(
            due_at(berlin, date("2026-03-29"), time("02:30")),
            utc("2026-03-29T01:00:00Z")
        );
        // Fall back: 02:30 happens twice on 2026-10-25; the first one counts.
        assert_eq!(
            due_at(berlin, date("2026-10-25"), time("02:30")),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn lessons_are_prepared_within_the_lead_and_sent_on_time() {
        let cfg = config();
        let tz = zone("Asia/Tokyo").unwrap();
        let at = time("08:00"); // 23:00 UTC the day before
        // Three hours before: nothing to make yet (lead is two hours).
        assert!(dates_to_prepare(tz, at, utc("2026-11-25T20:00:00Z"), &cfg).is_empty());
        // Within the lead: tomorrow's (local today's) lesson.
        assert_eq!(
            dates_to_prepare(tz, at, utc("2026-11-25T21:30:00Z"), &cfg),
            vec![date("2026-11-26")]
        );
        let due = due_at(tz, date("2026-11-26"), at);
        assert_eq!(
            send_decision(due, None, utc("2026-11-25T22:59:00Z"), &cfg),
            SendDecision::Wait
        );
        assert_eq!(
            send_decision(due, None, utc("2026-11-25T23:00:00Z"), &cfg),
            SendDecision::Send
        );
    }

    #[test]
    fn downtime_past_the_cut_off_skips_the_day_and_never_sends_old_days() {
        let cfg = config();
        let tz = zone("Europe/Madrid").unwrap();
        let at = time("07:00"); // 06:00 UTC in winter
        let due = due_at(tz, date("2026-11-26"), at);
        // Back up two hours late: still sent, once.
        let back = utc("2026-11-26T08:00:00Z");
        assert_eq!(
            dates_to_prepare(tz, at, back, &cfg),
            vec![date("2026-11-26")]
        );
        assert_eq!(send_decision(due, None, back, &cfg), SendDecision::Send);
        // Back up six hours late: past the four-hour cut-off, today's lesson is skipped.
        let late = utc("2026-11-26T12:00:00Z");
        assert!(dates_to_prepare(tz, at, late, &cfg).is_empty());
        assert_eq!(send_decision(due, None, late, &cfg), SendDecision::Missed);
        // Down for three days: only the current day is ever considered.
        let days_later = utc("2026-11-29T06:30:00Z");
        assert_eq!(
            dates_to_prepare(tz, at, days_later, &cfg),
            vec![date("2026-11-29")]
        );
        assert_eq!(
            send_decision(due, None, days_later, &cfg),
            SendDecision::Missed
        );
    }

    #[test]
    fn retries_back_off_and_stop() {
        let cfg = config();
        let now = utc("2026-11-26T06:00:00Z");
        let first = next_attempt(1, now, &cfg).unwrap();
        let second = next_attempt(2, now, &cfg).unwrap();
        assert_eq!(first - now, cfg.retry_backoff);
        assert_eq!(second - now, cfg.retry_backoff * 2);
        assert!(next_attempt(cfg.max_attempts, now, &cfg).is_none());
        let due = now;
        assert_eq!(
            send_decision(due, Some(first), now, &cfg),
            SendDecision::Wait
        );
        assert_eq!(
            send_decision(due, Some(first), first, &cfg),
            SendDecision::Send
        );
    }

    #[test]
    fn unknown_zones_say_what_to_use() {
        let e = zone("Mars/Olympus").unwrap_err();
        assert!(e.contains("Mars/Olympus") && e.contains("IANA"), "{e}");
    }
}
