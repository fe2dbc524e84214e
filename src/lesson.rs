//! A lesson that may be sent: an article and at least the configured minimum of exercises,
//! every one of which passed verification. [`VerifiedLesson::new`] is the only way to make
//! one, and delivery takes nothing else.

use chrono::NaiveDate;

use crate::verification::VerifiedExercise;

/// The article a lesson is about.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonArticle {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub lang: String,
    pub cefr: String,
    pub source: String,
    pub published: Option<String>,
    pub text: String,
}

/// The learner a lesson is for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonLearner {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub lang: String,
    pub cefr: String,
}

/// A word of the article that is likely new to the learner, with its sentence.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct GlossaryEntry {
    pub word: String,
    pub sentence: String,
}

/// The sentences exercises are about (each of an order exercise's), normalised: a
/// glossary must not quote them, or it gives an answer away (a gap's word, the number a
/// true/false statement changes).
pub fn exercise_sentences(exercises: &[VerifiedExercise]) -> std::collections::HashSet<String> {
    exercises
        .iter()
        .flat_map(|v| {
            v.exercise()
                .evidence()
                .split(crate::exercise::ORDER_SEPARATOR)
                .map(crate::text::normalize)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Too few exercises passed verification to make a lesson.
#[derive(Debug, thiserror::Error)]
#[error("only {got} verified exercises for article {article_id} (at least {min} needed)")]
pub struct TooFewExercises {
    pub article_id: i64,
    pub got: usize,
    pub min: usize,
}

/// A lesson whose every exercise is verified.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifiedLesson {
    learner: LessonLearner,
    article: LessonArticle,
    date: NaiveDate,
    exercises: Vec<VerifiedExercise>,
    glossary: Vec<GlossaryEntry>,
}

impl VerifiedLesson {
    /// Puts a lesson together; fails when fewer than `min_exercises` are given.
    pub fn new(
        learner: LessonLearner,
        article: LessonArticle,
        date: NaiveDate,
        exercises: Vec<VerifiedExercise>,
        glossary: Vec<GlossaryEntry>,
        min_exercises: usize,
    ) -> Result<VerifiedLesson, TooFewExercises> {
        // A glossary line that quotes an exercise's sentence gives its answer away.
        let asked = exercise_sentences(&exercises);
        let mut glossary = glossary;
        glossary.retain(|g| !asked.contains(&crate::text::normalize(&g.sentence)));
        if exercises.len() < min_exercises {
            return Err(TooFewExercises {
                article_id: article.id,
                got: exercises.len(),
                min: min_exercises,
            });
        }
        Ok(VerifiedLesson {
            learner,
            article,
            date,
            exercises,
            glossary,
        })
    }

    pub fn learner(&self) -> &LessonLearner {
        &self.learner
    }

    pub fn article(&self) -> &LessonArticle {
        &self.article
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn exercises(&self) -> &[VerifiedExercise] {
        &self.exercises
    }

    pub fn glossary(&self) -> &[GlossaryEntry] {
        &self.glossary
    }
}
