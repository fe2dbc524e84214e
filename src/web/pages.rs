//! The pages: teachers' search and articles, admins' feeds, learners, runs and flags, and
//! learners' token pages (lesson, answers, flag, unsubscribe).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;

use super::auth::{Role, Session, check_csrf, current, require, same};
use super::{WebState, message, not_found, render, server_error};
use crate::articles::Cefr;
use crate::exercise::{Exercise, option_letter};
use crate::http::Validators;
use crate::index::SearchQuery;
use crate::store::Servable;
use crate::tokens::{self, Purpose};

const PAGE_SIZE: usize = 10;
/// Result pages a search may be paged through (the index never looks past
/// [`crate::index::MAX_OFFSET`] hits).
const MAX_PAGES: usize = crate::index::MAX_OFFSET / PAGE_SIZE;

/// An admin's state-changing request: the role and the session's CSRF token, or the
/// response that refuses it.
fn admin_post(state: &WebState, headers: &HeaderMap, csrf: &str) -> Result<Session, Response> {
    let session = require(state, headers, Role::Admin)?;
    check_csrf(&session, csrf)?;
    Ok(session)
}

/// After an admin's change: back to `page`, or a 400 saying what was not done and why.
fn back_to<T, E: std::fmt::Display>(
    state: &WebState,
    page: &str,
    not_done: &str,
    result: Result<T, E>,
) -> Response {
    match result {
        Ok(_) => Redirect::to(page).into_response(),
        Err(e) => message(state, StatusCode::BAD_REQUEST, not_done, &e.to_string()),
    }
}

/// The values every signed-in page's layout needs.
fn nav(s: &Session) -> minijinja::Value {
    context! { user => s.user.username.clone(), admin => s.role == Role::Admin, csrf => s.csrf.clone() }
}

pub async fn home(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    match current(&state, &headers) {
        Some(s) if s.role == Role::Admin => Redirect::to("/admin/feeds").into_response(),
        Some(_) => Redirect::to("/search").into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

// --- teachers ---------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    source: String,
    /// Published from / to (YYYY-MM-DD, as date inputs send it).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: usize,
}

/// A piece of a snippet, marked when it matched (escaped by the template).
#[derive(Serialize)]
struct Piece {
    text: String,
    mark: bool,
}

fn pieces(snippet: &crate::index::Snippet) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut pos = 0;
    for &(s, e) in &snippet.highlighted {
        if s > pos {
            out.push(Piece {
                text: snippet.fragment[pos..s].to_string(),
                mark: false,
            });
        }
        out.push(Piece {
            text: snippet.fragment[s..e].to_string(),
            mark: true,
        });
        pos = e;
    }
    out.push(Piece {
        text: snippet.fragment[pos..].to_string(),
        mark: false,
    });
    out
}

