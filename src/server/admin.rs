//! Requester endpoints (behind the admin token): task upload, report,
//! export and the live event stream.

use super::error::ApiError;
use super::http::{json, parse_json, read_body};
use super::state::{ask, AppState};
use super::store::{Kind, Reader, RecordQuery, StoreError, StoredTask};
use super::tasks::{self, GoldMode};
use super::writer::{live_data, Job};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use prefkit::Dataset;
use std::collections::HashMap;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

/// Largest task upload, in bytes (at least; `--max-body` if larger).
const MAX_TASK_BODY: usize = 256 << 20;

/// `POST /api/tasks[?gold_mode=open|blind][&seed=N]`: stores a task and
/// starts its session. The same task again is answered 200; a different
/// task under a stored id is refused (409).
pub async fn upload_task(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Result<Response, ApiError> {
    let gold_mode = match q.get("gold_mode") {
        None => s.gold_mode,
        Some(m) => GoldMode::parse(m).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter \"gold_mode\": expected \"open\" or \"blind\", got \"{m}\""
            ))
        })?,
    };
    let seed = match q.get("seed") {
        None => s.seed,
        Some(t) => Some(t.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!(
                "query parameter \"seed\": expected a whole number, got \"{t}\""
            ))
        })?),
    };
    // Tasks can be large; only the admin can send one.
    let body = read_body(s.max_body.max(MAX_TASK_BODY), req).await?;
    let value = parse_json(&body)?;
    let task =
        new_task(&value, gold_mode, seed).map_err(|e| ApiError::invalid(format!("task: {e}")))?;
    let id = task.stored.id.clone();
    let (gold_mode, new_seed) = (task.stored.gold_mode.clone(), task.stored.seed);
    let seed_given = seed.is_some();
    let before = ask(&s, |reply| Job::AddTask {
        task: Box::new(task),
        seed_given,
        reply,
    })
    .await?;
    let created = before.is_none();
    let (gold_mode, seed) = before.map_or((gold_mode, new_seed), |t| (t.gold_mode, t.seed));
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json(
        status,
        serde_json::json!({"task_id": id, "gold_mode": gold_mode, "seed": seed, "created": created})
            .to_string(),
    ))
}

/// A task JSON value as it will be stored: checked and in canonical form.
/// The seed is the one given, else the task's `config.seed`, else drawn
/// from the system; it is stored, so a restart replays the same batches.
/// In blind mode it must stay secret: it would tell where the gold sits.
pub fn new_task(
    value: &serde_json::Value,
    gold_mode: GoldMode,
    seed: Option<u64>,
) -> Result<tasks::NewTask, prefkit::Error> {
    let task = prefkit::session::Task::from_value(value)?;
    let seed = match seed.or(task.config.seed) {
        Some(s) => s,
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes)
                .map_err(|e| prefkit::Error::Rejected(format!("cannot draw a seed: {e}")))?;
            u64::from_le_bytes(bytes) >> 1
        }
    };
    let stored = StoredTask {
        id: task.task_id,
        gold_mode: gold_mode.as_str().to_string(),
        seed,
        task: value.to_string(),
    };
    let (info, session) = tasks::load(&stored)?;
    Ok(tasks::NewTask {
        stored,
        info,
        session,
    })
}

/// `GET /api/tasks/{task}/report[?min_reliability=X]`: the `prefkit
/// report` JSON of the stored annotations, with the task's gold answers
/// and the report settings its config implies.
pub async fn report(
    State(s): State<AppState>,
    Path(task): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let info = s.task(&task).await?;
    let mut config = info.report.clone();
    if let Some(t) = q.get("min_reliability") {
        config.min_reliability = t.parse::<f64>().map_err(|_| {
            ApiError::bad_request(format!(
                "query parameter \"min_reliability\": expected a number, got \"{t}\""
            ))
        })?;
        config.check().map_err(|e| {
            ApiError::bad_request(format!("query parameter \"min_reliability\": {e}"))
        })?;
    }
    let readers = s.readers.clone();
    let text = off_the_workers("report", move || {
        let mut text = String::new();
        // Labels, then skips (each annotator's `skips` and `skip_rate`).
        let mut reader = readers()?;
        for kind in [Kind::Label, Kind::Skip] {
            append_records(&mut *reader, &task, kind, &mut text)?;
        }
        let mut data = if text.is_empty() {
            Dataset::from_annotations(&[], &[])
        } else {
            // Every stored record was checked on the way in.
            let options = prefkit::annotation::ReadOptions {
                skip_invalid: true,
                allow_repeats: config.allow_repeats,
            };
            Dataset::parse_jsonl_with(&text, options).map_err(|e| StoreError(e.to_string()))?
        };
        data.set_gold(&info.gold);
        let report = prefkit::report::run(&data, &config);
        serde_json::to_string(&report).map_err(|e| StoreError(e.to_string()))
    })
    .await?;
    Ok(json(StatusCode::OK, text))
}

/// `GET /api/tasks/{task}/annotations.jsonl`: every stored label of the
/// task, one canonical record a line, in the order they were stored.
pub async fn export(state: State<AppState>, task: Path<String>) -> Result<Response, ApiError> {
    export_kind(state, task, Kind::Label).await
}

/// `GET /api/tasks/{task}/skips.jsonl`: every stored skip of the task, one
/// record a line (`{"id", "task_id", "item", "annotator", "skip", ...}`).
pub async fn export_skips(
    state: State<AppState>,
    task: Path<String>,
) -> Result<Response, ApiError> {
    export_kind(state, task, Kind::Skip).await
}

