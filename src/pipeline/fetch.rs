//! The fetch stage: every listed feed, then every new entry's page, extracted, stored
//! and indexed.

use std::collections::HashSet;
use std::path::PathBuf;

use futures_util::StreamExt;

use crate::articles::{self, EntryHints, TextSource};
use crate::feeds::{self, FeedEntry, FeedSource, next_fetch_after_error, next_fetch_after_ok};
use crate::http::{FetchError, HttpClient, Validators};
use crate::index::IndexDoc;
use crate::report::{FailureKind, RunReport};

use super::{Progress, RunOptions, Services};

/// Entries that failed this many times are not tried again.
const MAX_ENTRY_ATTEMPTS: i64 = 3;

/// A feed fetched and parsed without storing anything: what an admin sees before adding
/// it. The error says what failed, the fetch or the parse.
pub async fn preview_feed(services: &Services, url: &str) -> Result<feeds::ParsedFeed, String> {
    let fetched = services
        .http
        .get(url, &Validators::default())
        .await
        .map_err(|e| e.to_string())?;
    feeds::parse_feed(url, &fetched.body).map_err(|e| e.to_string())
}

struct PendingEntry {
    feed: FeedSource,
    feed_lang: Option<String>,
    entry: FeedEntry,
    key: String,
    url: Option<String>,
}

fn load_sources(services: &Services, report: &mut RunReport) -> Vec<FeedSource> {
    let dir = &services.config.feeds_dir;
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            report.fail(FailureKind::FeedList, dir.display().to_string(), e);
            return Vec::new();
        }
    };
    files.sort();
    let mut sources = Vec::new();
    for file in files {
        match feeds::load_feed_list(&file) {
            Ok(list) => sources.extend(list),
            // A broken list file costs its own feeds only.
            Err(e) => report.fail(FailureKind::FeedList, file.display().to_string(), e),
        }
    }
    sources.into_iter().filter(|f| f.enabled).collect()
}

/// Adds the learned classifier's topic when it is confident (and speaks the language).
fn add_learned_topic(model: Option<&articles::TopicModel>, article: &mut articles::Article) {
    let Some(model) = model.filter(|m| m.lang == article.lang) else {
        return;
    };
    let text = format!("{}\n{}", article.title, article.text);
    if let Some((class, p)) = model.predict(&text)
        && p >= 0.6
    {
        let topic = articles::topic_name(class).to_string();
        if !article.topics.contains(&topic) {
            article.topics.push(topic);
        }
    }
}

/// Downloads an article page unless robots.txt disallows it.
async fn fetch_page(
    http: &HttpClient,
    url: &str,
    respect_robots: bool,
) -> Result<crate::http::Fetched, FetchError> {
    if respect_robots && !http.robots_allow(url).await? {
        return Err(FetchError::Blocked {
            url: url.to_string(),
            reason: "disallowed by the site's robots.txt".into(),
        });
    }
    http.get(url, &Validators::default()).await
}

