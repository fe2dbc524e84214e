use super::*;
use crate::exercise::GAP;

const ARTICLE: &str = "A small robot called Skimmer collected 340 kilograms of plastic from the harbour of Port Alden in six weeks.\n\nEngineers from Alden College built the robot for 12,000 euros. The mayor, Lena Ortiz, said the city will buy two more robots next spring.";

/// A reader that always gives the same answers when it has a text, and another option when
/// it has none: a fake for unit tests.
struct FixedReader {
    choice: usize,
    span: &'static str,
}

impl AnswerModel for FixedReader {
    async fn choose(&self, context: &str, _: &str, options: &[String]) -> Result<usize, String> {
        if context.is_empty() {
            return Ok((self.choice + 1) % options.len());
        }
        Ok(self.choice)
    }

    async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
        Ok(self.span.to_string())
    }
}

struct BrokenReader;

impl AnswerModel for BrokenReader {
    async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
        Err("model crashed".into())
    }

    async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
        Err("model crashed".into())
    }
}

fn article() -> ArticleText {
    ArticleText::new("en", ARTICLE)
}

fn short(question: &str, answer: &str, evidence: &str) -> Candidate {
    Candidate {
        exercise: Exercise::ShortAnswer {
            question: question.into(),
            answer: answer.into(),
            evidence: evidence.into(),
        },
        origin: Origin::Model,
    }
}

fn mc(question: &str, options: &[&str], answer: usize, evidence: &str) -> Candidate {
    Candidate {
        exercise: Exercise::MultipleChoice {
            question: question.into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            answer,
            evidence: evidence.into(),
        },
        origin: Origin::Model,
    }
}

const S1: &str = "A small robot called Skimmer collected 340 kilograms of plastic from the harbour of Port Alden in six weeks.";
const S2: &str = "Engineers from Alden College built the robot for 12,000 euros.";
const S3: &str = "The mayor, Lena Ortiz, said the city will buy two more robots next spring.";

fn check(candidate: Candidate, reader: &FixedReader) -> Result<Vec<&'static str>, Vec<Reason>> {
    let article = article();
    match futures_executor(verify(candidate, &article, reader, &[])) {
        Ok(v) => Ok(v.checks().to_vec()),
        Err(r) => Err(r.reasons),
    }
}

/// Runs a future that never waits on I/O (the fakes answer at once).
fn futures_executor<F: std::future::Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(fut)
}

#[test]
fn a_grounded_question_the_model_answers_is_accepted() {
    let reader = FixedReader {
        choice: 0,
        span: "340 kilograms",
    };
    let got = check(
        short(
            "How many kilograms of plastic did the robot collect?",
            "340",
            S1,
        ),
        &reader,
    );
    assert_eq!(got, Ok(vec!["form", "grounding", "fit", "round_trip"]));
}

#[test]
fn a_key_from_another_sentence_is_rejected() {
    let reader = FixedReader {
        choice: 0,
        span: "12,000",
    };
    let got = check(
        short(
            "How many kilograms of plastic did the robot collect?",
            "12,000",
            S1,
        ),
        &reader,
    );
    assert_eq!(
        got,
        Err(vec![Reason::KeyNotInEvidence, Reason::NumberMismatch])
    );
}

#[test]
fn a_wrong_number_from_the_right_sentence_is_caught_by_type_or_round_trip() {
    // "six weeks" is in the sentence, but "how many kilograms" wants 340.
    let reader = FixedReader {
        choice: 0,
        span: "340",
    };
    let got = check(
        short(
            "How many kilograms of plastic did the robot collect?",
            "six weeks",
            S1,
        ),
        &reader,
    );
    assert!(got.is_err(), "{got:?}");
}

#[test]
fn evidence_must_be_an_article_sentence() {
    let reader = FixedReader {
        choice: 0,
        span: "340",
    };
    let got = check(
        short(
            "How much plastic was collected?",
            "340 kilograms",
            "The robot collected 340 kilograms.",
        ),
        &reader,
    );
    assert_eq!(got, Err(vec![Reason::EvidenceNotInArticle]));
}

#[test]
fn a_question_about_another_sentence_is_rejected() {
    let reader = FixedReader {
        choice: 0,
        span: "Lena Ortiz",
    };
    let got = check(
        short("Who is the mayor of the city?", "Alden College", S2),
        &reader,
    );
    assert!(
        matches!(got, Err(ref r) if r.contains(&Reason::QuestionNotAboutEvidence)),
        "{got:?}"
    );
}

