//! Per-annotator reliability: gold accuracy, agreement with the majority,
//! speed, a composite score, a flag, position bias and straight-lining.
//!
//! Definitions (every threshold and weight is in [`ReliabilityConfig`]):
//!
//! * `gold_accuracy = gold_correct / gold_total` over the annotator's labels
//!   on gold items. By default a label is correct when it is on the same
//!   side as the gold label (`A>>` and `A>` agree, `B>>` and `B>` agree,
//!   `=` only with `=`); with [`Match::Exact`] it must be equal.
//! * `majority_agreement`: over the annotator's labels on items with at
//!   least `min_labels_for_majority` (2) labels, the share equal to the
//!   item's majority label. The majority is the majority vote of
//!   [`crate::aggregate::majority`] over every label on the item, the
//!   annotator's own included (as in "agreement with the majority label"),
//!   with that vote's tie rule: the tied label nearest to `=` wins, and
//!   mirror ties (`A>` against `B>`) give `=`. So on an item with two
//!   opposite labels neither annotator agrees with the majority. With
//!   `majority_leave_one_out` the majority is taken over the other labels
//!   only.
//! * `avg_time_seconds`: mean of the times given; `speed_penalty` is 1 when
//!   that mean is `speed_threshold_seconds` (5) or more, else mean / 5 (a
//!   score: 1 is good).
//! * `composite = 0.4 gold_accuracy + 0.3 majority_agreement +
//!   0.3 speed_penalty`, each undefined part counting as 0.5.
//! * `flagged` when `gold_total >= 5` and `gold_accuracy < 0.60`.
//! * `skips`: the items the annotator skipped ("I can't judge this");
//!   `skip_rate = skips / (skips + total)`. A skip is no label; a skipped
//!   gold item counts in `gold_total` as seen and not correct.
//! * `position_bias`: see [`position`]; `straight_lining`: the longest run
//!   of identical consecutive labels in input order and the share of the
//!   most frequent label. Both look at labels as shown (the left response
//!   is A), since that is what the annotator clicked.
//!
//! Undefined figures are `None` (JSON `null`), with the reason in `reasons`.
//!
//! This file holds the figures and their computation; `config` holds
//! [`ReliabilityConfig`] and [`Match`], with their reading and checks.

mod config;
mod consistency;
pub mod live;
pub mod position;
pub mod tally;
#[cfg(test)]
mod tests;

pub use config::{Match, ReliabilityConfig};
pub use consistency::SelfConsistency;
pub use live::Live;
pub use position::PositionBias;
pub use tally::{AnnotatorTally, Runs};

use crate::aggregate::majority;
use crate::dataset::Dataset;
use crate::label::{Label, K};
use serde::Serialize;

/// Straight-lining figures of one annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StraightLining {
    /// Longest run of identical consecutive labels (as shown), in input order.
    pub longest_run: u32,
    /// The most frequent label as shown (on ties, the one with the lowest code).
    pub top_label: Option<Label>,
    /// Its share of the annotator's labels.
    pub top_share: Option<f64>,
}

/// Reliability figures of one annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatorStats {
    /// Annotator id as given in the input.
    pub id: String,
    /// Annotations.
    pub total: u32,
    /// Items skipped (not labels).
    pub skips: u32,
    /// `skips / (skips + total)`.
    pub skip_rate: f64,
    /// Gold items labelled, or skipped (counted as not correct).
    pub gold_total: u32,
    /// Of those, correct ones (per `gold_match`).
    pub gold_correct: u32,
    /// `gold_correct / gold_total`.
    pub gold_accuracy: Option<f64>,
    /// Annotations on items with enough labels for a majority.
    pub majority_total: u32,
    /// Share of those equal to the item's majority label.
    pub majority_agreement: Option<f64>,
    /// Mean time of the annotations that give one.
    pub avg_time_seconds: Option<f64>,
    /// 1 at or above the speed threshold, else mean / threshold.
    pub speed_penalty: Option<f64>,
    /// Weighted sum of the three scores, undefined parts at 0.5.
    pub composite: f64,
    /// Enough gold answers and too few correct.
    pub flagged: bool,
    /// Preference for the response shown on the left.
    pub position_bias: PositionBias,
    /// Clicking the same label again and again.
    pub straight_lining: StraightLining,
    /// Agreement with themselves on items they labelled more than once
    /// (with `allow_repeats`); `null` when they have none.
    pub self_consistency: Option<SelfConsistency>,
    /// Why a figure above is `null`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// Tallies of every annotator of a dataset, by annotator id, in input order.
pub fn tally(d: &Dataset) -> Vec<AnnotatorTally> {
    let mut t = vec![AnnotatorTally::default(); d.annotators.len()];
    for r in &d.rows {
        let gold = d.gold.get(r.item as usize).copied().flatten();
        if let Some(a) = t.get_mut(r.annotator as usize) {
            a.add(r, gold);
        }
    }
    for s in &d.skips {
        let gold = d.gold.get(s.item as usize).copied().flatten();
        if let Some(a) = t.get_mut(s.annotator as usize) {
            a.skip(gold);
        }
    }
    t
}

