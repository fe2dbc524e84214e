use chrono::{DateTime, NaiveTime, Utc};

use crate::articles::Cefr;

use super::db::{Value, params};
use super::testing::test_postgres;
use super::*;

/// Runs `test` on a new SQLite store and, when the test cluster is there, on a new
/// PostgreSQL store: the store behaves the same on both.
fn each_store(test: impl Fn(&Store)) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&dir.path().join("db.sqlite")).unwrap();
    eprintln!("on SQLite");
    test(&sqlite);
    if let Some(location) = test_postgres() {
        eprintln!("on PostgreSQL ({location})");
        test(&Store::connect(&location).unwrap());
    }
}

fn learner(email: &str) -> NewLearner {
    NewLearner {
        email: email.into(),
        name: "Ana".into(),
        lang: "es".into(),
        level: 3.0,
        interests: vec!["sport".into()],
        delivery_time: NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
        timezone: "Europe/Madrid".into(),
    }
}

#[test]
fn learners_round_trip_and_duplicates_are_refused() {
    each_store(|store| {
        let a = store.add_learner(&learner("ana@example.org")).unwrap();
        assert_eq!(a.cefr(), Cefr::B1);
        assert_eq!(a.interests, vec!["sport"]);
        assert!(matches!(
            store.add_learner(&learner("ana@example.org")),
            Err(StoreError::DuplicateLearner(_))
        ));
        assert_eq!(store.find_learner("ANA@example.org").unwrap().id, a.id);
        store.remove_learner("ana@example.org").unwrap();
        assert!(store.learners().unwrap().is_empty());
    });
}

#[test]
fn a_calibration_verdict_is_kept_per_model_kind_and_language_and_replaced() {
    each_store(|store| {
        assert!(!store.any_calibration_passed().unwrap());
        let verdict = |lang: &str, passed: bool| Calibration {
            model_sha256: "ab".repeat(32),
            kind: "vocabulary".into(),
            lang: lang.into(),
            set_sha256: "cd".repeat(32),
            model_file: "models/m.gguf".into(),
            items: 40,
            right_accepted: if passed { 38 } else { 12 },
            wrong_tried: 120,
            wrong_accepted: if passed { 0 } else { 25 },
            passed,
            why: "measured".into(),
            measured_at: DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        store.save_calibration(&verdict("en", false)).unwrap();
        store.save_calibration(&verdict("es", false)).unwrap();
        assert!(!store.any_calibration_passed().unwrap());
        store.save_calibration(&verdict("en", true)).unwrap();
        assert!(store.any_calibration_passed().unwrap());
        let all = store.calibrations().unwrap();
        assert_eq!(all.len(), 2);
        assert!(all.contains(&verdict("en", true)));
        assert!(all.contains(&verdict("es", false)));
    });
}

#[test]
fn expired_sessions_go_and_users_can_be_removed_or_get_a_new_password() {
    each_store(|store| {
        let ada = store.add_user("ada", "old-hash", "admin").unwrap();
        let past = Utc::now() - chrono::Duration::hours(1);
        let later = Utc::now() + chrono::Duration::hours(1);
        store.create_session("expired", ada.id, "c1", past).unwrap();
        store.create_session("live", ada.id, "c2", later).unwrap();
        assert_eq!(
            store.session_count().unwrap(),
            1,
            "the expired one was deleted"
        );
        let changed = store.set_password("ADA", "new-hash").unwrap();
        assert_eq!(changed.password_hash, "new-hash");
        assert_eq!(
            store.session_count().unwrap(),
            0,
            "a new password ends sessions"
        );
        store.create_session("again", ada.id, "c3", later).unwrap();
        assert_eq!(store.remove_user("ada").unwrap().id, ada.id);
        assert!(store.user_by_name("ada").unwrap().is_none());
        assert_eq!(store.session_count().unwrap(), 0);
        assert!(store.remove_user("ada").is_err());
        assert!(store.set_password("nobody", "h").is_err());
    });
}

#[test]
fn a_backup_taken_while_in_use_is_checked_and_restores_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    let lock = |store: &Store, name: &str| {
        store
            .conn()
            .execute(
                "INSERT INTO locks (name, owner, acquired_at, expires_at) VALUES (?1, 'x', ?2, ?3)",
                params![
                    name,
                    now(),
                    (Utc::now() + chrono::Duration::minutes(5)).to_rfc3339()
                ],
            )
            .unwrap();
    };
    // An SQLite store backs up with SQLite's online backup; a PostgreSQL one into an SQLite
    // file, from one consistent moment. Both restore from their file.
    each_store(|store| {
        store.add_learner(&learner("ana@example.org")).unwrap();
        // Another connection keeps writing, and a run goes on, while the backup is taken.
        let other = Store::connect(store.location()).unwrap();
        other.add_learner(&learner("ben@example.org")).unwrap();
        lock(store, "lessons");
        let backup = dir.path().join(format!("{:?}.sqlite", store.backend()));
        let info = store.backup_to(&backup).unwrap();
        assert_eq!(info.learners, 2);
        assert_eq!(info.schema_version as usize, MIGRATIONS.len());
        assert!(store.backup_to(&backup).is_err(), "never overwrites");
        store.conn().execute("DELETE FROM locks", []).unwrap();
        // Later changes are undone by the restore.
        store.remove_learner("ana@example.org").unwrap();
        store.add_learner(&learner("cy@example.org")).unwrap();
        store.restore_from(&backup).unwrap();
        let mut emails: Vec<String> = other
            .learners()
            .unwrap()
            .into_iter()
            .map(|l| l.email)
            .collect();
        emails.sort();
        assert_eq!(emails, ["ana@example.org", "ben@example.org"]);
        // New rows are numbered after the restored ones.
        store.add_learner(&learner("dee@example.org")).unwrap();
        store.remove_learner("dee@example.org").unwrap();
        // What is not a store is refused with a reason, and changes nothing.
        let junk = dir.path().join("junk.sqlite");
        std::fs::write(&junk, b"not a database at all, just some text").unwrap();
        assert!(store.restore_from(&junk).is_err());
        assert!(check_copy(&dir.path().join("missing.sqlite")).is_err());
        assert_eq!(store.learners().unwrap().len(), 2);
        // A run's live lock refuses the restore.
        lock(store, "mail");
        let err = store.restore_from(&backup).unwrap_err().to_string();
        assert!(err.contains("mail") && err.contains("going"), "{err}");
        assert_eq!(store.learners().unwrap().len(), 2);
    });
}