#[test]
fn the_round_trip_must_agree() {
    let reader = FixedReader {
        choice: 0,
        span: "Alden College",
    };
    let got = check(
        short("Who is the mayor of the city?", "Lena Ortiz", S3),
        &reader,
    );
    assert_eq!(got, Err(vec![Reason::RoundTripDisagrees]));
    let article = article();
    let broken = verify(
        short("Who is the mayor of the city?", "Lena Ortiz", S3),
        &article,
        &BrokenReader,
        &[],
    );
    assert_eq!(
        futures_executor(broken).unwrap_err().reasons,
        vec![Reason::RoundTripFailed]
    );
}

#[test]
fn markup_urls_and_giveaways_are_rejected() {
    let reader = FixedReader {
        choice: 0,
        span: "Lena Ortiz",
    };
    let got = check(short("Who is <b>the mayor</b>?", "Lena Ortiz", S3), &reader);
    assert_eq!(got, Err(vec![Reason::Markup]));
    let got = check(
        short(
            "Who is the mayor? See http://evil.example",
            "Lena Ortiz",
            S3,
        ),
        &reader,
    );
    assert_eq!(
        got,
        Err(vec![Reason::Url, Reason::UngrammaticalQuestion]),
        "a link, and two sentences where one question belongs"
    );
    let got = check(
        short(
            "Who said: “The mayor is here. She came early.”?",
            "Lena Ortiz",
            S3,
        ),
        &reader,
    );
    assert!(
        got.as_ref()
            .err()
            .is_none_or(|r| !r.contains(&Reason::UngrammaticalQuestion)),
        "a quotation may hold two sentences: {got:?}"
    );
    let got = check(
        short("Is Lena Ortiz the mayor of the city?", "Lena Ortiz", S3),
        &reader,
    );
    assert!(
        matches!(got, Err(ref r) if r.contains(&Reason::AnswerInQuestion)),
        "{got:?}"
    );
}

#[test]
fn multiple_choice_needs_one_supported_option_and_the_same_choice_twice() {
    let options = ["12,000 euros", "340 euros", "2 million euros", "6 euros"];
    let reader = FixedReader {
        choice: 0,
        span: "",
    };
    let q = "How much did the engineers pay to build the robot?";
    assert!(check(mc(q, &options, 0, S2), &reader).is_ok());
    // The model picks another option: rejected.
    let reader = FixedReader {
        choice: 2,
        span: "",
    };
    assert_eq!(
        check(mc(q, &options, 0, S2), &reader),
        Err(vec![Reason::RoundTripDisagrees])
    );
    // Two options the evidence supports: rejected before the model is asked.
    let reader = FixedReader {
        choice: 0,
        span: "",
    };
    let two_right = ["12,000 euros", "the robot", "2 million euros", "6 euros"];
    assert_eq!(
        check(mc(q, &two_right, 0, S2), &reader),
        Err(vec![Reason::DistractorSupported])
    );
}

#[test]
fn constructed_gap_fill_is_checked_by_construction_not_by_the_model() {
    let gap = Candidate {
        exercise: Exercise::GapFill {
            sentence: format!("Engineers from Alden College built the robot for {GAP} euros."),
            answer: "12,000".into(),
            options: vec!["340".into(), "12,000".into(), "6".into()],
            evidence: S2.into(),
        },
        origin: Origin::Constructed,
    };
    let reader = FixedReader {
        choice: 3,
        span: "nonsense",
    };
    assert_eq!(
        check(gap.clone(), &reader),
        Ok(vec!["form", "grounding", "fit"])
    );
    let mut wrong = gap;
    if let Exercise::GapFill {
        answer, options, ..
    } = &mut wrong.exercise
    {
        *answer = "340".into();
        options[0] = "341".into();
        options[1] = "340".into();
    }
    assert_eq!(check(wrong, &reader), Err(vec![Reason::GapMismatch]));
    // One wrong option is a coin toss: a bank that pruning left so small is no exercise.
    let mut small = gap_of(&["340", "12,000"]);
    assert_eq!(check(small.clone(), &reader), Err(vec![Reason::BadLength]));
    // A gap with no bank (the learner writes the word) is another matter.
    if let Exercise::GapFill { options, .. } = &mut small.exercise {
        options.clear();
    }
    assert!(check(small, &reader).is_ok());
}

fn gap_of(options: &[&str]) -> Candidate {
    Candidate {
        exercise: Exercise::GapFill {
            sentence: format!("Engineers from Alden College built the robot for {GAP} euros."),
            answer: "12,000".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            evidence: S2.into(),
        },
        origin: Origin::Constructed,
    }
}

