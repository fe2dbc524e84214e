//! `hyperlearn serve`: the scheduler. Runs feed fetching and the daily lesson run on the
//! cron expressions of `[schedule]` (tokio-cron-scheduler, UTC), never two runs at once, and
//! stops cleanly on Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::generation::Generator;
use crate::pipeline::{self, Progress, RunOptions, Services};

/// Runs until interrupted.
pub async fn serve(services: Services, generator: Generator) -> anyhow::Result<()> {
    let services = Arc::new(services);
    let generator = Arc::new(generator);
    let busy = Arc::new(tokio::sync::Mutex::new(()));
    let progress = Progress::new(false);
    let mut scheduler = JobScheduler::new()
        .await
        .context("cannot start the scheduler")?;

    for (name, cron, lessons) in [
        ("fetch", services.config.schedule.fetch.clone(), false),
        ("daily", services.config.schedule.daily.clone(), true),
    ] {
        let (services, generator, busy) = (services.clone(), generator.clone(), busy.clone());
        let job = Job::new_async(cron.as_str(), move |_id, _lock| {
            let (services, generator, busy) = (services.clone(), generator.clone(), busy.clone());
            Box::pin(async move {
                // Runs never overlap: a run that finds the previous one still going skips.
                let Ok(_guard) = busy.try_lock() else {
                    progress.say(format!(
                        "{name}: the previous run is still going; skipping this one"
                    ));
                    return;
                };
                let options = RunOptions {
                    lessons,
                    ..RunOptions::full(false)
                };
                match pipeline::run(&services, Some(&generator), &options).await {
                    Ok(report) => progress.say(report),
                    Err(e) => progress.say(format!("{name} run failed: {e:#}")),
                }
            })
        })
        .with_context(|| format!("invalid cron expression `{cron}` in [schedule] {name}"))?;
        scheduler
            .add(job)
            .await
            .with_context(|| format!("cannot schedule the {name} job"))?;
        progress.say(format!("Scheduled {name} on `{cron}` (UTC)"));
    }
    scheduler
        .start()
        .await
        .context("cannot start the scheduler")?;
    progress.say("Serving; press Ctrl-C to stop.");
    shutdown_signal().await;
    progress.say("Stopping: waiting for a running job to finish ...");
    scheduler
        .shutdown()
        .await
        .context("scheduler shutdown failed")?;
    let _wait = busy.lock().await;
    progress.say("Stopped.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler can be installed");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
