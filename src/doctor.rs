//! `hyperlearn doctor`: checks a configuration before the first run and says what to fix.
//! Glue like `eval`: it asks each stage's owner (config, store, feeds, articles, generation,
//! delivery) whether its part is ready, and changes nothing but what opening the store
//! does (migrations) and the key file a first start would create.

use std::time::Duration;

use crate::config::{Config, KeyOrigin};

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub what: &'static str,
    pub ok: bool,
    /// What was found, or what to fix.
    pub detail: String,
}

fn found(what: &'static str, result: Result<String, String>) -> Finding {
    match result {
        Ok(detail) => Finding {
            what,
            ok: true,
            detail,
        },
        Err(detail) => Finding {
            what,
            ok: false,
            detail,
        },
    }
}

/// Runs every check; `with_model` loads the model and asks it for a few tokens.
pub async fn check(config: &Config, with_model: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    out.push(found("public URL", public_url(config)));
    out.push(found("link key", link_key(config)));
    out.push(found(
        "store",
        crate::store::Store::connect(&config.store)
            .map_err(|e| format!("{e}"))
            .and_then(|s| {
                s.ping().map_err(|e| e.to_string())?;
                Ok(format!(
                    "{} opens, schema {} (up to date)",
                    config.store,
                    s.schema_version().map_err(|e| e.to_string())?
                ))
            }),
    ));
    out.push(found(
        "feeds",
        crate::feeds::load_feed_lists(&config.feeds_dir)
            .map_err(|e| format!("{e}"))
            .and_then(|feeds| {
                if feeds.is_empty() {
                    Err(format!(
                        "no feed listed in {} (add one with `hyperlearn feeds add URL --lang xx`)",
                        config.feeds_dir.display()
                    ))
                } else {
                    Ok(format!(
                        "{} feeds listed in {}",
                        feeds.len(),
                        config.feeds_dir.display()
                    ))
                }
            }),
    ));
    out.push(found("word lists", word_lists(config)));
    out.push(found("mail", mail(config).await));
    if let Some(d) = &config.mail.dkim {
        out.push(found(
            "DKIM",
            crate::delivery::check_dkim(&config.mail)
                .map(|()| {
                    format!(
                        "{} signs as d={} s={}; publish its public key at {}._domainkey.{}",
                        d.key_file.display(),
                        d.domain,
                        d.selector,
                        d.selector,
                        d.domain
                    )
                })
                .map_err(|e| e.to_string()),
        ));
    }
    if with_model {
        out.push(found("model", model(config).await));
        out.push(found("calibration", calibration(config)));
    }
    out
}

/// Which model-judged kinds the configured model file has passed a calibration of: never a
/// fault (such kinds are simply off), but worth knowing after changing the model.
fn calibration(config: &Config) -> Result<String, String> {
    let store = crate::store::Store::connect(&config.store).map_err(|e| e.to_string())?;
    let sha = crate::generation::model_file_sha256(&config.model.path)
        .map_err(|e| format!("model {}: {e}", config.model.path.display()))?;
    let on: Vec<String> = crate::calibrate::stored(&store, &sha)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|s| s.applies && s.calibration.passed)
        .map(|s| format!("{} ({})", s.calibration.kind, s.calibration.lang))
        .collect();
    Ok(if on.is_empty() {
        "no model-judged kind is on for this model file (vocabulary and content words' banks stay off; `hyperlearn calibrate` measures whether they may be on)".into()
    } else {
        format!("on for this model file: {}", on.join(", "))
    })
}

fn public_url(config: &Config) -> Result<String, String> {
    let url = &config.mail.public_url;
    let local = url
        .host_str()
        .is_some_and(|h| h == "localhost" || h.ends_with(".localhost") || h == "127.0.0.1");
    if url.scheme() == "https" && !local {
        Ok(format!("{url} (https)"))
    } else if local {
        Err(format!(
            "[mail] public_url is {url}: links in mail would point at this machine; set the https address learners reach"
        ))
    } else {
        Err(format!(
            "[mail] public_url is {url}: use https (links carry signed tokens; cookies are Secure only behind https)"
        ))
    }
}

fn link_key(config: &Config) -> Result<String, String> {
    match &config.mail.token_key_origin {
        KeyOrigin::Environment => Ok(format!("set by {}", crate::config::TOKEN_KEY_ENV)),
        KeyOrigin::ConfigFile if config.mail.token_key.expose().len() < 32 => Err(
            "[mail] token_key is shorter than 32 characters; remove it (a random key is then kept in token.key) or use a long random value".into(),
        ),
        KeyOrigin::ConfigFile => Ok("set in [mail] token_key".into()),
        KeyOrigin::KeyFile(file) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(file)
                    .map_err(|e| format!("{}: {e}", file.display()))?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    return Err(format!(
                        "{} can be read by others (mode {:o}); run `chmod 600 {}`",
                        file.display(),
                        mode & 0o777,
                        file.display()
                    ));
                }
            }
            if config.key_belongs_in_store() {
                return Ok(format!(
                    "generated once and kept in the PostgreSQL store, shared by every machine (the first key file to reach it, such as {}, seeded it)",
                    file.display()
                ));
            }
            Ok(format!("generated, kept in {} (owner only)", file.display()))
        }
        KeyOrigin::Store => Ok("kept in the PostgreSQL store, shared by every machine".into()),
        KeyOrigin::Ephemeral => {
            Err("no key: links would stop working when the process ends".into())
        }
    }
}

fn word_lists(config: &Config) -> Result<String, String> {
    let missing: Vec<&str> = crate::lang::codes()
        .filter(|lang| {
            !config
                .wordfreq_dir
                .join(format!("large_{lang}.msgpack.gz"))
                .is_file()
        })
        .collect();
    if missing.is_empty() {
        Ok(format!("{}", config.wordfreq_dir.display()))
    } else {
        Err(format!(
            "{} has no list for {} (run scripts/setup, or point [paths] wordfreq_dir at the lists): levels and glossaries are then rougher",
            config.wordfreq_dir.display(),
            missing.join(", ")
        ))
    }
}

async fn mail(config: &Config) -> Result<String, String> {
    let mailer = crate::delivery::Mailer::new(&config.mail, &config.outbox_dir, 1)
        .map_err(|e| e.to_string())?;
    mailer.check().await
}

async fn model(config: &Config) -> Result<String, String> {
    let generator =
        crate::generation::Generator::start(&config.model).map_err(|e| e.to_string())?;
    let reply = generator
        .engine()
        .complete(crate::generation::CompletionRequest {
            prompt: crate::generation::ChatPrompt {
                system: "You answer in one word.".into(),
                user: "Say hello.".into(),
            },
            grammar: None,
            max_tokens: 8,
            temperature: 0.0,
            seed: 1,
            timeout: Duration::from_secs(120),
            ignore_eog: false,
        })
        .await
        .map_err(|e| {
            format!(
                "{} loads but does not answer: {e}",
                config.model.path.display()
            )
        })?;
    Ok(format!(
        "{} loads and answers ({} tokens in {:.2} s)",
        config.model.path.display(),
        reply.generated_tokens,
        (reply.prompt_time + reply.generation_time).as_secs_f64()
    ))
}
