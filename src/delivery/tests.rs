use super::*;
use crate::config::Config;
use crate::exercise::{Candidate, Exercise, GAP, Origin};
use crate::lesson::{LessonArticle, LessonLearner};
use crate::verification::{AnswerModel, ArticleText, verify};

struct NoModel;

impl AnswerModel for NoModel {
    async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
        Err("not used for constructed exercises".into())
    }

    async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
        Err("not used for constructed exercises".into())
    }
}

const TEXT: &str = "Engineers from Alden College built the robot for 12,000 euros. The mayor, Lena Ortiz, said the city will buy 2 more robots next spring. The robot collected 340 kilograms of plastic in six weeks. Children of the town gave the robot its name.";

fn lesson(name: &str, title: &str, lang: &str) -> VerifiedLesson {
    lesson_with_glossary(name, title, lang, vec![])
}

fn lesson_with_glossary(
    name: &str,
    title: &str,
    lang: &str,
    glossary: Vec<crate::lesson::GlossaryEntry>,
) -> VerifiedLesson {
    let article = ArticleText::new("en", TEXT);
    let sentences = article.sentences().to_vec();
    let candidates = vec![
        Candidate {
            exercise: Exercise::GapFill {
                sentence: sentences[0].replace("12,000", GAP),
                answer: "12,000".into(),
                options: vec!["340".into(), "12,000".into(), "2".into()],
                evidence: sentences[0].clone(),
            },
            origin: Origin::Constructed,
        },
        Candidate {
            exercise: Exercise::TrueFalse {
                statement: sentences[2].replace("340", "more than 300"),
                answer: true,
                evidence: sentences[2].clone(),
            },
            origin: Origin::Constructed,
        },
        Candidate {
            exercise: Exercise::GapFill {
                sentence: sentences[1].replace("2", GAP),
                answer: "2".into(),
                options: vec![],
                evidence: sentences[1].clone(),
            },
            origin: Origin::Constructed,
        },
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut verified = Vec::new();
    for c in candidates {
        let v = rt
            .block_on(verify(c, &article, &NoModel, &verified))
            .expect("fixture exercises verify");
        verified.push(v);
    }
    VerifiedLesson::new(
        LessonLearner {
            id: 7,
            name: name.into(),
            email: "ana@example.org".into(),
            lang: lang.into(),
            cefr: "B1".into(),
        },
        LessonArticle {
            id: 1,
            title: title.into(),
            url: "https://news.example/robot".into(),
            lang: "en".into(),
            cefr: "B1".into(),
            source: "Example News".into(),
            published: None,
            text: TEXT.into(),
        },
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        verified,
        glossary,
        3,
    )
    .unwrap()
}

#[test]
fn the_glossary_never_quotes_a_sentence_an_exercise_is_about() {
    let sentences = ArticleText::new("en", TEXT).sentences().to_vec();
    let entry = |word: &str, sentence: &str| crate::lesson::GlossaryEntry {
        word: word.into(),
        sentence: sentence.into(),
    };
    let lesson = lesson_with_glossary(
        "Ana",
        "Robot cleans harbour",
        "en",
        vec![
            // The first sentence is a gap's: it holds "12,000".
            entry("harbour", &sentences[0]),
            entry("town", &sentences[3]),
        ],
    );
    let words: Vec<&str> = lesson.glossary().iter().map(|g| g.word.as_str()).collect();
    assert_eq!(words, ["town"]);
}

fn config() -> Config {
    Config::parse("[mail]\nfrom = \"HyperLearn <lessons@hl.example>\"\npublic_url = \"https://hl.example/\"\ntoken_key = \"k\"\n", std::path::Path::new(".")).unwrap()
}

#[test]
fn a_lesson_mail_has_both_parts_and_the_list_headers() {
    let config = config();
    let renderer = Renderer::new(None).unwrap();
    let mail = compose(
        &lesson("Ana", "Robot cleans harbour", "en"),
        &renderer,
        &config.mail,
    )
    .unwrap();
    let text = String::from_utf8(mail.bytes().to_vec()).unwrap();
    assert!(
        text.contains("Content-Type: multipart/alternative"),
        "{text}"
    );
    assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(text.contains("Content-Type: text/html; charset=utf-8"));
    assert!(text.contains(&format!("Message-ID: {}", mail.message_id())));
    assert!(text.contains("List-Unsubscribe: <https://hl.example/unsubscribe/7."));
    assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert_eq!(mail.subject(), "Your reading lesson: Robot cleans harbour");
    // Stable per learner and day.
    let again = compose(
        &lesson("Ana", "Robot cleans harbour", "en"),
        &renderer,
        &config.mail,
    )
    .unwrap();
    assert_eq!(again.message_id(), mail.message_id());
}

#[test]
fn names_and_titles_cannot_inject_headers() {
    let config = config();
    let renderer = Renderer::new(None).unwrap();
    let mail = compose(
        &lesson(
            "Ana\r\nBcc: victim@example.org",
            "Robot\r\nX-Evil: yes",
            "en",
        ),
        &renderer,
        &config.mail,
    )
    .unwrap();
    let text = String::from_utf8(mail.bytes().to_vec()).unwrap();
    let headers = text.split("\r\n\r\n").next().unwrap();
    assert!(
        !headers
            .lines()
            .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Evil:")),
        "{headers}"
    );
}

#[test]
fn fixed_strings_follow_the_learner_language() {
    let config = config();
    let renderer = Renderer::new(None).unwrap();
    let mail = compose(&lesson("Ana", "Robot", "es"), &renderer, &config.mail).unwrap();
    assert_eq!(mail.subject(), "Tu lección de lectura: Robot");
}

#[test]
fn html_is_escaped() {
    let config = config();
    let renderer = Renderer::new(None).unwrap();
    let rendered = render_lesson(
        &lesson("<script>alert(1)</script>", "Robot & <b>co</b>", "en"),
        &renderer,
        &config.mail,
    )
    .unwrap();
    assert!(
        !rendered.html.contains("<script>"),
        "raw script tag in the HTML part"
    );
    assert!(
        rendered.html.contains("Hello &lt;script&gt;alert(1)&lt;"),
        "{}",
        rendered.html
    );
    assert!(rendered.html.contains("Robot &amp; &lt;b&gt;co&lt;"));
    // The plain-text part is not HTML: it keeps the text as written.
    assert!(rendered.text.contains("Robot & <b>co</b>"));
}

/// Verifies a message with `tests/support/dkim_verify.py` (python3-dkim), answering its
/// DNS query with `record`; the verifier's log on failure.
pub(crate) fn dkim_verify(message: &[u8], record: &str) -> Result<(), String> {
    use std::io::Write;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/dkim_verify.py");
    let mut child = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(record)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 (scripts/setup installs python3-dkim)");
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn dkim_signed_mail_verifies_with_an_independent_verifier() {
    let seed = [42u8; 32];
    let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, seed);
    // The public key, derived by PyNaCl, not by the signer under test.
    let public = std::process::Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import base64, sys, nacl.signing; print(base64.b64encode(bytes(nacl.signing.SigningKey(bytes(32 * [42])).verify_key)).decode())",
        ])
        .output()
        .expect("/usr/bin/python3 with python3-nacl");
    let public = String::from_utf8(public.stdout).unwrap().trim().to_string();
    assert_eq!(public.len(), 44, "{public}");
    let record = format!("v=DKIM1; k=ed25519; p={public}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dkim.key"), &key).unwrap();
    let config = Config::parse(
        "[mail]\nfrom = \"HyperLearn <lessons@news.hl.example>\"\npublic_url = \"https://hl.example/\"\ntoken_key = \"k\"\n[mail.dkim]\nselector = \"s1\"\ndomain = \"hl.example\"\nkey_file = \"dkim.key\"\n",
        dir.path(),
    )
    .unwrap();
    let renderer = Renderer::new(None).unwrap();
    let mail = compose(
        &lesson("Ana", "Robot cleans harbour", "en"),
        &renderer,
        &config.mail,
    )
    .unwrap();
    let text = String::from_utf8(mail.bytes().to_vec()).unwrap();
    let signature = text
        .lines()
        .find(|l| l.starts_with("DKIM-Signature:"))
        .unwrap_or_else(|| panic!("no signature:\n{text}"));
    assert!(
        signature.contains("d=hl.example") && signature.contains("s=s1"),
        "{signature}"
    );
    let unfolded = text.replace("\r\n ", " ").replace("\r\n\t", " ");
    assert!(
        unfolded.contains("list-unsubscribe:list-unsubscribe-post"),
        "one-click unsubscribe is covered: {unfolded}"
    );
    dkim_verify(mail.bytes(), &record).unwrap();
    // A changed body or subject no longer verifies.
    let tampered = text.replacen("12,000", "13,000", 1);
    assert!(dkim_verify(tampered.as_bytes(), &record).is_err());
    let tampered = text.replacen("Subject: Your", "Subject: Our", 1);
    assert!(dkim_verify(tampered.as_bytes(), &record).is_err());
    // Nor with another key.
    assert!(
        dkim_verify(
            mail.bytes(),
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        )
        .is_err()
    );

    // A signing domain the From address does not belong to is refused when read.
    let err = Config::parse(
        "[mail]\nfrom = \"lessons@other.example\"\n[mail.dkim]\nselector = \"s1\"\ndomain = \"hl.example\"\nkey_file = \"dkim.key\"\n",
        dir.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("does not align") && err.contains("other.example"),
        "{err}"
    );
}

