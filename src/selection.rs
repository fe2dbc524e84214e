//! `selection`: which article should this learner read today?
//!
//! A pure ranking over candidates the pipeline gathers (unseen articles in the learner's
//! language, with their BM25 match against the learner's interests): interest match, fit
//! of the article's difficulty to the learner's level, and freshness.

use chrono::{DateTime, Utc};

/// An article the learner could get.
#[derive(Debug, Clone)]
pub struct CandidateArticle {
    pub article_id: i64,
    pub title: String,
    /// Difficulty, 1.0 (A1) ... 6.0 (C2).
    pub level: f64,
    /// BM25 score against the learner's interests (0 when it matches none).
    pub interest: f32,
    /// When it was published (or fetched).
    pub published: Option<DateTime<Utc>>,
    pub topics: Vec<String>,
}

/// A candidate's score and its parts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ranked {
    pub article_id: i64,
    pub title: String,
    pub total: f64,
    pub interest: f64,
    pub level_fit: f64,
    pub freshness: f64,
}

/// Weights of the score's parts.
const INTEREST_WEIGHT: f64 = 1.0;
const LEVEL_WEIGHT: f64 = 1.5;
const FRESHNESS_WEIGHT: f64 = 0.5;

/// Ranks candidates for a learner at `learner_level`, best first.
pub fn rank(
    candidates: &[CandidateArticle],
    learner_level: f64,
    now: DateTime<Utc>,
) -> Vec<Ranked> {
    let max_interest = candidates.iter().map(|c| c.interest).fold(0.0f32, f32::max);
    let mut ranked: Vec<Ranked> = candidates
        .iter()
        .map(|c| {
            let interest = if max_interest > 0.0 {
                (c.interest / max_interest) as f64
            } else {
                0.0
            };
            // Slightly above the learner's level is best (i+1); far from it is worst.
            let gap = c.level - (learner_level + 0.25);
            let level_fit = 1.0 - (gap.abs() / 2.5).min(1.0);
            let age_days = c
                .published
                .map(|p| (now - p).num_hours().max(0) as f64 / 24.0)
                .unwrap_or(7.0);
            let freshness = (-age_days / 4.0).exp();
            let total = INTEREST_WEIGHT * interest
                + LEVEL_WEIGHT * level_fit
                + FRESHNESS_WEIGHT * freshness;
            Ranked {
                article_id: c.article_id,
                title: c.title.clone(),
                total,
                interest,
                level_fit,
                freshness,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.total
            .total_cmp(&a.total)
            .then(a.article_id.cmp(&b.article_id))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, level: f64, interest: f32) -> CandidateArticle {
        CandidateArticle {
            article_id: id,
            title: format!("a{id}"),
            level,
            interest,
            published: None,
            topics: vec![],
        }
    }

    #[test]
    fn level_fit_and_interest_both_count() {
        let now = Utc::now();
        // Same interest: the one nearer the learner's level wins.
        let r = rank(&[candidate(1, 5.5, 1.0), candidate(2, 3.2, 1.0)], 3.0, now);
        assert_eq!(r[0].article_id, 2);
        // Same level: the interesting one wins.
        let r = rank(&[candidate(1, 3.0, 0.0), candidate(2, 3.0, 4.0)], 3.0, now);
        assert_eq!(r[0].article_id, 2);
        assert!(r[0].interest > r[1].interest);
    }
}
