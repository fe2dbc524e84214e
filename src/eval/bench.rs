//! `hyperlearn bench generation`, `bench sets` and `bench engine`: throughput of lesson making
//! and of the inference engine, printed and appended to BENCHMARKS.md.

use std::time::{Duration, Instant};

use crate::articles;
use crate::config::{LessonConfig, ModelConfig};
use crate::demo::DEMO_SITE;
use crate::generation::{ChatPrompt, CompletionRequest, EngineStats, Generator};
use crate::pipeline;
use crate::report::RunReport;
use crate::verification::ArticleText;

/// The bundled demo articles in a language, extracted as the pipeline would.
pub fn demo_articles(lang: &str) -> Vec<(String, ArticleText)> {
    DEMO_SITE
        .iter()
        .filter(|f| f.path.starts_with(&format!("articles/{lang}/")))
        .map(|f| {
            let html = f.body.replace("{{BASE}}", "http://127.0.0.1");
            let extracted = articles::extract(&html, None);
            let title = extracted.title.clone().unwrap_or_default();
            (title, ArticleText::new(lang, &extracted.text))
        })
        .collect()
}

fn delta(after: &EngineStats, before: &EngineStats) -> EngineStats {
    EngineStats {
        requests: after.requests - before.requests,
        prompt_tokens_evaluated: after.prompt_tokens_evaluated - before.prompt_tokens_evaluated,
        prompt_tokens_cached: after.prompt_tokens_cached - before.prompt_tokens_cached,
        generated_tokens: after.generated_tokens - before.generated_tokens,
        prompt_seconds: after.prompt_seconds - before.prompt_seconds,
        generation_seconds: after.generation_seconds - before.generation_seconds,
        steps: after.steps - before.steps,
        step_tokens: after.step_tokens - before.step_tokens,
    }
}

/// One configuration's figures.
struct GenerationRow {
    label: String,
    lessons: usize,
    wall: Duration,
    stats: EngineStats,
    report: RunReport,
    write_seconds: f64,
    verify_seconds: f64,
}

/// Runs `lessons` lessons over the demo articles with the given model settings.
async fn run_lessons(
    model: &ModelConfig,
    lesson: &LessonConfig,
    lessons: usize,
    label: String,
) -> anyhow::Result<GenerationRow> {
    let generator = Generator::start(model)?;
    let articles = demo_articles("en");
    anyhow::ensure!(!articles.is_empty(), "no bundled English articles");
    let before = generator.engine().stats();
    let started = Instant::now();
    let jobs: Vec<_> = (0..lessons)
        .map(|i| {
            let (_, text) = &articles[i % articles.len()];
            let generator = &generator;
            async move {
                pipeline::timed_exercises(
                    lesson,
                    generator,
                    text,
                    crate::articles::Cefr::B1,
                    i as u64,
                )
                .await
            }
        })
        .collect();
    let mut report = RunReport::default();
    let (mut write_seconds, mut verify_seconds) = (0.0, 0.0);
    let parallel = model.parallel_sequences.max(1) as usize;
    use futures_util::StreamExt;
    let mut stream = futures_util::stream::iter(jobs).buffer_unordered(parallel);
    while let Some((part, write, verify)) = stream.next().await {
        report.absorb(part);
        write_seconds += write.as_secs_f64();
        verify_seconds += verify.as_secs_f64();
    }
    let wall = started.elapsed();
    let stats = delta(&generator.engine().stats(), &before);
    Ok(GenerationRow {
        label,
        lessons,
        wall,
        stats,
        report,
        write_seconds,
        verify_seconds,
    })
}

/// Options of `bench generation`.
pub struct GenerationBench {
    pub model: ModelConfig,
    pub lesson: LessonConfig,
    pub lessons: usize,
    pub parallel: u32,
    pub record: bool,
}

