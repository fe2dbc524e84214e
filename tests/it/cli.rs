//! The command-line contracts, run through the real binary.

use std::process::Command;

use crate::support::repo;

fn hyperlearn() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hyperlearn"))
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("binary runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn extract_prints_the_json_contract() {
    let page = repo().join("tests/fixtures/site/articles/en/ocean-robot.html");
    let html = std::fs::read_to_string(&page)
        .unwrap()
        .replace("{{BASE}}", "https://courier.example");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, html).unwrap();
    let out = run_ok(
        hyperlearn()
            .args([
                "extract",
                "--url",
                "https://courier.example/articles/en/ocean-robot.html",
            ])
            .arg(&file),
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["title", "byline", "published", "lang", "text"] {
        assert!(json.get(key).is_some(), "missing {key}: {out}");
    }
    assert_eq!(json["lang"], "en");
    let text = json["text"].as_str().unwrap();
    assert!(
        text.contains("\n\n"),
        "paragraphs are separated by blank lines"
    );
    assert!(text.split("\n\n").count() >= 4, "{text}");
    assert!(!text.contains("cookie"), "boilerplate leaked: {text}");
    assert!(json["title"].as_str().unwrap().len() > 10);
}

#[test]
fn admin_commands_edit_feeds_and_learners() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[paths]\nstore = \"db.sqlite\"\n",
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    let base = || with_config(&config);
    run_ok(base().args([
        "feeds",
        "add",
        "https://news.example/rss",
        "--lang",
        "de",
        "--name",
        "Beispiel",
        "--topics",
        "politik,wirtschaft",
    ]));
    assert!(dir.path().join("feeds/de.toml").is_file());
    let listed = run_ok(base().args(["feeds", "list"]));
    assert!(
        listed.contains("Beispiel") && listed.contains("never fetched"),
        "{listed}"
    );
    let dup = base()
        .args(["feeds", "add", "https://news.example/rss"])
        .output()
        .unwrap();
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already listed in"));
    run_ok(base().args(["feeds", "remove", "https://news.example/rss"]));
    assert!(!run_ok(base().args(["feeds", "list"])).contains("Beispiel"));

    run_ok(base().args([
        "learners",
        "add",
        "--email",
        "ana@example.org",
        "--name",
        "Ana",
        "--lang",
        "es",
        "--level",
        "B1",
        "--interests",
        "fútbol,cine",
        "--time",
        "07:30",
        "--tz",
        "Europe/Madrid",
    ]));
    let listed = run_ok(base().args(["learners", "list"]));
    assert!(
        listed.contains("ana@example.org")
            && listed.contains("es B1")
            && listed.contains("Europe/Madrid"),
        "{listed}"
    );
    let bad = base()
        .args([
            "learners",
            "add",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--lang",
            "en",
            "--level",
            "B1",
            "--tz",
            "Mars/Base",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--tz `Mars/Base`"));
    let bad = base()
        .args([
            "learners",
            "add",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--lang",
            "en",
            "--level",
            "B7",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("B7"));
    run_ok(base().args(["learners", "remove", "ana@example.org"]));
    assert!(run_ok(base().args(["learners", "list"])).contains("No learners"));
}

#[test]
fn help_explains_every_command() {
    let help = run_ok(hyperlearn().arg("--help"));
    for cmd in [
        "daily", "demo", "serve", "search", "feeds", "learners", "extract",
    ] {
        assert!(help.contains(cmd), "--help does not mention {cmd}: {help}");
    }
    let missing = hyperlearn()
        .args(["--config", "/nonexistent/config.toml", "daily"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/config.toml"));
}

#[test]
fn demo_writes_a_lesson_for_every_demo_learner_and_can_run_twice() {
    let _turn = crate::support::model_turn_blocking();
    let dir = tempfile::tempdir().unwrap();
    // The demo takes [model] and [lesson] from the config file; fewer model candidates
    // keep the test quick.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[model]\npath = \"{}\"\n\n[lesson]\nmodel_candidates = 1\n",
            crate::support::model_path().display()
        ),
    )
    .unwrap();
    let work = dir.path().join("demo");
    let outbox = dir.path().join("outbox");
    let demo = || {
        let mut c = hyperlearn();
        c.arg("--config")
            .arg(&config)
            .arg("--quiet")
            .arg("demo")
            .arg("--dir")
            .arg(&work)
            .arg("--outbox")
            .arg(&outbox);
        c
    };
    // The demo learners' local midnights fall on whole UTC hours.
    let hour = || chrono::Timelike::hour(&chrono::Utc::now());
    let started = hour();
    let first = run_ok(&mut demo());
    assert!(first.contains("7 generated"), "{first}");
    let mails: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(mails.len(), 7, "{first}");
    for m in &mails {
        let raw = std::fs::read(m).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let text = parsed.body_text(0).unwrap();
        // Numbered exercises 1., 2., 3. at least.
        assert!(
            text.contains("\n3. ") || text.contains("\r\n3. "),
            "fewer than 3 exercises in {}: {text}",
            m.display()
        );
    }
    let second = run_ok(&mut demo());
    if hour() == started {
        assert!(second.contains("7 already sent today"), "{second}");
        assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 7);
    } else {
        // A learner's new day may have begun between the runs: their lesson is new, and
        // nobody gets a second one for the same day.
        let lessons = second
            .lines()
            .find(|l| l.trim_start().starts_with("Lessons:"))
            .unwrap_or_else(|| panic!("no lessons line: {second}"));
        let count = |what: &str| -> usize {
            let at = lessons
                .find(what)
                .unwrap_or_else(|| panic!("no {what:?}: {second}"));
            lessons[..at]
                .rsplit(|c: char| !c.is_ascii_digit())
                .find(|w| !w.is_empty())
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("no count before {what:?}: {second}"))
        };
        let new = count(" generated");
        assert_eq!(new + count(" already sent today"), 7, "{second}");
        assert_eq!(count(" failed;"), 0, "{second}");
        assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 7 + new);
    }
}

