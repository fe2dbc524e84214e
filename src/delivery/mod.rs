//! `delivery/`: has every learner got today's lesson, exactly once? The only module that
//! imports lettre; it owns `templates/` together with the web UI.
//!
//! A lesson is rendered once ([`compose`]) into a complete RFC 5322 message with a stable
//! Message-ID per learner and day; the bytes are stored in the delivery ledger before any
//! send, so a resend is byte-identical. [`Mailer::send`] hands stored bytes to the SMTP
//! relay, or writes them to the outbox folder when no relay is configured.

mod dkim;
mod strings;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minijinja::Environment;
use minijinja::value::Serde;
use sha2::{Digest, Sha256};

pub use strings::{MailStrings, PageStrings, mail_strings};

use crate::config::{MailConfig, SmtpSecurity};
use crate::exercise::{Exercise, option_letter};
use crate::lesson::VerifiedLesson;
use crate::tokens::{self, Purpose};

/// Errors of the delivery stage; each names the learner, template or folder at fault.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// A template did not compile or render.
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// The sender address in the config is invalid.
    #[error("config `mail.from`: `{from}` is not a valid mailbox: {message}")]
    BadSender { from: String, message: String },
    /// A learner's address is invalid; their mail cannot be sent.
    #[error("learner {learner_id}: address `{address}` is invalid: {message}")]
    BadRecipient {
        learner_id: i64,
        address: String,
        message: String,
    },
    /// The message could not be built.
    #[error("learner {learner_id}: cannot build message: {message}")]
    Build { learner_id: i64, message: String },
    /// The SMTP relay could not be set up.
    #[error("SMTP relay {host}: {message}")]
    Relay { host: String, message: String },
    /// The DKIM key cannot sign.
    #[error("config `mail.dkim.key_file` {}: {message}", .key_file.display())]
    Dkim { key_file: PathBuf, message: String },
}

/// Checks that `[mail.dkim]`, when set, holds a key that can sign.
pub fn check_dkim(mail: &MailConfig) -> Result<(), DeliveryError> {
    match &mail.dkim {
        Some(settings) => dkim::config(settings).map(|_| ()),
        None => Ok(()),
    }
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    /// 4xx replies, timeouts, dropped connections: try again later.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// 5xx replies, invalid addresses: trying again will not help.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// A rendered lesson mail, with the keys of the verified lesson it was rendered from. Only
/// [`compose`] makes one, from a [`VerifiedLesson`], and it is the only thing the delivery
/// ledger accepts (`Store::save_lesson`): every stored message is a verified lesson's.
#[derive(Debug, Clone)]
pub struct ComposedMail {
    learner_id: i64,
    article_id: i64,
    date: NaiveDate,
    glossary: String,
    message_id: String,
    subject: String,
    bytes: Vec<u8>,
}

impl ComposedMail {
    pub fn learner_id(&self) -> i64 {
        self.learner_id
    }

    pub fn article_id(&self) -> i64 {
        self.article_id
    }

    /// The learner's local date the lesson is for.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The lesson's glossary as JSON (a list of `{word, sentence}`), as the learner's lesson
    /// page shows it.
    pub fn glossary_json(&self) -> &str {
        &self.glossary
    }

    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The whole message, headers and both parts, as sent.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The templates, built-in or from a folder.
pub struct Renderer {
    env: Environment<'static>,
}

const BUILTIN_TEMPLATES: [(&str, &str); 3] = [
    ("lesson.html", include_str!("../../templates/lesson.html")),
    ("lesson.txt", include_str!("../../templates/lesson.txt")),
    ("subject.txt", include_str!("../../templates/subject.txt")),
];

impl Renderer {
    /// Loads the built-in templates, each replaced by the file of the same name in
    /// `override_dir` when there is one.
    pub fn new(override_dir: Option<&Path>) -> Result<Renderer, DeliveryError> {
        let mut env = Environment::new();
        env.add_filter("wrap", wrap);
        for (name, builtin) in BUILTIN_TEMPLATES {
            let source = match override_dir.map(|d| d.join(name)) {
                Some(path) if path.is_file() => {
                    std::fs::read_to_string(&path).map_err(|e| DeliveryError::Template {
                        name: path.display().to_string(),
                        message: e.to_string(),
                    })?
                }
                _ => builtin.to_string(),
            };
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| DeliveryError::Template {
                    name: name.into(),
                    message: e.to_string(),
                })?;
        }
        Ok(Renderer { env })
    }

    fn render(&self, name: &str, ctx: &MailContext<'_>) -> Result<String, DeliveryError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(minijinja::Value::from(Serde(ctx))))
            .map_err(|e| DeliveryError::Template {
                name: name.into(),
                message: format!("{e:#}"),
            })
    }
}

/// The `wrap` filter of the plain-text template: `text|wrap(width, first, rest)` breaks
/// `text` between words into lines of at most `width` characters, the first starting with
/// `first` and the others with `rest` (default: as many spaces as `first` is long), so a
/// terminal mail client shows paragraphs and hanging indents instead of one long line. A
/// word longer than the line (a URL) stands alone on its line, unbroken.
fn wrap(text: &str, width: Option<usize>, first: Option<&str>, rest: Option<&str>) -> String {
    let width = width.unwrap_or(72);
    let first = first.unwrap_or("");
    let rest = rest.map_or_else(|| " ".repeat(first.chars().count()), str::to_string);
    let mut out = String::new();
    let mut line = first.to_string();
    let mut line_len = first.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if !empty && line_len + 1 + n > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.clone();
            line_len = rest.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += n;
        empty = false;
    }
    out.push_str(&line);
    out
}

