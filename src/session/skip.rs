//! Skips: "I can't judge this". A skip is never a label: it enters no
//! agreement, gold tally as correct or aggregation. It gives the item's
//! lease back (the item returns to the pool for others, never to the same
//! annotator), and a skipped gold item counts as a gold item seen and not
//! answered correctly, so skipping cannot dodge the gold checks.

use super::task::MAX_SKIP_REASON;
use super::verdict::{Flag, Progress, Status};
use super::{Kind, Session, Slot};
use crate::error::{Error, Result};
use crate::fields::{shown, Fields};
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

/// The session's answer to a skip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkipVerdict {
    /// `accepted` or `flagged`.
    pub status: Status,
    /// The skip as recorded (task id filled in).
    pub skip: Skip,
    /// Present once the annotator is flagged.
    pub flag: Option<Flag>,
    /// Progress through the item's batch (a skip counts as done).
    pub progress: Progress,
    /// This is a resubmission: the verdict is the first one, nothing changed.
    pub duplicate: bool,
}

/// Keys of a skip record. A label, a choice or dimensions are refused by
/// name rather than as unknown keys.
const KEYS: &[&str] = &[
    "id",
    "task_id",
    "item",
    "annotator",
    "skip",
    "time_seconds",
    "timestamp",
    "client_version",
    "simulated",
];

/// A skip from JSON text: see [`Skip::from_value`].
impl crate::json::FromJson for Skip {
    const WHAT: &'static str = "skip";
    type Raw<'a> = Value;
    fn from_raw(raw: Value) -> Result<Skip> {
        Skip::from_value(&raw)
    }
}

impl Skip {
    /// Whether a JSON object is a skip record (has a `skip` key).
    pub fn is_skip(value: &Value) -> bool {
        value.get("skip").is_some()
    }

    /// Checks a skip record field by field, naming the first wrong field.
    pub fn from_value(v: &Value) -> Result<Skip> {
        let f = Fields::new(v, "")?;
        for key in ["label", "choice", "dimensions"] {
            if f.map.contains_key(key) {
                return Err(Error::invalid(
                    key,
                    "a skip carries no label: send either a label or a skip",
                ));
            }
        }
        f.only(KEYS)?;
        let skip = match f.get("skip") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(Error::invalid(
                    "skip",
                    format!("expected the reason as text, got {}", shown(other)),
                ))
            }
            None => return Err(Error::missing("skip")),
        };
        let (time_seconds, timestamp) = (
            f.optional_number("time_seconds")?,
            f.optional_number("timestamp")?,
        );
        Ok(Skip {
            id: f.required_str("id")?,
            task_id: f.optional_str("task_id")?,
            item: f.required_str("item")?,
            annotator: f.required_str("annotator")?,
            skip,
            time_seconds,
            timestamp,
            client_version: f.optional_str("client_version")?,
            simulated: f.bool_or("simulated", false)?,
        })
    }
}

/// A skip reason trimmed, or why it is refused: empty, or longer than
/// [`MAX_SKIP_REASON`] characters. The one rule for reasons posted and
/// reasons a task suggests.
pub(crate) fn check_reason(reason: &str, field: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(field, "the reason must not be empty"));
    }
    if reason.char_indices().nth(MAX_SKIP_REASON).is_some() {
        return Err(Error::invalid(
            field,
            format!("the reason is longer than {MAX_SKIP_REASON} characters"),
        ));
    }
    Ok(reason.to_string())
}

impl Session {
    /// Takes a skip of an item the annotator holds (open, or with its
    /// lease run out). The item goes back to the pool for others; a gold
    /// item counts as seen and not correct. The same skip again (same id)
    /// returns the first verdict with `duplicate: true`. Refused: a skip of
    /// an item not handed to the annotator, or already answered.
    pub fn skip(&mut self, skip: Skip) -> Result<SkipVerdict> {
        self.skip_inner(skip, false)
    }

    /// Like [`Session::skip`], but an item of the task that the annotator
    /// does not hold is assigned on the spot first, as
    /// [`Session::record_assigning`] does for labels.
    pub fn skip_assigning(&mut self, skip: Skip) -> Result<SkipVerdict> {
        self.skip_inner(skip, true)
    }

    fn skip_inner(&mut self, mut skip: Skip, assigning: bool) -> Result<SkipVerdict> {
        self.own_task_id(&mut skip.task_id)?;
        if skip.time_seconds.is_some_and(|t| !t.is_finite() || t < 0.0) {
            return Err(Error::invalid(
                "time_seconds",
                "expected a finite number of seconds >= 0",
            ));
        }
        if skip.timestamp.is_some_and(|t| !t.is_finite()) {
            return Err(Error::invalid("timestamp", "must be finite"));
        }
        skip.skip = check_reason(&skip.skip, "skip")?;
        if assigning && self.index.contains_key(&skip.item) {
            self.annotator_mut(&skip.annotator)?;
        }
        let (a, i) = self.locate(&skip.annotator, &skip.item, Some(&skip.id))?;
        if assigning && !self.annotators[a as usize].slots.contains_key(&i) {
            self.assign(a, i, false)?;
        } else if assigning && self.may_repeat_on_the_spot(a, i, Some(&skip.id)) {
            self.assign_repeat(a, i, false)?;
        }
        let who = &self.annotators[a as usize];
        let repeat = who.is_repeat(i, Some(&skip.id));
        let (open, batch) = match who.slot(i, repeat) {
            Some(Slot::Skipped(v)) => {
                let mut v = (**v).clone();
                v.duplicate = true;
                return Ok(v);
            }
            Some(Slot::Done(_)) => {
                return Err(Error::Rejected(format!(
                    "annotator \"{}\" already labelled item \"{}\"; a label cannot be skipped",
                    who.name, skip.item
                )))
            }
            Some(slot @ Slot::Open { .. }) => (true, slot.handed_out().map_or(0, |h| h.1)),
            Some(slot @ Slot::Lapsed { .. }) => (false, slot.handed_out().map_or(0, |h| h.1)),
            None => return Err(self.not_open(a, &skip.item)),
        };
        let kind = self.items[i as usize].kind;
        // A repeat holds no overlap slot: nothing goes back to the pool.
        if open && !repeat && matches!(kind, Kind::Regular(_)) {
            self.pool.release(i);
        }
        let config = &self.task.config;
        let who = &mut self.annotators[a as usize];
        if let Kind::Gold(_) = kind {
            who.gold_seen(false, config);
        }
        who.skips += 1;
        let progress = who.done_in(batch);
        let (status, flag) = who.standing();
        let verdict = SkipVerdict {
            status,
            flag,
            skip,
            progress,
            duplicate: false,
        };
        self.ids.insert(verdict.skip.id.clone(), (a, i));
        who.set_slot(i, repeat, Slot::Skipped(Box::new(verdict.clone())));
        self.changes += 1;
        Ok(verdict)
    }
}
