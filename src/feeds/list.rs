//! Feed lists: `feeds/*.toml`, one file per language or group, edited by hand or by
//! `hyperlearn feeds add|remove` (which keep comments and layout intact).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::FeedError;

/// One feed an admin listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSource {
    pub url: String,
    /// Display name; the URL's host when not given.
    pub name: String,
    /// Language hint (ISO 639-1) for the feed's articles; detection still runs.
    pub lang: Option<String>,
    /// Topics given to every article of this feed.
    pub topics: Vec<String>,
    pub enabled: bool,
    /// The list file it came from (e.g. `feeds/en.toml`).
    pub file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    feed: Vec<RawFeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: String,
    name: Option<String>,
    lang: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

/// Reads every `*.toml` in the folder, sorted by file name. A folder that does not exist
/// holds no feeds.
pub fn load_feed_lists(dir: &Path) -> Result<Vec<FeedSource>, FeedError> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(FeedError::ListIo {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    files.sort();
    let mut out = Vec::new();
    for file in files {
        out.extend(load_feed_list(&file)?);
    }
    Ok(out)
}

/// Reads one feed-list file.
pub fn load_feed_list(file: &Path) -> Result<Vec<FeedSource>, FeedError> {
    let text = std::fs::read_to_string(file).map_err(|source| FeedError::ListIo {
        path: file.to_path_buf(),
        source,
    })?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| FeedError::ListSyntax {
        path: file.to_path_buf(),
        message: e.to_string(),
    })?;
    raw.feed
        .into_iter()
        .map(|f| {
            let parsed = url::Url::parse(&f.url).map_err(|e| FeedError::ListSyntax {
                path: file.to_path_buf(),
                message: format!("feed url `{}`: {e}", f.url),
            })?;
            Ok(FeedSource {
                name: f
                    .name
                    .unwrap_or_else(|| parsed.host_str().unwrap_or("feed").to_string()),
                url: f.url,
                lang: f.lang,
                topics: f.topics,
                enabled: f.enabled,
                file: file.to_path_buf(),
            })
        })
        .collect()
}

/// The name of a feed-list file, `feeds/<name>.toml`: a language code or a plain file stem
/// (letters, digits, `-` and `_`, at most 64, starting with a letter or digit). Checked where
/// a name enters (web, CLI, OPML import), so that nothing is ever written outside `feeds/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListName(String);

impl ListName {
    pub fn new(name: &str) -> Result<ListName, FeedError> {
        let bad = |reason: &str| FeedError::BadListName {
            name: name.chars().take(80).collect(),
            reason: reason.into(),
        };
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(bad("must have 1 to 64 characters"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(
                "use a language code or a file name made of letters, digits, - and _ (no paths)",
            ));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(bad("must start with a letter or a digit"));
        }
        Ok(ListName(name.to_string()))
    }

    fn file(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.toml", self.0))
    }
}