/// Lessons per hour with 1 and K sequences, and with K without prefix sharing.
pub async fn bench_generation(b: &GenerationBench) -> anyhow::Result<()> {
    let one = ModelConfig {
        parallel_sequences: 1,
        prefix_sharing: true,
        ..b.model.clone()
    };
    let k = ModelConfig {
        parallel_sequences: b.parallel,
        ..one.clone()
    };
    let k_plain = ModelConfig {
        prefix_sharing: false,
        ..k.clone()
    };
    let mut rows = Vec::new();
    for (config, label) in [
        (&one, "1 sequence, prefix sharing".to_string()),
        (&k, format!("{} sequences, prefix sharing", b.parallel)),
        (&k_plain, format!("{} sequences, no sharing", b.parallel)),
    ] {
        rows.push(run_lessons(config, &b.lesson, b.lessons, label).await?);
    }

    let mut table = format!(
        "Lesson generation (`hyperlearn bench generation --lessons {} --parallel {}`), model {}, {} threads, {} model candidates per lesson, English demo articles\n\n\
         | configuration | lessons/hour | prompt tok/s | generated tok/s | prompt tokens decoded / re-used | questions accepted (model / all) | write : verify time | peak memory |\n\
         |---|---|---|---|---|---|---|---|\n",
        b.lessons,
        b.parallel,
        b.model
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        b.model.effective_threads(),
        b.lesson.model_candidates
    );
    for r in &rows {
        let wall = r.wall.as_secs_f64();
        let s = &r.stats;
        let written = r.report.questions_model_written;
        let accepted_model = r.report.questions_model_accepted;
        let all = r.report.questions_model_accepted + r.report.questions_constructed_accepted;
        let total_tried = written + r.report.questions_constructed;
        let split = r.write_seconds + r.verify_seconds;
        table.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.1} | {} / {} | {} of {} / {} of {} | {:.0}% : {:.0}% | {:.0} MiB |\n",
            r.label,
            r.lessons as f64 / wall * 3600.0,
            s.prompt_tokens_evaluated as f64 / wall,
            s.generated_tokens as f64 / wall,
            s.prompt_tokens_evaluated,
            s.prompt_tokens_cached,
            accepted_model,
            written,
            all,
            total_tried,
            100.0 * r.write_seconds / split.max(1e-9),
            100.0 * r.verify_seconds / split.max(1e-9),
            super::peak_memory_mib(),
        ));
    }
    table.push_str(
        "\nWrite : verify is the time lessons spent waiting for the model to write candidates versus verifying them \
         (round trips included); peak memory is the process's, cumulative over the rows.\n",
    );
    println!("{table}");
    if b.record {
        super::record("Generation", &table)?;
    }
    Ok(())
}

/// Options of `bench engine`.
pub struct EngineBench {
    pub model: ModelConfig,
    pub prompt_tokens: usize,
    pub generated_tokens: u32,
    pub sequences: Vec<u32>,
    pub shared_prompt: bool,
    pub grammar: bool,
    /// Runs per configuration; the fastest counts.
    pub repeat: usize,
    /// llama.cpp's `llama-batched-bench`, run with the same mix for comparison.
    pub batched_bench: Option<std::path::PathBuf>,
    pub record: bool,
}

/// A prompt of about `n` tokens of plain prose (the demo articles, repeated), distinct per
/// `variant` unless shared.
fn synthetic_prompt(n: usize, variant: usize) -> ChatPrompt {
    let prose: String = demo_articles("en")
        .into_iter()
        .map(|(_, t)| t.text().to_string())
        .collect::<Vec<_>>()
        .join("\n\n");
    // About 1.3 tokens per word for English prose with this tokenizer.
    let words: Vec<&str> = prose.split_whitespace().collect();
    let want = (n as f64 / 1.3) as usize;
    let start = (variant * 37) % words.len().max(1);
    let text: Vec<&str> = words
        .iter()
        .cycle()
        .skip(start)
        .take(want)
        .copied()
        .collect();
    ChatPrompt {
        system: "You continue texts.".into(),
        user: text.join(" "),
    }
}

struct EngineRun {
    wall: f64,
    stats: EngineStats,
}

