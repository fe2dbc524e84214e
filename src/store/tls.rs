//! TLS to PostgreSQL. A URL with `sslmode=require` (or libpq's `verify-full`/`verify-ca`)
//! connects over TLS and checks the server's certificate and host name against the
//! system's trust roots plus, with `sslrootcert=FILE`, the certificates in that PEM file
//! (a managed database's or a private CA). Without it the connection is plain, as with
//! libpq's `prefer` when the server offers no TLS: meant for Unix sockets and private
//! networks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// How a connection speaks to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PgTls {
    /// No TLS (`sslmode` unset, `disable` or `prefer`).
    Off,
    /// TLS with the server's certificate verified, also against `root_cert` when given.
    Verified { root_cert: Option<PathBuf> },
}

/// Splits a `postgres://` URL into what rust-postgres reads (libpq's `verify-*` modes said
/// as `require`, `sslrootcert` taken out: rust-postgres knows neither) and the TLS to use.
pub(super) fn split(url: &str) -> Result<(String, PgTls), String> {
    let Some((head, query)) = url.split_once('?') else {
        return Ok((url.to_string(), PgTls::Off));
    };
    let mut kept = Vec::new();
    let (mut verified, mut root_cert) = (false, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslrootcert" => {
                let path = percent_encoding::percent_decode_str(value)
                    .decode_utf8()
                    .map_err(|_| format!("`sslrootcert={value}` is not a file name"))?;
                root_cert = Some(PathBuf::from(path.as_ref()));
            }
            "sslmode" if matches!(value, "require" | "verify-full" | "verify-ca") => {
                verified = true;
                kept.push("sslmode=require".to_string());
            }
            _ => kept.push(pair.to_string()),
        }
    }
    if root_cert.is_some() && !verified {
        return Err("`sslrootcert` needs `sslmode=require` (or `verify-full`)".into());
    }
    let url = if kept.is_empty() {
        head.to_string()
    } else {
        format!("{head}?{}", kept.join("&"))
    };
    let tls = if verified {
        PgTls::Verified { root_cert }
    } else {
        PgTls::Off
    };
    Ok((url, tls))
}

/// The certificates of a PEM file, or why there are none.
fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "sslrootcert {}: no certificate in it (a PEM file is expected)",
            path.display()
        ));
    }
    Ok(certs)
}

/// Checks what can be checked before connecting: the root certificate file.
pub(super) fn check(tls: &PgTls) -> Result<(), String> {
    match tls {
        PgTls::Verified {
            root_cert: Some(path),
        } => read_certs(path).map(drop),
        _ => Ok(()),
    }
}

/// The rustls connector for a verified connection.
pub(super) fn connector(
    root_cert: Option<&Path>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system certificates are skipped, as browsers do; a file named in the URL
    // must be read whole.
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if let Some(path) = root_cert {
        for cert in read_certs(path)? {
            roots
                .add(cert)
                .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
        }
    }
    if roots.is_empty() {
        return Err(
            "no trust roots to check the server's certificate with: install the system's CA certificates or add `sslrootcert=FILE` to the URL".into(),
        );
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_say_when_to_verify_and_against_what() {
        assert_eq!(
            split("postgres://hl@db/hl").unwrap(),
            ("postgres://hl@db/hl".to_string(), PgTls::Off)
        );
        assert_eq!(
            split("postgres://hl@db/hl?sslmode=disable&connect_timeout=5").unwrap(),
            (
                "postgres://hl@db/hl?sslmode=disable&connect_timeout=5".to_string(),
                PgTls::Off
            )
        );
        assert_eq!(
            split("postgres://hl@db/hl?sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20x.pem")
                .unwrap(),
            (
                "postgres://hl@db/hl?sslmode=require".to_string(),
                PgTls::Verified {
                    root_cert: Some(PathBuf::from("/etc/ca x.pem"))
                }
            )
        );
        assert_eq!(
            split("postgres://hl@db/hl?sslmode=require").unwrap().1,
            PgTls::Verified { root_cert: None }
        );
        let err = split("postgres://hl@db/hl?sslrootcert=/etc/ca.pem").unwrap_err();
        assert!(err.contains("needs `sslmode=require`"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = check(&PgTls::Verified {
            root_cert: Some(empty),
        })
        .unwrap_err();
        assert!(err.contains("no certificate in it"), "{err}");
        let err = check(&PgTls::Verified {
            root_cert: Some(dir.path().join("missing.pem")),
        })
        .unwrap_err();
        assert!(err.contains("missing.pem"), "{err}");
    }
}