pub async fn search(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Response {
    let session = match require(&state, &headers, Role::Teacher) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if p.page >= MAX_PAGES {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "No such page",
            &format!(
                "Search results can be paged up to page {MAX_PAGES}; narrow the search with more words or filters."
            ),
        );
    }
    let empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let cefr: Option<Cefr> = p.level.parse().ok();
    let query = SearchQuery {
        text: p.q.clone(),
        lang: empty(&p.lang),
        cefr,
        topic: empty(&p.topic),
        source: empty(&p.source),
        limit: PAGE_SIZE,
        offset: p.page * PAGE_SIZE,
        published_from: p.from.parse().ok(),
        published_to: p.to.parse().ok(),
    };
    let searched = !p.q.trim().is_empty()
        || query.lang.is_some()
        || cefr.is_some()
        || query.published_from.is_some()
        || query.published_to.is_some();
    let results = if searched {
        match state.services.index.search(&query) {
            Ok(r) => Some(r),
            Err(e) => return server_error(&state, e),
        }
    } else {
        None
    };
    let hits: Vec<_> = results
        .as_ref()
        .map(|r| {
            r.hits
                .iter()
                .map(|h| {
                    context! {
                        id => h.article_id, title => h.title.clone(), lang => h.lang.clone(),
                        cefr => h.cefr.clone(), source => h.source.clone(),
                        published => h.published.clone(), topics => h.topics.clone(),
                        pieces => minijinja::Value::from(minijinja::value::Serde(pieces(&h.snippet))),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let total = results.as_ref().map_or(0, |r| r.total);
    let next = (p.page + 1) * PAGE_SIZE < total;
    render(
        &state,
        "search.html",
        context! {
            nav => nav(&session), q => p.q, lang => p.lang, level => p.level, topic => p.topic,
            source => p.source, from => p.from, to => p.to, searched, total, hits, page => p.page, next,
            levels => ["A1", "A2", "B1", "B2", "C1", "C2"],
        },
    )
}

/// An exercise as pages show it.
#[derive(Serialize)]
struct ShownExercise {
    id: i64,
    kind: &'static str,
    prompt: String,
    options: Vec<String>,
    key: String,
    evidence: String,
    date: Option<String>,
}

fn shown(id: i64, date: Option<String>, e: &Exercise) -> ShownExercise {
    let key = match e {
        Exercise::MultipleChoice { answer, .. } | Exercise::Vocabulary { answer, .. } => {
            format!("{}) {}", option_letter(*answer), e.answer_text())
        }
        Exercise::TrueFalse { answer, .. } => (if *answer { "True" } else { "False" }).into(),
        _ => e.answer_text(),
    };
    ShownExercise {
        id,
        kind: e.kind(),
        prompt: e.prompt().to_string(),
        options: e.options().to_vec(),
        key,
        evidence: e.evidence().to_string(),
        date,
    }
}

fn article_page(state: &WebState, headers: &HeaderMap, id: i64, print: bool) -> Response {
    let session = match require(state, headers, Role::Teacher) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let store = &state.services.store;
    let article = match store.article(id) {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(state),
        Err(e) => return server_error(state, e),
    };
    let sets = match store.servable_exercises(Servable::Article(id)) {
        Ok(s) => s,
        Err(e) => return server_error(state, e),
    };
    let exercises: Vec<ShownExercise> = sets
        .iter()
        .map(|e| shown(e.id, e.lesson_date.clone(), &e.exercise))
        .collect();
    let paragraphs: Vec<String> = article.text.split("\n\n").map(str::to_string).collect();
    render(
        state,
        "article.html",
        context! {
            nav => nav(&session), print, id, title => article.title.clone(), url => article.url.clone(),
            lang => article.lang.clone(), cefr => article.cefr.as_str(), level => format!("{:.1}", article.level),
            topics => article.topics.clone(), source => article.source.clone(),
            published => article.published.clone(), paragraphs, exercises => minijinja::Value::from(minijinja::value::Serde(&exercises)),
        },
    )
}

pub async fn article(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    article_page(&state, &headers, id, false)
}

pub async fn article_print(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    article_page(&state, &headers, id, true)
}

// --- admins -----------------------------------------------------------------------------

pub async fn feeds(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    let session = match require(&state, &headers, Role::Admin) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let config = &state.services.config;
    let listed = match crate::feeds::load_feed_lists(&config.feeds_dir) {
        Ok(l) => l,
        Err(e) => return server_error(&state, e),
    };
    let mut rows = Vec::new();
    for f in &listed {
        let st = match state.services.store.feed_state(&f.url) {
            Ok(s) => s,
            Err(e) => return server_error(&state, e),
        };
        rows.push(context! {
            url => f.url.clone(), name => f.name.clone(), lang => f.lang.clone(), enabled => f.enabled,
            topics => f.topics.join(", "),
            list => f.file.file_name().map(|n| n.to_string_lossy().to_string()),
            last_ok => st.last_ok_at.clone(), last_error => st.last_error.clone(),
            errors => st.consecutive_errors, items => st.items_seen,
            paused => st.paused(config.fetch.pause_after_failures),
            next => st.next_fetch_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        });
    }
    render(
        &state,
        "feeds.html",
        context! { nav => nav(&session), feeds => rows, preview => (), error => "" },
    )
}

#[derive(serde::Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    name: String,
}

pub async fn feed_preview(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Response {
    let session = match admin_post(&state, &headers, &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let url = form.url.trim().to_string();
    // Fetched and parsed before it is saved: the admin sees what they add.
    let preview = match state.services.http.get(&url, &Validators::default()).await {
        Ok(f) => match crate::feeds::parse_feed(&url, &f.body) {
            Ok(p) => Ok(context! {
                url => url.clone(), lang => form.lang.clone(), name => form.name.clone(),
                title => p.title.clone(), language => p.language.clone(),
                entries => p.entries.iter().take(10).map(|e| e.title.clone()).collect::<Vec<_>>(),
                count => p.entries.len(),
            }),
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    };
    match preview {
        Ok(p) => render(
            &state,
            "feeds.html",
            context! { nav => nav(&session), feeds => Vec::<()>::new(), preview => p, error => "" },
        ),
        Err(e) => render(
            &state,
            "feeds.html",
            context! { nav => nav(&session), feeds => Vec::<()>::new(), preview => (), error => e },
        ),
    }
}

pub async fn feed_add(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    let lang = Some(form.lang.trim().to_ascii_lowercase()).filter(|l| !l.is_empty());
    let added = crate::feeds::ListName::new(lang.as_deref().unwrap_or("feeds")).and_then(|list| {
        crate::feeds::add_feed(
            &state.services.config.feeds_dir,
            &list,
            &crate::feeds::NewFeed {
                url: form.url.trim().to_string(),
                name: Some(form.name.trim().to_string()).filter(|n| !n.is_empty()),
                lang,
                topics: Vec::new(),
            },
        )
    });
    back_to(&state, "/admin/feeds", "Feed not added", added)
}

pub async fn feed_remove(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    back_to(
        &state,
        "/admin/feeds",
        "Feed not removed",
        crate::feeds::remove_feed(&state.services.config.feeds_dir, form.url.trim()),
    )
}

#[derive(serde::Deserialize)]
pub struct FeedEditForm {
    #[serde(default)]
    csrf: String,
    url: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    topics: Option<String>,
    /// "pause" or "resume"; absent leaves it.
    #[serde(default)]
    action: Option<String>,
}

/// Edits a feed's name, language and topics, or pauses/resumes it (`enabled` in its list
/// file, which stays readable by hand).
pub async fn feed_edit(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<FeedEditForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    let edit = crate::feeds::FeedEdit {
        name: form.name,
        lang: form.lang.map(|l| l.trim().to_ascii_lowercase()),
        topics: form.topics.map(|t| {
            t.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        }),
        enabled: match form.action.as_deref() {
            Some("pause") => Some(false),
            Some("resume") => Some(true),
            _ => None,
        },
    };
    back_to(
        &state,
        "/admin/feeds",
        "Feed not changed",
        crate::feeds::edit_feed(&state.services.config.feeds_dir, form.url.trim(), &edit),
    )
}

pub async fn feed_refresh(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    match state.services.store.reset_feed(form.url.trim()) {
        Ok(()) => Redirect::to("/admin/feeds").into_response(),
        Err(e) => server_error(&state, e),
    }
}

pub async fn learners(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    let session = match require(&state, &headers, Role::Admin) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let store = &state.services.store;
    let (learners, paused) = match (store.learners(), store.paused_reasons()) {
        (Ok(l), Ok(p)) => (l, p),
        (Err(e), _) | (_, Err(e)) => return server_error(&state, e),
    };
    let rows: Vec<_> = learners
        .iter()
        .map(|l| {
            context! {
                id => l.id, email => l.email.clone(), name => l.name.clone(), lang => l.lang.clone(),
                cefr => l.cefr().to_string(), level => format!("{:.1}", l.level),
                time => l.delivery_time.format("%H:%M").to_string(), tz => l.timezone.clone(),
                interests => l.interests.join(", "), active => l.active,
                reason => paused.get(&l.id).cloned(),
            }
        })
        .collect();
    render(
        &state,
        "learners.html",
        context! { nav => nav(&session), learners => rows },
    )
}

#[derive(serde::Deserialize)]
pub struct IdForm {
    #[serde(default)]
    csrf: String,
    id: i64,
}

async fn set_paused(
    state: Arc<WebState>,
    headers: HeaderMap,
    form: IdForm,
    reason: Option<&str>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    match state.services.store.set_learner_paused(form.id, reason) {
        Ok(()) => Redirect::to("/admin/learners").into_response(),
        Err(e) => server_error(&state, e),
    }
}

pub async fn learner_pause(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<IdForm>,
) -> Response {
    set_paused(state, headers, form, Some("paused by an admin")).await
}

pub async fn learner_resume(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<IdForm>,
) -> Response {
    set_paused(state, headers, form, None).await
}

#[derive(serde::Deserialize)]
pub struct IdQuery {
    id: i64,
}

/// All we hold about a learner, as a JSON download (a data request).
pub async fn learner_export(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Query(q): Query<IdQuery>,
) -> Response {
    if let Err(r) = require(&state, &headers, Role::Admin) {
        return r;
    }
    match state.services.store.export_learner(&q.id.to_string()) {
        Ok(data) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/json; charset=utf-8".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"hyperlearn-learner-{}.json\"", q.id),
                ),
            ],
            serde_json::to_string_pretty(&data).unwrap_or_default(),
        )
            .into_response(),
        Err(crate::store::StoreError::NoSuchLearner(_)) => not_found(&state),
        Err(e) => server_error(&state, e),
    }
}

#[derive(serde::Deserialize)]
pub struct ForgetForm {
    #[serde(default)]
    csrf: String,
    id: i64,
    #[serde(default)]
    confirm: String,
}

/// Erases a learner at their request (the address is kept only as a salted hash, so they
/// are never mailed or imported again).
pub async fn learner_forget(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<ForgetForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    if form.confirm != "yes" {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "Learner not forgotten",
            "Tick \"erase all\" to confirm: forgetting cannot be undone.",
        );
    }
    match state.services.store.forget_learner(&form.id.to_string()) {
        Ok(l) => message(
            &state,
            StatusCode::OK,
            "Learner forgotten",
            &format!(
                "Everything about {} is erased; the address is kept only as a salted hash so that it is never mailed or imported again.",
                l.email
            ),
        ),
        Err(crate::store::StoreError::NoSuchLearner(_)) => not_found(&state),
        Err(e) => server_error(&state, e),
    }
}

pub async fn runs(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    let session = match require(&state, &headers, Role::Admin) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let runs = match state.services.store.runs(50) {
        Ok(r) => r,
        Err(e) => return server_error(&state, e),
    };
    let rows: Vec<_> = runs
        .iter()
        .map(|r| {
            let report: Option<crate::report::RunReport> = r
                .report
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            context! {
                id => r.id, kind => r.kind.clone(), started => r.started_at.clone(),
                finished => r.finished_at.clone(),
                summary => report.as_ref().map(|x| x.to_string()),
            }
        })
        .collect();
    render(
        &state,
        "runs.html",
        context! { nav => nav(&session), runs => rows, can_run => state.run_now.is_some() },
    )
}

pub async fn run_now(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<super::auth::CsrfForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    let request = state
        .run_now
        .as_ref()
        .map_or(super::RunRequest::NoRunner, super::RunNow::request);
    match request {
        super::RunRequest::Started => message(
            &state,
            StatusCode::ACCEPTED,
            "Run started",
            "A run (fetch, lessons due today, mail) has started; its report appears under Runs when it ends.",
        ),
        super::RunRequest::AlreadyQueued => message(
            &state,
            StatusCode::CONFLICT,
            "A run is already going",
            "A run started from here is queued or running; its report appears under Runs when it ends. Start another after that.",
        ),
        super::RunRequest::NoRunner => message(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "Cannot start a run",
            "This web UI is not attached to a running service.",
        ),
    }
}

pub async fn flags(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    let session = match require(&state, &headers, Role::Admin) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let flags = match state.services.store.flags() {
        Ok(f) => f,
        Err(e) => return server_error(&state, e),
    };
    let rows: Vec<_> = flags
        .iter()
        .filter_map(|f| {
            let e: Exercise = serde_json::from_str(&f.payload).ok()?;
            Some(context! {
                exercise => minijinja::Value::from(minijinja::value::Serde(shown(f.exercise_id, None, &e))), article_id => f.article_id,
                note => f.note.clone(), at => f.created_at.clone(), pulled => f.pulled,
            })
        })
        .collect();
    render(
        &state,
        "flags.html",
        context! { nav => nav(&session), flags => rows },
    )
}

pub async fn flag_pull(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<IdForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &form.csrf) {
        return r;
    }
    match state.services.store.pull_exercise(form.id) {
        Ok(()) => Redirect::to("/admin/flags").into_response(),
        Err(e) => server_error(&state, e),
    }
}

// --- learners (signed links, no login) --------------------------------------------------

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
        .and_then(|(_, a, _)| store.article(a).ok().flatten());
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

// --- learners: add, update, import; preferences ------------------------------------------

/// A learner as entered in a form or a CSV line, checked.
fn checked_learner(
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
enum FieldError {
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
    fn for_learner(&self, t: &crate::delivery::PageStrings) -> String {
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

#[derive(serde::Deserialize)]
pub struct LearnerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    interests: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    tz: String,
}

/// Adds a learner, or updates the one with that address.
pub async fn learner_save(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<LearnerForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &f.csrf) {
        return r;
    }
    match checked_learner(
        &f.email,
        &f.name,
        &f.lang,
        &f.level,
        &f.interests,
        &f.time,
        &f.tz,
    ) {
        Ok(l) => match state.services.store.upsert_learner(&l) {
            Ok(_) => Redirect::to("/admin/learners").into_response(),
            Err(e) => server_error(&state, e),
        },
        Err(e) => message(
            &state,
            StatusCode::BAD_REQUEST,
            "Learner not saved",
            &e.to_string(),
        ),
    }
}

#[derive(serde::Deserialize)]
pub struct CsvForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    csv: String,
}

/// The columns of a learner CSV.
const LEARNER_CSV_HEADER: &str = "email,name,lang,level,interests,time,timezone";

/// CSV with the columns of [`LEARNER_CSV_HEADER`] (interests separated by `;`), with or
/// without that header line: each line adds or updates a learner; bad lines are reported by
/// number, and a first line that is neither is an error.
pub async fn learners_import(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<CsvForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &f.csrf) {
        return r;
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .has_headers(false)
        .from_reader(f.csv.as_bytes());
    let mut saved = 0;
    let mut errors = Vec::new();
    let mut lines = 0;
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        lines += 1;
        let r = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let get = |k: usize| r.get(k).unwrap_or("");
        if line == 1 && !get(0).contains('@') {
            // The header line, or something that is neither a header nor a learner.
            if get(0).eq_ignore_ascii_case("email") {
                continue;
            }
            return message(
                &state,
                StatusCode::BAD_REQUEST,
                "Import",
                &format!(
                    "Nothing imported: line 1 is neither the header `{LEARNER_CSV_HEADER}` nor a learner (its first field `{}` is not a mail address).",
                    get(0).chars().take(80).collect::<String>()
                ),
            );
        }
        let tz = if get(6).is_empty() { "UTC" } else { get(6) };
        let time = if get(5).is_empty() { "07:00" } else { get(5) };
        match checked_learner(get(0), get(1), get(2), get(3), get(4), time, tz)
            .map_err(|e| e.to_string())
            .and_then(|l| {
                state
                    .services
                    .store
                    .upsert_learner(&l)
                    .map_err(|e| e.to_string())
            }) {
            Ok(_) => saved += 1,
            Err(e) => errors.push(format!("line {line}: {e}")),
        }
    }
    if lines == 0 {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "Import",
            &format!(
                "Nothing imported: the CSV is empty. Paste a header line `{LEARNER_CSV_HEADER}` and one learner per line."
            ),
        );
    }
    let text = if errors.is_empty() {
        format!("{saved} learners added or updated.")
    } else {
        format!(
            "{saved} learners added or updated; {} lines not imported: {}",
            errors.len(),
            errors.join("; ")
        )
    };
    message(&state, StatusCode::OK, "Import", &text)
}

