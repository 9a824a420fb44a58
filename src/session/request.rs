//! The page's answer to one item, as it sends it.

use crate::annotation::line::{check_time_seconds, check_timestamp};
use crate::error::{Error, Result};
use crate::fields::Fields;
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
    /// Made by a simulated annotator, not a person (carried into the record).
    pub simulated: bool,
    /// The order the page believes it showed; if given it must be the
    /// session's, so a page out of step is caught rather than mis-flipped.
    pub swapped: Option<bool>,
}

crate::json::from_json_by_fields!(
    /// A request from JSON text: see [`SubmitRequest::from_value`].
    SubmitRequest,
    "request"
);

impl SubmitRequest {
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
            "simulated",
            "task_id",
            "swapped",
        ])?;
        // The rules of the annotation this request becomes.
        let time_seconds = f
            .optional_number("time_seconds")?
            .ok_or_else(|| Error::missing("time_seconds"))?;
        check_time_seconds(time_seconds)?;
        let timestamp = f.optional_number("timestamp")?;
        if let Some(t) = timestamp {
            check_timestamp(t)?;
        }
        Ok(SubmitRequest {
            id: f.required_str("id")?,
            item: f.required_str("item")?,
            annotator: f.required_str("annotator")?,
            choice: f.label("choice")?,
            time_seconds,
            dimensions: f.labels("dimensions")?,
            timestamp,
            client_version: f.optional_str("client_version")?,
            simulated: f.bool_or("simulated", false)?,
            task_id: f.optional_str("task_id")?,
            swapped: f.optional_bool("swapped")?,
        })
    }
}
