//! Learners' pages, reached by signed links with no login: the lesson, its answers and
//! flags, unsubscribing, and preferences.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use super::auth::same;
use super::{WebState, message, render, server_error};
use crate::articles::Cefr;
use crate::exercise::Exercise;
use crate::store::Servable;
use crate::tokens::{self, Purpose};

/// The fixed strings of a learner's pages, in the language of their mail.
fn learner_strings(learner: &crate::store::Learner) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(crate::delivery::mail_strings(
        &learner.lang,
    )))
}

/// A message page for a learner, in their language.
fn learner_message(
    state: &WebState,
    status: StatusCode,
    learner: &crate::store::Learner,
    pick: impl Fn(&crate::delivery::PageStrings) -> (&'static str, &'static str),
) -> Response {
    let (title, text) = pick(&crate::delivery::mail_strings(&learner.lang).page);
    let mut r = render(
        state,
        "message.html",
        context! { title, text, page_lang => learner.lang.clone() },
    );
    *r.status_mut() = status;
    r
}

/// The page for a learner's link that is not (or no longer) valid. Nothing in the link can
/// be trusted, so the language is the browser's: the first of `Accept-Language` that has
/// strings, else English.
fn link_not_found(state: &WebState, headers: &HeaderMap) -> Response {
    let lang = preferred_language(
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    let t = crate::delivery::mail_strings(lang).page;
    let mut r = render(
        state,
        "message.html",
        context! { title => t.link_invalid_title.0, text => t.link_invalid_text.0, page_lang => lang },
    );
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// The language of `Accept-Language` (`ru-RU,ru;q=0.9,en;q=0.8`) with the highest weight
/// among those the learner's pages speak; English when none is.
fn preferred_language(accept: &str) -> &'static str {
    let mut best: Option<(f32, &'static str)> = None;
    for part in accept.split(',').take(20) {
        let mut fields = part.split(';');
        let tag = fields.next().unwrap_or("").trim();
        let q = fields
            .find_map(|f| f.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
        let Some(lang) = crate::lang::codes().find(|l| *l == primary) else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or("en", |(_, l)| l)
}

/// The lesson a lesson token points at: (learner, lesson id, date).
fn lesson_of(
    state: &WebState,
    token: &str,
) -> Option<(crate::store::Learner, i64, chrono::NaiveDate)> {
    let id = tokens::verify(
        &state.services.config.mail.token_key,
        Purpose::Lesson,
        token,
    )?;
    let (learner_id, date) = id.split_once(':')?;
    let learner = state
        .services
        .store
        .learner(learner_id.parse().ok()?)
        .ok()?;
    let date: chrono::NaiveDate = date.parse().ok()?;
    let delivery = state.services.store.delivery_for(learner.id, date).ok()??;
    Some((learner, delivery.lesson_id, date))
}

/// The CSRF token of the forms on a signed page.
fn form_token(state: &WebState, page_token: &str) -> String {
    tokens::sign(
        &state.services.config.mail.token_key,
        Purpose::Form,
        page_token,
    )
}

/// The lesson's exercises that are verified and not pulled.
fn lesson_exercises(state: &WebState, lesson_id: i64) -> Result<Vec<(i64, Exercise)>, String> {
    let exercises = state
        .services
        .store
        .servable_exercises(Servable::Lesson(lesson_id))
        .map_err(|e| e.to_string())?;
    Ok(exercises.into_iter().map(|e| (e.id, e.exercise)).collect())
}

/// An exercise on a learner's page: numbered and worded as in their mail, with its id and
/// kind for the answer form.
#[derive(Serialize)]
struct LearnerExercise {
    id: i64,
    kind: &'static str,
    #[serde(flatten)]
    view: crate::delivery::ExerciseView,
}

fn learner_exercises(
    learner: &crate::store::Learner,
    exercises: &[(i64, Exercise)],
) -> Vec<LearnerExercise> {
    let s = crate::delivery::mail_strings(&learner.lang);
    exercises
        .iter()
        .enumerate()
        .map(|(i, (id, e))| LearnerExercise {
            id: *id,
            kind: e.kind(),
            view: crate::delivery::exercise_view(i + 1, e, s),
        })
        .collect()
}

/// The opening of an article for the lesson page: whole sentences up to about `max_words`
/// (at least the first, cut if it alone is longer), without paragraphs that address the
/// reader.
fn excerpt(text: &str, max_words: usize) -> String {
    let text = crate::verification::without_addressed_paragraphs(text);
    let mut out = String::new();
    let mut words = 0;
    for sentence in crate::text::sentences(&text) {
        let n = crate::text::words(sentence).len();
        if words > 0 && words + n > max_words {
            break;
        }
        if words == 0 && n > max_words {
            out = format!("{} …", crate::text::truncate_words(sentence, max_words));
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(sentence.trim());
        words += n;
    }
    out
}

pub async fn lesson(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((learner, lesson_id, date)) = lesson_of(&state, &token) else {
        return link_not_found(&state, &headers);
    };
    let store = &state.services.store;
    let exercises = match lesson_exercises(&state, lesson_id) {
        Ok(e) => e,
        Err(e) => return server_error(&state, e),
    };
    let article = store
        .lesson_info(lesson_id)
        .ok()
        .flatten()
        .and_then(|l| store.article(l.article_id).ok().flatten());
    let glossary: Vec<crate::lesson::GlossaryEntry> = store
        .lesson_glossary(lesson_id)
        .ok()
        .and_then(|g| serde_json::from_str(&g).ok())
        .unwrap_or_default();
    let article = article.map(|a| {
        context! {
            title => a.title, url => a.url, source => a.source, cefr => a.cefr.as_str(),
            published => a.published.as_deref().map(|p| p.get(..10).unwrap_or(p).to_string()),
            excerpt => excerpt(&a.text, 60),
        }
    });
    let key = &state.services.config.mail.token_key;
    let learner_id = learner.id.to_string();
    render(
        &state,
        "lesson.html",
        context! {
            s => learner_strings(&learner), page_lang => learner.lang.clone(),
            token => token.clone(), csrf => form_token(&state, &token), name => learner.name.clone(),
            date => date.to_string(), article, glossary => minijinja::Value::from(minijinja::value::Serde(&glossary)),
            exercises => minijinja::Value::from(minijinja::value::Serde(learner_exercises(&learner, &exercises))),
            results => (),
            unsubscribe => format!("/unsubscribe/{}", tokens::sign(key, Purpose::Unsubscribe, &learner_id)),
            preferences => format!("/preferences/{}", tokens::sign(key, Purpose::Preferences, &learner_id)),
        },
    )
}

/// Whether a learner's answer matches the key.
fn is_right(e: &Exercise, given: &str) -> bool {
    let given = given.trim();
    match e {
        Exercise::MultipleChoice { answer, .. } | Exercise::Vocabulary { answer, .. } => {
            given.parse::<usize>().is_ok_and(|g| g == *answer)
        }
        Exercise::TrueFalse { answer, .. } => given.parse::<bool>().is_ok_and(|g| g == *answer),
        Exercise::ShortAnswer { answer, .. } | Exercise::GapFill { answer, .. } => {
            let norm = |s: &str| crate::text::normalized_words(s).join(" ");
            !given.is_empty() && norm(given) == norm(answer)
        }
        Exercise::Order { answer, .. } => {
            crate::exercise::parse_order(given).is_some_and(|g| g == *answer)
        }
    }
}

pub async fn lesson_answers(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some((learner, lesson_id, date)) = lesson_of(&state, &token) else {
        return link_not_found(&state, &headers);
    };
    let csrf = form.get("csrf").map(String::as_str).unwrap_or("");
    if !same(csrf, &form_token(&state, &token)) {
        return learner_message(&state, StatusCode::FORBIDDEN, &learner, |t| {
            (t.stale_title.0, t.stale_text.0)
        });
    }
    let exercises = match lesson_exercises(&state, lesson_id) {
        Ok(e) => e,
        Err(e) => return server_error(&state, e),
    };
    let mut right = 0;
    let mut results = Vec::new();
    for ((id, e), view) in exercises
        .iter()
        .zip(learner_exercises(&learner, &exercises))
    {
        let given = form.get(&format!("a{id}")).cloned().unwrap_or_default();
        let ok = is_right(e, &given);
        right += usize::from(ok);
        results.push(
            context! { exercise => minijinja::Value::from(minijinja::value::Serde(view)), ok },
        );
    }
    let score = if exercises.is_empty() {
        0.0
    } else {
        right as f64 / exercises.len() as f64
    };
    // The first submission counts for level adaptation; later ones are practice.
    let counted = match state.services.store.lesson_scored(lesson_id) {
        Ok(true) => false,
        Ok(false) => {
            match crate::pipeline::record_score(&state.services, &learner, Some(date), score) {
                Ok(_) => true,
                Err(e) => return server_error(&state, e),
            }
        }
        Err(e) => return server_error(&state, e),
    };
    render(
        &state,
        "lesson.html",
        context! {
            s => learner_strings(&learner), page_lang => learner.lang.clone(),
            token => token.clone(), csrf => form_token(&state, &token), name => learner.name.clone(),
            date => date.to_string(), exercises => Vec::<()>::new(), results,
            right, total => exercises.len(), counted,
        },
    )
}

#[derive(serde::Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    csrf: String,
    exercise_id: i64,
    #[serde(default)]
    note: String,
}

pub async fn lesson_flag(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<FlagForm>,
) -> Response {
    let Some((learner, lesson_id, _)) = lesson_of(&state, &token) else {
        return link_not_found(&state, &headers);
    };
    if !same(&form.csrf, &form_token(&state, &token)) {
        return learner_message(&state, StatusCode::FORBIDDEN, &learner, |t| {
            (t.stale_title.0, t.stale_text.0)
        });
    }
    // Only an exercise of this lesson can be flagged from its page.
    let ok = lesson_exercises(&state, lesson_id)
        .map(|ex| ex.iter().any(|(id, _)| *id == form.exercise_id))
        .unwrap_or(false);
    if !ok {
        return learner_message(&state, StatusCode::NOT_FOUND, &learner, |t| {
            (t.link_invalid_title.0, t.link_invalid_text.0)
        });
    }
    let note: String = form.note.chars().take(500).collect();
    match state
        .services
        .store
        .flag_exercise(form.exercise_id, Some(learner.id), &note)
    {
        Ok(()) => learner_message(&state, StatusCode::OK, &learner, |t| {
            (t.thanks_title.0, t.thanks_text.0)
        }),
        Err(e) => server_error(&state, e),
    }
}

fn unsubscribe_learner(state: &WebState, token: &str) -> Option<crate::store::Learner> {
    let id = tokens::verify(
        &state.services.config.mail.token_key,
        Purpose::Unsubscribe,
        token,
    )?;
    state.services.store.learner(id.parse().ok()?).ok()
}

pub async fn unsubscribe_form(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(learner) = unsubscribe_learner(&state, &token) else {
        return link_not_found(&state, &headers);
    };
    render(
        &state,
        "unsubscribe.html",
        context! {
            s => learner_strings(&learner), page_lang => learner.lang.clone(),
            email => learner.email.clone(), csrf => form_token(&state, &token), token, done => false,
        },
    )
}

/// The fields of a POSTed form, sent as `application/x-www-form-urlencoded` or as
/// `multipart/form-data` (RFC 8058 asks one-click unsubscribe requests to be multipart, and
/// large mailbox providers send them so). Text fields only; file parts are refused.
async fn form_fields(request: axum::extract::Request) -> Result<HashMap<String, String>, String> {
    use axum::extract::FromRequest;
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = axum::extract::Multipart::from_request(request, &())
            .await
            .map_err(|e| e.body_text())?;
        let mut fields = HashMap::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
            if field.file_name().is_some() || fields.len() >= 32 {
                return Err("unexpected parts in the form".into());
            }
            let name = field.name().unwrap_or("").to_string();
            let value = field.text().await.map_err(|e| e.body_text())?;
            fields.insert(name, value);
        }
        Ok(fields)
    } else {
        Form::<HashMap<String, String>>::from_request(request, &())
            .await
            .map(|Form(f)| f)
            .map_err(|e| e.body_text())
    }
}

/// POST: the button on the confirm page (with its CSRF token), or a mail client's RFC 8058
/// one-click request (`List-Unsubscribe=One-Click`, urlencoded or multipart; the signed link
/// is its proof).
pub async fn unsubscribe(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let Some(learner) = unsubscribe_learner(&state, &token) else {
        return link_not_found(&state, request.headers());
    };
    let form = match form_fields(request).await {
        Ok(f) => f,
        Err(e) => return message(&state, StatusCode::BAD_REQUEST, "Not understood", &e),
    };
    let one_click = form
        .get("List-Unsubscribe")
        .is_some_and(|v| v.trim() == "One-Click");
    let button = form
        .get("csrf")
        .is_some_and(|c| same(c, &form_token(&state, &token)));
    if !one_click && !button {
        return learner_message(&state, StatusCode::FORBIDDEN, &learner, |t| {
            (t.stale_title.0, t.stale_text.0)
        });
    }
    match state
        .services
        .store
        .set_learner_paused(learner.id, Some("unsubscribed"))
    {
        Ok(()) => render(
            &state,
            "unsubscribe.html",
            context! {
                s => learner_strings(&learner), page_lang => learner.lang.clone(),
                email => learner.email.clone(), csrf => "", token, done => true,
            },
        ),
        Err(e) => server_error(&state, e),
    }
}

#[derive(serde::Deserialize)]
pub(super) struct LearnerForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) lang: String,
    #[serde(default)]
    pub(super) level: String,
    #[serde(default)]
    pub(super) interests: String,
    #[serde(default)]
    pub(super) time: String,
    #[serde(default)]
    pub(super) tz: String,
}

