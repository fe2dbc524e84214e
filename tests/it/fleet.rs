//! Several processes on one PostgreSQL store: workers share the lessons and take turns
//! with the mail, killed workers' work is taken over, and nothing is made or sent twice.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use hyperlearn::pipeline::{self, RunOptions, Services};
use hyperlearn::store::{NewLearner, Store};

use crate::support::{
    Smtp, fixture_site, ids_by_recipient, learner, put_store, write_config, write_feeds,
};

/// A `worker` process with these roles; its progress lines go to `log`.
fn worker(config: &std::path::Path, id: &str, roles: &str, log: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hyperlearn"))
        .arg("--config")
        .arg(config)
        .args(["worker", "--roles", roles, "--id", id])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// The learners whose lines in a worker's log say it made their lesson.
fn made_by(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.trim_start().starts_with('[') && l.contains("@fleet.test"))
        .filter(|l| {
            !["another worker", "already made", "already sent", ": x "]
                .iter()
                .any(|skip| l.contains(skip))
        })
        .map(|l| l.split_whitespace().nth(1).unwrap_or_default().to_string())
        .collect()
}

fn log_of(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_share_the_work_and_killed_ones_are_taken_over() {
    let Some(location) = hyperlearn::store::testing::test_postgres() else {
        eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)");
        return;
    };
    let _turn = crate::support::model_turn().await;
    let site = fixture_site().await;
    let smtp = Smtp::start();
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), Some(smtp.port), "");
    put_store(dir.path(), Some(&location));
    let path = dir.path().join("config.toml");
    // Constructed exercises only: the model's own questions are tested elsewhere, and the
    // two workers that load it share these 2 cores.
    let mut text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("model_candidates = 2", "model_candidates = 0");
    // Lesson and mail runs every two seconds; fetching is done once, below.
    text.push_str(
        "\n[schedule]\nlessons = \"*/2 * * * * *\"\nmail = \"*/2 * * * * *\"\nfetch = \"0 0 0 1 1 *\"\n\
         [delivery]\nrate_per_second = 4\n",
    );
    std::fs::write(&path, text).unwrap();
    let config = hyperlearn::config::Config::from_file(&path).unwrap();
    let base = site.base_url().to_string();
    write_feeds(
        &config,
        "en",
        &[
            (&format!("{base}/feeds/en-test.rss.xml"), "en"),
            (&format!("{base}/feeds/en-courier.rss.xml"), "en"),
        ],
    );
    // The articles, fetched once into the shared store.
    let services = Services::open(config.clone()).unwrap();
    let fetch = RunOptions {
        lessons: false,
        mail: false,
        ..RunOptions::full(true)
    };
    let report = pipeline::run(&services, None, &fetch).await.unwrap();
    assert!(report.articles_new > 0, "{report}");
    // Learners in four time zones whose lesson is due now, where they live: two bands, the
    // same interests.
    let zones = ["UTC", "Europe/Madrid", "America/New_York", "Asia/Tokyo"];
    let emails: Vec<String> = (0..12).map(|i| format!("l{i:02}@fleet.test")).collect();
    for (i, email) in emails.iter().enumerate() {
        let zone = zones[i % zones.len()];
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        // Their delivery time is this minute, local: due now, on their today.
        let local = Utc::now().with_timezone(&tz).time();
        let at = local.with_second(0).unwrap().with_nanosecond(0).unwrap();
        services
            .store
            .add_learner(&NewLearner {
                level: if i % 2 == 0 { 3.0 } else { 2.0 },
                interests: vec!["robot".into(), "ocean".into()],
                delivery_time: at,
                timezone: zone.into(),
                ..learner(email)
            })
            .unwrap();
    }

    // Two lesson workers, one of them also sending mail, and a mail worker.
    let logs: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|w| dir.path().join(format!("{w}.log")))
        .collect();
    let mut a = worker(&path, "a", "lessons", &logs[0]);
    let mut b = worker(&path, "b", "lessons,mail", &logs[1]);
    let mut c = worker(&path, "c", "mail", &logs[2]);
    let deadline = Instant::now() + Duration::from_secs(300);
    let alive = |child: &mut Child, log: &std::path::Path| {
        assert!(
            child.try_wait().unwrap().is_none(),
            "a worker stopped:\n{}",
            log_of(log)
        );
    };
    // Worker a is killed (SIGKILL) once its lesson run has started (it holds claims on
    // learners and on the set it is making, which b must take over), c once a mail went out.
    let (mut a_killed, mut c_killed) = (false, false);
    while ids_by_recipient(&smtp).len() < emails.len() {
        assert!(
            Instant::now() < deadline,
            "{} of {} learners got mail after 300 s; b's log:\n{}",
            ids_by_recipient(&smtp).len(),
            emails.len(),
            log_of(&logs[1])
        );
        if !a_killed {
            alive(&mut a, &logs[0]);
            if log_of(&logs[0]).contains("Making lessons for") {
                a.kill().unwrap();
                a.wait().unwrap();
                a_killed = true;
            }
        }
        if !c_killed {
            alive(&mut c, &logs[2]);
            if !smtp.messages().is_empty() {
                c.kill().unwrap();
                c.wait().unwrap();
                c_killed = true;
            }
        }
        alive(&mut b, &logs[1]);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.kill().unwrap();
    b.wait().unwrap();
    for (child, killed) in [(&mut a, a_killed), (&mut c, c_killed)] {
        if !killed {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    // Every learner got one lesson: one Message-ID (a mail cut off by a kill is sent
    // again with the same one), made by one worker.
    let received = ids_by_recipient(&smtp);
    for email in &emails {
        let ids: BTreeSet<&String> = received[email].iter().collect();
        assert_eq!(ids.len(), 1, "{email} got different lessons: {ids:?}");
    }
    assert_eq!(received.len(), emails.len(), "mail to unknown recipients");
    let (by_a, by_b) = (made_by(&logs[0]), made_by(&logs[1]));
    assert!(!by_b.is_empty(), "b made nothing; a: {by_a:?}");
    for email in &emails {
        let makers = by_a.iter().chain(&by_b).filter(|m| *m == email).count();
        assert!(makers <= 1, "{email}'s lesson was made {makers} times");
    }
    let store = Store::connect(&location).unwrap();
    assert_eq!(
        store.delivery_counts(None).unwrap(),
        vec![("sent".to_string(), emails.len() as i64)]
    );
    // No exercise set was made twice: every row the lesson stage made belongs to one
    // stored set, none was kept beside it as tried.
    assert_eq!(
        store.exercises_outside_sets().unwrap(),
        0,
        "a set was made twice"
    );
    eprintln!(
        "fleet: a made {} lessons before it was killed mid-run, b made {}; c {} killed after the first mail",
        by_a.len(),
        by_b.len(),
        if c_killed { "was" } else { "was not" }
    );
}
