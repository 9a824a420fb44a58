//! Live statistics of a session: the figures of `prefkit report` (minus
//! Dawid-Skene) on the answers so far, plus the session's own state.
//!
//! Every accepted answer goes into the report's live states (one O(1)
//! update each); [`Session::stats`] takes a snapshot. Nothing here computes
//! a metric: the figures are those of [`crate::reliability`] and
//! [`crate::agreement`], with the task's thresholds.

use super::Session;
use crate::agreement::{live::LiveAgreement, AgreementConfig, AgreementReport};
use crate::annotation::{Annotation, Gold};
use crate::error::Result;
use crate::reliability::{self, AnnotatorStats, ReliabilityConfig};
use serde::Serialize;

use super::task::Task;

/// The report's live states, fed one answer at a time.
#[derive(Debug, Clone)]
pub(crate) struct LiveStats {
    reliability: reliability::Live,
    agreement: LiveAgreement,
    reliability_config: ReliabilityConfig,
    agreement_config: AgreementConfig,
}

/// The reliability settings that a task's config implies.
pub fn reliability_config(task: &Task) -> ReliabilityConfig {
    let c = &task.config;
    ReliabilityConfig {
        gold_match: c.gold_match,
        speed_threshold_seconds: c.fast_seconds,
        flag_min_gold: c.min_gold_for_flag,
        flag_gold_accuracy_below: c.min_gold_accuracy,
        ..ReliabilityConfig::default()
    }
}

/// The task's gold answers as the report reads them.
pub fn gold_answers(task: &Task) -> Vec<Gold> {
    task.gold
        .iter()
        .map(|g| Gold {
            item: g.id.clone(),
            label: g.label,
            explanation: g.explanation.clone(),
        })
        .collect()
}

impl LiveStats {
    pub fn new(task: &Task) -> LiveStats {
        LiveStats {
            reliability: reliability::Live::new(&gold_answers(task)),
            agreement: LiveAgreement::new(),
            reliability_config: reliability_config(task),
            agreement_config: AgreementConfig::default(),
        }
    }

    /// Takes one canonical answer.
    pub fn add(&mut self, a: &Annotation) -> Result<()> {
        self.reliability.add(a)?;
        self.agreement.add(&a.item, &a.annotator, a.label)
    }
}

/// Counts, as in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsCounts {
    /// Answers taken.
    pub annotations: usize,
    /// Items answered, plus the task's gold items (as the report counts them).
    pub items: usize,
    /// Annotators who answered.
    pub annotators: usize,
}

/// What the session itself knows beyond the report's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionCounts {
    /// Batches handed out (not counting empty ones).
    pub batches: u64,
    /// Items handed out and not answered yet.
    pub open_items: u64,
    /// Annotators flagged during the session (the flag stays once raised,
    /// while `annotators[].flagged` is the report's rule on the answers now).
    pub flagged: Vec<String>,
}

/// The statistics of a session: `counts`, `agreement` and `annotators` as
/// in the report JSON (position bias and straight-lining included), plus
/// `session`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionStats {
    /// Counts.
    pub counts: StatsCounts,
    /// Every agreement figure.
    pub agreement: AgreementReport,
    /// Per-annotator reliability, in order of first answer.
    pub annotators: Vec<AnnotatorStats>,
    /// Session state.
    pub session: SessionCounts,
}

impl Session {
    /// The statistics now. Time linear in the answers so far (the
    /// agreement with each item's majority is recomputed), so call it when
    /// the figures are wanted, not after every click.
    pub fn stats(&self) -> SessionStats {
        let live = &self.live;
        let data = live.reliability.dataset();
        let mut open = 0u64;
        let mut batches = 0u64;
        let mut flagged = Vec::new();
        for a in &self.annotators {
            open += a
                .slots
                .values()
                .filter(|s| matches!(s, super::Slot::Open { .. }))
                .count() as u64;
            batches += a.batches.len() as u64 - u64::from(a.on_demand.is_some());
            if a.flagged {
                flagged.push(a.name.clone());
            }
        }
        flagged.sort();
        SessionStats {
            counts: StatsCounts {
                annotations: data.rows.len(),
                items: data.items.len(),
                annotators: data.annotators.len(),
            },
            agreement: live.agreement.snapshot(&live.agreement_config),
            annotators: live.reliability.snapshot(&live.reliability_config),
            session: SessionCounts {
                batches,
                open_items: open,
                flagged,
            },
        }
    }
}
