//! A task's session settings: [`TaskConfig`] with its defaults, and its
//! reading from the task's `config` object (unknown keys refused by name).

use crate::error::{Error, Result};
use crate::fields::{num, shown, Fields};
use crate::session::gold::GoldMatch;
use serde::Serialize;
use serde_json::Value;

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

pub(super) fn config_from_value(value: &Value) -> Result<TaskConfig> {
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
    let fast_seconds = above_zero(
        "fast_seconds",
        c.number_in("fast_seconds", d.fast_seconds, 0.0, f64::INFINITY, false)?,
    )?;
    let lease_seconds = above_zero(
        "lease_seconds",
        c.number_in("lease_seconds", d.lease_seconds, 0.0, 1e9, false)?,
    )?;
    let skip_reasons = match c.get("skip_reasons") {
        None => d.skip_reasons,
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("config.skip_reasons[{i}]");
                match v.as_str() {
                    Some(r) => crate::session::skip::check_reason(r, &at),
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

/// A number of seconds in `config.{field}` that must be above 0.
fn above_zero(field: &str, seconds: f64) -> Result<f64> {
    if seconds <= 0.0 {
        return Err(Error::invalid(
            format!("config.{field}"),
            format!("expected a number of seconds > 0, got {}", num(seconds)),
        ));
    }
    Ok(seconds)
}