#[test]
fn retention_clears_old_mail_bodies_and_scores_but_keeps_the_ledger() {
    each_store(|store| {
        let ana = store.add_learner(&learner("ana@example.org")).unwrap();
        let old = "2025-01-01T07:00:00+00:00";
        let recent = Utc::now().to_rfc3339();
        {
            let conn = store.conn();
            conn.execute(
                "INSERT INTO articles (id, url, title, lang, body, level, cefr, source, text_source, fetched_at)
                 VALUES (1, 'https://e.org/a', 'A', 'es', 'Texto.', 3.0, 'B1', 'E', 'page', ?1)",
                [old],
            )
            .unwrap();
            for (id, date, state, at) in [
                (1, "2025-01-01", "sent", old),
                (2, "2025-01-02", "pending", old),
                (3, "2026-12-01", "sent", recent.as_str()),
            ] {
                conn.execute(
                    "INSERT INTO lessons (id, learner_id, article_id, lesson_date, created_at) VALUES (?1, ?2, 1, ?3, ?4)",
                    params![id, ana.id, date, at],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO deliveries (lesson_id, learner_id, lesson_date, message_id, state, message, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![id, ana.id, date, format!("<m{id}@t>"), state, Value::Blob(b"Hello".to_vec()), at],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO lesson_scores (lesson_id, learner_id, score, recorded_at) VALUES (?1, ?2, 0.5, ?3)",
                    params![id, ana.id, at],
                )
                .unwrap();
            }
        }
        let cutoff = Utc::now() - chrono::Duration::days(365);
        assert_eq!(
            store.apply_retention(cutoff).unwrap(),
            Retention {
                mail_bodies: 1,
                scores: 2
            }
        );
        assert_eq!(
            store.apply_retention(cutoff).unwrap(),
            Retention {
                mail_bodies: 0,
                scores: 0
            },
            "safe to run again"
        );
        let conn = store.conn();
        let bodies: Vec<(String, i64)> = conn
            .prepare("SELECT state, length(message) FROM deliveries ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            bodies,
            [
                ("sent".to_string(), 0),
                ("pending".to_string(), 5),
                ("sent".to_string(), 5)
            ],
            "an old pending mail keeps its body: it may still be sent"
        );
    });
}

#[test]
fn concurrent_opens_of_a_new_database_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let start = std::sync::Arc::new(std::sync::Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (path, start) = (path.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                Store::open(&path).map(|_| ())
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().expect("every concurrent open succeeds");
    }
    if let Some(location) = test_postgres() {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (location, start) = (location.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::connect(&location).map(|s| s.schema_version().unwrap())
                })
            })
            .collect();
        for h in handles {
            let version = h.join().unwrap().expect("every concurrent open succeeds");
            assert_eq!(version, MIGRATIONS.len());
        }
    }
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    Store::open(&path)
        .unwrap()
        .add_learner(&learner("b@example.org"))
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.learners().unwrap().len(), 1);
}