#[test]
fn a_word_banks_options_are_of_the_word_class_its_gap_takes() {
    let bank = |options: [&str; 3]| Candidate {
        exercise: Exercise::GapFill {
            sentence: format!("Engineers from Alden College built the {GAP} for 12,000 euros."),
            answer: "robot".into(),
            options: options
                .iter()
                .map(|o| o.to_string())
                .chain(["robot".into()])
                .collect(),
            evidence: S2.into(),
        },
        origin: Origin::Constructed,
    };
    let reader = FixedReader {
        choice: 3,
        span: "nonsense",
    };
    assert!(check(bank(["mayor", "garden", "harbour"]), &reader).is_ok());
    // "built the machine": a word that means nearly what the key means fits the gap too.
    assert_eq!(
        check(bank(["mayor", "garden", "machine"]), &reader),
        Err(vec![Reason::DistractorSupported])
    );
    // "built the buy": a verb where the gap and the key take a noun.
    assert_eq!(
        check(bank(["mayor", "garden", "buy"]), &reader),
        Err(vec![Reason::OptionClassMismatch])
    );
    // A weekday's bank is of its own kind, whether or not the list of word classes knows
    // its words: Italian's does not know "lunedì".
    let evidence = "Il mercato del pesce apre ogni lunedì nella piazza del porto.";
    let weekdays = Candidate {
        exercise: Exercise::GapFill {
            sentence: format!("Il mercato del pesce apre ogni {GAP} nella piazza del porto."),
            answer: "lunedì".into(),
            options: ["martedì", "venerdì", "sabato", "lunedì"]
                .map(String::from)
                .to_vec(),
            evidence: evidence.into(),
        },
        origin: Origin::Constructed,
    };
    let article = ArticleText::new("it", evidence);
    let verified = futures_executor(verify(weekdays, &article, &reader, &[]));
    assert!(verified.is_ok(), "{:?}", verified.err().map(|r| r.reasons));

    // "In an _____ town hall meeting": a month said with a vowel first among months that
    // are not (real English news).
    let evidence = "In an October town hall meeting, students raised worries about privacy.";
    let months = |options: &[&str]| Candidate {
        exercise: Exercise::GapFill {
            sentence: evidence.replace("October", GAP),
            answer: "October".into(),
            options: options
                .iter()
                .map(|o| o.to_string())
                .chain(["October".into()])
                .collect(),
            evidence: evidence.into(),
        },
        origin: Origin::Constructed,
    };
    let article = ArticleText::new("en", evidence);
    let verified = futures_executor(verify(months(&["April", "August"]), &article, &reader, &[]));
    assert!(verified.is_ok(), "{:?}", verified.err().map(|r| r.reasons));
    let verified = futures_executor(verify(months(&["April", "March"]), &article, &reader, &[]));
    assert_eq!(
        verified.err().map(|r| r.reasons),
        Some(vec![Reason::OptionClassMismatch])
    );
}

