//! `config.toml`: the one door through which settings enter the program.
//!
//! Two layers, as ripgrep and zola do it: [`RawConfig`] mirrors the file (serde, unknown keys
//! are errors), [`Config`] is the checked, typed form the rest of the program uses (paths
//! resolved against the file's folder, cron expressions and time values validated, secrets
//! wrapped so they never print). Nothing else reads `config.toml` or environment variables.
#![allow(clippy::disallowed_methods)] // This module is the door for environment variables.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::store::StoreLocation;

/// Environment variable that overrides `[mail] token_key` (the unsubscribe-link secret).
pub const TOKEN_KEY_ENV: &str = "HYPERLEARN_TOKEN_KEY";

/// The environment variable with the PostgreSQL password, for a `[store] url` without one.
pub const STORE_PASSWORD_ENV: &str = "HYPERLEARN_STORE_PASSWORD";

/// The PostgreSQL password from [`STORE_PASSWORD_ENV`], when set.
pub fn store_password() -> Option<Secret> {
    std::env::var(STORE_PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}
/// Environment variable that overrides `[mail.smtp] password`.
pub const SMTP_PASSWORD_ENV: &str = "HYPERLEARN_SMTP_PASSWORD";
/// The file, beside the store, that holds the link-signing key when none is configured.
pub const TOKEN_KEY_FILE: &str = "token.key";
/// The key that signed links before keys were generated; it is public, so it is refused.
const PUBLIC_DEVELOPMENT_KEY: &str = "hyperlearn-development-key";
/// Environment variable that sets the log filter (tracing `EnvFilter` syntax).
pub const LOG_ENV: &str = "HYPERLEARN_LOG";
/// Environment variable that sets the log format: `json` for one JSON object per line.
pub const LOG_FORMAT_ENV: &str = "HYPERLEARN_LOG_FORMAT";
/// Environment variable naming the evaluation data folder (default `../shared/data`).
pub const DATA_ENV: &str = "HYPERLEARN_DATA";

/// What can go wrong while reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file we tried.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown / mistyped keys.
    #[error("invalid config{}: {message}", .path.as_ref().map(|p| format!(" file {}", p.display())).unwrap_or_default())]
    Parse {
        /// The file, when there is one.
        path: Option<PathBuf>,
        /// The parser's message, naming the key and line.
        message: String,
    },
    /// The file holding the link-signing key cannot be used.
    #[error("token key file {path}: {message}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A value parsed but makes no sense.
    #[error("invalid config value `{key}`: {message}")]
    Invalid {
        /// The dotted key at fault, e.g. `model.threads`.
        key: &'static str,
        /// What is wrong and what would be right.
        message: String,
    },
}

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// 32 bytes from the operating system's random source, as 64 hex digits.
    pub fn random() -> Secret {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Secret(hex::encode(bytes))
    }
}

/// Where the key that signs learners' links comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `HYPERLEARN_TOKEN_KEY`.
    Environment,
    /// `[mail] token_key`.
    ConfigFile,
    /// Generated on first start and kept in this file (mode 0600) beside the store.
    KeyFile(PathBuf),
    /// Random for this process only (config text parsed without a file: evaluations,
    /// benchmarks); links it signs stop working when the process ends.
    Ephemeral,
    /// Generated once and kept in the PostgreSQL store, shared by every machine on it
    /// ([`Config::use_store_key`]); the first key file to reach the store seeded it.
    Store,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// The raw mirror of `config.toml`. Every field has a documented default, kept in step with
