//! The HTTP client: the only place that builds a `reqwest::Client`.
//!
//! Every request goes through [`HttpClient::get`], which enforces the limits from
//! `[fetch]`: timeouts, a body cap counted after decompression (so a gzip bomb is cut off),
//! a bounded number of redirects, and no connections to private, loopback or link-local
//! addresses (checked for literal IPs in the URL, on every redirect hop, and on every address
//! a DNS name resolves to, so the address actually connected to is always a public one)
//! unless the host is on the `fetch.allow_hosts` list.
//!
//! Politeness: at most `per_host_concurrency` requests in flight per host and
//! `per_host_interval` between their starts; a host that answered 429 or 503 with
//! Retry-After is left alone until then (short waits are slept, long ones fail fast with
//! [`FetchError::Deferred`]); robots.txt is read once per site ([`HttpClient::robots_allow`]).

pub mod robots;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore};
use tokio::time::Instant;

use robots::Robots;

use futures_util::StreamExt;
use url::Url;

use crate::config::FetchConfig;

/// Why a fetch failed. Each variant names the URL at fault.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not something we fetch (scheme, syntax).
    #[error("{url}: not a fetchable URL: {reason}")]
    BadUrl { url: String, reason: String },
    /// The URL (or a redirect, or a DNS answer) points at a private or local address.
    #[error("{url}: refused: {reason}")]
    Blocked { url: String, reason: String },
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}")]
    Status {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    /// The body was larger than `fetch.max_body_bytes` (after decompression).
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    /// Connect or total timeout.
    #[error("{url}: timed out")]
    Timeout { url: String },
    /// Too many redirects.
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: usize },
    /// Anything else on the way (DNS, TLS, reset connection).
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    /// The host asked us (Retry-After) to come back later; nothing was sent.
    #[error("{url}: the server asked us to wait {} s (Retry-After); trying again later", .wait.as_secs())]
    Deferred { url: String, wait: Duration },
}

impl FetchError {
    /// The URL the error is about.
    pub fn url(&self) -> &str {
        match self {
            FetchError::BadUrl { url, .. }
            | FetchError::Blocked { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::Timeout { url }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::Network { url, .. }
            | FetchError::Deferred { url, .. } => url,
        }
    }

    /// How long the server asked us to wait before trying again, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            FetchError::Deferred { wait, .. } => Some(*wait),
            _ => None,
        }
    }
}

/// Waits up to this long for a host's Retry-After; longer waits fail fast as `Deferred`.
const MAX_SLEEP_FOR_HOST: Duration = Duration::from_secs(10);
/// Retry-After values are capped at a day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Per-host politeness state.
struct HostSlot {
    permits: Arc<Semaphore>,
    /// When the next request to this host may start.
    next_start: tokio::sync::Mutex<Instant>,
    /// Set from Retry-After.
    blocked_until: Mutex<Option<Instant>>,
}

/// The per-host gates of one client.
struct Hosts {
    per_host: usize,
    interval: Duration,
    slots: Mutex<HashMap<String, Arc<HostSlot>>>,
}

