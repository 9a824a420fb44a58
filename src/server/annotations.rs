//! `POST /api/annotations`: one annotation object, or an array of them.
//! An object with a `skip` key is a skip ("I can't judge this"), any other
//! a label. Each is checked field by field, put in canonical form and
//! handed to the writer; the answer comes after the commit.

use super::error::ApiError;
use super::http::{json, parse_json, read_body};
use super::state::{ask, check_signed, AppState, Shared};
use super::tasks::{GoldMode, Registry};
use super::writer::{Answer, Incoming, Job, Outcome};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use prefkit::session::Skip;
use prefkit::{Annotation, FromJson};
use serde_json::value::RawValue;

/// The handler.
pub async fn post(State(s): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    let query = req.uri().query().map(str::to_string);
    let signed = |items: &[Incoming]| {
        let who: Vec<&str> = items.iter().map(|i| i.annotator()).collect();
        check_signed(&s, &who, &headers, query.as_deref())?;
        match items.iter().position(Incoming::simulated) {
            Some(k) if s.refuse_simulated => Err(ApiError::invalid(format!(
                "{}field \"simulated\": this collector takes no simulated annotations \
                 (prefkit serve --refuse-simulated)",
                if items.len() > 1 {
                    format!("annotations[{k}]: ")
                } else {
                    String::new()
                }
            ))),
            _ => Ok(()),
        }
    };
    let body = read_body(s.max_body, req).await?;
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let may_skip = body.windows(6).any(|w| w == b"\"skip\"");
    if first == Some(&b'{') && !may_skip {
        // One label: the typed fast path (field-by-field messages on failure).
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("request body is not UTF-8 text"))?;
        let inc = match Annotation::from_json(text) {
            Ok(a) => incoming_synced(&s, Answer::Label(a), || canonical(text)).await?,
            Err(prefkit::Error::NotJson { message, .. }) => {
                return Err(ApiError::bad_request(format!("request body is {message}")))
            }
            Err(e) => return Err(ApiError::invalid(e.to_string())),
        };
        signed(std::slice::from_ref(&inc))?;
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
        let answer = if Skip::is_skip(v) {
            Answer::Skip(Skip::from_value(v).map_err(|e| ApiError::invalid(format!("{at}{e}")))?)
        } else {
            Answer::Label(
                Annotation::from_value(v).map_err(|e| ApiError::invalid(format!("{at}{e}")))?,
            )
        };
        let is_canonical = || v.get("label_order").and_then(|o| o.as_str()) == Some("canonical");
        let inc = incoming_synced(&s, answer, is_canonical)
            .await
            .map_err(|mut e| {
                e.message.insert_str(0, &at);
                e
            })?;
        items.push(inc);
    }
    signed(&items)?;
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
        Some(o @ Outcome::Stored { duplicate, .. }) => {
            let status = if duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            json(status, to_text(&Answered::from(&o)))
        }
        Some(o @ Outcome::Refused { .. }) => json(
            StatusCode::UNPROCESSABLE_ENTITY,
            to_text(&Answered::from(&o)),
        ),
        None => ApiError::unavailable().into_response(),
    }
}

/// One annotation's result, as answered: `{"id", "duplicate", "verdict"}`
/// when stored, `{"id", "error"}` when refused.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Answered<'a> {
    Stored {
        id: &'a str,
        duplicate: bool,
        verdict: &'a RawValue,
    },
    Refused {
        id: &'a str,
        error: &'a str,
    },
}

impl<'a> From<&'a Outcome> for Answered<'a> {
    fn from(o: &'a Outcome) -> Self {
        match o {
            Outcome::Stored {
                id,
                duplicate,
                verdict,
            } => Answered::Stored {
                id,
                duplicate: *duplicate,
                verdict,
            },
            Outcome::Refused { id, error } => Answered::Refused { id, error },
        }
    }
}

/// The answer to an array: counts, then one result per annotation, in order.
#[derive(serde::Serialize)]
struct ManyAnswered<'a> {
    stored: usize,
    duplicates: usize,
    refused: usize,
    results: Vec<Answered<'a>>,
}

fn many_response(outcomes: &[Outcome]) -> Response {
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let answer = ManyAnswered {
        stored: count(|o| {
            matches!(
                o,
                Outcome::Stored {
                    duplicate: false,
                    ..
                }
            )
        }),
        duplicates: count(|o| {
            matches!(
                o,
                Outcome::Stored {
                    duplicate: true,
                    ..
                }
            )
        }),
        refused: count(|o| matches!(o, Outcome::Refused { .. })),
        results: outcomes.iter().map(Answered::from).collect(),
    };
    json(StatusCode::OK, to_text(&answer))
}

/// JSON text of a value made of strings, numbers and stored JSON: writing
/// it cannot fail.
fn to_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Whether a record's label is canonical (`"label_order": "canonical"`).
fn canonical(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Order<'a> {
        #[serde(borrow, default)]
        label_order: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<Order>(text)
        .ok()
        .and_then(|o| o.label_order)
        .is_some_and(|o| o == "canonical")
}

/// [`incoming`], after catching up once when its task is unknown here and
/// the store is shared (see [`Shared::task`]).
async fn incoming_synced(
    s: &Shared,
    answer: Answer,
    canonical: impl Fn() -> bool,
) -> Result<Incoming, ApiError> {
    if s.shared {
        if let Some(task) = task_of(&answer) {
            s.task(task).await?;
        }
    }
    incoming(answer, canonical, &s.registry)
}

/// The task an answer names, if it names one.
fn task_of(answer: &Answer) -> Option<&str> {
    match answer {
        Answer::Label(a) => a.task_id.as_deref(),
        Answer::Skip(k) => k.task_id.as_deref(),
    }
}

/// Checks one label or skip of a request: its fields, its id, its task.
/// `canonical` tells whether the record said `"label_order": "canonical"`;
/// it is asked only in blind mode, where the server may re-order a label.
fn incoming(
    answer: Answer,
    canonical: impl FnOnce() -> bool,
    registry: &Registry,
) -> Result<Incoming, ApiError> {
    let (id, task_id) = match &answer {
        Answer::Label(a) => (a.id.clone(), a.task_id.clone()),
        Answer::Skip(k) => (Some(k.id.clone()), k.task_id.clone()),
    };
    let id = match id {
        None => {
            return Err(ApiError::invalid(
                "missing required field \"id\" (a unique id makes retries safe)",
            ))
        }
        // Its form (not blank, at most 256 bytes, ...) was checked with the
        // rest of the annotation.
        Some(id) => id,
    };
    let mut answer = answer;
    let task = match (task_id, registry.only()) {
        (Some(t), _) => t,
        // With one task loaded, a record without task_id belongs to it.
        (None, Some(only)) => {
            match &mut answer {
                Answer::Label(a) => a.task_id = Some(only.clone()),
                Answer::Skip(k) => k.task_id = Some(only.clone()),
            }
            only
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "missing required field \"task_id\" (the server runs several tasks)",
            ))
        }
    };
    let Some(info) = registry.get(&task) else {
        return Err(ApiError::unknown_task(&task));
    };
    let canonical = info.gold_mode == GoldMode::Blind && canonical();
    let record = match &answer {
        Answer::Label(a) => a.to_json_value().to_string(),
        Answer::Skip(k) => serde_json::to_string(k).unwrap_or_default(),
    };
    Ok(Incoming {
        id,
        task,
        answer,
        canonical,
        record,
    })
}
