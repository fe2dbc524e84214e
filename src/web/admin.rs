//! Admins' pages: feeds (and OPML), learners (add, import, pause, export, forget), runs
//! and flagged exercises.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::auth::{Admin, AdminForm, CsrfForm, csrf_token, nav};
use super::learner::{LearnerForm, checked_learner};
use super::teacher::shown;
use super::{WebState, message, not_found, render, server_error};
use crate::exercise::Exercise;

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

pub async fn feeds(State(state): State<Arc<WebState>>, Admin(session): Admin) -> Response {
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
    AdminForm(session, form): AdminForm<FeedForm>,
) -> Response {
    let url = form.url.trim().to_string();
    // Fetched and parsed before it is saved: the admin sees what they add.
    let preview = crate::pipeline::preview_feed(&state.services, &url)
        .await
        .map(|p| {
            context! {
                url => url.clone(), lang => form.lang.clone(), name => form.name.clone(),
                title => p.title.clone(), language => p.language.clone(),
                entries => p.entries.iter().take(10).map(|e| e.title.clone()).collect::<Vec<_>>(),
                count => p.entries.len(),
            }
        });
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
    AdminForm(_, form): AdminForm<FeedForm>,
) -> Response {
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
    AdminForm(_, form): AdminForm<FeedForm>,
) -> Response {
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
    AdminForm(_, form): AdminForm<FeedEditForm>,
) -> Response {
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
    AdminForm(_, form): AdminForm<FeedForm>,
) -> Response {
    match state.services.store.reset_feed(form.url.trim()) {
        Ok(()) => Redirect::to("/admin/feeds").into_response(),
        Err(e) => server_error(&state, e),
    }
}

pub async fn learners(State(state): State<Arc<WebState>>, Admin(session): Admin) -> Response {
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

async fn set_paused(state: Arc<WebState>, form: IdForm, reason: Option<&str>) -> Response {
    match state.services.store.set_learner_paused(form.id, reason) {
        Ok(()) => Redirect::to("/admin/learners").into_response(),
        Err(e) => server_error(&state, e),
    }
}

pub async fn learner_pause(
    State(state): State<Arc<WebState>>,
    AdminForm(_, form): AdminForm<IdForm>,
) -> Response {
    set_paused(state, form, Some("paused by an admin")).await
}

pub async fn learner_resume(
    State(state): State<Arc<WebState>>,
    AdminForm(_, form): AdminForm<IdForm>,
) -> Response {
    set_paused(state, form, None).await
}

#[derive(serde::Deserialize)]
pub struct IdQuery {
    id: i64,
}

/// All we hold about a learner, as a JSON download (a data request).
pub async fn learner_export(
    State(state): State<Arc<WebState>>,
    Admin(_): Admin,
    Query(q): Query<IdQuery>,
) -> Response {
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
    AdminForm(_, form): AdminForm<ForgetForm>,
) -> Response {
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

pub async fn runs(State(state): State<Arc<WebState>>, Admin(session): Admin) -> Response {
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

pub async fn run_now(State(state): State<Arc<WebState>>, _: AdminForm<CsrfForm>) -> Response {
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

pub async fn flags(State(state): State<Arc<WebState>>, Admin(session): Admin) -> Response {
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
    AdminForm(_, form): AdminForm<IdForm>,
) -> Response {
    match state.services.store.pull_exercise(form.id) {
        Ok(()) => Redirect::to("/admin/flags").into_response(),
        Err(e) => server_error(&state, e),
    }
}

/// Adds a learner, or updates the one with that address.
pub async fn learner_save(
    State(state): State<Arc<WebState>>,
    AdminForm(_, f): AdminForm<LearnerForm>,
) -> Response {
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
    AdminForm(_, f): AdminForm<CsvForm>,
) -> Response {
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
pub async fn feeds_opml(State(state): State<Arc<WebState>>, Admin(_): Admin) -> Response {
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
    AdminForm(_, f): AdminForm<OpmlForm>,
) -> Response {
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
}

csrf_token!(
    FeedForm,
    FeedEditForm,
    IdForm,
    ForgetForm,
    CsvForm,
    OpmlForm,
    LearnerForm
);
