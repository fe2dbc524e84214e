//! Signed tokens for links in mail (unsubscribe, lesson pages): HMAC-SHA256 over a purpose
//! and an id, so a link works without a login and cannot be forged for another learner.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Secret;

type HmacSha256 = Hmac<Sha256>;

/// What a token is for; a token for one purpose is never valid for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Unsubscribe,
    Lesson,
    /// The CSRF token of the forms on a token-authenticated page (id: the page's token).
    Form,
    /// A learner's preferences page.
    Preferences,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::Lesson => "lesson",
            Purpose::Form => "form",
            Purpose::Preferences => "preferences",
        }
    }
}

fn mac(key: &Secret, purpose: Purpose, id: &str) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(key.expose().as_bytes()).expect("HMAC takes keys of any length");
    mac.update(purpose.tag().as_bytes());
    mac.update(b"\0");
    mac.update(id.as_bytes());
    mac
}

/// A token for `id` (e.g. a learner id): `<id>.<32 hex digits>`.
pub fn sign(key: &Secret, purpose: Purpose, id: &str) -> String {
    let tag = mac(key, purpose, id).finalize().into_bytes();
    format!("{id}.{}", hex::encode(&tag[..16]))
}

/// The id a token was made for, if the token is genuine.
pub fn verify(key: &Secret, purpose: Purpose, token: &str) -> Option<String> {
    let (id, tag) = token.rsplit_once('.')?;
    let tag = hex::decode(tag).ok()?;
    if tag.len() != 16 {
        return None;
    }
    mac(key, purpose, id).verify_truncated_left(&tag).ok()?;
    Some(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_id_purpose_and_key() {
        let key = Secret::new("k1");
        let t = sign(&key, Purpose::Unsubscribe, "42");
        assert_eq!(
            verify(&key, Purpose::Unsubscribe, &t).as_deref(),
            Some("42")
        );
        assert_eq!(verify(&key, Purpose::Lesson, &t), None);
        assert_eq!(verify(&Secret::new("k2"), Purpose::Unsubscribe, &t), None);
        let forged = t.replacen("42", "43", 1);
        assert_eq!(verify(&key, Purpose::Unsubscribe, &forged), None);
        assert_eq!(verify(&key, Purpose::Unsubscribe, "garbage"), None);
    }
}
