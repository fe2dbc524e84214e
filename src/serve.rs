//! `hyperlearn serve`: the scheduler. Three jobs on the cron expressions of `[schedule]`
//! (tokio-cron-scheduler, UTC): fetching feeds, making the lessons that fall due within the
//! lead time, and sending the mail that is due at each learner's local time. Each job takes
//! its lock in the store, so runs of a kind never overlap, in this process or another; a job
//! that finds its previous run still going skips. Stops cleanly on Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::generation::Generator;
use crate::pipeline::{self, Progress, RunOptions, Services, Stage};

/// Runs until interrupted.
pub async fn run(services: Services, generator: Generator) -> anyhow::Result<()> {
    let services = Arc::new(services);
    let generator = Arc::new(generator);
    // Counts running jobs, so shutdown can wait for them.
    let running = Arc::new(tokio::sync::RwLock::new(()));
    let progress = Progress::new(false);
    let mut scheduler = JobScheduler::new()
        .await
        .context("cannot start the scheduler")?;

    progress.say(match &services.config.mail.token_key_origin {
        crate::config::KeyOrigin::KeyFile(f) => format!(
            "Learners' links are signed with the key in {} (`hyperlearn rotate-token-key` replaces it)",
            f.display()
        ),
        crate::config::KeyOrigin::Environment => {
            format!("Learners' links are signed with the key in {}", crate::config::TOKEN_KEY_ENV)
        }
        crate::config::KeyOrigin::ConfigFile => {
            "Learners' links are signed with [mail] token_key".to_string()
        }
        crate::config::KeyOrigin::Ephemeral => {
            "Learners' links are signed with a key for this process only".to_string()
        }
    });
    let schedule = &services.config.schedule;
    for (name, cron, stage) in [
        ("fetch", schedule.fetch.clone(), Stage::Fetch),
        ("lessons", schedule.lessons.clone(), Stage::Lessons),
        ("mail", schedule.mail.clone(), Stage::Mail),
    ] {
        let (services, generator, running) = (services.clone(), generator.clone(), running.clone());
        let job = Job::new_async(cron.as_str(), move |_id, _lock| {
            let (services, generator, running) =
                (services.clone(), generator.clone(), running.clone());
            Box::pin(async move {
                let _running = running.read().await;
                let options = RunOptions::scheduled(stage, false);
                match pipeline::run(&services, Some(&generator), &options).await {
                    Ok(report) if report.is_idle() && stage != Stage::Fetch => {}
                    Ok(report) => progress.say(report),
                    Err(e) => progress.say(format!("{name}: {e:#}")),
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
    // The web UI, with its "start a run now" button wired to a full run here.
    let web = if services.config.web.enabled {
        let (button, mut requests) = crate::web::RunNow::channel();
        let state = Arc::new(
            crate::web::WebState::new(services.clone(), Some(button))?
                .with_generator(generator.clone()),
        );
        let (addr, task) = crate::web::start(state).await?;
        progress.say(format!("Web UI on http://{addr}/"));
        let (services, generator, running) = (services.clone(), generator.clone(), running.clone());
        let runner = tokio::spawn(async move {
            while let Some(_queued) = requests.next().await {
                let _running = running.read().await;
                match pipeline::run(&services, Some(&generator), &RunOptions::full(false)).await {
                    Ok(report) => progress.say(report),
                    Err(e) => progress.say(format!("run started from the web UI: {e:#}")),
                }
            }
        });
        Some((task, runner))
    } else {
        None
    };
    let monitoring = if services.config.metrics.enabled {
        let monitor = Arc::new(crate::web::Monitor {
            services: services.clone(),
            generator: Some(generator.clone()),
        });
        let (addr, task) = crate::web::start_monitoring(monitor).await?;
        progress.say(format!(
            "Monitoring on http://{addr}/metrics, /healthz and /readyz"
        ));
        Some(task)
    } else {
        None
    };
    scheduler
        .start()
        .await
        .context("cannot start the scheduler")?;
    progress.say("Serving; press Ctrl-C to stop.");
    shutdown_signal().await;
    progress.say("Stopping: waiting for running jobs to finish ...");
    scheduler
        .shutdown()
        .await
        .context("scheduler shutdown failed")?;
    if let Some((web, runner)) = web {
        // Stopping the UI drops the run button's sender; a run it started finishes first.
        web.abort();
        let _ = web.await;
        let _ = runner.await;
    }
    if let Some(task) = monitoring {
        task.abort();
    }
    let _wait = running.write().await;
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