#[test]
fn feed_errors_count_up_and_success_resets() {
    each_store(|store| {
        assert_eq!(store.record_feed_error("u", "boom", None).unwrap(), 1);
        let later = Utc::now() + chrono::Duration::minutes(30);
        assert_eq!(
            store.record_feed_error("u", "boom", Some(later)).unwrap(),
            2
        );
        let s = store.feed_state("u").unwrap();
        assert!(s.paused(2) && !s.paused(3) && !s.paused(0));
        assert_eq!(
            s.next_fetch_at.map(|t| t.timestamp()),
            Some(later.timestamp())
        );
        store.reset_feed("u").unwrap();
        let s = store.feed_state("u").unwrap();
        assert_eq!((s.consecutive_errors, s.next_fetch_at), (0, None));
        store.record_feed_error("u", "boom", None).unwrap();
        store
            .record_feed_ok("u", Some("\"e\""), None, 3, None)
            .unwrap();
        let s = store.feed_state("u").unwrap();
        assert_eq!(s.consecutive_errors, 0);
        assert_eq!(s.etag.as_deref(), Some("\"e\""));
        assert_eq!(s.items_seen, 3);
    });
}

const SET_TEXT: &str = "Engineers from Alden College built the robot for 12,000 euros. The mayor, Lena Ortiz, said the city will buy 2 more robots next spring. The robot collected 340 kilograms of plastic in six weeks. Volunteers from the harbour club helped the engineers test it in March.";

fn set_article(store: &Store, url: &str) -> i64 {
    store
        .insert_article(&crate::articles::Article {
            url: url.into(),
            title: "Robot cleans harbour".into(),
            byline: None,
            published: None,
            lang: "en".into(),
            text: SET_TEXT.into(),
            level: crate::articles::Level {
                score: 3.0,
                cefr: Cefr::B1,
            },
            topics: vec![],
            image: None,
            source: "Example News".into(),
            text_source: crate::articles::TextSource::Page,
        })
        .unwrap()
        .id
}

/// Constructed exercises about [`SET_TEXT`], verified (no model needed), and a refused one.
fn set_records() -> (
    Vec<crate::verification::VerifiedExercise>,
    Vec<ExerciseRecord>,
) {
    use futures_util::FutureExt;
    let text = crate::verification::ArticleText::new("en", SET_TEXT);
    let mut verified = Vec::new();
    for c in crate::generation::constructed_exercises(&text, Cefr::B1, 6, 1, &Default::default()) {
        let c = crate::generation::trim_bank(c);
        let v = crate::verification::verify(c, &text, &crate::verification::NoModel, &verified)
            .now_or_never()
            .expect("verification without a model does not wait");
        if let Ok(v) = v {
            verified.push(v);
        }
    }
    assert!(verified.len() >= 2, "{verified:?}");
    let refused = crate::verification::Rejection {
        candidate: crate::exercise::Candidate {
            exercise: verified[0].exercise().clone(),
            origin: crate::exercise::Origin::Constructed,
        },
        reasons: vec![crate::verification::Reason::Duplicate],
    };
    let mut records = vec![ExerciseRecord::rejected(&refused)];
    records.extend(verified.iter().map(ExerciseRecord::verified));
    (verified, records)
}

