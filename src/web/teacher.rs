//! Teachers' pages: search, and an article with its verified exercise sets.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use super::auth::{Session, Teacher, nav};
use super::{WebState, message, not_found, render, server_error};
use crate::articles::Cefr;
use crate::exercise::{Exercise, option_letter};
use crate::index::SearchQuery;
use crate::store::Servable;

const PAGE_SIZE: usize = 10;
/// Result pages a search may be paged through (the index never looks past
/// [`crate::index::MAX_OFFSET`] hits).
const MAX_PAGES: usize = crate::index::MAX_OFFSET / PAGE_SIZE;

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
    Teacher(session): Teacher,
    Query(p): Query<SearchParams>,
) -> Response {
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
pub(super) struct ShownExercise {
    id: i64,
    kind: &'static str,
    prompt: String,
    options: Vec<String>,
    key: String,
    evidence: String,
    /// What it was made for ("B1 set", "lesson of 2026-12-01").
    made_for: Option<String>,
}

pub(super) fn shown(id: i64, made_for: Option<String>, e: &Exercise) -> ShownExercise {
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
        made_for,
    }
}

fn article_page(state: &WebState, session: &Session, id: i64, print: bool) -> Response {
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
        .map(|e| shown(e.id, e.made_for.clone(), &e.exercise))
        .collect();
    let paragraphs: Vec<String> = article.text.split("\n\n").map(str::to_string).collect();
    render(
        state,
        "article.html",
        context! {
            nav => nav(session), print, id, title => article.title.clone(), url => article.url.clone(),
            lang => article.lang.clone(), cefr => article.cefr.as_str(), level => format!("{:.1}", article.level),
            topics => article.topics.clone(), source => article.source.clone(),
            published => article.published.clone(), paragraphs, exercises => minijinja::Value::from(minijinja::value::Serde(&exercises)),
        },
    )
}

pub async fn article(
    State(state): State<Arc<WebState>>,
    Teacher(session): Teacher,
    Path(id): Path<i64>,
) -> Response {
    article_page(&state, &session, id, false)
}

pub async fn article_print(
    State(state): State<Arc<WebState>>,
    Teacher(session): Teacher,
    Path(id): Path<i64>,
) -> Response {
    article_page(&state, &session, id, true)
}

#[cfg(test)]
mod tests {
    use super::*;

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
