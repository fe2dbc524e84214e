//! Test harness: fixture web site, SMTP server, configuration in a temp folder.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hyperlearn::config::Config;
use hyperlearn::demo::{DEMO_SITE, SiteFile, StaticSite};

/// Tests that run the model take turns. llama.cpp's threads spin while they wait for each
/// other, so two model runs at once on a 2-core machine each take many times as long as
/// alone (the demo test: 50 s alone, 467 s beside the calibration test).
static MODEL_TURN: std::sync::LazyLock<tokio::sync::Mutex<()>> =
    std::sync::LazyLock::new(|| tokio::sync::Mutex::new(()));

/// The model's turn, for an async test: hold it while the model runs.
pub async fn model_turn() -> tokio::sync::MutexGuard<'static, ()> {
    MODEL_TURN.lock().await
}

/// The model's turn, for a test outside a runtime (one that runs the binary).
pub fn model_turn_blocking() -> tokio::sync::MutexGuard<'static, ()> {
    MODEL_TURN.blocking_lock()
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The test model; `scripts/setup` downloads it.
pub fn model_path() -> PathBuf {
    let path = repo().join("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup first",
        path.display()
    );
    path
}

/// The demo site plus the test fixtures under tests/fixtures/site.
pub async fn fixture_site() -> StaticSite {
    StaticSite::start(fixture_files(), None)
        .await
        .expect("fixture site starts")
}

/// The files of [`fixture_site`].
pub fn fixture_files() -> Vec<SiteFile> {
    let mut files: Vec<SiteFile> = DEMO_SITE.to_vec();
    let root = repo().join("tests/fixtures/site");
    for path in walk(&root) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let body = std::fs::read_to_string(&path).unwrap();
        // Leaked: the site lives as long as the test process.
        files.push(SiteFile {
            path: Box::leak(rel.into_boxed_str()),
            body: Box::leak(body.into_boxed_str()),
        });
    }
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out.sort();
    out
}

/// A received message.
pub struct Received {
    pub rcpt: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("received mail parses")
    }
}

/// The real SMTP server (aiosmtpd) on 127.0.0.1.
pub struct Smtp {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// A learner to add, with the defaults the tests share: named after the address's local
/// part, English, level 3.0 (B1), no interests, lessons at 07:00 UTC. Change what a test
/// needs with struct update syntax: `NewLearner { lang: "ru".into(), ..learner(email) }`.
pub fn learner(email: &str) -> hyperlearn::store::NewLearner {
    hyperlearn::store::NewLearner {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).into(),
        lang: "en".into(),
        level: 3.0,
        interests: vec![],
        delivery_time: chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        timezone: "UTC".into(),
    }
}

/// The Message-IDs each recipient got, in arrival order.
pub fn ids_by_recipient(smtp: &Smtp) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for m in smtp.messages() {
        let id = m.parsed().message_id().unwrap_or_default().to_string();
        for r in &m.rcpt {
            by.entry(r.clone()).or_default().push(id.clone());
        }
    }
    by
}

