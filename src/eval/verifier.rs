//! `hyperlearn verify --jsonl FILE` and `hyperlearn eval verifier`: the pipeline's verifier
//! run on (context, question, answer) items.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Context as _;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::analysis::lexical;
use crate::articles;
use crate::exercise::{Candidate, Exercise, Origin};
use crate::generation::Generator;
use crate::verification::{self, ArticleText, NoModel, Reason, VerifyOptions};

/// One input line of `verify --jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct QaItem {
    pub id: serde_json::Value,
    pub context: String,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub options: Option<Vec<String>>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// One output line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QaVerdict {
    pub id: serde_json::Value,
    pub accepted: bool,
    pub reasons: Vec<String>,
}

fn candidate_for(
    item: &QaItem,
    article: &ArticleText,
    lang: &str,
) -> Result<Candidate, Vec<String>> {
    let context = lexical::Context::new(lang, article.text());
    let evidence = context
        .evidence_range(&item.question, &item.answer)
        .and_then(|range| article.sentence_containing(range))
        .or_else(|| {
            // The lexical split and the article's own may cut sentences differently: fall
            // back to the article sentence holding the first verbatim occurrence.
            let at = article.text().find(item.answer.trim())?;
            article.sentence_containing((at, at + item.answer.trim().len()))
        });
    let Some(evidence) = evidence else {
        return Err(vec![Reason::KeyNotInEvidence.code().to_string()]);
    };
    let exercise = match &item.options {
        Some(options) => {
            let key = crate::text::normalize(&item.answer);
            let Some(answer) = options
                .iter()
                .position(|o| crate::text::normalize(o) == key)
            else {
                return Err(vec![Reason::MissingField.code().to_string()]);
            };
            Exercise::MultipleChoice {
                question: item.question.clone(),
                options: options.clone(),
                answer,
                evidence: evidence.to_string(),
            }
        }
        None => Exercise::ShortAnswer {
            question: item.question.clone(),
            answer: item.answer.trim().to_string(),
            evidence: evidence.to_string(),
        },
    };
    Ok(Candidate {
        exercise,
        origin: Origin::Model,
    })
}

/// Verifies one item with the pipeline's verifier.
pub async fn verify_item(
    item: &QaItem,
    generator: Option<&Generator>,
    options: VerifyOptions,
) -> QaVerdict {
    let context = item.context.trim_start_matches('\u{feff}');
    let lang = item
        .lang
        .clone()
        .unwrap_or_else(|| articles::article_language(context, None, None));
    let article = ArticleText::new(&lang, context);
    let candidate = match candidate_for(item, &article, &lang) {
        Ok(c) => c,
        Err(reasons) => {
            return QaVerdict {
                id: item.id.clone(),
                accepted: false,
                reasons,
            };
        }
    };
    let result = match generator {
        Some(g) => verification::verify_with(candidate, &article, g, &[], options).await,
        None => {
            verification::verify_with(
                candidate,
                &article,
                &NoModel,
                &[],
                VerifyOptions {
                    round_trip: false,
                    ..options
                },
            )
            .await
        }
    };
    match result {
        Ok(_) => QaVerdict {
            id: item.id.clone(),
            accepted: true,
            reasons: Vec::new(),
        },
        Err(r) => QaVerdict {
            id: item.id.clone(),
            accepted: false,
            reasons: r.reasons.iter().map(|x| x.code().to_string()).collect(),
        },
    }
}

/// Verifies many items, several at once (their model requests share the engine's batch),
/// returning verdicts in input order.
pub async fn verify_items(
    items: &[QaItem],
    generator: Option<&Generator>,
    options: VerifyOptions,
    parallel: usize,
) -> Vec<QaVerdict> {
    let futures: Vec<_> = items
        .iter()
        .map(|item| verify_item(item, generator, options))
        .collect();
    futures_util::stream::iter(futures)
        .buffered(parallel.max(1))
        .collect()
        .await
}

