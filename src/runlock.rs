//! Runs never overlap, across processes: a named lock row in the store with an owner and an
//! expiry. The holder renews it from a background thread while it works and deletes it when
//! done. A holder that crashed is taken over at once when it ran on this host (its process is
//! gone), else when its lock expires; a live holder is always respected.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use chrono::Utc;

use crate::store::{LockHolder, Store, StoreError, StoreLocation};

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another {name} run is in progress (held by {} since {}, until {} unless renewed); try again later",
        .holder.owner, .holder.acquired_at, .holder.expires_at
    )]
    Held { name: String, holder: LockHolder },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A held lock; released when dropped.
pub struct RunLock {
    name: String,
    owner: String,
    stop: Option<mpsc::Sender<()>>,
    renewer: Option<std::thread::JoinHandle<()>>,
    store: StoreLocation,
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The name `worker --id` gave this process.
static PROCESS_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names this process in the locks and claims it holds (`worker --id`): one word of
/// letters, digits, `-`, `_` or `.`.
pub fn name_this_process(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "`{name}` is not a worker name: use up to 64 letters, digits, `-`, `_` or `.`"
        ));
    }
    PROCESS_NAME
        .set(name.to_string())
        .map_err(|_| "this process is named already".to_string())
}

/// The name given with [`name_this_process`], if any.
pub fn process_name() -> Option<&'static str> {
    PROCESS_NAME.get().map(String::as_str)
}

/// A new owner name: host, process and a counter, so two runs of one process differ too,
/// then the worker's name when it has one. Also names the holder of a lease
/// ([`crate::store::Store::lease_delivery`]).
pub fn new_owner() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let owner = format!(
        "{}/{}/{}",
        hostname(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    match process_name() {
        Some(name) => format!("{owner}/{name}"),
        None => owner,
    }
}

/// Whether the holder still runs: known for holders on this host (Linux), else `None`.
pub fn holder_alive(owner: &str) -> Option<bool> {
    let mut parts = owner.split('/');
    let (host, pid) = (parts.next()?, parts.next()?);
    if host != hostname() || !Path::new("/proc/self").exists() {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

impl RunLock {
    /// Takes the lock `name` in the store at `location`, or says who holds it.
    pub fn acquire(
        location: &StoreLocation,
        name: &str,
        ttl: Duration,
    ) -> Result<RunLock, LockError> {
        let store = Store::connect(location)?;
        let owner = new_owner();
        if let Err(holder) = store.try_lock(name, &owner, ttl, Utc::now(), holder_alive)? {
            return Err(LockError::Held {
                name: name.to_string(),
                holder,
            });
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let (lock_name, lock_owner) = (name.to_string(), owner.clone());
        let renewer = std::thread::Builder::new()
            .name(format!("lock-{name}"))
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(ttl / 3) {
                    match store.renew_lock(&lock_name, &lock_owner, ttl, Utc::now()) {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!("lock {lock_name}: taken over by another run");
                            return;
                        }
                        Err(e) => tracing::warn!("lock {lock_name}: cannot renew: {e}"),
                    }
                }
            })
            .expect("a thread can be spawned");
        Ok(RunLock {
            name: name.to_string(),
            owner,
            stop: Some(stop),
            renewer: Some(renewer),
            store: location.clone(),
        })
    }
}

/// A claim on one piece of work shared by processes (one learner's lesson for one day):
/// taken when free, or when its holder is gone (on this host: its process ended; elsewhere:
/// its claim expired), and released when dropped. Not renewed: keep the work shorter than
/// the time to live.
pub struct Claim<'s> {
    store: &'s Store,
    name: String,
    owner: String,
}