#[test]
fn true_false_statements_are_checked_against_the_evidence() {
    let tf = |statement: &str, answer: bool| Candidate {
        exercise: Exercise::TrueFalse {
            statement: statement.into(),
            answer,
            evidence: S2.into(),
        },
        origin: Origin::Constructed,
    };
    let reader = FixedReader {
        choice: 0,
        span: "",
    };
    // A true statement that copies its sentence is answered by matching.
    assert_eq!(
        check(tf(S2, true), &reader),
        Err(vec![Reason::StatementCopiesEvidence])
    );
    // A number restated as a comparison: its truth is arithmetic.
    let more =
        |m: &str| format!("Engineers from Alden College built the robot for more than {m} euros.");
    assert!(check(tf(&more("10,000"), true), &reader).is_ok());
    assert!(check(tf(&more("20,000"), false), &reader).is_ok());
    assert_eq!(
        check(tf(&more("20,000"), true), &reader),
        Err(vec![Reason::StatementUnsupported])
    );
    assert_eq!(
        check(tf(&more("12,000"), true), &reader),
        Err(vec![Reason::StatementUnsupported]),
        "12,000 is not more than 12,000"
    );
    assert_eq!(
        check(tf(&more("10,000"), false), &reader),
        Err(vec![Reason::StatementNotFalse])
    );
    // Anything else changed besides the number is no restatement.
    assert_eq!(
        check(
            tf(
                "Engineers from Alden College sold the robot for more than 10,000 euros.",
                true
            ),
            &reader
        ),
        Err(vec![Reason::StatementUnsupported])
    );
    assert!(
        check(
            tf(
                "Engineers from Alden College built the robot for 340 euros.",
                false
            ),
            &reader
        )
        .is_ok()
    );
    // Claimed false, but it is what the article says.
    assert_eq!(
        check(tf(S2, false), &reader),
        Err(vec![Reason::StatementNotFalse])
    );
    // Or what it says, written otherwise (real German news: "zum 01.09.2015" restated as
    // "zum 1.9.2015" and claimed false).
    let evidence = "Er wird mit Wirkung zum 01.09.2015 Vorstand der Eintracht Frankfurt.";
    let same_date = Candidate {
        exercise: Exercise::TrueFalse {
            statement: evidence.replace("01.09.2015", "1.9.2015"),
            answer: false,
            evidence: evidence.into(),
        },
        origin: Origin::Constructed,
    };
    let verified = futures_executor(verify(
        same_date,
        &ArticleText::new("de", evidence),
        &reader,
        &[],
    ));
    assert_eq!(
        verified.err().map(|r| r.reasons),
        Some(vec![Reason::StatementNotFalse])
    );
    // Claimed true, but the number is changed.
    assert_eq!(
        check(
            tf(
                "Engineers from Alden College built the robot for 340 euros.",
                true
            ),
            &reader
        ),
        Err(vec![Reason::StatementUnsupported])
    );
}

#[test]
fn duplicates_within_a_lesson_are_rejected() {
    let reader = FixedReader {
        choice: 0,
        span: "340 kilograms",
    };
    let q = short(
        "How many kilograms of plastic did the robot collect?",
        "340",
        S1,
    );
    let article = article();
    let first = futures_executor(verify(q.clone(), &article, &reader, &[])).unwrap();
    let again = futures_executor(verify(q, &article, &reader, &[first]));
    assert_eq!(again.unwrap_err().reasons, vec![Reason::Duplicate]);
    // One key asked for twice, from two sentences: the second gives nothing to find.
    let year = |question: &str, evidence: &str| Exercise::ShortAnswer {
        question: question.into(),
        answer: "2019".into(),
        evidence: evidence.into(),
    };
    let asked = year(
        "In which year did they create a beta?",
        "They created a beta in 2019.",
    );
    let again = year(
        "In which year did the test escalate?",
        "The beta test in 2019 escalated into a full migration.",
    );
    assert!(checks::is_duplicate(&again, std::iter::once(&asked)));
    let other = Exercise::ShortAnswer {
        question: "In which year did the test end?".into(),
        answer: "2020".into(),
        evidence: "The test ended in 2020.".into(),
    };
    assert!(!checks::is_duplicate(&other, std::iter::once(&asked)));
}

#[test]
fn an_item_that_shows_another_items_key_in_its_place_gives_it_away() {
    let gap = gap_of(&["340", "12,000", "6"]).exercise;
    let statement = |statement: &str| Exercise::TrueFalse {
        statement: statement.into(),
        answer: false,
        evidence: S1.into(),
    };
    // "12,000 euros" (the key and the word after it) and "for 12,000" answer the gap.
    let shows = statement("The robot, built for 12,000 euros, collected 300 kilograms.");
    let before =
        statement("The robot cost them all in all for 12,000, and collected 300 kilograms.");
    // The number alone, elsewhere, does not.
    let elsewhere = statement("The robot collected 12,000 bottles from the harbour.");
    for (other, gives) in [(&shows, true), (&before, true), (&elsewhere, false)] {
        assert_eq!(
            checks::gives_away(&gap, std::iter::once(other)),
            gives,
            "{other:?}"
        );
        // Whichever came first.
        assert_eq!(
            checks::gives_away(other, std::iter::once(&gap)),
            gives,
            "{other:?}"
        );
    }
    // Another bank that offers the key among its options gives nothing away.
    let bank = Exercise::GapFill {
        sentence: format!("A small robot called Skimmer collected {GAP} kilograms of plastic."),
        answer: "340".into(),
        options: vec!["340".into(), "12,000".into(), "6".into()],
        evidence: S1.into(),
    };
    assert!(!checks::gives_away(&gap, std::iter::once(&bank)));
}

