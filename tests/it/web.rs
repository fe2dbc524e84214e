//! The web UI over real HTTP on 127.0.0.1, with a real store and index: every route with
//! every role, CSRF, XSS through feed-sourced titles, article text and queries, and a
//! learner's lesson page from answer to flag to unsubscribe.

use std::sync::Arc;

use chrono::Utc;
use hyperlearn::articles::{Article, Cefr, Level, TextSource};
use hyperlearn::delivery::{lesson_url, unsubscribe_url};
use hyperlearn::exercise::Exercise;
use hyperlearn::index::IndexDoc;
use hyperlearn::lesson::GlossaryEntry;
use hyperlearn::pipeline::Services;
use hyperlearn::store::{Learner, NewLearner, StoreLocation};
use hyperlearn::web::{WebState, hash_password};
use reqwest::StatusCode;

use crate::support::{put_store, write_config};

const XSS_TITLE: &str = "<script>alert('title')</script> Robots & \"quotes\"";
/// Its first sentence is plain, so that a lesson's exercise can quote it; the markup is in
/// the second.
const XSS_TEXT: &str = "Robots clean the harbour of Port Alden every week now. \
    The city <img src=x onerror=alert('text')> is pleased with the results so far.";

pub(crate) struct Site {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) services: Arc<Services>,
    pub(crate) article_id: i64,
    pub(crate) learner_id: i64,
    pub(crate) lesson_token_path: String,
    pub(crate) unsubscribe_path: String,
    pub(crate) preferences_path: String,
}

/// Stores a verified lesson of `exercises` (constructed ones: the checks need no model)
/// about the site's article for `learner` on `date`, as the lesson stage would.
pub(crate) async fn keep_lesson(
    services: &Services,
    learner: &Learner,
    article_id: i64,
    date: chrono::NaiveDate,
    exercises: Vec<Exercise>,
    glossary: Vec<GlossaryEntry>,
) {
    hyperlearn::pipeline::keep_lesson(
        &services.store,
        &services.renderer,
        &services.config.mail,
        learner,
        article_id,
        date,
        exercises,
        glossary,
        Utc::now(),
    )
    .await
    .unwrap();
}

pub(crate) async fn site() -> (Site, tempfile::TempDir) {
    site_on(None).await
}

/// The test site with its store at `store` (`None`: the SQLite default).
async fn site_on(store: Option<StoreLocation>) -> (Site, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), None, "");
    put_store(dir.path(), store.as_ref());
    let config = hyperlearn::config::Config::from_file(&dir.path().join("config.toml")).unwrap();
    let services = Services::open(config).unwrap();
    let store = &services.store;
    for (name, role) in [("ada", "admin"), ("tom", "teacher")] {
        store
            .add_user(
                name,
                &hash_password("a long enough password").unwrap(),
                role,
            )
            .unwrap();
    }
    let article_id = store
        .insert_article(&Article {
            url: "http://127.0.0.1/robots.html".into(),
            title: XSS_TITLE.into(),
            byline: None,
            published: None,
            lang: "en".into(),
            text: XSS_TEXT.into(),
            level: Level {
                score: 2.5,
                cefr: Cefr::A2,
            },
            topics: vec!["technology".into()],
            image: None,
            source: "Courier".into(),
            text_source: TextSource::Page,
        })
        .unwrap()
        .id;
    services
        .index
        .upsert(&IndexDoc {
            article_id,
            url: "http://127.0.0.1/robots.html",
            title: XSS_TITLE,
            text: XSS_TEXT,
            lang: "en",
            level: 2.5,
            cefr: Cefr::A2,
            topics: &["technology".to_string()],
            source: "Courier",
            published: None,
        })
        .unwrap();
    services.index.commit().unwrap();
    let learner = store
        .add_learner(&NewLearner {
            name: "Lee".into(),
            level: 2.5,
            ..crate::support::learner("lee@example.org")
        })
        .unwrap();
    let exercise = Exercise::TrueFalse {
        statement: "Robots clean the harbour every week.".into(),
        answer: true,
        evidence: "Robots clean the harbour of Port Alden every week now.".into(),
    };
    let date = Utc::now().date_naive();
    let glossary = GlossaryEntry {
        word: "telescope".into(),
        sentence: "The new telescope sees far.".into(),
    };
    keep_lesson(
        &services,
        &learner,
        article_id,
        date,
        vec![exercise],
        vec![glossary],
    )
    .await;
    let path_of = |url: String| {
        let u = url::Url::parse(&url).unwrap();
        u.path().to_string()
    };
    let lesson_token_path = path_of(lesson_url(&services.config.mail, learner.id, date));
    let unsubscribe_path = path_of(unsubscribe_url(&services.config.mail, learner.id));
    let preferences_path = format!(
        "/preferences/{}",
        hyperlearn::tokens::sign(
            &services.config.mail.token_key,
            hyperlearn::tokens::Purpose::Preferences,
            &learner.id.to_string()
        )
    );
    let services = Arc::new(services);
    let state = Arc::new(WebState::new(services.clone(), None).unwrap());
    let (addr, _task) = hyperlearn::web::start(state).await.unwrap();
    // The test's own client: no redirects followed, so 303s can be checked.
    #[allow(clippy::disallowed_methods)]
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (
        Site {
            base: format!("http://{addr}"),
            client,
            services,
            article_id,
            learner_id: learner.id,
            lesson_token_path,
            unsubscribe_path,
            preferences_path,
        },
        dir,
    )
}

