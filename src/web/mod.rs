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

mod admin;
mod auth;
mod health;
mod learner;
mod teacher;

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::FutureExt;
use minijinja::Environment;

use crate::pipeline::Services;

pub use auth::{Role, hash_password};
pub use health::{Monitor, start_monitoring};

/// What the handlers share.
pub struct WebState {
    pub services: Arc<Services>,
    env: Environment<'static>,
    /// Set the Secure flag on cookies (the public URL is https).
    secure_cookies: bool,
    /// Asks the service to start a run now (admins' button); `None` when nothing listens.
    run_now: Option<RunNow>,
    /// Failed sign-ins per account and per client address.
    logins: auth::LoginLimiter,
    /// Bounds the Argon2 hashes that run at once (each takes 19 MiB and a core for ~50 ms).
    hashing: tokio::sync::Semaphore,
    /// The model, when this process generates (for `/readyz`).
    generator: Option<Arc<crate::generation::Generator>>,
}

/// The admins' "start a run now" button, wired to the service's runner. One run at a time is
/// enough: a click while a run is queued or running starts nothing more.
#[derive(Clone)]
pub struct RunNow {
    busy: Arc<AtomicBool>,
    tx: tokio::sync::mpsc::UnboundedSender<()>,
}

/// The runner's end of [`RunNow`].
pub struct RunRequests {
    busy: Arc<AtomicBool>,
    rx: tokio::sync::mpsc::UnboundedReceiver<()>,
}

/// Held while a requested run goes; dropping it lets the button start the next one.
pub struct RunGuard(Arc<AtomicBool>);

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// What a click on the run button did.
#[derive(Debug, PartialEq, Eq)]
pub enum RunRequest {
    Started,
    AlreadyQueued,
    NoRunner,
}

impl RunNow {
    /// The button and the runner's end.
    pub fn channel() -> (RunNow, RunRequests) {
        let busy = Arc::new(AtomicBool::new(false));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (
            RunNow {
                busy: busy.clone(),
                tx,
            },
            RunRequests { busy, rx },
        )
    }

    /// Queues a run unless one is queued or running.
    pub fn request(&self) -> RunRequest {
        if self
            .busy
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return RunRequest::AlreadyQueued;
        }
        if self.tx.send(()).is_err() {
            self.busy.store(false, Ordering::SeqCst);
            return RunRequest::NoRunner;
        }
        RunRequest::Started
    }
}

impl RunRequests {
    /// The next requested run; `None` when the button is gone. Hold the guard while it runs.
    pub async fn next(&mut self) -> Option<RunGuard> {
        self.rx.recv().await?;
        Some(RunGuard(self.busy.clone()))
    }
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

/// The web templates, ready to render.
fn environment() -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    // A variable a template prints but the page does not give is an error (caught by the
    // test that renders every template), not a silently empty spot.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    // Names end in .html, so minijinja escapes every value put into them.
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| anyhow::anyhow!("web template {name}: {e}"))?;
    }
    Ok(env)
}

impl WebState {
    pub fn new(services: Arc<Services>, run_now: Option<RunNow>) -> anyhow::Result<WebState> {
        let env = environment()?;
        // Made now, so that the first unknown user name takes no longer than a known one.
        auth::dummy_hash();
        let secure_cookies = services.config.mail.public_url.scheme() == "https";
        Ok(WebState {
            services,
            env,
            secure_cookies,
            run_now,
            logins: auth::LoginLimiter::default(),
            hashing: tokio::sync::Semaphore::new(auth::CONCURRENT_HASHES),
            generator: None,
        })
    }

    /// The model this process generates with, so that `/readyz` checks it.
    pub fn with_generator(mut self, generator: Arc<crate::generation::Generator>) -> WebState {
        self.generator = Some(generator);
        self
    }
}

