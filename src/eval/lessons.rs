//! `hyperlearn eval lessons`: lessons made from real news pages the project never saw, as a
//! learner at one level would get them, with the configured model. Prints, per exercise
//! kind, how many were made, accepted and rejected (by reason), the model's share and the
//! seconds per lesson; `--jsonl` writes every delivered exercise (a contract: outside checks
//! read it) and `--audit` a page a teacher can judge in minutes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::articles::{self, Cefr};
use crate::config::Config;
use crate::exercise::Exercise;
use crate::generation::Generator;
use crate::pipeline::{self, Progress};
use crate::verification::{ArticleText, VerifiedExercise};

/// What to evaluate.
#[derive(Debug, Clone)]
pub struct EvalLessonsOptions {
    /// The folder whose `*.html` and `*.html.gz` files are the pages (not its subfolders).
    pub pages: PathBuf,
    pub lang: String,
    pub level: Cefr,
    pub jsonl: Option<PathBuf>,
    pub audit: Option<PathBuf>,
    /// Only the first N pages of the language.
    pub limit: Option<usize>,
    /// Append the figures to BENCHMARKS.md.
    pub record: bool,
    pub quiet: bool,
}

/// One line of `--jsonl`: a delivered exercise.
#[derive(Debug, serde::Serialize)]
struct Line<'a> {
    page: &'a str,
    lang: &'a str,
    level: &'a str,
    kind: &'a str,
    origin: &'a str,
    /// "text" when answering needs more than the grammar of the one sentence
    /// ([`crate::exercise::Scope`]).
    scope: &'a str,
    question: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    options: &'a [String],
    answer: String,
    evidence: &'a str,
}

/// Counts for one exercise kind.
#[derive(Debug, Default)]
struct KindCounts {
    made: usize,
    accepted: usize,
    accepted_model: usize,
    rejected: BTreeMap<String, usize>,
}

/// A page's lesson for the audit page.
struct Audited {
    page: String,
    title: String,
    excerpt: String,
    exercises: Vec<VerifiedExercise>,
}

/// The pages of `dir` in name order: `*.html` and `*.html.gz`.
fn pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("--pages {}: cannot read the folder", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file() && (name.ends_with(".html") || name.ends_with(".html.gz"))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn read_page(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .with_context(|| format!("{}: not gzip", path.display()))?;
        out
    } else {
        bytes
    };
    Ok(articles::decode_html(&bytes, None))
}