#[derive(serde::Serialize)]
struct MailContext<'a> {
    s: &'static MailStrings,
    subject: String,
    learner: &'a crate::lesson::LessonLearner,
    article: &'a crate::lesson::LessonArticle,
    glossary: &'a [crate::lesson::GlossaryEntry],
    exercises: Vec<ExerciseView>,
    unsubscribe_url: String,
    lesson_url: String,
}

/// An option as a lesson shows it: its letter and text.
#[derive(Debug, serde::Serialize)]
pub struct OptionView {
    letter: char,
    text: String,
}

/// An exercise as a lesson shows it, in the mail and on the learner's pages: its number,
/// the instruction for its kind, the prompt, lettered options and the answer as the
/// learner reads it (a letter and text, or True/False in their language).
#[derive(Debug, serde::Serialize)]
pub struct ExerciseView {
    number: usize,
    instruction: &'static str,
    prompt: String,
    options: Vec<OptionView>,
    answer: String,
    evidence: String,
}

/// How exercise `number` of a lesson is shown, with the fixed strings `s`.
pub fn exercise_view(number: usize, ex: &Exercise, s: &MailStrings) -> ExerciseView {
    let lettered = |options: &[String]| -> Vec<OptionView> {
        options
            .iter()
            .enumerate()
            .map(|(i, o)| OptionView {
                letter: option_letter(i),
                text: o.clone(),
            })
            .collect()
    };
    let with_letter = |options: &[String], index: Option<usize>, text: String| match index {
        Some(i) if !options.is_empty() => format!("{}) {text}", option_letter(i)),
        _ => text,
    };
    let (instruction, options, answer) = match ex {
        Exercise::MultipleChoice {
            options, answer, ..
        } => (
            s.multiple_choice,
            lettered(options),
            with_letter(options, Some(*answer), options[*answer].clone()),
        ),
        Exercise::Vocabulary {
            options, answer, ..
        } => (
            s.vocabulary,
            lettered(options),
            with_letter(options, Some(*answer), options[*answer].clone()),
        ),
        Exercise::TrueFalse { answer, .. } => (
            s.true_false,
            Vec::new(),
            if *answer {
                s.true_word.to_string()
            } else {
                s.false_word.to_string()
            },
        ),
        Exercise::ShortAnswer { answer, .. } => (s.short_answer, Vec::new(), answer.clone()),
        Exercise::Order { items, .. } => (s.order, lettered(items), ex.answer_text()),
        Exercise::GapFill {
            options, answer, ..
        } => (
            s.gap_fill,
            lettered(options),
            with_letter(options, ex.answer_index(), answer.clone()),
        ),
    };
    ExerciseView {
        number,
        instruction: instruction.0,
        prompt: ex.prompt().to_string(),
        options,
        answer,
        evidence: ex.evidence().to_string(),
    }
}

/// Text that goes into a header: no control characters (so CR/LF cannot start a new
/// header), whitespace collapsed, length bounded.
pub fn header_safe(s: &str, max_chars: usize) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(max_chars).collect()
}

/// The Message-ID of a learner's lesson for a day: the same every time it is composed.
pub fn lesson_message_id(mail: &MailConfig, learner_id: i64, date: chrono::NaiveDate) -> String {
    let domain = mail
        .from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("hyperlearn.localhost");
    let mut h = Sha256::new();
    h.update(mail.token_key.expose().as_bytes());
    h.update(format!("{learner_id}/{date}").as_bytes());
    let digest = hex::encode(&h.finalize()[..6]);
    format!("<lesson.{date}.{learner_id}.{digest}@{domain}>")
}

