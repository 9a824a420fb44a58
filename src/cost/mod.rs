//! The cost model of a preference-data collection: what a number of labelled
//! pairs costs under each way of labelling them, what this collection has
//! cost so far, and what reaching a target will cost and how long it takes.
//!
//! The three approaches (people only, an AI judge with human review, an AI
//! judge alone with spot checks) are priced from the user's numbers: hourly
//! rate, seconds per label (measured from this collection by default), gold
//! share, overlap, judge price per call, spot-check and human-review rates
//! ([`approaches()`]). The expected agreement of each approach is this
//! collection's measured figure where there is one, and a labelled planning
//! assumption otherwise. The published planning figures are shown beside
//! them as a reference, with their source ([`reference()`]).
//!
//! Everything here is plain arithmetic on plain data; undefined figures
//! (no labelled pair, no time recorded, no annotator) are `None` with a
//! reason, never NaN.

pub mod approaches;

pub use approaches::{approaches, reference, Approach, ApproachInputs, ReferenceRow};

use crate::dataset::Dataset;
use serde::{Deserialize, Serialize};

/// Annotation time recorded in a collection, the input of the measured cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeasuredTime {
    /// Number of annotations (labels), gold included.
    pub annotations: u64,
    /// Annotations of gold items.
    pub gold_annotations: u64,
    /// Seconds spent on all annotations with a recorded time.
    pub seconds: f64,
    /// Seconds spent on gold items.
    pub gold_seconds: f64,
    /// Annotations that had a time recorded.
    pub timed_annotations: u64,
    /// Gold annotations that had a time recorded.
    pub timed_gold_annotations: u64,
    /// Distinct non-gold items with at least one label: the pairs produced.
    pub pairs: u64,
}

impl MeasuredTime {
    /// Sums the recorded times of a dataset; gold items are those with a
    /// gold label set ([`Dataset::set_gold`]).
    pub fn from_dataset(data: &Dataset) -> MeasuredTime {
        let mut m = MeasuredTime::default();
        let mut labelled = vec![false; data.items.len()];
        for row in &data.rows {
            let is_gold = matches!(data.gold.get(row.item as usize), Some(Some(_)));
            m.annotations += 1;
            if is_gold {
                m.gold_annotations += 1;
            } else if let Some(seen) = labelled.get_mut(row.item as usize) {
                *seen = true;
            }
            if let Some(t) = row.time() {
                m.timed_annotations += 1;
                m.seconds += t;
                if is_gold {
                    m.timed_gold_annotations += 1;
                    m.gold_seconds += t;
                }
            }
        }
        m.pairs = labelled.iter().filter(|&&b| b).count() as u64;
        m
    }
}

/// What the cost panel asks for. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostRequest {
    /// Collection sizes (pairs) for the table.
    pub sizes: Vec<u64>,
    /// The user's numbers that price the approaches.
    #[serde(flatten)]
    pub inputs: ApproachInputs,
    /// Annotator pay, US dollars per hour of annotation time.
    pub hourly_rate: f64,
    /// This collection's recorded time; `None` leaves out the measured cost.
    pub measured: Option<MeasuredTime>,
    /// Pairs wanted in the end; `None` leaves out the projection.
    pub target_pairs: Option<u64>,
    /// Annotators working in parallel, for the calendar time.
    pub annotators: u32,
    /// Hours each annotator works a day.
    pub hours_per_day: f64,
}

impl Default for CostRequest {
    fn default() -> Self {
        CostRequest {
            sizes: vec![10_000, 50_000, 100_000, 500_000, 1_000_000],
            inputs: ApproachInputs::default(),
            hourly_rate: 15.0,
            measured: None,
            target_pairs: None,
            annotators: 10,
            hours_per_day: 6.0,
        }
    }
}

/// One row of the table: an approach and its total at each size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproachTotals {
    pub approach: Approach,
    /// `(pairs, US dollars)` in the order of `CostRequest::sizes`.
    pub totals: Vec<SizeCost>,
}

/// The cost of one collection size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SizeCost {
    pub pairs: u64,
    pub cost: f64,
}

/// The cost of this collection, from its recorded annotation times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredCost {
    /// Mean seconds per timed annotation.
    pub seconds_per_annotation: f64,
    /// Annotation seconds per pair produced (overlap and gold included).
    pub seconds_per_pair: Option<f64>,
    /// Pay for all annotations, at `hourly_rate`. Annotations without a
    /// recorded time are costed at the mean time of the timed ones.
    pub total_cost: f64,
    /// `total_cost / pairs`; `None` when no pair is labelled.
    pub cost_per_pair: Option<f64>,
    /// Pay for gold annotations (untimed ones at the mean time).
    pub gold_cost: f64,
    /// `gold_cost / total_cost`.
    pub gold_share: f64,
    pub pairs: u64,
}

