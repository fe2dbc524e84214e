//! The import rules of ARCHITECTURE.md ("Invariants"), kept by the machine: each outside
//! thing has one module that talks to it. (`clippy.toml` keeps the rest: HTTP clients are
//! built only by `http::HttpClient::new`, environment variables are read only in `config`.)

use std::path::{Path, PathBuf};

/// Which crate only which part of `src/` may name: (crate, allowed path prefix, why).
const DOORS: &[(&str, &str, &str)] = &[
    (
        "tantivy",
        "src/index",
        "only `index` talks to the search index",
    ),
    (
        "rusqlite",
        "src/store",
        "only `store` talks to the database",
    ),
    (
        "llama_cpp_2",
        "src/generation/llm.rs",
        "only `generation::llm` talks to llama.cpp",
    ),
    (
        "lettre",
        "src/delivery",
        "only `delivery` builds and sends mail",
    ),
    (
        "reqwest",
        "src/http",
        "only `http` makes HTTP requests (with the [fetch] limits)",
    ),
];

/// Every `.rs` file under `dir`, as a path relative to the repository root.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path.strip_prefix(root).unwrap().to_path_buf();
        if path.is_dir() {
            rust_files(root, &relative, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(relative);
        }
    }
}

/// The lines of `source` that name `krate` as a path (`krate::`, `use krate`, `extern
/// crate krate`), outside comments, as (line number, line).
fn naming(source: &str, krate: &str) -> Vec<(usize, String)> {
    let path = format!("{krate}::");
    source
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let code = line.split("//").next().unwrap_or_default();
            let named = code.match_indices(&path).any(|(at, _)| {
                // A whole crate name: `tantivy::`, not `my_tantivy::`.
                code[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            }) || code.trim_start().starts_with(&format!("use {krate}"))
                || code.contains(&format!("extern crate {krate}"));
            named.then(|| (n + 1, line.trim().to_string()))
        })
        .collect()
}

#[test]
fn each_outside_thing_is_named_only_by_its_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(root, Path::new("src"), &mut files);
    assert!(files.len() > 20, "the source tree: {files:?}");
    let mut breaches = Vec::new();
    let mut doors_used = vec![false; DOORS.len()];
    for file in &files {
        let source = std::fs::read_to_string(root.join(file)).unwrap();
        let shown = file.to_string_lossy().replace('\\', "/");
        for (i, (krate, allowed, why)) in DOORS.iter().enumerate() {
            let lines = naming(&source, krate);
            if shown.starts_with(allowed) {
                doors_used[i] |= !lines.is_empty();
                continue;
            }
            for (n, line) in lines {
                breaches.push(format!("{shown}:{n}: names `{krate}` ({why}): {line}"));
            }
        }
    }
    assert!(breaches.is_empty(), "\n{}", breaches.join("\n"));
    // Each door is where the rule says: a rule about a module that moved checks nothing.
    for ((krate, allowed, _), used) in DOORS.iter().zip(doors_used) {
        assert!(
            used,
            "no file under {allowed} names `{krate}`: update the rule"
        );
    }
}

#[test]
fn naming_finds_paths_and_imports_but_not_comments_or_longer_names() {
    let source = "use tantivy::schema;\n\
                  // tantivy::Index in a comment\n\
                  let x = my_tantivy::thing();\n\
                  let i = tantivy::Index::create_in_ram(s); // made here\n\
                  extern crate tantivy;\n";
    let lines: Vec<usize> = naming(source, "tantivy")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(lines, vec![1, 4, 5]);
}

#[test]
fn only_lang_reads_the_language_homes() {
    // A language's data lives in its home, `lang/<code>/`, registered in `src/lang.rs`;
    // a module that read a home's file itself would be a second register.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(root, Path::new("src"), &mut files);
    let mut breaches = Vec::new();
    for file in &files {
        let shown = file.to_string_lossy().replace('\\', "/");
        if shown == "src/lang.rs" {
            continue;
        }
        let source = std::fs::read_to_string(root.join(file)).unwrap();
        for (n, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("include_str!") && code.contains("lang/") {
                breaches.push(format!("{shown}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "read a home through `crate::lang`:\n{}",
        breaches.join("\n")
    );
    let register = std::fs::read_to_string(root.join("src/lang.rs")).unwrap();
    for entry in std::fs::read_dir(root.join("lang")).unwrap() {
        let code = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            register.contains(&format!("home!(\"{code}\")")),
            "lang/{code}/ has no `home!(\"{code}\")` line in src/lang.rs"
        );
    }
}

/// The exercise stages, lowest first: each may name only those before it.
const STAGES: &[(&str, &str)] = &[
    ("src/analysis", "crate::analysis"),
    ("src/generation", "crate::generation"),
    ("src/verification", "crate::verification"),
];

/// A file's code outside its unit tests (a `tests.rs` file, or what follows
/// `#[cfg(test)] mod tests`): tests may use the stage after the one they test.
fn without_tests(file: &str, source: &str) -> String {
    if file.ends_with("tests.rs") {
        return String::new();
    }
    let end = source
        .find("#[cfg(test)]\nmod tests")
        .unwrap_or(source.len());
    source[..end].to_string()
}

#[test]
fn the_exercise_stages_import_only_downwards() {
    // Generation writes exercises from the article's analysis and verification judges them
    // against it; neither asks the stage after it, and the analysis asks neither.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut breaches = Vec::new();
    let mut seen = 0;
    for (i, (dir, _)) in STAGES.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(root, Path::new(dir), &mut files);
        seen += files.len();
        for file in files {
            let shown = file.to_string_lossy().replace('\\', "/");
            let source = std::fs::read_to_string(root.join(&file)).unwrap();
            let code = without_tests(&shown, &source);
            for (_, later) in &STAGES[i + 1..] {
                for (n, line) in naming(&code, later) {
                    breaches.push(format!(
                        "{shown}:{n}: names the later stage `{later}`: {line}"
                    ));
                }
            }
        }
    }
    assert!(seen >= 10, "the stages' files: {seen}");
    assert!(breaches.is_empty(), "\n{}", breaches.join("\n"));
}

#[test]
fn unit_tests_are_left_out_of_the_stage_rule() {
    let source = "use crate::analysis::ArticleText;\n\
                  fn f() {}\n\
                  #[cfg(test)]\nmod tests {\n    use crate::verification::verify;\n}\n";
    let code = without_tests("src/generation/x.rs", source);
    assert!(naming(&code, "crate::verification").is_empty());
    assert_eq!(naming(source, "crate::verification").len(), 1);
    assert!(without_tests("src/generation/redteam_tests.rs", source).is_empty());
}