#[test]
fn an_exercise_set_is_kept_once_per_article_band_and_language() {
    each_store(|store| {
        let article_id = set_article(store, "http://127.0.0.1/robot.html");
        let (verified, records) = set_records();
        let key = SetKey {
            article_id,
            band: Cefr::B1,
            lang: "en".into(),
        };
        assert!(store.exercise_set(&key).unwrap().is_none());

        let kept = store
            .keep_exercises(article_id, Some(&key), &records)
            .unwrap();
        let set_id = kept.set_id.expect("the first set for the key is stored");
        assert_eq!(kept.accepted.len(), verified.len(), "one row per accepted");
        let set = store.exercise_set(&key).unwrap().unwrap();
        assert_eq!(set.id, set_id);
        assert_eq!(
            set.exercises.iter().map(|e| e.id).collect::<Vec<_>>(),
            kept.accepted,
            "only the accepted rows, in the order they were made"
        );
        assert_eq!(set.exercises[0].exercise, *verified[0].exercise());
        assert!(
            set.exercises.iter().all(|e| !e.round_trip_passed),
            "constructed exercises had no round trip"
        );

        // A second set for the same key (another process made it at the same time) is kept as
        // tried, beside the first; the stored set stays the first.
        let again = store
            .keep_exercises(article_id, Some(&key), &records)
            .unwrap();
        assert_eq!(again.set_id, None);
        assert_eq!(again.accepted.len(), verified.len());
        assert_eq!(store.exercise_set(&key).unwrap().unwrap().id, set_id);
        for other in [
            SetKey {
                band: Cefr::B2,
                ..key.clone()
            },
            SetKey {
                lang: "es".into(),
                ..key.clone()
            },
        ] {
            assert!(store.exercise_set(&other).unwrap().is_none(), "{other:?}");
        }

        // A pulled exercise leaves the set for every later lesson.
        store.pull_exercise(kept.accepted[0]).unwrap();
        let set = store.exercise_set(&key).unwrap().unwrap();
        assert_eq!(set.exercises.len(), verified.len() - 1);
        assert!(set.exercises.iter().all(|e| e.id != kept.accepted[0]));
    });
}