/// the shipped `config.toml` by a test.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub paths: RawPaths,
    #[serde(default)]
    pub fetch: RawFetch,
    #[serde(default)]
    pub model: RawModel,
    #[serde(default)]
    pub lesson: RawLesson,
    #[serde(default)]
    pub mail: RawMail,
    #[serde(default)]
    pub schedule: RawSchedule,
    #[serde(default)]
    pub delivery: RawDelivery,
    #[serde(default)]
    pub web: RawWeb,
    #[serde(default)]
    pub metrics: RawMetrics,
    #[serde(default)]
    pub privacy: RawPrivacy,
    #[serde(default)]
    pub store: RawStore,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawStore {
    /// `sqlite:PATH` or `postgres://…`; unset: the SQLite file `paths.store`.
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPrivacy {
    pub keep_days: u32,
}

impl Default for RawPrivacy {
    fn default() -> Self {
        RawPrivacy { keep_days: 365 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMetrics {
    pub enabled: bool,
    pub listen: String,
}

impl Default for RawMetrics {
    fn default() -> Self {
        RawMetrics {
            enabled: true,
            listen: "127.0.0.1:9464".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawWeb {
    pub enabled: bool,
    pub listen: String,
    pub session_hours: u32,
}

impl Default for RawWeb {
    fn default() -> Self {
        RawWeb {
            enabled: true,
            listen: "127.0.0.1:8080".into(),
            session_hours: 12,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPaths {
    pub feeds_dir: String,
    pub index_dir: String,
    pub store: String,
    pub outbox_dir: String,
    pub templates_dir: Option<String>,
    pub wordfreq_dir: String,
    pub topic_model: String,
}

impl Default for RawPaths {
    fn default() -> Self {
        RawPaths {
            feeds_dir: "feeds".into(),
            index_dir: "index".into(),
            store: "var/hyperlearn.db".into(),
            outbox_dir: "var/outbox".into(),
            templates_dir: None,
            wordfreq_dir: "data/wordfreq".into(),
            topic_model: "data/topics-en.json".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawFetch {
    pub user_agent: String,
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub concurrency: usize,
    pub max_articles_per_feed: usize,
    pub allow_hosts: Vec<String>,
    pub per_host_concurrency: usize,
    pub per_host_interval_ms: u64,
    pub pause_after_failures: u32,
    pub error_backoff_minutes: u64,
    pub respect_robots: bool,
}

impl Default for RawFetch {
    fn default() -> Self {
        RawFetch {
            user_agent: "HyperLearn/0.1 (+https://github.com/hyperlearn/hyperlearn)".into(),
            connect_timeout_secs: 10,
            timeout_secs: 20,
            max_body_bytes: 15 * 1024 * 1024,
            max_redirects: 5,
            concurrency: 8,
            max_articles_per_feed: 30,
            allow_hosts: Vec::new(),
            per_host_concurrency: 2,
            per_host_interval_ms: 250,
            pause_after_failures: 3,
            error_backoff_minutes: 15,
            respect_robots: true,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawModel {
    pub path: String,
    pub threads: u32,
    pub context_size: u32,
    pub gpu_layers: u32,
    pub parallel_sequences: u32,
    pub temperature: f32,
    pub seed: u32,
    pub max_tokens: u32,
    pub request_timeout_secs: u64,
    pub retries: u32,
    pub prefix_sharing: bool,
}

impl Default for RawModel {
    fn default() -> Self {
        RawModel {
            path: "models/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
            threads: 0,
            context_size: 4096,
            gpu_layers: 0,
            parallel_sequences: 1,
            temperature: 0.7,
            seed: 42,
            max_tokens: 384,
            request_timeout_secs: 120,
            retries: 2,
            prefix_sharing: true,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLesson {
    pub exercises: usize,
    pub min_exercises: usize,
    pub model_candidates: usize,
    pub phrased_plans: usize,
    pub max_article_words: usize,
}

impl Default for RawLesson {
    fn default() -> Self {
        RawLesson {
            exercises: 5,
            min_exercises: 3,
            model_candidates: 4,
            phrased_plans: 6,
            max_article_words: 600,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMail {
    pub from: String,
    pub public_url: String,
    pub token_key: Option<Secret>,
    pub smtp: Option<RawSmtp>,
    pub dkim: Option<RawDkim>,
}

/// `[mail.dkim]`: sign outgoing mail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDkim {
    pub selector: String,
    pub domain: String,
    pub key_file: String,
}

impl Default for RawMail {
    fn default() -> Self {
        RawMail {
            from: "HyperLearn <lessons@hyperlearn.localhost>".into(),
            public_url: "https://hyperlearn.localhost".into(),
            token_key: None,
            smtp: None,
            dkim: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_security")]
    pub security: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
}

fn default_security() -> String {
    "starttls".into()
}

fn default_smtp_timeout() -> u64 {
    30
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSchedule {
    pub fetch: String,
    /// `daily` is its name from before lessons followed each learner's local time.
    #[serde(alias = "daily")]
    pub lessons: String,
    pub mail: String,
}

impl Default for RawSchedule {
    fn default() -> Self {
        RawSchedule {
            fetch: "0 0 * * * *".into(),
            lessons: "0 * * * * *".into(),
            mail: "*/20 * * * * *".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDelivery {
    pub lead_minutes: u32,
    pub late_cutoff_minutes: u32,
    pub max_attempts: u32,
    pub retry_backoff_secs: u32,
    pub pause_after_failures: u32,
    pub rate_per_second: f64,
    pub connections: u32,
    pub lock_ttl_secs: u32,
}

impl Default for RawDelivery {
    fn default() -> Self {
        let d = DeliveryConfig::default();
        RawDelivery {
            lead_minutes: d.lead.num_minutes() as u32,
            late_cutoff_minutes: d.late_cutoff.num_minutes() as u32,
            max_attempts: d.max_attempts,
            retry_backoff_secs: d.retry_backoff.num_seconds() as u32,
            pause_after_failures: d.pause_after_failures,
            rate_per_second: d.rate_per_second,
            connections: d.connections as u32,
            lock_ttl_secs: d.lock_ttl.as_secs() as u32,
        }
    }
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder of `feeds/*.toml` feed lists.
    pub feeds_dir: PathBuf,
    /// Folder of the tantivy index.
    pub index_dir: PathBuf,
    /// Where the store is: `[store] url`, or else the SQLite file `paths.store`.
    pub store: StoreLocation,
    /// The SQLite file of `paths.store`; files kept "beside the store" (the generated
    /// link-signing key) live in its folder whichever store is used.
    pub store_path: PathBuf,
    /// Where mail goes when no SMTP server is configured.
    pub outbox_dir: PathBuf,
    /// Optional folder overriding the built-in templates.
    pub templates_dir: Option<PathBuf>,
    /// Word-frequency lists (the wordfreq package's `large_<lang>.msgpack.gz`).
    pub wordfreq_dir: PathBuf,
    /// A trained topic classifier (`hyperlearn eval topics --save-model`), used when present.
    pub topic_model: PathBuf,
    pub fetch: FetchConfig,
    pub model: ModelConfig,
    pub lesson: LessonConfig,
    pub mail: MailConfig,
    pub schedule: ScheduleConfig,
    pub delivery: DeliveryConfig,
    pub web: WebConfig,
    pub metrics: MetricsConfig,
    /// Learners' scores and the stored bodies of sent mail are kept this long (`None`:
    /// for ever), enforced by every fetch run.
    pub keep: Option<chrono::Duration>,
}

/// `/metrics`, `/healthz` and `/readyz` for Prometheus, load balancers and systemd
/// (`[metrics]`), on a listener of their own, loopback by default.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    pub enabled: bool,
    pub listen: std::net::SocketAddr,
}

/// The web UI (`[web]`), served by `serve`.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub enabled: bool,
    pub listen: std::net::SocketAddr,
    pub session: Duration,
}

/// HTTP client limits and politeness.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub concurrency: usize,
    pub max_articles_per_feed: usize,
    /// Hosts (or literal IPs) that may be fetched although they are private or loopback.
    pub allow_hosts: Vec<String>,
    /// Requests in flight to one host at most.
    pub per_host_concurrency: usize,
    /// Least time between the starts of two requests to one host.
    pub per_host_interval: Duration,
    /// Failures in a row after which a feed is paused until refreshed by hand (0: never).
    pub pause_after_failures: u32,
    /// Wait before retrying a failed feed; doubled after each further failure.
    pub error_backoff: Duration,
    /// Honour robots.txt for article pages (feeds are fetched as an admin listed them).
    pub respect_robots: bool,
}

/// The language model and how to run it.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub path: PathBuf,
    /// CPU threads; 0 means all available cores.
    pub threads: u32,
    pub context_size: u32,
    pub gpu_layers: u32,
    pub parallel_sequences: u32,
    pub temperature: f32,
    pub seed: u32,
    pub max_tokens: u32,
    pub request_timeout: Duration,
    pub retries: u32,
    /// Re-use the KV cache of prompt prefixes shared between requests.
    pub prefix_sharing: bool,
}

impl ModelConfig {
    /// Threads to use, with 0 resolved to the number of available cores.
    pub fn effective_threads(&self) -> u32 {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(2)
    }
}

/// How lessons are put together.
#[derive(Debug, Clone)]
pub struct LessonConfig {
    /// Exercises a lesson aims for.
    pub exercises: usize,
    /// A lesson with fewer verified exercises is not sent.
    pub min_exercises: usize,
    /// Model-written candidates tried per lesson before filling with constructed ones.
    pub model_candidates: usize,
    /// Question plans (key chosen by the program) per lesson whose wording the model
    /// chooses; 0: none.
    pub phrased_plans: usize,
    /// Articles are cut to this many words before they are given to the model.
    pub max_article_words: usize,
}

/// Mail sending.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub from: String,
    /// Base of links in mail (lesson pages, unsubscribe).
    pub public_url: url::Url,
    /// Key that signs learners' links (lesson, preferences, unsubscribe). Never a key that
    /// ships in the source: configured, or generated and kept beside the store.
    pub token_key: Secret,
    pub token_key_origin: KeyOrigin,
    /// `None`: mail is written to the outbox folder.
    pub smtp: Option<SmtpConfig>,
    /// `None`: mail is not DKIM-signed (the relay may sign it).
    pub dkim: Option<DkimSettings>,
}

/// DKIM signing: the key published at `<selector>._domainkey.<domain>`.
#[derive(Debug, Clone)]
pub struct DkimSettings {
    pub selector: String,
    pub domain: String,
    pub key_file: PathBuf,
    /// The file's content: an RSA key in PKCS#1 PEM, or an Ed25519 key as the base64 of its
    /// 32 bytes. Checked by delivery, which signs with it.
    pub key: Secret,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS (local relays and tests only).
    Plain,
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// An SMTP relay.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub timeout: Duration,
}

/// Cron expressions (seconds first, as tokio-cron-scheduler reads them).
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// Fetching feeds and articles.
    pub fetch: String,
    /// Making the lessons that fall due within the lead time.
    pub lessons: String,
    /// Sending the mail that is due.
    pub mail: String,
}

/// When lessons are made and how mail is sent (`[delivery]`).
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Lessons are made this long before the learner's delivery time.
    pub lead: chrono::Duration,
    /// A lesson later than this after its delivery time (downtime) is not sent.
    pub late_cutoff: chrono::Duration,
    /// Attempts at a delivery that keeps failing transiently before it is marked failed.
    pub max_attempts: u32,
    /// Wait after the first transient failure; doubled after each further one.
    pub retry_backoff: chrono::Duration,
    /// Permanent failures in a row after which a learner is paused (0: never).
    pub pause_after_failures: u32,
    /// Messages per second handed to the relay (0: no limit).
    pub rate_per_second: f64,
    /// SMTP connections used at once.
    pub connections: usize,
    /// How long a run's lock in the store lasts unless renewed.
    pub lock_ttl: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            lead: chrono::Duration::minutes(120),
            late_cutoff: chrono::Duration::minutes(240),
            max_attempts: 6,
            retry_backoff: chrono::Duration::seconds(60),
            pause_after_failures: 3,
            rate_per_second: 20.0,
            connections: 4,
            lock_ttl: Duration::from_secs(120),
        }
    }
}

impl Config {
    /// Reads and checks a config file; relative paths in it are resolved against its folder.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config = Config::parse(&text, &base).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: Some(path.to_path_buf()),
                message,
            },
            other => other,
        })?;
        config.keep_token_key()?;
        Ok(config)
    }

    /// The file that holds the generated link-signing key: beside the store.
    pub fn token_key_file(&self) -> PathBuf {
        self.store_path
            .parent()
            .map(|d| d.join(TOKEN_KEY_FILE))
            .unwrap_or_else(|| PathBuf::from(TOKEN_KEY_FILE))
    }

    /// Without a configured key, uses the one kept beside the store, generating it on first
    /// start (a file readable by its owner only). A configured key is left as it is.
    pub fn keep_token_key(&mut self) -> Result<(), ConfigError> {
        if self.mail.token_key_origin != KeyOrigin::Ephemeral {
            return Ok(());
        }
        let file = self.token_key_file();
        self.mail.token_key = read_or_create_key(&file)?;
        self.mail.token_key_origin = KeyOrigin::KeyFile(file);
        Ok(())
    }

    /// Signs links with the key kept in a shared store, in place of this machine's key file.
    pub fn use_store_key(&mut self, key: String) {
        self.mail.token_key = Secret::new(key);
        self.mail.token_key_origin = KeyOrigin::Store;
    }

    /// Whether a generated key belongs in the store rather than in a file: the store is
    /// PostgreSQL, shared by machines that must sign links alike, and no key is set.
    pub fn key_belongs_in_store(&self) -> bool {
        self.store.backend() == crate::store::Backend::Postgres
            && matches!(
                self.mail.token_key_origin,
                KeyOrigin::KeyFile(_) | KeyOrigin::Ephemeral | KeyOrigin::Store
            )
    }

    /// Parses config text; relative paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: None,
            message: e.to_string(),
        })?;
        Config::from_raw(raw, base)
    }

    /// Checks a raw config and resolves it.
    pub fn from_raw(raw: RawConfig, base: &Path) -> Result<Config, ConfigError> {
        let resolve = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let fetch = check_fetch(raw.fetch)?;
        let model = check_model(raw.model, &resolve)?;
        let lesson = check_lesson(raw.lesson)?;
        let mail = check_mail(raw.mail, &resolve)?;
        let schedule = check_schedule(raw.schedule)?;
        let delivery = check_delivery(raw.delivery)?;
        let web = WebConfig {
            enabled: raw.web.enabled,
            listen: raw.web.listen.parse().map_err(|e| {
                invalid(
                    "web.listen",
                    format!("`{}` is not an address:port ({e})", raw.web.listen),
                )
            })?,
            session: Duration::from_secs(u64::from(raw.web.session_hours.max(1)) * 3600),
        };
        Ok(Config {
            feeds_dir: resolve(&raw.paths.feeds_dir),
            index_dir: resolve(&raw.paths.index_dir),
            store: match raw.store.url.as_deref() {
                None => StoreLocation::Sqlite(resolve(&raw.paths.store)),
                Some(url) => StoreLocation::parse(url, base, store_password())
                    .map_err(|e| invalid("store.url", e))?,
            },
            store_path: resolve(&raw.paths.store),
            outbox_dir: resolve(&raw.paths.outbox_dir),
            templates_dir: raw.paths.templates_dir.as_deref().map(resolve),
            wordfreq_dir: resolve(&raw.paths.wordfreq_dir),
            topic_model: resolve(&raw.paths.topic_model),
            fetch,
            model,
            lesson,
            mail,
            schedule,
            delivery,
            web,
            keep: (raw.privacy.keep_days > 0)
                .then(|| chrono::Duration::days(raw.privacy.keep_days.into())),
            metrics: MetricsConfig {
                enabled: raw.metrics.enabled,
                listen: raw.metrics.listen.parse().map_err(|e| {
                    invalid(
                        "metrics.listen",
                        format!("`{}` is not an address:port ({e})", raw.metrics.listen),
                    )
                })?,
            },
        })
    }
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

fn check_fetch(raw: RawFetch) -> Result<FetchConfig, ConfigError> {
    if raw.user_agent.trim().is_empty() {
        return Err(invalid(
            "fetch.user_agent",
            "must name HyperLearn and a contact URL",
        ));
    }
    if raw.timeout_secs == 0 || raw.connect_timeout_secs == 0 {
        return Err(invalid(
            "fetch.timeout_secs",
            "timeouts must be at least 1 second",
        ));
    }
    if raw.max_body_bytes < 1024 {
        return Err(invalid("fetch.max_body_bytes", "must be at least 1024"));
    }
    if raw.concurrency == 0 {
        return Err(invalid("fetch.concurrency", "must be at least 1"));
    }
    if raw.per_host_concurrency == 0 {
        return Err(invalid("fetch.per_host_concurrency", "must be at least 1"));
    }
    Ok(FetchConfig {
        user_agent: raw.user_agent,
        connect_timeout: Duration::from_secs(raw.connect_timeout_secs),
        timeout: Duration::from_secs(raw.timeout_secs),
        max_body_bytes: raw.max_body_bytes,
        max_redirects: raw.max_redirects,
        concurrency: raw.concurrency,
        max_articles_per_feed: raw.max_articles_per_feed,
        allow_hosts: raw.allow_hosts,
        per_host_concurrency: raw.per_host_concurrency,
        per_host_interval: Duration::from_millis(raw.per_host_interval_ms),
        pause_after_failures: raw.pause_after_failures,
        error_backoff: Duration::from_secs(raw.error_backoff_minutes.max(1) * 60),
        respect_robots: raw.respect_robots,
    })
}

fn check_model(
    raw: RawModel,
    resolve: &dyn Fn(&str) -> PathBuf,
) -> Result<ModelConfig, ConfigError> {
    if raw.path.trim().is_empty() {
        return Err(invalid("model.path", "must name a GGUF model file"));
    }
    if raw.context_size < 512 {
        return Err(invalid("model.context_size", "must be at least 512 tokens"));
    }
    if raw.parallel_sequences == 0 || raw.parallel_sequences > 64 {
        return Err(invalid(
            "model.parallel_sequences",
            "must be between 1 and 64",
        ));
    }
    if !(0.0..=2.0).contains(&raw.temperature) {
        return Err(invalid("model.temperature", "must be between 0.0 and 2.0"));
    }
    if raw.max_tokens == 0 {
        return Err(invalid("model.max_tokens", "must be at least 1"));
    }
    if raw.request_timeout_secs == 0 {
        return Err(invalid("model.request_timeout_secs", "must be at least 1"));
    }
    Ok(ModelConfig {
        path: resolve(&raw.path),
        threads: raw.threads,
        context_size: raw.context_size,
        gpu_layers: raw.gpu_layers,
        parallel_sequences: raw.parallel_sequences,
        temperature: raw.temperature,
        seed: raw.seed,
        max_tokens: raw.max_tokens,
        request_timeout: Duration::from_secs(raw.request_timeout_secs),
        retries: raw.retries,
        prefix_sharing: raw.prefix_sharing,
    })
}

fn check_lesson(raw: RawLesson) -> Result<LessonConfig, ConfigError> {
    if raw.min_exercises == 0 {
        return Err(invalid("lesson.min_exercises", "must be at least 1"));
    }
    if raw.exercises < raw.min_exercises {
        return Err(invalid(
            "lesson.exercises",
            "must be at least lesson.min_exercises",
        ));
    }
    if raw.max_article_words < 50 {
        return Err(invalid("lesson.max_article_words", "must be at least 50"));
    }
    Ok(LessonConfig {
        exercises: raw.exercises,
        min_exercises: raw.min_exercises,
        model_candidates: raw.model_candidates,
        phrased_plans: raw.phrased_plans,
        max_article_words: raw.max_article_words,
    })
}

fn check_mail(raw: RawMail, resolve: &dyn Fn(&str) -> PathBuf) -> Result<MailConfig, ConfigError> {
    if !raw.from.contains('@') {
        return Err(invalid(
            "mail.from",
            format!("`{}` is not a mail address", raw.from),
        ));
    }
    let public_url = url::Url::parse(&raw.public_url)
        .map_err(|e| invalid("mail.public_url", format!("`{}`: {e}", raw.public_url)))?;
    let (token_key, token_key_origin) = match std::env::var(TOKEN_KEY_ENV) {
        Ok(v) if !v.is_empty() => (Secret::new(v), KeyOrigin::Environment),
        _ => match raw.token_key.filter(|k| !k.expose().is_empty()) {
            Some(k) => (k, KeyOrigin::ConfigFile),
            None => (Secret::random(), KeyOrigin::Ephemeral),
        },
    };
    if token_key.expose() == PUBLIC_DEVELOPMENT_KEY {
        return Err(invalid(
            "mail.token_key",
            format!(
                "this key is public (it shipped in HyperLearn's source); remove it to have a random one kept in {TOKEN_KEY_FILE} beside the store, or set a long random value"
            ),
        ));
    }
    let smtp = match raw.smtp {
        None => None,
        Some(s) => {
            let security = match s.security.as_str() {
                "plain" | "none" => SmtpSecurity::Plain,
                "starttls" => SmtpSecurity::StartTls,
                "tls" => SmtpSecurity::Tls,
                other => {
                    return Err(invalid(
                        "mail.smtp.security",
                        format!("`{other}`: use \"starttls\", \"tls\" or \"plain\""),
                    ));
                }
            };
            if s.host.trim().is_empty() {
                return Err(invalid("mail.smtp.host", "must not be empty"));
            }
            let port = s.port.unwrap_or(match security {
                SmtpSecurity::Plain => 25,
                SmtpSecurity::StartTls => 587,
                SmtpSecurity::Tls => 465,
            });
            let password = match std::env::var(SMTP_PASSWORD_ENV) {
                Ok(v) if !v.is_empty() => Some(Secret::new(v)),
                _ => s.password,
            };
            Some(SmtpConfig {
                host: s.host,
                port,
                security,
                username: s.username,
                password,
                timeout: Duration::from_secs(s.timeout_secs.max(1)),
            })
        }
    };
    let dkim = match raw.dkim {
        None => None,
        Some(d) => Some(check_dkim(d, &raw.from, resolve)?),
    };
    Ok(MailConfig {
        from: raw.from,
        public_url,
        token_key,
        token_key_origin,
        smtp,
        dkim,
    })
}

/// A DNS name: dot-separated labels of letters, digits, `-` and `_` (selectors use `_`).
fn is_dns_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn check_dkim(
    raw: RawDkim,
    from: &str,
    resolve: &dyn Fn(&str) -> PathBuf,
) -> Result<DkimSettings, ConfigError> {
    let selector = raw.selector.trim().to_string();
    if !is_dns_name(&selector) {
        return Err(invalid(
            "mail.dkim.selector",
            format!("`{selector}` is not a DNS label such as `mail2026`"),
        ));
    }
    let domain = raw.domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if !is_dns_name(&domain) || !domain.contains('.') {
        return Err(invalid(
            "mail.dkim.domain",
            format!("`{domain}` is not a domain such as `example.org`"),
        ));
    }
    // DMARC passes on DKIM only when the signing domain is the From domain or a parent of it.
    let from_domain = from
        .rsplit('@')
        .next()
        .unwrap_or("")
        .trim_end_matches('>')
        .trim()
        .to_ascii_lowercase();
    if from_domain != domain && !from_domain.ends_with(&format!(".{domain}")) {
        return Err(invalid(
            "mail.dkim.domain",
            format!(
                "`{domain}` does not align with the sender's domain `{from_domain}` ([mail] from): receivers checking DMARC would not count the signature; sign as `{from_domain}` or a parent domain of it"
            ),
        ));
    }
    let key_file = resolve(&raw.key_file);
    let key = std::fs::read_to_string(&key_file).map_err(|e| {
        invalid(
            "mail.dkim.key_file",
            format!("cannot read {}: {e}", key_file.display()),
        )
    })?;
    Ok(DkimSettings {
        selector,
        domain,
        key_file,
        key: Secret::new(key.trim().to_string()),
    })
}

fn check_schedule(raw: RawSchedule) -> Result<ScheduleConfig, ConfigError> {
    for (key, expr) in [
        ("schedule.fetch", &raw.fetch),
        ("schedule.lessons", &raw.lessons),
        ("schedule.mail", &raw.mail),
    ] {
        let fields = expr.split_whitespace().count();
        if !(6..=7).contains(&fields) {
            return Err(invalid(
                key,
                format!(
                    "`{expr}` must have 6 fields (sec min hour day month weekday), found {fields}"
                ),
            ));
        }
    }
    Ok(ScheduleConfig {
        fetch: raw.fetch,
        lessons: raw.lessons,
        mail: raw.mail,
    })
}

fn check_delivery(raw: RawDelivery) -> Result<DeliveryConfig, ConfigError> {
    if raw.max_attempts == 0 {
        return Err(invalid("delivery.max_attempts", "must be at least 1"));
    }
    if raw.connections == 0 || raw.connections > 64 {
        return Err(invalid("delivery.connections", "must be between 1 and 64"));
    }
    if !(raw.rate_per_second >= 0.0 && raw.rate_per_second.is_finite()) {
        return Err(invalid(
            "delivery.rate_per_second",
            "must be 0 (no limit) or a positive number",
        ));
    }
    if raw.lock_ttl_secs < 10 {
        return Err(invalid("delivery.lock_ttl_secs", "must be at least 10"));
    }
    if raw.late_cutoff_minutes == 0 {
        return Err(invalid(
            "delivery.late_cutoff_minutes",
            "must be at least 1 (lessons late by more are skipped)",
        ));
    }
    Ok(DeliveryConfig {
        lead: chrono::Duration::minutes(raw.lead_minutes.into()),
        late_cutoff: chrono::Duration::minutes(raw.late_cutoff_minutes.into()),
        max_attempts: raw.max_attempts,
        retry_backoff: chrono::Duration::seconds(raw.retry_backoff_secs.max(1).into()),
        pause_after_failures: raw.pause_after_failures,
        rate_per_second: raw.rate_per_second,
        connections: raw.connections as usize,
        lock_ttl: Duration::from_secs(raw.lock_ttl_secs.into()),
    })
}

/// Reads the key file, or creates it with a new random key (mode 0600, never overwritten).
fn read_or_create_key(file: &Path) -> Result<Secret, ConfigError> {
    let bad = |message: String| ConfigError::KeyFile {
        path: file.to_path_buf(),
        message,
    };
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let key = text.trim();
            if key.len() < 32 {
                return Err(bad(format!(
                    "holds {} characters, fewer than 32; delete it to have a new key made (links in mail already sent then stop working)",
                    key.len()
                )));
            }
            Ok(Secret::new(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| bad(format!("cannot create its folder: {e}")))?;
            }
            let key = Secret::random();
            match write_key_file(file, &key, false) {
                Ok(()) => Ok(key),
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create_key(file),
                Err(e) => Err(bad(format!("cannot create it: {e}"))),
            }
        }
        Err(e) => Err(bad(format!("cannot read it: {e}"))),
    }
}

/// Writes a key file readable by its owner only. `replace`: atomically over an existing one.
fn write_key_file(file: &Path, key: &Secret, replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let target = if replace {
        file.with_extension("key.new")
    } else {
        file.to_path_buf()
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&target)?;
    f.write_all(format!("{}\n", key.expose()).as_bytes())?;
    f.sync_all()?;
    if replace {
        std::fs::rename(&target, file)?;
    }
    Ok(())
}

/// Replaces the key in the key file with a new random one. Links signed with the old key
/// (in mail already sent) stop working; running services pick the new key up on restart.
pub fn rotate_token_key(config: &Config) -> Result<PathBuf, ConfigError> {
    match &config.mail.token_key_origin {
        KeyOrigin::Environment => Err(invalid(
            "mail.token_key",
            format!("the key comes from {TOKEN_KEY_ENV}; set a new value there to rotate it"),
        )),
        KeyOrigin::ConfigFile => Err(invalid(
            "mail.token_key",
            "the key is set in the config file; set a new value there to rotate it".to_string(),
        )),
        KeyOrigin::Store => Err(invalid(
            "mail.token_key",
            "the key is kept in the store; `hyperlearn rotate-token-key` replaces it there"
                .to_string(),
        )),
        KeyOrigin::KeyFile(_) | KeyOrigin::Ephemeral => {
            let file = config.token_key_file();
            write_key_file(&file, &Secret::random(), true).map_err(|e| ConfigError::KeyFile {
                path: file.clone(),
                message: format!("cannot write a new key: {e}"),
            })?;
            Ok(file)
        }
    }
}

/// The evaluation data folder: `--data`, else `HYPERLEARN_DATA`, else `../shared/data`.
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    match std::env::var(DATA_ENV) {
        Ok(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from("../shared/data"),
    }
}

/// Whether `HYPERLEARN_LOG_FORMAT=json` asks for one JSON object per log line.
pub fn log_json_from_env() -> bool {
    std::env::var(LOG_FORMAT_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"))
}

/// The log filter from the environment, if set.
pub fn log_filter_from_env() -> Option<String> {
    std::env::var(LOG_ENV).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests;
