//! What every request handler shares, and the two things they all do
//! with it: ask the writer, and check a signed annotator id.

use super::error::ApiError;
use super::store::Readers;
use super::tasks::{GoldMode, Registry, TaskInfo};
use super::writer::{Job, Live};
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

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
    /// With `--refuse-simulated`: records marked simulated are refused.
    pub refuse_simulated: bool,
    /// Other processes store to the same database (PostgreSQL).
    pub shared: bool,
}

impl Shared {
    /// The task `id`, or 404. On a shared store a task this process does
    /// not know yet may have been stored through another one: the writer
    /// catches up once before the answer is 404.
    pub async fn task(&self, id: &str) -> Result<Arc<TaskInfo>, ApiError> {
        if let Some(info) = self.registry.get(id) {
            return Ok(info);
        }
        if self.shared {
            ask(self, |reply| Job::Sync(Some(reply))).await?;
        }
        self.registry
            .get(id)
            .ok_or_else(|| ApiError::unknown_task(id))
    }
}

/// With `--annotator-secret`, refuses (403) an annotator id that comes
/// without its signature (the `sig` query parameter or the `X-Prefkit-Sig`
/// header). Without a secret every id is taken.
pub fn check_signed(
    s: &Shared,
    annotators: &[&str],
    headers: &HeaderMap,
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
