//! `hyperlearn eval feeds`: the feed parser on every feed file under `data/feeds` (feed-rs,
//! feedparser, gofeed, Miniflux, rss-parser and other projects' test corpora, in many
//! languages and encodings). Each file must parse or fail with an error naming it, never
//! panic; parsed text must not contain U+FFFD (a decoding that lost characters); and for
//! feed-rs's fixtures, titles, links, dates and ids must agree with its `*.serde.json`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::feeds::parse_feed;

pub struct FeedsEval {
    pub data: Option<PathBuf>,
    pub record: bool,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Files that are feeds to parse (not licences, read-mes, or expected outputs).
fn is_input(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let s = path.to_string_lossy();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    !name.starts_with("LICENSE")
        && !name.ends_with(".md")
        && !name.ends_with(".serde.json")
        && !s.contains("/output/")
        && !s.contains("/expected")
        && matches!(ext, "xml" | "rss" | "atom" | "rdf" | "json" | "html")
        // gofeed keeps each test's expected parse as JSON beside its XML input.
        && !(ext == "json"
            && ["xml", "rss", "atom"]
                .iter()
                .any(|x| path.with_extension(x).exists()))
}

#[derive(Default)]
struct Tally {
    files: usize,
    parsed: usize,
    failed: usize,
    panicked: Vec<String>,
    replacement_chars: Vec<String>,
    unnamed_errors: Vec<String>,
    /// The first few errors, as examples.
    examples: Vec<String>,
}

/// One entry of feed-rs's expected model, reduced to what we compare.
struct Expected {
    title: String,
    link: Option<String>,
    date: Option<String>,
    id: String,
}

fn expected_entries(v: &serde_json::Value) -> Vec<Expected> {
    v["entries"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| Expected {
                    title: e["title"]["content"]
                        .as_str()
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                    link: e["links"]
                        .as_array()
                        .and_then(|l| {
                            l.iter()
                                .find(|x| x["rel"].is_null() || x["rel"] == "alternate")
                                .or(l.first())
                        })
                        .and_then(|x| x["href"].as_str())
                        .map(|s| s.trim().to_string()),
                    date: e["published"]
                        .as_str()
                        .or(e["updated"].as_str())
                        .map(str::to_string),
                    id: e["id"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn eval_feeds(e: &FeedsEval) -> anyhow::Result<()> {
    let root = crate::config::data_dir(e.data.as_deref()).join("feeds");
    anyhow::ensure!(
        root.is_dir(),
        "{} is missing (pass --data DIR or set HYPERLEARN_DATA)",
        root.display()
    );
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut by_source: std::collections::BTreeMap<String, Tally> = Default::default();
    // Compare feed-rs fixtures field by field.
    let (mut compared_feeds, mut title_ok, mut fields, mut fields_ok) = (0, 0, 0usize, 0usize);
    let mut mismatches: Vec<String> = Vec::new();
    for path in files.iter().filter(|p| is_input(p)) {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let source = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_default();
        let tally = by_source.entry(source).or_default();
        tally.files += 1;
        let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
        let name = rel.display().to_string();
        // A URL stands for the file, as the pipeline passes the feed's URL.
        let url = format!("file:///{name}");
        let result = std::panic::catch_unwind(|| parse_feed(&url, &bytes));
        let parsed = match result {
            Err(_) => {
                tally.panicked.push(name.clone());
                continue;
            }
            Ok(Err(err)) => {
                tally.failed += 1;
                if tally.examples.len() < 4 {
                    tally.examples.push(err.to_string());
                }
                if !err.to_string().contains(&name) {
                    tally.unnamed_errors.push(name.clone());
                }
                continue;
            }
            Ok(Ok(p)) => p,
        };
        tally.parsed += 1;
        let text: String = std::iter::once(parsed.title.clone().unwrap_or_default())
            .chain(parsed.entries.iter().map(|e| e.title.clone()))
            .collect();
        if text.contains('\u{FFFD}') {
            tally.replacement_chars.push(name.clone());
        }
        // feed-rs's expectation, when there is one.
        let stem = path.with_extension("");
        let expected_path = PathBuf::from(format!("{}.serde.json", stem.display()));
        let Ok(expected_text) = std::fs::read_to_string(&expected_path) else {
            continue;
        };
        let Ok(expected) = serde_json::from_str::<serde_json::Value>(&expected_text) else {
            continue;
        };
        compared_feeds += 1;
        let want_title = expected["title"]["content"].as_str().unwrap_or("").trim();
        if parsed.title.as_deref().unwrap_or("").trim() == want_title {
            title_ok += 1;
        } else {
            mismatches.push(format!("{name}: feed title `{want_title}`"));
        }
        let want = expected_entries(&expected);
        if want.len() != parsed.entries.len() {
            mismatches.push(format!(
                "{name}: {} entries, expected {}",
                parsed.entries.len(),
                want.len()
            ));
        }
        for (got, want) in parsed.entries.iter().zip(&want) {
            let checks = [
                ("title", got.title == want.title),
                ("link", got.link == want.link),
                (
                    "date",
                    match (&got.published, &want.date) {
                        (Some(g), Some(w)) => chrono::DateTime::parse_from_rfc3339(w)
                            .is_ok_and(|w| w.with_timezone(&chrono::Utc) == *g),
                        (None, None) => true,
                        _ => false,
                    },
                ),
                // Our ids are the publisher's own; feed-rs makes one up when there is none.
                ("id", got.guid.as_deref().is_none_or(|g| g == want.id)),
            ];
            for (field, ok) in checks {
                fields += 1;
                if ok {
                    fields_ok += 1;
                } else if mismatches.len() < 40 {
                    mismatches.push(format!("{name}: entry `{}`: {field}", want.title));
                }
            }
        }
    }

    let mut body = String::from(
        "Feeds (`hyperlearn eval feeds`): every feed file under data/feeds through `feeds::parse_feed`\n\n\
         | corpus | files | parsed | clear errors | panics | text with U+FFFD |\n|---|---|---|---|---|---|\n",
    );
    let mut total = Tally::default();
    for (source, t) in &by_source {
        body.push_str(&format!(
            "| {source} | {} | {} | {} | {} | {} |\n",
            t.files,
            t.parsed,
            t.failed,
            t.panicked.len(),
            t.replacement_chars.len()
        ));
        total.files += t.files;
        total.parsed += t.parsed;
        total.failed += t.failed;
        total.panicked.extend(t.panicked.iter().cloned());
        total
            .replacement_chars
            .extend(t.replacement_chars.iter().cloned());
        total
            .unnamed_errors
            .extend(t.unnamed_errors.iter().cloned());
    }
    body.push_str(&format!(
        "| all | {} | {} | {} | {} | {} |\n\n\
         Errors that do not name their file: {}. feed-rs fixtures compared: {compared_feeds}; \
         feed titles equal: {title_ok}; entry fields (title, link, date, id) equal: {fields_ok} \
         of {fields} ({}).\n",
        total.files,
        total.parsed,
        total.failed,
        total.panicked.len(),
        total.replacement_chars.len(),
        total.unnamed_errors.len(),
        crate::eval::pct(fields_ok, fields),
    ));
    println!("{body}");
    for (source, t) in &by_source {
        for example in &t.examples {
            println!("error in {source}: {example}");
        }
    }
    for name in &total.panicked {
        println!("PANIC: {name}");
    }
    for name in total.replacement_chars.iter().take(30) {
        println!("U+FFFD in: {name}");
    }
    for m in mismatches.iter().take(40) {
        println!("differs from feed-rs: {m}");
    }
    if e.record {
        crate::eval::record("Feeds", &body)?;
        eprintln!("Recorded in BENCHMARKS.md");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_feed_inputs_are_read() {
        assert!(is_input(Path::new("/d/feeds/gofeed/testdata/a.xml")));
        assert!(!is_input(Path::new("/d/feeds/feed-rs/x.serde.json")));
        assert!(!is_input(Path::new("/d/feeds/rss-parser/output/a.json")));
        assert!(!is_input(Path::new("/d/feeds/miniflux/LICENSE")));
        assert!(!is_input(Path::new("/d/feeds/README.md")));
    }
}
