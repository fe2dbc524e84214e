//! Accounts, sessions, CSRF tokens, and the limits on failed sign-ins.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Form;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use sha2::{Digest, Sha256};

use super::{WebState, render};
use crate::store::User;

const SESSION_COOKIE: &str = "hl_session";
const LOGIN_COOKIE: &str = "hl_login";

/// Argon2 hashes that may run at once, on the blocking pool (never on the async threads).
pub const CONCURRENT_HASHES: usize = 2;
/// Failed sign-ins for one account before it is locked for [`LOCK_TIME`].
pub const ACCOUNT_FAILURES: u32 = 5;
/// Failed sign-ins from one client address before it is locked for [`LOCK_TIME`].
pub const ADDRESS_FAILURES: u32 = 20;
/// How long a lock lasts; failures older than this are forgotten.
pub const LOCK_TIME: Duration = Duration::from_secs(15 * 60);
/// Accounts and addresses remembered at most (the oldest are forgotten first).
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// The first failure of the current window.
    since: Instant,
    locked_until: Option<Instant>,
}

/// Failed sign-ins per account and per client address, in memory: after
/// [`ACCOUNT_FAILURES`] (or [`ADDRESS_FAILURES`]) within [`LOCK_TIME`], sign-ins for that
/// account (from that address) are refused, right password or not, until the lock lifts.
#[derive(Default)]
pub struct LoginLimiter {
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

fn locked_for<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Failures>>,
    key: &K,
    now: Instant,
) -> Option<Duration> {
    let map = map.lock().expect("login limiter lock");
    let until = map.get(key)?.locked_until?;
    (until > now).then(|| until - now)
}

fn note_failure<K: std::hash::Hash + Eq + Clone>(
    map: &Mutex<HashMap<K, Failures>>,
    key: &K,
    limit: u32,
    now: Instant,
) {
    let mut map = map.lock().expect("login limiter lock");
    if map.len() >= MAX_TRACKED && !map.contains_key(key) {
        map.retain(|_, f| {
            now.duration_since(f.since) < LOCK_TIME || f.locked_until.is_some_and(|u| u > now)
        });
        if map.len() >= MAX_TRACKED
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, f)| f.since)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
    }
    let f = map.entry(key.clone()).or_insert(Failures {
        count: 0,
        since: now,
        locked_until: None,
    });
    if now.duration_since(f.since) >= LOCK_TIME {
        *f = Failures {
            count: 0,
            since: now,
            locked_until: None,
        };
    }
    f.count += 1;
    if f.count >= limit {
        f.locked_until = Some(now + LOCK_TIME);
        f.count = 0;
        f.since = now;
    }
}

impl LoginLimiter {
    /// How long sign-ins for `account` from `address` stay refused, if they are.
    pub fn locked(&self, account: &str, address: IpAddr, now: Instant) -> Option<Duration> {
        let account = locked_for(&self.accounts, &account.to_lowercase(), now);
        let address = locked_for(&self.addresses, &address, now);
        account.max(address)
    }

    /// Records a failed sign-in.
    pub fn failed(&self, account: &str, address: IpAddr, now: Instant) {
        note_failure(
            &self.accounts,
            &account.to_lowercase(),
            ACCOUNT_FAILURES,
            now,
        );
        note_failure(&self.addresses, &address, ADDRESS_FAILURES, now);
    }

    /// A successful sign-in forgets the account's failures.
    pub fn succeeded(&self, account: &str) {
        self.accounts
            .lock()
            .expect("login limiter lock")
            .remove(&account.to_lowercase());
    }
}

/// The client's address: the peer, or, when the peer is a reverse proxy on this machine
/// (loopback), the last address it added to `X-Forwarded-For`.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if peer.ip().is_loopback()
        && let Some(forwarded) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse::<IpAddr>().ok())
    {
        return forwarded;
    }
    peer.ip()
}

/// What a signed-in user may do: teachers search and read; admins also administer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Teacher,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "teacher" => Some(Role::Teacher),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A signed-in user and the CSRF token of their session.
pub struct Session {
    pub user: User,
    pub role: Role,
    pub csrf: String,
    token_hash: String,
}