#[test]
fn serve_runs_scheduled_jobs_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let site = rt.block_on(crate::support::fixture_site());
    let config = crate::support::write_config(dir.path(), None, "");
    crate::support::write_feeds(
        &config,
        "en",
        &[(&format!("{}/feeds/en-test.rss.xml", site.base_url()), "en")],
    );
    let mut text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    // Fetch every second; the daily run never comes within the test.
    text.push_str("\n[schedule]\nfetch = \"* * * * * *\"\ndaily = \"0 0 0 1 1 *\"\n");
    // Monitoring on a port we know.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = text.replace(
        "[metrics]\nlisten = \"127.0.0.1:0\"",
        &format!("[metrics]\nlisten = \"127.0.0.1:{port}\""),
    );
    std::fs::write(dir.path().join("config.toml"), text).unwrap();
    let child = hyperlearn()
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .arg("serve")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let fetched = crate::support::eventually_for(std::time::Duration::from_secs(30), || {
        hyperlearn::store::Store::connect(&config.store)
            .and_then(|s| s.feed_state(&format!("{}/feeds/en-test.rss.xml", site.base_url())))
            .is_ok_and(|s| s.last_ok_at.is_some())
    });
    // Prometheus, a load balancer and systemd see it running, ready, and what it did.
    let get = |path: &str| {
        rt.block_on(async {
            #[allow(clippy::disallowed_methods)]
            let r = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    };
    let (health, _) = get("/healthz");
    let (ready, readiness) = get("/readyz");
    let fetches_counted = |metrics: &str| {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("hyperlearn_feed_fetches_total{result=\"fetched\"} "))
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|n| n >= 1.0)
    };
    // The counter moves when the run that fetched has finished.
    let mut metrics = String::new();
    crate::support::eventually_for(std::time::Duration::from_secs(20), || {
        metrics = get("/metrics").1;
        fetches_counted(&metrics)
    });
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(fetched, "the scheduled fetch did not run: {stderr}");
    assert_eq!(health, 200, "{stderr}");
    assert_eq!(ready, 200, "{readiness}");
    assert!(readiness.contains("model: loaded"), "{readiness}");
    assert!(fetches_counted(&metrics), "{metrics}");
    assert!(
        metrics.contains("# TYPE hyperlearn_runs_total counter"),
        "{metrics}"
    );
    assert!(out.status.success(), "serve did not exit cleanly: {stderr}");
    assert!(stderr.contains("Stopped."), "{stderr}");
    drop(site);
}

