//! `hyperlearn eval levels`: the difficulty estimate on labelled texts (OneStopEnglish,
//! CEFR-SP, CLEAR, TextComplexityDE), next to the length-only baseline.

use std::path::Path;

use anyhow::Context as _;

use crate::articles::WordFrequencies;
use crate::articles::level::{Features, baseline_score, flesch, level_features, raw_score, squash};

/// Reads a text file as UTF-8 (BOM stripped), falling back to windows-1252.
fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => encoding_rs::WINDOWS_1252
            .decode(e.as_bytes())
            .0
            .into_owned(),
    };
    Ok(text.trim_start_matches('\u{feff}').to_string())
}

/// Ranks with ties averaged (1-based).
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            out[idx[k]] = r;
        }
        i = j + 1;
    }
    out
}

/// Pearson correlation.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx.sqrt() * vy.sqrt())
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

struct Scored {
    formula: f64,
    baseline: f64,
}

fn score(lang: &str, text: &str, freq: &WordFrequencies) -> Option<Scored> {
    let ranks = freq.ranks(lang);
    let f: Features = level_features(lang, text, ranks.as_deref())?;
    Some(Scored {
        formula: squash(raw_score(lang, &f)),
        baseline: baseline_score(&f),
    })
}

/// Share of OneStopEnglish article pairs ordered elementary < intermediate < advanced.
fn onestop(data: &Path, freq: &WordFrequencies) -> anyhow::Result<(usize, usize, usize)> {
    let root = data.join("levels/onestopenglish/Texts-SeparatedByReadingLevel");
    let mut names: Vec<String> = std::fs::read_dir(root.join("Ele-Txt"))
        .with_context(|| format!("cannot list {}", root.display()))?
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix("-ele.txt")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    let (mut total, mut formula_ok, mut baseline_ok) = (0, 0, 0);
    for name in names {
        let ele = score(
            "en",
            &read_text(&root.join(format!("Ele-Txt/{name}-ele.txt")))?,
            freq,
        );
        // The intermediate texts are in a nested folder; the top-level copies are damaged.
        let int = score(
            "en",
            &read_text(&root.join(format!("Int-Txt/Int-Txt/{name}-int.txt")))?,
            freq,
        );
        let adv = score(
            "en",
            &read_text(&root.join(format!("Adv-Txt/{name}-adv.txt")))?,
            freq,
        );
        let (Some(e), Some(i), Some(a)) = (ele, int, adv) else {
            continue;
        };
        for (lo, hi) in [(&e, &i), (&i, &a), (&e, &a)] {
            total += 1;
            formula_ok += (lo.formula < hi.formula) as usize;
            baseline_ok += (lo.baseline < hi.baseline) as usize;
        }
    }
    Ok((total, formula_ok, baseline_ok))
}

/// Re-attaches PTB-split clitics ("do n't" -> "don't").
fn detokenize(s: &str) -> String {
    let mut out = s.to_string();
    for clitic in ["n't", "'s", "'d", "'ve", "'m", "'ll", "'re"] {
        for variant in [clitic.to_string(), clitic.to_uppercase()] {
            out = out.replace(&format!(" {variant}"), &variant);
        }
    }
    out
}

/// Spearman of formula and baseline with CEFR-SP ratings (mean of the two annotators).
fn cefr_sp(path: &Path, freq: &WordFrequencies) -> anyhow::Result<(usize, f64, f64)> {
    let text = read_text(path)?;
    let (mut f, mut b, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            continue;
        }
        let (Ok(a), Ok(c)) = (cols[1].trim().parse::<f64>(), cols[2].trim().parse::<f64>()) else {
            continue;
        };
        if let Some(s) = score("en", &detokenize(cols[0]), freq) {
            f.push(s.formula);
            b.push(s.baseline);
            y.push((a + c) / 2.0);
        }
    }
    Ok((y.len(), spearman(&f, &y), spearman(&b, &y)))
}

struct ClearResult {
    n: usize,
    formula: f64,
    baseline: f64,
    fre_r: f64,
    fre_mad: f64,
    fk_r: f64,
    fk_mad: f64,
}

