//! Word-frequency ranks per language, read from the data files of the PyPI package
//! `wordfreq` (`large_<lang>.msgpack.gz`: a gzip'd msgpack list of frequency buckets, most
//! frequent first, each a list of words). `scripts/setup` puts them in `data/wordfreq/`.
//! Word frequencies: wordfreq by Robyn Speer et al., data CC BY-SA 4.0.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};

/// Ranks of the words of one language (1 = most frequent).
#[derive(Debug, Default)]
pub struct Ranks {
    ranks: HashMap<String, u32>,
}

impl Ranks {
    /// The rank of a lower-case word.
    pub fn rank(&self, word: &str) -> Option<u32> {
        match self.ranks.get(word) {
            Some(r) => Some(*r),
            // wordfreq case-folds: its German list spells "groß" as "gross".
            None if word.contains('ß') => self.ranks.get(&word.replace('ß', "ss")).copied(),
            None => None,
        }
    }

    pub fn len(&self) -> usize {
        self.ranks.len()
    }

    /// The `n` most frequent words, most frequent first.
    pub fn top(&self, n: usize) -> Vec<&str> {
        let mut words: Vec<(&str, u32)> =
            self.ranks.iter().map(|(w, r)| (w.as_str(), *r)).collect();
        words.sort_by_key(|&(w, r)| (r, w));
        words.into_iter().take(n).map(|(w, _)| w).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.ranks.is_empty()
    }

    /// Ranks from an ordered word list (for tests and other sources).
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Ranks {
        let mut ranks = HashMap::new();
        for (i, w) in words.into_iter().enumerate() {
            ranks.entry(w.to_string()).or_insert(i as u32 + 1);
        }
        Ranks { ranks }
    }
}

/// Why a list could not be read.
#[derive(Debug, thiserror::Error)]
#[error("word-frequency list {path}: {message} (run scripts/setup to fetch the wordfreq data)")]
pub struct WordfreqError {
    pub path: PathBuf,
    pub message: String,
}

/// Parses a wordfreq `cB` file (gzip'd msgpack).
pub fn parse_wordfreq(path: &Path, gz: &[u8]) -> Result<Ranks, WordfreqError> {
    let err = |message: String| WordfreqError {
        path: path.to_path_buf(),
        message,
    };
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .map_err(|e| err(e.to_string()))?;
    let value = rmpv::decode::read_value(&mut raw.as_slice()).map_err(|e| err(e.to_string()))?;
    let rmpv::Value::Array(items) = value else {
        return Err(err("not a msgpack list".into()));
    };
    let mut iter = items.into_iter();
    match iter.next() {
        Some(rmpv::Value::Map(header)) => {
            let format = header
                .iter()
                .find(|(k, _)| k.as_str() == Some("format"))
                .and_then(|(_, v)| v.as_str());
            if format != Some("cB") {
                return Err(err(format!("unknown format {format:?}")));
            }
        }
        _ => return Err(err("no cB header".into())),
    }
    let mut ranks = HashMap::new();
    let mut next = 1u32;
    for bucket in iter {
        let rmpv::Value::Array(words) = bucket else {
            continue;
        };
        for w in words {
            if let Some(w) = w.as_str() {
                ranks.entry(w.to_string()).or_insert(next);
                next += 1;
            }
        }
    }
    Ok(Ranks { ranks })
}

/// The lists of a folder, loaded on first use and kept.
#[derive(Debug)]
pub struct WordFrequencies {
    dir: PathBuf,
    loaded: Mutex<HashMap<String, Option<Arc<Ranks>>>>,
    /// Set once a missing folder has been reported.
    missing_dir_reported: Once,
}

impl WordFrequencies {
    pub fn new(dir: &Path) -> WordFrequencies {
        WordFrequencies {
            dir: dir.to_path_buf(),
            loaded: Mutex::new(HashMap::new()),
            missing_dir_reported: Once::new(),
        }
    }

    /// Lists built from the given words (tests).
    pub fn from_lists(lists: Vec<(&str, Ranks)>) -> WordFrequencies {
        let loaded = lists
            .into_iter()
            .map(|(l, r)| (l.to_string(), Some(Arc::new(r))))
            .collect();
        WordFrequencies {
            dir: PathBuf::new(),
            loaded: Mutex::new(loaded),
            missing_dir_reported: Once::new(),
        }
    }

    /// The ranks of a language, or `None` when there is no list for it. A broken file is
    /// logged once; so is a missing folder, which is a set-up or configuration mistake (a
    /// language the folder has no list for is not).
    pub fn ranks(&self, lang: &str) -> Option<Arc<Ranks>> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = loaded.get(lang) {
            return r.clone();
        }
        let path = self.dir.join(format!("large_{lang}.msgpack.gz"));
        let ranks = match std::fs::read(&path) {
            Ok(bytes) => match parse_wordfreq(&path, &bytes) {
                Ok(r) => Some(Arc::new(r)),
                Err(e) => {
                    tracing::warn!("{e}");
                    None
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Lists built in memory (an empty folder path) have no folder to miss.
                if !self.dir.as_os_str().is_empty() && !self.dir.is_dir() {
                    self.missing_dir_reported.call_once(|| {
                        tracing::warn!(
                            "no word-frequency folder at {}: levels are measured from sentence and word length only, and glossaries are empty (scripts/setup fetches the lists; [paths] wordfreq_dir in config.toml points at them)",
                            self.dir.display()
                        )
                    });
                }
                None
            }
            Err(e) => {
                tracing::warn!("word-frequency list {}: {e}", path.display());
                None
            }
        };
        loaded.insert(lang.to_string(), ranks.clone());
        ranks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cb_file_gives_ranks_in_bucket_order() {
        // [{"format": "cB", "version": 1}, [], ["the", "of"], ["cat"]]
        let mut raw = Vec::new();
        let value = rmpv::Value::Array(vec![
            rmpv::Value::Map(vec![
                (rmpv::Value::from("format"), rmpv::Value::from("cB")),
                (rmpv::Value::from("version"), rmpv::Value::from(1)),
            ]),
            rmpv::Value::Array(vec![]),
            rmpv::Value::Array(vec![rmpv::Value::from("the"), rmpv::Value::from("of")]),
            rmpv::Value::Array(vec![rmpv::Value::from("cat"), rmpv::Value::from("gross")]),
        ]);
        rmpv::encode::write_value(&mut raw, &value).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &raw).unwrap();
        let ranks = parse_wordfreq(Path::new("x"), &gz.finish().unwrap()).unwrap();
        assert_eq!(ranks.rank("the"), Some(1));
        assert_eq!(ranks.rank("of"), Some(2));
        assert_eq!(ranks.rank("cat"), Some(3));
        assert_eq!(ranks.rank("dog"), None);
        // The list is case-folded, "ß" to "ss"; a German text keeps its "ß".
        assert_eq!(ranks.rank("groß"), Some(4));
        assert_eq!(ranks.rank("großes"), None);
        assert!(parse_wordfreq(Path::new("x"), b"not gzip").is_err());
    }
}
