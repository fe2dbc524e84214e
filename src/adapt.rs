//! A level that adapts: after each scored lesson, the learner's level estimate moves toward
//! what the score says, Elo-style: the expected score follows from the gap between the
//! learner's level and the article's difficulty; the estimate moves by a damped share of the
//! surprise (observed minus expected), so one lesson never swings it far.

/// How steeply the chance of answering rises with the level gap (per CEFR band).
pub const SLOPE: f64 = 1.7;
/// How far one lesson's surprise moves the estimate (in bands per unit of surprise).
pub const STEP: f64 = 0.8;
/// No single lesson moves the estimate more than this (in bands).
pub const MAX_MOVE: f64 = 0.5;

/// The expected share of right answers for a learner at `level` on an article of
/// `difficulty` (both on the 1.0-6.0 scale).
pub fn expected_score(level: f64, difficulty: f64) -> f64 {
    1.0 / (1.0 + (-(level - difficulty) * SLOPE).exp())
}

/// The new level estimate after a lesson on an article of `difficulty` scored `score`
/// (share of right answers, 0..1).
pub fn updated_level(level: f64, difficulty: f64, score: f64) -> f64 {
    let surprise = score.clamp(0.0, 1.0) - expected_score(level, difficulty);
    (level + (STEP * surprise).clamp(-MAX_MOVE, MAX_MOVE)).clamp(1.0, 6.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::articles::Cefr;
    use crate::generation::Rng;

    #[test]
    fn high_scores_move_up_low_scores_down_and_one_lesson_is_damped() {
        assert!(updated_level(3.0, 3.0, 1.0) > 3.0);
        assert!(updated_level(3.0, 3.0, 0.0) < 3.0);
        assert!((updated_level(3.0, 3.0, 0.5) - 3.0).abs() < 1e-9);
        assert!(updated_level(3.0, 1.0, 0.0) >= 3.0 - MAX_MOVE);
        assert!(updated_level(6.0, 3.0, 1.0) <= 6.0);
    }

    /// Simulated learners with a hidden true level answer each of 5 questions right with the
    /// probability the model predicts for the true level; lessons are picked slightly above
    /// the current estimate, as selection does. Starting one band off, they reach their true
    /// band within 15 lessons (all but a rare unlucky streak: at most 1 in 100).
    #[test]
    fn simulated_learners_reach_their_true_band_within_15_lessons() {
        let mut rng = Rng::new(7);
        let mut lessons_needed = Vec::new();
        let mut never = 0;
        // True levels inside their bands (a level on a band boundary has no single true band).
        for true_level in [1.2f64, 1.8, 2.2, 2.8, 3.2, 3.8, 4.2, 4.8, 5.2, 5.8] {
            let true_band = Cefr::from_score(true_level);
            for start in [true_level - 1.0, true_level + 1.0] {
                for _trial in 0..50 {
                    let mut estimate = start.clamp(1.0, 6.0);
                    let mut reached = None;
                    for lesson in 1..=15 {
                        let difficulty = (estimate + 0.25).clamp(1.0, 6.0);
                        let p = expected_score(true_level, difficulty);
                        let right = (0..5)
                            .filter(|_| (rng.next_u64() % 10_000) as f64 / 10_000.0 < p)
                            .count();
                        estimate = updated_level(estimate, difficulty, right as f64 / 5.0);
                        if reached.is_none() && Cefr::from_score(estimate) == true_band {
                            reached = Some(lesson);
                        }
                    }
                    match reached {
                        Some(n) => lessons_needed.push(n),
                        None => never += 1,
                    }
                }
            }
        }
        let total = lessons_needed.len() + never;
        lessons_needed.sort_unstable();
        let median = lessons_needed[lessons_needed.len() / 2];
        assert!(
            never * 100 <= total,
            "{never} of {total} simulated learners never reached their band"
        );
        assert!(
            median <= 6,
            "median {median} lessons to reach the true band"
        );
    }
}
