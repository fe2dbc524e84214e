//! The commands about articles: search, extraction, level, re-indexing, and why a learner
//! gets which article.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use clap::Args;

use crate::articles::{self, Cefr};
use crate::config::Config;
use crate::index::{ArticleIndex, SearchQuery};
use crate::pipeline;
use crate::store::Store;

use super::{StdoutError, load_config, open_services};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to search for (stemmed per language); empty lists everything that matches the
    /// filters.
    #[arg(default_value = "")]
    pub query: String,
    /// Only articles in this language (ISO 639-1, e.g. de).
    #[arg(long)]
    pub lang: Option<String>,
    /// Only articles at this CEFR level (A1 ... C2).
    #[arg(long)]
    pub level: Option<Cefr>,
    /// Only articles with this topic.
    #[arg(long)]
    pub topic: Option<String>,
    /// Only articles published on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// Only articles published on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    /// How many results (1 to 100).
    #[arg(long, default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::index::MAX_LIMIT as u64))]
    pub limit: usize,
    /// Skip this many results (for paging; offset and limit together at most 10,000).
    #[arg(long, default_value_t = 0,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..crate::index::MAX_OFFSET as u64))]
    pub offset: usize,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn search(config: &Path, args: SearchArgs) -> anyhow::Result<()> {
    let config = load_config(config)?;
    let index = ArticleIndex::open(&config.index_dir)?;
    let results = index.search(&SearchQuery {
        text: args.query,
        lang: args.lang,
        cefr: args.level,
        topic: args.topic,
        source: None,
        limit: args.limit,
        offset: args.offset,
        published_from: args.from,
        published_to: args.to,
    })?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} articles match", results.total)?;
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(
            out,
            "\n{}. [{} {}] {}",
            args.offset + i + 1,
            hit.lang,
            hit.cefr,
            hit.title
        )?;
        writeln!(
            out,
            "   {} | {} | topics: {}",
            hit.source,
            hit.url,
            hit.topics.join(", ")
        )?;
        writeln!(out, "   {}", hit.snippet.marked("[", "]"))?;
    }
    Ok(())
}

/// `hyperlearn level`.
pub(super) fn level_command(
    config: &Config,
    file: Option<&Path>,
    jsonl: Option<&Path>,
    lang: Option<&str>,
    with_features: bool,
) -> anyhow::Result<()> {
    let frequencies = articles::WordFrequencies::new(&config.wordfreq_dir);
    // The text's language, level and (with --features) what the level was measured from.
    let measure = |text: &str, lang: Option<&str>| {
        let lang = lang
            .map(str::to_string)
            .unwrap_or_else(|| articles::article_language(text, None, None));
        let ranks = frequencies.ranks(&lang);
        let features = articles::level::level_features(&lang, text, ranks.as_deref());
        let level = articles::level::level_of(&lang, features.as_ref());
        (lang, level, features)
    };
    let add_features = |out: &mut serde_json::Value,
                        features: Option<articles::level::Features>| {
        if with_features {
            out["features"] = serde_json::json!(features);
        }
    };
    match (file, jsonl) {
        (Some(file), None) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let (lang, level, features) = measure(&text, lang);
            let mut out = serde_json::json!({ "lang": lang, "score": (level.score * 100.0).round() / 100.0, "cefr": level.cefr });
            add_features(&mut out, features);
            out!("{out}");
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let item: serde_json::Value = match serde_json::from_str(line) {
                    Ok(v) => v,
                    Err(e) => {
                        out!(
                            "{}",
                            serde_json::json!({ "id": null, "error": format!("line {}: {e}", n + 1) })
                        );
                        continue;
                    }
                };
                let Some(text) = item.get("text").and_then(|t| t.as_str()) else {
                    out!(
                        "{}",
                        serde_json::json!({ "id": item.get("id"), "error": format!("line {}: no \"text\"", n + 1) })
                    );
                    continue;
                };
                let (lang, level, features) =
                    measure(text, item.get("lang").and_then(|l| l.as_str()).or(lang));
                let mut out = serde_json::json!({
                    "id": item.get("id"), "lang": lang, "score": (level.score * 100.0).round() / 100.0, "cefr": level.cefr,
                });
                add_features(&mut out, features);
                out!("{out}");
            }
        }
        _ => bail!("give a text file, or --jsonl FILE"),
    }
    Ok(())
}