/// OPML 2.0 of every listed feed.
pub async fn feeds_opml(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    if let Err(r) = require(&state, &headers, Role::Admin) {
        return r;
    }
    let listed = match crate::feeds::load_feed_lists(&state.services.config.feeds_dir) {
        Ok(l) => l,
        Err(e) => return server_error(&state, e),
    };
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>HyperLearn feeds</title></head>\n<body>\n",
    );
    for f in &listed {
        out.push_str(&format!(
            "<outline type=\"rss\" text=\"{}\" title=\"{}\" xmlUrl=\"{}\"{}/>\n",
            esc(&f.name),
            esc(&f.name),
            esc(&f.url),
            f.lang
                .as_deref()
                .map(|l| format!(" language=\"{}\"", esc(l)))
                .unwrap_or_default()
        ));
    }
    out.push_str("</body>\n</opml>\n");
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/x-opml; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"hyperlearn-feeds.opml\"",
            ),
        ],
        out,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct OpmlForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    opml: String,
}

/// Adds the feeds of a pasted OPML file (`outline` elements with `xmlUrl`), each to the list
/// of its `language` (or "imported"); feeds already listed are skipped.
pub async fn feeds_opml_import(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<OpmlForm>,
) -> Response {
    if let Err(r) = admin_post(&state, &headers, &f.csrf) {
        return r;
    }
    let outlines = opml_outlines(&f.opml);
    if outlines.is_empty() {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "OPML import",
            "Nothing imported: the text holds no <outline> with an xmlUrl attribute. Paste the whole OPML file exported by a feed reader.",
        );
    }
    let (mut added, mut skipped) = (0, Vec::new());
    for (url, name, lang) in outlines {
        let result =
            crate::feeds::ListName::new(lang.as_deref().unwrap_or("imported")).and_then(|list| {
                crate::feeds::add_feed(
                    &state.services.config.feeds_dir,
                    &list,
                    &crate::feeds::NewFeed {
                        url: url.clone(),
                        name,
                        lang,
                        topics: Vec::new(),
                    },
                )
            });
        match result {
            Ok(_) => added += 1,
            Err(e) => skipped.push(e.to_string()),
        }
    }
    let text = if skipped.is_empty() {
        format!("{added} feeds added.")
    } else {
        format!("{added} feeds added; skipped: {}", skipped.join("; "))
    };
    message(&state, StatusCode::OK, "OPML import", &text)
}

