//! Regression tests for what an outside probe broke (issue 15): unbounded numbers in
//! requests, paging, login limits, list names that left `feeds/`, multipart one-click
//! unsubscribe, duplicate flags, header-less learner CSVs, internals on error pages, and a
//! panicking handler. Each failed before its fix.

use axum::routing::get;
use hyperlearn::articles::Cefr;
use hyperlearn::index::IndexDoc;
use reqwest::StatusCode;

use crate::web::{Site, csrf_of, first_exercise_id, site};

/// Adds `n` more English articles about otters, published in November 2026.
fn add_otter_articles(site: &Site, n: i64) {
    for i in 0..n {
        let url = format!("http://127.0.0.1/otters-{i}.html");
        let published = format!("2026-11-{:02}T08:00:00+00:00", 1 + i % 28);
        site.services
            .index
            .upsert(&IndexDoc {
                article_id: 1000 + i,
                url: &url,
                title: &format!("Otters of the river, part {i}"),
                text: "Otters came back to the river this year. Volunteers counted them every week.",
                lang: "en",
                level: 3.0,
                cefr: Cefr::B1,
                topics: &[],
                source: "Courier",
                published: Some(&published),
            })
            .unwrap();
    }
    site.services.index.commit().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_through_results_and_a_huge_page_is_refused_not_fatal() {
    let (site, _dir) = site().await;
    add_otter_articles(&site, 14);
    let (teacher, _) = site.login("tom").await;
    // Page one and two of a date search (it answered 500: no `urlencode` filter).
    let (status, first) = site.get("/search?from=2000-01-01", Some(&teacher)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first.contains("14 articles"), "{first}");
    assert!(
        first.contains("from=2000-01-01&amp;to=&amp;page=1\">Next"),
        "{first}"
    );
    let (status, second) = site.get("/search?q=otters&page=1", Some(&teacher)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert!(
        second.contains("Previous") && !second.contains(">Next<"),
        "{second}"
    );
    assert!(
        second.contains("<ol class=\"hits\" start=\"11\">"),
        "{second}"
    );
    // It aborted the process: "memory allocation of 16000000000000160 bytes failed".
    for page in ["100000000000000", "1000", "18446744073709551615"] {
        let (status, body) = site
            .get(&format!("/search?q=otters&page={page}"), Some(&teacher))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "page {page}: {body}");
    }
    let (status, body) = site
        .get(
            "/search?q=otters&page=99999999999999999999999",
            Some(&teacher),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Still serving.
    let (status, body) = site.get("/search?q=otters", Some(&teacher)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let (site, _dir) = site().await;
    let (login_cookie, token) = site.login_form().await;
    let attempt = async |user: &str, password: &str| {
        site.post(
            "/login",
            Some(&login_cookie),
            &[("username", user), ("password", password), ("csrf", &token)],
        )
        .await
    };
    for i in 0..5 {
        let r = attempt("ada", &format!("wrong password {i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The right password is refused now, with a time after which to try again.
    let r = attempt("ADA", "a long enough password").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let body = r.text().await.unwrap();
    assert!(body.contains("Try again in 15 minutes"), "{body}");
    // Another account is not locked by ada's failures.
    assert_eq!(
        attempt("tom", "a long enough password").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_unsubscribe_is_accepted_as_multipart_form_data() {
    let (site, _dir) = site().await;
    let post_field = async |name: &str, value: &str| {
        let boundary = "----hyperlearn-test-boundary";
        site.client
            .post(format!("{}{}", site.base, site.unsubscribe_path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n--{boundary}--\r\n"
            ))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(
        post_field("List-Unsubscribe", "One-Click").await,
        StatusCode::OK
    );
    let learner = site.services.store.learner(site.learner_id).unwrap();
    assert!(!learner.active, "unsubscribed");
    // A multipart body without the one-click field changes nothing (and says so).
    site.services
        .store
        .set_learner_paused(site.learner_id, None)
        .unwrap();
    assert_eq!(post_field("other", "x").await, StatusCode::FORBIDDEN);
    assert!(site.services.store.learner(site.learner_id).unwrap().active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_cannot_write_outside_the_feeds_folder_or_add_other_schemes() {
    let (site, dir) = site().await;
    let (admin, csrf) = site.login("ada").await;
    let victim = dir.path().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("config.toml"), "# theirs\n").unwrap();
    let outside = dir.path().join("outside");
    for (lang, url) in [
        ("../victim/config", "https://example.org/a.xml"),
        (outside.to_str().unwrap(), "https://example.org/b.xml"),
        ("en", "file:///etc/passwd"),
        ("en", "javascript:alert(1)"),
        ("en", "ftp://example.org/feed.xml"),
    ] {
        let r = site
            .post(
                "/admin/feeds/add",
                Some(&admin),
                &[("csrf", &csrf), ("url", url), ("lang", lang)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{lang} {url}");
    }
    assert_eq!(
        std::fs::read_to_string(victim.join("config.toml")).unwrap(),
        "# theirs\n"
    );
    assert!(!outside.with_extension("toml").exists());
    // OPML import: the same rules.
    let opml = r#"<opml version="2.0"><body>
        <outline type="rss" text="x" xmlUrl="file:///etc/passwd"/>
        <outline type="rss" text="y" xmlUrl="javascript:alert(1)"/>
        <outline type="rss" text="z" xmlUrl="https://ok.example/rss" language="../../victim/config"/>
        </body></opml>"#;
    let r = site
        .post(
            "/admin/feeds/opml",
            Some(&admin),
            &[("csrf", &csrf), ("opml", opml)],
        )
        .await;
    let body = r.text().await.unwrap();
    assert!(body.contains("1 feeds added; skipped"), "{body}");
    let listed = hyperlearn::feeds::load_feed_lists(&site.services.config.feeds_dir).unwrap();
    assert_eq!(
        listed.iter().map(|f| f.url.as_str()).collect::<Vec<_>>(),
        ["https://ok.example/rss"]
    );
    assert_eq!(
        std::fs::read_to_string(victim.join("config.toml")).unwrap(),
        "# theirs\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_flags_an_exercise_once_however_often_they_post() {
    let (site, _dir) = site().await;
    let (_, page) = site.get(&site.lesson_token_path, None).await;
    let csrf = csrf_of(&page);
    let exercise_id = first_exercise_id(&page);
    for i in 0..30 {
        let r = site
            .post(
                &format!("{}/flag", site.lesson_token_path),
                None,
                &[
                    ("csrf", &csrf),
                    ("exercise_id", &exercise_id),
                    ("note", &format!("note {i}")),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let flags = site.services.store.flags().unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].note, "note 29", "the latest note is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learner_csv_without_a_header_is_imported_and_garbage_is_refused() {
    let (site, _dir) = site().await;
    let (admin, csrf) = site.login("ada").await;
    let import = async |csv: &str| {
        let r = site
            .post(
                "/admin/learners/import",
                Some(&admin),
                &[("csrf", &csrf), ("csv", csv)],
            )
            .await;
        (r.status(), r.text().await.unwrap())
    };
    let (status, body) = import(
        "ana@example.org,Ana,es,B2,futbol;cine,06:30,Europe/Madrid\nben@example.org,Ben,de,A2,,,\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("2 learners added or updated."), "{body}");
    assert!(site.services.store.find_learner("ben@example.org").is_ok());
    let (status, body) = import("name;email\nAna;ana@example.org\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("line 1 is neither the header"), "{body}");
    let (status, body) = import("").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("the CSV is empty"), "{body}");
    // The same for an OPML paste that holds no feed.
    let r = site
        .post(
            "/admin/feeds/opml",
            Some(&admin),
            &[("csrf", &csrf), ("opml", "<opml><body></body></opml>")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Nothing imported"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_name_a_reference_not_internals() {
    let (site, _dir) = site().await;
    let (admin, _) = site.login("ada").await;
    let feeds_dir = &site.services.config.feeds_dir;
    std::fs::create_dir_all(feeds_dir).unwrap();
    std::fs::write(feeds_dir.join("broken.toml"), "[[feed]\nurl = ").unwrap();
    let (status, body) = site.get("/admin/feeds", Some(&admin)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("reference"), "{body}");
    assert!(
        !body.contains("broken.toml") && !body.contains(&*feeds_dir.to_string_lossy()),
        "{body}"
    );
}

async fn boom() -> &'static str {
    panic!("a bug in one handler")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_answers_500_and_the_server_goes_on() {
    let app = hyperlearn::web::harden(
        axum::Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "still here" })),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    #[allow(clippy::disallowed_methods)]
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let r = client
            .get(format!("http://{addr}/boom"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!r.text().await.unwrap().contains("a bug in one handler"));
        let r = client
            .get(format!("http://{addr}/fine"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "still here");
    }
    assert!(!server.is_finished());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_exports_and_then_forgets_a_learner_who_is_never_added_again() {
    let (site, _dir) = site().await;
    // The learner flags an exercise first: their flag is data we hold too.
    let (_, page) = site.get(&site.lesson_token_path, None).await;
    let csrf = csrf_of(&page);
    let exercise_id = first_exercise_id(&page);
    site.post(
        &format!("{}/flag", site.lesson_token_path),
        None,
        &[
            ("csrf", &csrf),
            ("exercise_id", &exercise_id),
            ("note", "key is wrong"),
        ],
    )
    .await;
    let (admin, admin_csrf) = site.login("ada").await;
    let (teacher, _) = site.login("tom").await;
    let export = format!("/admin/learners/export?id={}", site.learner_id);
    assert_eq!(
        site.get(&export, Some(&teacher)).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = site.get(&export, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let data: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(data["profile"]["email"], "lee@example.org");
    assert_eq!(data["lessons"].as_array().unwrap().len(), 1);
    assert_eq!(data["flags"][0]["note"], "key is wrong");
    assert_eq!(data["deliveries"].as_array().unwrap().len(), 1);
    assert!(data["exercises"][0]["exercise"].is_object());

    let id = site.learner_id.to_string();
    let r = site
        .post(
            "/admin/learners/forget",
            Some(&admin),
            &[("csrf", &admin_csrf), ("id", &id)],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "needs the confirmation"
    );
    let r = site
        .post(
            "/admin/learners/forget",
            Some(&admin),
            &[("csrf", &admin_csrf), ("id", &id), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let store = &site.services.store;
    assert!(store.find_learner("lee@example.org").is_err());
    assert!(store.flags().unwrap().is_empty());
    assert_eq!(
        site.get(&site.lesson_token_path, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        site.get(&export, Some(&admin)).await.0,
        StatusCode::NOT_FOUND
    );
    // The address is kept only as a hash: no table holds it in clear.
    let db = std::fs::read(&site.services.config.store_path).unwrap();
    let wal =
        std::fs::read(site.services.config.store_path.with_extension("db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(15).any(|w| w == b"lee@example.org"),
            "the address is still in the store file"
        );
    }
    // Never imported again, by form or CSV.
    let r = site
        .post(
            "/admin/learners/import",
            Some(&admin),
            &[
                ("csrf", &admin_csrf),
                ("csv", "LEE@example.org,Lee,en,B1,,07:00,UTC\n"),
            ],
        )
        .await;
    let body = r.text().await.unwrap();
    assert!(body.contains("was forgotten at its owner"), "{body}");
    assert!(store.find_learner("lee@example.org").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_russian_learner_sees_russian_on_their_pages() {
    let (site, _dir) = site().await;
    let dmitri = site
        .services
        .store
        .add_learner(&hyperlearn::store::NewLearner {
            name: "Дмитрий".into(),
            lang: "ru".into(),
            timezone: "Europe/Moscow".into(),
            ..crate::support::learner("dmitri@example.org")
        })
        .unwrap();
    let config = &site.services.config;
    let path = |url: String| url::Url::parse(&url).unwrap().path().to_string();
    let unsubscribe = path(hyperlearn::delivery::unsubscribe_url(
        &config.mail,
        dmitri.id,
    ));
    let preferences = format!(
        "/preferences/{}",
        hyperlearn::tokens::sign(
            &config.mail.token_key,
            hyperlearn::tokens::Purpose::Preferences,
            &dmitri.id.to_string()
        )
    );
    let (status, page) = site.get(&unsubscribe, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html lang=\"ru\">"), "{page}");
    assert!(
        page.contains("Отписаться?") && page.contains("dmitri@example.org"),
        "{page}"
    );
    let (_, page) = site.get(&preferences, None).await;
    assert!(
        page.contains("Ваши настройки") && page.contains("Сохранить"),
        "{page}"
    );
    // A stale form answers in Russian too.
    let r = site
        .post(&preferences, None, &[("csrf", "stale"), ("level", "B1")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Попробуйте ещё раз"));
    // So does a preference that does not check out, naming what was given.
    let csrf = csrf_of(&page);
    let r = site
        .post(
            &preferences,
            None,
            &[
                ("csrf", &csrf),
                ("level", "B1"),
                ("time", "7 утра"),
                ("tz", "UTC"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Время доставки «7 утра»") && !body.contains("use HH:MM"),
        "{body}"
    );

    // The lesson and score pages, with the mail's instructions and answers in Russian.
    let date = chrono::Utc::now().date_naive();
    let exercise = hyperlearn::exercise::Exercise::TrueFalse {
        statement: "Robots clean the harbour every week.".into(),
        answer: true,
        evidence: "Robots clean the harbour of Port Alden every week now.".into(),
    };
    crate::web::keep_lesson(
        &site.services,
        &dmitri,
        site.article_id,
        date,
        vec![exercise],
        vec![],
    )
    .await;
    let lesson = path(hyperlearn::delivery::lesson_url(
        &config.mail,
        dmitri.id,
        date,
    ));
    let (status, page) = site.get(&lesson, None).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "<html lang=\"ru\">",
        "Верно или неверно?",
        "Источник",
        "Проверить ответы",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
    let exercise_id = first_exercise_id(&page);
    let r = site
        .post(
            &lesson,
            None,
            &[
                ("csrf", &csrf_of(&page)),
                (&format!("a{exercise_id}"), "true"),
            ],
        )
        .await;
    let score = r.text().await.unwrap();
    assert!(
        score.contains("Правильных ответов: 1 из 1.")
            && score.contains("Ответ: <strong>Верно</strong>"),
        "{score}"
    );

    // A link that names nobody answers in the browser's language.
    let r = site
        .client
        .get(format!("{}/lesson/1:2026-01-01.forged", site.base))
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<html lang=\"ru\">") && body.contains("Эта ссылка недействительна"),
        "{body}"
    );
}