/// CLEAR: Spearman with BT_easiness, and our Flesch / Flesch-Kincaid against CLEAR's.
fn clear(data: &Path, freq: &WordFrequencies) -> anyhow::Result<ClearResult> {
    let path = data.join("levels/clear-corpus/CLEAR_corpus_final.csv");
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no column {name}", path.display()))
    };
    let (excerpt, easiness, fre_col, fk_col) = (
        col("Excerpt")?,
        col("BT_easiness")?,
        col("Flesch-Reading-Ease")?,
        col("Flesch-Kincaid-Grade-Level")?,
    );
    let (mut f, mut b, mut y) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_fre, mut their_fre, mut ours_fk, mut their_fk) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record?;
        let text = record.get(excerpt).unwrap_or("");
        let Ok(e) = record.get(easiness).unwrap_or("").trim().parse::<f64>() else {
            continue;
        };
        if let Some(s) = score("en", text, freq) {
            f.push(s.formula);
            b.push(s.baseline);
            y.push(e);
        }
        if let (Some((fre, fk)), Ok(tf), Ok(tk)) = (
            flesch(text),
            record.get(fre_col).unwrap_or("").trim().parse::<f64>(),
            record.get(fk_col).unwrap_or("").trim().parse::<f64>(),
        ) {
            ours_fre.push(fre);
            their_fre.push(tf);
            ours_fk.push(fk);
            their_fk.push(tk);
        }
    }
    let mad = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len().max(1) as f64
    };
    Ok(ClearResult {
        n: y.len(),
        formula: spearman(&f, &y).abs(),
        baseline: spearman(&b, &y).abs(),
        fre_r: pearson(&ours_fre, &their_fre),
        fre_mad: mad(&ours_fre, &their_fre),
        fk_r: pearson(&ours_fk, &their_fk),
        fk_mad: mad(&ours_fk, &their_fk),
    })
}

/// TextComplexityDE: Spearman with learners' complexity ratings.
fn textcomplexity_de(data: &Path, freq: &WordFrequencies) -> anyhow::Result<(usize, f64, f64)> {
    let path = data.join("levels/textcomplexity-de/TextComplexityDE19/ratings.csv");
    let text = read_text(&path)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no column {name}", path.display()))
    };
    let (sentence, mos) = (col("Sentence")?, col("MOS_Complexity")?);
    let (mut f, mut b, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record?;
        let Ok(m) = record.get(mos).unwrap_or("").trim().parse::<f64>() else {
            continue;
        };
        if let Some(s) = score("de", record.get(sentence).unwrap_or(""), freq) {
            f.push(s.formula);
            b.push(s.baseline);
            y.push(m);
        }
    }
    Ok((y.len(), spearman(&f, &y), spearman(&b, &y)))
}

/// Runs every level evaluation, prints a table and records it.
pub fn eval_levels(data: &Path, wordfreq_dir: &Path, record: bool) -> anyhow::Result<()> {
    let freq = WordFrequencies::new(wordfreq_dir);
    anyhow::ensure!(
        freq.ranks("en").is_some(),
        "no word-frequency list in {} (run scripts/setup)",
        wordfreq_dir.display()
    );
    let pct = super::pct;
    let (pairs, ok, base_ok) = onestop(data, &freq)?;
    let (n_score, score_rho, score_base) = cefr_sp(
        &data.join("levels/cefr-sp/SCoRE/CEFR-SP_SCoRE_test.txt"),
        &freq,
    )?;
    let (n_wiki, wiki_rho, wiki_base) = cefr_sp(
        &data.join("levels/cefr-sp/Wiki-Auto/CEFR-SP_Wikiauto_test.txt"),
        &freq,
    )?;
    let c = clear(data, &freq)?;
    let (n_de, de_rho, de_base) = textcomplexity_de(data, &freq)?;
    let table = format!(
        "Levels (`hyperlearn eval levels`): the formula against the length-only baseline (mean sentence and word length)\n\n\
         | data | items | formula | length-only baseline | goal |\n|---|---|---|---|---|\n\
         | OneStopEnglish: pairs ordered elementary < intermediate < advanced | {pairs} | {} | {} | >= 99% |\n\
         | CEFR-SP SCoRE test: Spearman with the ratings | {n_score} | {score_rho:.3} | {score_base:.3} | >= 0.75 |\n\
         | CEFR-SP Wiki-Auto test: Spearman | {n_wiki} | {wiki_rho:.3} | {wiki_base:.3} | |\n\
         | CLEAR: abs. Spearman with BT_easiness | {} | {:.3} | {:.3} | >= 0.75 |\n\
         | TextComplexityDE: Spearman with learner ratings | {n_de} | {de_rho:.3} | {de_base:.3} | above baseline |\n\n\
         Formula values against CLEAR's precomputed ones: Flesch Reading Ease r = {:.3} (mean abs. difference {:.2}), \
         Flesch-Kincaid grade r = {:.3} (mean abs. difference {:.2}).\n",
        pct(ok, pairs),
        pct(base_ok, pairs),
        c.n,
        c.formula,
        c.baseline,
        c.fre_r,
        c.fre_mad,
        c.fk_r,
        c.fk_mad
    );
    println!("{table}");
    if record {
        super::record("Levels", &table)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_handles_ties_and_direction() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
        assert_eq!(
            detokenize("I do n't know John 's car ."),
            "I don't know John's car ."
        );
    }
}
