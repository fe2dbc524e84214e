//! Evaluation and benchmark commands: they run the product's own code on the data under
//! `../shared/data` (or `--data`), print figures, and append them to `BENCHMARKS.md` with
//! the machine they ran on. Like `pipeline`, this is glue: it may call several stages.

pub mod bench;
pub mod delivery;
pub mod extraction;
pub mod feeds;
pub mod fleet;
pub mod lessons;
pub mod levels;
pub mod search;
pub mod topics;
pub mod verifier;

use std::path::Path;

/// A one-line description of this machine: CPU model, cores, memory.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split(':').nth(1))
        })
        .map(str::trim)
        .unwrap_or("unknown CPU")
        .to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    format!("{model}, {cores} cores, {mem_gib:.0} GiB RAM")
}

/// Peak resident memory of this process so far, in MiB.
pub fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|r| r.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The top of `BENCHMARKS.md`.
const BENCHMARKS_HEAD: &str = "# Benchmarks\n\nFigures recorded by HyperLearn's eval and bench commands. \
\"Latest\" holds the newest figures of each benchmark, with the machine and the commit they \
were measured on; every earlier run is kept under \"History\", newest first.\n";

/// Records a benchmark's figures in `BENCHMARKS.md` in the current folder: they become the
/// benchmark's latest, and the figures they replace move to the top of the history.
pub fn record(title: &str, body: &str) -> std::io::Result<()> {
    let path = Path::new("BENCHMARKS.md");
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let sectioned = old.contains("\n## Latest\n") && old.contains("\n## History\n");
    if !(old.is_empty() || sectioned) {
        return Err(std::io::Error::other(
            "BENCHMARKS.md has no \"## Latest\" and \"## History\" sections; nothing recorded",
        ));
    }
    let when = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let section = format!(
        "### {title}\n\n_{when}; {}; hyperlearn {} at {}_\n\n{}\n",
        machine(),
        env!("CARGO_PKG_VERSION"),
        commit(),
        without_machine_paths(body.trim_end())
    );
    std::fs::write(path, with_latest(&old, title, &section))
}

/// `BENCHMARKS.md` with `section` as the latest of `title`, the one it replaces first in the
/// history.
fn with_latest(old: &str, title: &str, section: &str) -> String {
    let (latest, history) = match old.split_once("\n## History\n") {
        Some((top, history)) => (
            top.split_once("\n## Latest\n").map_or("", |(_, l)| l),
            history,
        ),
        None => ("", ""),
    };
    // The file's head as it stands (notes added by hand, such as where the evaluation pages
    // come from, stay), or the standard head for a new file.
    let head = old
        .split_once("\n## Latest\n")
        .map(|(head, _)| head.trim_end())
        .filter(|head| head.starts_with("# Benchmarks"))
        .map_or_else(|| BENCHMARKS_HEAD.to_string(), |head| format!("{head}\n"));
    let mut latest = sections(latest);
    let mut history = sections(history);
    let heading = format!("### {title}\n");
    if let Some(at) = latest.iter().position(|s| s.starts_with(&heading)) {
        history.insert(0, latest.remove(at));
    }
    latest.insert(0, section.to_string());
    let join = |s: &[String]| {
        s.iter()
            .map(|s| s.trim_end())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    format!(
        "{head}\n## Latest\n\n{}\n\n## History\n\n{}\n",
        join(&latest),
        join(&history)
    )
}

/// The `### ` sections of a part of `BENCHMARKS.md`.
fn sections(part: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in part.lines() {
        if line.starts_with("### ") {
            out.push(String::new());
        }
        if let Some(current) = out.last_mut() {
            current.push_str(line);
            current.push('\n');
        }
    }
    out
}

/// The commit the figures were measured on (`git describe`), marked when the working tree
/// has changes other than to `BENCHMARKS.md`; "an unknown commit" outside a git checkout.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
    };
    let Some(described) = git(&["describe", "--always"]).filter(|d| !d.trim().is_empty()) else {
        return "an unknown commit".into();
    };
    let changed = git(&[
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":(exclude)BENCHMARKS.md",
    ])
    .is_some_and(|s| !s.trim().is_empty());
    format!(
        "{}{}",
        described.trim(),
        if changed {
            " + uncommitted changes"
        } else {
            ""
        }
    )
}

/// Paths of this machine out of recorded figures: the current folder's prefix goes.
fn without_machine_paths(body: &str) -> String {
    match std::env::current_dir() {
        Ok(dir) if dir.as_os_str().len() > 1 => body.replace(&format!("{}/", dir.display()), ""),
        _ => body.to_string(),
    }
}

/// Formats a share as a percentage.
pub fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_figure_is_the_latest_and_the_one_it_replaces_heads_the_history() {
        let first = with_latest("", "Search", "### Search\n\n_one_\n\np99 2 ms\n");
        assert!(first.starts_with(BENCHMARKS_HEAD));
        let second = with_latest(&first, "Levels", "### Levels\n\n_two_\n\n0.80\n");
        let third = with_latest(&second, "Search", "### Search\n\n_three_\n\np99 1 ms\n");
        let (latest, history) = third.split_once("## History").unwrap();
        assert!(
            latest.contains("p99 1 ms") && latest.contains("0.80"),
            "{third}"
        );
        assert!(!latest.contains("p99 2 ms"), "{third}");
        assert!(history.contains("p99 2 ms"), "{third}");
        assert!(
            latest.find("### Search").unwrap() < latest.find("### Levels").unwrap(),
            "the newest first: {third}"
        );
        let fourth = with_latest(&third, "Search", "### Search\n\n_four_\n\np99 0.5 ms\n");
        let (_, history) = fourth.split_once("## History").unwrap();
        assert!(
            history.find("p99 1 ms").unwrap() < history.find("p99 2 ms").unwrap(),
            "history newest first: {fourth}"
        );
        assert_eq!(fourth.matches("### ").count(), 4);
        // A note added to the head by hand stays.
        let noted = fourth.replacen(
            "\n## Latest\n",
            "`var/eval/x` holds the pages.\n\n## Latest\n",
            1,
        );
        let fifth = with_latest(&noted, "Levels", "### Levels\n\n_five_\n\n0.90\n");
        assert!(fifth.starts_with(BENCHMARKS_HEAD), "{fifth}");
        assert_eq!(
            fifth.matches("`var/eval/x` holds the pages.").count(),
            1,
            "{fifth}"
        );
    }
}
