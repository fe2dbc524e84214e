//! `hyperlearn eval levels`: the difficulty estimate on labelled texts (OneStopEnglish,
//! CEFR-SP, CLEAR, TextComplexityDE), next to the length-only baseline.

use std::collections::HashSet;
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

/// Same-article pairs, and how many of them the formula and the baseline order right.
#[derive(Debug, Default)]
struct PairCounts {
    pairs: usize,
    ok: usize,
    base_ok: usize,
}

impl PairCounts {
    fn add(&mut self, ok: bool, base_ok: bool) {
        self.pairs += 1;
        self.ok += ok as usize;
        self.base_ok += base_ok as usize;
    }
}

/// OneStopEnglish pair counts.
#[derive(Debug, Default)]
struct OneStop {
    /// All articles.
    all: PairCounts,
    /// The articles whose three files are versions of one text in the corpus's order.
    consistent: PairCounts,
    /// The other articles, with the reason.
    left_out: Vec<(String, String)>,
}

/// Content words two versions of one article share at least (of the shorter one's): the
/// corpus's own versions share 63% or more, a different article 26% or less.
const MIN_VERSION_OVERLAP: f64 = 0.5;

/// Why the three files of an article are not an elementary < intermediate < advanced
/// rewriting of one text, if they are not: a file that tells another story, or an
/// elementary version longer than the advanced one (the levels swapped).
fn not_versions_of_one_text(ele: &str, int: &str, adv: &str) -> Option<String> {
    let tokens = [ele, int, adv].map(crate::articles::level::level_tokens);
    let [e, i, a] = tokens.each_ref().map(|t| {
        t.iter()
            .filter(|w| w.chars().count() > 3 && w.chars().all(char::is_alphabetic))
            .collect::<HashSet<_>>()
    });
    for (name, x, y) in [
        ("elementary and intermediate", &e, &i),
        ("intermediate and advanced", &i, &a),
        ("elementary and advanced", &e, &a),
    ] {
        let shared = x.intersection(y).count() as f64 / x.len().min(y.len()).max(1) as f64;
        if shared < MIN_VERSION_OVERLAP {
            return Some(format!(
                "the {name} files tell different stories, sharing {:.0}% of their content words",
                100.0 * shared
            ));
        }
    }
    let (ele_words, adv_words) = (tokens[0].len(), tokens[2].len());
    (ele_words > adv_words).then(|| {
        format!(
            "the elementary file is longer than the advanced one, {ele_words} words to {adv_words}: levels swapped"
        )
    })
}

/// OneStopEnglish: the share of same-article pairs ordered elementary < intermediate <
/// advanced, over all articles and over those whose files are consistent.
fn onestop(data: &Path, freq: &WordFrequencies) -> anyhow::Result<OneStop> {
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
    let mut out = OneStop::default();
    for name in names {
        let ele = read_text(&root.join(format!("Ele-Txt/{name}-ele.txt")))?;
        // The intermediate texts are in a nested folder; the top-level copies are damaged.
        let int = read_text(&root.join(format!("Int-Txt/Int-Txt/{name}-int.txt")))?;
        let adv = read_text(&root.join(format!("Adv-Txt/{name}-adv.txt")))?;
        let (Some(e), Some(i), Some(a)) = (
            score("en", &ele, freq),
            score("en", &int, freq),
            score("en", &adv, freq),
        ) else {
            continue;
        };
        let inconsistent = not_versions_of_one_text(&ele, &int, &adv);
        for (lo, hi) in [(&e, &i), (&i, &a), (&e, &a)] {
            let (ok, base_ok) = (lo.formula < hi.formula, lo.baseline < hi.baseline);
            out.all.add(ok, base_ok);
            if inconsistent.is_none() {
                out.consistent.add(ok, base_ok);
            }
        }
        if let Some(why) = inconsistent {
            out.left_out.push((name, why));
        }
    }
    Ok(out)
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

/// CEFR-SP sentences (clitics re-attached) with their two annotators' ratings.
fn read_cefr_sp(path: &Path) -> anyhow::Result<Vec<(String, f64, f64)>> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            continue;
        }
        if let (Ok(a), Ok(b)) = (cols[1].trim().parse::<f64>(), cols[2].trim().parse::<f64>()) {
            out.push((detokenize(cols[0]), a, b));
        }
    }
    Ok(out)
}

