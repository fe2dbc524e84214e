//! `feeds/`: what is new at our sources?
//!
//! Owns the feed-list files (`list`), feed parsing with feed-rs (`parse`) and the identity of
//! an entry (`identity`), and when a feed is fetched again (`due`: ttl, max-age, back-off).
//! Fetching goes through [`crate::http`].

mod due;
mod identity;
mod list;
mod parse;

use std::path::PathBuf;

pub use due::{next_fetch_after_error, next_fetch_after_ok};
pub use identity::{canonical_url, entry_key};
pub use list::{
    FeedEdit, FeedSource, ListName, NewFeed, add_feed, edit_feed, load_feed_list, load_feed_lists,
    remove_feed,
};
pub use parse::{FeedEntry, ParsedFeed, parse_feed};

/// Errors of the feed stage; each names the file or feed at fault.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// A feed-list file could not be read or written.
    #[error("feed list {path}: {source}")]
    ListIo {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A feed-list file is not valid.
    #[error("feed list {path}: {message}")]
    ListSyntax { path: PathBuf, message: String },
    /// `feeds add` with a URL that is already listed.
    #[error("{url} is already listed in {path}")]
    AlreadyListed { url: String, path: PathBuf },
    /// `feeds remove` with a URL no list holds.
    #[error("{url} is not listed in any file under {dir}")]
    NotListed { url: String, dir: PathBuf },
    /// A list name that is not a language code or a plain file stem.
    #[error("feed list name `{name}`: {reason}")]
    BadListName { name: String, reason: String },
    /// A feed URL that cannot be a feed (not http or https, no host).
    #[error("feed url `{url}`: {reason}")]
    BadUrl { url: String, reason: String },
    /// A language hint that is not a language code.
    #[error("feed language `{lang}`: use a two-letter code such as en or de")]
    BadLang { lang: String },
    /// The feed document could not be parsed.
    #[error("feed {url}: cannot parse: {message}")]
    Parse { url: String, message: String },
}