#[test]
fn items_that_ask_for_one_fact_answer_each_other() {
    // Real German news: one lesson asked three times when the show is.
    let show = "Die größte Angelshow findet am 21. und 22. Mai 2022 im IGA Park statt.";
    let gap = Exercise::GapFill {
        sentence: show.replace("Mai", GAP),
        answer: "Mai".into(),
        options: vec!["Mai".into(), "Juli".into(), "Januar".into()],
        evidence: show.into(),
    };
    let false_month = |statement: &str, evidence: &str| Exercise::TrueFalse {
        statement: statement.into(),
        answer: false,
        evidence: evidence.into(),
    };
    let again = false_month(
        "Im IGA Park schwingen im Februar 2022 viele Angler ihre Ruten.",
        "Im IGA Park schwingen im Mai 2022 viele Angler ihre Ruten.",
    );
    assert!(checks::gives_away(&again, std::iter::once(&gap)));
    assert!(checks::gives_away(&gap, std::iter::once(&again)));
    // Another fact of the same month is another question.
    let other = false_month(
        "Der Verein wurde im Februar gegründet und wuchs schnell.",
        "Der Verein wurde im Mai gegründet und wuchs schnell.",
    );
    assert!(!checks::gives_away(&other, std::iter::once(&gap)));
}

#[test]
fn short_answers_match_by_content_and_numbers() {
    assert!(checks::answers_match(
        "en",
        "340 kilograms of plastic",
        "340 kilograms"
    ));
    assert!(!checks::answers_match("en", "six weeks", "340 kilograms"));
}

/// A reader that knows the answer without reading anything.
struct KnowItAll;

impl AnswerModel for KnowItAll {
    async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
        Ok(0)
    }

    async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
        Ok(String::new())
    }
}

#[test]
fn a_question_answerable_without_the_article_is_rejected() {
    let options = ["12,000 euros", "340 euros", "2 million euros", "6 euros"];
    let q = mc(
        "How much did the engineers pay to build the robot?",
        &options,
        0,
        S2,
    );
    let article = article();
    let got = futures_executor(verify(q, &article, &KnowItAll, &[]));
    assert_eq!(
        got.unwrap_err().reasons,
        vec![Reason::AnswerableWithoutArticle]
    );
}

#[test]
fn a_question_another_sentence_answers_with_a_wrong_option_is_rejected() {
    // From a lesson on real English news (B2): the article lists several stocks, each with
    // its "The stock's 52-week high is …".
    let article = ArticleText::new(
        "en",
        "Vivus dropped about 6% on Monday. The stock’s 52-week high is $10.12.\n\n\
         Transocean Partners posted a new low on Monday. The stock’s 52-week high is $29.43.",
    );
    let reader = FixedReader {
        choice: 1,
        span: "",
    };
    let verdict = |options: &[&str]| {
        let candidate = Candidate {
            origin: Origin::Phrased,
            ..mc(
                "How much is the stock’s 52-week high?",
                options,
                1,
                "The stock’s 52-week high is $10.12.",
            )
        };
        futures_executor(verify(candidate, &article, &reader, &[])).map_err(|r| r.reasons)
    };
    assert_eq!(
        verdict(&["$13.18", "$10.12", "$29.43", "$14.32"]).err(),
        Some(vec![Reason::DistractorSupported])
    );
    assert!(verdict(&["$13.18", "$10.12", "$20.24", "$14.32"]).is_ok());
}