/// Formula and baseline values of rated items, with their ratings.
#[derive(Debug, Default)]
struct Rated {
    formula: Vec<f64>,
    baseline: Vec<f64>,
    rating: Vec<f64>,
}

impl Rated {
    /// Items, and the Spearman of formula and baseline with the ratings.
    fn spearman(&self) -> (usize, f64, f64) {
        (
            self.rating.len(),
            spearman(&self.formula, &self.rating),
            spearman(&self.baseline, &self.rating),
        )
    }

    /// Both sets as one.
    fn pooled(&self, other: &Rated) -> Rated {
        let join = |a: &[f64], b: &[f64]| [a, b].concat();
        Rated {
            formula: join(&self.formula, &other.formula),
            baseline: join(&self.baseline, &other.baseline),
            rating: join(&self.rating, &other.rating),
        }
    }
}

/// CEFR-SP sentences scored, against the mean of the two annotators' ratings.
fn cefr_sp(path: &Path, freq: &WordFrequencies) -> anyhow::Result<Rated> {
    let mut out = Rated::default();
    for (sentence, a, c) in read_cefr_sp(path)? {
        if let Some(s) = score("en", &sentence, freq) {
            out.formula.push(s.formula);
            out.baseline.push(s.baseline);
            out.rating.push((a + c) / 2.0);
        }
    }
    Ok(out)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (a small, well-posed
/// least-squares system); `None` when `a` is singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let (above, below) = a.split_at_mut(row);
            let (pivot_row, this_row) = (&above[col], &mut below[0]);
            let factor = this_row[col] / pivot_row[col];
            for (x, p) in this_row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= factor * p;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

/// Least squares of `y` on the rows of `x` plus an intercept: (intercept, weights).
fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<(f64, Vec<f64>)> {
    let k = x.first()?.len() + 1;
    let mut xtx = vec![vec![0.0; k]; k];
    let mut xty = vec![0.0; k];
    for (row, &target) in x.iter().zip(y) {
        let row: Vec<f64> = std::iter::once(1.0).chain(row.iter().copied()).collect();
        for i in 0..k {
            xty[i] += row[i] * target;
            for j in 0..k {
                xtx[i][j] += row[i] * row[j];
            }
        }
    }
    let beta = solve(xtx, xty)?;
    Some((beta[0], beta[1..].to_vec()))
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Refits the English formula the way its constants were made: least squares of the mean
/// rating on the predictors over CEFR-SP's Wiki-Auto training sentences, then
/// a linear stretch that puts the median prediction of each annotator class (1 = A1 ... 6 =
/// C2, both annotators' ratings pooled) on its band. Prints the constants for level.rs.
pub fn fit_levels(data: &Path, wordfreq_dir: &Path) -> anyhow::Result<()> {
    let freq = WordFrequencies::new(wordfreq_dir);
    let ranks = freq.ranks("en").with_context(|| {
        format!(
            "no English word frequencies in {}: run scripts/setup",
            wordfreq_dir.display()
        )
    })?;
    // Only the Wiki-Auto part (CC BY-SA 3.0): the SCoRE part is licensed for non-commercial
    // use, so the shipped constants must not be derived from it. Fitted on both parts, the
    // weights differ little and the eval's figures move by at most 0.013.
    let mut rows = Vec::new();
    let file = "levels/cefr-sp/Wiki-Auto/CEFR-SP_Wikiauto_train.txt";
    for (sentence, a, b) in read_cefr_sp(&data.join(file))? {
        if let Some(f) = level_features("en", &sentence, Some(&ranks)) {
            rows.push((f.predictors().to_vec(), a, b));
        }
    }
    let x: Vec<Vec<f64>> = rows.iter().map(|(x, _, _)| x.clone()).collect();
    let y: Vec<f64> = rows.iter().map(|(_, a, b)| (a + b) / 2.0).collect();
    let (intercept, weights) =
        least_squares(&x, &y).context("the training features are collinear")?;
    let predict = |x: &[f64]| intercept + weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>();
    // Class medians of the prediction against the class, then a line through them.
    let mut points = Vec::new();
    for class in 1..=6 {
        let class = f64::from(class);
        let predictions = rows
            .iter()
            .flat_map(|(x, a, b)| [(x, *a), (x, *b)])
            .filter(|&(_, rating)| rating == class)
            .map(|(x, _)| predict(x))
            .collect();
        if let Some(m) = median(predictions) {
            points.push((vec![m], class));
        }
    }
    let (medians, classes): (Vec<Vec<f64>>, Vec<f64>) = points.into_iter().unzip();
    let (shift, stretch) = least_squares(&medians, &classes)
        .map(|(a, b)| (a, b[0]))
        .context("fewer than two CEFR classes in the training data")?;
    let fitted: Vec<String> = weights
        .iter()
        .map(|w| format!("{:.3}", w * stretch))
        .collect();
    println!(
        "{} training sentences; stretch {stretch:.3}\n\
         pub const INTERCEPT: f64 = {:.3};\n\
         pub const WEIGHTS: [f64; 6] = [{}];\n\
         (in use: INTERCEPT {}, WEIGHTS {:?})",
        rows.len(),
        intercept * stretch + shift,
        fitted.join(", "),
        crate::articles::level::INTERCEPT,
        crate::articles::level::WEIGHTS,
    );
    Ok(())
}

struct ClearResult {
    n: usize,
    formula: f64,
    baseline: f64,
    fre_r: f64,
    fre_mad: f64,
    fk_r: f64,
    fk_mad: f64,
    /// abs. Spearman of each formula CLEAR ships with BT_easiness, for scale.
    shipped: Vec<(&'static str, f64)>,
}

/// The readability formulas whose values CLEAR ships.
const CLEAR_FORMULAS: [&str; 7] = [
    "Flesch-Reading-Ease",
    "Flesch-Kincaid-Grade-Level",
    "Automated Readability Index",
    "SMOG Readability",
    "New Dale-Chall Readability Formula",
    "CAREC",
    "CML2RI",
];

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
    let shipped_cols = CLEAR_FORMULAS
        .iter()
        .map(|name| col(name))
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let mut shipped: Vec<(Vec<f64>, Vec<f64>)> = vec![Default::default(); CLEAR_FORMULAS.len()];
    let (mut f, mut b, mut y) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_fre, mut their_fre, mut ours_fk, mut their_fk) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record?;
        let text = record.get(excerpt).unwrap_or("");
        let Ok(e) = record.get(easiness).unwrap_or("").trim().parse::<f64>() else {
            continue;
        };
        for (&col, (values, ys)) in shipped_cols.iter().zip(&mut shipped) {
            if let Ok(v) = record.get(col).unwrap_or("").trim().parse::<f64>() {
                values.push(v);
                ys.push(e);
            }
        }
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
        shipped: CLEAR_FORMULAS
            .iter()
            .zip(&shipped)
            .map(|(name, (v, e))| (*name, spearman(v, e).abs()))
            .collect(),
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
    let ose = onestop(data, &freq)?;
    let score_part = cefr_sp(
        &data.join("levels/cefr-sp/SCoRE/CEFR-SP_SCoRE_test.txt"),
        &freq,
    )?;
    let wiki_part = cefr_sp(
        &data.join("levels/cefr-sp/Wiki-Auto/CEFR-SP_Wikiauto_test.txt"),
        &freq,
    )?;
    let (n_sp, sp_rho, sp_base) = score_part.pooled(&wiki_part).spearman();
    let (n_score, score_rho, score_base) = score_part.spearman();
    let (n_wiki, wiki_rho, wiki_base) = wiki_part.spearman();
    let c = clear(data, &freq)?;
    let (n_de, de_rho, de_base) = textcomplexity_de(data, &freq)?;
    let table = format!(
        "Levels (`hyperlearn eval levels`): the formula against the length-only baseline (mean sentence and word length)\n\n\
         | data | items | formula | length-only baseline | goal |\n|---|---|---|---|---|\n\
         | OneStopEnglish: pairs ordered elementary < intermediate < advanced, all articles | {} | {} | {} | |\n\
         | OneStopEnglish: the same, articles whose files are versions of one text in level order | {} | {} | {} | >= 99% |\n\
         | CEFR-SP test (SCoRE and Wiki-Auto): Spearman with the ratings | {n_sp} | {sp_rho:.3} | {sp_base:.3} | >= 0.75 |\n\
         | CEFR-SP test, SCoRE part alone | {n_score} | {score_rho:.3} | {score_base:.3} | |\n\
         | CEFR-SP test, Wiki-Auto part alone | {n_wiki} | {wiki_rho:.3} | {wiki_base:.3} | |\n\
         | CLEAR: abs. Spearman with BT_easiness | {} | {:.3} | {:.3} | >= 0.75 |\n\
         | TextComplexityDE: Spearman with learner ratings | {n_de} | {de_rho:.3} | {de_base:.3} | above baseline |\n\n\
         Formula values against CLEAR's precomputed ones: Flesch Reading Ease r = {:.3} (mean abs. difference {:.2}), \
         Flesch-Kincaid grade r = {:.3} (mean abs. difference {:.2}).\n\n\
         For scale, the formulas CLEAR ships, abs. Spearman with BT_easiness: {}.\n\n\
         OneStopEnglish articles left out of the second row: {}.\n",
        ose.all.pairs,
        pct(ose.all.ok, ose.all.pairs),
        pct(ose.all.base_ok, ose.all.pairs),
        ose.consistent.pairs,
        pct(ose.consistent.ok, ose.consistent.pairs),
        pct(ose.consistent.base_ok, ose.consistent.pairs),
        c.n,
        c.formula,
        c.baseline,
        c.fre_r,
        c.fre_mad,
        c.fk_r,
        c.fk_mad,
        c.shipped
            .iter()
            .map(|(name, rho)| format!("{name} {rho:.3}"))
            .collect::<Vec<_>>()
            .join(", "),
        if ose.left_out.is_empty() {
            "none".to_string()
        } else {
            ose.left_out
                .iter()
                .map(|(name, why)| format!("\"{name}\": {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        }
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
    fn versions_of_one_text_are_told_from_another_story_and_swapped_levels() {
        let adv = "The council approved the ambitious riverside regeneration scheme yesterday, \
                   promising thousands of trees, wider pavements and quieter streets.";
        let int = "The council approved the riverside regeneration plan yesterday, promising \
                   thousands of trees and quieter streets.";
        let ele = "The council said yes to the riverside plan. There will be thousands of trees.";
        assert_eq!(not_versions_of_one_text(ele, int, adv), None);
        let other = "Google walked the snowy roads of a small Arctic town with cameras.";
        assert!(
            not_versions_of_one_text(other, int, adv)
                .is_some_and(|why| why.contains("different stories"))
        );
        assert!(not_versions_of_one_text(adv, int, ele).is_some_and(|why| why.contains("swapped")));
    }

    #[test]
    fn least_squares_recovers_a_known_line_and_refuses_collinear_data() {
        let x: Vec<Vec<f64>> = (0..20)
            .map(|i| vec![f64::from(i), f64::from(i * i % 7)])
            .collect();
        let y: Vec<f64> = x.iter().map(|r| 1.5 + 2.0 * r[0] - 0.5 * r[1]).collect();
        let (intercept, w) = least_squares(&x, &y).unwrap();
        assert!((intercept - 1.5).abs() < 1e-9, "{intercept}");
        assert!(
            (w[0] - 2.0).abs() < 1e-9 && (w[1] + 0.5).abs() < 1e-9,
            "{w:?}"
        );
        let collinear: Vec<Vec<f64>> = (0..5)
            .map(|i| vec![f64::from(i), 2.0 * f64::from(i)])
            .collect();
        assert!(least_squares(&collinear, &[0.0, 1.0, 2.0, 3.0, 4.0]).is_none());
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }

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
