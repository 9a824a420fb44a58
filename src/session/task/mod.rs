//! The task definition: items to label, hidden gold items, guidelines,
//! rubric and session settings, read from JSON field by field.
//!
//! ```text
//! {"task_id": "...", "guidelines": "markdown text",
//!  "rubric": {"helpfulness": {"weight": 0.35, "description": "..."}, ...},
//!  "examples": [{"id", "prompt", "response_a", "response_b", "metadata": {...}}],
//!  "gold": [{"id", "prompt", "response_a", "response_b", "label", "explanation"}],
//!  "config": {"batch_size": 50, "gold_fraction": 0.10, "overlap": 3,
//!             "min_gold_for_flag": 5, "min_gold_accuracy": 0.60, "gold_match": "directional",
//!             "fast_seconds": 5.0, "randomize_order": true, "gold_feedback": false, "seed": null,
//!             "repeat_fraction": 0}}
//! ```
//!
//! Only `examples` is required. Unknown keys are refused by name at every
//! level (extra data about an example belongs in its `metadata`), so a typo
//! such as `"batchsize"` is an error rather than a silently ignored setting.
//!
//! This file holds the task, its items and their reading; `config` holds
//! [`TaskConfig`] and the reading of the `config` object.

mod config;

pub use config::{TaskConfig, MAX_SKIP_REASON};

use super::rubric::Rubric;
use crate::error::{Error, Result};
use crate::fields::{shown, Fields};
use crate::label::Label;
use crate::map::FastSet;
use config::config_from_value;
use serde::Serialize;
use serde_json::Value;

/// A pair to label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// Item id, unique in the task (gold ids included).
    pub id: String,
    /// The prompt both responses answer.
    pub prompt: String,
    /// Response A (canonical order).
    pub response_a: String,
    /// Response B (canonical order).
    pub response_b: String,
    /// Free-form data about the pair; never sent to the page.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, Value>,
}

/// A pair with a known answer, mixed into batches unmarked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldExample {
    /// Item id, unique in the task.
    pub id: String,
    /// The prompt.
    pub prompt: String,
    /// Response A (canonical order).
    pub response_a: String,
    /// Response B (canonical order).
    pub response_b: String,
    /// The right answer, canonical.
    pub label: Label,
    /// Why, shown only with `gold_feedback`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// A whole task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// Task id (default `"task"`).
    pub task_id: String,
    /// Guidelines in Markdown (default empty).
    pub guidelines: String,
    /// Rubric (default: helpfulness, correctness, harmlessness, conciseness).
    pub rubric: Rubric,
    /// The pairs to label, at least one.
    pub examples: Vec<Example>,
    /// Gold pairs (default none).
    pub gold: Vec<GoldExample>,
    /// Settings.
    pub config: TaskConfig,
}

const TOP_KEYS: &[&str] = &[
    "task_id",
    "guidelines",
    "rubric",
    "examples",
    "gold",
    "config",
];
crate::json::from_json_by_fields!(
    /// Task JSON text: see [`Task::from_value`].
    Task,
    "task"
);

impl Task {
    /// Checks a task field by field, naming the first field that is wrong
    /// (`config.batch_size`, `examples[3].prompt`, `gold[0].label`).
    pub fn from_value(value: &Value) -> Result<Task> {
        let f = Fields::new(value, "")?;
        f.only(TOP_KEYS)?;
        let task_id = match f.optional_str("task_id")? {
            Some(s) if s.trim().is_empty() => {
                return Err(Error::invalid("task_id", "must not be empty"))
            }
            Some(s) => s,
            None => "task".to_string(),
        };
        let rubric = match f.get("rubric") {
            Some(v) => Rubric::from_value(v)?,
            None => Rubric::default(),
        };
        // The ids seen so far: examples and gold share one id space.
        let mut ids = FastSet::default();
        let examples = list(&f, "examples", true, |v, path| {
            let e = Fields::new(v, path)?;
            e.only(&["id", "prompt", "response_a", "response_b", "metadata"])?;
            let metadata = match e.get("metadata") {
                None => serde_json::Map::new(),
                Some(Value::Object(m)) => m.clone(),
                Some(other) => {
                    return Err(Error::invalid(
                        e.path_of("metadata"),
                        format!("expected an object, got {}", shown(other)),
                    ))
                }
            };
            Ok(Example {
                id: unique_id(&e, &mut ids)?,
                prompt: e.required_str("prompt")?,
                response_a: e.required_str("response_a")?,
                response_b: e.required_str("response_b")?,
                metadata,
            })
        })?;
        let gold = list(&f, "gold", false, |v, path| {
            let g = Fields::new(v, path)?;
            g.only(&[
                "id",
                "prompt",
                "response_a",
                "response_b",
                "label",
                "explanation",
            ])?;
            let label = g.required_str("label")?;
            Ok(GoldExample {
                id: unique_id(&g, &mut ids)?,
                prompt: g.required_str("prompt")?,
                response_a: g.required_str("response_a")?,
                response_b: g.required_str("response_b")?,
                label: Label::parse(&label).map_err(|e| e.in_field(&g.path_of("label")))?,
                explanation: g.optional_str("explanation")?,
            })
        })?;
        let config = match f.get("config") {
            Some(v) => config_from_value(v)?,
            None => TaskConfig::default(),
        };
        if !gold.is_empty() && config.batch_size < 2 {
            return Err(Error::invalid(
                "config.batch_size",
                "with gold items a batch needs room for at least one regular item; expected 2 or more, got 1",
            ));
        }
        Ok(Task {
            task_id,
            guidelines: f.optional_str("guidelines")?.unwrap_or_default(),
            rubric,
            examples,
            gold,
            config,
        })
    }

    /// The task as JSON (the same shape it was read from).
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

fn unique_id(f: &Fields<'_>, ids: &mut FastSet<String>) -> Result<String> {
    let id = f.required_str("id")?;
    if !ids.insert(id.clone()) {
        return Err(Error::invalid(
            f.path_of("id"),
            format!("duplicate item id \"{id}\" (ids must be unique across examples and gold)"),
        ));
    }
    Ok(id)
}

/// Reads the array `key`, each element with `read(value, "key[i]")`.
fn list<T>(
    f: &Fields<'_>,
    key: &str,
    required: bool,
    mut read: impl FnMut(&Value, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let items = match f.get(key) {
        None if required => return Err(Error::missing(key)),
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Error::invalid(
                key,
                format!("expected an array, got {}", shown(other)),
            ))
        }
    };
    if required && items.is_empty() {
        return Err(Error::invalid(key, "must hold at least one item"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| read(v, &format!("{key}[{i}]")))
        .collect()
}
