//! `verification`: is every question answerable from the article, and is its key right?
//!
//! [`verify`] is the only constructor of [`VerifiedExercise`], and delivery only renders
//! `VerifiedExercise`s, so an exercise that did not pass every check cannot reach a learner.
//!
//! Checks, in order (the first failing group stops the rest; every failing check of a group
//! is recorded):
//! 0. proof: a model-written item whose key only a model could judge
//!    ([`crate::exercise::KeyProof::ModelJudgement`]) is refused, unless the model has
//!    passed a measured calibration of that kind in the article's language
//!    ([`calibration`], [`VerifyOptions::calibrated`]);
//! 1. form: fields present, sane lengths, no URLs or markup, the article's language;
//! 2. grounding: the evidence is a sentence of the article, the key is supported by it
//!    (stem-aware overlap; numbers and names must match exactly), distractors are not;
//! 3. fit: the question is about the evidence sentence, the key has the type the question
//!    asks for (a number for "how many", a name for "who" ...), the key is not given away
//!    by the question, no duplicate within the lesson;
//! 4. round trip (model-written exercises only): the model, reading the article and the
//!    question but not the key, gives the key; for options, also from the evidence
//!    sentence alone.
//!
//! Verification never touches the network: the model is reached through [`AnswerModel`].

pub mod calibration;
mod checks;

use std::fmt;

use crate::analysis::english::{self, QuestionFault};
use crate::exercise::{Candidate, Exercise, KeyProof, Origin};

pub use crate::analysis::addressed::{addresses_reader, quotable, without_addressed_paragraphs};
pub use crate::analysis::lexical::Profile;
pub use crate::analysis::{AnswerModel, ArticleText};
pub use calibration::Calibrated;

/// Why an exercise was rejected. Codes are stable: they are stored and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A field is empty or an option index is out of range.
    MissingField,
    /// Question, answer or options are too long or too short.
    BadLength,
    /// Text contains HTML or other markup.
    Markup,
    /// Text contains a URL.
    Url,
    /// Text reads like instructions to a language model (prompt injection in the article).
    LooksLikeInstructions,
    /// The question is not in the article's language.
    WrongLanguage,
    /// The evidence is not a sentence of the article.
    EvidenceNotInArticle,
    /// The key's words are not in the evidence sentence.
    KeyNotInEvidence,
    /// A number in the key is not in the evidence.
    NumberMismatch,
    /// A name in the key is not in the evidence.
    NameMismatch,
    /// A wrong option is supported by the evidence (two right answers).
    DistractorSupported,
    /// Options repeat each other.
    OptionsNotDistinct,
    /// The question gives the answer away.
    AnswerInQuestion,
    /// The question is about another sentence than the evidence.
    QuestionNotAboutEvidence,
    /// The key is not the kind of thing the question asks for.
    AnswerTypeMismatch,
    /// The word the question asks about is elsewhere in the sentence, not by the key.
    FocusElsewhere,
    /// No word of the question sits next to the key in its sentence.
    KeyNotNextToQuestion,
    /// Other candidates of the key's kind sit closer to the question's words.
    CloserCompetitor,
    /// A gap-fill sentence does not rebuild the evidence with its key.
    GapMismatch,
    /// A "true" statement is not supported by the evidence.
    StatementUnsupported,
    /// A "false" statement is not contradicted by the evidence.
    StatementNotFalse,
    /// Same question or same key and evidence as another exercise of the lesson.
    Duplicate,
    /// Another exercise of the lesson shows this one's key where its evidence has it, or
    /// this one shows another's: one answers the other.
    KeyShownElsewhere,
    /// A content word's word bank that no reader has judged: the model has not passed the
    /// bank calibration of the article's language, so a wrong option may fit the gap as well
    /// as the key.
    BankNotJudged,
    /// The model, answering without the key, gave another answer.
    RoundTripDisagrees,
    /// The model, answering from the evidence sentence alone, gave another answer.
    EvidenceOnlyDisagrees,
    /// The model could not be asked (error or timeout).
    RoundTripFailed,
    /// The model picks the key without reading the article: the question tests knowledge.
    AnswerableWithoutArticle,
    /// A model-written item whose key only a model could judge (a word's meaning), and no
    /// calibration has shown the model judges that kind reliably in the article's language.
    ModelJudgedKind,
    /// An option or key is not a word of the language: garbled tokens, mixed scripts,
    /// run-on strings, letters without a vowel.
    NonWord,
    /// A sentence stands where a word or short phrase is expected.
    SentenceAsOption,
    /// An option or key holds a word on the offensive-word list of the language.
    Offensive,
    /// A "true" statement copies its evidence sentence: it is answered by matching, not by
    /// understanding.
    StatementCopiesEvidence,
    /// An order exercise's key is not the order of its sentences in the article (or the
    /// sentences are shown in that order already).
    OrderMismatch,
    /// An order item the article says twice (a pull quote repeats it): it has no one place.
    OrderAmbiguous,
    /// A model-phrased question is not a grammatical question of its evidence sentence
    /// (a wrong verb form after do-support, repeated words, words not the sentence's); or
    /// any question is more than one sentence; or any prompt repeats words back to back
    /// where its evidence does not ("più di più di 300").
    UngrammaticalQuestion,
    /// A model-phrased question is the sentence's, but its gap is not the key.
    QuestionMisdirected,
    /// A word bank's option is of another word class than the key and its gap take, by the
    /// language's list of word classes, or does not fit the English "a" or "an" before the
    /// gap as the key does: grammar rules it out without reading.
    OptionClassMismatch,
    /// A question, key or option opens a quotation it does not close, or closes one it did
    /// not open: a piece cut out of the article's words (a key "The answer, the Vox founder
    /// suggests, is “the" on real English news).
    CutQuotation,
}