/// Renders a template. A template that fails is logged with its error; the visitor sees a
/// plain "something went wrong" page, never a template name or an internal message.
pub(crate) fn render(state: &WebState, name: &str, ctx: minijinja::Value) -> Response {
    match state.env.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            let reference = log_reference();
            tracing::error!("web template {name} (reference {reference}): {e:#}");
            if name == "message.html" {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("Something went wrong on our side (reference {reference})."),
                )
                    .into_response();
            }
            message(
                state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                &format!(
                    "This page could not be shown. The error has been logged (reference {reference})."
                ),
            )
        }
    }
}

/// A page with a title and a line of text.
pub(crate) fn message(state: &WebState, status: StatusCode, title: &str, text: &str) -> Response {
    let mut r = render(state, "message.html", minijinja::context! { title, text });
    *r.status_mut() = status;
    r
}

pub(crate) fn not_found(state: &WebState) -> Response {
    message(
        state,
        StatusCode::NOT_FOUND,
        "Not found",
        "This link is not valid (any more).",
    )
}

/// A short random tag that ties an error page to its line in the log.
fn log_reference() -> String {
    auth::random_token()[..8].to_string()
}

/// A failure of ours (store, index, feed files): logged in full, shown as a reference only.
pub(crate) fn server_error(state: &WebState, e: impl std::fmt::Display) -> Response {
    let reference = log_reference();
    tracing::error!("web request failed (reference {reference}): {e}");
    message(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        &format!("This could not be done. The error has been logged (reference {reference})."),
    )
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

/// A handler that panics answers 500 and is logged; the process, its other requests and the
/// scheduler go on.
async fn catch_panic(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!("web request {path} panicked: {what}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Something went wrong on our side; it has been logged.",
            )
                .into_response()
        }
    }
}

/// The layers every route gets: security headers, and a panic caught as a 500.
pub fn harden<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(axum::middleware::from_fn(catch_panic))
        .layer(axum::middleware::map_response(security_headers))
}

/// Every route of the UI.
pub fn router(state: Arc<WebState>) -> Router {
    let monitor = Arc::new(Monitor {
        services: state.services.clone(),
        generator: state.generator.clone(),
    });
    harden(routes().merge(health::health_routes(monitor))).with_state(state)
}

fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/", get(auth::home))
        .route(
            "/static/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE) }),
        )
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/search", get(teacher::search))
        .route("/articles/{id}", get(teacher::article))
        .route("/articles/{id}/print", get(teacher::article_print))
        .route("/admin/feeds", get(admin::feeds))
        .route("/admin/feeds/preview", post(admin::feed_preview))
        .route("/admin/feeds/add", post(admin::feed_add))
        .route("/admin/feeds/remove", post(admin::feed_remove))
        .route("/admin/feeds/refresh", post(admin::feed_refresh))
        .route("/admin/feeds/edit", post(admin::feed_edit))
        .route("/admin/learners", get(admin::learners))
        .route("/admin/learners/pause", post(admin::learner_pause))
        .route("/admin/learners/resume", post(admin::learner_resume))
        .route("/admin/learners/save", post(admin::learner_save))
        .route("/admin/learners/import", post(admin::learners_import))
        .route("/admin/learners/export", get(admin::learner_export))
        .route("/admin/learners/forget", post(admin::learner_forget))
        .route("/admin/feeds.opml", get(admin::feeds_opml))
        .route("/admin/feeds/opml", post(admin::feeds_opml_import))
        .route(
            "/preferences/{token}",
            get(learner::preferences).post(learner::preferences_save),
        )
        .route("/admin/runs", get(admin::runs).post(admin::run_now))
        .route("/admin/flags", get(admin::flags))
        .route("/admin/flags/pull", post(admin::flag_pull))
        .route(
            "/lesson/{token}",
            get(learner::lesson).post(learner::lesson_answers),
        )
        .route("/lesson/{token}/flag", post(learner::lesson_flag))
        .route(
            "/unsubscribe/{token}",
            get(learner::unsubscribe_form).post(learner::unsubscribe),
        )
}

/// Binds `[web] listen` and serves the UI until the task is dropped; returns the address.
pub async fn start(
    state: Arc<WebState>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listen = state.services.config.web.listen;
    serve_on(listen, "[web] listen", router(state)).await
}

