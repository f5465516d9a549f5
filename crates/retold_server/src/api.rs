//! The routes and their handlers.

use crate::error::{ApiError, ErrorCode};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use retold::{Config, Document, Index, KeepPolicy, Live, Models};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::RwLock;

/// Request limits and the write token.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bearer token required by `POST /v1/documents` (`None`: no token needed).
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most documents in one batch.
    pub max_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            token: None,
            max_body_bytes: 16 << 20,
            max_batch: 1000,
        }
    }
}

/// What the handlers share: the index and its live copy (behind one lock), the models and
/// the limits.
#[derive(Clone)]
pub struct AppState {
    engine: Arc<RwLock<Engine>>,
    shared: Arc<Shared>,
}

/// The stored index and, in memory, the live index over the same documents: adds and
/// queries run on the live index ([`Live`]), whose results each add commits to the store.
struct Engine {
    index: Index,
    /// `None` after a failed add whose rebuild failed too (see [`add_documents`]).
    live: Option<Live<'static>>,
}

struct Shared {
    models: Option<&'static Models>,
    cfg: &'static Config,
    limits: Limits,
}

impl Shared {
    /// The server's run settings (`--keep original`, semantic layer on when it has models).
    fn settings(&self) -> String {
        retold::index::settings(KeepPolicy::Original, self.models.is_some())
    }

    /// The live index over the stored documents (one run over all of them).
    fn build_live(&self, index: &Index) -> Result<Live<'static>, retold::Error> {
        let mut live = Live::new(self.cfg, self.models, KeepPolicy::Original);
        let docs = index.documents()?;
        if !docs.is_empty() {
            live.add(docs, &no_progress)?;
        }
        Ok(live)
    }
}

impl AppState {
    /// The state of a server over `index`: reads every stored document into the live index
    /// (the work of one `dedup` over them). The configuration and the models are kept for the
    /// life of the process (the live index borrows them).
    pub fn new(
        index: Index,
        models: Option<Models>,
        cfg: Config,
        limits: Limits,
    ) -> Result<AppState, retold::Error> {
        let shared = Shared {
            models: models.map(|m| &*Box::leak(Box::new(m))),
            cfg: Box::leak(Box::new(cfg)),
            limits,
        };
        let live = shared.build_live(&index)?;
        Ok(AppState {
            engine: Arc::new(RwLock::new(Engine {
                index,
                live: Some(live),
            })),
            shared: Arc::new(shared),
        })
    }
}

/// The router of the API and the web page over `state`.
pub fn router(state: AppState) -> Router {
    let limit = state.shared.limits.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/documents", post(add_documents))
        .route("/v1/documents/{id}", get(get_document))
        .route("/v1/documents/{id}/matches", get(get_matches))
        .route("/v1/documents/{id}/cluster", get(get_cluster))
        .route("/v1/query", post(query))
        .route("/v1/compare", post(compare))
        .route("/v1/clusters", get(clusters))
        .route("/", get(page))
        .route("/assets/app.js", get(app_js))
        .route("/assets/app.css", get(app_css))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

type ApiResult<T> = Result<T, ApiError>;

async fn not_found() -> ApiError {
    ApiError::not_found("no such path")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this method is not allowed on this path",
    )
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

async fn page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("../web/index.html"),
    )
        .into_response()
}

async fn app_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../web/app.js"),
    )
        .into_response()
}

async fn app_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../web/app.css"),
    )
        .into_response()
}

/// Parses a JSON body, mapping an over-limit body to `payload_too_large`.
fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> ApiResult<T> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                "the request body is larger than the server accepts (--max-body-bytes)",
            )
        } else {
            ApiError::bad_request(format!("cannot read the request body: {}", r.body_text()))
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

fn path_id(p: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    p.map(|Path(id)| id)
        .map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))
}

