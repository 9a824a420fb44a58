//! The page's answer to one item, as it sends it.

use crate::error::{Error, Result};
use crate::fields::{shown, Fields};
use crate::label::Label;
use crate::map::LiteMap;
use serde::Serialize;
use serde_json::Value;

/// One answer as the page sends it: `choice` and `dimensions` are as the
/// annotator saw the pair (left = "A").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmitRequest {
    /// Unique id of the answer (a UUID from the page); resubmitting the
    /// same id returns the same verdict.
    pub id: String,
    /// The item answered.
    pub item: String,
    /// Who answered.
    pub annotator: String,
    /// The overall label as shown. When absent it is derived from
    /// `dimensions` with the rubric weights ([`super::Rubric::overall`]).
    pub choice: Option<Label>,
    /// Seconds spent on the item.
    pub time_seconds: f64,
    /// Per-dimension labels as shown.
    #[serde(default, serialize_with = "crate::map::as_object")]
    pub dimensions: LiteMap<String, Label>,
    /// Unix time in seconds.
    pub timestamp: Option<f64>,
    /// Version of the page.
    pub client_version: Option<String>,
    /// The task, if the page says; must be this session's task.
    pub task_id: Option<String>,
    /// The order the page believes it showed; if given it must be the
    /// session's, so a page out of step is caught rather than mis-flipped.
    pub swapped: Option<bool>,
}

impl SubmitRequest {
    /// Parses a request from JSON text. See [`SubmitRequest::from_value`].
    pub fn from_json(text: &str) -> Result<SubmitRequest> {
        let v: Value = serde_json::from_str(text).map_err(|e| Error::NotJson {
            message: format!("request is not valid JSON: {e}"),
            at: Default::default(),
        })?;
        SubmitRequest::from_value(&v)
    }

    /// Checks a request field by field, naming the first wrong field.
    pub fn from_value(v: &Value) -> Result<SubmitRequest> {
        let f = Fields::new(v, "")?;
        f.only(&[
            "id",
            "item",
            "annotator",
            "choice",
            "time_seconds",
            "dimensions",
            "timestamp",
            "client_version",
            "task_id",
            "swapped",
        ])?;
        let time_seconds = match f.get("time_seconds") {
            None => return Err(Error::missing("time_seconds")),
            Some(v) => match v.as_f64() {
                Some(t) if t.is_finite() && t >= 0.0 => t,
                _ => {
                    return Err(Error::invalid(
                        "time_seconds",
                        format!("expected a finite number of seconds >= 0, got {}", shown(v)),
                    ))
                }
            },
        };
        let timestamp = match f.optional_number("timestamp")? {
            Some(t) if !t.is_finite() => {
                return Err(Error::invalid("timestamp", "must be finite"));
            }
            t => t,
        };
        Ok(SubmitRequest {
            id: f.required_str("id")?,
            item: f.required_str("item")?,
            annotator: f.required_str("annotator")?,
            choice: f.label("choice")?,
            time_seconds,
            dimensions: f.labels("dimensions")?,
            timestamp,
            client_version: f.optional_str("client_version")?,
            task_id: f.optional_str("task_id")?,
            swapped: f.optional_bool("swapped")?,
        })
    }
}