/// A free port on 127.0.0.1 (nothing listens on it until someone binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Smtp {
    pub fn start() -> Smtp {
        Smtp::start_with(free_port(), &[])
    }

    /// On a given port, with extra arguments (`--greet421`).
    pub fn start_with(port: u16, args: &[&str]) -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let python = if Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3"
        } else {
            "python3"
        };
        let mut child = Command::new(python)
            .arg(repo().join("tests/support/smtp_sink.py"))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs (scripts/setup installs python3-aiosmtpd)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "READY",
            "the SMTP sink did not start; is python3-aiosmtpd installed?"
        );
        Smtp { child, port, dir }
    }

    /// How many messages were received so far (without reading them).
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|e| e == "eml"))
            .count()
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                let envelope: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(p.with_extension("json")).unwrap(),
                )
                .unwrap();
                Received {
                    rcpt: envelope["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect(),
                    raw: std::fs::read(&p).unwrap(),
                }
            })
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a config file for a test into `dir` and loads it. `extra` is appended (it may
/// override sections that are not written here).
pub fn write_config(dir: &Path, smtp_port: Option<u16>, model_extra: &str) -> Config {
    let smtp = match smtp_port {
        Some(port) => format!(
            "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\ntimeout_secs = 10\n"
        ),
        None => String::new(),
    };
    let text = format!(
        r#"[paths]
feeds_dir = "feeds"
index_dir = "index"
store = "hyperlearn.db"
outbox_dir = "outbox"
wordfreq_dir = "{wordfreq}"

[fetch]
allow_hosts = ["127.0.0.1"]
timeout_secs = 10
per_host_interval_ms = 0
per_host_concurrency = 8

[model]
path = "{model}"
threads = 2
context_size = 4096
{model_extra}

[lesson]
exercises = 4
min_exercises = 3
model_candidates = 2

[web]
listen = "127.0.0.1:0"

[metrics]
listen = "127.0.0.1:0"

[mail]
from = "HyperLearn Test <lessons@hyperlearn.test>"
public_url = "https://hyperlearn.test/"
token_key = "integration-test-key-0123456789abcdef"

{smtp}"#,
        model = model_path().display(),
        wordfreq = repo().join("data/wordfreq").display(),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    Config::from_file(&path).expect("test config is valid")
}

/// Points the config in `dir` at `store` (`[store] url`); `None` leaves the SQLite default.
pub fn put_store(dir: &Path, store: Option<&hyperlearn::store::StoreLocation>) {
    let Some(hyperlearn::store::StoreLocation::Postgres { url, .. }) = store else {
        return;
    };
    let path = dir.join("config.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n[store]\nurl = \"{url}\"\n"));
    std::fs::write(&path, text).unwrap();
}

/// Writes a feed list file.
pub fn write_feeds(config: &Config, name: &str, feeds: &[(&str, &str)]) {
    std::fs::create_dir_all(&config.feeds_dir).unwrap();
    let mut text = String::new();
    for (url, lang) in feeds {
        text.push_str(&format!("[[feed]]\nurl = \"{url}\"\nlang = \"{lang}\"\n\n"));
    }
    std::fs::write(config.feeds_dir.join(format!("{name}.toml")), text).unwrap();
}

/// Waits briefly for a condition (mail arriving on disk, a server starting).
pub fn eventually(condition: impl FnMut() -> bool) -> bool {
    eventually_for(Duration::from_secs(5), condition)
}

/// Waits up to `limit` for a condition.
pub fn eventually_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    condition()
}

/// A fresh 2048-bit RSA DKIM key made by OpenSSL, written to `dir/dkim.key` in PKCS#1 PEM
/// and named in `[mail.dkim]` of `dir/config.toml` (selector `s1`, the sender's domain).
/// Returns the TXT record a receiver would find in DNS for it.
pub fn add_dkim_key(dir: &Path) -> String {
    let key = dir.join("dkim.key");
    let status = Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl genrsa failed");
    let public = Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .stderr(Stdio::null())
        .output()
        .expect("openssl runs");
    assert!(public.status.success(), "openssl rsa -pubout failed");
    let path = dir.join("config.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "\n[mail.dkim]\nselector = \"s1\"\ndomain = \"hyperlearn.test\"\nkey_file = \"dkim.key\"\n",
    );
    std::fs::write(&path, text).unwrap();
    format!(
        "v=DKIM1; k=rsa; p={}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, public.stdout)
    )
}

/// Whether python3-dkim (`tests/support/dkim_verify.py`) verifies `message` against
/// `record`; its log when not.
pub fn dkim_verify(message: &[u8], record: &str) -> Result<(), String> {
    let mut child = Command::new("/usr/bin/python3")
        .arg(repo().join("tests/support/dkim_verify.py"))
        .arg(record)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 runs (scripts/setup installs python3-dkim)");
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
