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

const TEXT: &str = "Engineers from Alden College built the robot for 12,000 euros. The mayor, Lena Ortiz, said the city will buy 2 more robots next spring. The robot collected 340 kilograms of plastic in six weeks.";

fn lesson(name: &str, title: &str, lang: &str) -> VerifiedLesson {
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
                statement: sentences[1].clone(),
                answer: true,
                evidence: sentences[1].clone(),
            },
            origin: Origin::Constructed,
        },
        Candidate {
            exercise: Exercise::GapFill {
                sentence: sentences[2].replace("340", GAP),
                answer: "340".into(),
                options: vec![],
                evidence: sentences[2].clone(),
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
        vec![],
        3,
    )
    .unwrap()
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
    let text = String::from_utf8(mail.bytes.clone()).unwrap();
    assert!(
        text.contains("Content-Type: multipart/alternative"),
        "{text}"
    );
    assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(text.contains("Content-Type: text/html; charset=utf-8"));
    assert!(text.contains(&format!("Message-ID: {}", mail.message_id)));
    assert!(text.contains("List-Unsubscribe: <https://hl.example/unsubscribe/7."));
    assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert_eq!(mail.subject, "Your reading lesson: Robot cleans harbour");
    // Stable per learner and day.
    let again = compose(
        &lesson("Ana", "Robot cleans harbour", "en"),
        &renderer,
        &config.mail,
    )
    .unwrap();
    assert_eq!(again.message_id, mail.message_id);
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
    let text = String::from_utf8(mail.bytes).unwrap();
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
    assert_eq!(mail.subject, "Tu lección de lectura: Robot");
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
