//! Skip records ("I can't judge this"): never labels. The page posts them
//! and keeps them in its outbox beside labels, the collector stores and
//! exports them, and the JSONL reader reads them from the same files
//! (a line with a `skip` key); the session takes them with
//! [`crate::session::Session::skip`].

use super::line::CheckedSkip;
use crate::error::Result;
use serde::Serialize;
use serde_json::Value;

/// One skip, as the page posts it and the collector stores it:
/// `{"id", "item", "annotator", "skip": "<reason>"}` and optionally
/// `task_id`, `time_seconds`, `timestamp`, `client_version`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skip {
    /// Unique id (like an annotation's): a retry with the same id is
    /// answered with the first verdict.
    pub id: String,
    /// The task, if given; filled in by the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The item skipped.
    pub item: String,
    /// Who skipped it.
    pub annotator: String,
    /// Why, in the worker's words or one of `config.skip_reasons`
    /// (at most 200 characters).
    pub skip: String,
    /// Seconds spent before skipping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_seconds: Option<f64>,
    /// Unix time in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<f64>,
    /// Version of the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_version: Option<String>,
    /// Made by a simulated annotator, not a person. Written only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub simulated: bool,
}

/// A skip from JSON text: see [`Skip::from_value`].
impl crate::json::FromJson for Skip {
    const WHAT: &'static str = "skip";
    type Raw<'a> = super::line::Line<'a>;
    fn from_raw(raw: super::line::Line<'_>) -> Result<Skip> {
        raw.check_skip().map(|s| Skip::from(&s))
    }
}

impl Skip {
    /// Whether a JSON object is a skip record (has a `skip` key).
    pub fn is_skip(value: &Value) -> bool {
        value.get("skip").is_some()
    }

    /// Checks a skip record field by field, naming the first wrong field,
    /// with the one reader of records ([`crate::annotation::line`]): the
    /// rules for ids and times are a label's, and a label or dimensions
    /// are refused, and the `id` is required.
    pub fn from_value(v: &Value) -> Result<Skip> {
        use serde::Deserialize;
        let line = super::line::Line::deserialize(v).map_err(|e| crate::json::error(&e, ""))?;
        line.check_skip().map(|s| Skip::from(&s))
    }
}

impl From<&CheckedSkip<'_>> for Skip {
    fn from(s: &CheckedSkip<'_>) -> Skip {
        Skip {
            id: s.id.to_string(),
            task_id: s.task_id.as_deref().map(str::to_string),
            item: s.item.to_string(),
            annotator: s.annotator.to_string(),
            skip: s.skip.to_string(),
            time_seconds: s.time_seconds,
            timestamp: s.timestamp,
            client_version: s.client_version.as_deref().map(str::to_string),
            simulated: s.simulated,
        }
    }
}