pub(super) async fn fetch_stage(
    services: &Services,
    report: &mut RunReport,
    progress: Progress,
    options: &RunOptions,
) -> anyhow::Result<()> {
    let now = options.now;
    let fetch_cfg = &services.config.fetch;
    let store = &services.store;
    let http = &services.http;
    let mut sources = Vec::new();
    for feed in load_sources(services, report) {
        if options.only_feed.as_deref().is_some_and(|u| u != feed.url) {
            continue;
        }
        let state = store.feed_state(&feed.url)?;
        if state.paused(fetch_cfg.pause_after_failures) {
            report.feeds_paused += 1;
            report.fail(
                FailureKind::Feed,
                &feed.url,
                format!(
                    "paused after {} failures in a row (last: {}); `hyperlearn feeds refresh {}` tries it again",
                    state.consecutive_errors,
                    state.last_error.as_deref().unwrap_or("unknown"),
                    feed.url
                ),
            );
            continue;
        }
        if let Some(next) = state.next_fetch_at
            && next > now
        {
            report.feeds_deferred += 1;
            continue;
        }
        sources.push((feed, state));
    }
    report.feeds_total = sources.len() + report.feeds_paused + report.feeds_deferred;
    progress.say(format!(
        "Fetching {} feeds ({} not due yet, {} paused) ...",
        sources.len(),
        report.feeds_deferred,
        report.feeds_paused
    ));
    let concurrency = fetch_cfg.concurrency;
    let fetched: Vec<_> = futures_util::stream::iter(sources)
        .map(|(feed, state)| async move {
            let validators = Validators {
                etag: state.etag.clone(),
                last_modified: state.last_modified.clone(),
            };
            let result = http.get(&feed.url, &validators).await;
            (feed, result)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;

    let mut pending = Vec::new();
    let mut fetched_ok = Vec::new();
    let record_fetched_ok = |fetched_ok: Vec<(String, Validators, usize, _)>| {
        for (url, validators, entries, next) in fetched_ok {
            store.record_feed_ok(
                &url,
                validators.etag.as_deref(),
                validators.last_modified.as_deref(),
                entries,
                next,
            )?;
        }
        anyhow::Ok(())
    };
    let feed_error = |report: &mut RunReport,
                      feed: &FeedSource,
                      error: String,
                      retry_after: Option<std::time::Duration>|
     -> anyhow::Result<()> {
        let streak = store.feed_state(&feed.url)?.consecutive_errors + 1;
        let next = next_fetch_after_error(now, streak, fetch_cfg.error_backoff, retry_after);
        store.record_feed_error(&feed.url, &error, Some(next))?;
        report.feeds_failed += 1;
        let paused = if fetch_cfg.pause_after_failures > 0
            && streak >= i64::from(fetch_cfg.pause_after_failures)
        {
            "; now paused until `hyperlearn feeds refresh`".to_string()
        } else {
            format!("; next try after {}", next.format("%Y-%m-%d %H:%M UTC"))
        };
        progress.say(format!("  x {}: {error}", feed.name));
        report.fail(
            FailureKind::Feed,
            &feed.url,
            format!("{error} ({streak} failures in a row{paused})"),
        );
        Ok(())
    };
    for (feed, result) in fetched {
        let fetched = match result {
            Ok(f) => f,
            Err(e) => {
                feed_error(report, &feed, e.to_string(), e.retry_after())?;
                continue;
            }
        };
        if fetched.not_modified {
            store.record_feed_ok(
                &feed.url,
                fetched.validators.etag.as_deref(),
                fetched.validators.last_modified.as_deref(),
                0,
                next_fetch_after_ok(now, None, fetched.max_age),
            )?;
            report.feeds_not_modified += 1;
            progress.say(format!("  = {}: not modified", feed.name));
            continue;
        }
        let parsed = match feeds::parse_feed(&feed.url, &fetched.body) {
            Ok(p) => p,
            Err(e) => {
                feed_error(report, &feed, e.to_string(), None)?;
                continue;
            }
        };
        // Recorded once its new entries are stored: a run killed before then leaves the
        // feed due, with no validators for this version, so the next run reads it again
        // (and finds what this one did not store) instead of a 304 or a later turn.
        fetched_ok.push((
            feed.url.clone(),
            fetched.validators,
            parsed.entries.len(),
            next_fetch_after_ok(now, parsed.ttl_minutes, fetched.max_age),
        ));
        report.feeds_fetched += 1;
        progress.say(format!(
            "  + {}: {} entries",
            feed.name,
            parsed.entries.len()
        ));
        let mut entries = parsed.entries;
        entries.sort_by_key(|e| std::cmp::Reverse(e.published));
        entries.truncate(services.config.fetch.max_articles_per_feed);
        let feed_lang = feed.lang.clone().or(parsed.language.clone());
        for entry in entries {
            report.entries_seen += 1;
            let date = entry.published.map(|d| d.to_rfc3339());
            let key = feeds::entry_key(
                entry.link.as_deref(),
                entry.guid.as_deref(),
                &entry.title,
                date.as_deref(),
            );
            if store.entry_done(&key, MAX_ENTRY_ATTEMPTS)? {
                continue;
            }
            let url = entry.link.as_deref().and_then(feeds::canonical_url);
            pending.push(PendingEntry {
                feed: feed.clone(),
                feed_lang: feed_lang.clone(),
                entry,
                key,
                url,
            });
        }
    }

    // The same story reached through two feeds (or twice in one) is one article.
    let mut seen_urls = HashSet::new();
    let mut to_fetch = Vec::new();
    for p in pending {
        if let Some(url) = &p.url {
            if let Some(id) = store.article_id_by_url(url)? {
                store.record_entry_article(&p.key, &p.feed.url, id)?;
                report.articles_duplicate += 1;
                continue;
            }
            if !seen_urls.insert(url.clone()) {
                report.articles_duplicate += 1;
                continue;
            }
        }
        to_fetch.push(p);
    }
    if to_fetch.is_empty() {
        progress.say("No new articles.");
        return record_fetched_ok(fetched_ok);
    }
    progress.say(format!("Downloading {} new articles ...", to_fetch.len()));
    let downloaded: Vec<_> = futures_util::stream::iter(to_fetch)
        .map(|p| async move {
            let page = match &p.url {
                Some(url) => Some(fetch_page(http, url, fetch_cfg.respect_robots).await),
                None => None,
            };
            (p, page)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;

    for (p, page) in downloaded {
        let subject = p.url.clone().unwrap_or_else(|| p.entry.title.clone());
        match build_article(&p, page, &services.frequencies) {
            Ok(mut article) => {
                add_learned_topic(services.topic_model.as_ref(), &mut article);
                if article.text_source == TextSource::Feed {
                    report.articles_from_feed_text += 1;
                }
                let crate::store::Inserted { id, new } = store.insert_article(&article)?;
                store.record_entry_article(&p.key, &p.feed.url, id)?;
                if !new {
                    report.articles_duplicate += 1;
                    continue;
                }
                report.articles_new += 1;
                services.index.upsert(&IndexDoc {
                    article_id: id,
                    url: &article.url,
                    title: &article.title,
                    text: &article.text,
                    lang: &article.lang,
                    level: article.level.score,
                    cefr: article.level.cefr,
                    topics: &article.topics,
                    source: &article.source,
                    published: article.published.as_deref(),
                })?;
                report.articles_indexed += 1;
                progress.say(format!(
                    "  + [{} {}] {}",
                    article.lang, article.level.cefr, article.title
                ));
            }
            Err(error) => {
                store.record_entry_error(&p.key, &p.feed.url, &error)?;
                report.articles_failed += 1;
                report.fail(FailureKind::Page, &subject, &error);
                progress.say(format!("  x {subject}: {error}"));
            }
        }
    }
    services.index.commit()?;
    record_fetched_ok(fetched_ok)
}

/// The article of an entry: from its page, else from the feed's own full text.
fn build_article(
    p: &PendingEntry,
    page: Option<Result<crate::http::Fetched, crate::http::FetchError>>,
    frequencies: &articles::WordFrequencies,
) -> Result<articles::Article, String> {
    let hints = EntryHints {
        title: Some(p.entry.title.as_str()).filter(|t| !t.is_empty()),
        published: p.entry.published.map(|d| d.to_rfc3339()),
        author: p.entry.authors.first().map(String::as_str),
        feed_lang: p.feed_lang.as_deref(),
        categories: &p.entry.categories,
        feed_topics: &p.feed.topics,
        source: &p.feed.name,
    };
    let url = p
        .url
        .clone()
        .unwrap_or_else(|| format!("urn:hyperlearn:{}", p.key));
    // The feed's own full text, when it carries one (never its title: that is the page's
    // or the entry's).
    let from_feed = p
        .entry
        .content_html
        .as_deref()
        .map(|content| articles::Extracted {
            title: None,
            ..articles::extract(content, None)
        });
    let page_error = match page {
        Some(Ok(fetched)) => match articles::not_html(&fetched.body) {
            Some(reason) => format!("{}: {reason}", fetched.final_url),
            None => {
                let html = articles::decode_html(&fetched.body, fetched.content_type.as_deref());
                let mut extracted = articles::extract(&html, Some(&fetched.final_url));
                let mut source = TextSource::Page;
                // A feed that carries the full text checks the page's: when it is much longer,
                // the extraction missed the article (a body rendered by script, a notice or a
                // side block taken for it), so the feed's text goes with the page's metadata.
                if let Some(feed) = &from_feed
                    && feed_text_is_fuller(&feed.text, &extracted.text)
                {
                    extracted.text = feed.text.clone();
                    source = TextSource::Feed;
                }
                match articles::build_article(&url, extracted, &hints, source, frequencies) {
                    Ok(a) => return Ok(a),
                    Err(e) => e.to_string(),
                }
            }
        },
        Some(Err(e)) => e.to_string(),
        None => "entry has no link".to_string(),
    };
    // The page failed: use the feed's full text when it carries one.
    if let Some(extracted) = from_feed
        && let Ok(a) =
            articles::build_article(&url, extracted, &hints, TextSource::Feed, frequencies)
    {
        return Ok(a);
    }
    Err(page_error)
}

/// Whether a feed's full text should stand in for the text extracted from the page: it is
/// an article by itself and at least twice as long as the page's.
fn feed_text_is_fuller(feed: &str, page: &str) -> bool {
    let feed_words = crate::text::words(feed).len();
    feed_words >= articles::MIN_ARTICLE_WORDS && feed_words >= 2 * crate::text::words(page).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_text_stands_in_only_when_it_is_an_article_twice_as_long() {
        let words = |n: usize| vec!["word"; n].join(" ");
        assert!(feed_text_is_fuller(&words(200), &words(90)));
        assert!(feed_text_is_fuller(&words(200), ""));
        assert!(!feed_text_is_fuller(&words(200), &words(120)));
        // A teaser in the feed never replaces a page, however short.
        assert!(!feed_text_is_fuller(&words(60), &words(10)));
    }
}