impl Hosts {
    fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .entry(host.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    permits: Arc::new(Semaphore::new(self.per_host)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                    blocked_until: Mutex::new(None),
                })
            })
            .clone()
    }

    /// Waits for a turn at `host`; fails fast when the host asked for a long wait.
    async fn enter(
        &self,
        host: &str,
        url: &str,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, FetchError> {
        let slot = self.slot(host);
        let blocked = *slot.blocked_until.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = blocked {
            let now = Instant::now();
            if until > now + MAX_SLEEP_FOR_HOST {
                return Err(FetchError::Deferred {
                    url: url.to_string(),
                    wait: until - now,
                });
            }
            tokio::time::sleep_until(until).await;
        }
        let permit = slot
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        if !self.interval.is_zero() {
            let start = {
                let mut next = slot.next_start.lock().await;
                let start = (*next).max(Instant::now());
                *next = start + self.interval;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        Ok(permit)
    }

    fn block(&self, host: &str, wait: Duration) {
        let slot = self.slot(host);
        let until = Instant::now() + wait.min(MAX_RETRY_AFTER);
        let mut blocked = slot.blocked_until.lock().unwrap_or_else(|p| p.into_inner());
        *blocked = Some(blocked.map_or(until, |b| b.max(until)));
    }
}

/// Parses a Retry-After value: seconds, or an HTTP date.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = (when.with_timezone(&chrono::Utc) - now)
        .to_std()
        .unwrap_or(Duration::ZERO);
    Some(wait.min(MAX_RETRY_AFTER))
}

/// `max-age` of a Cache-Control header (none when `no-store`/`no-cache`).
pub fn parse_max_age(value: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in value.split(',') {
        let d = directive.trim().to_ascii_lowercase();
        if d == "no-store" || d == "no-cache" {
            return None;
        }
        if let Some(v) = d.strip_prefix("max-age=") {
            max_age = v
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    max_age
}

/// Validators from an earlier response, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful response (2xx or 304).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub final_url: Url,
    pub status: u16,
    /// True for 304 Not Modified; `body` is empty then.
    pub not_modified: bool,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    /// Validators to store for the next conditional GET.
    pub validators: Validators,
    /// Cache-Control max-age: the server's word on when to look again.
    pub max_age: Option<Duration>,
}

/// The shared HTTP client.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    max_body_bytes: u64,
    policy: Arc<AddressPolicy>,
    max_redirects: usize,
    hosts: Arc<Hosts>,
    /// robots.txt per site (scheme, host and port), read once per client.
    robots: Arc<Mutex<HashMap<String, Arc<OnceCell<Robots>>>>>,
    /// Our product token for robots.txt groups (the user agent's first word).
    product: String,
}

impl HttpClient {
    /// Builds the client from `[fetch]`.
    pub fn new(config: &FetchConfig) -> Result<HttpClient, FetchError> {
        let policy = Arc::new(AddressPolicy {
            allow_hosts: config.allow_hosts.clone(),
        });
        let redirect_policy = {
            let policy = policy.clone();
            let limit = config.max_redirects;
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > limit {
                    return attempt.error(RedirectLimit(limit));
                }
                match policy.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(reason) => attempt.error(BlockedRedirect(reason)),
                }
            })
        };
        // The one place a client is built (clippy.toml forbids it elsewhere).
        #[allow(clippy::disallowed_methods)]
        let client = reqwest::Client::builder()
            // HTTP_PROXY and friends are ignored: a proxy would resolve and connect to the
            // target itself, past the address rules this client enforces (README, Security).
            .no_proxy()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(redirect_policy)
            .dns_resolver(PublicOnlyResolver {
                policy: policy.clone(),
            })
            .build()
            .map_err(|e| FetchError::Network {
                url: String::new(),
                message: e.to_string(),
            })?;
        Ok(HttpClient {
            client,
            max_body_bytes: config.max_body_bytes,
            policy,
            max_redirects: config.max_redirects,
            hosts: Arc::new(Hosts {
                per_host: config.per_host_concurrency.max(1),
                interval: config.per_host_interval,
                slots: Mutex::new(HashMap::new()),
            }),
            robots: Arc::new(Mutex::new(HashMap::new())),
            product: config
                .user_agent
                .split(['/', ' '])
                .next()
                .unwrap_or("HyperLearn")
                .to_string(),
        })
    }

    /// GETs a URL, conditionally when validators are given.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let parsed = Url::parse(url).map_err(|e| FetchError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::BadUrl {
                url: url.to_string(),
                reason: format!("scheme `{}` is not http or https", parsed.scheme()),
            });
        }
        self.policy
            .check_url(&parsed)
            .map_err(|reason| FetchError::Blocked {
                url: url.to_string(),
                reason,
            })?;

        let host = parsed.host_str().unwrap_or_default().to_string();
        let _turn = self.hosts.enter(&host, url).await?;
        let mut request = self.client.get(parsed.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let response = request.send().await.map_err(|e| self.classify(url, e))?;
        let status = response.status().as_u16();
        let final_url = response.url().clone();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let new_validators = Validators {
            etag: header(reqwest::header::ETAG).or_else(|| validators.etag.clone()),
            last_modified: header(reqwest::header::LAST_MODIFIED)
                .or_else(|| validators.last_modified.clone()),
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let max_age = header(reqwest::header::CACHE_CONTROL).and_then(|v| parse_max_age(&v));
        if status == 304 {
            return Ok(Fetched {
                final_url,
                status,
                not_modified: true,
                body: Vec::new(),
                content_type,
                validators: new_validators,
                max_age,
            });
        }
        if !(200..300).contains(&status) {
            let retry_after = header(reqwest::header::RETRY_AFTER)
                .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
            if let Some(wait) = retry_after
                && matches!(status, 429 | 503)
            {
                self.hosts.block(&host, wait);
            }
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
                retry_after,
            });
        }
        if let Some(len) = response.content_length()
            && len > self.max_body_bytes
            && header(reqwest::header::CONTENT_ENCODING).is_none()
        {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit: self.max_body_bytes,
            });
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(url, e))?;
            if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: self.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            final_url,
            status,
            not_modified: false,
            body,
            content_type,
            validators: new_validators,
            max_age,
        })
    }

    /// Whether robots.txt lets HyperLearn fetch `url`. The file is read once per site: a
    /// 4xx answer allows everything, a 5xx answer or an unreachable server disallows
    /// everything (RFC 9309), and a file that cannot be parsed allows what it cannot say.
    /// A site that asked us to wait (Retry-After) is `Deferred`, and asked again later.
    pub async fn robots_allow(&self, url: &str) -> Result<bool, FetchError> {
        let Ok(parsed) = Url::parse(url) else {
            return Ok(true); // `get` reports the bad URL itself.
        };
        let site = parsed.origin().ascii_serialization();
        let cell = {
            let mut cache = self.robots.lock().unwrap_or_else(|p| p.into_inner());
            cache.entry(site.clone()).or_default().clone()
        };
        let robots = cell
            .get_or_try_init(|| async {
                let robots_url = format!("{site}/robots.txt");
                Ok(match self.get(&robots_url, &Validators::default()).await {
                    Ok(f) => {
                        // RFC 9309: at least 500 KiB must be parsed; more need not be.
                        let body = &f.body[..f.body.len().min(512 * 1024)];
                        Robots::parse(&String::from_utf8_lossy(body), &self.product)
                    }
                    Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                        Robots::allow_all()
                    }
                    Err(FetchError::TooLarge { .. }) => Robots::allow_all(),
                    Err(FetchError::Deferred { wait, .. }) => {
                        return Err(FetchError::Deferred {
                            url: url.to_string(),
                            wait,
                        });
                    }
                    Err(e) => {
                        tracing::info!(
                            "robots.txt of {site} unavailable ({e}): not fetching its pages"
                        );
                        Robots::disallow_all()
                    }
                })
            })
            .await?;
        let mut path = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            path.push('?');
            path.push_str(q);
        }
        Ok(robots.allowed(&path))
    }

    fn classify(&self, url: &str, error: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if error.is_timeout() {
            return FetchError::Timeout { url };
        }
        let mut source: Option<&dyn std::error::Error> = Some(&error);
        while let Some(e) = source {
            if let Some(b) = e.downcast_ref::<BlockedRedirect>() {
                return FetchError::Blocked {
                    url,
                    reason: b.0.clone(),
                };
            }
            if e.downcast_ref::<RedirectLimit>().is_some() {
                return FetchError::TooManyRedirects {
                    url,
                    limit: self.max_redirects,
                };
            }
            if let Some(b) = e.downcast_ref::<BlockedAddress>() {
                return FetchError::Blocked {
                    url,
                    reason: b.0.clone(),
                };
            }
            source = e.source();
        }
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(e) = source {
            message.push_str(": ");
            message.push_str(&e.to_string());
            source = e.source();
        }
        FetchError::Network { url, message }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("more than {0} redirects")]
