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

use super::gold::GoldMatch;
use super::rubric::Rubric;
use crate::error::{Error, Result};
use crate::fields::{num, shown, Fields};
use crate::label::Label;
use crate::map::FastSet;
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

/// Session settings, each with a default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskConfig {
    /// Items per batch, gold included (default 50).
    pub batch_size: u32,
    /// Share of gold in a batch (default 0.10): `max(1, floor(batch_size x
    /// gold_fraction))` gold items per batch when the task has gold.
    pub gold_fraction: f64,
    /// Labels wanted per regular item (default 3).
    pub overlap: u32,
    /// Gold answers needed before an annotator can be flagged (default 5).
    pub min_gold_for_flag: u32,
    /// Gold accuracy under which an annotator is flagged (default 0.60).
    pub min_gold_accuracy: f64,
    /// How gold answers are matched (default directional).
    pub gold_match: GoldMatch,
    /// Answers faster than this are marked `too_fast` (default 5.0 s).
    pub fast_seconds: f64,
    /// Show each pair in random A/B order (default true).
    pub randomize_order: bool,
    /// Tell the annotator right away whether a gold answer was right (default false).
    pub gold_feedback: bool,
    /// Seed of the session's generator (default none: from the system).
    pub seed: Option<u64>,
    /// How long an item handed out stays reserved for its annotator, in
    /// seconds (default 1800). Unanswered when it runs out, the item goes
    /// back to the pool for others.
    pub lease_seconds: f64,
    /// Reasons the page suggests for a skip (default "I can't judge this",
    /// "The text is broken or missing"); a worker may also type their own.
    pub skip_reasons: Vec<String>,
    /// Most answers a regular item takes (at least `overlap`); later
    /// answers are refused. Unset, items the session handed out itself take
    /// at most `2 x overlap` (leases keep an item at `overlap` in normal
    /// use: the margin is for answers that come after their lease ran out),
    /// and items assigned on the spot (open-mode collector, replay) have no
    /// limit, since there the pages choose the items.
    pub max_labels_per_item: Option<u32>,
    /// Share of an annotator's answered regular items shown to them once
    /// more, in a later batch (never the one they were first in), with the
    /// A/B order drawn again: a test-retest check whose figures are each
    /// annotator's `self_consistency` in the live statistics. Default 0
    /// (none); in `[0, 1]`. A repeat is no new overlap slot (see the
    /// session's module docs).
    pub repeat_fraction: f64,
}

/// Longest skip reason, in characters.
pub const MAX_SKIP_REASON: usize = 200;

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            batch_size: 50,
            gold_fraction: 0.10,
            overlap: 3,
            min_gold_for_flag: 5,
            min_gold_accuracy: 0.60,
            gold_match: GoldMatch::Directional,
            fast_seconds: 5.0,
            randomize_order: true,
            gold_feedback: false,
            seed: None,
            lease_seconds: 1800.0,
            skip_reasons: vec![
                "I can't judge this".to_string(),
                "The text is broken or missing".to_string(),
            ],
            max_labels_per_item: None,
            repeat_fraction: 0.0,
        }
    }
}

impl TaskConfig {
    /// Gold items per full batch when the task has gold:
    /// `max(1, floor(batch_size x gold_fraction))`. A hair of tolerance keeps
    /// products such as `100 x 0.29 = 28.999999999999996` at 29.
    pub fn gold_per_batch(&self) -> u32 {
        let share = (self.batch_size as f64 * self.gold_fraction + 1e-9).floor() as u32;
        share.max(1)
    }

    /// The most answers a regular item takes: `max_labels_per_item`, else
    /// `2 x overlap` for items the session hands out and none for items
    /// assigned on the spot (see [`TaskConfig::max_labels_per_item`]).
    pub fn label_cap(&self, assigned_on_the_spot: bool) -> Option<u32> {
        match self.max_labels_per_item {
            Some(n) => Some(n),
            None if assigned_on_the_spot => None,
            None => Some(self.overlap.saturating_mul(2)),
        }
    }
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
const CONFIG_KEYS: &[&str] = &[
    "batch_size",
    "gold_fraction",
    "overlap",
    "min_gold_for_flag",
    "min_gold_accuracy",
    "gold_match",
    "fast_seconds",
    "randomize_order",
    "gold_feedback",
    "seed",
    "lease_seconds",
    "skip_reasons",
    "max_labels_per_item",
    "repeat_fraction",
];

/// Task JSON text: see [`Task::from_value`].
impl crate::json::FromJson for Task {
    const WHAT: &'static str = "task";
    type Raw<'a> = crate::json::Strict;
    fn from_raw(raw: crate::json::Strict) -> Result<Task> {
        Task::from_value(&raw.0)
    }
}

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

fn config_from_value(value: &Value) -> Result<TaskConfig> {
    let c = Fields::new(value, "config")?;
    c.only(CONFIG_KEYS)?;
    let d = TaskConfig::default();
    let gold_match = GoldMatch::read(&c, "gold_match", d.gold_match)?;
    let seed = match c.get("seed") {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            Error::invalid(
                "config.seed",
                format!("expected a non-negative integer or null, got {}", shown(v)),
            )
        })?),
    };
    let fast_seconds = c.number_in("fast_seconds", d.fast_seconds, 0.0, f64::INFINITY, false)?;
    if fast_seconds <= 0.0 {
        return Err(Error::invalid(
            "config.fast_seconds",
            format!(
                "expected a number of seconds > 0, got {}",
                num(fast_seconds)
            ),
        ));
    }
    let lease_seconds = c.number_in("lease_seconds", d.lease_seconds, 0.0, 1e9, false)?;
    if lease_seconds <= 0.0 {
        return Err(Error::invalid(
            "config.lease_seconds",
            format!(
                "expected a number of seconds > 0, got {}",
                num(lease_seconds)
            ),
        ));
    }
    let skip_reasons = match c.get("skip_reasons") {
        None => d.skip_reasons,
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("config.skip_reasons[{i}]");
                match v.as_str() {
                    Some(r) => super::skip::check_reason(r, &at),
                    None => Err(Error::invalid(
                        at,
                        format!("expected a text, got {}", shown(v)),
                    )),
                }
            })
            .collect::<Result<Vec<_>>>()?,
        Some(other) => {
            return Err(Error::invalid(
                "config.skip_reasons",
                format!("expected an array of texts, got {}", shown(other)),
            ))
        }
    };
    let overlap = c.u32_or("overlap", d.overlap, 1)?;
    let max_labels_per_item = match c.get("max_labels_per_item") {
        None | Some(Value::Null) => None,
        Some(_) => Some(c.u32_or("max_labels_per_item", overlap, overlap)?),
    };
    Ok(TaskConfig {
        batch_size: c.u32_or("batch_size", d.batch_size, 1)?,
        gold_fraction: c.number_in("gold_fraction", d.gold_fraction, 0.0, 1.0, true)?,
        overlap,
        min_gold_for_flag: c.u32_or("min_gold_for_flag", d.min_gold_for_flag, 1)?,
        min_gold_accuracy: c.number_in(
            "min_gold_accuracy",
            d.min_gold_accuracy,
            0.0,
            1.0,
            false,
        )?,
        gold_match,
        fast_seconds,
        randomize_order: c.bool_or("randomize_order", d.randomize_order)?,
        gold_feedback: c.bool_or("gold_feedback", d.gold_feedback)?,
        seed,
        lease_seconds,
        skip_reasons,
        max_labels_per_item,
        repeat_fraction: c.number_in("repeat_fraction", d.repeat_fraction, 0.0, 1.0, false)?,
    })
}
