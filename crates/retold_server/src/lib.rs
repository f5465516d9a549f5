//! `retold_server` owns `retold serve`: an HTTP API and a web page over one persistent
//! [`retold::Index`]. It is a thin shell over the `retold` facade: every answer comes from a
//! [`retold::Live`] copy of the index (`add`, `query`), the [`retold::Index`] (`commit`,
//! `document`, the stored results) or [`retold::compare()`]; nothing here computes a relation.
//! Library code: typed errors, no printing.
//!
//! The index and its live copy are held behind one [`tokio::sync::RwLock`]:
//! `POST /v1/documents` takes it for writing (the batch goes into the live index, then into the
//! store with the new results in one transaction), every other call for reading, and the
//! pipeline runs on the blocking thread pool (`spawn_blocking`), never on the async workers.
//!
//! # API (`/v1/…`, JSON; the OpenAPI 3.1 document is `GET /v1/openapi.json`)
//!
//! | method and path | what |
//! |---|---|
//! | `GET /healthz` | `{"status": "ok"}` |
//! | `POST /v1/documents` | add a batch `{"documents": [{"id", "text", "lang"?, "date"?, "source"?, "url"?, "title"?}]}`; answers the add report `{"batch", "added", "docs", "pairs", "clusters"}`; needs `Authorization: Bearer TOKEN` when the server has a token |
//! | `GET /v1/documents/{id}` | the stored document |
//! | `GET /v1/documents/{id}/matches` | `{"id", "matches"}`: its lines of `pairs.jsonl` |
//! | `GET /v1/documents/{id}/cluster` | its line of `clusters.jsonl` (`no_cluster` when none) |
//! | `POST /v1/query` | `{"text", "id"?}` matched against the index, not stored: `{"id", "matches", "cluster"}` |
//! | `POST /v1/compare` | `{"a", "b"}` (two texts): the JSON of `retold compare --json` |
//! | `GET /v1/clusters?offset=&limit=` | `{"total", "offset", "limit", "clusters"}` (limit 1..=1000, default 50) |
//! | `GET /v1/openapi.json` | the OpenAPI document |
//! | `GET /`, `GET /assets/…` | the web page |
//!
//! # Errors
//!
//! Every error response is `{"error": {"code": "...", "message": "..."}}`; the codes and their
//! statuses are the table of [`ErrorCode`].

mod api;
mod error;

pub use api::{router, AppState, Limits};
pub use error::{ApiError, ErrorCode, ServerError};

use std::net::SocketAddr;
use std::path::PathBuf;

/// The OpenAPI 3.1 document of the API, as served at `/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// How to run the server.
pub struct ServerConfig {
    /// The index directory (created with `retold index create`).
    pub index_dir: PathBuf,
    /// Address to listen on (port 0: any free port; see [`Server::local_addr`]).
    pub addr: SocketAddr,
    /// Serve beyond loopback addresses.
    pub allow_remote: bool,
    /// Bearer token required by write endpoints (`None`: writes are open).
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most documents in one `POST /v1/documents`.
    pub max_batch: usize,
    /// Embedding models of the semantic layer (`None`: lexical only).
    pub models: Option<retold::Models>,
    /// Pipeline configuration.
    pub config: retold::Config,
}

/// A server with its index open and its socket bound, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    state: AppState,
}

impl Server {
    /// Checks the address (loopback unless `allow_remote`), opens the index and binds.
    pub fn bind(cfg: ServerConfig) -> Result<Server, ServerError> {
        if !cfg.addr.ip().is_loopback() && !cfg.allow_remote {
            return Err(ServerError::Remote { addr: cfg.addr });
        }
        let index = retold::Index::open(&cfg.index_dir)?;
        // The server adds and queries with `--keep original` and its models: an index built
        // otherwise is refused here rather than on the first request.
        index.check_settings(&retold::index::settings(
            retold::KeepPolicy::Original,
            cfg.models.is_some(),
        ))?;
        let listener =
            std::net::TcpListener::bind(cfg.addr).map_err(|error| ServerError::Bind {
                addr: cfg.addr,
                error,
            })?;
        listener.set_nonblocking(true)?;
        let state = AppState::new(
            index,
            cfg.models,
            cfg.config,
            Limits {
                token: cfg.token,
                max_body_bytes: cfg.max_body_bytes,
                max_batch: cfg.max_batch,
            },
        )?;
        Ok(Server { listener, state })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, ServerError> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until Ctrl-C (SIGINT) or SIGTERM, on the current tokio runtime.
    pub async fn serve(self) -> Result<(), ServerError> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        axum::serve(listener, router(self.state))
            .with_graceful_shutdown(shutdown())
            .await?;
        Ok(())
    }

    /// Serves on a new multi-threaded tokio runtime, blocking until shut down.
    pub fn run(self) -> Result<(), ServerError> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(self.serve())
    }
}

/// Binds and serves `cfg` until shut down (see [`Server`] to learn the bound address first).
pub async fn serve(cfg: ServerConfig) -> Result<(), ServerError> {
    Server::bind(cfg)?.serve().await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