#[test]
fn a_lesson_shows_only_accepted_unpulled_rows_of_its_article() {
    let dir = tempfile::tempdir().unwrap();
    each_store(|store| {
        let learner = store.add_learner(&learner("ana@example.org")).unwrap();
        let article_id = set_article(store, "http://127.0.0.1/robot.html");
        let other_article = set_article(store, "http://127.0.0.1/other.html");
        let (verified, records) = set_records();
        let other_row = store
            .keep_exercises(other_article, None, &records)
            .unwrap()
            .accepted[0];
        let key = SetKey {
            article_id,
            band: Cefr::B1,
            lang: "en".into(),
        };
        let kept = store
            .keep_exercises(article_id, Some(&key), &records)
            .unwrap();
        let refused_row = kept.accepted[0] - 1;
        let config = crate::config::Config::parse(
            "[mail]\nfrom = \"HyperLearn <lessons@hl.example>\"\npublic_url = \"https://hl.example/\"\ntoken_key = \"k\"\n",
            dir.path(),
        )
        .unwrap();
        let renderer = crate::delivery::Renderer::new(None).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let mail = |date| {
            let lesson = crate::lesson::VerifiedLesson::new(
                crate::lesson::LessonLearner {
                    id: learner.id,
                    name: learner.name.clone(),
                    email: learner.email.clone(),
                    lang: "en".into(),
                    cefr: "B1".into(),
                },
                crate::lesson::LessonArticle {
                    id: article_id,
                    title: "Robot cleans harbour".into(),
                    url: "http://127.0.0.1/robot.html".into(),
                    lang: "en".into(),
                    cefr: "B1".into(),
                    source: "Example News".into(),
                    published: None,
                    text: SET_TEXT.into(),
                },
                date,
                verified.clone(),
                vec![],
                1,
            )
            .unwrap();
            crate::delivery::compose(&lesson, &renderer, &config.mail).unwrap()
        };
        let due = Utc::now();
        for (bad, why) in [
            (refused_row, "a refused row"),
            (other_row, "another article's row"),
            (other_row + 10_000, "no such row"),
        ] {
            let items = LessonItems {
                set_id: kept.set_id,
                exercise_ids: vec![kept.accepted[1], bad],
            };
            let err = store.save_lesson(&mail(date), &items, due).unwrap_err();
            assert!(err.to_string().contains("not a verified"), "{why}: {err}");
            assert!(
                store.delivery_for(learner.id, date).unwrap().is_none(),
                "{why}: nothing kept"
            );
        }

        let items = LessonItems {
            set_id: kept.set_id,
            exercise_ids: kept.accepted.iter().rev().copied().collect(),
        };
        let delivery = store.save_lesson(&mail(date), &items, due).unwrap();
        let shown: Vec<i64> = store
            .servable_exercises(Servable::Lesson(delivery.lesson_id))
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(shown, items.exercise_ids, "the lesson's own order");

        // Two mail workers that read the ledger alike: one of them leases the delivery.
        let read = |store: &Store| {
            store
                .open_deliveries()
                .unwrap()
                .into_iter()
                .find(|d| d.id == delivery.id)
                .unwrap()
        };
        let seen = read(store);
        assert!(!seen.sent_elsewhere(Utc::now(), |_| Some(true)), "pending");
        let until = Utc::now() + chrono::Duration::minutes(10);
        assert!(
            store
                .lease_delivery(seen.id, seen.attempts, "h/1/1/a", until)
                .unwrap()
        );
        assert!(
            !store
                .lease_delivery(seen.id, seen.attempts, "h/2/1/b", until)
                .unwrap()
        );
        // Being sent: by a live holder, or one on another machine until its lease ends.
        let leased = read(store);
        assert_eq!(leased.lease_owner.as_deref(), Some("h/1/1/a"));
        assert!(leased.sent_elsewhere(Utc::now(), |_| Some(true)));
        assert!(leased.sent_elsewhere(Utc::now(), |_| None));
        assert!(!leased.sent_elsewhere(until + chrono::Duration::seconds(1), |_| None));
        assert!(
            !leased.sent_elsewhere(Utc::now(), |_| Some(false)),
            "holder gone"
        );
        // Taken over once its holder is gone; then sent, which no lease reopens.
        assert!(
            store
                .lease_delivery(leased.id, leased.attempts, "h/2/1/b", until)
                .unwrap()
        );
        store
            .finish_delivery(
                leased.id,
                &DeliveryOutcome::Sent {
                    transport: "smtp".into(),
                },
            )
            .unwrap();
        let sent = store.delivery_for(learner.id, date).unwrap().unwrap();
        assert_eq!((sent.state, sent.attempts), (DeliveryState::Sent, 2));
        assert!(!store.lease_delivery(sent.id, 2, "h/3/1/c", until).unwrap());
        // Every row tried for the set, refused ones too, is the lesson's record.
        let tried = store.lesson_exercises(delivery.lesson_id).unwrap();
        assert_eq!(tried.exercises.len(), records.len());
        // The teacher sees the set once, labelled with its band.
        let for_teacher = store
            .servable_exercises(Servable::Article(article_id))
            .unwrap();
        assert_eq!(for_teacher.len(), verified.len());
        assert!(
            for_teacher
                .iter()
                .all(|e| e.made_for.as_deref() == Some("B1 set"))
        );

        // Pulling an exercise takes it out of the lesson; erasing the learner keeps the set,
        // which is the article's, not theirs.
        store.pull_exercise(items.exercise_ids[0]).unwrap();
        assert_eq!(
            store
                .servable_exercises(Servable::Lesson(delivery.lesson_id))
                .unwrap()
                .len(),
            verified.len() - 1
        );
        store.forget_learner(&learner.email).unwrap();
        assert_eq!(
            store.exercise_set(&key).unwrap().unwrap().exercises.len(),
            verified.len() - 1
        );
    });
}