impl Reason {
    /// Whether this is the model's verdict (its round trip), not a rule of the program's.
    pub fn is_models(self) -> bool {
        matches!(
            self,
            Reason::RoundTripDisagrees
                | Reason::EvidenceOnlyDisagrees
                | Reason::RoundTripFailed
                | Reason::AnswerableWithoutArticle
        )
    }

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::MissingField => "missing_field",
            Reason::BadLength => "bad_length",
            Reason::Markup => "markup",
            Reason::Url => "url",
            Reason::LooksLikeInstructions => "looks_like_instructions",
            Reason::WrongLanguage => "wrong_language",
            Reason::EvidenceNotInArticle => "evidence_not_in_article",
            Reason::KeyNotInEvidence => "key_not_in_evidence",
            Reason::NumberMismatch => "number_mismatch",
            Reason::NameMismatch => "name_mismatch",
            Reason::DistractorSupported => "distractor_supported",
            Reason::OptionsNotDistinct => "options_not_distinct",
            Reason::AnswerInQuestion => "answer_in_question",
            Reason::QuestionNotAboutEvidence => "question_not_about_evidence",
            Reason::AnswerTypeMismatch => "answer_type_mismatch",
            Reason::FocusElsewhere => "focus_elsewhere",
            Reason::KeyNotNextToQuestion => "key_not_next_to_question",
            Reason::CloserCompetitor => "closer_competitor",
            Reason::GapMismatch => "gap_mismatch",
            Reason::StatementUnsupported => "statement_unsupported",
            Reason::StatementNotFalse => "statement_not_false",
            Reason::Duplicate => "duplicate",
            Reason::KeyShownElsewhere => "key_shown_elsewhere",
            Reason::BankNotJudged => "bank_not_judged",
            Reason::RoundTripDisagrees => "round_trip_disagrees",
            Reason::EvidenceOnlyDisagrees => "evidence_only_disagrees",
            Reason::RoundTripFailed => "round_trip_failed",
            Reason::AnswerableWithoutArticle => "answerable_without_article",
            Reason::ModelJudgedKind => "model_judged_kind",
            Reason::NonWord => "non_word",
            Reason::SentenceAsOption => "sentence_as_option",
            Reason::Offensive => "offensive",
            Reason::StatementCopiesEvidence => "statement_copies_evidence",
            Reason::OrderMismatch => "order_mismatch",
            Reason::OrderAmbiguous => "order_ambiguous",
            Reason::UngrammaticalQuestion => "ungrammatical_question",
            Reason::QuestionMisdirected => "question_misdirected",
            Reason::OptionClassMismatch => "option_class_mismatch",
            Reason::CutQuotation => "cut_quotation",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An exercise that passed every check. Only [`verify`] makes one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VerifiedExercise {
    exercise: Exercise,
    origin: Origin,
    checks: Vec<&'static str>,
}

impl VerifiedExercise {
    pub fn exercise(&self) -> &Exercise {
        &self.exercise
    }

    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// Names of the check groups it passed.
    pub fn checks(&self) -> &[&'static str] {
        &self.checks
    }
}

/// A rejected candidate and every reason found.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub candidate: Candidate,
    pub reasons: Vec<Reason>,
}

