//! The HTTP API: routes and the annotator endpoints. The middleware every
//! response passes through (JSON errors, admin auth, CORS) is in `http`.

use super::error::ApiError;
use super::http::json;
use super::http::{cors, json_errors, require_admin, require_json, Cors};
use super::state::{ask, check_signed, AppState};
use super::writer::Job;
use super::{admin, annotations};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::Arc;
use tower_http::services::ServeDir;

/// The whole application: API routes, then static files from `www`.
pub fn router(state: AppState, www: &std::path::Path, cors_origins: &[String]) -> Router {
    let token: Arc<str> = Arc::from(state.admin_token.as_str());
    let admin = Router::new()
        .route(
            "/api/tasks",
            post(admin::upload_task).route_layer(middleware::from_fn(require_json)),
        )
        .route("/api/tasks/{task}/report", get(admin::report))
        .route("/api/tasks/{task}/report_config", get(admin::report_config))
        .route("/api/tasks/{task}/annotations.jsonl", get(admin::export))
        .route("/api/tasks/{task}/skips.jsonl", get(admin::export_skips))
        .route("/api/tasks/{task}/gold.jsonl", get(admin::gold))
        .route("/api/tasks/{task}/progress", get(admin::progress))
        .route("/api/tasks/{task}/events", get(admin::events))
        .route_layer(middleware::from_fn_with_state(token, require_admin));
    Router::new()
        .route("/api/health", get(health))
        .route("/api/tasks", get(list_tasks))
        .route("/api/tasks/{task}", get(public_task))
        .route("/api/tasks/{task}/batch", get(batch))
        .route(
            "/api/annotations",
            post(annotations::post).route_layer(middleware::from_fn(require_json)),
        )
        .merge(admin)
        .route("/api", get(no_endpoint))
        .route("/api/{*rest}", get(no_endpoint).post(no_endpoint))
        .fallback_service(ServeDir::new(www))
        .with_state(state)
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(
            Arc::new(Cors::new(cors_origins)),
            cors,
        ))
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
        serde_json::json!({"ok": true, "version": prefkit::VERSION}).to_string(),
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
    match s.task(&task).await {
        Ok(info) => json(StatusCode::OK, info.public.clone()),
        Err(e) => e.into_response(),
    }
}

async fn batch(
    State(s): State<AppState>,
    Path(task): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
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
    s.task(&task).await?;
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
