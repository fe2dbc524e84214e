//! Evaluation and benchmark commands: they run the product's own code on the data under
//! `../shared/data` (or `--data`), print figures, and append them to `BENCHMARKS.md` with
//! the machine they ran on. Like `pipeline`, this is glue: it may call several stages.

pub mod bench;
pub mod delivery;
pub mod extraction;
pub mod feeds;
pub mod lessons;
pub mod levels;
pub mod search;
pub mod topics;
pub mod verifier;

use std::io::Write;
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

/// Appends a section to `BENCHMARKS.md` in the current folder.
pub fn record(title: &str, body: &str) -> std::io::Result<()> {
    let path = Path::new("BENCHMARKS.md");
    let new = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if new {
        writeln!(
            f,
            "# Benchmarks\n\nFigures appended by HyperLearn's eval and bench commands, newest last.\n"
        )?;
    }
    let when = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    writeln!(
        f,
        "\n## {title}\n\n_{when}; {}; hyperlearn {}_\n\n{}",
        machine(),
        env!("CARGO_PKG_VERSION"),
        body.trim_end()
    )?;
    Ok(())
}

/// Formats a share as a percentage.
pub fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}