/// Argon2id (the crate's defaults: 19 MiB, 2 passes) with a random salt, as a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// A hash of no one's password: unknown user names are checked against it, so that the time
/// an answer takes does not tell which names exist. Made when the web UI starts.
pub(super) fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&random_token()).expect("hashing a random password cannot fail")
    })
}

/// Checks a password on the blocking pool, at most [`CONCURRENT_HASHES`] at once; `hash`
/// `None` (unknown user) is checked against a dummy hash and never matches.
async fn check_password(state: &WebState, password: String, hash: Option<String>) -> bool {
    let Ok(_permit) = state.hashing.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => password_matches(&password, &h),
        None => {
            let _ = password_matches(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Equal strings, compared in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(state: &WebState, name: &str, value: &str, max_age: u64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if state.secure_cookies { "; Secure" } else { "" }
    )
}

/// The session of the request, if any.
pub fn current(state: &WebState, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let token_hash = sha256_hex(&token);
    let (user, csrf) = state
        .services
        .store
        .session(&token_hash, chrono::Utc::now())
        .ok()??;
    let role = Role::parse(&user.role)?;
    Some(Session {
        user,
        role,
        csrf,
        token_hash,
    })
}

/// A signed-in teacher or admin. A handler that takes one serves nobody else: a visitor
/// without a session is sent to the login page, a signed-in user of a lesser role gets 403.
pub struct Teacher(pub Session);

/// A signed-in admin (refused as [`Teacher`] refuses).
pub struct Admin(pub Session);

impl FromRequestParts<Arc<WebState>> for Teacher {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<WebState>,
    ) -> Result<Self, Response> {
        require(state, &parts.headers, Role::Teacher).map(Teacher)
    }
}

impl FromRequestParts<Arc<WebState>> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<WebState>,
    ) -> Result<Self, Response> {
        require(state, &parts.headers, Role::Admin).map(Admin)
    }
}

/// A form that carries the session's CSRF token.
pub trait CsrfToken {
    fn csrf(&self) -> &str;
}

/// Implements [`CsrfToken`] for forms whose token is their `csrf` field.
macro_rules! csrf_token {
    ($($form:ty),* $(,)?) => {
        $(impl $crate::web::auth::CsrfToken for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
pub(crate) use csrf_token;

csrf_token!(CsrfForm);

/// An admin's state-changing request: the signed-in admin and their form, whose CSRF token
/// is the session's. Refused as [`Admin`] refuses; a form that does not parse is refused as
/// axum's `Form` refuses it; a stale or foreign token gets 403.
pub struct AdminForm<T>(pub Session, pub T);

impl<T> FromRequest<Arc<WebState>> for AdminForm<T>
where
    T: serde::de::DeserializeOwned + CsrfToken + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &Arc<WebState>) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Admin(session) = Admin::from_request_parts(&mut parts, state).await?;
        let Form(form) = Form::<T>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        check_csrf(&session, form.csrf())?;
        Ok(AdminForm(session, form))
    }
}

/// The session, if its role is at least `role`; else a redirect to the login page
/// (anonymous) or 403 (signed in, not allowed).
fn require(state: &WebState, headers: &HeaderMap, role: Role) -> Result<Session, Response> {
    match current(state, headers) {
        None => Err(Redirect::to("/login").into_response()),
        Some(s) if s.role >= role => Ok(s),
        Some(_) => Err((
            StatusCode::FORBIDDEN,
            "Forbidden: your role may not see this page.",
        )
            .into_response()),
    }
}

/// The values every signed-in page's layout needs.
pub(crate) fn nav(s: &Session) -> minijinja::Value {
    context! { user => s.user.username.clone(), admin => s.role == Role::Admin, csrf => s.csrf.clone() }
}

