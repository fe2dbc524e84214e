//! Monitoring: `/healthz` (the process answers), `/readyz` (the store answers, the index is
//! open, and the model is loaded when this process generates) and `/metrics` (Prometheus
//! text format). `serve` answers all three on `[metrics] listen`, and the first two on the
//! web UI's listener too, for load balancers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::generation::Generator;
use crate::pipeline::Services;

/// What the monitoring endpoints look at.
pub struct Monitor {
    pub services: Arc<Services>,
    /// The model, when this process generates lessons.
    pub generator: Option<Arc<Generator>>,
}

impl Monitor {
    /// Each part's state, and whether all are ready.
    fn readiness(&self) -> (bool, String) {
        let mut ready = true;
        let mut lines = Vec::new();
        match self.services.store.ping() {
            Ok(()) => lines.push("store: ok".to_string()),
            Err(e) => {
                ready = false;
                tracing::error!("readyz: store: {e}");
                lines.push("store: not answering".to_string());
            }
        }
        lines.push(format!(
            "index: open, {} articles",
            self.services.index.len()
        ));
        match &self.generator {
            Some(g) if g.engine().is_running() => lines.push("model: loaded".to_string()),
            Some(_) => {
                ready = false;
                lines.push("model: its engine has stopped".to_string());
            }
            None => lines.push("model: not used by this process".to_string()),
        }
        (ready, lines.join("\n") + "\n")
    }
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".into())
}

async fn readyz(State(monitor): State<Arc<Monitor>>) -> Response {
    let (ready, body) = monitor.readiness();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    text(status, body)
}

async fn metrics(State(monitor): State<Arc<Monitor>>) -> Response {
    let services = &monitor.services;
    let now = chrono::Utc::now();
    let gauges = match services
        .store
        .gauges(services.config.fetch.pause_after_failures, now)
        .and_then(|mut g| {
            g.lessons_due = crate::pipeline::lessons_due(services, now)?;
            Ok(g)
        }) {
        Ok(g) => g,
        Err(e) => {
            tracing::error!("metrics: store: {e}");
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store is not answering\n".into(),
            );
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        services.metrics.render(&gauges, services.index.len()),
    )
        .into_response()
}

/// `/healthz` and `/readyz`, for the web UI's router.
pub fn health_routes<S: Clone + Send + Sync + 'static>(monitor: Arc<Monitor>) -> Router<S> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(monitor)
}

/// Binds `[metrics] listen` and answers `/metrics`, `/healthz` and `/readyz` there.
pub async fn start_monitoring(
    monitor: Arc<Monitor>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listen = monitor.services.config.metrics.listen;
    let app = super::harden(
        Router::new()
            .route("/metrics", get(metrics))
            .with_state(monitor.clone())
            .merge(health_routes(monitor)),
    );
    super::serve_on(listen, "[metrics] listen", app).await
}