#[test]
fn level_prints_the_json_contract_and_orders_easy_before_hard() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[paths]\nwordfreq_dir = \"{}\"\n",
            repo().join("data/wordfreq").display()
        ),
    )
    .unwrap();
    let input = dir.path().join("texts.jsonl");
    std::fs::write(
        &input,
        [
            r#"{"id": "easy", "text": "The cat is big. It is red. We like the cat. The dog can run."}"#,
            r#"{"id": "hard", "text": "Notwithstanding considerable administrative complications, the municipal authorities nevertheless authorised the comprehensive reconstruction of the deteriorating infrastructure.", "lang": "en"}"#,
            r#"{"id": "ru", "text": "Кошка спит на диване. Собака бегает во дворе. Мы любим наших животных."}"#,
            "not json",
        ]
        .join("\n"),
    )
    .unwrap();
    let out = run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config)
            .arg("level")
            .arg("--jsonl")
            .arg(&input),
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    let score = |i: usize| lines[i]["score"].as_f64().unwrap();
    for key in ["id", "lang", "score", "cefr"] {
        assert!(lines[0].get(key).is_some(), "missing {key}: {out}");
    }
    assert_eq!(lines[0]["lang"], "en");
    assert_eq!(lines[2]["lang"], "ru");
    assert!(score(0) < score(1), "{out}");
    assert!(
        lines[3].get("error").is_some(),
        "a bad line is reported, not fatal: {out}"
    );
    // One text from a file.
    let file = dir.path().join("one.txt");
    std::fs::write(&file, "The cat is big. It is red.").unwrap();
    let one: serde_json::Value = serde_json::from_str(&run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config)
            .arg("level")
            .arg(&file),
    ))
    .unwrap();
    assert_eq!(one["cefr"], "A1");
    assert!(one.get("features").is_none(), "{one}");
    // With the features behind the score.
    let explained: serde_json::Value = serde_json::from_str(&run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config)
            .arg("level")
            .arg("--features")
            .arg(&file),
    ))
    .unwrap();
    assert_eq!(explained["score"], one["score"]);
    let features = &explained["features"];
    assert_eq!(features["words"], 7, "{explained}");
    assert_eq!(features["sentences"], 2, "{explained}");
    let beyond = features["beyond"].as_array().unwrap();
    assert_eq!(beyond.len(), 4, "{explained}");
    // Shares beyond ever rarer bands can only shrink.
    let beyond: Vec<f64> = beyond.iter().map(|b| b.as_f64().unwrap()).collect();
    assert!(beyond.windows(2).all(|w| w[0] >= w[1]), "{explained}");
}

#[test]
fn level_ends_quietly_when_its_reader_stops_and_names_a_missing_word_list() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[paths]\nwordfreq_dir = \"{}\"\n", missing.display()),
    )
    .unwrap();
    // Far more output than a pipe buffers, so the binary writes after its reader is gone.
    let input = dir.path().join("texts.jsonl");
    let line = r#"{"id": "t", "text": "The cat is big. It is red.", "lang": "en"}"#;
    std::fs::write(&input, vec![line; 20_000].join("\n")).unwrap();
    let mut child = hyperlearn()
        .arg("--config")
        .arg(&config)
        .arg("level")
        .arg("--jsonl")
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, as `| head -1` would.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.contains("\"score\""), "{first}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The word lists are missing: levels still come, and the message says where it looked.
    assert!(
        stderr.contains("no word-frequency folder") && stderr.contains("no-such-folder"),
        "{stderr}"
    );
}

#[test]
fn reindex_relevel_measures_stored_articles_again() {
    use hyperlearn::articles::{Article, Cefr, Level, TextSource};
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::write_config(dir.path(), None, "");
    let store = hyperlearn::store::Store::connect(&config.store).unwrap();
    // Stored with a level the current formula would not give this text.
    let id = store
        .insert_article(&Article {
            url: "http://127.0.0.1/relevel.html".into(),
            title: "Easy words".into(),
            byline: None,
            published: None,
            lang: "en".into(),
            text: "The cat is big. It is red. The dog is small. It is black.".into(),
            level: Level {
                score: 5.8,
                cefr: Cefr::C2,
            },
            topics: vec![],
            image: None,
            source: "test".into(),
            text_source: TextSource::Page,
        })
        .unwrap()
        .id;
    drop(store);
    let config_path = dir.path().join("config.toml");
    let plain = run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config_path)
            .arg("reindex"),
    );
    assert!(plain.contains("Indexed 1 articles"), "{plain}");
    let stored = |id: i64| {
        let store = hyperlearn::store::Store::connect(&config.store).unwrap();
        let a = store.all_articles().unwrap();
        a.into_iter().find(|a| a.id == id).unwrap()
    };
    assert_eq!(
        stored(id).cefr,
        hyperlearn::articles::Cefr::C2,
        "a plain reindex keeps the stored level"
    );
    let out = run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config_path)
            .arg("reindex")
            .arg("--relevel"),
    );
    assert!(out.contains("1 changed band"), "{out}");
    let article = stored(id);
    assert_eq!(article.cefr, hyperlearn::articles::Cefr::A1, "{out}");
    assert!(article.level < 1.5, "{}", article.level);

    // Without its index folder (a restored store, a new web node), the index is filled from
    // the store when the services open, and search finds the article again.
    std::fs::remove_dir_all(&config.index_dir).unwrap();
    let services = hyperlearn::pipeline::Services::open(config.clone()).unwrap();
    assert_eq!(services.index.len(), 1);
    let out = run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config_path)
            .args(["search", "dog"]),
    );
    assert!(out.contains("Easy words"), "{out}");
}

