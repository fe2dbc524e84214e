//! `hyperlearn serve` and `hyperlearn worker`: the scheduler. Three jobs on the cron
//! expressions of `[schedule]` (tokio-cron-scheduler, UTC): fetching feeds, making the
//! lessons that fall due within the lead time, and sending the mail that is due at each
//! learner's local time; and the web UI. `serve` does everything; a worker does the
//! [`Roles`] it is given, beside other processes on the same PostgreSQL store. Fetch and
//! mail runs take their lock in the store, so they never overlap across processes (a job
//! that finds its previous run still going skips); lesson runs share the learners, each
//! lesson claimed in the store (`runlock::claim`). A process with the web UI keeps its
//! search index caught up with the store. Stops cleanly on Ctrl-C or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::generation::Generator;
use crate::pipeline::{self, Progress, RunOptions, Services, Stage};

/// What a process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub fetch: bool,
    pub lessons: bool,
    pub mail: bool,
    /// The web UI (and the search index it keeps up to date).
    pub web: bool,
}

impl Roles {
    /// Everything: `serve`.
    pub const ALL: Roles = Roles {
        fetch: true,
        lessons: true,
        mail: true,
        web: true,
    };

    /// Reads `fetch,lessons,mail,web` (any of them, at least one).
    pub fn parse(list: &str) -> Result<Roles, String> {
        let mut roles = Roles {
            fetch: false,
            lessons: false,
            mail: false,
            web: false,
        };
        for role in list.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            match role {
                "fetch" => roles.fetch = true,
                "lessons" => roles.lessons = true,
                "mail" => roles.mail = true,
                "web" => roles.web = true,
                other => {
                    return Err(format!(
                        "unknown role `{other}`: the roles are fetch, lessons, mail and web"
                    ));
                }
            }
        }
        if roles == Roles::NONE {
            return Err("give at least one role: fetch, lessons, mail or web".into());
        }
        Ok(roles)
    }

    const NONE: Roles = Roles {
        fetch: false,
        lessons: false,
        mail: false,
        web: false,
    };
}

impl std::fmt::Display for Roles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = [
            (self.fetch, "fetch"),
            (self.lessons, "lessons"),
            (self.mail, "mail"),
            (self.web, "web"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        f.write_str(&names.join(","))
    }
}

/// How often a process with the web UI looks for articles that other processes stored.
const INDEX_CATCH_UP: Duration = Duration::from_secs(60);

/// Runs until interrupted. The model is needed for the lessons role (and the web UI's
/// "run now" button, which is offered only with it).
pub async fn run(
    services: Services,
    generator: Option<Generator>,
    roles: Roles,
) -> anyhow::Result<()> {
    let services = Arc::new(services);
    let generator = generator.map(Arc::new);
    if roles.lessons && generator.is_none() {
        anyhow::bail!("the lessons role needs the model");
    }
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
        crate::config::KeyOrigin::Store => {
            "Learners' links are signed with the key kept in the store, shared by every machine (`hyperlearn rotate-token-key` replaces it)".to_string()
        }
    });
    if roles != Roles::ALL {
        progress.say(format!(
            "Roles: {roles}; store {}",
            services.store.location()
        ));
    }
    let schedule = &services.config.schedule;
    for (name, cron, stage, wanted) in [
        ("fetch", schedule.fetch.clone(), Stage::Fetch, roles.fetch),
        (
            "lessons",
            schedule.lessons.clone(),
            Stage::Lessons,
            roles.lessons,
        ),
        ("mail", schedule.mail.clone(), Stage::Mail, roles.mail),
    ] {
        if !wanted {
            continue;
        }
        let (services, generator, running) = (services.clone(), generator.clone(), running.clone());
        let job = Job::new_async(cron.as_str(), move |_id, _lock| {
            let (services, generator, running) =
                (services.clone(), generator.clone(), running.clone());
            Box::pin(async move {
                let _running = running.read().await;
                let options = RunOptions::scheduled(stage, false);
                match pipeline::run(&services, generator.as_deref(), &options).await {
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
    let web = if roles.web && services.config.web.enabled {
        // The "start a run now" button runs everything here, so only a process with every
        // role (and so the model) offers it.
        let (button, requests) = if roles == Roles::ALL {
            let (button, requests) = crate::web::RunNow::channel();
            (Some(button), Some(requests))
        } else {
            (None, None)
        };
        let mut state = crate::web::WebState::new(services.clone(), button)?;
        if let Some(generator) = &generator {
            state = state.with_generator(generator.clone());
        }
        let (addr, task) = crate::web::start(Arc::new(state)).await?;
        progress.say(format!("Web UI on http://{addr}/"));
        let (runs_services, runs_generator, runs_running) =
            (services.clone(), generator.clone(), running.clone());
        let runner = tokio::spawn(async move {
            let Some(mut requests) = requests else {
                return;
            };
            while let Some(_queued) = requests.next().await {
                let _running = runs_running.read().await;
                let options = RunOptions::full(false);
                match pipeline::run(&runs_services, runs_generator.as_deref(), &options).await {
                    Ok(report) => progress.say(report),
                    Err(e) => progress.say(format!("run started from the web UI: {e:#}")),
                }
            }
        });
        // Articles other processes store reach this node's search index.
        let catch_up_services = services.clone();
        let catch_up = tokio::spawn(async move {
            let mut tick = tokio::time::interval(INDEX_CATCH_UP);
            tick.tick().await;
            loop {
                tick.tick().await;
                let services = catch_up_services.clone();
                let added = tokio::task::spawn_blocking(move || {
                    pipeline::catch_up_index(&services.store, &services.index, &progress)
                })
                .await;
                match added {
                    Ok(Ok(0)) => {}
                    Ok(Ok(n)) => tracing::info!("search index: {n} articles from the store"),
                    Ok(Err(e)) => tracing::warn!("search index: cannot catch up: {e:#}"),
                    Err(e) => tracing::warn!("search index: {e}"),
                }
            }
        });
        Some((task, runner, catch_up))
    } else {
        None
    };
    let monitoring = if services.config.metrics.enabled {
        let monitor = Arc::new(crate::web::Monitor {
            services: services.clone(),
            generator: generator.clone(),
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
    if let Some((web, runner, catch_up)) = web {
        // Stopping the UI drops the run button's sender; a run it started finishes first.
        catch_up.abort();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_from_a_list_and_unknown_ones_are_named() {
        let r = Roles::parse("lessons, web").unwrap();
        assert!(r.lessons && r.web && !r.fetch && !r.mail);
        assert_eq!(r.to_string(), "lessons,web");
        assert_eq!(Roles::parse("fetch,lessons,mail,web").unwrap(), Roles::ALL);
        let err = Roles::parse("lessons,gpu").unwrap_err();
        assert!(err.contains("unknown role `gpu`"), "{err}");
        assert!(
            Roles::parse(" , ")
                .unwrap_err()
                .contains("at least one role")
        );
    }
}