/// (xmlUrl, text or title, language) of every feed outline in an OPML document.
fn opml_outlines(opml: &str) -> Vec<(String, Option<String>, Option<String>)> {
    // OPML is XML; HTML parsing reads it leniently (attribute names come lower-cased).
    let doc = scraper::Html::parse_fragment(opml);
    let sel = scraper::Selector::parse("outline[xmlurl]").expect("valid selector");
    doc.select(&sel)
        .filter_map(|o| {
            let v = o.value();
            let url = v.attr("xmlurl")?.trim().to_string();
            let name = v
                .attr("text")
                .or(v.attr("title"))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            let lang = v
                .attr("language")
                .map(|l| l.trim().to_ascii_lowercase())
                .and_then(|l| l.get(..2).map(str::to_string))
                .filter(|l| l.chars().all(|c| c.is_ascii_lowercase()));
            (!url.is_empty()).then_some((url, name, lang))
        })
        .collect()
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
    fn opml_outlines_and_learner_lines_are_read_and_checked() {
        let opml = r#"<?xml version="1.0"?><opml version="2.0"><body>
            <outline text="News"><outline type="rss" text="A &amp; B" xmlUrl="https://a.example/rss" language="de-AT"/></outline>
            <outline type="rss" title="T" xmlUrl="https://t.example/feed"/></body></opml>"#;
        let o = opml_outlines(opml);
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].0, "https://a.example/rss");
        assert_eq!(o[0].1.as_deref(), Some("A & B"));
        assert_eq!(o[0].2.as_deref(), Some("de"));
        assert_eq!(o[1].2, None);
        let ok = checked_learner(
            "a@b.org",
            "",
            "DE",
            "B1",
            "sport; music",
            "07:30",
            "Europe/Berlin",
        )
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.lang.as_str(), ok.level),
            ("a", "de", 3.0)
        );
        assert_eq!(ok.interests, ["sport", "music"]);
        for bad in [
            checked_learner("nope", "", "de", "B1", "", "07:30", "UTC"),
            checked_learner("a@b.org", "", "deu", "B1", "", "07:30", "UTC"),
            checked_learner("a@b.org", "", "de", "B9", "", "07:30", "UTC"),
            checked_learner("a@b.org", "", "de", "B1", "", "7h", "UTC"),
            checked_learner("a@b.org", "", "de", "B1", "", "07:30", "Mars/Base"),
        ] {
            assert!(bad.is_err());
        }
        // The learner's own page says it in their language, with the value they gave.
        let ru = crate::delivery::mail_strings("ru").page;
        for (bad, needle) in [
            (
                checked_learner("a@b.org", "", "ru", "B1", "", "7h", "UTC"),
                "«7h»",
            ),
            (
                checked_learner("a@b.org", "", "ru", "B1", "", "07:30", "Mars/Base"),
                "«Mars/Base»",
            ),
            (
                checked_learner("a@b.org", "", "ru", "Z9", "", "07:30", "UTC"),
                "«Z9»",
            ),
        ] {
            let text = bad.unwrap_err().for_learner(&ru);
            assert!(text.contains(needle) && !text.contains("use"), "{text}");
        }
    }

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

    #[test]
    fn snippet_pieces_keep_text_and_marks_apart() {
        let s = crate::index::Snippet {
            fragment: "a <b>fox</b> ran".into(),
            highlighted: vec![(5, 8)],
        };
        let p = pieces(&s);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].text, "a <b>");
        assert!(p[1].mark && p[1].text == "fox");
    }
}
