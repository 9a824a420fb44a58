//! The session's answer to one submitted answer.

use crate::annotation::Annotation;
use crate::label::Label;
use serde::Serialize;

/// Whether the annotator is still in good standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded; the annotator may go on.
    Accepted,
    /// Recorded; the annotator is flagged and gets no further batches.
    Flagged,
}

/// Right or wrong on a gold item; only with `gold_feedback`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldFeedback {
    /// Whether the answer matched (by `gold_match`).
    pub correct: bool,
    /// The gold label, canonical.
    pub label: Label,
    /// The gold label as the annotator saw the pair (left = "A").
    pub label_shown: Label,
    /// Why, if the task says.
    pub explanation: Option<String>,
}

/// Why an annotator is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    /// Gold accuracy under `min_gold_accuracy` after `min_gold_for_flag` gold answers.
    LowGoldAccuracy,
}

/// The flag, once raised (it stays).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// Why.
    pub reason: FlagReason,
    /// `gold_correct / gold_total`.
    pub gold_accuracy: f64,
    /// Gold items answered.
    pub gold_total: u32,
    /// Of those, right.
    pub gold_correct: u32,
}

/// Answers done in the batch the item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Answered so far, this one included.
    pub done: u32,
    /// Items in the batch.
    pub total: u32,
}

/// The session's answer to one submit.
///
/// With `gold_feedback` off, nothing in it depends on whether the item was
/// gold, with one exception the issue accepts: `flag` first appears right
/// after the gold answer that raised it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// `accepted` or `flagged`.
    pub status: Status,
    /// The canonical record to post (written with `"label_order": "canonical"`).
    pub annotation: Annotation,
    /// The answer took less than `fast_seconds`.
    pub too_fast: bool,
    /// Gold right or wrong: only with `gold_feedback`, else always `null`.
    pub gold: Option<GoldFeedback>,
    /// Present once the annotator is flagged.
    pub flag: Option<Flag>,
    /// Progress through the item's batch.
    pub progress: Progress,
    /// This is a resubmission: the verdict is the first one, nothing changed.
    pub duplicate: bool,
}

/// The verdict as kept for resubmissions: the annotation's item,
/// annotator and task id are left out (a resubmission names the same ones),
/// which saves three allocations per answer.
pub(crate) fn stored(v: &Verdict) -> Verdict {
    let a = &v.annotation;
    Verdict {
        annotation: Annotation {
            id: a.id.clone(),
            task_id: None,
            item: String::new(),
            annotator: String::new(),
            label: a.label,
            time_seconds: a.time_seconds,
            swapped: a.swapped,
            dimensions: a.dimensions.clone(),
            timestamp: a.timestamp,
            client_version: a.client_version.clone(),
            simulated: a.simulated,
        },
        gold: v.gold.clone(),
        flag: v.flag.clone(),
        ..*v
    }
}
