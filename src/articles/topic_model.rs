//! A learned topic classifier: multinomial Naive Bayes over word stems, trained on labelled
//! articles (for English, the BBC News corpus under `data/topics`). Small, fast, explainable,
//! and a clear improvement over keyword lists where labelled text exists; languages without
//! a model keep the keyword lists of `articles::topics`.

use std::collections::HashMap;
use std::path::Path;

use crate::text;

/// A trained model for one language.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TopicModel {
    pub lang: String,
    pub classes: Vec<String>,
    log_prior: Vec<f64>,
    /// log P(stem | class) for every kept stem.
    log_likelihood: HashMap<String, Vec<f64>>,
}

/// The stems of a text that the model looks at (stop words and numbers left out).
fn features(lang: &str, text_in: &str) -> Vec<String> {
    text::normalized_words(text_in)
        .into_iter()
        .filter(|w| w.chars().count() > 2 && w.chars().all(char::is_alphabetic))
        .filter(|w| !text::is_stop_word(lang, w))
        .map(|w| text::stem(lang, &w))
        .collect()
}

impl TopicModel {
    /// Trains on (class, text) pairs with Laplace smoothing; stems seen fewer than
    /// `min_count` times in all are dropped.
    pub fn train(lang: &str, docs: &[(String, String)], min_count: usize) -> TopicModel {
        let mut classes: Vec<String> = docs.iter().map(|(c, _)| c.clone()).collect();
        classes.sort();
        classes.dedup();
        let index: HashMap<&str, usize> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let k = classes.len();
        let mut doc_counts = vec![0usize; k];
        let mut counts: HashMap<String, Vec<usize>> = HashMap::new();
        for (class, body) in docs {
            let c = index[class.as_str()];
            doc_counts[c] += 1;
            for f in features(lang, body) {
                counts.entry(f).or_insert_with(|| vec![0; k])[c] += 1;
            }
        }
        counts.retain(|_, v| v.iter().sum::<usize>() >= min_count);
        let vocabulary = counts.len() as f64;
        let totals: Vec<f64> = (0..k)
            .map(|c| counts.values().map(|v| v[c]).sum::<usize>() as f64)
            .collect();
        let log_likelihood = counts
            .into_iter()
            .map(|(w, v)| {
                let l = (0..k)
                    .map(|c| ((v[c] as f64 + 1.0) / (totals[c] + vocabulary)).ln())
                    .collect();
                (w, l)
            })
            .collect();
        let n = docs.len().max(1) as f64;
        TopicModel {
            lang: lang.to_string(),
            classes,
            log_prior: doc_counts
                .iter()
                .map(|&d| (d.max(1) as f64 / n).ln())
                .collect(),
            log_likelihood,
        }
    }

    /// The most likely class and its posterior probability.
    pub fn predict(&self, text_in: &str) -> Option<(&str, f64)> {
        if self.classes.is_empty() {
            return None;
        }
        let mut scores = self.log_prior.clone();
        for f in features(&self.lang, text_in) {
            if let Some(l) = self.log_likelihood.get(&f) {
                for (s, x) in scores.iter_mut().zip(l) {
                    *s += x;
                }
            }
        }
        let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
        let (best, score) = scores
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))?;
        Some((self.classes[best].as_str(), (score - max).exp() / sum))
    }

    pub fn load(path: &Path) -> Result<TopicModel, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let json = serde_json::to_string(self).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The labelled corpus under `dir`: one folder per class of `.txt` articles.
pub fn read_corpus(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut docs = Vec::new();
    let mut classes: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    classes.sort_by_key(|e| e.file_name());
    for class in classes {
        let name = class.file_name().to_string_lossy().to_string();
        let mut files: Vec<_> = std::fs::read_dir(class.path())
            .map_err(|e| format!("{}: {e}", class.path().display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            docs.push((name.clone(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(docs)
}

/// BBC's class names as HyperLearn topics.
pub fn topic_name(class: &str) -> &str {
    match class {
        "tech" => "technology",
        "entertainment" => "culture",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_bayes_learns_and_predicts_with_confidence() {
        let docs: Vec<(String, String)> = [
            (
                "sport",
                "The team won the match after a late goal by the striker.",
            ),
            (
                "sport",
                "The coach praised the players after the league game.",
            ),
            (
                "sport",
                "A goal in the final minute won the cup for the club.",
            ),
            (
                "tech",
                "The new phone runs faster software on a smaller chip.",
            ),
            (
                "tech",
                "Engineers released software that makes computers safer.",
            ),
            (
                "tech",
                "The chip maker showed a computer with a faster processor.",
            ),
        ]
        .iter()
        .map(|(c, t)| (c.to_string(), t.to_string()))
        .collect();
        let model = TopicModel::train("en", &docs, 1);
        let (class, p) = model
            .predict("The striker scored a goal for the club")
            .unwrap();
        assert_eq!(class, "sport");
        assert!(p > 0.8, "{p}");
        assert_eq!(
            model.predict("New software for the chip").unwrap().0,
            "tech"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        model.save(&path).unwrap();
        let again = TopicModel::load(&path).unwrap();
        assert_eq!(again.predict("a late goal").unwrap().0, "sport");
        assert_eq!(topic_name("tech"), "technology");
    }
}
