//! Several processes on one PostgreSQL store: workers share the lessons, a killed worker's
//! work is taken over, and nothing is made twice.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use hyperlearn::pipeline::{self, RunOptions, Services};
use hyperlearn::store::{NewLearner, Store};

use crate::support::{fixture_site, learner, put_store, write_config, write_feeds};

/// A `worker --roles lessons` process; its progress lines go to `log`.
fn worker(config: &std::path::Path, id: &str, log: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hyperlearn"))
        .arg("--config")
        .arg(config)
        .args(["worker", "--roles", "lessons", "--id", id])
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_share_the_lessons_and_a_killed_one_is_taken_over() {
    let Some(location) = hyperlearn::store::testing::test_postgres() else {
        eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)");
        return;
    };
    let _turn = crate::support::model_turn().await;
    let site = fixture_site().await;
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), None, "");
    put_store(dir.path(), Some(&location));
    let path = dir.path().join("config.toml");
    // Constructed exercises only: the model's own questions are tested elsewhere, and two
    // workers each loading it share these 2 cores.
    let mut text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("model_candidates = 2", "model_candidates = 0");
    // Lesson runs every two seconds; no fetch or mail runs in the workers.
    text.push_str(
        "\n[schedule]\nlessons = \"*/2 * * * * *\"\nfetch = \"0 0 0 1 1 *\"\nmail = \"0 0 0 1 1 *\"\n",
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
    // Learners whose lesson falls due within the lead: two bands, the same interests.
    let soon = (Utc::now() + chrono::Duration::minutes(30)).time();
    let soon = soon.with_second(0).unwrap().with_nanosecond(0).unwrap();
    let emails: Vec<String> = (0..10).map(|i| format!("l{i:02}@fleet.test")).collect();
    for (i, email) in emails.iter().enumerate() {
        services
            .store
            .add_learner(&NewLearner {
                level: if i % 2 == 0 { 3.0 } else { 2.0 },
                interests: vec!["robot".into(), "ocean".into()],
                delivery_time: soon,
                ..learner(email)
            })
            .unwrap();
    }

    let (log_a, log_b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let mut a = worker(&path, "a", &log_a);
    let mut b = worker(&path, "b", &log_b);
    let store = Store::connect(&location).unwrap();
    let made = |store: &Store| {
        emails
            .iter()
            .filter(|e| {
                let l = store.find_learner(e).unwrap();
                store
                    .delivery_for(
                        l.id,
                        hyperlearn::pipeline::local_date(&l, Utc::now()).unwrap(),
                    )
                    .unwrap()
                    .is_some()
                    || store
                        .delivery_for(
                            l.id,
                            hyperlearn::pipeline::local_date(&l, Utc::now())
                                .unwrap()
                                .succ_opt()
                                .unwrap(),
                        )
                        .unwrap()
                        .is_some()
            })
            .count()
    };
    // Worker a is killed (SIGKILL) once it has made a lesson; b goes on alone.
    let deadline = Instant::now() + Duration::from_secs(300);
    while made_by(&log_a).is_empty() {
        assert!(Instant::now() < deadline, "worker a made no lesson");
        assert!(
            a.try_wait().unwrap().is_none(),
            "worker a stopped: {}",
            std::fs::read_to_string(&log_a).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    a.kill().unwrap();
    a.wait().unwrap();
    while made(&store) < emails.len() {
        assert!(
            Instant::now() < deadline,
            "{} of {} lessons after 300 s; b's log:\n{}",
            made(&store),
            emails.len(),
            std::fs::read_to_string(&log_b).unwrap()
        );
        assert!(
            b.try_wait().unwrap().is_none(),
            "worker b stopped: {}",
            std::fs::read_to_string(&log_b).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    b.kill().unwrap();
    b.wait().unwrap();

    let (by_a, by_b) = (made_by(&log_a), made_by(&log_b));
    assert!(!by_b.is_empty(), "b made nothing");
    for email in &emails {
        let makers = by_a.iter().chain(&by_b).filter(|m| *m == email).count();
        assert!(makers <= 1, "{email}'s lesson was made {makers} times");
    }
    // No exercise set was made twice: every row the lesson stage made belongs to one
    // stored set, none was kept beside it as tried.
    let tried_twice = store.exercises_outside_sets().unwrap();
    assert_eq!(tried_twice, 0, "a set was made twice");
    eprintln!(
        "fleet: a made {} lessons before it was killed, b made {}",
        by_a.len(),
        by_b.len()
    );
}