/// A learner as entered in a form or a CSV line, checked.
pub(super) fn checked_learner(
    email: &str,
    name: &str,
    lang: &str,
    level: &str,
    interests: &str,
    time: &str,
    tz: &str,
) -> Result<crate::store::NewLearner, FieldError> {
    let email = email.trim();
    crate::delivery::check_address(email).map_err(FieldError::Address)?;
    let lang = lang.trim().to_ascii_lowercase();
    if lang.len() != 2 || !lang.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(FieldError::Language(lang));
    }
    let level: Cefr = level
        .trim()
        .parse()
        .map_err(|_| FieldError::Level(level.trim().to_string()))?;
    let delivery_time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .map_err(|_| FieldError::Time(time.trim().to_string()))?;
    let tz = tz.trim();
    crate::schedule::zone(tz).map_err(|message| FieldError::Zone {
        value: tz.to_string(),
        message,
    })?;
    Ok(crate::store::NewLearner {
        email: email.to_string(),
        name: if name.trim().is_empty() {
            email.split('@').next().unwrap_or(email).to_string()
        } else {
            name.trim().to_string()
        },
        lang,
        level: level.score(),
        interests: interests
            .split([',', ';'])
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .collect(),
        delivery_time,
        timezone: tz.to_string(),
    })
}

