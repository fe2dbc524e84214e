//! Fetching against a 127.0.0.1 server that misbehaves on purpose: never-ending body, slow
//! drip, redirect loop, redirect to a private address, 304, 429 with Retry-After, wrong
//! Content-Type, gzip bomb, invalid UTF-8, robots.txt, and per-host politeness. Each ends in
//! its expected state, quickly, and the good feed's article is indexed all the same.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use hyperlearn::config::Config;
use hyperlearn::pipeline::{self, RunOptions, Services};
use hyperlearn::report::RunReport;
use hyperlearn::store::Store;

use crate::support::{write_config, write_feeds};

const ARTICLE: &str =
    include_str!("../../src/demo/site/articles/en/bramblecote-pumpkin-soup-prize.html");

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    private_page_hits: AtomicUsize,
    limited_hits: AtomicUsize,
}

fn rss(base: &str, items: &[(&str, &str)], extra: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Test</title><link>http://127.0.0.1/</link><description>t</description><language>en</language>",
    );
    for (path, title) in items {
        out.push_str(&format!(
            "<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>{extra}</item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

fn xml(body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, "application/rss+xml")], body.into()).into_response()
}

async fn serve() -> (String, Arc<Counters>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let counters = Arc::new(Counters::default());
    let b = base.clone();
    let bomb = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..50 {
            gz.write_all(&zeros).unwrap();
        }
        gz.finish().unwrap()
    };
    let feed_text =
        "<p>This story comes with its full text in the feed. The library in the old mill \
        opened a new reading room on Monday, and more than two hundred people came to see it. \
        Children read stories aloud, and a local baker brought bread for everyone who visited. \
        The reading room has large windows, soft chairs and shelves for four thousand books. \
        The mayor said the town had waited many years for a place like this one.</p>"
            .repeat(2);
    let app = Router::new()
        .route(
            "/good.xml",
            get({
                let b = b.clone();
                move || async move { xml(rss(&b, &[("/articles/good.html", "Good")], "")) }
            }),
        )
        .route("/articles/good.html", get(|| async { axum::response::Html(ARTICLE) }))
        .route(
            "/endless.xml",
            get(|| async {
                let chunk = Bytes::from(vec![b'a'; 64 * 1024]);
                xml(Body::from_stream(futures_util::stream::repeat_with(
                    move || Ok::<_, std::io::Error>(chunk.clone()),
                )))
            }),
        )
        .route(
            "/drip.xml",
            get(|| async {
                let drip = futures_util::stream::unfold((), |()| async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Some((Ok::<_, std::io::Error>(Bytes::from_static(b"<")), ()))
                });
                xml(Body::from_stream(drip))
            }),
        )
        .route(
            "/loop.xml",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop.xml")]) }),
        )
        .route(
            "/to-private.xml",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "http://10.1.2.3/feed.xml")],
                )
            }),
        )
        .route(
            "/limited.xml",
            get(|State(c): State<Arc<Counters>>| async move {
                c.limited_hits.fetch_add(1, Ordering::SeqCst);
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "3600")])
            }),
        )
        .route(
            "/html-type.xml",
            get({
                let b = b.clone();
                move || async move {
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        rss(&b, &[("/articles/good.html", "Good again")], ""),
                    )
                }
            }),
        )
        .route(
            "/png.xml",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/png")],
                    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
                )
            }),
        )
        .route(
            "/bomb.xml",
            get(move || {
                let bomb = bomb.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/rss+xml"),
                            (header::CONTENT_ENCODING, "gzip"),
                        ],
                        bomb,
                    )
                }
            }),
        )
        .route(
            "/bad-utf8.xml",
            get({
                let b = b.clone();
                move || async move {
                    let mut body = rss(&b, &[("/articles/good.html", "Caf\u{e9}")], "").into_bytes();
                    // Latin-1 bytes in a document that says UTF-8.
                    let needle: &[u8] = b"Caf\xC3";
                    let at = body.windows(4).position(|w| w == needle).unwrap();
                    body.splice(at + 3..at + 5, [0xE9]);
                    xml(body)
                }
            }),
        )
        .route(
            "/etag.xml",
            get({
                let b = b.clone();
                move |headers: HeaderMap| async move {
                    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
                        return StatusCode::NOT_MODIFIED.into_response();
                    }
                    (
                        [(header::ETAG, "\"v1\""), (header::CONTENT_TYPE, "application/rss+xml")],
                        rss(&b, &[("/articles/good.html", "Good")], ""),
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /private/\n" }),
        )
        .route(
            "/private.xml",
            get({
                let b = b.clone();
                let extra = format!(
                    "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA[{feed_text}]]></content:encoded>"
                );
                move || async move { xml(rss(&b, &[("/private/story.html", "Reading room opens")], &extra)) }
            }),
        )
        .route(
            "/private/story.html",
            get(|State(c): State<Arc<Counters>>| async move {
                c.private_page_hits.fetch_add(1, Ordering::SeqCst);
                axum::response::Html(ARTICLE)
            }),
        )
        .route(
            "/rendered.xml",
            get({
                let b = b.clone();
                let extra = format!(
                    "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA[{}]]></content:encoded>",
                    feed_text.repeat(2)
                );
                move || async move { xml(rss(&b, &[("/rendered/story.html", "Reading room opens")], &extra)) }
            }),
        )
        .route(
            // A page whose article is drawn by script: all that can be read is a notice.
            "/rendered/story.html",
            get(|| async {
                let notice = "This page needs JavaScript to show its stories. Please turn \
                    JavaScript on in your browser settings, then load the page again, or \
                    choose another browser that can run the scripts this site uses for its \
                    pages. ";
                axum::response::Html(format!(
                    "<html><head><title>Reading room opens</title></head><body><main><h1>Reading room opens</h1><p>{}</p></main></body></html>",
                    notice.repeat(3)
                ))
            }),
        )
        .route(
            "/slow.xml",
            get({
                let b = b.clone();
                move || async move {
                    let items: Vec<(String, String)> = (0..6)
                        .map(|i| (format!("/slow/{i}.html"), format!("Slow {i}")))
                        .collect();
                    let refs: Vec<(&str, &str)> =
                        items.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
                    xml(rss(&b, &refs, ""))
                }
            }),
        )
        .route(
            "/slow/{n}",
            get(|State(c): State<Arc<Counters>>| async move {
                let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                c.max_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                c.in_flight.fetch_sub(1, Ordering::SeqCst);
                axum::response::Html(ARTICLE)
            }),
        )
        .with_state(counters.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, counters)
}

/// The test config with tight fetch limits, two requests per host at once.
fn config(dir: &std::path::Path) -> Config {
    write_config(dir, None, "");
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(
            "timeout_secs = 10",
            "timeout_secs = 3\nmax_body_bytes = 1048576",
        )
        .replace("per_host_concurrency = 8", "per_host_concurrency = 2")
        .replace(
            "allow_hosts = [\"127.0.0.1\"]",
            "allow_hosts = [\"127.0.0.1\", \"localhost\"]",
        );
    std::fs::write(&path, text).unwrap();
    Config::from_file(&path).unwrap()
}

async fn fetch(services: &Services, now: chrono::DateTime<Utc>) -> RunReport {
    let options = RunOptions {
        now,
        lessons: false,
        mail: false,
        quiet: true,
        ..RunOptions::full(true)
    };
    pipeline::run(services, None, &options).await.unwrap()
}

fn failure<'a>(report: &'a RunReport, path: &str) -> Option<&'a str> {
    report
        .failures
        .iter()
        .find(|f| f.subject.ends_with(path))
        .map(|f| f.error.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehaving_servers_end_in_their_expected_states() {
    let (base, counters) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let names = [
        "good",
        "endless",
        "drip",
        "loop",
        "to-private",
        "limited",
        "html-type",
        "png",
        "bomb",
        "bad-utf8",
        "etag",
        "private",
        "rendered",
        "slow",
    ];
    // The rate-limited feed is on another host name, so its Retry-After holds up only it.
    let other_host = base.replace("127.0.0.1", "localhost");
    let urls: Vec<String> = names
        .iter()
        .map(|n| match *n {
            "limited" => format!("{other_host}/{n}.xml"),
            _ => format!("{base}/{n}.xml"),
        })
        .collect();
    let feeds: Vec<(&str, &str)> = urls.iter().map(|u| (u.as_str(), "en")).collect();
    write_feeds(&config, "test", &feeds);
    let services = Services::open(config.clone()).unwrap();

    let started = Instant::now();
    let now = Utc::now();
    let report = fetch(&services, now).await;
    let took = started.elapsed();
    println!("{report}");
    assert!(took < Duration::from_secs(20), "took {took:?}");

    let expect = |path: &str, needle: &str| {
        let error =
            failure(&report, path).unwrap_or_else(|| panic!("{path} did not fail:\n{report}"));
        assert!(error.contains(needle), "{path}: `{error}` lacks `{needle}`");
    };
    expect("/endless.xml", "body larger than");
    expect("/drip.xml", "timed out");
    expect("/loop.xml", "redirects");
    expect("/to-private.xml", "refused");
    expect("/limited.xml", "HTTP 429");
    expect("/png.xml", "png.xml");
    expect("/bomb.xml", "body larger than");
    for ok in [
        "/good.xml",
        "/html-type.xml",
        "/bad-utf8.xml",
        "/etag.xml",
        "/private.xml",
        "/rendered.xml",
        "/slow.xml",
    ] {
        assert!(failure(&report, ok).is_none(), "{ok} failed:\n{report}");
    }
    assert_eq!(report.feeds_failed, 7, "{report}");

    // The good article is indexed once though three feeds list it.
    let store = Store::connect(&config.store).unwrap();
    let good = store
        .article_id_by_url(&format!("{base}/articles/good.html"))
        .unwrap();
    assert!(good.is_some(), "{report}");
    // robots.txt kept us off the private page; the feed's own text was used.
    assert_eq!(counters.private_page_hits.load(Ordering::SeqCst), 0);
    let private = store
        .article_id_by_url(&format!("{base}/private/story.html"))
        .unwrap()
        .expect("the disallowed story is stored from the feed's text");
    let private = store.article(private).unwrap().unwrap();
    assert!(private.text.contains("reading room"), "{}", private.text);
    // A page that yields only a notice, for an entry whose feed carries the whole text:
    // the feed's text is used.
    let rendered = store
        .article_id_by_url(&format!("{base}/rendered/story.html"))
        .unwrap()
        .expect("the script-drawn story is stored");
    let rendered = store.article(rendered).unwrap().unwrap();
    assert!(
        rendered.text.contains("reading room") && !rendered.text.contains("JavaScript"),
        "{}",
        rendered.text
    );
    // Never more than two requests at once to one host.
    assert!(counters.max_in_flight.load(Ordering::SeqCst) <= 2);
    assert!(counters.max_in_flight.load(Ordering::SeqCst) >= 1);

    // An hour later: 304 for the ETag feed; the 429 feed still waits for its Retry-After.
    let later = fetch(&services, now + chrono::Duration::minutes(59)).await;
    assert!(later.feeds_not_modified >= 1, "{later}");
    assert_eq!(counters.limited_hits.load(Ordering::SeqCst), 1, "{later}");

    // Failing feeds are paused after three failures in a row, and say so.
    fetch(&services, now + chrono::Duration::hours(3)).await;
    fetch(&services, now + chrono::Duration::hours(9)).await;
    let paused = fetch(&services, now + chrono::Duration::hours(20)).await;
    assert!(paused.feeds_paused >= 5, "{paused}");
    let why = failure(&paused, "/loop.xml").unwrap();
    assert!(
        why.contains("paused after 3 failures") && why.contains("feeds refresh"),
        "{why}"
    );
    let state = store.feed_state(&format!("{base}/loop.xml")).unwrap();
    assert!(state.paused(3));
    // A manual refresh resets it (and it fails again, once).
    store.reset_feed(&format!("{base}/loop.xml")).unwrap();
    assert!(
        !store
            .feed_state(&format!("{base}/loop.xml"))
            .unwrap()
            .paused(3)
    );
}

/// A web node that does not fetch (its own index, the same store) gets what another
/// process fetched, by catching up, without a rebuild.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_catches_its_index_up_with_the_store() {
    let site = crate::support::fixture_site().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), None, "");
    let base = site.base_url().to_string();
    write_feeds(
        &config,
        "en",
        &[(&format!("{base}/feeds/en-test.rss.xml"), "en")],
    );
    let web_node = Services::open(Config {
        index_dir: dir.path().join("web-node-index"),
        ..config.clone()
    })
    .unwrap();
    assert!(web_node.index.is_empty());
    let fetcher = Services::open(config).unwrap();
    let report = fetch(&fetcher, Utc::now()).await;
    assert!(report.articles_new > 0, "{report}");
    let stored = fetcher.store.article_count().unwrap();

    let progress = pipeline::Progress::new(true);
    let added = pipeline::catch_up_index(&web_node.store, &web_node.index, &progress).unwrap();
    assert_eq!(added as u64, stored);
    assert_eq!(web_node.index.len(), stored);
    assert_eq!(web_node.index.max_article_id().unwrap(), {
        let ids = web_node.store.article_ids_from(0).unwrap();
        *ids.last().unwrap()
    });
    // Nothing new: nothing added, nothing rebuilt.
    assert_eq!(
        pipeline::catch_up_index(&web_node.store, &web_node.index, &progress).unwrap(),
        0
    );
}