pub async fn home(State(state): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    match current(&state, &headers) {
        Some(s) if s.role == Role::Admin => Redirect::to("/admin/feeds").into_response(),
        Some(_) => Redirect::to("/search").into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

/// Checks a form's CSRF token against the session's.
fn check_csrf(session: &Session, form_token: &str) -> Result<(), Response> {
    if same(&session.csrf, form_token) {
        Ok(())
    } else {
        Err((StatusCode::FORBIDDEN, "Forbidden: the form is stale or was not sent from this site; reload the page and try again.").into_response())
    }
}

pub async fn login_form(State(state): State<Arc<WebState>>) -> Response {
    let token = random_token();
    let mut response = render(
        &state,
        "login.html",
        minijinja::context! { csrf => token.clone(), error => "" },
    );
    if let Ok(v) = set_cookie(&state, LOGIN_COOKIE, &token, 3600).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<Arc<WebState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    // Login CSRF: the form must carry the value of the cookie set with it.
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &form.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "Forbidden: reload the login page and try again.",
        )
            .into_response();
    }
    let store = &state.services.store;
    let username = form.username.trim();
    let address = client_address(peer, &headers);
    if let Some(wait) = state.logins.locked(username, address, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60);
        let mut r = render(
            &state,
            "login.html",
            minijinja::context! {
                csrf => form.csrf,
                error => format!("Too many failed sign-ins for this account or from this address. Try again in {minutes} minute{}.", if minutes == 1 { "" } else { "s" }),
            },
        );
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = wait.as_secs().max(1).to_string().parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let user = store.user_by_name(username).ok().flatten();
    let ok = check_password(
        &state,
        form.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(user) = user.filter(|_| ok) else {
        state.logins.failed(username, address, Instant::now());
        let mut r = render(
            &state,
            "login.html",
            minijinja::context! { csrf => form.csrf, error => "Unknown user or wrong password." },
        );
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        return r;
    };
    state.logins.succeeded(username);
    let token = random_token();
    let csrf = random_token();
    let lifetime = state.services.config.web.session;
    let expires = chrono::Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or_default();
    if let Err(e) = store.create_session(&sha256_hex(&token), user.id, &csrf, expires) {
        return super::server_error(&state, e);
    }
    let mut response = Redirect::to(if user.role == "admin" {
        "/admin/feeds"
    } else {
        "/search"
    })
    .into_response();
    for value in [
        set_cookie(&state, SESSION_COOKIE, &token, lifetime.as_secs()),
        set_cookie(&state, LOGIN_COOKIE, "", 0),
    ] {
        if let Ok(v) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some(session) = current(&state, &headers) else {
        return Redirect::to("/login").into_response();
    };
    if let Err(r) = check_csrf(&session, &form.csrf) {
        return r;
    }
    let _ = state.services.store.delete_session(&session.token_hash);
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_salted_argon2id_and_verify() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(password_matches("correct horse", &a));
        assert!(!password_matches("wrong", &a));
        assert!(!password_matches("correct horse", "not a hash"));
    }

    #[test]
    fn failed_sign_ins_lock_the_account_and_the_address_for_a_while() {
        let limiter = LoginLimiter::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        for i in 0..ACCOUNT_FAILURES {
            assert_eq!(limiter.locked("Ada", a, t0), None, "attempt {i}");
            limiter.failed("Ada", a, t0);
        }
        // Locked for that account from any address, whatever the case of the name.
        assert!(limiter.locked("ada", b, t0).is_some_and(|w| w <= LOCK_TIME));
        assert_eq!(limiter.locked("tom", b, t0), None);
        assert_eq!(
            limiter.locked("ada", b, t0 + LOCK_TIME),
            None,
            "the lock lifts"
        );
        // One address trying many accounts is locked too.
        for i in 0..ADDRESS_FAILURES {
            limiter.failed(&format!("user{i}"), b, t0);
        }
        assert!(limiter.locked("someone", b, t0).is_some());
        assert_eq!(limiter.locked("someone", a, t0), None);
        // A success forgets the account's failures.
        limiter.failed("tom", a, t0);
        limiter.succeeded("TOM");
        for _ in 0..ACCOUNT_FAILURES - 1 {
            limiter.failed("tom", a, t0);
        }
        assert_eq!(limiter.locked("tom", a, t0), None);
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_local_proxy_forwards() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "192.0.2.5:5000".parse().unwrap();
        assert_eq!(
            client_address(local, &h),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_address(remote, &h),
            remote.ip(),
            "a remote peer cannot claim another address"
        );
        assert_eq!(client_address(local, &HeaderMap::new()), local.ip());
    }

    #[test]
    fn cookies_and_constant_time_compare() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; hl_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "hl_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
