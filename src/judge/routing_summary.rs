//! What a [`crate::judge::routing::Router`] reports: items per route, costs
//! per route, progress of the human and expert queues, the judge's position
//! bias, and each item's final label.

use crate::judge::confidence::PositionBias;
use crate::label::Label;
use serde::{Deserialize, Serialize};

/// Items per route; the four are disjoint and sum to `judged`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteCounts {
    /// Items judged by the AI.
    pub judged: usize,
    /// Accepted, not sent to a person.
    pub accepted: usize,
    /// Accepted and spot-checked, not escalated.
    pub spot_check: usize,
    /// Below the threshold, sent to people.
    pub human: usize,
    /// Escalated to an expert.
    pub expert: usize,
    /// Of `human`, items with no readable verdict.
    pub unparsed: usize,
}

/// Cost per route and in total, in the config's currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteCosts {
    /// `judged × cost_ai`.
    pub ai: f64,
    /// `(items sent to or labelled by people) × cost_human`.
    pub human: f64,
    /// `expert × cost_expert`.
    pub expert: f64,
    /// The sum.
    pub total: f64,
}

/// Counts, progress and costs of a routing run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoutingSummary {
    /// Items per route.
    pub counts: RouteCounts,
    /// Items sent to or labelled by people (human route, spot checks and any
    /// other accepted item a person labelled).
    pub human_labels_needed: usize,
    /// Of those, still without a human label.
    pub pending_human: usize,
    /// Expert items still without an expert label.
    pub pending_expert: usize,
    /// Spot checks that have a human label.
    pub spot_checks_labelled: usize,
    /// Of those, how many disagreed in direction with the AI.
    pub spot_check_disagreements: usize,
    /// Cost per route and total.
    pub cost: RouteCosts,
    /// Position bias over the results that carried a swap check.
    pub position_bias: PositionBias,
    /// Share of non-tie swapped judgments won by the first position (0.5 is
    /// unbiased); `None` when no swapped judgment was decided.
    pub first_position_share: Option<f64>,
}

/// Where an item's final label comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSource {
    /// The accepted AI label (confirmed by a person when spot-checked).
    Ai,
    /// A person's label.
    Human,
    /// An expert's label.
    Expert,
    /// Still waiting for a person or an expert.
    Pending,
}

/// One item's final label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalLabel {
    /// The item id.
    pub item: String,
    /// The label, `None` while pending.
    pub label: Option<Label>,
    /// Where it comes from.
    pub source: LabelSource,
}
