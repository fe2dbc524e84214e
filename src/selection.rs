//! `selection`: which article should this learner read today?
//!
//! A pure ranking over candidates the pipeline gathers (unseen articles in the learner's
//! language, with their BM25 match against the learner's interests): interest match, fit of
//! the article's difficulty to the learner's level, freshness, and variety (a topic the
//! learner had on most recent days counts against it), and reading value (a press release,
//! an advertorial or a listing page counts against it: news is preferred when there is a
//! choice, see [`mod@crate::articles::genre`]). A story the learner already read through another
//! feed (same title, near enough) is never chosen.

use std::collections::HashSet;

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
    /// Why the text is poor reading (press release, advertorial, listing), if it is.
    pub poor_reading: Option<String>,
}

/// What the learner had recently.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Titles of articles the learner had (any time).
    pub titles: Vec<String>,
    /// Topics of the learner's last lessons, newest first.
    pub recent_topics: Vec<Vec<String>>,
}

/// A candidate's score and its parts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ranked {
    pub article_id: i64,
    pub title: String,
    pub level: f64,
    pub total: f64,
    pub interest: f64,
    pub level_fit: f64,
    pub freshness: f64,
    /// Negative when the article's topic came up on recent days.
    pub variety: f64,
    /// Negative for a press release, an advertorial or a listing page.
    pub reading: f64,
    /// Why the article is poor reading, if it is.
    pub poor_reading: Option<String>,
    /// Why the article cannot be chosen at all, if so.
    pub excluded: Option<String>,
}

const INTEREST_WEIGHT: f64 = 1.0;
const LEVEL_WEIGHT: f64 = 1.5;
const FRESHNESS_WEIGHT: f64 = 0.5;
const VARIETY_WEIGHT: f64 = 1.0;
/// What poor reading costs: more than interest and freshness together can give, so news
/// at a fitting level wins; still below a far-off level, so a release at the learner's
/// level beats news two bands away.
const POOR_READING_PENALTY: f64 = 1.6;
/// Recent lessons looked at for variety (about a week).
pub const VARIETY_WINDOW: usize = 6;
/// Titles sharing this share of their words (Jaccard) are the same story.
const SAME_STORY_JACCARD: f64 = 0.5;

fn title_words(title: &str) -> HashSet<String> {
    crate::text::normalized_words(title)
        .into_iter()
        .filter(|w| w.chars().count() > 2)
        .collect()
}

/// Two headlines of the same story: most words shared, or one headline's words nearly all
/// in the other (a longer version of the same headline).
fn same_story(a: &HashSet<String>, b: &HashSet<String>) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let common = a.intersection(b).count();
    let jaccard = common as f64 / a.union(b).count() as f64;
    let overlap = common as f64 / a.len().min(b.len()) as f64;
    jaccard >= SAME_STORY_JACCARD || (overlap >= 0.8 && common >= 4)
}

/// Ranks candidates for a learner at `learner_level`, best first; excluded ones last.
pub fn rank(
    candidates: &[CandidateArticle],
    learner_level: f64,
    history: &History,
    now: DateTime<Utc>,
) -> Vec<Ranked> {
    let max_interest = candidates.iter().map(|c| c.interest).fold(0.0f32, f32::max);
    let seen_titles: Vec<HashSet<String>> = history.titles.iter().map(|t| title_words(t)).collect();
    let window: Vec<&Vec<String>> = history.recent_topics.iter().take(VARIETY_WINDOW).collect();
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
            let repeats = c
                .topics
                .iter()
                .map(|t| window.iter().filter(|recent| recent.contains(t)).count())
                .max()
                .unwrap_or(0);
            let variety = -(repeats as f64 / VARIETY_WINDOW as f64);
            let words = title_words(&c.title);
            let excluded = seen_titles
                .iter()
                .zip(&history.titles)
                .find(|(seen, _)| same_story(&words, seen))
                .map(|(_, title)| format!("same story as \"{title}\", already sent"));
            let reading = if c.poor_reading.is_some() {
                -POOR_READING_PENALTY
            } else {
                0.0
            };
            let total = INTEREST_WEIGHT * interest
                + LEVEL_WEIGHT * level_fit
                + FRESHNESS_WEIGHT * freshness
                + VARIETY_WEIGHT * variety
                + reading;
            Ranked {
                article_id: c.article_id,
                title: c.title.clone(),
                level: c.level,
                total,
                interest,
                level_fit,
                freshness,
                variety,
                reading,
                poor_reading: c.poor_reading.clone(),
                excluded,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        a.excluded
            .is_some()
            .cmp(&b.excluded.is_some())
            .then(b.total.total_cmp(&a.total))
            .then(a.article_id.cmp(&b.article_id))
    });
    ranked
}