/// Reliability of every annotator of a dataset, by annotator id.
pub fn compute(d: &Dataset, config: &ReliabilityConfig) -> Vec<AnnotatorStats> {
    finish(d, &tally(d), config)
}

/// The composite scores, by annotator id (the weights of the weighted vote).
pub fn composites(stats: &[AnnotatorStats]) -> Vec<f64> {
    stats.iter().map(|s| s.composite).collect()
}

/// Majority agreement `(agreeing, counted)` by annotator id.
fn majority_agreement(d: &Dataset, config: &ReliabilityConfig) -> Vec<(u32, u32)> {
    let counts = d.item_counts();
    let majority: Vec<Option<Label>> = counts.iter().map(majority::vote).collect();
    let mut out = vec![(0u32, 0u32); d.annotators.len()];
    for r in &d.rows {
        let Some(c) = counts.get(r.item as usize) else {
            continue;
        };
        let n: u32 = c.iter().sum();
        if n < config.min_labels_for_majority.max(1) {
            continue;
        }
        let m = if config.majority_leave_one_out {
            let mut others = *c;
            others[r.label.index()] -= 1;
            majority::vote(&others)
        } else {
            majority.get(r.item as usize).copied().flatten()
        };
        let Some(m) = m else { continue };
        if let Some(o) = out.get_mut(r.annotator as usize) {
            o.1 += 1;
            o.0 += u32::from(config.majority_match.matches(r.label, m));
        }
    }
    out
}

/// The figures from tallies (by annotator id) and the dataset they came from.
pub(crate) fn finish(
    d: &Dataset,
    tallies: &[AnnotatorTally],
    config: &ReliabilityConfig,
) -> Vec<AnnotatorStats> {
    let agreement = majority_agreement(d, config);
    let repeats = consistency::pairs(d);
    tallies
        .iter()
        .enumerate()
        .map(|(a, t)| {
            let name = d.annotators.names().get(a).cloned().unwrap_or_default();
            let (agree, counted) = agreement.get(a).copied().unwrap_or((0, 0));
            let mut s = stats(name, t, agree, counted, config);
            s.self_consistency = repeats.get(a).and_then(|p| p.finish());
            if s.self_consistency.is_none() {
                s.reasons.push(consistency::NO_REPEATS.to_string());
            }
            s
        })
        .collect()
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// One annotator's figures from their tally and majority counts
/// (`self_consistency` needs their labels by item: `None` here, filled in
/// from the dataset by the report).
pub fn stats(
    id: String,
    t: &AnnotatorTally,
    majority_agree: u32,
    majority_total: u32,
    config: &ReliabilityConfig,
) -> AnnotatorStats {
    let mut reasons = Vec::new();
    let gold_correct = match config.gold_match {
        Match::Exact => t.gold_exact,
        Match::Directional => t.gold_directional,
    };
    let gold_accuracy = ratio(gold_correct, t.gold_total);
    if gold_accuracy.is_none() {
        reasons.push("gold_accuracy: no gold item labelled".to_string());
    }
    let majority_agreement = ratio(majority_agree, majority_total);
    if majority_agreement.is_none() {
        reasons.push(format!(
            "majority_agreement: no labelled item has {} or more labels",
            config.min_labels_for_majority
        ));
    }
    // The reader keeps each time within a day, so the mean is finite; a
    // dataset built by hand may not be, and is then undefined with a reason.
    let avg_time_seconds = match (t.timed, t.time_sum / f64::from(t.timed)) {
        (0, _) => {
            reasons.push("avg_time_seconds: no annotation gives time_seconds".to_string());
            None
        }
        (_, m) if !m.is_finite() => {
            reasons.push("avg_time_seconds: a time_seconds is not a finite number".to_string());
            None
        }
        (_, m) => Some(m),
    };
    let threshold = config.speed_threshold_seconds;
    let speed_penalty = avg_time_seconds.map(|m| {
        if m >= threshold {
            1.0
        } else {
            (m / threshold).max(0.0)
        }
    });
    let part = |x: Option<f64>| x.unwrap_or(config.undefined_score);
    let composite = config.weight_gold * part(gold_accuracy)
        + config.weight_majority * part(majority_agreement)
        + config.weight_speed * part(speed_penalty);
    let flagged = t.gold_total >= config.flag_min_gold
        && gold_accuracy.is_some_and(|g| g < config.flag_gold_accuracy_below);
    let (left, decided) = t.left_of_decided();
    let top = t.shown.iter().copied().max().unwrap_or(0);
    let top_label = (top > 0)
        .then(|| (0..K).find(|&l| t.shown[l] == top))
        .flatten()
        .and_then(Label::from_index);
    let top_share = top_label.and_then(|_| ratio(top, t.total));
    AnnotatorStats {
        id,
        total: t.total,
        skips: t.skips,
        skip_rate: ratio(t.skips, t.skips + t.total).unwrap_or(0.0),
        gold_total: t.gold_total,
        gold_correct,
        gold_accuracy,
        majority_total,
        majority_agreement,
        avg_time_seconds,
        speed_penalty,
        composite,
        flagged,
        position_bias: PositionBias::new(left, decided),
        straight_lining: StraightLining {
            longest_run: t.runs.longest,
            top_label,
            top_share,
        },
        self_consistency: None,
        reasons,
    }
}