/// `hyperlearn verify --jsonl FILE`: one verdict line per input line.
pub async fn verify_jsonl(
    path: &Path,
    generator: Option<&Generator>,
    options: VerifyOptions,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut items = Vec::new();
    let mut bad: BTreeMap<usize, QaVerdict> = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<QaItem>(line) {
            Ok(item) => items.push((n, item)),
            Err(e) => {
                let id = serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(serde_json::Value::Null);
                bad.insert(
                    n,
                    QaVerdict {
                        id,
                        accepted: false,
                        reasons: vec![format!("invalid_input: line {}: {e}", n + 1)],
                    },
                );
            }
        }
    }
    let parallel = generator.map_or(1, |g| g.config().parallel_sequences as usize) * 2;
    let plain: Vec<QaItem> = items.iter().map(|(_, i)| i.clone()).collect();
    let verdicts = verify_items(&plain, generator, options, parallel).await;
    let mut out: BTreeMap<usize, QaVerdict> =
        items.into_iter().map(|(n, _)| n).zip(verdicts).collect();
    out.extend(bad);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    for verdict in out.values() {
        use std::io::Write;
        writeln!(lock, "{}", serde_json::to_string(verdict)?)?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct Squad {
    data: Vec<SquadArticle>,
}

#[derive(Deserialize)]
struct SquadArticle {
    paragraphs: Vec<SquadParagraph>,
}

#[derive(Deserialize)]
struct SquadParagraph {
    context: String,
    qas: Vec<SquadQa>,
}

#[derive(Deserialize)]
struct SquadQa {
    id: String,
    question: String,
    answers: Vec<SquadAnswer>,
}

#[derive(Deserialize)]
struct SquadAnswer {
    text: String,
}

/// Gold and wrong pairs of a SQuAD file: each question with its gold answer, and with every
/// other question's gold answer from the same paragraph (skipping ones equal to, containing
/// or contained in the gold).
pub fn squad_pairs(path: &Path, lang: &str) -> anyhow::Result<(Vec<QaItem>, Vec<QaItem>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let squad: Squad = serde_json::from_str(&text)
        .with_context(|| format!("{} is not SQuAD JSON", path.display()))?;
    let mut gold = Vec::new();
    let mut wrong = Vec::new();
    for article in squad.data {
        for p in article.paragraphs {
            let context = p.context.trim_start_matches('\u{feff}').to_string();
            let answers: Vec<String> = p
                .qas
                .iter()
                .filter_map(|q| q.answers.first().map(|a| a.text.clone()))
                .collect();
            for q in &p.qas {
                let Some(g) = q.answers.first() else { continue };
                let item = |answer: &str, id: String| QaItem {
                    id: serde_json::Value::String(id),
                    context: context.clone(),
                    question: q.question.clone(),
                    answer: answer.to_string(),
                    options: None,
                    lang: Some(lang.to_string()),
                };
                gold.push(item(&g.text, q.id.clone()));
                let g_norm = crate::text::normalize(&g.text);
                let mut seen = HashSet::new();
                for (k, other) in answers.iter().enumerate() {
                    let o = crate::text::normalize(other);
                    if o.is_empty()
                        || o == g_norm
                        || o.contains(&g_norm)
                        || g_norm.contains(&o)
                        || !seen.insert(o)
                    {
                        continue;
                    }
                    wrong.push(item(other, format!("{}/wrong{k}", q.id)));
                }
            }
        }
    }
    Ok((gold, wrong))
}

/// Counts for one language.
#[derive(Debug, Default)]
pub struct VerifierScore {
    pub gold: usize,
    pub gold_accepted: usize,
    pub wrong: usize,
    pub wrong_rejected: usize,
    /// Accepted by every check before the model's round trip.
    pub gold_accepted_lexical: usize,
    pub wrong_rejected_lexical: usize,
    pub gold_reasons: BTreeMap<String, usize>,
    pub wrong_reasons: BTreeMap<String, usize>,
}

const MODEL_REASONS: [&str; 3] = [
    "round_trip_disagrees",
    "evidence_only_disagrees",
    "round_trip_failed",
];

impl VerifierScore {
    pub fn add(&mut self, gold: bool, verdict: &QaVerdict) {
        let only_model = !verdict.accepted
            && verdict
                .reasons
                .iter()
                .all(|r| MODEL_REASONS.contains(&r.as_str()));
        let reasons = if gold {
            &mut self.gold_reasons
        } else {
            &mut self.wrong_reasons
        };
        for r in &verdict.reasons {
            *reasons.entry(r.clone()).or_default() += 1;
        }
        if gold {
            self.gold += 1;
            self.gold_accepted += verdict.accepted as usize;
            self.gold_accepted_lexical += (verdict.accepted || only_model) as usize;
        } else {
            self.wrong += 1;
            self.wrong_rejected += (!verdict.accepted) as usize;
            self.wrong_rejected_lexical += (!verdict.accepted && !only_model) as usize;
        }
    }
}

/// Options of `hyperlearn eval verifier`.
#[derive(Debug, Clone)]
pub struct EvalVerifierOptions {
    pub data: std::path::PathBuf,
    pub langs: Vec<String>,
    /// Only the first N questions per language (and their wrong pairs).
    pub limit: Option<usize>,
    pub profile_name: String,
    pub verify: VerifyOptions,
    pub record: bool,
    pub quiet: bool,
}

/// Runs the verifier on XQuAD and prints (and records) accept and reject rates.
pub async fn eval_verifier(
    options: &EvalVerifierOptions,
    generator: Option<&Generator>,
) -> anyhow::Result<()> {
    let progress = crate::pipeline::Progress::new(options.quiet);
    let mut rows = Vec::new();
    let mut details = String::new();
    let parallel = generator.map_or(4, |g| g.config().parallel_sequences as usize * 2);
    for lang in &options.langs {
        let path = options.data.join(format!("qa/xquad/xquad.{lang}.json"));
        let (mut gold, mut wrong) = squad_pairs(&path, lang)?;
        if let Some(limit) = options.limit {
            gold.truncate(limit);
            let keep: HashSet<String> = gold
                .iter()
                .filter_map(|g| g.id.as_str().map(str::to_string))
                .collect();
            wrong.retain(|w| {
                w.id.as_str()
                    .and_then(|id| id.split('/').next())
                    .is_some_and(|id| keep.contains(id))
            });
        }
        progress.say(format!(
            "{lang}: {} gold pairs, {} wrong pairs ...",
            gold.len(),
            wrong.len()
        ));
        let started = std::time::Instant::now();
        let mut score = VerifierScore::default();
        for (is_gold, items) in [(true, &gold), (false, &wrong)] {
            for (n, chunk) in items.chunks(200).enumerate() {
                for v in verify_items(chunk, generator, options.verify, parallel).await {
                    score.add(is_gold, &v);
                }
                progress.say(format!(
                    "  {lang} {}: {}/{}",
                    if is_gold { "gold" } else { "wrong" },
                    (n * 200 + chunk.len()),
                    items.len()
                ));
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        rows.push(format!(
            "| {lang} | {} | {} | {} | {} | {} | {:.0} s |",
            score.gold,
            super::pct(score.gold_accepted, score.gold),
            score.wrong,
            super::pct(score.wrong_rejected, score.wrong),
            if generator.is_some() {
                format!(
                    "{} / {}",
                    super::pct(score.gold_accepted_lexical, score.gold),
                    super::pct(score.wrong_rejected_lexical, score.wrong)
                )
            } else {
                "(no model)".into()
            },
            seconds
        ));
        let top = |m: &BTreeMap<String, usize>| {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1));
            v.iter()
                .take(8)
                .map(|(r, n)| format!("{r} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        details.push_str(&format!(
            "- {lang}: right keys rejected by: {}\n- {lang}: wrong keys rejected by: {}\n",
            top(&score.gold_reasons),
            top(&score.wrong_reasons)
        ));
    }
    let model = match generator {
        Some(g) => format!(
            "{} ({})",
            g.engine().info().description,
            g.engine().info().path.display()
        ),
        None => "none (lexical checks only)".into(),
    };
    let table = format!(
        "Verifier on XQuAD (`hyperlearn eval verifier`), profile `{}`, model: {model}{}\n\n\
         | lang | right keys | accepted | wrong keys | rejected | before the model: accepted / rejected | time |\n\
         |---|---|---|---|---|---|---|\n{}\n\n{}",
        options.profile_name,
        options
            .limit
            .map(|l| format!(", first {l} questions per language"))
            .unwrap_or_default(),
        rows.join("\n"),
        details
    );
    println!("{table}");
    if options.record {
        super::record("Verifier (XQuAD)", &table)?;
        progress.say("Recorded in BENCHMARKS.md");
    }
    Ok(())
}