fn run_err(cmd: &mut Command) -> String {
    let out = cmd.output().expect("binary runs");
    assert!(
        !out.status.success(),
        "{cmd:?} should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The binary with `--config PATH`.
fn with_config(config: &std::path::Path) -> Command {
    let mut c = hyperlearn();
    c.arg("--config").arg(config);
    c
}

/// A config in a temp folder for the admin commands.
fn admin_config() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[paths]\nstore = \"db.sqlite\"\n").unwrap();
    (dir, config)
}

#[test]
fn extract_says_a_binary_file_is_not_html() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("random.bin");
    // 20 MiB of noise: a multiplicative hash of the position.
    let bytes: Vec<u8> = (0u64..20 << 20)
        .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8)
        .collect();
    std::fs::write(&file, bytes).unwrap();
    let out = hyperlearn().arg("extract").arg(&file).output().unwrap();
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{} bytes of 'text'",
        out.stdout.len()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("random.bin") && err.contains("not an HTML page"),
        "{err}"
    );
}

#[test]
fn listings_escape_terminal_control_sequences_and_feeds_must_be_http() {
    let (_dir, config) = admin_config();
    let base = || with_config(&config);
    run_ok(base().args([
        "learners",
        "add",
        "--email",
        "eve@example.org",
        "--name",
        "Eve\u{1b}]0;owned\u{7}\u{1b}[2J",
        "--lang",
        "en",
        "--level",
        "B1",
    ]));
    let out = run_ok(base().args(["learners", "list"]));
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("Eve\\u{1b}]0;owned"), "{out}");
    for url in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.org/f.xml",
    ] {
        let err = run_err(base().args(["feeds", "add", url]));
        assert!(err.contains("only http and https"), "{url}: {err}");
    }
    let err = run_err(base().args(["feeds", "add", "https://example.org/rss", "--list", "../x"]));
    assert!(err.contains("feed list name"), "{err}");
    assert!(!config.parent().unwrap().join("x.toml").exists());
}

#[test]
fn web_users_are_listed_removed_and_given_new_passwords() {
    let (_dir, config) = admin_config();
    let with_stdin = |args: &[&str], input: &str| {
        use std::io::Write;
        let mut child = hyperlearn()
            .arg("--config")
            .arg(&config)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = with_stdin(
        &["users", "add", "ada", "--role", "admin"],
        "first password!\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config)
            .args(["users", "list"]),
    );
    assert!(listed.contains("ada  admin"), "{listed}");
    let out = with_stdin(&["users", "passwd", "ada"], "short\n");
    assert!(!out.status.success());
    let out = with_stdin(&["users", "passwd", "ada"], "a new long password\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_stdin(&["users", "passwd", "nobody"], "a new long password\n");
    assert!(!out.status.success());
    run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config)
            .args(["users", "remove", "ada"]),
    );
    let listed = run_ok(
        hyperlearn()
            .arg("--config")
            .arg(&config)
            .args(["users", "list"]),
    );
    assert!(listed.contains("No web UI accounts"), "{listed}");
}

#[test]
fn proxy_variables_do_not_carry_feed_requests_past_the_address_rules() {
    // A "proxy" that records whether anything connected to it.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let (dir, config) = admin_config();
    // A name that only a proxy could resolve; without the proxy it fails in our resolver.
    let feed = "http://internal-service.invalid:8080/feed.xml";
    std::fs::create_dir_all(dir.path().join("feeds")).unwrap();
    std::fs::write(
        dir.path().join("feeds/en.toml"),
        format!("[[feed]]\nurl = \"{feed}\"\n"),
    )
    .unwrap();
    let out = hyperlearn()
        .arg("--config")
        .arg(&config)
        .args(["feeds", "refresh", feed, "--json"])
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("internal-service.invalid"),
        "the failure is reported: {stdout}"
    );
    match proxy.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the request went to the proxy: {other:?}"),
    }
}

