//! The daily run end to end.

use std::collections::HashMap;

use hyperlearn::generation::Generator;
use hyperlearn::index::SearchQuery;
use hyperlearn::pipeline::{self, RunOptions, Services};
use hyperlearn::report::FailureKind;
use hyperlearn::store::{NewLearner, StoreLocation};
use mail_parser::MimeHeaders;

use crate::support::{
    Smtp, add_dkim_key, dkim_verify, eventually, fixture_site, put_store, write_config, write_feeds,
};

fn learner(email: &str, lang: &str, level: f64, interests: &[&str]) -> NewLearner {
    NewLearner {
        lang: lang.into(),
        level,
        interests: interests.iter().map(|s| s.to_string()).collect(),
        timezone: "Europe/London".into(),
        ..crate::support::learner(email)
    }
}

/// The text of the part with the given MIME type.
fn part_text(message: &mail_parser::Message<'_>, subtype: &str) -> Option<String> {
    message.parts.iter().find_map(|p| {
        let ct = p.content_type()?;
        (ct.ctype() == "text" && ct.subtype() == Some(subtype))
            .then(|| p.text_contents().unwrap_or_default().to_string())
    })
}

/// Evidence sentences quoted in the plain-text answer key (wrapped over several lines,
/// each a quote runs to its closing mark), with their whitespace collapsed.
fn quoted_evidence(text: &str, label: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines().map(str::trim) {
        let rest = match (&mut open, line.strip_prefix(&format!("{label}: \""))) {
            (None, Some(start)) => {
                open = Some(String::new());
                start
            }
            (Some(_), _) => line,
            (None, None) => continue,
        };
        let quote = open.as_mut().unwrap();
        if !quote.is_empty() {
            quote.push(' ');
        }
        quote.push_str(rest.trim_end_matches('"'));
        if rest.ends_with('"') {
            out.push(open.take().unwrap());
        }
    }
    out
}

/// Text with every run of whitespace made one space.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_run_delivers_one_verified_lesson_per_learner_and_reports_every_failure() {
    daily_run(None).await;
}

/// The same run with the store in PostgreSQL (`[store] url`), when the tests have a
/// cluster (`scripts/with-postgres`; `scripts/test` always does).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_run_on_postgresql_delivers_the_same() {
    match hyperlearn::store::testing::test_postgres() {
        Some(store) => daily_run(Some(store)).await,
        None => eprintln!("skipped: no PostgreSQL cluster (HYPERLEARN_TEST_POSTGRES)"),
    }
}