/// How verification runs.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions {
    /// Thresholds of the lexical fit rules.
    pub profile: Profile,
    /// Ask the model (round trip) for model-written exercises. Only diagnostics turn this
    /// off: the pipeline always asks.
    pub round_trip: bool,
    /// The model-judged kinds the model has passed a calibration of, in the article's
    /// language: only these are judged by its round trip; the others are refused.
    pub calibrated: Calibrated,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            profile: Profile::STRICT,
            round_trip: true,
            calibrated: Calibrated::default(),
        }
    }
}

/// A reader that cannot answer, for verification without the model (diagnostics).
pub struct NoModel;

impl AnswerModel for NoModel {
    async fn choose(&self, _: &str, _: &str, _: &[String]) -> Result<usize, String> {
        Err("no model".into())
    }

    async fn answer_span(&self, _: &str, _: &str) -> Result<String, String> {
        Err("no model".into())
    }
}

/// Runs every check on a candidate with the default options. `lesson` holds the exercises
/// already accepted for the same lesson (for the duplicate check).
pub async fn verify<M: AnswerModel>(
    candidate: Candidate,
    article: &ArticleText,
    model: &M,
    lesson: &[VerifiedExercise],
) -> Result<VerifiedExercise, Rejection> {
    verify_with(candidate, article, model, lesson, VerifyOptions::default()).await
}

/// [`verify`] with chosen options.
pub async fn verify_with<M: AnswerModel>(
    candidate: Candidate,
    article: &ArticleText,
    model: &M,
    lesson: &[VerifiedExercise],
    options: VerifyOptions,
) -> Result<VerifiedExercise, Rejection> {
    let reject = |candidate: Candidate, reasons: Vec<Reason>| Err(Rejection { candidate, reasons });
    let mut passed = Vec::new();
    if candidate.key_proof() == KeyProof::ModelJudgement
        && !options.calibrated.allows(&candidate.exercise)
    {
        return reject(candidate, vec![Reason::ModelJudgedKind]);
    }
    let ex = &candidate.exercise;

    let form = checks::form(ex, article.lang());
    if !form.is_empty() {
        return reject(candidate, form);
    }
    passed.push("form");

    let grounding = checks::grounding(ex, article);
    if !grounding.is_empty() {
        return reject(candidate, grounding);
    }
    passed.push("grounding");

    // A phrased question's words are held to its sentence by the phrasing check below,
    // which is stricter than the lexical rules written for free model questions.
    let mut fit = if candidate.origin == Origin::Phrased {
        Vec::new()
    } else {
        checks::fit(ex, article, options.profile)
    };
    if checks::is_duplicate(ex, lesson.iter().map(|v| &v.exercise)) {
        fit.push(Reason::Duplicate);
    } else if checks::gives_away(ex, lesson.iter().map(|v| &v.exercise)) {
        fit.push(Reason::KeyShownElsewhere);
    }
    if !fit.is_empty() {
        return reject(candidate, fit);
    }
    passed.push("fit");

    if candidate.origin == Origin::Phrased {
        if let Err(reason) = phrasing(ex, article) {
            return reject(candidate, vec![reason]);
        }
        passed.push("phrasing");
    }

    if options.round_trip {
        let round_trip = match candidate.origin {
            Origin::Model => checks::round_trip(ex, article, model).await,
            Origin::Phrased => phrased_round_trip(ex, article, model).await,
            Origin::Constructed => Vec::new(),
        };
        if !round_trip.is_empty() {
            return reject(candidate, round_trip);
        }
        if candidate.origin != Origin::Constructed {
            passed.push("round_trip");
        }
    }

    Ok(VerifiedExercise {
        exercise: candidate.exercise,
        origin: candidate.origin,
        checks: passed,
    })
}