#[test]
fn the_plain_text_part_is_wrapped_for_a_terminal() {
    assert_eq!(
        wrap("a bb ccc dddd", Some(6), None, None),
        "a bb\nccc\ndddd"
    );
    assert_eq!(
        wrap("one two three", Some(10), Some("1. "), None),
        "1. one two\n   three"
    );
    assert_eq!(
        wrap(
            "see https://example.org/a/very/long/path ok",
            Some(12),
            Some("- "),
            Some("  ")
        ),
        "- see\n  https://example.org/a/very/long/path\n  ok"
    );
    assert_eq!(wrap("", None, Some("x "), None), "x ");
    let config = config();
    let renderer = Renderer::new(None).unwrap();
    let long_name = "Ana";
    let rendered = render_lesson(
        &lesson(long_name, "Robot cleans harbour", "en"),
        &renderer,
        &config.mail,
    )
    .unwrap();
    for line in rendered.text.lines() {
        let long_word = line.split_whitespace().count() == 1;
        assert!(
            line.chars().count() <= 72 || long_word,
            "a line longer than 72 characters: {line:?}\n{}",
            rendered.text
        );
    }
    // Nothing is lost: every prompt, option and evidence sentence is there, re-flowed.
    let flowed = rendered
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for e in lesson(long_name, "Robot cleans harbour", "en").exercises() {
        let e = e.exercise();
        for piece in std::iter::once(e.prompt())
            .chain(e.options().iter().map(String::as_str))
            .chain(std::iter::once(e.evidence()))
        {
            let piece = piece.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flowed.contains(&piece),
                "{piece} is missing:\n{}",
                rendered.text
            );
        }
    }
}

