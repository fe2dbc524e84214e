//! `hyperlearn eval topics`: the learned topic classifier (Naive Bayes, `articles::
//! topic_model`) against the keyword lists, by 5-fold cross-validation on the BBC News
//! corpus under `data/topics` (business, entertainment, politics, sport, tech). With
//! `--save-model PATH` the model trained on the whole corpus is written for the pipeline.

use std::path::PathBuf;

use crate::articles::{TopicModel, classify_topics, topic_model};

pub struct TopicsEval {
    pub data: Option<PathBuf>,
    pub save_model: Option<PathBuf>,
    pub record: bool,
}

const FOLDS: usize = 5;

pub fn eval_topics(e: &TopicsEval) -> anyhow::Result<()> {
    let dir = crate::config::data_dir(e.data.as_deref()).join("topics/bbc-news/bbc");
    let docs = topic_model::read_corpus(&dir).map_err(|m| anyhow::anyhow!(m))?;
    anyhow::ensure!(
        !docs.is_empty(),
        "no labelled articles under {}",
        dir.display()
    );
    let (mut nb_right, mut kw_right, mut kw_none) = (0usize, 0usize, 0usize);
    for fold in 0..FOLDS {
        let train: Vec<(String, String)> = docs
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS != fold)
            .map(|(_, d)| d.clone())
            .collect();
        let model = TopicModel::train("en", &train, 2);
        for (_, (class, text)) in docs.iter().enumerate().filter(|(i, _)| i % FOLDS == fold) {
            if model.predict(text).is_some_and(|(c, _)| c == class) {
                nb_right += 1;
            }
            let (title, body) = text.split_once('\n').unwrap_or((text, ""));
            let topics = classify_topics("en", title, body, &[]);
            match topics.first() {
                Some(t) if t == topic_model::topic_name(class) => kw_right += 1,
                Some(_) => {}
                None => kw_none += 1,
            }
        }
    }
    let n = docs.len();
    let body = format!(
        "Topics (`hyperlearn eval topics`): BBC News, {n} articles in 5 classes, 5-fold cross-validation\n\n\
         | classifier | accuracy | no topic given |\n|---|---|---|\n\
         | Naive Bayes over stems (articles::topic_model) | {} | 0 |\n\
         | keyword lists (articles::topics), first topic | {} | {kw_none} |\n",
        crate::eval::pct(nb_right, n),
        crate::eval::pct(kw_right, n),
    );
    println!("{body}");
    if let Some(path) = &e.save_model {
        let model = TopicModel::train("en", &docs, 2);
        model.save(path).map_err(|m| anyhow::anyhow!(m))?;
        println!(
            "Model trained on all {n} articles written to {}",
            path.display()
        );
    }
    if e.record {
        crate::eval::record("Topics", &body)?;
        eprintln!("Recorded in BENCHMARKS.md");
    }
    Ok(())
}