/// Runs `f` on the index (read lock) on the blocking pool.
async fn with_index<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&Engine, &Shared) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let guard = st.engine.clone().read_owned().await;
    let shared = st.shared.clone();
    tokio::task::spawn_blocking(move || f(&guard, &shared))
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// Checks the bearer token of a write request.
fn authorize(headers: &HeaderMap, limits: &Limits) -> ApiResult<()> {
    let Some(token) = &limits.token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(g) if constant_time_eq(g.as_bytes(), token.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(ErrorCode::Unauthorized, "wrong bearer token")),
        None => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "this server needs `Authorization: Bearer <token>` for writes",
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn no_progress(_: retold::Progress) {}

/// A document as the API takes it (`POST /v1/documents`) and shows it
/// (`GET /v1/documents/{id}`).
#[derive(Deserialize, Serialize)]
struct ApiDocument {
    id: String,
    text: String,
    lang: Option<String>,
    date: Option<String>,
    source: Option<String>,
    url: Option<String>,
    title: Option<String>,
}

#[derive(Deserialize)]
struct AddRequest {
    documents: Vec<ApiDocument>,
}

impl ApiDocument {
    fn into_document(self) -> Document {
        let mut d = Document::new(self.id, self.text, retold::Origin::file("api"));
        d.lang = self.lang;
        d.date = self.date;
        d.source = self.source;
        d.url = self.url;
        d.title = self.title;
        d
    }
}

/// `POST /v1/documents`: adds one batch.
async fn add_documents(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<retold::AddReport>> {
    let limits = &st.shared.limits;
    authorize(&headers, limits)?;
    let req: AddRequest = parse(body)?;
    if req.documents.is_empty() {
        return Err(ApiError::bad_request("`documents` is empty"));
    }
    if req.documents.len() > limits.max_batch {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!(
                "the batch has {} documents; this server takes at most {} (--max-batch)",
                req.documents.len(),
                limits.max_batch
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for d in &req.documents {
        if d.id.is_empty() {
            return Err(ApiError::bad_request("a document has an empty `id`"));
        }
        if !seen.insert(d.id.as_str()) {
            return Err(ApiError::new(
                ErrorCode::DuplicateId,
                format!("document id {:?} appears twice in the batch", d.id),
            ));
        }
    }
    let docs: Vec<Document> = req
        .documents
        .into_iter()
        .map(ApiDocument::into_document)
        .collect();
    let mut guard = st.engine.clone().write_owned().await;
    let shared = st.shared.clone();
    let report = tokio::task::spawn_blocking(move || -> ApiResult<retold::AddReport> {
        let e = &mut *guard;
        let settings = shared.settings();
        e.index.check_settings(&settings)?;
        e.index.check_new(&docs)?;
        let Engine { index, live } = e;
        let live = live.as_mut().ok_or_else(|| {
            ApiError::internal("the live index could not be read again after a failed add; restart")
        })?;
        let added = live
            .add(docs.clone(), &no_progress)
            .and_then(|_| index.commit(&docs, &settings, live.output()));
        if added.is_err() {
            // The live index may hold documents the store does not: read it again.
            e.live = shared.build_live(&e.index).ok();
        }
        Ok(added?)
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))??;
    Ok(Json(report))
}

fn no_document(id: &str) -> ApiError {
    ApiError::not_found(format!("no document {id:?} in the index"))
}

fn stored(index: &Index, id: &str) -> ApiResult<Document> {
    index.document(id)?.ok_or_else(|| no_document(id))
}

/// The index, once `id` is known to be stored (checked without decoding the document).
fn holding<'a>(e: &'a Engine, id: &str) -> ApiResult<&'a Index> {
    if e.index.contains(id)? {
        Ok(&e.index)
    } else {
        Err(no_document(id))
    }
}

/// `GET /v1/documents/{id}`.
async fn get_document(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<ApiDocument>> {
    let id = path_id(id)?;
    let d = with_index(&st, move |e, _| stored(&e.index, &id)).await?;
    Ok(Json(ApiDocument {
        id: d.id,
        text: d.text,
        lang: d.lang,
        date: d.date,
        source: d.source,
        url: d.url,
        title: d.title,
    }))
}

/// `GET /v1/documents/{id}/matches`.
async fn get_matches(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = path_id(id)?;
    with_index(&st, move |e, _| {
        let ix = holding(e, &id)?;
        let matches = ix.pairs_of(&id)?;
        Ok(Json(serde_json::json!({"id": id, "matches": matches})))
    })
    .await
}

/// `GET /v1/documents/{id}/cluster`.
async fn get_cluster(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = path_id(id)?;
    with_index(&st, move |e, _| {
        let ix = holding(e, &id)?;
        ix.cluster_of(&id)?.map(Json).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoCluster,
                format!("document {id:?} is in no cluster"),
            )
        })
    })
    .await
}

#[derive(Deserialize)]
struct QueryRequest {
    text: String,
    id: Option<String>,
}

/// `POST /v1/query`: matches a document that is not stored.
async fn query(
    State(st): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<retold::QueryResult>> {
    let req: QueryRequest = parse(body)?;
    let id = req
        .id
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "query".to_string());
    let doc = Document::new(id, req.text, retold::Origin::file("api"));
    with_index(&st, move |e, shared| {
        e.index.check_settings(&shared.settings())?;
        let live = e.live.as_ref().ok_or_else(|| {
            ApiError::internal("the live index could not be read again after a failed add")
        })?;
        Ok(Json(live.query(doc)?))
    })
    .await
}

#[derive(Deserialize)]
struct CompareRequest {
    a: String,
    b: String,
}

/// `POST /v1/compare`: exactly what `retold compare --json` prints for two text files.
async fn compare(
    State(st): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<retold::Comparison>> {
    let req: CompareRequest = parse(body)?;
    let shared = st.shared.clone();
    tokio::task::spawn_blocking(move || {
        let a = retold::DocInfo {
            text: &req.a,
            ..Default::default()
        };
        let b = retold::DocInfo {
            text: &req.b,
            ..Default::default()
        };
        retold::compare(&a, &b, shared.cfg, shared.models)
            .map(Json)
            .map_err(ApiError::from)
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// Most clusters in one page.
const MAX_PAGE: usize = 1000;

#[derive(Deserialize)]
struct PageParams {
    offset: Option<usize>,
    limit: Option<usize>,
}

/// `GET /v1/clusters?offset=&limit=`.
async fn clusters(
    State(st): State<AppState>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<Json<retold::ClusterPage>> {
    let Query(p) =
        params.map_err(|e| ApiError::bad_request(format!("bad query: {}", e.body_text())))?;
    let offset = p.offset.unwrap_or(0);
    let limit = p.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "`limit` must be 1..={MAX_PAGE}"
        )));
    }
    with_index(&st, move |e, _| {
        Ok(Json(e.index.clusters_page(offset, limit)?))
    })
    .await
}
