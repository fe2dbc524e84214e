//! A fleet on one PostgreSQL store: `serve` and three `worker` processes share fetching,
//! lessons and mail for 300 learners in four time zones; one worker is killed (SIGKILL)
//! during each phase and started again, as systemd would. Nothing is fetched twice at
//! once, made twice or sent as two different lessons, and the run reports add up.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{Timelike, Utc};
use hyperlearn::report::{FailureKind, RunReport};
use hyperlearn::store::{NewLearner, Store};

use crate::support::{Smtp, fixture_files, ids_by_recipient, learner, put_store, write_config};

/// One request the site answered: path, start and end.
type Served = (String, Instant, Instant);

/// The fixture site, answering each article page after `delay` and recording when.
struct SlowSite {
    base: String,
    served: Arc<Mutex<Vec<Served>>>,
}

struct SiteState {
    pages: HashMap<String, (&'static str, String)>,
    delay: Duration,
    served: Arc<Mutex<Vec<Served>>>,
}

async fn slow_page(State(site): State<Arc<SiteState>>, uri: Uri) -> Response {
    let start = Instant::now();
    let Some((content_type, body)) = site.pages.get(uri.path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if uri.path().ends_with(".html") {
        tokio::time::sleep(site.delay).await;
        let end = Instant::now();
        site.served
            .lock()
            .unwrap()
            .push((uri.path().to_string(), start, end));
    }
    ([(header::CONTENT_TYPE, *content_type)], body.clone()).into_response()
}

impl SlowSite {
    async fn start(delay: Duration) -> SlowSite {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let pages = fixture_files()
            .into_iter()
            .map(|f| {
                let content_type = if f.path.ends_with(".html") {
                    "text/html; charset=utf-8"
                } else if f.path.ends_with(".json") {
                    "application/feed+json"
                } else if f.path.ends_with(".atom.xml") {
                    "application/atom+xml"
                } else {
                    "application/rss+xml"
                };
                (
                    format!("/{}", f.path),
                    (content_type, f.body.replace("{{BASE}}", &base)),
                )
            })
            .collect();
        let served = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(SiteState {
            pages,
            delay,
            served: served.clone(),
        });
        let app = axum::Router::new().fallback(slow_page).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        SlowSite { base, served }
    }

    fn served(&self) -> Vec<Served> {
        self.served.lock().unwrap().clone()
    }
}

/// A `hyperlearn` process (`serve`, or `worker` with these roles); its progress lines go
/// to `log`.
fn start(config: &Path, args: &[&str], log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hyperlearn"))
        .arg("--config")
        .arg(config)
        .args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

fn worker(config: &Path, id: &str, roles: &str, log: &Path) -> Child {
    start(config, &["worker", "--roles", roles, "--id", id], log)
}

fn log_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The learners whose lines in a log say that process made their lesson.
fn made_by(log: &Path) -> Vec<String> {
    log_of(log)
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

/// The articles a log says that process stored ("  + [en B1] Title").
fn stored_by(log: &Path) -> usize {
    log_of(log)
        .lines()
        .filter(|l| l.starts_with("  + ["))
        .count()
}

/// What the logs in `dir` say about fetching and failures, for a failing assertion.
fn fetch_lines(dir: &Path) -> String {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    let mut out = String::new();
    for log in logs {
        out += &format!("--- {}\n", log.display());
        for line in log_of(&log).lines().filter(|l| {
            [
                "Downloading",
                "Feeds:",
                "Articles",
                "rror",
                "cannot",
                "lock",
                "fetch:",
            ]
            .iter()
            .any(|w| l.contains(w))
        }) {
            out += line;
            out.push('\n');
        }
    }
    out
}

/// The processes of the fleet, by name, with their logs.
struct Fleet {
    dir: PathBuf,
    config: PathBuf,
    running: Vec<(String, Child, PathBuf)>,
    /// Logs of the processes killed, and what they were doing.
    killed: Vec<(PathBuf, &'static str)>,
}

impl Fleet {
    fn log(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }

    fn worker(&mut self, name: &str, id: &str, roles: &str) {
        let log = self.log(name);
        let child = worker(&self.config, id, roles, &log);
        self.running.push((name.to_string(), child, log));
    }

    fn serve(&mut self) {
        let log = self.log("serve");
        let child = start(&self.config, &["serve"], &log);
        self.running.push(("serve".to_string(), child, log));
    }

    /// Fails when a process stopped by itself.
    fn check(&mut self) {
        for (name, child, log) in &mut self.running {
            assert!(
                child.try_wait().unwrap().is_none(),
                "{name} stopped:\n{}",
                log_of(log)
            );
        }
    }

    /// Kills `name` with SIGKILL during `phase`.
    fn kill(&mut self, name: &str, phase: &'static str) {
        let i = self.running.iter().position(|(n, ..)| n == name).unwrap();
        let (_, mut child, log) = self.running.remove(i);
        child.kill().unwrap();
        child.wait().unwrap();
        self.killed.push((log, phase));
    }

    fn stop_all(&mut self) {
        for (_, child, _) in &mut self.running {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops every process with SIGTERM, as systemd does, so the runs they are in finish
    /// and record their reports; one still running after a minute is killed and named.
    async fn stop_gracefully(&mut self) {
        for (_, child, _) in &self.running {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        for (name, child, log) in &mut self.running {
            while child.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{name} did not stop on SIGTERM:\n{}", log_of(log));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// Waits until `ready` holds, checking the fleet, or fails with `what`.
async fn until(fleet: &mut Fleet, limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        fleet.check();
        assert!(
            Instant::now() < deadline,
            "{what}: not after {limit:?}; logs:\n{}",
            fleet
                .running
                .iter()
                .map(|(n, _, log)| format!("--- {n}\n{}", log_of(log)))
                .collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const LEARNERS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_shares_the_work_and_killed_workers_are_taken_over_in_every_phase() {
    let Some(location) = hyperlearn::store::testing::test_postgres() else {
        eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)");
        return;
    };
    let _turn = crate::support::model_turn().await;
    // Article pages take 300 ms, two at a time: the fetch phase lasts long enough to kill
    // a worker in it.
    let site = SlowSite::start(Duration::from_millis(300)).await;
    let smtp = Smtp::start();
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), Some(smtp.port), "");
    put_store(dir.path(), Some(&location));
    let path = dir.path().join("config.toml");
    // Constructed exercises only, neither written nor phrased by the model: the model's
    // questions are tested elsewhere, and the four processes that load it share these 2
    // cores.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(
            "model_candidates = 2",
            "model_candidates = 0\nphrased_plans = 0",
        )
        .replace(
            "per_host_concurrency = 8",
            "per_host_concurrency = 2\nconcurrency = 2",
        );
    // Every stage runs every few seconds, on every process that has its role.
    std::fs::write(
        &path,
        text + "\n[schedule]\nfetch = \"*/3 * * * * *\"\nlessons = \"*/2 * * * * *\"\n\
                mail = \"*/2 * * * * *\"\n[delivery]\nrate_per_second = 20\n",
    )
    .unwrap();
    let config = hyperlearn::config::Config::from_file(&path).unwrap();
    // The demo's feeds in six languages, and the English test feed.
    let mut feeds = vec![(format!("{}/feeds/en-test.rss.xml", site.base), "en")];
    for (file, lang) in [
        ("en-courier.rss.xml", "en"),
        ("de-rundschau.atom.xml", "de"),
        ("es-valle.atom.xml", "es"),
        ("fr-matin.json", "fr"),
        ("it-gazzetta.rss.xml", "it"),
        ("ru-vesti.rss.xml", "ru"),
    ] {
        feeds.push((format!("{}/feeds/{file}", site.base), lang));
    }
    let feeds: Vec<(&str, &str)> = feeds.iter().map(|(u, l)| (u.as_str(), *l)).collect();
    crate::support::write_feeds(&config, "fleet", &feeds);

    // 300 learners in six languages, two levels and four time zones, each due now where
    // they live.
    let store = Store::connect(&location).unwrap();
    let zones = ["UTC", "Europe/Madrid", "America/New_York", "Asia/Tokyo"];
    let langs = ["en", "de", "es", "fr", "it", "ru"];
    let emails: Vec<String> = (0..LEARNERS)
        .map(|i| format!("l{i:03}@fleet.test"))
        .collect();
    for (i, email) in emails.iter().enumerate() {
        let zone = zones[i % zones.len()];
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let local = Utc::now().with_timezone(&tz).time();
        store
            .add_learner(&NewLearner {
                lang: langs[i % langs.len()].into(),
                level: if (i / langs.len()).is_multiple_of(2) {
                    3.0
                } else {
                    2.0
                },
                interests: vec!["science".into(), "community".into()],
                delivery_time: local.with_second(0).unwrap().with_nanosecond(0).unwrap(),
                timezone: zone.into(),
                ..learner(email)
            })
            .unwrap();
    }

    let mut fleet = Fleet {
        dir: dir.path().to_path_buf(),
        config: path.clone(),
        running: Vec::new(),
        killed: Vec::new(),
    };
    let pages = fixture_files()
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .count();

    // Fetch: worker a starts first and is killed while it downloads the pages; serve and
    // worker c (the other fetchers) take the fetch over.
    fleet.worker("a", "a", "fetch,lessons");
    let a_log = fleet.log("a");
    until(
        &mut fleet,
        Duration::from_secs(120),
        "a downloads pages",
        || log_of(&a_log).contains("Downloading"),
    )
    .await;
    fleet.serve();
    fleet.worker("b", "b", "lessons,mail");
    fleet.worker("c", "c", "fetch,mail");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let downloaded_before_kill = site.served().len();
    let a_text = log_of(&a_log);
    let fetching = &a_text[a_text.find("Downloading").unwrap()..];
    assert!(
        !fetching
            .lines()
            .any(|l| l.starts_with("  Feeds:") && !l.contains(" 0 listed"))
            && downloaded_before_kill < pages,
        "a's fetch run ended before it could be killed:\n{a_text}"
    );
    fleet.kill("a", "fetch");
    fleet.worker("a2", "a", "fetch,lessons");

    // Lessons: worker b is killed while its lesson run goes on, once it made one.
    let b_log = fleet.log("b");
    until(
        &mut fleet,
        Duration::from_secs(120),
        "b makes lessons",
        || !made_by(&b_log).is_empty(),
    )
    .await;
    fleet.kill("b", "lessons");
    fleet.worker("b2", "b", "lessons,mail");

    // Mail: worker c is killed once it sends and a mail went out.
    let c_log = fleet.log("c");
    until(&mut fleet, Duration::from_secs(180), "c sends mail", || {
        log_of(&c_log).contains("Sending") && smtp.count() > 0
    })
    .await;
    fleet.kill("c", "mail");
    let received_before_mail_kill = smtp.count();
    fleet.worker("c2", "c", "fetch,mail");

    // Every learner gets their lesson.
    let mut learners_reached = 0;
    until(
        &mut fleet,
        Duration::from_secs(420),
        "every learner gets mail",
        || {
            if smtp.count() >= LEARNERS {
                learners_reached = ids_by_recipient(&smtp).len();
            }
            learners_reached >= LEARNERS
        },
    )
    .await;
    // Let the runs that sent the last mails record their reports.
    tokio::time::sleep(Duration::from_secs(3)).await;
    fleet.stop_gracefully().await;

    // One lesson per learner: one Message-ID (a mail cut off by a kill is sent again with
    // the same one).
    let received = ids_by_recipient(&smtp);
    for email in &emails {
        let ids: BTreeSet<&String> = received[email].iter().collect();
        assert_eq!(ids.len(), 1, "{email} got different lessons: {ids:?}");
    }
    assert_eq!(received.len(), LEARNERS, "mail to unknown recipients");
    assert_eq!(
        store.delivery_counts(None).unwrap(),
        vec![("sent".to_string(), LEARNERS as i64)]
    );
    // No exercise set made twice: every row the lesson stages made belongs to one stored
    // set, none was kept beside it as tried.
    assert_eq!(
        store.exercises_outside_sets().unwrap(),
        0,
        "a set was made twice"
    );

    // No page fetched twice at the same time, and every page is one article: the pages the
    // killed fetch run downloaded but did not store were fetched again, after it.
    let served = site.served();
    let mut by_page: HashMap<&str, Vec<(Instant, Instant)>> = HashMap::new();
    for (page, from, to) in &served {
        by_page.entry(page).or_default().push((*from, *to));
    }
    for (page, mut times) in by_page.clone() {
        times.sort();
        for pair in times.windows(2) {
            assert!(pair[1].0 >= pair[0].1, "{page} was fetched twice at once");
        }
    }
    let counts: HashMap<String, usize> = store.table_counts().unwrap().into_iter().collect();
    assert_eq!(counts["articles"], by_page.len(), "one article per page");
    assert!(by_page.len() <= pages);

    // The run reports add up: finished runs never count more than the store holds, and
    // what the killed runs did accounts for the rest.
    let mut totals = RunReport::default();
    let mut unfinished = 0;
    for run in store.runs(100_000).unwrap() {
        let Some(report) = run.report else {
            unfinished += 1;
            continue;
        };
        let r: RunReport = serde_json::from_str(&report).unwrap();
        // No stage stopped a run: workers sharing the store and the index folder wait for
        // each other's locks instead of failing.
        let stopped: Vec<_> = r
            .failures
            .iter()
            .filter(|f| f.kind == FailureKind::Stage)
            .collect();
        assert!(stopped.is_empty(), "run {} stopped: {stopped:?}", run.id);
        totals.articles_new += r.articles_new;
        totals.lessons_generated += r.lessons_generated;
        totals.exercise_sets_made += r.exercise_sets_made;
        totals.mails_sent += r.mails_sent;
    }
    let killed_log = |phase| &fleet.killed.iter().find(|(_, p)| *p == phase).unwrap().0;
    let (fetch_log, lessons_log) = (killed_log("fetch"), killed_log("lessons"));
    // Every killed worker fetches or may have been in a fetch run when it died (c fetches
    // too, and its fetch run can outlast the lessons phase on these cores): the articles
    // its unfinished run stored are in no report, only in its log.
    let stored_by_killed: Vec<(&str, usize)> = fleet
        .killed
        .iter()
        .map(|(log, phase)| (*phase, stored_by(log)))
        .collect();
    let stored_by_killed_total: usize = stored_by_killed.iter().map(|(_, n)| n).sum();
    // Only a kill leaves a run unfinished: the fleet stopped gracefully, and each killed
    // worker held two roles, so it was in two runs at most.
    assert!(
        unfinished <= 2 * fleet.killed.len(),
        "{unfinished} runs left unfinished by {} kills",
        fleet.killed.len()
    );
    assert!(totals.articles_new <= counts["articles"]);
    assert!(
        counts["articles"] <= totals.articles_new + stored_by_killed_total + 1,
        "articles: {} stored, {} reported, by the killed workers (by phase of the kill) {:?}; \
         {unfinished} runs unfinished; the logs say:\n{}",
        counts["articles"],
        totals.articles_new,
        stored_by_killed,
        fetch_lines(dir.path())
    );
    let made_by_killed = made_by(fetch_log).len() + made_by(lessons_log).len();
    assert!(made_by_killed > 0, "b was killed before it made a lesson");
    assert_eq!(counts["lessons"], LEARNERS);
    assert!(totals.lessons_generated <= LEARNERS);
    assert!(
        LEARNERS <= totals.lessons_generated + made_by_killed + 2,
        "lessons: {} reported, {made_by_killed} by the killed runs",
        totals.lessons_generated
    );
    assert!(totals.exercise_sets_made <= counts["exercise_sets"]);
    assert!(totals.mails_sent <= LEARNERS);
    assert!(
        LEARNERS - totals.mails_sent <= received_before_mail_kill,
        "mails: {} reported, {received_before_mail_kill} received when c was killed",
        totals.mails_sent
    );
    eprintln!(
        "fleet: {} pages ({} served before a was killed mid-fetch, {} requests in all); \
         {} lessons reported by finished runs, {made_by_killed} made by killed ones; \
         {} sets; {} mails reported sent, {} received ({} before c was killed); \
         articles stored by killed workers {:?}",
        by_page.len(),
        downloaded_before_kill,
        served.len(),
        totals.lessons_generated,
        counts["exercise_sets"],
        totals.mails_sent,
        smtp.count(),
        received_before_mail_kill,
        stored_by_killed,
    );
}