#[test]
fn lessons_made_before_exercise_sets_keep_showing_their_exercises() {
    // A store as the release before exercise sets left it: one lesson with its own rows.
    let before_sets = MIGRATIONS
        .iter()
        .position(|m| m.contains("CREATE TABLE exercise_sets"))
        .unwrap();
    let rows = "INSERT INTO learners (id, email, name, lang, level, created_at)
             VALUES (1, 'ana@example.org', 'Ana', 'en', 3.0, 't');
         INSERT INTO articles (id, url, title, lang, body, level, cefr, source, text_source, fetched_at)
             VALUES (1, 'http://127.0.0.1/a', 'A', 'en', 'Text.', 3.0, 'B1', 's', 'page', 't');
         INSERT INTO lessons (id, learner_id, article_id, lesson_date, created_at)
             VALUES (1, 1, 1, '2026-12-01', 't');
         INSERT INTO exercises (id, lesson_id, article_id, kind, origin, payload, accepted, created_at) VALUES
             (10, 1, 1, 'true_false', 'constructed', '{\"type\":\"true_false\",\"statement\":\"Text.\",\"answer\":true,\"evidence\":\"Text.\"}', 1, 't'),
             (11, 1, 1, 'true_false', 'model', '{}', 0, 't'),
             (12, 1, 1, 'true_false', 'constructed', '{\"type\":\"true_false\",\"statement\":\"Text!\",\"answer\":false,\"evidence\":\"Text.\"}', 1, 't');";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hl.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for m in &MIGRATIONS[..before_sets] {
            conn.execute_batch(m).unwrap();
        }
        conn.pragma_update(None, "user_version", before_sets as i64)
            .unwrap();
        conn.execute_batch(rows).unwrap();
    }
    let mut stores = vec![Store::open(&path).unwrap()];
    if let Some(location) = test_postgres() {
        let StoreLocation::Postgres { url, .. } = &location else {
            unreachable!()
        };
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        for m in &MIGRATIONS[..before_sets] {
            client.batch_execute(&schema::for_postgres(m)).unwrap();
        }
        client
            .batch_execute(&format!(
                "CREATE TABLE schema_version (version BIGINT NOT NULL);
                 INSERT INTO schema_version VALUES ({before_sets}); {rows}"
            ))
            .unwrap();
        stores.push(Store::connect(&location).unwrap());
    }
    for store in stores {
        eprintln!("on {:?}", store.backend());
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let shown: Vec<(i64, Option<String>)> = store
            .servable_exercises(Servable::Lesson(1))
            .unwrap()
            .into_iter()
            .map(|e| (e.id, e.made_for))
            .collect();
        assert_eq!(
            shown,
            vec![(10, None), (12, None)],
            "the accepted rows, in order"
        );
        assert_eq!(store.lesson_exercises(1).unwrap().exercises.len(), 3);
        let for_teacher = store.servable_exercises(Servable::Article(1)).unwrap();
        assert_eq!(
            for_teacher[0].made_for.as_deref(),
            Some("lesson of 2026-12-01")
        );
    }
}

#[test]
fn a_store_copied_into_an_empty_one_holds_everything_and_goes_on_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let source = Store::open(&dir.path().join("source.db")).unwrap();
    // Learners, one forgotten; a set, a lesson and its delivery; an account with a session;
    // a calibration; a flag.
    let ana = source.add_learner(&learner("ana@example.org")).unwrap();
    source.add_learner(&learner("gone@example.org")).unwrap();
    source.forget_learner("gone@example.org").unwrap();
    let article_id = set_article(&source, "http://127.0.0.1/robot.html");
    let (_, records) = set_records();
    let key = SetKey {
        article_id,
        band: Cefr::B1,
        lang: "en".into(),
    };
    let kept = source
        .keep_exercises(article_id, Some(&key), &records)
        .unwrap();
    source
        .flag_exercise(kept.accepted[0], Some(ana.id), "odd")
        .unwrap();
    let ada = source.add_user("ada", "hash", "admin").unwrap();
    let later = Utc::now() + chrono::Duration::hours(1);
    source.create_session("live", ada.id, "c", later).unwrap();
    source.start_run("fetch").unwrap();

    let mut targets = vec![Store::open(&dir.path().join("target.db")).unwrap()];
    if let Some(location) = test_postgres() {
        targets.push(Store::connect(&location).unwrap());
    }
    for target in targets {
        eprintln!("into {:?}", target.backend());
        let mut seen = Vec::new();
        let copied = source
            .copy_to(&target, |table, _| seen.push(table.to_string()))
            .unwrap();
        assert_eq!(seen.len(), copy::TABLES.len());
        assert_eq!(target.table_counts().unwrap(), copied);
        assert_eq!(copied, source.table_counts().unwrap());
        // What the rows mean came along: the forgotten address stays forgotten (its hash
        // needs the source's salt), the set is the same set, the session still opens.
        assert!(matches!(
            target.add_learner(&learner("gone@example.org")),
            Err(StoreError::Forgotten(_))
        ));
        assert_eq!(
            target
                .exercise_set(&key)
                .unwrap()
                .unwrap()
                .exercises
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            kept.accepted
        );
        assert_eq!(
            target.session("live", Utc::now()).unwrap().unwrap().0.id,
            ada.id
        );
        assert_eq!(target.flags().unwrap().len(), 1);
        // New rows are numbered after the copied ones (PostgreSQL's identity sequences
        // are moved past them).
        let bea = target.add_learner(&learner("bea@example.org")).unwrap();
        assert!(bea.id > ana.id, "{} after {}", bea.id, ana.id);
        // A store that holds data is not copied into.
        let err = source.copy_to(&target, |_, _| {}).unwrap_err().to_string();
        assert!(err.contains("already holds data"), "{err}");
    }
    let err = source.copy_to(&source, |_, _| {}).unwrap_err().to_string();
    assert!(err.contains("onto itself"), "{err}");
}