struct RedirectLimit(usize);

#[derive(Debug, thiserror::Error)]
#[error("redirect refused: {0}")]
struct BlockedRedirect(String);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BlockedAddress(String);

/// Which hosts may be reached.
#[derive(Debug)]
struct AddressPolicy {
    allow_hosts: Vec<String>,
}

impl AddressPolicy {
    fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.allow_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Checks a URL's host when it is a literal IP. (The WHATWG parser has already turned
    /// odd notations such as `0177.0.0.1` or `0x7f.1` into `127.0.0.1`.)
    fn check_url(&self, url: &Url) -> Result<(), String> {
        let host = match url.host() {
            Some(h) => h,
            None => return Err(format!("{url} has no host")),
        };
        let ip = match host {
            url::Host::Ipv4(ip) => IpAddr::V4(ip),
            url::Host::Ipv6(ip) => IpAddr::V6(ip),
            url::Host::Domain(d) => {
                if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") {
                    if self.host_allowed(d) {
                        return Ok(());
                    }
                    return Err(format!("host `{d}` is local"));
                }
                return Ok(());
            }
        };
        if self.host_allowed(&ip.to_string()) {
            return Ok(());
        }
        match non_public_reason(ip) {
            Some(reason) => Err(format!("address {ip} is {reason}")),
            None => Ok(()),
        }
    }
}