#[test]
fn a_phrased_question_is_held_to_its_sentence_and_asks_for_the_key() {
    let phrased = |question: &str, answer: usize, options: &[&str], evidence: &str| Candidate {
        origin: Origin::Phrased,
        ..mc(question, options, answer, evidence)
    };
    // S1 has one count of kilograms: nothing for the reader to choose among.
    let reader = FixedReader {
        choice: 3,
        span: "",
    };
    let kilograms = ["170", "340", "680", "440"];
    assert_eq!(
        check(
            phrased(
                "How many kilograms of plastic did Skimmer collect?",
                1,
                &kilograms,
                S1
            ),
            &reader
        ),
        Err(vec![Reason::UngrammaticalQuestion]),
        "the clause's subject is 'A small robot called Skimmer', not 'Skimmer'"
    );
    let s = "The robot collected 340 kilograms last month.";
    let article = ArticleText::new("en", &format!("{ARTICLE}\n\n{s}"));
    let verdict = |c: Candidate, reader: &FixedReader| {
        futures_executor(verify(c, &article, reader, &[]))
            .map(|v| v.checks().to_vec())
            .map_err(|r| r.reasons)
    };
    assert_eq!(
        verdict(
            phrased(
                "How many kilograms did the robot collect last month?",
                1,
                &kilograms,
                s
            ),
            &reader
        ),
        Ok(vec!["form", "grounding", "fit", "phrasing", "round_trip"])
    );
    assert_eq!(
        verdict(
            phrased(
                "How many kilograms did the robot collected?",
                1,
                &kilograms,
                s
            ),
            &reader
        ),
        Err(vec![Reason::UngrammaticalQuestion])
    );
    // Two counts of kilograms in the sentence: the reader must choose the key among them.
    let s = "The robot collected 340 kilograms, and the boat collected 120 kilograms.";
    let article = ArticleText::new("en", &format!("{ARTICLE}\n\n{s}"));
    let ask = |reader: &FixedReader| {
        futures_executor(verify(
            phrased(
                "How many kilograms did the robot collect?",
                1,
                &kilograms,
                s,
            ),
            &article,
            reader,
            &[],
        ))
        .map_err(|r| r.reasons)
        .map(|_| ())
    };
    assert_eq!(
        ask(&FixedReader {
            choice: 0,
            span: ""
        }),
        Ok(())
    );
    assert_eq!(
        ask(&FixedReader {
            choice: 1,
            span: ""
        }),
        Err(vec![Reason::RoundTripDisagrees])
    );
    // A count of something else, or one the question says itself, is none of its
    // answers: nothing left to choose.
    let s = "The robot collected 340 kilograms in 6 weeks.";
    let article = ArticleText::new("en", &format!("{ARTICLE}\n\n{s}"));
    let weeks = futures_executor(verify(
        phrased(
            "How many kilograms did the robot collect in 6 weeks?",
            1,
            &kilograms,
            s,
        ),
        &article,
        &FixedReader {
            choice: 1,
            span: "",
        },
        &[],
    ));
    assert!(weeks.is_ok(), "{:?}", weeks.err().map(|r| r.reasons));
    // "Who" is answered by the article's people only: not by the Sugar Bowl of its
    // sentence, which a reader choosing it would have made disagree.
    let s = "Before the Sugar Bowl, Holtz didn't mind boasting about the Buckeyes.";
    let article = ArticleText::new(
        "en",
        &format!(
            "Lou Holtz said the playoff would be close.\n\nMark Davis said the game was long.\n\n\
             Ann Smith said the team was ready.\n\n{s}"
        ),
    );
    let boasting = futures_executor(verify(
        phrased(
            "Who didn't mind boasting about the Buckeyes?",
            0,
            &["Holtz", "Davis", "Smith"],
            s,
        ),
        &article,
        &FixedReader {
            choice: 0,
            span: "",
        },
        &[],
    ));
    assert!(boasting.is_ok(), "{:?}", boasting.err().map(|r| r.reasons));
    // A person whose name opens the sentence is a candidate too (real English news, B1:
    // "Who says he supports …?" was misdirected, its key in no capital run).
    let s = "Kenneth Preston, a Broward County high school student, says he supports cameras \
             that Jay Stanley fears.";
    let article = ArticleText::new(
        "en",
        &format!(
            "Superintendent Robert Runcie said the cameras were ready.\n\nJay Stanley said \
             the cameras were a risk.\n\nAnn Lee said the school was calm.\n\n{s}"
        ),
    );
    let supports = |choice: usize| {
        futures_executor(verify(
            phrased(
                "Who says he supports cameras?",
                1,
                &["Robert Runcie", "Kenneth Preston", "Ann Lee"],
                s,
            ),
            &article,
            &FixedReader { choice, span: "" },
            &[],
        ))
        .map(|_| ())
        .map_err(|r| r.reasons)
    };
    assert_eq!(supports(0), Ok(()));
    assert_eq!(supports(1), Err(vec![Reason::RoundTripDisagrees]));
    // Its surname alone is no other candidate: a reader choosing "Preston" would disagree.
    let s = "Kenneth Preston, a Broward County high school student, says he supports cameras.";
    let article = ArticleText::new(
        "en",
        &format!(
            "Superintendent Robert Runcie said the cameras were ready.\n\nAnn Lee said the \
             school was calm.\n\n{s}"
        ),
    );
    let alone = futures_executor(verify(
        phrased(
            "Who says he supports cameras?",
            1,
            &["Robert Runcie", "Kenneth Preston", "Ann Lee"],
            s,
        ),
        &article,
        &FixedReader {
            choice: 1,
            span: "",
        },
        &[],
    ));
    assert!(alone.is_ok(), "{:?}", alone.err().map(|r| r.reasons));
}
