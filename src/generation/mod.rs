//! `generation/`: which questions can we ask about this article?
//!
//! [`Generator`] asks the model (through the engine in `llm`) for exercises under a grammar
//! that makes the evidence a verbatim article sentence and the answer a span of it; malformed
//! or truncated replies are retried a bounded number of times with another seed and then
//! reported as failures. `construct` builds exercises that are right by construction.
//! The generator is also the model-as-reader that verification's round trip asks.

mod construct;
mod grammar;
mod llm;
mod prompts;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde::Deserialize;

pub use construct::{
    BANK_WRONG, Pruned, QuestionPlan, Rng, constructed_exercises, names_one_of, people,
    prune_banks, question_plans, text_items_wanted, trim_bank,
};
pub use grammar::Shape;
pub use llm::{
    ChatPrompt, Completion, CompletionRequest, Engine, EngineStats, LlmError, ModelInfo, StopReason,
};

use crate::analysis::{AnswerModel, ArticleText};
use crate::articles::Cefr;
use crate::config::ModelConfig;
use crate::exercise::Calibrated;
use crate::exercise::{Candidate, Exercise, Origin};

/// Why a model reply gave no candidate, before verification saw anything. Codes are stable:
/// they are stored and counted beside verification's rejection reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyFailure {
    /// The reply was not the JSON asked for.
    Malformed,
    /// The reply was cut off (token or time limit).
    Truncated,
    /// The model could not be run for this request.
    ModelError,
}

impl ReplyFailure {
    pub fn code(self) -> &'static str {
        match self {
            ReplyFailure::Malformed => "malformed_reply",
            ReplyFailure::Truncated => "truncated_reply",
            ReplyFailure::ModelError => "model_error",
        }
    }
}

/// A model reply that could not be turned into a candidate.
#[derive(Debug, Clone)]
pub struct GenerationFailure {
    pub reason: ReplyFailure,
    /// What went wrong, for the run report.
    pub detail: String,
    /// The raw reply, when there was one.
    pub raw: String,
}