/// `GET /api/tasks/{task}/progress`: `{"items", "complete", "leased",
/// "open", "labels", "skips"}` over the task's regular items, now.
pub async fn progress(
    State(s): State<AppState>,
    Path(task): Path<String>,
) -> Result<Response, ApiError> {
    let text = ask(&s, |reply| Job::Progress { task, reply }).await?;
    Ok(json(StatusCode::OK, text))
}

/// `GET /api/tasks/{task}/report_config`: the settings `/report` uses for
/// the task (its gold match, flag thresholds and `fast_seconds` over the
/// report's defaults), as a `prefkit report --config` file: the
/// dashboard's live view computes with them, so it flags as `/report`.
pub async fn report_config(
    State(s): State<AppState>,
    Path(task): Path<String>,
) -> Result<Response, ApiError> {
    let info = s.task(&task).await?;
    Ok(json(
        StatusCode::OK,
        exported("report config", &info.report)?,
    ))
}

/// `GET /api/tasks/{task}/gold.jsonl`: the task's gold answers, one
/// `{"item", "label", "explanation"?}` a line, for the admin token's holder
/// (the dashboard's live view flags annotators with them, as `/report`
/// does). Served in blind mode too: the token is the requester's.
pub async fn gold(
    State(s): State<AppState>,
    Path(task): Path<String>,
) -> Result<Response, ApiError> {
    let info = s.task(&task).await?;
    let mut text = String::new();
    for g in info.gold.iter() {
        text.push_str(&exported("gold", g)?);
        text.push('\n');
    }
    Ok(ndjson(text))
}

/// `value` as JSON text for an export; a failure (which the types make
/// unexpected) is logged and answered 503.
fn exported(what: &str, value: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| {
        eprintln!("prefkit serve: {what} export failed: {e}");
        ApiError::unavailable()
    })
}

async fn export_kind(
    State(s): State<AppState>,
    Path(task): Path<String>,
    kind: Kind,
) -> Result<Response, ApiError> {
    s.task(&task).await?;
    let readers = s.readers.clone();
    let text = off_the_workers("export", move || {
        let mut out = String::new();
        append_records(&mut *readers()?, &task, kind, &mut out)?;
        Ok(out)
    })
    .await?;
    Ok(ndjson(text))
}

/// Appends every stored record of `kind` of `task` to `out`, one a line,
/// in the order they were stored.
fn append_records(
    reader: &mut dyn Reader,
    task: &str,
    kind: Kind,
    out: &mut String,
) -> Result<(), StoreError> {
    let q = RecordQuery {
        task,
        kind: Some(kind),
        after: 0,
    };
    reader.annotations(q, &mut |_, _, record, _| {
        out.push_str(record);
        out.push('\n');
    })
}

/// Runs `work` (blocking reads of the store) off the async workers. Its
/// failure goes to the server log as "`what` failed" and is answered 503.
async fn off_the_workers<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|e| {
            eprintln!("prefkit serve: {what} failed: {e}");
            ApiError::unavailable()
        })
}

/// A 200 answer of JSON lines.
fn ndjson(text: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from(text),
    )
        .into_response()
}

/// `GET /api/tasks/{task}/events`: a server-sent event stream with one
/// `annotation` event per stored label and one `skip` event per stored
/// skip (`{"seq", "annotation", "verdict"}`, the record under
/// `annotation`; event id = seq). With `Last-Event-ID` (or `?after=SEQ`)
/// the stored records after that sequence number come first.
pub async fn events(
    State(s): State<AppState>,
    Path(task): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    s.task(&task).await?;
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(q.get("after").map(String::as_str))
        .map(|t| {
            t.trim().parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!(
                    "\"after\"/Last-Event-ID: expected a sequence number, got \"{t}\""
                ))
            })
        })
        .transpose()?;
    // Subscribe before reading the backlog so nothing falls in between.
    let rx = s.live.subscribe();
    let mut backlog = Vec::new();
    let mut last = after.unwrap_or(i64::MAX);
    if let Some(after) = after {
        let readers = s.readers.clone();
        let t = task.clone();
        backlog = tokio::task::spawn_blocking(move || {
            // Labels and skips in one snapshot: whatever it misses was
            // committed after the subscription, and comes live.
            let mut out = Vec::new();
            let q = RecordQuery {
                task: &t,
                kind: None,
                after,
            };
            readers()?.annotations(q, &mut |seq, kind, record, verdict| {
                out.push((seq, kind, live_data(seq, record, verdict)))
            })?;
            Ok::<_, StoreError>(out)
        })
        .await
        .map_err(|_| ApiError::unavailable())?
        .map_err(|_| ApiError::unavailable())?;
        last = backlog.last().map_or(after, |(seq, _, _)| *seq);
    }
    let first = stream::iter(
        backlog
            .into_iter()
            .map(|(seq, kind, data)| Ok(record_event(seq, kind, data))),
    );
    let live = stream::unfold(rx, move |mut rx| {
        let task = task.clone();
        async move {
            loop {
                match rx.recv().await {
                    Ok(l) if l.task == task && (last == i64::MAX || l.seq > last) => {
                        return Some((Ok(record_event(l.seq, l.kind, l.data.clone())), rx))
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(n)) => {
                        let e = Event::default()
                            .event("lagged")
                            .data(serde_json::json!({ "missed": n }).to_string());
                        return Some((Ok(e), rx));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    Ok(Sse::new(first.chain(live)).keep_alive(KeepAlive::default()))
}

/// The event of a stored record: `annotation` for a label, `skip` for a
/// skip (the same data: the record is under `annotation`).
fn record_event(seq: i64, kind: Kind, data: String) -> Event {
    let name = match kind {
        Kind::Label => "annotation",
        Kind::Skip => "skip",
    };
    Event::default().event(name).id(seq.to_string()).data(data)
}