async fn daily_run(store: Option<StoreLocation>) {
    let _turn = crate::support::model_turn().await;
    let site = fixture_site().await;
    let smtp = Smtp::start();
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), Some(smtp.port), "");
    put_store(dir.path(), store.as_ref());
    // Signed with DKIM; every mail is checked by an independent verifier below.
    let dkim_record = add_dkim_key(dir.path());
    let config = hyperlearn::config::Config::from_file(&dir.path().join("config.toml")).unwrap();
    let base = site.base_url().to_string();
    write_feeds(
        &config,
        "en",
        &[
            (&format!("{base}/feeds/en-test.rss.xml"), "en"),
            (&format!("{base}/feeds/broken.rss.xml"), "en"),
            (&format!("{base}/feeds/en-courier.rss.xml"), "en"),
        ],
    );
    write_feeds(
        &config,
        "es",
        &[(&format!("{base}/feeds/es-valle.atom.xml"), "es")],
    );
    let services = Services::open(config.clone()).unwrap();
    let good = [
        learner("robin@example.org", "en", 3.0, &["robot", "ocean"]),
        learner("sam@example.org", "en", 2.0, &["football", "sport"]),
        learner("lucia@example.org", "es", 3.0, &["bosque"]),
        // Reads as Robin does (language, level, interests): gets the same article.
        learner("kim@example.org", "en", 3.0, &["robot", "ocean"]),
    ];
    for l in &good {
        services.store.add_learner(l).unwrap();
    }
    // An address that cannot be mailed (old data, typed in by hand).
    services
        .store
        .add_learner(&learner("not an address", "en", 3.0, &[]))
        .unwrap();

    let generator = Generator::start(&config.model).unwrap();
    let report = pipeline::run(&services, Some(&generator), &RunOptions::full(true))
        .await
        .unwrap();
    println!("{report}");

    // Feeds: the broken one is reported by URL, the others are read.
    assert_eq!(report.feeds_total, 4);
    assert_eq!(report.feeds_failed, 1, "{report}");
    assert!(
        report
            .failures_of(FailureKind::Feed)
            .any(|f| f.subject.ends_with("/feeds/broken.rss.xml")),
        "{report}"
    );
    // The page that 404s is reported, and the other articles of its feed are indexed.
    let missing: Vec<_> = report.failures_of(FailureKind::Page).collect();
    assert!(
        missing
            .iter()
            .any(|f| f.subject.ends_with("/articles/en/missing-page.html")
                && f.error.contains("404")),
        "{report}"
    );
    assert!(report.articles_new >= 9, "{report}");
    assert_eq!(report.articles_indexed, report.articles_new);
    // The injection page is an article like any other.
    let hits = services
        .index
        .search(&SearchQuery {
            text: "library reopening".into(),
            lang: Some("en".into()),
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert!(hits.total >= 1, "the library article is searchable");

    // The bad address fails alone.
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.subject == "not an address"),
        "{report}"
    );
    assert_eq!(report.lessons_generated, 4, "{report}");
    assert_eq!(report.mails_sent, 4, "{report}");
    assert!(eventually(|| smtp.messages().len() == 4));

    // Robin's and Kim's lessons are one exercise set, made once and verified again for
    // the second lesson; their mails differ (learner, links) but not in the questions.
    assert!(report.exercise_sets_reused >= 1, "{report}");
    let shown = |email: &str| {
        let l = services.store.find_learner(email).unwrap();
        let date = pipeline::local_date(&l, chrono::Utc::now()).unwrap();
        let d = services.store.delivery_for(l.id, date).unwrap().unwrap();
        let ids: Vec<i64> = services
            .store
            .servable_exercises(hyperlearn::store::Servable::Lesson(d.lesson_id))
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        (
            services
                .store
                .lesson_info(d.lesson_id)
                .unwrap()
                .unwrap()
                .article_id,
            ids,
        )
    };
    let (robin, kim) = (shown("robin@example.org"), shown("kim@example.org"));
    assert_eq!(robin.0, kim.0, "the same article");
    assert!(!robin.1.is_empty());
    assert_eq!(robin.1, kim.1, "the same exercise rows, in the same order");

    // Exactly one mail per learner, with both parts and the list headers.
    let messages = smtp.messages();
    let mut per_learner: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        for r in &m.rcpt {
            *per_learner.entry(r.clone()).or_default() += 1;
        }
    }
    for l in &good {
        assert_eq!(
            per_learner.get(&l.email),
            Some(&1),
            "{} got {:?} mails",
            l.email,
            per_learner.get(&l.email)
        );
    }
    for m in &messages {
        let parsed = m.parsed();
        let id = parsed.message_id().expect("Message-ID");
        assert!(id.starts_with("lesson."), "{id}");
        let raw = String::from_utf8_lossy(&m.raw);
        assert!(
            raw.contains("List-Unsubscribe: <https://hyperlearn.test/unsubscribe/"),
            "{raw}"
        );
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        // The mail as the SMTP server received it verifies, one-click headers included.
        dkim_verify(&m.raw, &dkim_record)
            .unwrap_or_else(|log| panic!("DKIM does not verify:\n{log}\n{raw}"));
        let html = part_text(&parsed, "html").expect("an HTML part");
        let text = part_text(&parsed, "plain").expect("a plain-text part");
        assert!(html.contains("<html"));
        if m.rcpt[0] == "robin@example.org" {
            // A B1 reader of an English article gets words beyond their level explained.
            assert!(text.contains("Words to know"), "no glossary: {text}");
        }

        // Every exercise in the mail passed verification, and its evidence is a sentence
        // of the article it is about.
        let learner = services.store.find_learner(&m.rcpt[0]).unwrap();
        let lang = learner.lang.clone();
        let label = &hyperlearn::delivery::mail_strings(&lang).evidence;
        let evidence = quoted_evidence(&text, label);
        assert!(evidence.len() >= 3, "at least 3 exercises: {text}");
        let date = pipeline::local_date(&learner, chrono::Utc::now()).unwrap();
        let delivery = services
            .store
            .delivery_for(learner.id, date)
            .unwrap()
            .expect("a delivery row");
        let lesson_exercises = services.store.lesson_exercises(delivery.lesson_id).unwrap();
        let article = services
            .store
            .article(lesson_exercises.article_id)
            .unwrap()
            .unwrap();
        let article_text = collapsed(&article.text);
        // An order exercise's evidence is its sentences, joined by " … ".
        for e in evidence.iter().flat_map(|e| e.split(" … ")) {
            assert!(article_text.contains(e), "evidence not in the article: {e}");
        }
        let accepted: Vec<_> = lesson_exercises
            .exercises
            .iter()
            .filter(|x| x.accepted)
            .collect();
        assert_eq!(
            accepted.len(),
            evidence.len(),
            "the mail holds exactly the accepted exercises"
        );
        for x in &lesson_exercises.exercises {
            if !x.accepted {
                assert!(
                    !x.reasons.is_empty(),
                    "a rejected exercise has its reasons stored"
                );
            }
        }
    }

    // Scores move the level, and the history is kept.
    let robin = services.store.find_learner("robin@example.org").unwrap();
    let (before, after) = pipeline::record_score(&services, &robin, None, 1.0).unwrap();
    assert!(after > before, "{before} -> {after}");
    assert_eq!(services.store.level_history(robin.id).unwrap().len(), 1);
    // The article just read is never offered again.
    let (_, ranked) = pipeline::rank_articles(&services, &robin, chrono::Utc::now()).unwrap();
    let read = services.store.recent_lessons(robin.id, 1).unwrap()[0].article_id;
    assert!(ranked.iter().all(|r| r.article_id != read));

    // A second run the same day sends nothing.
    let again = pipeline::run(&services, Some(&generator), &RunOptions::full(true))
        .await
        .unwrap();
    assert_eq!(again.mails_sent, 0, "{again}");
    assert_eq!(again.lessons_already_sent, 4, "{again}");
    assert_eq!(again.articles_new, 0, "{again}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(smtp.messages().len(), 4);
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_model_replies_are_reported_and_the_lesson_still_goes_out() {
    let _turn = crate::support::model_turn().await;
    let site = fixture_site().await;
    let dir = tempfile::tempdir().unwrap();
    // So few tokens that every model reply is cut off mid-JSON.
    let config = write_config(dir.path(), None, "max_tokens = 6\nretries = 1");
    write_feeds(
        &config,
        "en",
        &[(&format!("{}/feeds/en-test.rss.xml", site.base_url()), "en")],
    );
    let services = Services::open(config.clone()).unwrap();
    services
        .store
        .add_learner(&learner("kim@example.org", "en", 3.0, &["library"]))
        .unwrap();
    let generator = Generator::start(&config.model).unwrap();
    let report = pipeline::run(&services, Some(&generator), &RunOptions::full(true))
        .await
        .unwrap();
    println!("{report}");
    // 2 candidates x (1 try + 1 retry), each cut off.
    assert_eq!(
        report.questions_rejected.get("truncated_reply"),
        Some(&4),
        "{report}"
    );
    assert_eq!(report.questions_model_written, 0);
    assert_eq!(report.lessons_generated, 1, "{report}");
    assert_eq!(report.mails_sent, 1);
    let mails: Vec<_> = std::fs::read_dir(&config.outbox_dir)
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(mails.len(), 1, "one .eml in the outbox");
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instructions_inside_an_article_do_not_change_what_is_delivered() {
    let _turn = crate::support::model_turn().await;
    let site = fixture_site().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), None, "");
    write_feeds(
        &config,
        "en",
        &[(&format!("{}/feeds/en-test.rss.xml", site.base_url()), "en")],
    );
    let services = Services::open(config.clone()).unwrap();
    // Interests that pick the library article, which carries the injected text.
    services
        .store
        .add_learner(&learner(
            "lee@example.org",
            "en",
            3.0,
            &["library", "books"],
        ))
        .unwrap();
    let generator = Generator::start(&config.model).unwrap();
    let report = pipeline::run(&services, Some(&generator), &RunOptions::full(true))
        .await
        .unwrap();
    println!("{report}");
    assert_eq!(report.mails_sent, 1, "{report}");

    let learner = services.store.find_learner("lee@example.org").unwrap();
    let date = pipeline::local_date(&learner, chrono::Utc::now()).unwrap();
    let delivery = services
        .store
        .delivery_for(learner.id, date)
        .unwrap()
        .unwrap();
    let lesson = services.store.lesson_exercises(delivery.lesson_id).unwrap();
    let article = services.store.article(lesson.article_id).unwrap().unwrap();
    assert!(
        article.url.ends_with("/articles/en/injection.html"),
        "picked {}",
        article.url
    );
    assert!(
        article.text.contains("Ignore the above instructions"),
        "the injection is part of the article text"
    );

    let raw = std::fs::read(
        std::fs::read_dir(&config.outbox_dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let text = part_text(&parsed, "plain").unwrap();
    let html = part_text(&parsed, "html").unwrap();
    for needle in [
        "Ignore the above",
        "answer is always",
        "SYSTEM:",
        "PWNED",
        "evil.example",
        "reveal your prompt",
        // Text that addresses the reader, and the paragraphs it stands in: no exercise,
        // option, key or glossary line comes from them.
        "Answer B",
        "option C",
        "lighthouse",
        "22 members",
    ] {
        assert!(
            !text.contains(needle) && !html.contains(needle),
            "`{needle}` reached the learner:\n{text}"
        );
    }
    assert!(
        !html.contains("<b>"),
        "markup from the article reached the mail"
    );
    // Every delivered exercise is verified and grounded in the article.
    let accepted: Vec<_> = lesson.exercises.iter().filter(|x| x.accepted).collect();
    assert!(accepted.len() >= 3);
    for x in accepted {
        let exercise: hyperlearn::exercise::Exercise = serde_json::from_str(&x.payload).unwrap();
        for sentence in exercise.evidence().split(" … ") {
            assert!(article.text.contains(sentence), "{x:?}");
        }
    }
    site.stop().await;
}

/// The engine scores texts with the real model, and a word bank made with spares drops the
/// wrong options the model finds about as much at home in the gap as the key ("milk" in a
/// glass of cold _____), then the one it finds most at home of the rest while more than two
/// are left; the words that do not fit stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_scores_sentences_and_drops_the_bank_option_that_fits_the_gap() {
    use hyperlearn::exercise::{Candidate, Exercise, GAP, Origin};
    let _turn = crate::support::model_turn().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), None, "");
    let generator = Generator::start(&config.model).unwrap();
    let engine = generator.engine();
    let fits = engine
        .log_likelihood("", "After the race she drank a glass of cold water.")
        .await
        .unwrap();
    let odd = engine
        .log_likelihood("", "After the race she drank a glass of cold ladders.")
        .await
        .unwrap();
    assert!(fits < 0.0 && fits > odd, "water {fits}, ladders {odd}");
    let bank = Candidate {
        exercise: Exercise::GapFill {
            sentence: format!("After the race she drank a glass of cold {GAP}."),
            answer: "water".into(),
            options: ["granite", "milk", "water", "ladders", "sorrow"]
                .map(String::from)
                .to_vec(),
            evidence: "After the race she drank a glass of cold water.".into(),
        },
        origin: Origin::Constructed,
    };
    let mut pruned = hyperlearn::generation::prune_banks(vec![bank], "en", &generator, true).await;
    let Some(hyperlearn::generation::Pruned::Ready(Candidate {
        exercise: Exercise::GapFill { options, .. },
        ..
    })) = pruned.pop()
    else {
        panic!("a gap")
    };
    assert!(!options.contains(&"milk".to_string()), "{options:?}");
    assert!(options.contains(&"water".to_string()), "{options:?}");
    assert!(
        options.contains(&"ladders".to_string()) && options.contains(&"sorrow".to_string()),
        "{options:?}"
    );
}