/// Claims `name` for this process for `ttl`; `None` when another holder has it.
pub fn claim<'s>(
    store: &'s Store,
    name: &str,
    ttl: Duration,
) -> Result<Option<Claim<'s>>, StoreError> {
    let owner = new_owner();
    Ok(
        match store.try_lock(name, &owner, ttl, Utc::now(), holder_alive)? {
            Ok(()) => Some(Claim {
                store,
                name: name.to_string(),
                owner,
            }),
            Err(_held) => None,
        },
    )
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.store.unlock(&self.name, &self.owner) {
            tracing::warn!("claim {}: cannot release: {e}", self.name);
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.renewer.take() {
            let _ = t.join();
        }
        match Store::connect(&self.store) {
            Ok(store) => {
                if let Err(e) = store.unlock(&self.name, &self.owner) {
                    tracing::warn!("lock {}: cannot release: {e}", self.name);
                }
            }
            Err(e) => tracing::warn!("lock {}: cannot release: {e}", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_is_respected_and_a_released_lock_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = StoreLocation::Sqlite(dir.path().join("store.sqlite"));
        let first = RunLock::acquire(&path, "mail", Duration::from_secs(60)).unwrap();
        let err = match RunLock::acquire(&path, "mail", Duration::from_secs(60)) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a held lock was taken"),
        };
        assert!(err.contains("another mail run is in progress"), "{err}");
        // Other names are independent.
        let _other = RunLock::acquire(&path, "lessons", Duration::from_secs(60)).unwrap();
        drop(first);
        RunLock::acquire(&path, "mail", Duration::from_secs(60)).unwrap();
    }

    #[test]
    fn a_claim_is_held_once_and_let_go_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let other = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let ttl = Duration::from_secs(60);
        let first = claim(&store, "lesson/1/2026-12-06", ttl).unwrap().unwrap();
        assert!(claim(&other, "lesson/1/2026-12-06", ttl).unwrap().is_none());
        assert!(claim(&other, "lesson/2/2026-12-06", ttl).unwrap().is_some());
        drop(first);
        assert!(claim(&other, "lesson/1/2026-12-06", ttl).unwrap().is_some());
        for bad in ["", "two words", "a/b", &"x".repeat(65)] {
            assert!(name_this_process(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_crashed_holder_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = StoreLocation::Sqlite(dir.path().join("store.sqlite"));
        let store = Store::connect(&path).unwrap();
        let now = Utc::now();
        // A holder on this host whose process is gone (pid beyond pid_max).
        let dead = format!("{}/4294967/1", hostname());
        assert!(
            store
                .try_lock("mail", &dead, Duration::from_secs(600), now, |_| None)
                .unwrap()
                .is_ok()
        );
        assert_eq!(holder_alive(&dead), Some(false));
        RunLock::acquire(&path, "mail", Duration::from_secs(60)).unwrap();
    }

    #[test]
    fn a_holder_elsewhere_is_respected_until_its_lock_expires() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let now = Utc::now();
        let ttl = Duration::from_secs(60);
        let unknown = |_: &str| None;
        assert!(
            store
                .try_lock("lessons", "other-host/1/1", ttl, now, unknown)
                .unwrap()
                .is_ok()
        );
        let held = store
            .try_lock(
                "lessons",
                "me/2/1",
                ttl,
                now + chrono::Duration::seconds(30),
                unknown,
            )
            .unwrap();
        assert_eq!(held.unwrap_err().owner, "other-host/1/1");
        // Renewed by its holder: still held past the first expiry.
        assert!(
            store
                .renew_lock(
                    "lessons",
                    "other-host/1/1",
                    ttl,
                    now + chrono::Duration::seconds(50)
                )
                .unwrap()
        );
        assert!(
            store
                .try_lock(
                    "lessons",
                    "me/2/1",
                    ttl,
                    now + chrono::Duration::seconds(90),
                    unknown
                )
                .unwrap()
                .is_err()
        );
        // Not renewed: expired, taken over; the old holder can no longer renew.
        assert!(
            store
                .try_lock(
                    "lessons",
                    "me/2/1",
                    ttl,
                    now + chrono::Duration::seconds(200),
                    unknown
                )
                .unwrap()
                .is_ok()
        );
        assert!(
            !store
                .renew_lock(
                    "lessons",
                    "other-host/1/1",
                    ttl,
                    now + chrono::Duration::seconds(201)
                )
                .unwrap()
        );
    }
}