#[test]
fn store_urls_are_read_and_named_without_their_password() {
    let base = std::path::Path::new("/srv/hl");
    assert_eq!(
        StoreLocation::parse("sqlite:var/x.db", base, None).unwrap(),
        StoreLocation::Sqlite("/srv/hl/var/x.db".into())
    );
    let pg = StoreLocation::parse("postgres://hl:s3cret@db.internal/hl", base, None).unwrap();
    assert_eq!(pg.backend(), Backend::Postgres);
    assert_eq!(pg.name(), "postgres://hl:***@db.internal/hl");
    assert!(!format!("{pg:?}").contains("s3cret"));
    let with_env = StoreLocation::parse(
        "postgresql://hl@db.internal/hl",
        base,
        Some(crate::config::Secret::new("from-env")),
    )
    .unwrap();
    assert!(!format!("{with_env:?} {with_env}").contains("from-env"));
    for (url, says) in [
        ("mysql://x@y/z", "neither `sqlite:PATH` nor `postgres://"),
        ("sqlite:", "needs a file"),
        (
            "postgres://hl@db/hl?sslmode=require&sslrootcert=/nonexistent/ca.pem",
            "/nonexistent/ca.pem",
        ),
        ("postgres://hl@db/hl?nonsense=1", "not a PostgreSQL URL"),
    ] {
        let err = StoreLocation::parse(url, base, None).unwrap_err();
        assert!(err.contains(says), "{url}: {err}");
    }
}

#[test]
fn the_first_link_key_to_reach_the_store_is_every_machines() {
    each_store(|store| {
        assert_eq!(store.shared_token_key("first").unwrap(), "first");
        assert_eq!(store.shared_token_key("second").unwrap(), "first");
        store.replace_token_key("rotated").unwrap();
        assert_eq!(store.shared_token_key("third").unwrap(), "rotated");
    });
}

#[test]
fn postgresql_over_tls_checks_the_servers_certificate() {
    let Some((url, ca)) = super::testing::test_postgres_tls() else {
        return;
    };
    let base = std::path::Path::new("/");
    let ca = percent_encoding::utf8_percent_encode(
        ca.to_str().unwrap(),
        percent_encoding::NON_ALPHANUMERIC,
    );
    // With the CA that signed the server's certificate: TLS, checked.
    let verified = StoreLocation::parse(
        &format!("{url}?sslmode=verify-full&sslrootcert={ca}"),
        base,
        None,
    )
    .unwrap();
    let store = Store::connect(&verified).unwrap();
    let ssl: bool = store
        .conn()
        .query_row(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(ssl, "the connection is not encrypted");
    store.add_learner(&learner("ana@example.org")).unwrap();
    // Without it, the system's roots do not trust the test CA: refused, and said so.
    let unverified = StoreLocation::parse(&format!("{url}?sslmode=require"), base, None).unwrap();
    let err = Store::connect(&unverified).err().unwrap().to_string();
    assert!(
        err.contains("certificate") || err.contains("Issuer"),
        "{err}"
    );
    assert!(err.contains("localhost"), "names the store: {err}");
}