/// The model as writer and reader of exercises.
#[derive(Clone)]
pub struct Generator {
    engine: Engine,
    config: ModelConfig,
    /// The model-judged kinds this model file has passed a calibration of, by language
    /// (`hyperlearn calibrate`); the lesson stage sets them from the store.
    calibrated: Arc<RwLock<HashMap<String, Calibrated>>>,
    /// The model file's sha256, read once: the key of its calibrations.
    sha256: Arc<OnceLock<Result<String, String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct McReply {
    evidence: String,
    question: String,
    answer: String,
    wrong: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShortReply {
    evidence: String,
    question: String,
    answer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyReply {
    evidence: String,
    word: String,
    meaning: String,
    wrong: Vec<String>,
}

#[derive(Deserialize)]
struct SpanReply {
    answer: String,
}

impl Generator {
    /// Loads the model named in the config.
    pub fn start(config: &ModelConfig) -> Result<Generator, LlmError> {
        Ok(Generator {
            engine: Engine::start(config)?,
            config: config.clone(),
            calibrated: Arc::default(),
            sha256: Arc::default(),
        })
    }

    /// The sha256 of the model file (hex), read on first use.
    pub fn model_sha256(&self) -> Result<String, String> {
        self.sha256
            .get_or_init(|| {
                let path = &self.config.path;
                model_file_sha256(path).map_err(|e| format!("model {}: {e}", path.display()))
            })
            .clone()
    }

    /// The model-judged kinds this model may judge in `lang`: those it passed a calibration
    /// of. None until [`Generator::set_calibrated`].
    pub fn calibrated(&self, lang: &str) -> Calibrated {
        let by_lang = self.calibrated.read().unwrap_or_else(|p| p.into_inner());
        by_lang.get(lang).copied().unwrap_or_default()
    }

    /// Replaces the kinds this model may judge, by language.
    pub fn set_calibrated(&self, by_lang: HashMap<String, Calibrated>) {
        *self.calibrated.write().unwrap_or_else(|p| p.into_inner()) = by_lang;
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn request(
        &self,
        prompt: ChatPrompt,
        grammar: String,
        max_tokens: u32,
        temperature: f32,
        seed: u32,
    ) -> CompletionRequest {
        CompletionRequest {
            prompt,
            grammar: Some(grammar),
            max_tokens,
            temperature,
            seed,
            timeout: self.config.request_timeout,
            ignore_eog: false,
        }
    }

    /// Asks for one exercise of the given shape about `article`, with evidence chosen from
    /// `sentences`. Returns the candidate (if any attempt gave one) and every failed attempt.
    pub async fn write_exercise(
        &self,
        article: &ArticleText,
        sentences: &[&str],
        shape: Shape,
        level: Cefr,
        seed: u32,
    ) -> (Option<Candidate>, Vec<GenerationFailure>) {
        let mut failures = Vec::new();
        if sentences.is_empty() {
            return (None, failures);
        }
        let grammar = grammar::exercise_grammar(article.lang(), sentences, shape);
        let (text, lang, level) = (article.text(), article.lang(), level.as_str());
        let prompt = match shape {
            Shape::MultipleChoice => prompts::multiple_choice(text, lang, level),
            Shape::ShortAnswer => prompts::short_answer(text, lang, level),
            Shape::Vocabulary => prompts::vocabulary(text, lang, level),
        };
        for attempt in 0..=self.config.retries {
            let attempt_seed = seed.wrapping_add(attempt.wrapping_mul(7919));
            let request = self.request(
                prompt.clone(),
                grammar.clone(),
                self.config.max_tokens,
                self.config.temperature,
                attempt_seed,
            );
            match self.engine.complete(request).await {
                Err(e) => failures.push(GenerationFailure {
                    reason: ReplyFailure::ModelError,
                    detail: e.to_string(),
                    raw: String::new(),
                }),
                Ok(c) if c.stop != StopReason::Finished => failures.push(GenerationFailure {
                    reason: ReplyFailure::Truncated,
                    detail: format!(
                        "reply cut off after {} tokens ({:?})",
                        c.generated_tokens, c.stop
                    ),
                    raw: c.text,
                }),
                Ok(c) => match parse_exercise(&c.text, shape, attempt_seed, article.lang()) {
                    Ok(exercise) => {
                        return (
                            Some(Candidate {
                                exercise,
                                origin: Origin::Model,
                            }),
                            failures,
                        );
                    }
                    Err(detail) => failures.push(GenerationFailure {
                        reason: ReplyFailure::Malformed,
                        detail,
                        raw: c.text,
                    }),
                },
            }
        }
        (None, failures)
    }
}

impl Generator {
    /// `questions` (phrasings of one plan's question) as the model reads them, most natural
    /// first: by the log-probability it gives each after the evidence sentence, per word,
    /// so that a question is not ranked lower for its length alone.
    pub async fn rank_phrasings(
        &self,
        evidence: &str,
        questions: Vec<String>,
    ) -> Result<Vec<String>, LlmError> {
        let context = format!("{evidence}\n");
        let mut ranked = Vec::with_capacity(questions.len());
        for question in questions {
            let total = self.engine.log_likelihood(&context, &question).await?;
            let words = question.split_whitespace().count().max(1);
            ranked.push((total / words as f64, question));
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(ranked.into_iter().map(|(_, q)| q).collect())
    }
}

/// Turns a reply into an exercise. For multiple choice, the right answer's place among the
/// options is drawn from the seed.
fn parse_exercise(reply: &str, shape: Shape, seed: u32, lang: &str) -> Result<Exercise, String> {
    match shape {
        Shape::Vocabulary => {
            let r: VocabularyReply = serde_json::from_str(reply.trim())
                .map_err(|e| format!("not the JSON asked for: {e}"))?;
            if r.wrong.len() != 3 {
                return Err(format!("{} wrong meanings instead of 3", r.wrong.len()));
            }
            let mut options: Vec<String> = r.wrong.iter().map(|w| w.trim().to_string()).collect();
            let answer = (seed as usize) % 4;
            options.insert(answer, r.meaning.trim().to_string());
            Ok(Exercise::Vocabulary {
                question: crate::exercise::vocabulary_question(lang, &r.word),
                word: r.word,
                options,
                answer,
                evidence: r.evidence,
            })
        }
        Shape::MultipleChoice => {
            let r: McReply = serde_json::from_str(reply.trim())
                .map_err(|e| format!("not the JSON asked for: {e}"))?;
            if r.wrong.len() != 3 {
                return Err(format!("{} wrong answers instead of 3", r.wrong.len()));
            }
            let mut options: Vec<String> = r.wrong.iter().map(|w| w.trim().to_string()).collect();
            let answer = (seed as usize) % 4;
            options.insert(answer, r.answer.trim().to_string());
            Ok(Exercise::MultipleChoice {
                question: r.question.trim().to_string(),
                options,
                answer,
                evidence: r.evidence,
            })
        }
        Shape::ShortAnswer => {
            let r: ShortReply = serde_json::from_str(reply.trim())
                .map_err(|e| format!("not the JSON asked for: {e}"))?;
            Ok(Exercise::ShortAnswer {
                question: r.question.trim().to_string(),
                answer: r.answer.trim().to_string(),
                evidence: r.evidence,
            })
        }
    }
}

/// The sha256 of a model file, hex: the key of its calibrations.
pub fn model_file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

impl AnswerModel for Generator {
    async fn choose(
        &self,
        context: &str,
        question: &str,
        options: &[String],
    ) -> Result<usize, String> {
        let request = self.request(
            prompts::choose(context, question, options),
            grammar::choice_grammar(options.len()),
            2,
            0.0,
            0,
        );
        let c = self
            .engine
            .complete(request)
            .await
            .map_err(|e| e.to_string())?;
        let letter = c.text.trim().chars().next().ok_or("empty reply")?;
        let index = (letter as u32).wrapping_sub('A' as u32) as usize;
        if index < options.len() {
            Ok(index)
        } else {
            Err(format!("reply `{}` is not an option", c.text))
        }
    }

    async fn answer_span(&self, context: &str, question: &str) -> Result<String, String> {
        let sentences = crate::text::sentences(context);
        if sentences.is_empty() {
            return Err("empty context".into());
        }
        let request = self.request(
            prompts::answer_span(context, question),
            grammar::span_answer_grammar(&sentences),
            64,
            0.0,
            0,
        );
        let c = self
            .engine
            .complete(request)
            .await
            .map_err(|e| e.to_string())?;
        if c.stop != StopReason::Finished {
            return Err(format!("answer cut off: {}", c.text));
        }
        serde_json::from_str::<SpanReply>(c.text.trim())
            .map(|r| r.answer)
            .map_err(|e| e.to_string())
    }

    async fn log_likelihood(&self, context: &str, text: &str) -> Result<Option<f64>, String> {
        self.engine
            .log_likelihood(context, text)
            .await
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_parse_into_exercises_with_the_key_placed_by_seed() {
        let reply = r#"{"evidence": "It cost 5 euros.", "question": "How much did it cost?", "answer": "5 euros", "wrong": ["6 euros", "7 euros", "8 euros"]}"#;
        for seed in 0..4 {
            let Exercise::MultipleChoice {
                options, answer, ..
            } = parse_exercise(reply, Shape::MultipleChoice, seed, "en").unwrap()
            else {
                panic!("not multiple choice")
            };
            assert_eq!(answer, seed as usize);
            assert_eq!(options[answer], "5 euros");
            assert_eq!(options.len(), 4);
        }
        assert!(parse_exercise("{\"evidence\": \"x\"", Shape::ShortAnswer, 0, "en").is_err());
        assert!(
            parse_exercise(
                r#"{"evidence": "a", "question": "b", "answer": "c", "wrong": ["d"]}"#,
                Shape::MultipleChoice,
                0,
                "en"
            )
            .is_err()
        );
    }
}

#[cfg(test)]
mod redteam_tests;