/// The `extract` contract: JSON with title, byline, published, lang, text.
pub(super) fn extract(url: Option<&str>, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if let Some(reason) = articles::not_html(&bytes) {
        bail!("{}: {reason}", file.display());
    }
    let base = match url {
        Some(u) => Some(url::Url::parse(u).with_context(|| format!("--url `{u}` is not a URL"))?),
        None => None,
    };
    let html = articles::decode_html(&bytes, None);
    let extracted = articles::extract(&html, base.as_ref());
    let lang =
        articles::article_language(&extracted.text, extracted.declared_lang.as_deref(), None);
    let out = serde_json::json!({
        "title": extracted.title,
        "byline": extracted.byline,
        "published": extracted.published,
        "lang": lang,
        "text": extracted.text,
    });
    out!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

pub(super) fn reindex(config: &Path, relevel: bool, quiet: bool) -> anyhow::Result<()> {
    let config = load_config(config)?;
    let store = Store::connect(&config.store)?;
    let index = ArticleIndex::recreate(&config.index_dir)?;
    let mut articles = store.all_articles()?;
    let progress = pipeline::Progress::new(quiet);
    if relevel {
        let frequencies = articles::WordFrequencies::new(&config.wordfreq_dir);
        let mut changed = 0;
        let mut levels = Vec::with_capacity(articles.len());
        for a in &mut articles {
            let level = articles::estimate_level(&a.lang, &a.text, &frequencies);
            if level.cefr != a.cefr {
                changed += 1;
            }
            levels.push((a.id, level));
            a.level = level.score;
            a.cefr = level.cefr;
        }
        store.set_article_levels(&levels)?;
        out!(
            "Measured the level of {} articles again: {changed} changed band",
            articles.len()
        );
    }
    pipeline::index_articles(&index, &articles, &progress)?;
    out!(
        "Indexed {} articles into {}",
        articles.len(),
        config.index_dir.display()
    );
    Ok(())
}

/// `hyperlearn explain-selection`: the learner's unseen articles as selection ranks them.
pub(super) fn explain_selection(
    config: &Path,
    learner: &str,
    date: Option<chrono::NaiveDate>,
    limit: usize,
    json: bool,
) -> anyhow::Result<()> {
    let services = open_services(config)?;
    let learner = services.store.find_learner(learner)?;
    let now = match date {
        Some(d) => d.and_hms_opt(12, 0, 0).expect("noon exists").and_utc(),
        None => chrono::Utc::now(),
    };
    let (_, ranked) =
        pipeline::rank_articles(&services, &learner, now).map_err(anyhow::Error::msg)?;
    if json {
        out!(
            "{}",
            serde_json::to_string_pretty(&ranked.iter().take(limit).collect::<Vec<_>>())?
        );
        return Ok(());
    }
    out!(
        "{} <{}>: {} {} ({:.2}), interests: {}; {} unseen articles",
        learner.name,
        learner.email,
        learner.lang,
        learner.cefr(),
        learner.level,
        learner.interests.join(", "),
        ranked.len()
    );
    out!(
        "{:>4} {:>6} {:>6} {:>9} {:>9} {:>10} {:>8} {:>8}  title",
        "rank",
        "total",
        "level",
        "interest",
        "level fit",
        "freshness",
        "variety",
        "reading"
    );
    for (i, r) in ranked.iter().take(limit).enumerate() {
        out!(
            "{:>4} {:>6.2} {:>6.2} {:>9.2} {:>9.2} {:>10.2} {:>8.2} {:>8.2}  {}{}{}",
            i + 1,
            r.total,
            r.level,
            r.interest,
            r.level_fit,
            r.freshness,
            r.variety,
            r.reading,
            r.title,
            r.poor_reading
                .as_deref()
                .map(|e| format!("  [poor reading, {e}]"))
                .unwrap_or_default(),
            r.excluded
                .as_deref()
                .map(|e| format!("  [excluded: {e}]"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
