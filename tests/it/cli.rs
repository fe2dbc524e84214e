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
    let base = || {
        let mut c = hyperlearn();
        c.arg("--config").arg(&config);
        c
    };
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