/// Whether a URL can be a feed's: http or https, with a host.
fn check_feed_url(url: &str) -> Result<(), FeedError> {
    let bad = |reason: String| FeedError::BadUrl {
        url: url.chars().take(200).collect(),
        reason,
    };
    let parsed = url::Url::parse(url.trim()).map_err(|e| bad(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(format!(
            "only http and https feeds can be fetched, not {}:",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host".into()));
    }
    Ok(())
}

/// A language hint: an ISO 639-1 code (two lower-case letters).
fn check_lang(lang: &str) -> Result<(), FeedError> {
    if lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(FeedError::BadLang {
            lang: lang.chars().take(40).collect(),
        })
    }
}

/// What `feeds add` writes.
#[derive(Debug, Clone)]
pub struct NewFeed {
    pub url: String,
    pub name: Option<String>,
    pub lang: Option<String>,
    pub topics: Vec<String>,
}

/// Appends a feed to `dir/<list>.toml` (created if missing), keeping the file's comments.
/// Adding a URL that is already listed in any file is an error naming that file.
pub fn add_feed(dir: &Path, list: &ListName, feed: &NewFeed) -> Result<PathBuf, FeedError> {
    check_feed_url(&feed.url)?;
    if let Some(lang) = &feed.lang {
        check_lang(lang)?;
    }
    if let Some(existing) = load_feed_lists(dir)?
        .into_iter()
        .find(|f| f.url == feed.url)
    {
        return Err(FeedError::AlreadyListed {
            url: feed.url.clone(),
            path: existing.file,
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| FeedError::ListIo {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = list.file(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(FeedError::ListIo { path, source }),
    };
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| FeedError::ListSyntax {
                path: path.clone(),
                message: e.to_string(),
            })?;
    let mut table = toml_edit::Table::new();
    table["url"] = toml_edit::value(feed.url.clone());
    if let Some(name) = &feed.name {
        table["name"] = toml_edit::value(name.clone());
    }
    if let Some(lang) = &feed.lang {
        table["lang"] = toml_edit::value(lang.clone());
    }
    if !feed.topics.is_empty() {
        let mut arr = toml_edit::Array::new();
        for t in &feed.topics {
            arr.push(t.clone());
        }
        table["topics"] = toml_edit::value(arr);
    }
    table["enabled"] = toml_edit::value(true);
    let feeds = doc
        .entry("feed")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    match feeds.as_array_of_tables_mut() {
        Some(array) => array.push(table),
        None => {
            return Err(FeedError::ListSyntax {
                path,
                message: "`feed` must be an array of tables ([[feed]])".into(),
            });
        }
    }
    write_atomically(&path, doc.to_string().as_bytes())?;
    Ok(path)
}

/// The list file that holds `url`, parsed for editing.
fn open_list_of(dir: &Path, url: &str) -> Result<(PathBuf, toml_edit::DocumentMut), FeedError> {
    let Some(found) = load_feed_lists(dir)?.into_iter().find(|f| f.url == url) else {
        return Err(FeedError::NotListed {
            url: url.to_string(),
            dir: dir.to_path_buf(),
        });
    };
    let path = found.file;
    let text = std::fs::read_to_string(&path).map_err(|source| FeedError::ListIo {
        path: path.clone(),
        source,
    })?;
    let doc = text
        .parse()
        .map_err(|e: toml_edit::TomlError| FeedError::ListSyntax {
            path: path.clone(),
            message: e.to_string(),
        })?;
    Ok((path, doc))
}

/// Removes a feed by URL from whichever list holds it; returns that file.
pub fn remove_feed(dir: &Path, url: &str) -> Result<PathBuf, FeedError> {
    let (path, mut doc) = open_list_of(dir, url)?;
    let found = doc
        .get("feed")
        .and_then(|f| f.as_array_of_tables())
        .and_then(|array| {
            let pos = array
                .iter()
                .position(|t| t.get("url").and_then(|u| u.as_str()) == Some(url))?;
            let prefix = array
                .get(pos)?
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_string();
            Some((pos, prefix))
        });
    if let Some((pos, prefix)) = found {
        // Comments right above the removed entry go with it; a comment block separated
        // from it by a blank line (a file header, a section note) stays.
        let kept = prefix
            .rfind("\n\n")
            .map(|i| prefix[..i + 2].to_string())
            .unwrap_or_default();
        let trailing = doc.trailing().as_str().unwrap_or("").to_string();
        let mut keep_in_trailer = false;
        if let Some(array) = doc.get_mut("feed").and_then(|f| f.as_array_of_tables_mut()) {
            array.remove(pos);
            match array.get_mut(pos) {
                Some(next) => {
                    let next_prefix = next
                        .decor()
                        .prefix()
                        .and_then(|p| p.as_str())
                        .unwrap_or("")
                        .to_string();
                    next.decor_mut().set_prefix(format!("{kept}{next_prefix}"));
                }
                None => keep_in_trailer = true,
            }
        }
        if keep_in_trailer && !kept.is_empty() {
            doc.set_trailing(format!("{kept}{trailing}"));
        }
    }
    write_atomically(&path, doc.to_string().as_bytes())?;
    Ok(path)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FeedError> {
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| FeedError::ListIo {
            path: path.to_path_buf(),
            source,
        })
}

/// Changes to a listed feed; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FeedEdit {
    pub name: Option<String>,
    pub lang: Option<String>,
    pub topics: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// Edits a feed in place in whichever list holds it, keeping the file's comments and
/// layout; returns that file.
pub fn edit_feed(dir: &Path, url: &str, edit: &FeedEdit) -> Result<PathBuf, FeedError> {
    if let Some(lang) = edit
        .lang
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        check_lang(lang)?;
    }
    let (path, mut doc) = open_list_of(dir, url)?;
    let table = doc
        .get_mut("feed")
        .and_then(|f| f.as_array_of_tables_mut())
        .and_then(|array| {
            array
                .iter_mut()
                .find(|t| t.get("url").and_then(|u| u.as_str()) == Some(url))
        })
        .ok_or_else(|| FeedError::NotListed {
            url: url.to_string(),
            dir: dir.to_path_buf(),
        })?;
    let set_text = |table: &mut toml_edit::Table, key: &str, value: &Option<String>| match value
        .as_deref()
        .map(str::trim)
    {
        Some("") => {
            table.remove(key);
        }
        Some(v) => table[key] = toml_edit::value(v),
        None => {}
    };
    set_text(table, "name", &edit.name);
    set_text(table, "lang", &edit.lang);
    if let Some(topics) = &edit.topics {
        if topics.is_empty() {
            table.remove("topics");
        } else {
            let mut arr = toml_edit::Array::new();
            for t in topics {
                arr.push(t.clone());
            }
            table["topics"] = toml_edit::value(arr);
        }
    }
    if let Some(enabled) = edit.enabled {
        table["enabled"] = toml_edit::value(enabled);
    }
    write_atomically(&path, doc.to_string().as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_and_urls_cannot_leave_the_feeds_folder_or_be_other_schemes() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("feeds");
        let victim = root.path().join("victim");
        std::fs::create_dir_all(&victim).unwrap();
        std::fs::write(victim.join("config.toml"), "# theirs\n").unwrap();
        for name in [
            "../victim/config",
            "/tmp/evil",
            "..",
            ".hidden",
            "a/b",
            "a\\b",
            "en.toml",
            "",
            "-rf",
            "x\u{0}y",
        ] {
            assert!(
                matches!(ListName::new(name), Err(FeedError::BadListName { .. })),
                "{name:?} should be refused"
            );
        }
        for ok in ["en", "de", "imported", "news_2026", "pt-BR"] {
            assert!(ListName::new(ok).is_ok(), "{ok}");
        }
        let feed = |url: &str| NewFeed {
            url: url.into(),
            name: None,
            lang: None,
            topics: vec![],
        };
        for url in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ftp://example.org/feed.xml",
            "data:text/xml,<rss/>",
            "http://",
            "not a url",
        ] {
            let err = add_feed(&dir, &ListName::new("en").unwrap(), &feed(url)).unwrap_err();
            assert!(matches!(err, FeedError::BadUrl { .. }), "{url}: {err}");
        }
        let bad_lang = NewFeed {
            lang: Some("../x".into()),
            ..feed("https://example.org/rss")
        };
        assert!(matches!(
            add_feed(&dir, &ListName::new("en").unwrap(), &bad_lang),
            Err(FeedError::BadLang { .. })
        ));
        assert_eq!(
            std::fs::read_to_string(victim.join("config.toml")).unwrap(),
            "# theirs\n"
        );
        assert!(!dir.exists(), "nothing was written");
    }

    #[test]
    fn a_feed_is_edited_in_place_and_comments_stay() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("en.toml"),
            "# English news\n\n# the courier\n[[feed]]\nurl = \"https://a.example/rss\"\nname = \"A\"\n\n[[feed]]\nurl = \"https://b.example/rss\"\n",
        )
        .unwrap();
        edit_feed(
            dir.path(),
            "https://a.example/rss",
            &FeedEdit {
                name: Some("Courier".into()),
                lang: Some("en".into()),
                topics: Some(vec!["local".into()]),
                enabled: Some(false),
            },
        )
        .unwrap();
        let text = std::fs::read_to_string(dir.path().join("en.toml")).unwrap();
        assert!(
            text.starts_with("# English news\n\n# the courier\n[[feed]]"),
            "{text}"
        );
        let feeds = load_feed_lists(dir.path()).unwrap();
        let a = feeds
            .iter()
            .find(|f| f.url == "https://a.example/rss")
            .unwrap();
        assert_eq!(a.name, "Courier");
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert_eq!(a.topics, ["local"]);
        assert!(!a.enabled);
        assert!(
            feeds
                .iter()
                .any(|f| f.url == "https://b.example/rss" && f.enabled)
        );
        assert!(matches!(
            edit_feed(dir.path(), "https://c.example/rss", &FeedEdit::default()),
            Err(FeedError::NotListed { .. })
        ));
    }

    #[test]
    fn add_and_remove_keep_comments() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("en.toml");
        std::fs::write(
            &file,
            "# English sources, checked by Ana\n\n# The main one:\n[[feed]]\nurl = \"https://a.example/rss\"\nname = \"A\" # main one\n",
        )
        .unwrap();
        let new = NewFeed {
            url: "https://b.example/atom".into(),
            name: Some("B".into()),
            lang: Some("en".into()),
            topics: vec!["science".into()],
        };
        add_feed(dir.path(), &ListName::new("en").unwrap(), &new).unwrap();
        let listed = load_feed_lists(dir.path()).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1].topics, vec!["science"]);
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .contains("# main one")
        );

        let err = add_feed(dir.path(), &ListName::new("other").unwrap(), &new).unwrap_err();
        assert!(err.to_string().contains("en.toml"), "{err}");

        remove_feed(dir.path(), "https://a.example/rss").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("# English sources"), "{text}");
        assert!(!text.contains("# The main one"), "{text}");
        assert_eq!(load_feed_lists(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn a_typo_in_a_list_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("de.toml"), "[[feed]]\nurll = \"x\"\n").unwrap();
        let err = load_feed_lists(dir.path()).unwrap_err().to_string();
        assert!(err.contains("de.toml") && err.contains("urll"), "{err}");
    }
}
