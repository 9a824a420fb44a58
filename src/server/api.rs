//! The HTTP API: routes, the annotator endpoints and the middleware that
//! every response passes through (JSON errors, admin auth, CORS).

use super::error::ApiError;
use super::store::Readers;
use super::tasks::{GoldMode, Registry};
use super::writer::{Job, Live};
use super::{admin, annotations};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// What every handler shares.
pub struct Shared {
    pub jobs: mpsc::Sender<Job>,
    pub registry: Arc<Registry>,
    pub readers: Readers,
    pub live: broadcast::Sender<Arc<Live>>,
    pub admin_token: String,
    pub max_body: usize,
    pub gold_mode: GoldMode,
    pub seed: Option<u64>,
    /// With `--annotator-secret`: annotator ids need their signature.
    pub annotator_secret: Option<Vec<u8>>,
}

/// With `--annotator-secret`, refuses (403) an annotator id that comes
/// without its signature (the `sig` query parameter or the `X-Prefkit-Sig`
/// header). Without a secret every id is taken.
pub fn check_signed(
    s: &Shared,
    annotators: &[&str],
    headers: &axum::http::HeaderMap,
    query: Option<&str>,
) -> Result<(), ApiError> {
    let Some(secret) = &s.annotator_secret else {
        return Ok(());
    };
    let from_query = query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("sig="))
            .map(str::to_string)
    });
    let sig = headers
        .get(super::sign::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(from_query);
    let Some(sig) = sig else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this collector takes signed annotator links only: send the `sig` query parameter \
             or the X-Prefkit-Sig header",
        ));
    };
    match annotators
        .iter()
        .find(|a| !super::sign::verify(secret, a, &sig))
    {
        None => Ok(()),
        Some(a) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "the signature does not match annotator \"{}\"; ask for a new link",
                a.chars().take(64).collect::<String>()
            ),
        )),
    }
}

pub type AppState = Arc<Shared>;

/// The whole application: API routes, then static files from `www`.
pub fn router(state: AppState, www: &std::path::Path, cors_origins: &[String]) -> Router {
    let admin = Router::new()
        .route("/api/tasks", post(admin::upload_task))
        .route("/api/tasks/{task}/report", get(admin::report))
        .route("/api/tasks/{task}/annotations.jsonl", get(admin::export))
        .route("/api/tasks/{task}/skips.jsonl", get(admin::export_skips))
        .route("/api/tasks/{task}/progress", get(admin::progress))
        .route("/api/tasks/{task}/events", get(admin::events))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_admin));
    let app = Router::new()
        .route("/api/health", get(health))
        .route("/api/tasks", get(list_tasks))
        .route("/api/tasks/{task}", get(public_task))
        .route("/api/tasks/{task}/batch", get(batch))
        .route("/api/annotations", post(annotations::post))
        .merge(admin)
        .route("/api", get(no_endpoint))
        .route("/api/{*rest}", get(no_endpoint).post(no_endpoint))
        .fallback_service(ServeDir::new(www))
        .with_state(state)
        .layer(middleware::from_fn(json_errors));
    match cors(cors_origins) {
        Some(layer) => app.layer(layer),
        None => app,
    }
}

/// The CORS policy: none (same origin only) unless origins are given.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("last-event-id"),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Turns every error response that is not already JSON (unknown paths,
/// wrong methods, bad query strings) into `{"error": "..."}`.
async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let message = match status {
        StatusCode::NOT_FOUND => format!("not found: {path}"),
        StatusCode::METHOD_NOT_ALLOWED => format!("method {method} is not allowed on {path}"),
        StatusCode::PAYLOAD_TOO_LARGE => "request body is too large".to_string(),
        s if s.is_server_error() => "internal error".to_string(),
        s => format!(
            "bad request: {}",
            s.canonical_reason().unwrap_or("refused").to_lowercase()
        ),
    };
    ApiError::new(status, message).into_response()
}

/// Requester endpoints need `Authorization: Bearer <token>` (the event
/// stream also takes `?token=`, since a browser `EventSource` cannot set
/// headers).
async fn require_admin(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let header_token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let query_token = req.uri().path().ends_with("/events").then(|| {
        req.uri()
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("token="))
    });
    let given = header_token.or(query_token.flatten());
    match given {
        Some(t) if same(t.as_bytes(), s.admin_token.as_bytes()) => next.run(req).await,
        Some(_) => {
            ApiError::new(StatusCode::UNAUTHORIZED, "the admin token is wrong").into_response()
        }
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this endpoint needs the admin token: send `Authorization: Bearer <token>`",
        )
        .into_response(),
    }
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn no_endpoint(req: Request) -> ApiError {
    ApiError::not_found(format!(
        "no API endpoint {} {}",
        req.method(),
        req.uri().path()
    ))
}

async fn health() -> Response {
    json(
        StatusCode::OK,
        format!("{{\"ok\":true,\"version\":\"{}\"}}", prefkit::VERSION),
    )
}

async fn list_tasks(State(s): State<AppState>) -> Response {
    let tasks: Vec<_> = s
        .registry
        .list()
        .into_iter()
        .map(|(id, mode)| serde_json::json!({"id": id, "gold_mode": mode.as_str()}))
        .collect();
    json(
        StatusCode::OK,
        serde_json::json!({ "tasks": tasks }).to_string(),
    )
}

/// The task as the page may see it: with gold answers in open mode,
/// without in blind mode.
async fn public_task(State(s): State<AppState>, Path(task): Path<String>) -> Response {
    match s.registry.get(&task) {
        Some(info) => json(StatusCode::OK, info.public.clone()),
        None => ApiError::unknown_task(&task).into_response(),
    }
}

async fn batch(
    State(s): State<AppState>,
    Path(task): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let annotator = q
        .get("annotator")
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::bad_request("query parameter \"annotator\" is required"))?;
    if annotator.len() > 256 {
        return Err(ApiError::bad_request(
            "query parameter \"annotator\": longer than 256 bytes",
        ));
    }
    if s.registry.get(&task).is_none() {
        return Err(ApiError::unknown_task(&task));
    }
    let sig = q.get("sig").map(|v| format!("sig={v}"));
    check_signed(&s, &[annotator], &headers, sig.as_deref())?;
    let batch = ask(&s, |reply| Job::Batch {
        task,
        annotator: annotator.to_string(),
        reply,
    })
    .await?;
    Ok(json(StatusCode::OK, batch))
}

/// Sends a job to the writer and waits for its answer (given after commit).
pub async fn ask<T>(
    s: &Shared,
    job: impl FnOnce(oneshot::Sender<Result<T, ApiError>>) -> Job,
) -> Result<T, ApiError> {
    let (tx, rx) = oneshot::channel();
    s.jobs
        .send(job(tx))
        .await
        .map_err(|_| ApiError::unavailable())?;
    rx.await.map_err(|_| ApiError::unavailable())?
}

/// Reads the whole body, refusing more than `limit` bytes (413).
pub async fn read_body(limit: usize, req: Request) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body is larger than the limit of {limit} bytes; send less per request"
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| too_large())
}

/// Parses a body as JSON, with the parser's line and column on failure.
pub fn parse_json(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "request body is empty; expected JSON",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))
}

/// A JSON response from text that already is JSON.
pub fn json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}
