//! A small static web site on 127.0.0.1: serves the demo news site (and, in tests, fixture
//! sites). Files may contain `{{BASE}}`, replaced by the server's base URL. Conditional GET
//! with ETag is supported so that re-runs see 304s like they would from a real publisher.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One file of a site.
#[derive(Debug, Clone)]
pub struct SiteFile {
    /// Path without the leading slash, e.g. `feeds/en.rss.xml`.
    pub path: &'static str,
    pub body: &'static str,
}

struct Page {
    content_type: &'static str,
    body: String,
    etag: String,
}

/// A running site; stops when dropped or on [`StaticSite::stop`].
pub struct StaticSite {
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".html") {
        "text/html; charset=utf-8"
    } else if path.ends_with(".json") {
        "application/feed+json; charset=utf-8"
    } else if path.ends_with(".atom.xml") {
        "application/atom+xml; charset=utf-8"
    } else if path.ends_with(".xml") {
        "application/rss+xml; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    }
}

impl StaticSite {
    /// Serves `files` on 127.0.0.1, on `preferred_port` when it is free, else on any port.
    pub async fn start(
        files: Vec<SiteFile>,
        preferred_port: Option<u16>,
    ) -> std::io::Result<StaticSite> {
        let listener = match preferred_port {
            Some(port) => {
                match tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await
                {
                    Ok(l) => l,
                    Err(_) => {
                        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?
                    }
                }
            }
            None => tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?,
        };
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let pages: HashMap<String, Page> = files
            .into_iter()
            .map(|f| {
                let body = f.body.replace("{{BASE}}", &base_url);
                let etag = format!("\"{}\"", hex::encode(&Sha256::digest(body.as_bytes())[..8]));
                (
                    format!("/{}", f.path),
                    Page {
                        content_type: content_type(f.path),
                        body,
                        etag,
                    },
                )
            })
            .collect();
        let app = Router::new()
            .fallback(serve_page)
            .with_state(Arc::new(pages));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(StaticSite {
            base_url,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn serve_page(
    State(pages): State<Arc<HashMap<String, Page>>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let Some(page) = pages.get(uri.path()) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = HeaderValue::from_str(&page.etag).expect("hex etag is a valid header");
    if headers.get(header::IF_NONE_MATCH) == Some(&etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(page.content_type),
            ),
            (header::ETAG, etag),
        ],
        page.body.clone(),
    )
        .into_response()
}
