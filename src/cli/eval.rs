//! `eval`, `bench`, `verify` and `calibrate`: the commands that measure. Each prints its
//! figures; most also append them to BENCHMARKS.md.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::articles::Cefr;
use crate::pipeline;

use super::{StdoutError, config_or_defaults, model_for};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// One synthetic page of N MiB through decoding and extraction: time and peak memory.
    Extraction {
        #[arg(long, default_value_t = 15)]
        mib: usize,
        #[arg(long)]
        no_record: bool,
    },
    /// An index of N synthetic articles (words from the wordfreq lists): indexing rate and
    /// query latency p50/p99 for typical teachers' queries with filters.
    Search {
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        #[arg(long, default_value_t = 500)]
        queries: usize,
        #[arg(long)]
        no_record: bool,
    },
    /// N learners' lessons through the delivery ledger and the SMTP connection pool to an
    /// SMTP server on 127.0.0.1: messages per second and peak memory.
    Delivery {
        #[arg(long, default_value_t = 10_000)]
        learners: usize,
        #[arg(long, default_value_t = 4)]
        connections: usize,
        /// Send to this SMTP server (HOST:PORT) instead of the bench's own.
        #[arg(long, value_name = "HOST:PORT")]
        smtp: Option<String>,
        #[arg(long)]
        no_record: bool,
    },
    /// Lessons over the bundled English demo articles, with 1 and K parallel sequences and
    /// with K without prefix sharing: lessons per hour, token rates, accepted share, time
    /// writing versus verifying, peak memory. Uses `[model]` and `[lesson]` from the config.
    Generation {
        #[arg(long, default_value_t = 8)]
        lessons: usize,
        /// K, the parallel sequences of the second and third rows.
        #[arg(long, default_value_t = 4)]
        parallel: u32,
        #[arg(long)]
        no_record: bool,
    },
    /// What exercise sets made once save: the lesson stage over the demo's English
    /// articles, first one learner per band (each lesson makes its sets), then N learners at
    /// the same bands (their lessons reuse them): lessons per hour, sets made and reused,
    /// model requests. Uses `[model]` and `[lesson]` from the config.
    Sets {
        #[arg(long, default_value_t = 40)]
        learners: usize,
        #[arg(long)]
        no_record: bool,
    },
    /// What the store costs workers that share lesson jobs (`hyperlearn worker`): N worker
    /// threads, each with its own connection, claim every job as the lesson stage does.
    /// Making a lesson is replaced by a fixed wait (a stand-in, named in the output), so the
    /// figures are the coordination's.
    Fleet {
        /// An empty store to fill (`postgres://…`, or `sqlite:PATH`). Default: a scratch
        /// database made beside the configured PostgreSQL store (needs the CREATEDB right)
        /// and dropped afterwards; with an SQLite store, a scratch file.
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Worker counts to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
        workers: Vec<usize>,
        /// Learners: one lesson job each.
        #[arg(long, default_value_t = 2000)]
        learners: usize,
        /// The stand-in for making one lesson, in milliseconds.
        #[arg(long, default_value_t = 0)]
        stand_in_ms: u64,
        #[arg(long)]
        no_record: bool,
    },
    /// Raw engine throughput for N sequences of P prompt and G generated tokens, the mix
    /// llama.cpp's llama-batched-bench measures.
    Engine {
        #[arg(long = "prompt", default_value_t = 800)]
        prompt_tokens: usize,
        #[arg(long = "generate", default_value_t = 200)]
        generated_tokens: u32,
        /// Sequence counts to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,16")]
        sequences: Vec<u32>,
        /// All sequences share one prompt (as the article is shared within a lesson).
        #[arg(long)]
        shared_prompt: bool,
        /// Constrain generation with a (simple) grammar.
        #[arg(long)]
        grammar: bool,
        /// Runs per configuration; the fastest counts.
        #[arg(long, default_value_t = 2)]
        repeat: usize,
        /// Path to llama.cpp's llama-batched-bench, to run the same mix for comparison.
        #[arg(long, value_name = "BIN")]
        batched_bench: Option<PathBuf>,
        #[arg(long)]
        no_record: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// The learned topic classifier against the keyword lists on the BBC News corpus
    /// (5-fold cross-validation); `--save-model PATH` writes the model the pipeline uses
    /// (`[paths] topic_model`, default data/topics-en.json).
    Topics {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Also train on the whole corpus and write the model here.
        #[arg(long, value_name = "PATH")]
        save_model: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
    /// The feed parser on every feed under data/feeds: parsed or a clear error (never a
    /// panic), no lost characters, and agreement with feed-rs's expected parses.
    Feeds {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
    /// The article extractor on pages with gold text: token F1 on Readability.js's and
    /// newspaper's test pages, snippet F1 on trafilatura's evaluation set, and pages per second.
    Extraction {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
    /// The difficulty estimate on OneStopEnglish, CEFR-SP, CLEAR and TextComplexityDE, next
    /// to a length-only baseline.
    Levels {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
        /// Refit the formula on CEFR-SP's Wiki-Auto training sentences and print its weights (the
        /// constants in src/articles/level.rs) instead of evaluating; records nothing.
        #[arg(long)]
        fit: bool,
    },
    /// Lessons from real news pages, as a learner at LEVEL would get them with the configured
    /// model: per exercise kind, how many were made, accepted and rejected (by reason), the
    /// model's share and the seconds per lesson. Pages in other languages are skipped.
    Lessons(LessonsArgs),
    /// The verifier on XQuAD: right keys must be accepted, another question's answer from
    /// the same paragraph rejected.
    Verifier {
        /// The data folder (default: $HYPERLEARN_DATA or ../shared/data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Languages, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "en,es")]
        langs: Vec<String>,
        /// Only the first N questions per language.
        #[arg(long)]
        limit: Option<usize>,
        /// Lexical rule thresholds: strict, balanced or lenient.
        #[arg(long, default_value = "strict")]
        profile: String,
        /// Lexical checks only, without the model's round trip.
        #[arg(long)]
        no_model: bool,
        /// Print only; do not append to BENCHMARKS.md.
        #[arg(long)]
        no_record: bool,
    },
}

/// `eval lessons`: where the pages are and whom the lessons are for.
#[derive(Debug, Args)]
pub struct LessonsArgs {
    /// The folder of pages: its `*.html` and `*.html.gz` files (not its subfolders).
    #[arg(long, value_name = "DIR")]
    pages: PathBuf,
    /// The learner's (and the pages') language.
    #[arg(long, value_name = "L")]
    lang: String,
    /// The learner's level: A1, A2, B1, B2, C1 or C2.
    #[arg(long, value_name = "CEFR")]
    level: String,
    /// Write one JSON line per delivered exercise here: page, lang, level, kind, origin,
    /// scope, question, options (when there are), answer, evidence.
    #[arg(long, value_name = "OUT")]
    jsonl: Option<PathBuf>,
    /// Write a page for a teacher to judge the exercises here (HTML).
    #[arg(long, value_name = "OUT.html")]
    audit: Option<PathBuf>,
    /// Only the first N pages in the language.
    #[arg(long)]
    limit: Option<usize>,
    /// Print only; do not append to BENCHMARKS.md.
    #[arg(long)]
    no_record: bool,
}

impl LessonsArgs {
    /// The checked options: a known level and a supported language.
    fn options(self, quiet: bool) -> anyhow::Result<crate::eval::lessons::EvalLessonsOptions> {
        let level: Cefr = self.level.trim().parse().map_err(|_| {
            anyhow::anyhow!("--level `{}`: use A1, A2, B1, B2, C1 or C2", self.level)
        })?;
        let lang = self.lang.trim().to_ascii_lowercase();
        if !crate::lang::is_supported(&lang) {
            bail!(
                "--lang `{lang}`: use one of {}",
                crate::lang::codes().collect::<Vec<_>>().join(", ")
            );
        }
        Ok(crate::eval::lessons::EvalLessonsOptions {
            pages: self.pages,
            lang,
            level,
            jsonl: self.jsonl,
            audit: self.audit,
            limit: self.limit,
            record: !self.no_record,
            quiet,
        })
    }
}

/// Runs an `eval` command.
pub(super) async fn eval(config: &Path, quiet: bool, cmd: EvalCommand) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Topics {
            data,
            save_model,
            no_record,
        } => crate::eval::topics::eval_topics(&crate::eval::topics::TopicsEval {
            data,
            save_model,
            record: !no_record,
        }),
        EvalCommand::Feeds { data, no_record } => {
            crate::eval::feeds::eval_feeds(&crate::eval::feeds::FeedsEval {
                data,
                record: !no_record,
            })
        }
        EvalCommand::Extraction { data, no_record } => {
            crate::eval::extraction::eval_extraction(&crate::eval::extraction::ExtractionEval {
                data,
                record: !no_record,
            })
        }
        EvalCommand::Levels {
            data, fit: true, ..
        } => {
            let config = config_or_defaults(config)?;
            crate::eval::levels::fit_levels(
                &crate::config::data_dir(data.as_deref()),
                &config.wordfreq_dir,
            )
        }
        EvalCommand::Levels {
            data,
            no_record,
            fit: false,
        } => {
            let config = config_or_defaults(config)?;
            crate::eval::levels::eval_levels(
                &crate::config::data_dir(data.as_deref()),
                &config.wordfreq_dir,
                !no_record,
            )
        }
        EvalCommand::Lessons(args) => {
            let options = args.options(quiet)?;
            let generator =
                model_for(config, false, quiet)?.expect("a model is loaded unless --no-model");
            let config = config_or_defaults(config)?;
            crate::eval::lessons::eval_lessons(&config, &options, &generator).await
        }
        EvalCommand::Verifier {
            data,
            langs,
            limit,
            profile,
            no_model,
            no_record,
        } => {
            let options = crate::eval::verifier::EvalVerifierOptions {
                data: crate::config::data_dir(data.as_deref()),
                langs,
                limit,
                verify: verify_options(&profile, no_model)?,
                profile_name: profile,
                record: !no_record,
                quiet,
            };
            let generator = model_for(config, no_model, quiet)?;
            crate::eval::verifier::eval_verifier(&options, generator.as_ref()).await
        }
    }
}

/// Runs a `bench` command.
pub(super) async fn bench(config: &Path, cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Extraction { mib, no_record } => {
            crate::eval::extraction::bench_large_page(mib, !no_record)
        }
        BenchCommand::Search {
            articles,
            queries,
            no_record,
        } => {
            let config = config_or_defaults(config)?;
            crate::eval::search::bench_search(&crate::eval::search::SearchBench {
                articles,
                queries,
                wordfreq_dir: config.wordfreq_dir,
                record: !no_record,
            })
        }
        BenchCommand::Delivery {
            learners,
            connections,
            smtp,
            no_record,
        } => {
            crate::eval::delivery::bench_delivery(&crate::eval::delivery::DeliveryBench {
                learners,
                connections,
                smtp,
                record: !no_record,
            })
            .await
        }
        BenchCommand::Generation {
            lessons,
            parallel,
            no_record,
        } => {
            let config = config_or_defaults(config)?;
            crate::eval::bench::bench_generation(&crate::eval::bench::GenerationBench {
                model: config.model,
                lesson: config.lesson,
                lessons,
                parallel,
                record: !no_record,
            })
            .await
        }
        BenchCommand::Sets {
            learners,
            no_record,
        } => {
            crate::eval::bench::bench_sets(&crate::eval::bench::SetsBench {
                config_file: config.to_path_buf(),
                learners,
                record: !no_record,
            })
            .await
        }
        BenchCommand::Fleet {
            store,
            workers,
            learners,
            stand_in_ms,
            no_record,
        } => {
            let bench = |store| {
                crate::eval::fleet::bench_fleet(&crate::eval::fleet::FleetBench {
                    store,
                    workers: workers.clone(),
                    learners,
                    stand_in: std::time::Duration::from_millis(stand_in_ms),
                    record: !no_record,
                })
            };
            if let Some(store) = store {
                let base = std::env::current_dir()?;
                return bench(
                    crate::store::StoreLocation::parse(
                        &store,
                        &base,
                        crate::config::store_password(),
                    )
                    .map_err(anyhow::Error::msg)?,
                );
            }
            let config = config_or_defaults(config)?;
            match &config.store {
                crate::store::StoreLocation::Sqlite(_) => {
                    let dir = tempfile::tempdir()?;
                    bench(crate::store::StoreLocation::Sqlite(
                        dir.path().join("fleet.db"),
                    ))
                }
                beside @ crate::store::StoreLocation::Postgres { .. } => {
                    let name = format!("hyperlearn_fleet_{}", std::process::id());
                    let scratch = crate::store::Store::create_database(beside, &name)?;
                    let result = bench(scratch);
                    crate::store::Store::drop_database(beside, &name)?;
                    result
                }
            }
        }
        BenchCommand::Engine {
            prompt_tokens,
            generated_tokens,
            sequences,
            shared_prompt,
            grammar,
            repeat,
            batched_bench,
            no_record,
        } => {
            let config = config_or_defaults(config)?;
            crate::eval::bench::bench_engine(&crate::eval::bench::EngineBench {
                model: config.model,
                prompt_tokens,
                generated_tokens,
                sequences,
                shared_prompt,
                grammar,
                repeat,
                batched_bench,
                record: !no_record,
            })
            .await
        }
    }
}

