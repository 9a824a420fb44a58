//! `POST /api/annotations`: one annotation object, or an array of them.
//! Each is checked field by field, put in canonical form and handed to the
//! writer; the answer comes after the commit.

use super::api::{ask, json, parse_json, read_body, AppState};
use super::error::ApiError;
use super::tasks::Registry;
use super::writer::{Incoming, Job, Outcome};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use prefkit::{Annotation, FromJson};

/// The handler.
pub async fn post(State(s): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let body = read_body(s.max_body, req).await?;
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        // One object: the typed fast path (field-by-field messages on failure).
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("request body is not UTF-8 text"))?;
        let inc = match Annotation::from_json(text) {
            Ok(a) => incoming(a, &s.registry)?,
            Err(prefkit::Error::NotJson { message, .. }) => {
                return Err(ApiError::bad_request(format!("request body is {message}")))
            }
            Err(e) => return Err(ApiError::invalid(e.to_string())),
        };
        let outcomes = ask(&s, |reply| Job::Annotate {
            items: vec![inc],
            reply,
        })
        .await?;
        return Ok(one_response(outcomes));
    }
    let value = parse_json(&body)?;
    let (values, many) = match value {
        serde_json::Value::Array(v) if v.is_empty() => {
            return Err(ApiError::bad_request("the array of annotations is empty"))
        }
        serde_json::Value::Array(v) => (v, true),
        v @ serde_json::Value::Object(_) => (vec![v], false),
        other => {
            return Err(ApiError::bad_request(format!(
                "expected an annotation object or an array of them, got {}",
                prefkit::json::kind(&other)
            )))
        }
    };
    let mut items = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let at = if many {
            format!("annotations[{i}]: ")
        } else {
            String::new()
        };
        let a = Annotation::from_value(v).map_err(|e| ApiError::invalid(format!("{at}{e}")))?;
        let inc = incoming(a, &s.registry).map_err(|mut e| {
            e.message.insert_str(0, &at);
            e
        })?;
        items.push(inc);
    }
    let outcomes = ask(&s, |reply| Job::Annotate { items, reply }).await?;
    Ok(if many {
        many_response(&outcomes)
    } else {
        one_response(outcomes)
    })
}

/// The answer to one annotation: 201 stored, 200 a retry, 422 refused.
fn one_response(outcomes: Vec<Outcome>) -> Response {
    match outcomes.into_iter().next() {
        Some(Outcome::Stored {
            id,
            duplicate,
            verdict,
        }) => {
            let status = if duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            json(status, stored_json(&id, duplicate, &verdict))
        }
        Some(Outcome::Refused { id, error }) => json(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({"error": error, "id": id}).to_string(),
        ),
        None => ApiError::unavailable().into_response(),
    }
}

/// Checks one annotation of a request: its fields, its id, its task.
fn incoming(a: Annotation, registry: &Registry) -> Result<Incoming, ApiError> {
    let id = match &a.id {
        None => {
            return Err(ApiError::invalid(
                "missing required field \"id\" (a unique id makes retries safe)",
            ))
        }
        // Its form (not blank, at most 256 bytes, ...) was checked with the
        // rest of the annotation.
        Some(id) => id.clone(),
    };
    let mut a = a;
    let task = match (&a.task_id, registry.only()) {
        (Some(t), _) => t.clone(),
        // With one task loaded, a record without task_id belongs to it.
        (None, Some(only)) => {
            a.task_id = Some(only.clone());
            only
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "missing required field \"task_id\" (the server runs several tasks)",
            ))
        }
    };
    if registry.get(&task).is_none() {
        return Err(ApiError::unknown_task(&task));
    }
    let record = a.to_json_value().to_string();
    Ok(Incoming {
        id,
        task,
        annotation: a,
        record,
    })
}

fn stored_json(id: &str, duplicate: bool, verdict: &str) -> String {
    format!(
        "{{\"id\":{},\"duplicate\":{duplicate},\"verdict\":{verdict}}}",
        serde_json::Value::from(id)
    )
}

/// The answer to an array: one result per annotation, in order.
fn many_response(outcomes: &[Outcome]) -> Response {
    let (mut stored, mut duplicates, mut refused) = (0, 0, 0);
    let results: Vec<String> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Stored {
                id,
                duplicate,
                verdict,
            } => {
                if *duplicate {
                    duplicates += 1
                } else {
                    stored += 1
                }
                stored_json(id, *duplicate, verdict)
            }
            Outcome::Refused { id, error } => {
                refused += 1;
                serde_json::json!({"id": id, "error": error}).to_string()
            }
        })
        .collect();
    json(
        StatusCode::OK,
        format!(
            "{{\"stored\":{stored},\"duplicates\":{duplicates},\"refused\":{refused},\"results\":[{}]}}",
            results.join(",")
        ),
    )
}