async fn engine_run(b: &EngineBench, n: u32) -> anyhow::Result<EngineRun> {
    let model = ModelConfig {
        parallel_sequences: n,
        context_size: (b.prompt_tokens as u32 + b.generated_tokens + 256).max(b.model.context_size),
        ..b.model.clone()
    };
    let generator = Generator::start(&model)?;
    let engine = generator.engine();
    let before = engine.stats();
    let started = Instant::now();
    let requests: Vec<_> = (0..n as usize)
        .map(|i| CompletionRequest {
            prompt: synthetic_prompt(b.prompt_tokens, if b.shared_prompt { 0 } else { i + 1 }),
            grammar: b.grammar.then(|| "root ::= [a-z ,.]+".to_string()),
            max_tokens: b.generated_tokens,
            temperature: 0.8,
            seed: i as u32,
            timeout: Duration::from_secs(3600),
            ignore_eog: true,
        })
        .collect();
    for r in futures_util::future::join_all(requests.into_iter().map(|r| engine.complete(r))).await
    {
        r?;
    }
    Ok(EngineRun {
        wall: started.elapsed().as_secs_f64(),
        stats: delta(&engine.stats(), &before),
    })
}

/// Total seconds and tokens/s per sequence count, from llama-batched-bench's table.
fn batched_bench(b: &EngineBench, bin: &std::path::Path) -> anyhow::Result<Vec<(u32, f64, f64)>> {
    let list: Vec<String> = b.sequences.iter().map(u32::to_string).collect();
    let ctx = b.sequences.iter().max().copied().unwrap_or(1) as usize
        * (b.prompt_tokens + b.generated_tokens as usize + 64);
    let mut cmd = std::process::Command::new(bin);
    cmd.arg("-m").arg(&b.model.path).args([
        "-c",
        &ctx.to_string(),
        "-b",
        "2048",
        "-ub",
        "512",
        "-npp",
        &b.prompt_tokens.to_string(),
        "-ntg",
        &b.generated_tokens.to_string(),
        "-npl",
        &list.join(","),
        "-t",
        &b.model.effective_threads().to_string(),
    ]);
    if b.shared_prompt {
        cmd.arg("-pps");
    }
    if let Some(dir) = bin.parent() {
        cmd.env("LD_LIBRARY_PATH", dir);
    }
    let out = cmd
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", bin.display()))?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let rows = text
        .lines()
        .filter(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            // | PP | TG | B | N_KV | T_PP s | S_PP t/s | T_TG s | S_TG t/s | T s | S t/s |
            (cells.len() >= 10).then(|| {
                Some((
                    cells[2].parse().ok()?,
                    cells[8].parse().ok()?,
                    cells[9].parse().ok()?,
                ))
            })?
        })
        .collect();
    Ok(rows)
}

/// Aggregate decode throughput for N sequences of the same prompt/generation mix, the
/// figure llama.cpp's `llama-batched-bench` reports (tokens decoded or generated per second;
/// a shared prompt counts once).
pub async fn bench_engine(b: &EngineBench) -> anyhow::Result<()> {
    let reference = match &b.batched_bench {
        Some(bin) => batched_bench(b, bin)?,
        None => Vec::new(),
    };
    let mut table = format!(
        "Engine (`hyperlearn bench engine --prompt {} --generate {}{}{}`), model {}, {} threads, fastest of {} runs\n\n\
         | sequences | wall s | prompt s | generation s | total tok/s | prompt tokens decoded / re-used | llama-batched-bench tok/s | ratio |\n\
         |---|---|---|---|---|---|---|---|\n",
        b.prompt_tokens,
        b.generated_tokens,
        if b.shared_prompt {
            " --shared-prompt"
        } else {
            ""
        },
        if b.grammar { " --grammar" } else { "" },
        b.model
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        b.model.effective_threads(),
        b.repeat.max(1),
    );
    for &n in &b.sequences {
        let mut best: Option<EngineRun> = None;
        for _ in 0..b.repeat.max(1) {
            let run = engine_run(b, n).await?;
            if best.as_ref().is_none_or(|x| run.wall < x.wall) {
                best = Some(run);
            }
        }
        let run = best.expect("at least one run");
        let s = &run.stats;
        let total = (s.prompt_tokens_evaluated + s.generated_tokens) as f64 / run.wall;
        let (reference_rate, ratio) = match reference.iter().find(|r| r.0 == n) {
            Some((_, _, rate)) => (
                format!("{rate:.0}"),
                format!("{:.0}%", 100.0 * total / rate),
            ),
            None => ("-".into(), "-".into()),
        };
        table.push_str(&format!(
            "| {n} | {:.1} | {:.1} | {:.1} | {total:.0} | {} / {} | {reference_rate} | {ratio} |\n",
            run.wall,
            s.prompt_seconds,
            s.generation_seconds,
            s.prompt_tokens_evaluated,
            s.prompt_tokens_cached,
        ));
    }
    println!("{table}");
    if b.record {
        super::record("Engine", &table)?;
    }
    Ok(())
}