/// Binds `listen` (the config key that names it, for the error) and serves `app` there, with
/// the client's address available to handlers, until the task is dropped.
async fn serve_on(
    listen: SocketAddr,
    key: &str,
    app: Router,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("{key} {listen}: cannot bind: {e}"))?;
    let addr = listener.local_addr()?;
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let key = key.to_string();
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("server on {key} stopped: {e}");
        }
    });
    Ok((addr, task))
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use super::*;

    fn strings(lang: &str) -> minijinja::Value {
        minijinja::Value::from(minijinja::value::Serde(crate::delivery::mail_strings(lang)))
    }

    fn nav() -> minijinja::Value {
        context! { user => "ada", admin => true, csrf => "c5rf" }
    }

    fn exercise(kind: &str, options: &[&str]) -> minijinja::Value {
        context! {
            id => 7, kind => kind.to_string(), prompt => "The library is open _____ days a week.",
            options => options.iter().map(|o| o.to_string()).collect::<Vec<_>>(), key => "B) seven",
            evidence => "The library is open seven days a week.", date => "2026-12-01",
        }
    }

    /// An exercise as the learner's pages show it (`learner::LearnerExercise`).
    fn learner_exercise(kind: &str, options: &[&str]) -> minijinja::Value {
        context! {
            id => 7, kind => kind.to_string(), number => 2, instruction => "Fill the gap.",
            prompt => "The library is open _____ days a week.",
            options => options.iter().enumerate().map(|(i, o)| context! { letter => char::from(b'A' + i as u8), text => o.to_string() }).collect::<Vec<_>>(),
            answer => "B) seven", evidence => "The library is open seven days a week.",
        }
    }

    /// Every page state the handlers render, with data shaped as they give it.
    fn pages() -> Vec<(&'static str, minijinja::Value)> {
        let mc = exercise("multiple_choice", &["six", "seven", "eight"]);
        let tf = exercise("true_false", &[]);
        let gap = exercise("gap_fill", &["seven", "nine"]);
        let hit = context! {
            id => 3, title => "Otters return", lang => "en", cefr => "B1", source => "Courier",
            published => "2026-11-20", topics => vec!["nature"],
            pieces => vec![context! { text => "The ", mark => false }, context! { text => "otters", mark => true }],
        };
        let feed = context! {
            url => "https://courier.example/rss", name => "Courier", lang => "en", enabled => true,
            topics => "local, news", list => "en.toml", last_ok => "2026-12-01T05:00:00Z",
            last_error => "timed out", errors => 2, items => 40, paused => false,
            next => "2026-12-01 06:00 UTC",
        };
        let preview = context! {
            url => "https://courier.example/rss", lang => "en", name => "Courier",
            title => "The Courier", language => "en", entries => vec!["Otters return"], count => 12,
        };
        vec![
            ("login.html", context! { csrf => "t", error => "" }),
            (
                "login.html",
                context! { csrf => "t", error => "Unknown user or wrong password." },
            ),
            (
                "search.html",
                context! {
                    nav => nav(), q => "otters & co", lang => "en", level => "B1", topic => "", source => "",
                    from => "2000-01-01", to => "", searched => true, total => 14, hits => vec![hit],
                    page => 1, next => true, levels => ["A1", "A2", "B1", "B2", "C1", "C2"],
                },
            ),
            (
                "search.html",
                context! {
                    nav => nav(), q => "", lang => "", level => "", topic => "", source => "",
                    from => "", to => "", searched => false, total => 0, hits => Vec::<()>::new(),
                    page => 0, next => false, levels => ["A1"],
                },
            ),
            (
                "article.html",
                context! {
                    nav => nav(), print => false, id => 3, title => "Otters return", url => "https://courier.example/otters",
                    lang => "en", cefr => "B1", level => "3.1", topics => vec!["nature"], source => "Courier",
                    published => "2026-11-20", paragraphs => vec!["One.", "Two."], exercises => vec![mc.clone(), tf.clone(), gap.clone()],
                },
            ),
            (
                "article.html",
                context! {
                    nav => nav(), print => true, id => 3, title => "Otters return", url => "https://courier.example/otters",
                    lang => "en", cefr => "B1", level => "3.1", topics => Vec::<String>::new(), source => "Courier",
                    published => (), paragraphs => vec!["One."], exercises => Vec::<()>::new(),
                },
            ),
            (
                "feeds.html",
                context! { nav => nav(), feeds => vec![feed], preview => (), error => "" },
            ),
            (
                "feeds.html",
                context! { nav => nav(), feeds => Vec::<()>::new(), preview => preview, error => "" },
            ),
            (
                "feeds.html",
                context! { nav => nav(), feeds => Vec::<()>::new(), preview => (), error => "not a feed" },
            ),
            (
                "learners.html",
                context! { nav => nav(), learners => vec![context! {
                    id => 1, email => "ana@example.org", name => "Ana", lang => "es", cefr => "B1", level => "3.0",
                    time => "07:30", tz => "Europe/Madrid", interests => "fútbol", active => false, reason => "unsubscribed",
                }] },
            ),
            (
                "runs.html",
                context! { nav => nav(), can_run => true, runs => vec![context! {
                    id => 1, kind => "daily", started => "2026-12-01T05:00:00Z", finished => (), summary => "3 lessons sent",
                }] },
            ),
            (
                "flags.html",
                context! { nav => nav(), flags => vec![context! {
                    exercise => mc.clone(), article_id => 3, note => "wrong key", at => "2026-12-01", pulled => false,
                }] },
            ),
            (
                "flags.html",
                context! { nav => nav(), flags => Vec::<()>::new() },
            ),
            (
                "lesson.html",
                context! {
                    s => strings("en"), page_lang => "en",
                    token => "1:2026-12-01.abc", csrf => "f", name => "Lee", date => "2026-12-01",
                    article => context! {
                        title => "Otters return", url => "https://courier.example/otters", source => "Courier",
                        cefr => "B1", published => "2026-11-20", excerpt => "The otters are back. Nobody expected it.",
                    },
                    glossary => vec![context! { word => "otter", sentence => "The otters are back." }],
                    exercises => vec![learner_exercise("multiple_choice", &["six", "seven"]), learner_exercise("true_false", &[]), learner_exercise("gap_fill", &["seven", "nine"]), learner_exercise("short_answer", &[])],
                    results => (), unsubscribe => "/unsubscribe/1.abc", preferences => "/preferences/1.abc",
                },
            ),
            (
                "lesson.html",
                context! {
                    s => strings("de"), page_lang => "de",
                    token => "1:2026-12-01.abc", csrf => "f", name => "Lee", date => "2026-12-01",
                    article => (), glossary => Vec::<()>::new(), exercises => vec![learner_exercise("vocabulary", &["a", "b"])],
                    results => (), unsubscribe => "/unsubscribe/1.abc", preferences => "/preferences/1.abc",
                },
            ),
            (
                "lesson.html",
                context! {
                    s => strings("ru"), page_lang => "ru",
                    token => "1:2026-12-01.abc", csrf => "f", name => "Lee", date => "2026-12-01",
                    exercises => Vec::<()>::new(), results => vec![context! { exercise => learner_exercise("multiple_choice", &["a", "b"]), ok => true }, context! { exercise => learner_exercise("true_false", &[]), ok => false }],
                    right => 1, total => 2, counted => true,
                },
            ),
            (
                "unsubscribe.html",
                context! { s => strings("de"), page_lang => "de", email => "lee@example.org", csrf => "f", token => "1.abc", done => false },
            ),
            (
                "unsubscribe.html",
                context! { s => strings("fr"), page_lang => "fr", email => "lee@example.org", csrf => "", token => "1.abc", done => true },
            ),
            (
                "preferences.html",
                context! {
                    s => strings("es"), page_lang => "es",
                    token => "1.abc", csrf => "f", email => "lee@example.org", level => "B1", interests => "music",
                    time => "07:00", tz => "UTC", levels => ["A1", "B1"], saved => true, error => "",
                },
            ),
            (
                "message.html",
                context! { title => "Not found", text => "This link is not valid (any more)." },
            ),
            (
                "message.html",
                context! { title => "Спасибо", text => "Преподаватель проверит это упражнение.", page_lang => "ru" },
            ),
        ]
    }

    #[test]
    fn every_template_renders_with_realistic_data() {
        let env = environment().unwrap();
        let mut rendered = std::collections::HashSet::new();
        for (name, ctx) in pages() {
            let html = env
                .get_template(name)
                .and_then(|t| t.render(ctx))
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(html.contains("</html>"), "{name}");
            rendered.insert(name);
        }
        // Every page template is rendered above (base.html through all of them).
        for (name, _) in TEMPLATES {
            assert!(
                *name == "base.html" || rendered.contains(name),
                "{name} is not rendered"
            );
        }
        // Every template file is registered.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/web");
        for entry in std::fs::read_dir(dir).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().to_string();
            if file.ends_with(".html") {
                assert!(
                    TEMPLATES.iter().any(|(n, _)| *n == file),
                    "{file} is not registered"
                );
            }
        }
    }

    #[test]
    fn a_learners_pages_speak_their_language() {
        let env = environment().unwrap();
        let render = |name: &str, ctx: minijinja::Value| {
            env.get_template(name).unwrap().render(ctx).unwrap()
        };
        let score = render(
            "lesson.html",
            context! {
                s => strings("ru"), page_lang => "ru", token => "t", csrf => "c", name => "Дмитрий",
                date => "2026-12-01", exercises => Vec::<()>::new(),
                results => vec![context! { exercise => learner_exercise("true_false", &[]), ok => true }],
                right => 1, total => 1, counted => false,
            },
        );
        assert!(score.contains("<html lang=\"ru\">"), "{score}");
        for text in [
            "Здравствуйте Дмитрий",
            "Правильных ответов: 1 из 1.",
            "Первая попытка уже засчитана",
            "Верно.",
            "Сообщить об ошибке",
            "Вернуться к уроку",
        ] {
            assert!(score.contains(text), "{text}: {score}");
        }
        let page = render(
            "unsubscribe.html",
            context! { s => strings("es"), page_lang => "es", email => "ana@example.org", csrf => "c", token => "t", done => false },
        );
        assert!(
            page.contains("¿Dejar de enviar las lecciones diarias a ana@example.org?"),
            "{page}"
        );
        // Every language has every page string (none left empty).
        for lang in crate::lang::codes() {
            let json = serde_json::to_value(crate::delivery::mail_strings(lang).page).unwrap();
            for (k, v) in json.as_object().unwrap() {
                assert!(!v.as_str().unwrap().trim().is_empty(), "{lang}.{k}");
            }
        }
    }

    #[test]
    fn an_unknown_filter_or_variable_fails_rendering() {
        let env = environment().unwrap();
        assert!(
            env.render_str("{{ q|no_such_filter }}", context! { q => "x" })
                .is_err()
        );
        // The filter the search pages need is there.
        assert_eq!(
            env.render_str("{{ q|urlencode }}", context! { q => "a b&c" })
                .unwrap(),
            "a%20b%26c"
        );
        assert!(env.render_str("{{ missing }}", context! {}).is_err());
        assert!(
            env.render_str("{% if missing %}x{% endif %}", context! {})
                .is_ok()
        );
    }

    #[test]
    fn the_run_button_queues_one_run_at_a_time() {
        let (button, mut requests) = RunNow::channel();
        assert_eq!(button.request(), RunRequest::Started);
        assert_eq!(button.request(), RunRequest::AlreadyQueued, "queued");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let guard = rt.block_on(requests.next()).unwrap();
        assert_eq!(button.request(), RunRequest::AlreadyQueued, "running");
        drop(guard);
        assert_eq!(button.request(), RunRequest::Started, "after the run");
        drop(requests);
        let (button, requests) = RunNow::channel();
        drop(requests);
        assert_eq!(button.request(), RunRequest::NoRunner);
    }
}
