//! `bench fleet`: what the store costs workers that share lesson jobs. Each worker is a
//! thread with its own connection, doing what a lesson worker does with the store for each
//! due learner: claim the learner's day (`runlock::claim`), look for a lesson already made,
//! hold the claim while the lesson is made, release it. Making the lesson is replaced by a
//! fixed wait, a stand-in named as such in the output (this benchmark only), so what is
//! measured is the coordination.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::NaiveTime;

use crate::store::{NewLearner, Store, StoreLocation};

/// What `bench fleet` measures.
pub struct FleetBench {
    /// An empty store the benchmark may fill (learners and claims).
    pub store: StoreLocation,
    pub workers: Vec<usize>,
    /// Learners, whose lessons are the jobs.
    pub learners: usize,
    /// The stand-in for making a lesson, per claimed job.
    pub stand_in: Duration,
    pub record: bool,
}

/// One round's figures.
struct Round {
    workers: usize,
    claimed: usize,
    attempts: usize,
    seconds: f64,
    store_seconds: f64,
}

pub fn bench_fleet(b: &FleetBench) -> anyhow::Result<()> {
    let store = Store::connect(&b.store)?;
    if store
        .table_counts()?
        .iter()
        .any(|(table, n)| table != "settings" && *n > 0)
    {
        bail!(
            "{} holds data; `bench fleet` adds learners and claims, so give it a new, empty database (--store)",
            b.store
        );
    }
    eprintln!("Adding {} learners to {} ...", b.learners, b.store);
    let mut ids = Vec::with_capacity(b.learners);
    for i in 0..b.learners {
        ids.push(
            store
                .add_learner(&NewLearner {
                    email: format!("fleet{i:06}@bench.invalid"),
                    name: "Fleet".into(),
                    lang: "en".into(),
                    level: 3.0,
                    interests: vec![],
                    delivery_time: NaiveTime::from_hms_opt(7, 0, 0).expect("valid time"),
                    timezone: "UTC".into(),
                })?
                .id,
        );
    }
    let mut rounds = Vec::new();
    for (round, &workers) in b.workers.iter().enumerate() {
        // A day of its own per round, so that each round claims afresh.
        let date = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("valid date")
            + chrono::Days::new(round as u64);
        let (claimed, attempts, store_nanos) =
            (AtomicUsize::new(0), AtomicUsize::new(0), AtomicU64::new(0));
        // Claims are let go when every worker is through: a lesson made stays made (the
        // stage sees its delivery), so no job may be claimed a second time in a round.
        let through = std::sync::Barrier::new(workers);
        let start = Instant::now();
        std::thread::scope(|s| -> anyhow::Result<()> {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let (ids, claimed, attempts, store_nanos, through) =
                        (&ids, &claimed, &attempts, &store_nanos, &through);
                    s.spawn(move || -> anyhow::Result<()> {
                        let store = Store::connect(&b.store)?;
                        let mut held = Vec::new();
                        // Every worker looks at every learner, from its own starting point.
                        let offset = w * ids.len() / workers.max(1);
                        for k in 0..ids.len() {
                            let id = ids[(offset + k) % ids.len()];
                            let t = Instant::now();
                            let claim = crate::runlock::claim(
                                &store,
                                &format!("lesson/{id}/{date}"),
                                Duration::from_secs(600),
                            )?;
                            attempts.fetch_add(1, Ordering::Relaxed);
                            if let Some(claim) = claim {
                                store.delivery_for(id, date)?;
                                store_nanos
                                    .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                                std::thread::sleep(b.stand_in);
                                claimed.fetch_add(1, Ordering::Relaxed);
                                held.push(claim);
                            } else {
                                store_nanos
                                    .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                            }
                        }
                        through.wait();
                        let t = Instant::now();
                        drop(held);
                        store_nanos.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                        Ok(())
                    })
                })
                .collect();
            for h in handles {
                h.join().expect("a worker thread panicked")?;
            }
            Ok(())
        })?;
        let seconds = start.elapsed().as_secs_f64();
        let r = Round {
            workers,
            claimed: claimed.into_inner(),
            attempts: attempts.into_inner(),
            seconds,
            store_seconds: store_nanos.into_inner() as f64 / 1e9,
        };
        if r.claimed != b.learners {
            bail!(
                "{} workers claimed {} jobs of {}: a job was claimed twice or never",
                workers,
                r.claimed,
                b.learners
            );
        }
        eprintln!(
            "  {workers} workers: {} jobs in {:.2} s",
            r.claimed, r.seconds
        );
        rounds.push(r);
    }
    let mut table = format!(
        "`hyperlearn bench fleet --workers {} --learners {} --stand-in-ms {}` on {} ({}). Each \
         worker is a thread with its own connection; each tries to claim every job (a learner's \
         lesson for a day), looks for a lesson made already, and holds what it claimed. Making \
         the lesson is a stand-in: a fixed wait of {} ms per claimed job, in this benchmark only.\n\n\
         | workers | jobs | claim attempts | seconds | jobs per minute | store's share of the workers' time |\n\
         |---|---|---|---|---|---|\n",
        b.workers
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(","),
        b.learners,
        b.stand_in.as_millis(),
        match b.store.backend() {
            crate::store::Backend::Sqlite => "SQLite",
            crate::store::Backend::Postgres => "PostgreSQL",
        },
        if b.store.backend() == crate::store::Backend::Postgres {
            "a server on this machine, over its Unix socket"
        } else {
            "a file on this machine"
        },
        b.stand_in.as_millis(),
    );
    for r in &rounds {
        table.push_str(&format!(
            "| {} | {} | {} | {:.2} | {:.0} | {:.0}% |\n",
            r.workers,
            r.claimed,
            r.attempts,
            r.seconds,
            r.claimed as f64 / r.seconds * 60.0,
            100.0 * r.store_seconds / (r.seconds * r.workers as f64)
        ));
    }
    println!("{table}");
    if b.record {
        super::record("Fleet", &table)?;
    }
    Ok(())
}