/// The cost and calendar time to reach `target_pairs` at the measured rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub target_pairs: u64,
    /// Pairs still to label (0 when the target is reached).
    pub remaining_pairs: u64,
    /// US dollars for the remaining pairs.
    pub cost: f64,
    /// Annotation hours for the remaining pairs.
    pub annotation_hours: f64,
    /// Calendar days with `annotators` working `hours_per_day`.
    pub days: f64,
}

/// The cost panel's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostResponse {
    /// The approaches priced from the request, with totals at each size;
    /// empty when they cannot be priced (see `table_reason`).
    pub table: Vec<ApproachTotals>,
    /// Why `table` is empty, when it is.
    pub table_reason: Option<String>,
    /// The seconds per label and gold share the table used, and where
    /// each came from.
    pub used: Option<approaches::Used>,
    /// The published planning figures, for reference (not computed).
    pub reference: Vec<ReferenceRow>,
    /// Where the reference rows come from.
    pub reference_source: String,
    pub measured: Option<MeasuredCost>,
    /// Why `measured` is `None`, when it is.
    pub measured_reason: Option<String>,
    pub projection: Option<Projection>,
    /// Why `projection` is `None`, when it is.
    pub projection_reason: Option<String>,
}

/// Computes the approaches' table, the measured cost and the projection.
pub fn cost_table(request: &CostRequest) -> CostResponse {
    let (measured, measured_reason) = match measured_cost(request) {
        Ok(m) => (Some(m), None),
        Err(reason) => (None, Some(reason)),
    };
    let (table, used, table_reason) =
        match approaches(&request.inputs, request.hourly_rate, measured.as_ref()) {
            Ok((list, used)) => {
                let table = list
                    .into_iter()
                    .map(|approach| ApproachTotals {
                        totals: request
                            .sizes
                            .iter()
                            .map(|&pairs| SizeCost {
                                pairs,
                                cost: pairs as f64 * approach.cost_per_pair,
                            })
                            .collect(),
                        approach,
                    })
                    .collect();
                (table, Some(used), None)
            }
            Err(reason) => (Vec::new(), None, Some(reason)),
        };
    let (projection, projection_reason) = match project(request, measured.as_ref()) {
        Ok(p) => (Some(p), None),
        Err(reason) => (None, Some(reason)),
    };
    let (reference, reference_source) = reference();
    CostResponse {
        table,
        table_reason,
        used,
        reference,
        reference_source: reference_source.to_string(),
        measured,
        measured_reason,
        projection,
        projection_reason,
    }
}

pub(crate) fn finite_non_negative(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

fn measured_cost(request: &CostRequest) -> Result<MeasuredCost, String> {
    let m = request.measured.as_ref().ok_or("no annotations loaded")?;
    if !finite_non_negative(request.hourly_rate) {
        return Err("the hourly rate must be a finite number of dollars, 0 or more".into());
    }
    if m.timed_annotations == 0 || !finite_non_negative(m.seconds) {
        return Err("no annotation has a recorded time_seconds".into());
    }
    let mean = m.seconds / m.timed_annotations as f64;
    // Untimed annotations are costed at the mean time of the timed ones.
    let untimed = m.annotations.saturating_sub(m.timed_annotations) as f64;
    let total_seconds = m.seconds + untimed * mean;
    let untimed_gold = m.gold_annotations.saturating_sub(m.timed_gold_annotations) as f64;
    let gold_seconds = m.gold_seconds + untimed_gold * mean;
    let per_second = request.hourly_rate / 3600.0;
    let total_cost = total_seconds * per_second;
    let gold_cost = gold_seconds * per_second;
    let has_pairs = m.pairs > 0;
    Ok(MeasuredCost {
        seconds_per_annotation: mean,
        seconds_per_pair: has_pairs.then(|| total_seconds / m.pairs as f64),
        total_cost,
        cost_per_pair: has_pairs.then(|| total_cost / m.pairs as f64),
        gold_cost,
        gold_share: if total_seconds > 0.0 {
            gold_seconds / total_seconds
        } else {
            0.0
        },
        pairs: m.pairs,
    })
}

fn project(request: &CostRequest, measured: Option<&MeasuredCost>) -> Result<Projection, String> {
    let target_pairs = request
        .target_pairs
        .ok_or("no target number of pairs given")?;
    let m = measured.ok_or("no measured cost to project from")?;
    let (Some(cost_per_pair), Some(seconds_per_pair)) = (m.cost_per_pair, m.seconds_per_pair)
    else {
        return Err("no labelled pair yet to project from".into());
    };
    if request.annotators == 0 {
        return Err("the number of annotators must be at least 1".into());
    }
    if !(request.hours_per_day.is_finite() && request.hours_per_day > 0.0) {
        return Err("hours per day must be a number above 0".into());
    }
    let remaining_pairs = target_pairs.saturating_sub(m.pairs);
    let annotation_hours = remaining_pairs as f64 * seconds_per_pair / 3600.0;
    Ok(Projection {
        target_pairs,
        remaining_pairs,
        cost: remaining_pairs as f64 * cost_per_pair,
        annotation_hours,
        days: annotation_hours / (request.annotators as f64 * request.hours_per_day),
    })
}
