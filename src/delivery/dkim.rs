//! DKIM signing of lesson mail (`[mail.dkim]`), with lettre's signer. A message is signed
//! once, when it is composed, so the stored bytes (and every resend of them) carry the
//! same valid signature.

use base64::Engine;
use lettre::Message;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;

use super::DeliveryError;
use crate::config::DkimSettings;

/// The headers the signature covers. Besides the usual ones, RFC 8058 asks for
/// `List-Unsubscribe` and `List-Unsubscribe-Post` to be signed, or one-click unsubscribe
/// is not honoured by the large mailbox providers. Not `Content-Type`: lettre writes a
/// multipart body's Content-Type when it formats the body, after signing, so it would be
/// signed as absent and never verify (the body hash covers the parts and their boundary).
const SIGNED_HEADERS: &[&str] = &[
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
];

/// The DER prefix of a PKCS#8 Ed25519 private key (RFC 8410), before its 32 key bytes:
/// what `openssl genpkey -algorithm ed25519` writes.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

fn key_error(settings: &DkimSettings, message: impl Into<String>) -> DeliveryError {
    DeliveryError::Dkim {
        key_file: settings.key_file.clone(),
        message: message.into(),
    }
}

/// Reads the key: an RSA key in PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), an Ed25519 key in
/// PKCS#8 PEM (`BEGIN PRIVATE KEY`, as OpenSSL writes it), or an Ed25519 key as the base64
/// of its 32 bytes.
fn signing_key(settings: &DkimSettings) -> Result<DkimSigningKey, DeliveryError> {
    let text = settings.key.expose().trim();
    let pem_body = |label: &str| -> Option<String> {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let inner = text.strip_prefix(&begin)?.trim_end().strip_suffix(&end)?;
        Some(inner.split_whitespace().collect())
    };
    if text.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
        return DkimSigningKey::new(text, DkimSigningAlgorithm::Rsa)
            .map_err(|e| key_error(settings, format!("not a valid RSA key: {e}")));
    }
    let raw = if let Some(body) = pem_body("PRIVATE KEY") {
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|e| key_error(settings, format!("the PEM body is not base64: {e}")))?;
        match der.strip_prefix(&ED25519_PKCS8_PREFIX[..]) {
            Some(key) if key.len() == 32 => key.to_vec(),
            _ => {
                return Err(key_error(
                    settings,
                    "a PKCS#8 key that is not Ed25519; for RSA write it as PKCS#1 (`openssl rsa -in KEY -traditional -out KEY.pem`)",
                ));
            }
        }
    } else if text.starts_with("-----BEGIN") {
        return Err(key_error(
            settings,
            "use an RSA key in PKCS#1 PEM (BEGIN RSA PRIVATE KEY) or an Ed25519 key (BEGIN PRIVATE KEY)",
        ));
    } else {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| key_error(settings, "neither a PEM key nor base64"))?;
        if raw.len() != 32 {
            return Err(key_error(
                settings,
                format!("a raw Ed25519 key has 32 bytes, this one {}", raw.len()),
            ));
        }
        raw
    };
    DkimSigningKey::new(
        &base64::engine::general_purpose::STANDARD.encode(raw),
        DkimSigningAlgorithm::Ed25519,
    )
    .map_err(|e| key_error(settings, format!("not a valid Ed25519 key: {e}")))
}

/// The signing configuration: relaxed/relaxed canonicalisation (robust against relays
/// that rewrap headers or trailing spaces) over [`SIGNED_HEADERS`].
pub(super) fn config(settings: &DkimSettings) -> Result<DkimConfig, DeliveryError> {
    Ok(DkimConfig::new(
        settings.selector.clone(),
        settings.domain.clone(),
        signing_key(settings)?,
        SIGNED_HEADERS
            .iter()
            .map(|h| HeaderName::new_from_ascii_str(h))
            .collect(),
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// Signs a message when `[mail.dkim]` is set.
pub(super) fn sign(
    message: &mut Message,
    settings: Option<&DkimSettings>,
) -> Result<(), DeliveryError> {
    if let Some(settings) = settings {
        message.sign(&config(settings)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn settings(key: &str) -> DkimSettings {
        DkimSettings {
            selector: "s1".into(),
            domain: "example.org".into(),
            key_file: "dkim.key".into(),
            key: Secret::new(key),
        }
    }

    #[test]
    fn ed25519_keys_are_read_raw_or_as_openssl_writes_them() {
        let raw = [7u8; 32];
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        assert!(signing_key(&settings(&b64)).is_ok());
        let der = [&ED25519_PKCS8_PREFIX[..], &raw].concat();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        );
        assert!(signing_key(&settings(&pem)).is_ok());
    }

    #[test]
    fn a_bad_key_is_refused_with_what_to_do() {
        let message = |key: &str| signing_key(&settings(key)).unwrap_err().to_string();
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 31]);
        assert!(message(&short).contains("32 bytes, this one 31"));
        assert!(message("not a key").contains("neither a PEM key nor base64"));
        assert!(
            message("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----")
                .contains("PKCS#1")
        );
        let rsa_pkcs8 = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7\n-----END PRIVATE KEY-----";
        assert!(message(rsa_pkcs8).contains("-traditional"));
        let m = message("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----");
        assert!(
            m.contains("dkim.key") && m.contains("not a valid RSA key"),
            "{m}"
        );
    }
}
