//! The delivery ledger against a real SMTP server (aiosmtpd) on 127.0.0.1: crashes, mail
//! server faults, schedules with an injected clock, overlapping runs.
//!
//! Lessons are seeded straight into the store (their making is tested in daily.rs), so these
//! tests exercise exactly the part under test: the ledger and the sending.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use futures_util::FutureExt;
use hyperlearn::articles::{Article, Cefr, Level, TextSource};
use hyperlearn::config::Config;
use hyperlearn::delivery::{Renderer, lesson_message_id};
use hyperlearn::exercise::Exercise;
use hyperlearn::pipeline::{self, RunOptions, Services};
use hyperlearn::runlock::RunLock;
use hyperlearn::store::{DeliveryState, NewLearner, Store, StoreLocation};

use crate::support::{Smtp, free_port, ids_by_recipient, put_store, write_config};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A config for delivery tests: SMTP on `port`, `[delivery]` settings from `delivery`.
fn delivery_config(dir: &Path, port: u16, delivery: &str) -> Config {
    write_config(dir, Some(port), "");
    let path = dir.join("config.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n[delivery]\n{delivery}\n"));
    std::fs::write(&path, text).unwrap();
    Config::from_file(&path).unwrap()
}

/// The seeded lessons' article.
const SEEDED_TEXT: &str = "Robots clean the harbour of Port Alden every week now.";

/// Adds learners (address, zone, local time) with a lesson for `date` due at `due`
/// (or at their local time when `None`), as the lesson stage stores them: a verified
/// lesson, composed.
fn seed(
    config: &Config,
    learners: &[(&str, &str, &str)],
    date: NaiveDate,
    due: Option<DateTime<Utc>>,
) -> Vec<i64> {
    let store = Store::connect(&config.store).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let article_id = store
        .insert_article(&Article {
            url: format!("http://127.0.0.1/seed/{date}.html"),
            title: "Seeded article".into(),
            byline: None,
            published: None,
            lang: "en".into(),
            text: SEEDED_TEXT.into(),
            level: Level {
                score: 3.0,
                cefr: Cefr::B1,
            },
            topics: vec![],
            image: None,
            source: "test".into(),
            text_source: TextSource::Page,
        })
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for (email, tz, time) in learners {
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        let learner = match store.find_learner(email) {
            Ok(l) => l,
            Err(_) => store
                .add_learner(&NewLearner {
                    name: "Learner".into(),
                    delivery_time: time,
                    timezone: tz.to_string(),
                    ..crate::support::learner(email)
                })
                .unwrap(),
        };
        let due = due.unwrap_or_else(|| {
            hyperlearn::schedule::due_at(tz.parse().unwrap(), date, learner.delivery_time)
        });
        let exercise = Exercise::TrueFalse {
            statement: "Robots clean the harbour every week.".into(),
            answer: true,
            evidence: SEEDED_TEXT.into(),
        };
        // A lesson of constructed exercises: verifying them waits on no model.
        let kept = pipeline::keep_lesson(
            &store,
            &renderer,
            &config.mail,
            &learner,
            article_id,
            date,
            vec![exercise],
            vec![],
            due,
        )
        .now_or_never()
        .expect("no model to wait for")
        .unwrap();
        assert_eq!(
            kept.message_id,
            lesson_message_id(&config.mail, learner.id, date)
        );
        ids.push(learner.id);
    }
    ids
}

fn mail_run(now: DateTime<Utc>) -> RunOptions {
    RunOptions {
        now,
        ..RunOptions::scheduled(hyperlearn::pipeline::Stage::Mail, true)
    }
}

async fn deliver(services: &Services, now: DateTime<Utc>) -> hyperlearn::report::RunReport {
    pipeline::run(services, None, &mail_run(now)).await.unwrap()
}

fn state(services: &Services, email: &str, date: NaiveDate) -> DeliveryState {
    let l = services.store.find_learner(email).unwrap();
    services
        .store
        .delivery_for(l.id, date)
        .unwrap()
        .unwrap()
        .state
}

/// Message-IDs received per recipient.

#[test]
fn crash_recovery_every_learner_gets_exactly_one_lesson_through_kills() {
    crash_recovery(None);
}