/// The chosen article: the best one not excluded.
pub fn choose(ranked: &[Ranked]) -> Option<&Ranked> {
    ranked.iter().find(|r| r.excluded.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, level: f64, interest: f32) -> CandidateArticle {
        CandidateArticle {
            article_id: id,
            title: format!("article number {id}"),
            level,
            interest,
            published: None,
            topics: vec![],
            poor_reading: None,
        }
    }

    #[test]
    fn news_is_preferred_to_a_press_release() {
        let now = Utc::now();
        let mut release = candidate(1, 3.0, 4.0);
        release.poor_reading = Some("press release: “prnewswire”".into());
        let news = candidate(2, 3.0, 0.0);
        let r = rank(&[release.clone(), news], 3.0, &History::default(), now);
        assert_eq!(choose(&r).unwrap().article_id, 2, "{r:?}");
        assert!(r[1].reading < 0.0 && r[1].poor_reading.is_some());
        // With no other choice, the release is still a lesson.
        let r = rank(&[release], 3.0, &History::default(), now);
        assert_eq!(choose(&r).unwrap().article_id, 1);
    }

    #[test]
    fn level_fit_and_interest_both_count() {
        let now = Utc::now();
        let none = History::default();
        // Same interest: the one nearer the learner's level wins.
        let r = rank(
            &[candidate(1, 5.5, 1.0), candidate(2, 3.2, 1.0)],
            3.0,
            &none,
            now,
        );
        assert_eq!(choose(&r).unwrap().article_id, 2);
        // Same level: the interesting one wins.
        let r = rank(
            &[candidate(1, 3.0, 0.0), candidate(2, 3.0, 4.0)],
            3.0,
            &none,
            now,
        );
        assert_eq!(r[0].article_id, 2);
        assert!(r[0].interest > r[1].interest);
    }

    #[test]
    fn the_same_story_through_another_feed_is_never_chosen() {
        let mut a = candidate(1, 3.0, 5.0);
        a.title = "Beavers help cut flooding in Hollin Valley".into();
        let b = candidate(2, 3.0, 0.0);
        let history = History {
            titles: vec!["Beavers help to cut flooding in the Hollin Valley, study finds".into()],
            recent_topics: vec![],
        };
        let r = rank(&[a, b], 3.0, &history, Utc::now());
        assert_eq!(choose(&r).unwrap().article_id, 2);
        assert!(
            r.iter()
                .find(|x| x.article_id == 1)
                .unwrap()
                .excluded
                .is_some()
        );
    }

    #[test]
    fn a_topic_every_day_gives_way_to_another() {
        let mut sport = candidate(1, 3.0, 1.0);
        sport.topics = vec!["sport".into()];
        let mut science = candidate(2, 3.0, 0.6);
        science.topics = vec!["science".into()];
        let fresh = History::default();
        assert_eq!(
            choose(&rank(
                &[sport.clone(), science.clone()],
                3.0,
                &fresh,
                Utc::now()
            ))
            .unwrap()
            .article_id,
            1
        );
        let week_of_sport = History {
            titles: vec![],
            recent_topics: vec![vec!["sport".to_string()]; 6],
        };
        let r = rank(&[sport, science], 3.0, &week_of_sport, Utc::now());
        assert_eq!(choose(&r).unwrap().article_id, 2, "{r:?}");
    }
}