/// A resolver that drops private addresses, so that a DNS name pointing at 127.0.0.1 or the
/// cloud metadata address is refused at connect time.
struct PublicOnlyResolver {
    policy: Arc<AddressPolicy>,
}

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allowed = self.policy.host_allowed(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            if allowed {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let public: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| non_public_reason(a.ip()).is_none())
                .collect();
            if public.is_empty() {
                let shown = addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                let reason = addrs
                    .first()
                    .and_then(|a| non_public_reason(a.ip()))
                    .unwrap_or("not resolvable");
                return Err(Box::new(BlockedAddress(format!(
                    "host `{host}` resolves to {shown}, which is {reason}"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Why an address must not be fetched, or `None` when it is a public unicast address.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_reason(v4);
            }
            v6_reason(v6)
        }
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local (cloud metadata lives here)")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || ip.is_multicast() || o[0] >= 240 {
        Some("not unicast")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared address space (RFC 6598)")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("reserved for protocol assignments")
    } else if ip.is_documentation() || (o[0] == 198 && (o[1] & 0xfe) == 18) {
        Some("reserved")
    } else {
        None
    }
}

/// The IPv4 address in the last 32 bits of an IPv6 address.
fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    let o = ip.octets();
    Ipv4Addr::new(o[12], o[13], o[14], o[15])
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if s[..6].iter().all(|&x| x == 0) {
        // IPv4-compatible (`::a.b.c.d`, deprecated): judge the embedded address, and refuse
        // the form whatever it embeds.
        Some(v4_reason(low_v4(ip)).unwrap_or("an IPv4-compatible address (deprecated)"))
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("unique-local")
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if (s[0] & 0xffc0) == 0xfec0 {
        Some("site-local (deprecated, private)")
    } else if ip.is_multicast() {
        Some("not unicast")
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        Some("reserved for documentation")
    } else if s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001 {
        Some("local-use NAT64 (RFC 8215)")
    } else if s[0] == 0x0064 && s[1] == 0xff9b {
        // NAT64 of an embedded IPv4 address: judge the embedded one.
        v4_reason(low_v4(ip))
    } else if s[0] == 0x2002 {
        // 6to4 carries an IPv4 address in bits 16..48.
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        Some(v4_reason(v4).unwrap_or("6to4 (tunnels to an IPv4 address)"))
    } else if s[0] == 0x2001 && s[1] == 0 {
        Some("Teredo (tunnels to an IPv4 address)")
    } else if s[0] == 0x0100 && s[1..4].iter().all(|&x| x == 0) {
        Some("discard-only (RFC 6666)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_dates_and_is_capped() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T08:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 08:05:00 GMT", now),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 07:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("99999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn cache_control_max_age() {
        assert_eq!(
            parse_max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(parse_max_age("no-cache, max-age=600"), None);
        assert_eq!(parse_max_age("private"), None);
    }

    #[tokio::test]
    async fn a_host_that_asked_for_a_long_wait_is_deferred_and_a_short_one_slept() {
        let hosts = Hosts {
            per_host: 1,
            interval: Duration::ZERO,
            slots: Mutex::new(HashMap::new()),
        };
        hosts.block("example.org", Duration::from_secs(600));
        match hosts.enter("example.org", "http://example.org/feed").await {
            Err(FetchError::Deferred { wait, .. }) => assert!(wait > Duration::from_secs(500)),
            other => panic!("expected Deferred, got {:?}", other.map(|_| ())),
        }
        // Other hosts are not affected.
        assert!(hosts.enter("other.org", "http://other.org/").await.is_ok());
        hosts.block("short.org", Duration::from_millis(50));
        let started = Instant::now();
        assert!(hosts.enter("short.org", "http://short.org/").await.is_ok());
        assert!(started.elapsed() >= Duration::from_millis(40));
    }

    fn blocked(url: &str) -> bool {
        let policy = AddressPolicy {
            allow_hosts: vec![],
        };
        policy.check_url(&Url::parse(url).unwrap()).is_err()
    }

    #[test]
    fn private_addresses_in_odd_notations_are_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://2130706433/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.1/",
            "http://192.168.1.1/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://localhost/",
            "http://0.0.0.0/",
            // IPv4 embedded or tunnelled in IPv6, and the deprecated private forms.
            "http://[::127.0.0.1]/",
            "http://[::10.0.0.1]/",
            "http://[::8.8.8.8]/",
            "http://[2002:7f00:1::]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://[2002:0808:0808::1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[64:ff9b:1::a00:1]/",
            "http://[64:ff9b:1:ffff::8.8.8.8]/",
            "http://[fec0::1]/",
            "http://[feff::1]/",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "http://[100::1]/",
        ] {
            assert!(blocked(url), "{url} should be refused");
        }
        for url in [
            "http://93.184.216.34/",
            "https://example.org/feed",
            "http://[2606:4700::1]/",
            "http://[64:ff9b::8.8.8.8]/",
            "http://[2a00:1450:4001::1]/",
        ] {
            assert!(!blocked(url), "{url} should be allowed");
        }
    }

    #[test]
    fn allow_list_admits_loopback_for_tests_and_the_demo() {
        let policy = AddressPolicy {
            allow_hosts: vec!["127.0.0.1".into()],
        };
        assert!(
            policy
                .check_url(&Url::parse("http://127.0.0.1:8080/x").unwrap())
                .is_ok()
        );
        assert!(
            policy
                .check_url(&Url::parse("http://10.0.0.1/").unwrap())
                .is_err()
        );
    }
}