/// A learner's field that does not check out, with the value given.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum FieldError {
    /// The message says what is wrong with the address.
    Address(String),
    Language(String),
    Level(String),
    Time(String),
    /// The value and what `schedule::zone` said of it.
    Zone {
        value: String,
        message: String,
    },
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldError::Address(m) => f.write_str(m),
            FieldError::Language(v) => {
                write!(f, "language `{v}`: use a two-letter code such as en or de")
            }
            FieldError::Level(v) => write!(f, "level `{v}`: use A1, A2, B1, B2, C1 or C2"),
            FieldError::Time(v) => write!(f, "delivery time `{v}`: use HH:MM"),
            FieldError::Zone { message, .. } => f.write_str(message),
        }
    }
}

impl FieldError {
    /// The message for the learner's own preferences page, in their language. Address and
    /// language cannot be changed there, so they keep the admin's wording.
    pub(super) fn for_learner(&self, t: &crate::delivery::PageStrings) -> String {
        let value: String = match self {
            FieldError::Level(v) | FieldError::Time(v) | FieldError::Zone { value: v, .. } => {
                v.chars().take(60).collect()
            }
            FieldError::Address(_) | FieldError::Language(_) => return self.to_string(),
        };
        let text = match self {
            FieldError::Level(_) => t.bad_level,
            FieldError::Time(_) => t.bad_time,
            _ => t.bad_timezone,
        };
        text.replace("{value}", &value)
    }
}