/// The lesson page of a learner's lesson for a day (answers, score, flags), signed.
pub fn lesson_url(mail: &MailConfig, learner_id: i64, date: chrono::NaiveDate) -> String {
    let token = tokens::sign(
        &mail.token_key,
        Purpose::Lesson,
        &format!("{learner_id}:{date}"),
    );
    mail.public_url
        .join(&format!("lesson/{token}"))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// The unsubscribe link of a learner.
pub fn unsubscribe_url(mail: &MailConfig, learner_id: i64) -> String {
    let token = tokens::sign(
        &mail.token_key,
        Purpose::Unsubscribe,
        &learner_id.to_string(),
    );
    mail.public_url
        .join(&format!("unsubscribe/{token}"))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// Checks that an address can be mailed (before any work is done for it).
pub fn check_address(address: &str) -> Result<(), String> {
    address
        .trim()
        .parse::<Address>()
        .map(|_| ())
        .map_err(|e| format!("address `{address}`: {e}"))
}

fn sender(mail: &MailConfig) -> Result<Mailbox, DeliveryError> {
    mail.from
        .parse::<Mailbox>()
        .map_err(|e| DeliveryError::BadSender {
            from: mail.from.clone(),
            message: e.to_string(),
        })
}

/// A lesson rendered from the templates.
#[derive(Debug, Clone)]
pub struct RenderedLesson {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Renders the subject, HTML and plain-text parts of a lesson mail.
pub fn render_lesson(
    lesson: &VerifiedLesson,
    renderer: &Renderer,
    mail: &MailConfig,
) -> Result<RenderedLesson, DeliveryError> {
    let learner = lesson.learner();
    let s = mail_strings(&learner.lang);
    let exercises: Vec<ExerciseView> = lesson
        .exercises()
        .iter()
        .enumerate()
        .map(|(i, v)| exercise_view(i + 1, v.exercise(), s))
        .collect();
    let mut ctx = MailContext {
        s,
        subject: String::new(),
        learner,
        article: lesson.article(),
        glossary: lesson.glossary(),
        exercises,
        unsubscribe_url: unsubscribe_url(mail, learner.id),
        lesson_url: lesson_url(mail, learner.id, lesson.date()),
    };
    ctx.subject = header_safe(&renderer.render("subject.txt", &ctx)?, 200);
    let html = renderer.render("lesson.html", &ctx)?;
    let text = renderer.render("lesson.txt", &ctx)?;
    Ok(RenderedLesson {
        subject: ctx.subject,
        html,
        text,
    })
}

/// Renders a lesson into a complete message.
pub fn compose(
    lesson: &VerifiedLesson,
    renderer: &Renderer,
    mail: &MailConfig,
) -> Result<ComposedMail, DeliveryError> {
    let learner = lesson.learner();
    let rendered = render_lesson(lesson, renderer, mail)?;
    let unsubscribe = unsubscribe_url(mail, learner.id);
    let address: Address =
        learner
            .email
            .trim()
            .parse()
            .map_err(
                |e: lettre::address::AddressError| DeliveryError::BadRecipient {
                    learner_id: learner.id,
                    address: learner.email.clone(),
                    message: e.to_string(),
                },
            )?;
    let to = Mailbox::new(
        Some(header_safe(&learner.name, 100)).filter(|n| !n.is_empty()),
        address,
    );
    let message_id = lesson_message_id(mail, learner.id, lesson.date());
    let mut message = Message::builder()
        .from(sender(mail)?)
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(message_id.clone()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(rendered.text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(rendered.html),
                ),
        )
        .map_err(|e| DeliveryError::Build {
            learner_id: learner.id,
            message: e.to_string(),
        })?;
    dkim::sign(&mut message, mail.dkim.as_ref())?;
    Ok(ComposedMail {
        learner_id: learner.id,
        article_id: lesson.article().id,
        date: lesson.date(),
        glossary: serde_json::to_string(lesson.glossary()).expect("strings serialise"),
        message_id,
        subject: rendered.subject,
        bytes: message.formatted(),
    })
}

/// Spaces sends out to at most `rate` per second (0: no limit).
pub struct Pacer {
    interval: Option<std::time::Duration>,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    pub fn new(rate: f64) -> Pacer {
        Pacer {
            interval: (rate > 0.0).then(|| std::time::Duration::from_secs_f64(1.0 / rate)),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    /// Waits for the next free slot.
    pub async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(tokio::time::Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// Where mail goes.
enum Transport {
    Smtp {
        relay: Box<AsyncSmtpTransport<Tokio1Executor>>,
        host: String,
    },
    Outbox(PathBuf),
}

/// Sends stored messages.
pub struct Mailer {
    transport: Transport,
    from: Address,
}

/// How a message left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Accepted by the relay.
    Smtp { host: String },
    /// Written to this file.
    Outbox(PathBuf),
}

impl Sent {
    pub fn transport_name(&self) -> &'static str {
        match self {
            Sent::Smtp { .. } => "smtp",
            Sent::Outbox(_) => "outbox",
        }
    }
}

impl Mailer {
    /// SMTP when `[mail.smtp]` is configured (a pool of up to `connections` connections),
    /// the outbox folder otherwise.
    pub fn new(
        mail: &MailConfig,
        outbox: &Path,
        connections: usize,
    ) -> Result<Mailer, DeliveryError> {
        let from = sender(mail)?.email;
        check_dkim(mail)?;
        let transport = match &mail.smtp {
            None => Transport::Outbox(outbox.to_path_buf()),
            Some(smtp) => {
                let relay_err = |e: lettre::transport::smtp::Error| DeliveryError::Relay {
                    host: smtp.host.clone(),
                    message: e.to_string(),
                };
                let mut builder = match smtp.security {
                    SmtpSecurity::Plain => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                    SmtpSecurity::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .map_err(relay_err)?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .map_err(relay_err)?,
                };
                builder = builder
                    .port(smtp.port)
                    .timeout(Some(smtp.timeout))
                    .pool_config(PoolConfig::new().max_size(connections.max(1) as u32));
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.expose().to_string(),
                    ));
                }
                Transport::Smtp {
                    relay: Box::new(builder.build()),
                    host: smtp.host.clone(),
                }
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Where mail goes, for messages to the user.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { host, .. } => format!("SMTP relay {host}"),
            Transport::Outbox(dir) => format!("outbox folder {}", dir.display()),
        }
    }

    /// Opens a connection to the relay the way sending does (TLS or STARTTLS as configured,
    /// EHLO, AUTH when credentials are set) and closes it without sending anything; for the
    /// outbox, checks that its folder can be written.
    pub async fn check(&self) -> Result<String, String> {
        match &self.transport {
            Transport::Outbox(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("outbox folder {}: {e}", dir.display()))?;
                Ok(format!(
                    "no [mail.smtp]: mail is written to the outbox folder {}",
                    dir.display()
                ))
            }
            Transport::Smtp { relay, host } => match relay.test_connection().await {
                Ok(true) => Ok(format!(
                    "SMTP relay {host} accepted a connection (EHLO, TLS as configured, AUTH when credentials are set); nothing was sent"
                )),
                Ok(false) => Err(format!(
                    "SMTP relay {host} did not answer as a relay should"
                )),
                Err(e) => Err(format!("SMTP relay {host}: {e}")),
            },
        }
    }

    /// Sends a stored message to `to`. `file_stem` names the outbox file.
    pub async fn send(&self, to: &str, bytes: &[u8], file_stem: &str) -> Result<Sent, SendError> {
        let recipient: Address =
            to.trim()
                .parse()
                .map_err(|e: lettre::address::AddressError| {
                    SendError::Permanent(format!("address `{to}`: {e}"))
                })?;
        match &self.transport {
            Transport::Outbox(dir) => write_outbox(dir, file_stem, bytes).map(Sent::Outbox),
            Transport::Smtp { relay, host } => {
                let envelope =
                    lettre::address::Envelope::new(Some(self.from.clone()), vec![recipient])
                        .map_err(|e| SendError::Permanent(e.to_string()))?;
                match relay.send_raw(&envelope, bytes).await {
                    Ok(_) => Ok(Sent::Smtp { host: host.clone() }),
                    Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("{host}: {e}"))),
                    Err(e) => Err(SendError::Transient(format!("{host}: {e}"))),
                }
            }
        }
    }
}

/// Writes a message to `dir/<stem>.eml` atomically (temporary file, then rename), so a
/// crash never leaves half a message.
fn write_outbox(dir: &Path, stem: &str, bytes: &[u8]) -> Result<PathBuf, SendError> {
    let io = |e: std::io::Error| SendError::Transient(format!("outbox {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{safe}.eml"));
    let tmp = dir.join(format!(".{safe}.eml.tmp"));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod tests;
