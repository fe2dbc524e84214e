//! A throwaway PostgreSQL database for tests (the store's own and the integration tests).

use super::StoreLocation;

/// The cluster the test command started (`scripts/with-postgres`): a URL of a database in
/// it from which tests make their own. Unset: the PostgreSQL half of the store's tests is
/// skipped, unless `HYPERLEARN_REQUIRE_POSTGRES` says it must run.
const POSTGRES_VAR: &str = "HYPERLEARN_TEST_POSTGRES";

/// A new, empty PostgreSQL database in the test cluster, when there is one.
// The test harness's own variables, set by the test command, not configuration.
#[allow(clippy::disallowed_methods)]
pub fn test_postgres() -> Option<StoreLocation> {
    let Ok(base) = std::env::var(POSTGRES_VAR) else {
        assert!(
            std::env::var_os("HYPERLEARN_REQUIRE_POSTGRES").is_none(),
            "HYPERLEARN_REQUIRE_POSTGRES is set but {POSTGRES_VAR} is not: run the tests through scripts/with-postgres"
        );
        return None;
    };
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "t{}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    // Callers may be async tests: the client blocks, so step off their runtime.
    super::db::off_runtime(|| {
        let mut client = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{POSTGRES_VAR}={base}: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
    });
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{name}"));
    Some(StoreLocation::Postgres {
        url: url.to_string(),
        password: None,
    })
}

/// The test cluster's TLS address (`scripts/with-postgres`), pointed at a new, empty
/// database, and the CA that signed the server's certificate; with the same rules as
/// [`test_postgres`].
#[allow(clippy::disallowed_methods)]
pub fn test_postgres_tls() -> Option<(String, std::path::PathBuf)> {
    let StoreLocation::Postgres { url, .. } = test_postgres()? else {
        unreachable!("test_postgres makes PostgreSQL databases")
    };
    let (Ok(tls), Ok(ca)) = (
        std::env::var("HYPERLEARN_TEST_POSTGRES_TLS"),
        std::env::var("HYPERLEARN_TEST_POSTGRES_CA"),
    ) else {
        panic!(
            "{POSTGRES_VAR} is set but not the TLS address: run the tests through scripts/with-postgres"
        );
    };
    let mut tls = url::Url::parse(&tls).unwrap();
    tls.set_path(url::Url::parse(&url).unwrap().path());
    Some((tls.to_string(), ca.into()))
}
