//! When a feed is fetched again: after an answer, its `ttl` or Cache-Control max-age;
//! after a failure, what the server asked for or a doubling back-off. Pure functions of
//! an injected `now`.

use chrono::{DateTime, Utc};

/// When to fetch a feed again after it answered: the later of its RSS `ttl` and its
/// Cache-Control max-age, capped at a day; `None` means the next run.
pub fn next_fetch_after_ok(
    now: DateTime<Utc>,
    ttl_minutes: Option<u32>,
    max_age: Option<std::time::Duration>,
) -> Option<DateTime<Utc>> {
    let ttl = ttl_minutes.map(|m| std::time::Duration::from_secs(u64::from(m) * 60));
    let wait = ttl.into_iter().chain(max_age).max()?;
    let wait = wait.min(std::time::Duration::from_secs(24 * 3600));
    Some(now + chrono::Duration::from_std(wait).ok()?)
}

/// When to try a failed feed again: what the server asked for (Retry-After), else the
/// back-off doubled for each failure in a row, capped at a day.
pub fn next_fetch_after_error(
    now: DateTime<Utc>,
    streak: i64,
    backoff: std::time::Duration,
    retry_after: Option<std::time::Duration>,
) -> DateTime<Utc> {
    let doubled = backoff.saturating_mul(1 << streak.clamp(1, 10).saturating_sub(1));
    let wait = retry_after
        .unwrap_or(doubled)
        .min(std::time::Duration::from_secs(24 * 3600));
    now + chrono::Duration::from_std(wait).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn feeds_are_fetched_again_after_their_ttl_or_max_age() {
        let now = t("2026-11-26T08:00:00Z");
        assert_eq!(next_fetch_after_ok(now, None, None), None);
        assert_eq!(
            next_fetch_after_ok(now, Some(60), Some(Duration::from_secs(600))),
            Some(t("2026-11-26T09:00:00Z"))
        );
        assert_eq!(
            next_fetch_after_ok(now, None, Some(Duration::from_secs(7 * 24 * 3600))),
            Some(t("2026-11-27T08:00:00Z")),
            "capped at a day"
        );
    }

    #[test]
    fn failed_feeds_back_off_or_wait_as_asked() {
        let now = t("2026-11-26T08:00:00Z");
        let base = Duration::from_secs(15 * 60);
        assert_eq!(
            next_fetch_after_error(now, 1, base, None),
            t("2026-11-26T08:15:00Z")
        );
        assert_eq!(
            next_fetch_after_error(now, 3, base, None),
            t("2026-11-26T09:00:00Z")
        );
        assert_eq!(
            next_fetch_after_error(now, 1, base, Some(Duration::from_secs(120))),
            t("2026-11-26T08:02:00Z")
        );
    }
}