/// The same kills with the ledger in PostgreSQL, when the tests have a cluster.
#[test]
fn crash_recovery_on_postgresql_sends_each_lesson_once_too() {
    match hyperlearn::store::testing::test_postgres() {
        Some(store) => crash_recovery(Some(store)),
        None => eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)"),
    }
}

fn crash_recovery(store: Option<StoreLocation>) {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start();
    // Slow enough that the kills land mid-run.
    delivery_config(
        dir.path(),
        smtp.port,
        "rate_per_second = 60\nconnections = 3",
    );
    put_store(dir.path(), store.as_ref());
    let config = Config::from_file(&dir.path().join("config.toml")).unwrap();
    let now = Utc::now();
    let date = now.date_naive();
    let emails: Vec<String> = (0..200)
        .map(|i| format!("learner{i:03}@example.org"))
        .collect();
    let learners: Vec<(&str, &str, &str)> = emails
        .iter()
        .map(|e| (e.as_str(), "UTC", "00:00"))
        .collect();
    seed(
        &config,
        &learners,
        date,
        Some(now - chrono::Duration::minutes(1)),
    );

    let deliver_cmd = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hyperlearn"));
        c.arg("--config")
            .arg(dir.path().join("config.toml"))
            .args(["-q", "deliver"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    // Deterministic kill moments.
    let mut rng = hyperlearn::generation::Rng::new(7);
    let mut kills_mid_run = 0;
    let mut runs = 0;
    while kills_mid_run < 25 && runs < 80 {
        runs += 1;
        let mut child = deliver_cmd().spawn().unwrap();
        std::thread::sleep(Duration::from_millis(40 + rng.below(260) as u64));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills_mid_run += 1;
        }
        child.wait().unwrap();
    }
    // Then run to the end, as a restarted service would.
    let status = deliver_cmd().status().unwrap();
    assert!(status.success());
    assert!(
        kills_mid_run >= 20,
        "only {kills_mid_run} kills landed mid-run in {runs} runs"
    );

    let received = ids_by_recipient(&smtp);
    let mut duplicates = 0;
    for email in &emails {
        let ids = received
            .get(email)
            .unwrap_or_else(|| panic!("{email} got no lesson"));
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(
            distinct.len(),
            1,
            "{email} got different lessons for one day: {ids:?}"
        );
        duplicates += ids.len() - 1;
    }
    assert_eq!(received.len(), emails.len(), "mail to unknown recipients");
    let store = Store::connect(&config.store).unwrap();
    assert_eq!(
        store.delivery_counts(Some(date)).unwrap(),
        vec![("sent".to_string(), 200)]
    );
    eprintln!(
        "crash_recovery: {kills_mid_run} kills mid-run in {runs} runs; {duplicates} resends \
         with the same Message-ID after a kill between SMTP and the ledger"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_server_faults_end_in_the_expected_ledger_state() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start();
    let config = delivery_config(
        dir.path(),
        smtp.port,
        "rate_per_second = 0\nmax_attempts = 3\nretry_backoff_secs = 60\npause_after_failures = 2",
    );
    let t0 = utc("2026-11-26T07:00:00Z");
    let day1: NaiveDate = "2026-11-26".parse().unwrap();
    let all = [
        "ok1@example.org",
        "rcpt451-a@example.org",
        "rcpt452-b@example.org",
        "reject550-c@example.org",
        "drop-d@example.org",
        "ok2@example.org",
    ];
    let learners: Vec<_> = all.iter().map(|e| (*e, "UTC", "07:00")).collect();
    seed(&config, &learners, day1, None);
    let services = Services::open(config.clone()).unwrap();

    let report = deliver(&services, t0).await;
    assert_eq!(report.mails_sent, 2, "{report}");
    assert_eq!(report.mails_retrying, 3, "{report}");
    assert_eq!(report.mails_failed, 1, "{report}");
    for (email, expected) in [
        ("ok1@example.org", DeliveryState::Sent),
        ("ok2@example.org", DeliveryState::Sent),
        ("rcpt451-a@example.org", DeliveryState::Pending),
        ("rcpt452-b@example.org", DeliveryState::Pending),
        ("drop-d@example.org", DeliveryState::Pending),
        ("reject550-c@example.org", DeliveryState::Failed),
    ] {
        assert_eq!(state(&services, email, day1), expected, "{email}");
    }
    // The dropped connection happened after the server stored the message.
    assert_eq!(ids_by_recipient(&smtp)["drop-d@example.org"].len(), 1);

    // A run before the back-off has passed leaves them alone.
    let quiet = deliver(&services, t0 + chrono::Duration::seconds(30)).await;
    assert!(quiet.is_idle(), "{quiet}");

    // After the back-off: retried; the ambiguous one is resent with the same Message-ID.
    let again = deliver(&services, t0 + chrono::Duration::minutes(2)).await;
    assert_eq!(again.mails_retrying, 3, "{again}");
    let drop_ids = &ids_by_recipient(&smtp)["drop-d@example.org"];
    assert_eq!(drop_ids.len(), 2);
    assert_eq!(drop_ids[0], drop_ids[1], "a resend keeps its Message-ID");
    // Third attempt is the last (max_attempts = 3): failed, not retried forever.
    let last = deliver(&services, t0 + chrono::Duration::minutes(10)).await;
    assert_eq!(last.mails_failed, 3, "{last}");
    assert_eq!(
        state(&services, "rcpt451-a@example.org", day1),
        DeliveryState::Failed
    );

    // A second permanent failure in a row pauses the learner, with the reason shown.
    let day2 = day1.succ_opt().unwrap();
    seed(
        &config,
        &[("reject550-c@example.org", "UTC", "07:00")],
        day2,
        None,
    );
    let report = deliver(&services, t0 + chrono::Duration::days(1)).await;
    assert_eq!(report.learners_paused, 1, "{report}");
    let learner = services
        .store
        .find_learner("reject550-c@example.org")
        .unwrap();
    assert!(!learner.active);
    let why = &services.store.paused_reasons().unwrap()[&learner.id];
    assert!(why.contains("550") && why.contains("2 permanent"), "{why}");
    // Nothing of this stopped the others.
    assert_eq!(ids_by_recipient(&smtp)["ok1@example.org"].len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_at_connect_or_is_down_gets_the_mail_later() {
    // 421 at connect: temporary.
    let dir = tempfile::tempdir().unwrap();
    let busy = Smtp::start_with(free_port(), &["--greet421"]);
    let config = delivery_config(dir.path(), busy.port, "rate_per_second = 0");
    let day: NaiveDate = "2026-11-26".parse().unwrap();
    seed(&config, &[("a@example.org", "UTC", "07:00")], day, None);
    let services = Services::open(config).unwrap();
    let t0 = utc("2026-11-26T07:00:30Z");
    let report = deliver(&services, t0).await;
    assert_eq!(report.mails_retrying, 1, "{report}");
    assert!(
        report.failures.iter().any(|f| f.error.contains("421")),
        "{report}"
    );
    assert_eq!(
        state(&services, "a@example.org", day),
        DeliveryState::Pending
    );

    // Down for a while, then back: the mail goes out once it is up.
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = delivery_config(dir.path(), port, "rate_per_second = 0");
    seed(&config, &[("b@example.org", "UTC", "07:00")], day, None);
    let services = Services::open(config).unwrap();
    let down = deliver(&services, t0).await;
    assert_eq!(down.mails_retrying, 1, "{down}");
    let smtp = Smtp::start_with(port, &[]);
    let up = deliver(&services, t0 + chrono::Duration::minutes(5)).await;
    assert_eq!(up.mails_sent, 1, "{up}");
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(state(&services, "b@example.org", day), DeliveryState::Sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_times_across_daylight_saving_and_downtime_past_the_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start();
    let config = delivery_config(
        dir.path(),
        smtp.port,
        "rate_per_second = 0\nlate_cutoff_minutes = 180",
    );
    // Europe leaves summer time on 2026-10-25, the US on 2026-11-01.
    let before = "2026-10-24".parse().unwrap();
    let after = "2026-10-26".parse().unwrap();
    let learners = [
        ("berlin@example.org", "Europe/Berlin", "07:00"),
        ("newyork@example.org", "America/New_York", "07:00"),
    ];
    seed(&config, &learners, before, None);
    seed(&config, &learners, after, None);
    let services = Services::open(config).unwrap();

    // Saturday 24 October, summer time: Berlin at 05:00 UTC, New York at 11:00 UTC.
    assert!(
        deliver(&services, utc("2026-10-24T04:59:00Z"))
            .await
            .is_idle()
    );
    let r = deliver(&services, utc("2026-10-24T05:00:00Z")).await;
    assert_eq!(r.mails_sent, 1, "{r}");
    assert_eq!(
        state(&services, "berlin@example.org", before),
        DeliveryState::Sent
    );
    let r = deliver(&services, utc("2026-10-24T11:00:00Z")).await;
    assert_eq!(r.mails_sent, 1, "{r}");

    // Monday 26 October: Berlin is on winter time (06:00 UTC); New York not yet (11:00).
    assert!(
        deliver(&services, utc("2026-10-26T05:30:00Z"))
            .await
            .is_idle()
    );
    let r = deliver(&services, utc("2026-10-26T06:00:00Z")).await;
    assert_eq!(r.mails_sent, 1, "{r}");
    // The service was down from 10:00 to 15:00 UTC: New York's lesson (due 11:00) is four
    // hours late at 15:00, past the three-hour cut-off: skipped, never sent late.
    let r = deliver(&services, utc("2026-10-26T15:00:00Z")).await;
    assert_eq!((r.mails_sent, r.mails_missed), (0, 1), "{r}");
    assert_eq!(
        state(&services, "newyork@example.org", after),
        DeliveryState::Missed
    );
    assert_eq!(smtp.messages().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_never_overlaps_a_slow_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start();
    let config = delivery_config(dir.path(), smtp.port, "rate_per_second = 0");
    let day: NaiveDate = "2026-11-26".parse().unwrap();
    seed(&config, &[("a@example.org", "UTC", "07:00")], day, None);
    let services = Services::open(config.clone()).unwrap();
    // A slow previous run (another process, say) holds the mail lock.
    let held = RunLock::acquire(&config.store, "mail", Duration::from_secs(60)).unwrap();
    let err = pipeline::run(&services, None, &mail_run(utc("2026-11-26T07:05:00Z")))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("another mail run is in progress"), "{err}");
    assert!(smtp.messages().is_empty());
    // Lessons may still be made meanwhile: the locks are per stage.
    let _lessons = RunLock::acquire(&config.store, "lessons", Duration::from_secs(60)).unwrap();
    drop(held);
    let r = deliver(&services, utc("2026-11-26T07:05:00Z")).await;
    assert_eq!(r.mails_sent, 1, "{r}");
}

#[test]
fn deliver_all_sends_todays_lessons_now() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start();
    let config = delivery_config(dir.path(), smtp.port, "rate_per_second = 0");
    let now = Utc::now();
    // Due at 23:59 local: not yet, unless --all.
    seed(
        &config,
        &[("late@example.org", "UTC", "23:59")],
        now.date_naive(),
        Some(now + chrono::Duration::hours(3)),
    );
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_hyperlearn"))
            .arg("--config")
            .arg(dir.path().join("config.toml"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let waiting = run(&["-q", "deliver", "--json"]);
    assert_eq!(waiting["mails_sent"], 0);
    let sent = run(&["-q", "deliver", "--all", "--json"]);
    assert_eq!(sent["mails_sent"], 1, "{sent}");
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn lessons_due_counts_the_lessons_the_lesson_job_would_make_now() {
    let dir = tempfile::tempdir().unwrap();
    let config = delivery_config(
        dir.path(),
        free_port(),
        "lead_minutes = 60\nlate_cutoff_minutes = 120",
    );
    let services = Services::open(config.clone()).unwrap();
    let now = utc("2026-03-10T06:30:00Z");
    let date = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    for (email, time) in [
        ("soon@example.org", "07:00"),   // within the lead: due
        ("late@example.org", "05:00"),   // past its time, within the cut-off: due
        ("noon@example.org", "12:00"),   // not yet
        ("paused@example.org", "07:00"), // unsubscribed: never
    ] {
        services
            .store
            .add_learner(&NewLearner {
                name: "Learner".into(),
                delivery_time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
                ..crate::support::learner(email)
            })
            .unwrap();
    }
    let paused = services.store.find_learner("paused@example.org").unwrap();
    services
        .store
        .set_learner_paused(paused.id, Some("unsubscribed"))
        .unwrap();
    assert_eq!(pipeline::lessons_due(&services, now).unwrap(), 2);
    // Once made, a lesson is no longer due.
    seed(&config, &[("soon@example.org", "UTC", "07:00")], date, None);
    assert_eq!(pipeline::lessons_due(&services, now).unwrap(), 1);
}