#[test]
fn json_logs_are_one_object_per_line_and_never_hold_a_secret() {
    let (dir, config) = admin_config();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let feed = format!("http://127.0.0.1:{closed}/feed.xml");
    std::fs::write(
        &config,
        format!(
            "[paths]\nstore = \"db.sqlite\"\n[fetch]\nallow_hosts = [\"127.0.0.1\"]\n\
             [mail]\ntoken_key = \"tok-SECRET-0123456789abcdef\"\n\
             [mail.smtp]\nhost = \"127.0.0.1\"\nport = {closed}\nsecurity = \"plain\"\n\
             username = \"hl\"\npassword = \"smtp-SECRET-9876543210\"\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("feeds")).unwrap();
    std::fs::write(
        dir.path().join("feeds/en.toml"),
        format!("[[feed]]\nurl = \"{feed}\"\n"),
    )
    .unwrap();
    let mut stderr = String::new();
    for args in [
        vec!["feeds", "refresh", feed.as_str()],
        vec!["deliver", "--all"],
        vec!["learners", "list"],
    ] {
        let out = hyperlearn()
            .arg("--config")
            .arg(&config)
            .args(&args)
            .env("HYPERLEARN_LOG", "debug")
            .env("HYPERLEARN_LOG_FORMAT", "json")
            .env("HYPERLEARN_SMTP_PASSWORD", "env-SECRET-5555555555")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in ["tok-SECRET", "smtp-SECRET", "env-SECRET"] {
            assert!(!all.contains(secret), "{args:?} printed {secret}: {all}");
        }
        stderr.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    let logged: Vec<&str> = stderr.lines().filter(|l| l.starts_with('{')).collect();
    assert!(
        !logged.is_empty(),
        "debug logging logged something: {stderr}"
    );
    for line in logged {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            v.get("level").is_some() && v.get("fields").is_some(),
            "{line}"
        );
    }
}

#[test]
fn backup_and_restore_bring_back_a_removed_learner() {
    let (dir, config) = admin_config();
    let base = || with_config(&config);
    run_ok(base().args([
        "learners",
        "add",
        "--email",
        "ana@example.org",
        "--name",
        "Ana",
        "--lang",
        "es",
        "--level",
        "B1",
    ]));
    let backup = dir.path().join("backups/2026-12-02.sqlite");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let out = run_ok(base().arg("backup").arg(&backup));
    assert!(out.contains("1 learners"), "{out}");
    let err = run_err(base().arg("backup").arg(&backup));
    assert!(err.contains("exists already"), "{err}");
    run_ok(base().args(["learners", "remove", "ana@example.org"]));
    let out = run_ok(base().arg("restore").arg(&backup));
    assert!(out.contains("reindex"), "{out}");
    let listed = run_ok(base().args(["learners", "list"]));
    assert!(listed.contains("ana@example.org"), "{listed}");
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, "hello").unwrap();
    let err = run_err(base().arg("restore").arg(&junk));
    assert!(err.contains("junk.sqlite"), "{err}");
}

#[test]
fn the_systemd_units_pass_systemd_analyze_verify() {
    // The service, and an instance of the worker template.
    for (file, instance) in [
        ("hyperlearn.service", "hyperlearn.service"),
        (
            "hyperlearn-worker@.service",
            "hyperlearn-worker@lessons.service",
        ),
    ] {
        let unit = std::fs::read_to_string(repo().join("deploy").join(file)).unwrap();
        assert!(unit.contains("ProtectSystem=strict") && unit.contains("NoNewPrivileges=yes"));
        assert!(
            unit.contains("ReadWritePaths=/var/lib/hyperlearn")
                && unit.contains("Restart=on-failure")
        );
        // Verified with this build's binary in place of the installed one (verify checks
        // that the command exists).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(instance);
        std::fs::write(
            &path,
            unit.replace(
                "/usr/local/bin/hyperlearn",
                env!("CARGO_BIN_EXE_hyperlearn"),
            ),
        )
        .unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .expect("systemd-analyze runs (scripts/setup installs Debian's systemd package)");
        let stderr = String::from_utf8_lossy(&out.stderr);
        // It exits 0 after warnings such as an unknown value, so any output is a failure too.
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "{file}: {stderr}"
        );
    }
}