/// Options of `bench sets`.
pub struct SetsBench {
    /// `config.toml`, for `[model]` and `[lesson]` (as the demo reads it).
    pub config_file: std::path::PathBuf,
    /// Learners of the second phase, who read as the first phase's learners do.
    pub learners: usize,
    pub record: bool,
}

/// The bands the benchmark's English learners are at.
const SET_BANDS: [f64; 4] = [2.0, 3.0, 4.0, 5.0];

/// What exercise sets made once save: the real lesson stage over the demo's English
/// articles, served from 127.0.0.1, first with one learner per band (every lesson makes
/// its sets), then with N more learners at the same bands and interests (their lessons
/// take the sets made). Lessons per hour of each phase, sets made and reused, model
/// requests.
pub async fn bench_sets(b: &SetsBench) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let options = crate::demo::DemoOptions {
        dir: dir.path().to_path_buf(),
        outbox: None,
        config_file: b.config_file.clone(),
        fresh: true,
        quiet: true,
    };
    let (site, config) = crate::demo::start_site(&options).await?;
    let generator = Generator::start(&config.model)?;
    let services = pipeline::Services::open(config)?;
    let stage = |fetch: bool| pipeline::RunOptions {
        fetch,
        lessons: !fetch,
        mail: false,
        ..pipeline::RunOptions::full(true)
    };
    eprintln!("Fetching the demo feeds from {} ...", site.base_url());
    pipeline::run(&services, None, &stage(true)).await?;
    let mut rows = Vec::new();
    let mut added = 0;
    for (phase, learners) in [
        ("one learner per band", SET_BANDS.len()),
        ("the same bands again", b.learners),
    ] {
        for i in 0..learners {
            let n = added;
            added += 1;
            services.store.add_learner(&crate::store::NewLearner {
                email: format!("learner{n:05}@bench.example"),
                name: format!("Learner {n}"),
                lang: "en".into(),
                level: SET_BANDS[i % SET_BANDS.len()],
                interests: vec!["food".into(), "science".into()],
                delivery_time: chrono::NaiveTime::from_hms_opt(7, 0, 0).expect("valid"),
                timezone: "UTC".into(),
            })?;
        }
        eprintln!("Making lessons: {phase} ({learners} learners) ...");
        let before = generator.engine().stats();
        let started = Instant::now();
        let report = pipeline::run(&services, Some(&generator), &stage(false)).await?;
        let wall = started.elapsed();
        let requests = delta(&generator.engine().stats(), &before).requests;
        anyhow::ensure!(
            report.lessons_generated == learners,
            "{phase}: {} of {learners} lessons made:\n{report}",
            report.lessons_generated
        );
        rows.push((phase, learners, wall, requests, report));
    }
    site.stop().await;
    let mut table = format!(
        "Exercise sets made once (`hyperlearn bench sets --learners {}`), model {}, the demo's English articles from 127.0.0.1, English learners at A2, B1, B2 and C1\n\n\
         | phase | lessons | sets made | sets reused | model requests | seconds | per lesson |\n\
         |---|---|---|---|---|---|---|\n",
        b.learners,
        services
            .config
            .model
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
    );
    for (phase, lessons, wall, requests, report) in &rows {
        table.push_str(&format!(
            "| {phase} | {lessons} | {} | {} | {requests} | {:.1} | {:.1} ms |\n",
            report.exercise_sets_made,
            report.exercise_sets_reused,
            wall.as_secs_f64(),
            wall.as_secs_f64() * 1000.0 / *lessons as f64,
        ));
    }
    table.push_str(
        "\nA lesson that takes a stored set verifies its exercises again (every check but the round trip, which was recorded) and composes its own mail and glossary; the model is not asked. \
         A lesson tries up to three articles for its level's mix, and every set made on the way is kept.\n",
    );
    println!("{table}");
    if b.record {
        super::record("Exercise sets", &table)?;
    }
    Ok(())
}