/// `hyperlearn verify --jsonl`.
pub(super) async fn verify(
    config: &Path,
    quiet: bool,
    jsonl: &Path,
    profile: &str,
    no_model: bool,
) -> anyhow::Result<()> {
    let options = verify_options(profile, no_model)?;
    let generator = model_for(config, no_model, quiet)?;
    crate::eval::verifier::verify_jsonl(jsonl, generator.as_ref(), options).await
}

fn verify_options(
    profile: &str,
    no_model: bool,
) -> anyhow::Result<crate::verification::VerifyOptions> {
    let profile = crate::verification::Profile::named(profile)
        .with_context(|| format!("--profile `{profile}`: use strict, balanced or lenient"))?;
    Ok(crate::verification::VerifyOptions {
        profile,
        round_trip: !no_model,
        ..Default::default()
    })
}

/// `hyperlearn calibrate`.
pub(super) async fn calibrate(
    config_path: &Path,
    langs: &[String],
    show: bool,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let config = config_or_defaults(config_path)?;
    let store = crate::store::Store::connect(&config.store)?;
    let kinds = crate::calibrate::langs(langs)?;
    if show {
        let sha = crate::generation::model_file_sha256(&config.model.path)
            .with_context(|| format!("model {}", config.model.path.display()))?;
        let stored = crate::calibrate::stored(&store, &sha)?;
        if stored.is_empty() && !json {
            out!(
                "No calibration yet: model-judged kinds ({}) are off. Run `hyperlearn calibrate`.",
                crate::verification::calibration::KINDS.join(", ")
            );
        }
        for s in stored {
            if json {
                out!("{}", serde_json::to_string(&s)?);
            } else {
                out!("{s}");
            }
        }
        return Ok(());
    }
    let generator = model_for(config_path, false, quiet)?.expect("a model is loaded");
    let progress = pipeline::Progress::new(quiet);
    let frequencies = crate::articles::WordFrequencies::new(&config.wordfreq_dir);
    let mut uses = Vec::new();
    for (kind, langs) in kinds {
        if langs.is_empty() {
            continue;
        }
        let outcomes =
            crate::calibrate::calibrate(&store, &generator, &frequencies, kind, &langs, |line| {
                progress.say(line)
            })
            .await?;
        for o in &outcomes {
            if json {
                out!("{}", serde_json::to_string(o)?);
            } else {
                out!("{o}");
            }
        }
        let on: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.verdict.passed)
            .map(|o| o.measure.lang.as_str())
            .collect();
        uses.push(format!(
            "Lessons use {kind} in: {}.",
            if on.is_empty() {
                "no language".to_string()
            } else {
                on.join(", ")
            }
        ));
    }
    if !json {
        out!(
            "Stored for {} in {}. {}",
            config.model.path.display(),
            config.store,
            uses.join(" ")
        );
    }
    Ok(())
}