/// Verifies again an exercise kept in an exercise set (made once, reused for every learner
/// of the article at that level): every check runs anew on the same article text (rules
/// may have changed since the set was made; a model-judged kind needs a calibration still),
/// except the round trip, which is the one recorded when the set was made
/// (`round_trip_passed`): the model read this article and agreed with the key then, and it
/// is not asked again for each learner.
pub async fn reverify(
    candidate: Candidate,
    article: &ArticleText,
    lesson: &[VerifiedExercise],
    calibrated: Calibrated,
    round_trip_passed: bool,
) -> Result<VerifiedExercise, Rejection> {
    let options = VerifyOptions {
        round_trip: false,
        calibrated,
        ..VerifyOptions::default()
    };
    let mut verified = verify_with(candidate, article, &NoModel, lesson, options).await?;
    if verified.origin != Origin::Constructed {
        if !round_trip_passed {
            return Err(Rejection {
                candidate: Candidate {
                    exercise: verified.exercise,
                    origin: verified.origin,
                },
                reasons: vec![Reason::RoundTripFailed],
            });
        }
        verified.checks.push("round_trip");
    }
    Ok(verified)
}

/// Whether a model-phrased multiple-choice question is a grammatical question of its
/// evidence sentence whose gap is the key ([`english::check`]).
fn phrasing(ex: &Exercise, article: &ArticleText) -> Result<(), Reason> {
    let Exercise::MultipleChoice {
        question,
        options,
        answer,
        evidence,
    } = ex
    else {
        return Err(Reason::UngrammaticalQuestion);
    };
    english::check(article, question, evidence, &options[*answer]).map_err(|f| match f {
        QuestionFault::Ungrammatical => Reason::UngrammaticalQuestion,
        QuestionFault::Misdirected => Reason::QuestionMisdirected,
    })
}

/// The round trip of a phrased question: the model, reading the article and the question,
/// chooses among the evidence sentence's spans of the key's kind (for "Who", the article's
/// people: "Who didn't mind boasting …?" is not answered by Ohio State or the Sugar Bowl of
/// its sentence). With one such span there is nothing to choose: the phrasing check has
/// put the question's gap on it.
async fn phrased_round_trip<M: AnswerModel>(
    ex: &Exercise,
    article: &ArticleText,
    model: &M,
) -> Vec<Reason> {
    let (question, key) = (ex.prompt(), ex.answer_text());
    let mut spans = english::candidate_spans(question, ex.evidence());
    // A span the question itself says is none of its answers: "Who confirmed that Dr
    // David Estwick would contest the post?" is not answered by Dr David Estwick.
    let asked = question.to_lowercase();
    spans.retain(|s| *s == key || !crate::text::has_phrase(&asked, &s.to_lowercase()));
    if question.starts_with("Who") {
        let people = crate::generation::people(article);
        spans.retain(|s| *s == key || crate::generation::names_one_of(&people, s));
        // A person whose name opens the sentence ("Kenneth Preston, a Broward County high
        // school student, says …"): the run that opens a sentence is no candidate, since its
        // capital may be only the sentence's (its tail, "Preston", is), but the article's
        // people are known.
        if ex.evidence().starts_with(key.as_str())
            && !spans.contains(&key)
            && crate::generation::names_one_of(&people, &key)
        {
            let name = &ex.evidence()[..key.len()];
            spans.retain(|s| !name.ends_with(s.as_str()));
            spans.insert(0, key.clone());
        }
    }
    let Some(right) = spans.iter().position(|s| *s == key) else {
        return vec![Reason::QuestionMisdirected];
    };
    if spans.len() < 2 {
        return Vec::new();
    }
    match model.choose(article.text(), question, &spans).await {
        Ok(i) if i == right => Vec::new(),
        Ok(_) => vec![Reason::RoundTripDisagrees],
        Err(_) => vec![Reason::RoundTripFailed],
    }
}

/// Keeps the first of exercises that ask the same question or share key and evidence, or
/// give each other's key away; the others are rejected. For exercises verified
/// independently (at once).
pub fn deduplicate(exercises: Vec<VerifiedExercise>) -> (Vec<VerifiedExercise>, Vec<Rejection>) {
    let mut kept: Vec<VerifiedExercise> = Vec::new();
    let mut dropped = Vec::new();
    for v in exercises {
        let reason = if checks::is_duplicate(&v.exercise, kept.iter().map(|k| &k.exercise)) {
            Some(Reason::Duplicate)
        } else if checks::gives_away(&v.exercise, kept.iter().map(|k| &k.exercise)) {
            Some(Reason::KeyShownElsewhere)
        } else {
            None
        };
        match reason {
            Some(reason) => dropped.push(Rejection {
                candidate: Candidate {
                    exercise: v.exercise,
                    origin: v.origin,
                },
                reasons: vec![reason],
            }),
            None => kept.push(v),
        }
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests;