#[test]
fn doctor_checks_the_relay_the_model_and_the_rest_and_says_what_to_fix() {
    let _turn = crate::support::model_turn_blocking();
    let smtp = crate::support::Smtp::start();
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::write_config(dir.path(), Some(smtp.port), "");
    crate::support::write_feeds(&config, "en", &[("https://news.example/rss", "en")]);
    let file = dir.path().join("config.toml");
    let out = run_ok(hyperlearn().arg("--config").arg(&file).arg("doctor"));
    for line in [
        "ok   public URL  https://hyperlearn.test/",
        "ok   store",
        "ok   feeds       1 feeds listed",
        "ok   mail        SMTP relay 127.0.0.1 accepted a connection",
        "ok   model",
        "ok   calibration no model-judged kind is on for this model file",
        "Ready for `hyperlearn serve`.",
    ] {
        assert!(out.contains(line), "missing `{line}`:\n{out}");
    }
    assert!(smtp.messages().is_empty(), "nothing was sent");
    // A relay that does not answer, an http public URL and a short key are named.
    let closed = crate::support::free_port();
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace(
            &format!("port = {}", smtp.port),
            &format!("port = {closed}"),
        )
        .replace("https://hyperlearn.test/", "http://lessons.example/")
        .replace("integration-test-key-0123456789abcdef", "short");
    std::fs::write(&file, text).unwrap();
    let out = hyperlearn()
        .arg("--config")
        .arg(&file)
        .args(["doctor", "--no-model"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "FIX  public URL",
        "FIX  link key",
        "FIX  mail        SMTP relay 127.0.0.1",
    ] {
        assert!(stdout.contains(line), "missing `{line}`:\n{stdout}");
    }
    assert!(!stdout.contains("model"), "--no-model: {stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 thing(s) to fix"), "{stderr}");
}

#[test]
fn a_forgotten_learner_comes_back_only_when_they_ask() {
    let (_dir, config) = admin_config();
    let base = || with_config(&config);
    let add = [
        "learners",
        "add",
        "--email",
        "ana@example.org",
        "--name",
        "Ana",
        "--lang",
        "es",
        "--level",
        "B1",
    ];
    run_ok(base().args(add));
    let exported: serde_json::Value = serde_json::from_str(&run_ok(base().args([
        "learners",
        "export",
        "ana@example.org",
    ])))
    .unwrap();
    assert_eq!(exported["profile"]["name"], "Ana");
    run_ok(base().args(["learners", "forget", "ana@example.org"]));
    let err = run_err(base().args(add));
    assert!(err.contains("was forgotten"), "{err}");
    run_ok(base().args(add).arg("--again"));
    assert!(run_ok(base().args(["learners", "list"])).contains("ana@example.org"));
}

#[test]
fn eval_lessons_writes_the_jsonl_contract_and_an_audit_page() {
    let _turn = crate::support::model_turn_blocking();
    let dir = tempfile::tempdir().unwrap();
    crate::support::write_config(dir.path(), None, "");
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let fixture = |name: &str| {
        std::fs::read_to_string(repo().join("tests/fixtures/site/articles/en").join(name))
            .unwrap()
            .replace("{{BASE}}", "https://courier.example")
    };
    std::fs::write(pages.join("ocean-robot.html"), fixture("ocean-robot.html")).unwrap();
    // Gzipped pages are read too; this one also talks to the reader ("Answer B.").
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, fixture("injection.html").as_bytes()).unwrap();
    std::fs::write(pages.join("injection.html.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(pages.join("short.html"), "<p>Too short to teach.</p>").unwrap();
    std::fs::write(pages.join("notes.txt"), "not a page").unwrap();
    let jsonl = dir.path().join("out.jsonl");
    let audit = dir.path().join("audit.html");
    let out = run_ok(
        with_config(&dir.path().join("config.toml"))
            .current_dir(dir.path())
            .args([
                "-q",
                "eval",
                "lessons",
                "--lang",
                "en",
                "--level",
                "B1",
                "--no-record",
            ])
            .arg("--pages")
            .arg(&pages)
            .arg("--jsonl")
            .arg(&jsonl)
            .arg("--audit")
            .arg(&audit),
    );
    assert!(
        out.contains("(3 pages: 2 in en, 0 in another language, 1 too short, 0 unreadable)"),
        "{out}"
    );
    assert!(out.contains("lessons: 2 of 2"), "{out}");
    assert!(
        out.contains("beyond one sentence:")
            && out.contains("lessons with the B1 mix (at least 2):"),
        "{out}"
    );
    for kind in ["gap_fill", "true_false", "multiple_choice"] {
        assert!(out.contains(kind), "{kind} in {out}");
    }
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 6, "two lessons of at least 3: {lines:?}");
    // The pages' text without tags (a sentence may hold a link).
    let mut pages_text = String::new();
    let mut in_tag = false;
    for c in format!(
        "{}{}",
        fixture("ocean-robot.html"),
        fixture("injection.html")
    )
    .chars()
    {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => pages_text.push(c),
            _ => {}
        }
    }
    for l in &lines {
        for key in [
            "page", "lang", "level", "kind", "origin", "scope", "question", "answer", "evidence",
        ] {
            assert!(l.get(key).is_some_and(|v| v.is_string()), "{key} in {l}");
        }
        assert_eq!(
            (l["lang"].as_str(), l["level"].as_str()),
            (Some("en"), Some("B1"))
        );
        assert!(
            matches!(l["origin"].as_str(), Some("model" | "constructed")),
            "{l}"
        );
        assert!(
            matches!(l["scope"].as_str(), Some("sentence" | "text")),
            "{l}"
        );
        assert!(l.get("options").is_none_or(|o| o.is_array()), "{l}");
        // An order exercise's evidence is its sentences in the article's order.
        for sentence in l["evidence"].as_str().unwrap().split(" … ") {
            assert!(pages_text.contains(sentence), "evidence from the page: {l}");
        }
        assert!(
            !l.to_string().contains("Answer B"),
            "nothing of the injected paragraph: {l}"
        );
    }
    let page = std::fs::read_to_string(&audit).unwrap();
    assert!(
        page.contains("<h1>Lesson audit: en, B1, 2 lessons</h1>"),
        "{page}"
    );
    assert!(!dir.path().join("BENCHMARKS.md").exists());
}

