//! `hyperlearn bench search`: a tantivy index of N synthetic articles (words drawn from the
//! wordfreq lists of en, de, fr, es and ru with Zipf-like weights, so term statistics look like
//! real text), built through the product's `ArticleIndex`; then typical teacher queries (one
//! or two words in a language, with language, level and sometimes topic or date filters, ten
//! hits with snippets): indexing rate and query latency p50/p99.

use std::time::Instant;

use anyhow::Context;

use crate::articles::{Cefr, WordFrequencies};
use crate::generation::Rng;
use crate::index::{ArticleIndex, IndexDoc, SearchQuery};

pub struct SearchBench {
    pub articles: usize,
    pub queries: usize,
    pub wordfreq_dir: std::path::PathBuf,
    pub record: bool,
}

const LANGS: [&str; 5] = ["en", "de", "fr", "es", "ru"];
const TOPICS: [&str; 8] = [
    "politics",
    "science",
    "sport",
    "culture",
    "business",
    "health",
    "technology",
    "environment",
];

/// A Zipf-like rank in 0..n: frequent words much more often than rare ones.
fn zipf(rng: &mut Rng, n: usize) -> usize {
    let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    ((n as f64).powf(u) - 1.0) as usize
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

pub fn bench_search(b: &SearchBench) -> anyhow::Result<()> {
    let frequencies = WordFrequencies::new(&b.wordfreq_dir);
    let mut vocab: Vec<(&str, Vec<String>)> = Vec::new();
    for lang in LANGS {
        let ranks = frequencies.ranks(lang).with_context(|| {
            format!(
                "no word list for `{lang}` in {} (run scripts/setup)",
                b.wordfreq_dir.display()
            )
        })?;
        let words: Vec<String> = ranks
            .top(30_000)
            .into_iter()
            .filter(|w| w.chars().all(char::is_alphabetic))
            .map(str::to_string)
            .collect();
        vocab.push((lang, words));
    }
    let dir = tempfile::tempdir()?;
    let index = ArticleIndex::open(dir.path())?;
    // The same corpus on every run.
    let mut rng = Rng::new(42);
    eprintln!("Indexing {} synthetic articles ...", b.articles);
    let started = Instant::now();
    for id in 0..b.articles {
        let (lang, words) = &vocab[id % vocab.len()];
        let sentence = |n: usize, rng: &mut Rng| {
            let s: Vec<&str> = (0..n)
                .map(|_| words[zipf(rng, words.len())].as_str())
                .collect();
            s.join(" ")
        };
        let title = sentence(7, &mut rng);
        let text: Vec<String> = (0..25).map(|_| sentence(12, &mut rng) + ".").collect();
        let text = text.join(" ");
        let score = 1.0 + rng.below(500) as f64 / 100.0;
        let topics = vec![TOPICS[rng.below(TOPICS.len())].to_string()];
        let url = format!("https://bench.example/{lang}/{id}");
        let published = format!(
            "2026-{:02}-{:02}T08:00:00Z",
            1 + rng.below(12),
            1 + rng.below(28)
        );
        let source = format!("Source {}", rng.below(40));
        index.upsert(&IndexDoc {
            article_id: id as i64 + 1,
            url: &url,
            title: &title,
            text: &text,
            lang,
            level: score,
            cefr: Cefr::from_score(score),
            topics: &topics,
            source: &source,
            published: Some(&published),
        })?;
        if (id + 1) % 20_000 == 0 {
            index.commit()?;
            eprintln!("  {} indexed", id + 1);
        }
    }
    index.commit()?;
    let index_seconds = started.elapsed().as_secs_f64();
    let rate = b.articles as f64 / index_seconds;
    let size_mib = dir_size(dir.path()) as f64 / 1024.0 / 1024.0;

    // Typical teacher queries: words of middling frequency, filtered by language and level.
    let mut latencies = Vec::new();
    let mut hits_total = 0usize;
    let levels = [Cefr::A1, Cefr::A2, Cefr::B1, Cefr::B2, Cefr::C1, Cefr::C2];
    for i in 0..(b.queries + 20) {
        let (lang, words) = &vocab[rng.below(vocab.len())];
        let n_words = 1 + rng.below(2);
        let text: Vec<&str> = (0..n_words)
            .map(|_| words[100 + rng.below(3_000)].as_str())
            .collect();
        let query = SearchQuery {
            text: text.join(" "),
            lang: Some(lang.to_string()),
            cefr: (rng.below(2) == 0).then(|| levels[rng.below(levels.len())]),
            topic: (rng.below(4) == 0).then(|| TOPICS[rng.below(TOPICS.len())].to_string()),
            source: None,
            limit: 10,
            offset: 0,
            published_from: None,
            published_to: None,
        };
        // A quarter ask for a month of the year's articles.
        let query = if rng.below(4) == 0 {
            let from = chrono::NaiveDate::from_ymd_opt(2026, 1 + rng.below(11) as u32, 1)
                .expect("a valid day");
            SearchQuery {
                published_from: Some(from),
                published_to: from.checked_add_months(chrono::Months::new(1)),
                ..query
            }
        } else {
            query
        };
        let t = Instant::now();
        let results = index.search(&query)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        // The first 20 warm the caches and are not counted.
        if i >= 20 {
            latencies.push(ms);
            hits_total += results.total;
        }
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let mean = latencies.iter().sum::<f64>() / latencies.len().max(1) as f64;
    let body = format!(
        "`hyperlearn bench search --articles {} --queries {}`: synthetic articles (25 sentences, \
         words drawn Zipf-like from the wordfreq lists of en, de, fr, es, ru) in the product's \
         index; queries of one or two words with a language filter, half with a level filter, a \
         quarter with a topic filter, a quarter with a month's date range, 10 hits with snippets \
         each.\n\n\
         | articles | indexing | index size | queries | mean hits | p50 | p99 | mean | goal |\n\
         |---|---|---|---|---|---|---|---|---|\n\
         | {} | {:.0} articles/s ({:.1} s) | {:.0} MiB | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | p99 < 10 ms |",
        b.articles,
        b.queries,
        b.articles,
        rate,
        index_seconds,
        size_mib,
        latencies.len(),
        hits_total as f64 / latencies.len().max(1) as f64,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        mean,
    );
    println!("{body}");
    if b.record {
        crate::eval::record("Search", &body)?;
        eprintln!("Recorded in BENCHMARKS.md");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_ranks_favour_frequent_words_and_stay_in_range() {
        let mut rng = Rng::new(42);
        let draws: Vec<usize> = (0..10_000).map(|_| zipf(&mut rng, 1000)).collect();
        assert!(draws.iter().all(|&r| r < 1000));
        let top = draws.iter().filter(|&&r| r < 10).count();
        let tail = draws.iter().filter(|&&r| (990..1000).contains(&r)).count();
        assert!(top > 5 * tail, "{top} vs {tail}");
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 0.5), 2.0);
    }
}