fn preferences_learner(state: &WebState, token: &str) -> Option<crate::store::Learner> {
    let id = tokens::verify(
        &state.services.config.mail.token_key,
        Purpose::Preferences,
        token,
    )?;
    state.services.store.learner(id.parse().ok()?).ok()
}

fn preferences_page(
    state: &WebState,
    token: &str,
    learner: &crate::store::Learner,
    saved: bool,
    error: &str,
) -> Response {
    render(
        state,
        "preferences.html",
        context! {
            s => learner_strings(learner), page_lang => learner.lang.clone(),
            token, csrf => form_token(state, token), email => learner.email.clone(),
            level => learner.cefr().to_string(), interests => learner.interests.join(", "),
            time => learner.delivery_time.format("%H:%M").to_string(), tz => learner.timezone.clone(),
            levels => ["A1", "A2", "B1", "B2", "C1", "C2"], saved, error,
        },
    )
}

pub async fn preferences(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    match preferences_learner(&state, &token) {
        Some(l) => preferences_page(&state, &token, &l, false, ""),
        None => link_not_found(&state, &headers),
    }
}

pub async fn preferences_save(
    State(state): State<Arc<WebState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(f): Form<LearnerForm>,
) -> Response {
    let Some(learner) = preferences_learner(&state, &token) else {
        return link_not_found(&state, &headers);
    };
    if !same(&f.csrf, &form_token(&state, &token)) {
        return learner_message(&state, StatusCode::FORBIDDEN, &learner, |t| {
            (t.stale_title.0, t.stale_text.0)
        });
    }
    let checked = checked_learner(
        &learner.email,
        &learner.name,
        &learner.lang,
        &f.level,
        &f.interests,
        &f.time,
        &f.tz,
    );
    match checked {
        Ok(mut l) => {
            // A band change resets the estimate to that band; the same band keeps it.
            if Cefr::from_score(learner.level).as_str() == f.level.trim() {
                l.level = learner.level;
            }
            match state.services.store.upsert_learner(&l) {
                Ok(updated) => preferences_page(&state, &token, &updated, true, ""),
                Err(e) => server_error(&state, e),
            }
        }
        Err(e) => {
            let error = e.for_learner(&crate::delivery::mail_strings(&learner.lang).page);
            let mut r = preferences_page(&state, &token, &learner, false, &error);
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_language_is_taken_when_the_link_names_no_learner() {
        assert_eq!(
            preferred_language("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"),
            "ru"
        );
        assert_eq!(preferred_language("ja, de;q=0.5, fr;q=0.7"), "fr");
        assert_eq!(preferred_language("es;q=0, de;q=0.1"), "de");
        assert_eq!(preferred_language("ja"), "en");
        assert_eq!(preferred_language(""), "en");
        assert_eq!(preferred_language(";;;,q=,-"), "en");
    }

    #[test]
    fn answers_are_checked_against_the_key() {
        let mc = Exercise::MultipleChoice {
            question: "q".into(),
            options: vec!["a".into(), "b".into()],
            answer: 1,
            evidence: "e".into(),
        };
        assert!(is_right(&mc, "1") && !is_right(&mc, "0") && !is_right(&mc, "x"));
        let tf = Exercise::TrueFalse {
            statement: "s".into(),
            answer: false,
            evidence: "e".into(),
        };
        assert!(is_right(&tf, "false") && !is_right(&tf, "true"));
        let gap = Exercise::GapFill {
            sentence: "The library is open _____ days.".into(),
            answer: "7".into(),
            options: vec![],
            evidence: "e".into(),
        };
        assert!(is_right(&gap, " 7 ") && !is_right(&gap, "") && !is_right(&gap, "8"));
    }
}