#[test]
fn calibrate_measures_the_model_stores_its_verdict_and_lessons_follow_it() {
    let _turn = crate::support::model_turn_blocking();
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::write_config(dir.path(), None, "");
    let config_path = dir.path().join("config.toml");
    let err = run_err(with_config(&config_path).args(["-q", "calibrate", "--langs", "pt"]));
    assert!(
        err.contains("no calibration set for `pt`") && err.contains("bank sets exist for en"),
        "{err}"
    );

    // The test model guesses at word meanings: the kind stays off, and the figures say why.
    let out = run_ok(with_config(&config_path).args(["-q", "calibrate", "--langs", "en"]));
    assert!(
        out.contains("vocabulary (en): 40 items; right keys accepted"),
        "{out}"
    );
    assert!(out.contains(": off, "), "{out}");
    assert!(
        out.contains("Lessons use vocabulary in: no language."),
        "{out}"
    );
    assert!(!out.contains("set defect"), "{out}");
    let shown = run_ok(with_config(&config_path).args(["calibrate", "--show", "--json"]));
    let verdicts: Vec<serde_json::Value> = shown
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let verdict = verdicts
        .iter()
        .find(|v| v["kind"] == "vocabulary")
        .expect("a vocabulary verdict");
    assert_eq!(verdict["lang"], "en");
    assert_eq!(verdict["passed"], false);
    assert_eq!(verdict["applies"], true);
    assert_eq!(verdict["items"], 40);
    assert_eq!(verdict["wrong_tried"], 120);
    // Content words' banks: the set's banks chosen by the model's fits, each of its words
    // that fit a gap a wrong key tried.
    let bank = verdicts
        .iter()
        .find(|v| v["kind"] == "bank")
        .expect("a bank verdict");
    assert_eq!(
        (bank["lang"].as_str(), bank["items"].as_i64()),
        (Some("en"), Some(40))
    );
    assert_eq!(bank["wrong_tried"], 80);
    assert!(
        out.contains("bank (en): 40 items; banks shown clean"),
        "{out}"
    );

    // What a model that passed would get: vocabulary items among the model's candidates.
    let store = hyperlearn::store::Store::connect(&config.store).unwrap();
    let sha = hyperlearn::generation::model_file_sha256(&config.model.path).unwrap();
    let mut passed = store
        .calibrations()
        .unwrap()
        .into_iter()
        .find(|c| c.kind == "vocabulary")
        .unwrap();
    assert_eq!(passed.model_sha256, sha);
    passed.passed = true;
    store.save_calibration(&passed).unwrap();
    drop(store);
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/site/articles/en/ocean-robot.html"),
        pages.join("ocean-robot.html"),
    )
    .unwrap();
    let eval = |dir: &std::path::Path| {
        run_ok(
            with_config(&config_path)
                .current_dir(dir)
                .args(["-q", "eval", "lessons", "--lang", "en", "--level", "B2"])
                .args(["--no-record", "--pages"])
                .arg(&pages),
        )
    };
    let out = eval(dir.path());
    assert!(
        out.contains("model-judged kinds (vocabulary): on, the model passed its en calibration"),
        "{out}"
    );
    assert!(out.contains("\n  vocabulary "), "{out}");

    // Another model file (or a changed set) does not inherit the verdict.
    passed.model_sha256 = "0".repeat(64);
    let store = hyperlearn::store::Store::connect(&config.store).unwrap();
    store.save_calibration(&passed).unwrap();
    let mut own = store
        .calibrations()
        .unwrap()
        .into_iter()
        .find(|c| c.model_sha256 == sha && c.kind == "vocabulary")
        .unwrap();
    own.passed = false;
    store.save_calibration(&own).unwrap();
    drop(store);
    let out = eval(dir.path());
    assert!(
        out.contains("model-judged kinds (vocabulary): off"),
        "{out}"
    );
    assert!(!out.contains("\n  vocabulary "), "{out}");
    let shown = run_ok(with_config(&config_path).args(["calibrate", "--show"]));
    assert!(
        shown.contains("[another model file or set: does not apply]"),
        "{shown}"
    );
}

