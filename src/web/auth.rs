//! Accounts, sessions and CSRF tokens.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::WebState;
use super::pages::render;
use crate::store::User;

const SESSION_COOKIE: &str = "hl_session";
const LOGIN_COOKIE: &str = "hl_login";

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

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn random_token() -> String {
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

/// The session, if its role is at least `role`; else a redirect to the login page
/// (anonymous) or 403 (signed in, not allowed).
pub fn require(state: &WebState, headers: &HeaderMap, role: Role) -> Result<Session, Response> {
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

/// Checks a form's CSRF token against the session's.
pub fn check_csrf(session: &Session, form_token: &str) -> Result<(), Response> {
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
    let user = store.user_by_name(form.username.trim()).ok().flatten();
    let ok = user
        .as_ref()
        .is_some_and(|u| password_matches(&form.password, &u.password_hash));
    let Some(user) = user.filter(|_| ok) else {
        let mut r = render(
            &state,
            "login.html",
            minijinja::context! { csrf => form.csrf, error => "Unknown user or wrong password." },
        );
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        return r;
    };
    let token = random_token();
    let csrf = random_token();
    let lifetime = state.services.config.web.session;
    let expires = chrono::Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or_default();
    if let Err(e) = store.create_session(&sha256_hex(&token), user.id, &csrf, expires) {
        return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
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
    fn cookies_and_constant_time_compare() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; hl_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "hl_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