/// The id of the first exercise on a lesson page (its answer field is `a<id>`).
pub(crate) fn first_exercise_id(page: &str) -> String {
    let at = page.find("name=\"a").expect("the page has an answer field") + "name=\"a".len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

pub(crate) fn csrf_of(body: &str) -> String {
    let at = body
        .find("name=\"csrf\" value=\"")
        .expect("the page has a form with a CSRF token")
        + "name=\"csrf\" value=\"".len();
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

impl Site {
    pub(crate) async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.unwrap()
    }

    /// Opens the login page; returns its cookie and the form's CSRF token.
    pub(crate) async fn login_form(&self) -> (String, String) {
        let r = self
            .client
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap();
        let login_cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        (login_cookie, csrf_of(&r.text().await.unwrap()))
    }

    /// Logs in; returns the session cookie and the session's CSRF token.
    pub(crate) async fn login(&self, user: &str) -> (String, String) {
        let (login_cookie, token) = self.login_form().await;
        let wrong = self
            .post(
                "/login",
                Some(&login_cookie),
                &[
                    ("username", user),
                    ("password", "wrong password!"),
                    ("csrf", &token),
                ],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let r = self
            .post(
                "/login",
                Some(&login_cookie),
                &[
                    ("username", user),
                    ("password", "a long enough password"),
                    ("csrf", &token),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|v| v.starts_with("hl_session="))
            .unwrap()
            .to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let cookie = cookie.split(';').next().unwrap().to_string();
        let (_, page) = self.get("/search", Some(&cookie)).await;
        (cookie.clone(), csrf_of(&page))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_every_role_is_allowed_or_refused() {
    let (site, _dir) = site().await;
    let (teacher, _) = site.login("tom").await;
    let (admin, admin_csrf) = site.login("ada").await;
    let article = format!("/articles/{}", site.article_id);
    let print = format!("{article}/print");
    use StatusCode as S;
    let table: &[(&str, S, S, S)] = &[
        // path, anonymous, teacher, admin
        ("/search", S::SEE_OTHER, S::OK, S::OK),
        ("/search?q=robots", S::SEE_OTHER, S::OK, S::OK),
        (&article, S::SEE_OTHER, S::OK, S::OK),
        (&print, S::SEE_OTHER, S::OK, S::OK),
        ("/admin/feeds", S::SEE_OTHER, S::FORBIDDEN, S::OK),
        ("/admin/learners", S::SEE_OTHER, S::FORBIDDEN, S::OK),
        ("/admin/runs", S::SEE_OTHER, S::FORBIDDEN, S::OK),
        ("/admin/flags", S::SEE_OTHER, S::FORBIDDEN, S::OK),
        ("/admin/feeds.opml", S::SEE_OTHER, S::FORBIDDEN, S::OK),
        (&site.preferences_path, S::OK, S::OK, S::OK),
        (
            "/preferences/forged.token",
            S::NOT_FOUND,
            S::NOT_FOUND,
            S::NOT_FOUND,
        ),
        ("/login", S::OK, S::OK, S::OK),
        ("/healthz", S::OK, S::OK, S::OK),
        ("/readyz", S::OK, S::OK, S::OK),
        ("/static/style.css", S::OK, S::OK, S::OK),
        (&site.lesson_token_path, S::OK, S::OK, S::OK),
        (&site.unsubscribe_path, S::OK, S::OK, S::OK),
        (
            "/lesson/forged.token",
            S::NOT_FOUND,
            S::NOT_FOUND,
            S::NOT_FOUND,
        ),
        (
            "/unsubscribe/forged.token",
            S::NOT_FOUND,
            S::NOT_FOUND,
            S::NOT_FOUND,
        ),
    ];
    for (path, anon, teach, adm) in table {
        for (who, cookie, expected) in [
            ("anonymous", None, anon),
            ("teacher", Some(teacher.as_str()), teach),
            ("admin", Some(admin.as_str()), adm),
        ] {
            let (status, _) = site.get(path, cookie).await;
            assert_eq!(status, *expected, "{who} GET {path}");
        }
    }
    // State-changing requests: refused without the session's CSRF token or the right role.
    let id = site.learner_id.to_string();
    for (cookie, csrf, expected) in [
        (None, "", S::SEE_OTHER),
        (Some(teacher.as_str()), "", S::FORBIDDEN),
        (Some(admin.as_str()), "", S::FORBIDDEN),
        (Some(admin.as_str()), "forged", S::FORBIDDEN),
    ] {
        let r = site
            .post(
                "/admin/learners/pause",
                cookie,
                &[("csrf", csrf), ("id", &id)],
            )
            .await;
        assert_eq!(r.status(), expected, "{cookie:?} {csrf}");
    }
    assert!(site.services.store.learner(site.learner_id).unwrap().active);
    let r = site
        .post(
            "/admin/learners/pause",
            Some(&admin),
            &[("csrf", &admin_csrf), ("id", &id)],
        )
        .await;
    assert_eq!(r.status(), S::SEE_OTHER);
    assert!(!site.services.store.learner(site.learner_id).unwrap().active);
    // Logging out needs the token too, and ends the session.
    assert_eq!(
        site.post("/logout", Some(&admin), &[]).await.status(),
        S::FORBIDDEN
    );
    assert_eq!(
        site.post("/logout", Some(&admin), &[("csrf", &admin_csrf)])
            .await
            .status(),
        S::SEE_OTHER
    );
    assert_eq!(site.get("/admin/feeds", Some(&admin)).await.0, S::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_from_feeds_articles_and_queries_is_escaped() {
    let (site, _dir) = site().await;
    let (teacher, _) = site.login("tom").await;
    let r = site
        .client
        .get(format!(
            "{}/search?q=robots+%3Cscript%3Ealert(%27q%27)%3C/script%3E",
            site.base
        ))
        .header("cookie", &teacher)
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("1 article"), "{body}");
    let (_, article) = site
        .get(&format!("/articles/{}", site.article_id), Some(&teacher))
        .await;
    for page in [&body, &article] {
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<img src=x"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
    }
    // Matches are marked, and only with <mark>.
    assert!(body.contains("<mark>"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_answers_flags_and_unsubscribes_from_signed_links() {
    learner_pages(None).await;
}

/// The same pages with the store in PostgreSQL, when the tests have a cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learner_pages_on_postgresql_work_the_same() {
    match hyperlearn::store::testing::test_postgres() {
        Some(store) => learner_pages(Some(store)).await,
        None => eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)"),
    }
}

async fn learner_pages(store: Option<StoreLocation>) {
    let (site, _dir) = site_on(store).await;
    let (status, page) = site.get(&site.lesson_token_path, None).await;
    assert_eq!(status, StatusCode::OK);
    // It reads like a lesson: the article (title, source, opening), the glossary, then the
    // exercises, each number beside its prompt and the instruction of its kind.
    let order = [
        "<h1>&lt;script&gt;",
        "Source: Courier",
        "class=\"excerpt\"",
        "Words to know",
        "<dt>telescope</dt>",
        "<span class=\"number\">1.</span> <span class=\"prompt\">Robots clean the harbour every week.</span>",
        "True or false?",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|t| page.find(t).unwrap_or_else(|| panic!("{t}: {page}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}: {page}");
    let csrf = csrf_of(&page);
    let exercise_id = first_exercise_id(&page);
    let before = site.services.store.learner(site.learner_id).unwrap().level;
    // Without the page's token: refused.
    let r = site
        .post(
            &site.lesson_token_path,
            None,
            &[(&format!("a{exercise_id}"), "true")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = site
        .post(
            &site.lesson_token_path,
            None,
            &[("csrf", &csrf), (&format!("a{exercise_id}"), "true")],
        )
        .await;
    let result = r.text().await.unwrap();
    assert!(result.contains("You got 1 of 1 right"), "{result}");
    assert!(result.contains("Robots clean the harbour of Port Alden every week now."));
    let after = site.services.store.learner(site.learner_id).unwrap().level;
    assert!(
        after > before,
        "a perfect score raises the level: {before} -> {after}"
    );

    // Flag it; an admin pulls it; it is never shown again.
    let r = site
        .post(
            &format!("{}/flag", site.lesson_token_path),
            None,
            &[
                ("csrf", &csrf),
                ("exercise_id", &exercise_id),
                ("note", "<b>wrong</b>"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (admin, admin_csrf) = site.login("ada").await;
    let (_, flags) = site.get("/admin/flags", Some(&admin)).await;
    assert!(
        flags.contains("&lt;b&gt;wrong&lt;") && !flags.contains("<b>wrong"),
        "{flags}"
    );
    let r = site
        .post(
            "/admin/flags/pull",
            Some(&admin),
            &[("csrf", &admin_csrf), ("id", &exercise_id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = site.get(&site.lesson_token_path, None).await;
    assert!(
        !page.contains("Robots clean the harbour every week."),
        "{page}"
    );

    // Unsubscribe: GET only asks; the RFC 8058 one-click POST unsubscribes.
    let (_, confirm) = site.get(&site.unsubscribe_path, None).await;
    assert!(confirm.contains("lee@example.org"));
    assert!(site.services.store.learner(site.learner_id).unwrap().active);
    let r = site
        .post(
            &site.unsubscribe_path,
            None,
            &[("List-Unsubscribe", "One-Click")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!site.services.store.learner(site.learner_id).unwrap().active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_import_learners_and_feeds_and_learners_set_preferences() {
    let (site, _dir) = site().await;
    let (admin, csrf) = site.login("ada").await;
    let csv = "email,name,lang,level,interests,time,timezone\n\
               ana@example.org,Ana,es,B2,futbol;cine,06:30,Europe/Madrid\n\
               not-an-address,,,,,,\n";
    let r = site
        .post(
            "/admin/learners/import",
            Some(&admin),
            &[("csrf", &csrf), ("csv", csv)],
        )
        .await;
    let body = r.text().await.unwrap();
    assert!(
        body.contains("1 learners added or updated; 1 lines not imported: line 3"),
        "{body}"
    );
    let ana = site.services.store.find_learner("ana@example.org").unwrap();
    assert_eq!((ana.level, ana.timezone.as_str()), (4.0, "Europe/Madrid"));
    assert_eq!(ana.interests, ["futbol", "cine"]);

    let opml = r#"<opml version="2.0"><body><outline type="rss" text="Courier" xmlUrl="https://courier.example/rss.xml" language="en"/><outline type="rss" text="Zeitung" xmlUrl="https://zeitung.example/feed"/></body></opml>"#;
    let r = site
        .post(
            "/admin/feeds/opml",
            Some(&admin),
            &[("csrf", &csrf), ("opml", opml)],
        )
        .await;
    assert!(r.text().await.unwrap().contains("2 feeds added"));
    let (status, exported) = site.get("/admin/feeds.opml", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        exported.contains("xmlUrl=\"https://courier.example/rss.xml\" language=\"en\"")
            && exported.contains("https://zeitung.example/feed"),
        "{exported}"
    );

    // Edit and pause a feed; its list file says so.
    for form in [
        vec![
            ("csrf", csrf.as_str()),
            ("url", "https://courier.example/rss.xml"),
            ("name", "Riverside Courier"),
            ("topics", "local, news"),
        ],
        vec![
            ("csrf", csrf.as_str()),
            ("url", "https://courier.example/rss.xml"),
            ("action", "pause"),
        ],
    ] {
        let r = site.post("/admin/feeds/edit", Some(&admin), &form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let listed = hyperlearn::feeds::load_feed_lists(&site.services.config.feeds_dir).unwrap();
    let courier = listed
        .iter()
        .find(|f| f.url == "https://courier.example/rss.xml")
        .unwrap();
    assert_eq!(courier.name, "Riverside Courier");
    assert_eq!(courier.topics, ["local", "news"]);
    assert!(!courier.enabled);
    let (_, page) = site.get("/admin/feeds", Some(&admin)).await;
    assert!(
        page.contains("Resume") && page.contains("disabled"),
        "{page}"
    );

    // The learner's own preferences, from a signed link.
    let (status, page) = site.get(&site.preferences_path, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = csrf_of(&page);
    let save = async |tz: &str| {
        let form = [
            ("csrf", token.as_str()),
            ("level", "C1"),
            ("interests", "music, film"),
            ("time", "08:15"),
            ("tz", tz),
        ];
        site.post(&site.preferences_path, None, &form).await
    };
    let r = save("Mars/Base").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Time zone «Mars") && body.contains("is unknown"),
        "{body}"
    );
    let r = save("Asia/Tokyo").await;
    assert_eq!(r.status(), StatusCode::OK);
    let lee = site.services.store.learner(site.learner_id).unwrap();
    assert_eq!(lee.level, 5.0);
    assert_eq!(lee.interests, ["music", "film"]);
    assert_eq!(lee.timezone, "Asia/Tokyo");
    assert_eq!(lee.delivery_time.format("%H:%M").to_string(), "08:15");
}