#[test]
fn an_sqlite_installation_moves_to_postgresql_with_one_command() {
    let Some(target) = hyperlearn::store::testing::test_postgres() else {
        eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)");
        return;
    };
    let (dir, config) = admin_config();
    let base = || with_config(&config);
    for (email, level) in [("ana@example.org", "B1"), ("bo@example.org", "A2")] {
        run_ok(base().args([
            "learners", "add", "--email", email, "--name", "N", "--lang", "en", "--level", level,
        ]));
    }
    let out = run_ok(base().args(["store", "migrate"]));
    let latest = hyperlearn::store::Store::latest_schema_version();
    assert!(
        out.contains(&format!("schema {latest}, up to date")),
        "{out}"
    );

    let url = target.to_string();
    let out = run_ok(base().args(["store", "copy", "--to", &url]));
    assert!(
        out.contains("2 learners") && out.contains("(checked)"),
        "{out}"
    );
    // The copy is refused a second time: the target holds data now.
    let err = run_err(base().args(["store", "copy", "--to", &url]));
    assert!(err.contains("already holds data"), "{err}");

    // The same installation, pointed at PostgreSQL.
    let on_postgres = dir.path().join("postgres.toml");
    std::fs::write(
        &on_postgres,
        format!("[paths]\nstore = \"db.sqlite\"\n[store]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    let out = run_ok(with_config(&on_postgres).args(["learners", "list"]));
    assert!(
        out.contains("ana@example.org") && out.contains("bo@example.org"),
        "{out}"
    );
    // The installation's generated link key came along: another machine on the same store,
    // with a key file of its own, signs and checks links with it.
    let source = hyperlearn::config::Config::from_file(&config).unwrap();
    let key = std::fs::read_to_string(source.token_key_file()).unwrap();
    let other = tempfile::tempdir().unwrap();
    let elsewhere = other.path().join("config.toml");
    std::fs::write(
        &elsewhere,
        format!("[paths]\nstore = \"db.sqlite\"\n[store]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    let shared = |path: &std::path::Path| {
        let config = hyperlearn::config::Config::from_file(path).unwrap();
        let services = hyperlearn::pipeline::Services::open(config).unwrap();
        assert_eq!(
            services.config.mail.token_key_origin,
            hyperlearn::config::KeyOrigin::Store
        );
        services.config.mail.token_key.expose().to_string()
    };
    assert_eq!(shared(&elsewhere), key.trim());
    assert!(other.path().join("token.key").is_file(), "its own file");
    // (doctor also finds this bare config's other gaps, so it exits with 1)
    let out = with_config(&elsewhere).arg("doctor").output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("kept in the PostgreSQL store, shared by every machine"),
        "{out}"
    );
    // Rotating it replaces it in the store, for every machine.
    let out = run_ok(with_config(&elsewhere).arg("rotate-token-key"));
    assert!(out.contains("A new link-signing key is kept in"), "{out}");
    let rotated = shared(&on_postgres);
    assert_ne!(rotated, key.trim());
    assert_eq!(shared(&elsewhere), rotated);
    run_ok(with_config(&on_postgres).args([
        "learners",
        "add",
        "--email",
        "cy@example.org",
        "--name",
        "C",
        "--lang",
        "en",
        "--level",
        "B2",
    ]));
    let out = run_ok(with_config(&on_postgres).args(["store", "migrate"]));
    assert!(
        out.contains(&format!("schema {latest}, up to date")),
        "{out}"
    );

    // A URL that is neither engine is named, with what would do.
    let err = run_err(base().args(["store", "copy", "--to", "mysql://x@y/z"]));
    assert!(
        err.contains("neither `sqlite:PATH` nor `postgres://"),
        "{err}"
    );
}