#[test]
fn the_html_part_survives_a_mail_clients_sanitiser() {
    let config = config();
    let renderer = Renderer::new(None).unwrap();
    let lesson = lesson("Ana", "Robot cleans harbour", "en");
    let html = render_lesson(&lesson, &renderer, &config.mail)
        .unwrap()
        .html;
    // Nothing a client strips or blocks: no scripts, style sheets, external resources.
    let lower = html.to_lowercase();
    for banned in [
        "<script",
        "<link",
        "<style",
        "@import",
        "url(",
        "<img",
        "<iframe",
        "<form",
        "javascript:",
    ] {
        assert!(!lower.contains(banned), "{banned} in the HTML part");
    }
    // Through ammonia's default whitelist (no style attributes, no unknown tags), every
    // exercise, option, answer and the lesson and unsubscribe links are still there.
    let clean = ammonia::clean(&html);
    let doc = scraper::Html::parse_document(&clean);
    let text = doc.root_element().text().collect::<Vec<_>>().join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (i, e) in lesson.exercises().iter().enumerate() {
        let e = e.exercise();
        let answer = exercise_view(i + 1, e, mail_strings("en")).answer;
        for piece in std::iter::once(e.prompt())
            .chain(e.options().iter().map(String::as_str))
            .chain([e.evidence(), answer.as_str()])
        {
            let piece = piece.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(&piece), "{piece} is lost:\n{clean}");
        }
    }
    for link in [
        "https://hl.example/lesson/7:2026-11-25.",
        "https://hl.example/unsubscribe/7.",
    ] {
        assert!(clean.contains(link), "{link} is lost:\n{clean}");
    }
}