/// The answer as a learner reads it in the answer key.
fn answer_of(e: &Exercise) -> String {
    match e {
        Exercise::TrueFalse { answer, .. } => answer.to_string(),
        _ => e.answer_text(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The teacher's audit page: for each lesson the article's opening, then each exercise with
/// its options (the key in bold), its key and its evidence.
fn audit_page(lang: &str, level: &str, lessons: &[Audited]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Lesson audit: {lang} {level}</title>\
         <style>body{{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:auto;padding:1rem}}\
         .ex{{border-left:4px solid #1f5f8b;padding:.3rem .8rem;margin:.8rem 0}}.meta{{color:#555;font-size:.9em}}\
         blockquote{{color:#333;font-style:italic}}</style></head><body>\
         <h1>Lesson audit: {lang}, {level}, {} lessons</h1>\
         <p>For each exercise: is the key right, is the prompt grammatical, is every option real language, does it test reading?</p>",
        lessons.len()
    );
    for l in lessons {
        let _ = write!(
            h,
            "<h2>{}</h2><p class=\"meta\">{}</p><blockquote>{}</blockquote>",
            escape(&l.title),
            escape(&l.page),
            escape(&l.excerpt)
        );
        for (i, v) in l.exercises.iter().enumerate() {
            let e = v.exercise();
            let key = e.answer_index();
            let options: String = e
                .options()
                .iter()
                .enumerate()
                .map(|(j, o)| {
                    let letter = crate::exercise::option_letter(j);
                    if Some(j) == key {
                        format!("<li><b>{letter}) {}</b></li>", escape(o))
                    } else {
                        format!("<li>{letter}) {}</li>", escape(o))
                    }
                })
                .collect();
            let _ = write!(
                h,
                "<div class=\"ex\"><p class=\"meta\">{}. {} · {}</p><p>{}</p>{}<p>Key: <b>{}</b></p><p class=\"meta\">Evidence: “{}”</p></div>",
                i + 1,
                e.kind(),
                v.origin().as_str(),
                escape(e.prompt()),
                if options.is_empty() {
                    String::new()
                } else {
                    format!("<ul>{options}</ul>")
                },
                escape(&answer_of(e)),
                escape(e.evidence())
            );
        }
    }
    h.push_str("</body></html>\n");
    h
}

/// Runs the evaluation and prints its figures.
pub async fn eval_lessons(
    config: &Config,
    options: &EvalLessonsOptions,
    generator: &Generator,
) -> anyhow::Result<()> {
    let progress = Progress::new(options.quiet);
    let lang = options.lang.as_str();
    let level = options.level.as_str();
    let frequencies = articles::WordFrequencies::new(&config.wordfreq_dir);
    // The configured model's calibrations, as the lesson stage reads them.
    let stored = match &config.store {
        crate::store::StoreLocation::Sqlite(path) => path.is_file(),
        crate::store::StoreLocation::Postgres { .. } => true,
    };
    if stored {
        let store = crate::store::Store::connect(&config.store)?;
        crate::pipeline::adopt_calibrations(&store, generator)?;
    }
    let calibrated = generator.calibrated(lang);
    let mut jsonl = match &options.jsonl {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("--jsonl {}", p.display()))?,
        )),
        None => None,
    };
    let all = pages(&options.pages)?;
    let (mut read_failed, mut other_lang, mut too_short, mut tried, mut lessons) =
        (0, 0, 0, 0, 0usize);
    let mut kinds: BTreeMap<String, KindCounts> = BTreeMap::new();
    let (mut delivered_exercises, mut delivered_model) = (0, 0);
    // Exercises beyond one sentence's grammar, and lessons with as many as the level asks.
    let (mut text_scope, mut mixed_lessons) = (0, 0);
    // Questions the model phrased for a program-chosen key: delivered, tried, lessons with one.
    let (mut phrased_delivered, mut phrased_made, mut phrased_lessons) = (0, 0, 0);
    let wanted = crate::generation::text_items_wanted(options.level);
    let mut seconds = Vec::new();
    let mut audited = Vec::new();
    for path in &all {
        if options.limit.is_some_and(|n| tried >= n) {
            break;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let html = match read_page(path) {
            Ok(h) => h,
            Err(e) => {
                progress.say(format!("  {name}: {e:#}"));
                read_failed += 1;
                continue;
            }
        };
        let extracted = articles::extract(&html, None);
        let text = extracted.text.trim();
        if crate::text::words(text).len() < 80 {
            too_short += 1;
            continue;
        }
        if articles::article_language(text, None, None) != lang {
            other_lang += 1;
            continue;
        }
        tried += 1;
        let article = ArticleText::new(
            lang,
            crate::text::truncate_words(text, config.lesson.max_article_words),
        )
        .with_lexicon(frequencies.ranks(lang));
        let started = Instant::now();
        let made = pipeline::lesson_exercises(
            &config.lesson,
            generator,
            &article,
            options.level,
            tried as u64,
        )
        .await;
        seconds.push(started.elapsed().as_secs_f64());
        for r in &made.records {
            let k = kinds.entry(r.kind().to_string()).or_default();
            k.made += 1;
            if r.accepted() {
                k.accepted += 1;
                k.accepted_model += usize::from(r.origin() != crate::exercise::Origin::Constructed);
            } else {
                for reason in r.reasons() {
                    *k.rejected.entry(reason.clone()).or_default() += 1;
                }
            }
        }
        let delivered = made.accepted.len() >= config.lesson.min_exercises;
        progress.say(format!(
            "  [{tried}] {name}: {} exercises{}",
            made.accepted.len(),
            if delivered {
                ""
            } else {
                " (too few: no lesson)"
            }
        ));
        if !delivered {
            continue;
        }
        lessons += 1;
        let beyond = made
            .accepted
            .iter()
            .filter(|v| v.exercise().scope(lang) == crate::exercise::Scope::Text)
            .count();
        text_scope += beyond;
        let phrased = made
            .accepted
            .iter()
            .filter(|v| v.origin() == crate::exercise::Origin::Phrased)
            .count();
        phrased_delivered += phrased;
        phrased_lessons += usize::from(phrased > 0);
        phrased_made += made
            .records
            .iter()
            .filter(|r| r.origin() == crate::exercise::Origin::Phrased)
            .count();
        mixed_lessons += usize::from(beyond >= wanted);
        for v in &made.accepted {
            let e = v.exercise();
            delivered_exercises += 1;
            delivered_model += usize::from(v.origin() != crate::exercise::Origin::Constructed);
            if let Some(out) = jsonl.as_mut() {
                let line = Line {
                    page: &name,
                    lang,
                    level,
                    kind: e.kind(),
                    origin: v.origin().writer(),
                    scope: e.scope(lang).as_str(),
                    question: e.prompt(),
                    options: e.options(),
                    answer: answer_of(e),
                    evidence: e.evidence(),
                };
                serde_json::to_writer(&mut *out, &line)?;
                std::io::Write::write_all(out, b"\n")?;
            }
        }
        if options.audit.is_some() {
            audited.push(Audited {
                page: name,
                title: extracted.title.clone().unwrap_or_default(),
                excerpt: crate::text::truncate_words(text, 60).to_string(),
                exercises: made.accepted,
            });
        }
    }
    if let Some(mut out) = jsonl {
        std::io::Write::flush(&mut out)?;
    }
    if let Some(p) = &options.audit {
        std::fs::write(p, audit_page(lang, level, &audited))
            .with_context(|| format!("--audit {}", p.display()))?;
    }

    let (accepted, model) = (delivered_exercises, delivered_model);
    let mean = if seconds.is_empty() {
        0.0
    } else {
        seconds.iter().sum::<f64>() / seconds.len() as f64
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Lessons for a {lang} learner at {level} from {} ({} pages: {tried} in {lang}, {other_lang} in another language, {too_short} too short, {read_failed} unreadable)",
        options.pages.display(),
        all.len()
    );
    let _ = writeln!(
        out,
        "  lessons: {lessons} of {tried}; exercises delivered: {accepted}, written by the model: {model} ({}); {mean:.1} s per lesson",
        crate::eval::pct(model, accepted)
    );
    let _ = writeln!(
        out,
        "  beyond one sentence: {text_scope} of {accepted} exercises ({}); lessons with the {level} mix (at least {wanted}): {mixed_lessons} of {lessons}",
        crate::eval::pct(text_scope, accepted)
    );
    let _ = writeln!(
        out,
        "  model-phrased questions: {phrased_delivered} delivered of {phrased_made} tried; lessons with one: {phrased_lessons} of {lessons}"
    );
    let verdict = |on: bool| {
        if on {
            format!("on, the model passed its {lang} calibration")
        } else {
            format!("off, the model has not passed a {lang} calibration (`hyperlearn calibrate`)")
        }
    };
    let _ = writeln!(
        out,
        "  model-judged kinds (vocabulary): {}",
        verdict(calibrated.vocabulary)
    );
    let _ = writeln!(
        out,
        "  content words' banks (bank): {}",
        verdict(calibrated.bank)
    );
    let _ = writeln!(
        out,
        "  {:<16} {:>6} {:>9} {:>9}  rejected by reason (made: tried; accepted: passed verification, of them by the model)",
        "kind", "made", "accepted", "model"
    );
    for (kind, k) in &kinds {
        let mut reasons: Vec<(&String, &usize)> = k.rejected.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(
            out,
            "  {kind:<16} {:>6} {:>9} {:>9}  {}",
            k.made,
            k.accepted,
            k.accepted_model,
            reasons.join(", ")
        );
    }
    print!("{out}");
    if options.record {
        let command = format!(
            "hyperlearn eval lessons --pages {} --lang {lang} --level {level}{}",
            options.pages.display(),
            options
                .limit
                .map(|n| format!(" --limit {n}"))
                .unwrap_or_default()
        );
        super::record(
            &format!("Lessons from real pages ({lang}, {level})"),
            &format!(
                "`{command}`, model {}\n\n```\n{out}```\n",
                config.model.path.display()
            ),
        )?;
        progress.say("Recorded in BENCHMARKS.md");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_page_escapes_what_pages_hold() {
        let page = audit_page(
            "en",
            "B1",
            &[Audited {
                page: "a.html".into(),
                title: "<script>x</script>".into(),
                excerpt: "It opened.".into(),
                exercises: vec![],
            }],
        );
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>x"));
        assert!(page.contains("1 lessons"));
    }

    #[test]
    fn only_html_and_gzipped_html_pages_are_read() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.html", "a.html.gz", "c.txt", "d.htm"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.html")).unwrap();
        let names: Vec<String> = pages(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.html.gz", "b.html"]);
    }
}
