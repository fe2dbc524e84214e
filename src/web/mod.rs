//! `web/`: the web UI that `serve` serves: teachers search the index and open articles with
//! their verified exercise sets; admins see feeds, learners, runs and flagged exercises;
//! learners open the lesson page linked from their mail (a signed token, no login), answer,
//! see their score with the evidence, flag an exercise, and unsubscribe.
//!
//! Rendered on the server from `templates/web/` (minijinja, every value escaped). Security:
//! accounts with roles `admin` and `teacher`, passwords hashed with Argon2id; a session cookie
//! that is HttpOnly, SameSite=Strict and Secure behind https, stored as a hash; a CSRF token
//! in every form (the session's, or one derived from the page's signed token); a strict
//! Content-Security-Policy with no inline script or style.

mod auth;
mod pages;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::Environment;

use crate::pipeline::Services;

pub use auth::{Role, hash_password};

/// What the handlers share.
pub struct WebState {
    pub services: Arc<Services>,
    env: Environment<'static>,
    /// Set the Secure flag on cookies (the public URL is https).
    secure_cookies: bool,
    /// Asks the service to start a run now (admins' button); `None` when nothing listens.
    run_now: Option<tokio::sync::mpsc::UnboundedSender<()>>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/web/base.html")),
    ("login.html", include_str!("../../templates/web/login.html")),
    (
        "search.html",
        include_str!("../../templates/web/search.html"),
    ),
    (
        "article.html",
        include_str!("../../templates/web/article.html"),
    ),
    ("feeds.html", include_str!("../../templates/web/feeds.html")),
    (
        "learners.html",
        include_str!("../../templates/web/learners.html"),
    ),
    ("runs.html", include_str!("../../templates/web/runs.html")),
    ("flags.html", include_str!("../../templates/web/flags.html")),
    (
        "lesson.html",
        include_str!("../../templates/web/lesson.html"),
    ),
    (
        "unsubscribe.html",
        include_str!("../../templates/web/unsubscribe.html"),
    ),
    (
        "message.html",
        include_str!("../../templates/web/message.html"),
    ),
    (
        "preferences.html",
        include_str!("../../templates/web/preferences.html"),
    ),
];

const STYLE: &str = include_str!("../../templates/web/style.css");

impl WebState {
    pub fn new(
        services: Arc<Services>,
        run_now: Option<tokio::sync::mpsc::UnboundedSender<()>>,
    ) -> anyhow::Result<WebState> {
        let mut env = Environment::new();
        // Names end in .html, so minijinja escapes every value put into them.
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| anyhow::anyhow!("web template {name}: {e}"))?;
        }
        let secure_cookies = services.config.mail.public_url.scheme() == "https";
        Ok(WebState {
            services,
            env,
            secure_cookies,
            run_now,
        })
    }
}

/// Security headers on every response.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Every route of the UI.
pub fn router(state: Arc<WebState>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/static/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE) }),
        )
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/search", get(pages::search))
        .route("/articles/{id}", get(pages::article))
        .route("/articles/{id}/print", get(pages::article_print))
        .route("/admin/feeds", get(pages::feeds))
        .route("/admin/feeds/preview", post(pages::feed_preview))
        .route("/admin/feeds/add", post(pages::feed_add))
        .route("/admin/feeds/remove", post(pages::feed_remove))
        .route("/admin/feeds/refresh", post(pages::feed_refresh))
        .route("/admin/feeds/edit", post(pages::feed_edit))
        .route("/admin/learners", get(pages::learners))
        .route("/admin/learners/pause", post(pages::learner_pause))
        .route("/admin/learners/resume", post(pages::learner_resume))
        .route("/admin/learners/save", post(pages::learner_save))
        .route("/admin/learners/import", post(pages::learners_import))
        .route("/admin/feeds.opml", get(pages::feeds_opml))
        .route("/admin/feeds/opml", post(pages::feeds_opml_import))
        .route(
            "/preferences/{token}",
            get(pages::preferences).post(pages::preferences_save),
        )
        .route("/admin/runs", get(pages::runs).post(pages::run_now))
        .route("/admin/flags", get(pages::flags))
        .route("/admin/flags/pull", post(pages::flag_pull))
        .route(
            "/lesson/{token}",
            get(pages::lesson).post(pages::lesson_answers),
        )
        .route("/lesson/{token}/flag", post(pages::lesson_flag))
        .route(
            "/unsubscribe/{token}",
            get(pages::unsubscribe_form).post(pages::unsubscribe),
        )
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Binds `[web] listen` and serves the UI until the task is dropped; returns the address.
pub async fn start(
    state: Arc<WebState>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listen = state.services.config.web.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("[web] listen {listen}: cannot bind: {e}"))?;
    let addr = listener.local_addr()?;
    let app = router(state);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("web UI stopped: {e}");
        }
    });
    Ok((addr, task))
}
