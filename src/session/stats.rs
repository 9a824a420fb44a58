//! Live statistics of a session: the figures of `prefkit report` (minus
//! Dawid-Skene) on the answers so far, plus the session's own state.
//!
//! Every accepted answer goes into the report's live states (one O(1)
//! update each); [`Session::stats`] takes a snapshot. Nothing here computes
//! a metric: the figures are those of [`crate::reliability`] and
//! [`crate::agreement`], with the task's thresholds.

use super::task::Task;
use super::Session;
use crate::annotation::Gold;
use crate::error::Result;
use crate::reliability::ReliabilityConfig;
use crate::report::{LiveReport, Report, ReportConfig};
use serde::Serialize;

/// The report settings that a task's config implies: the report's
/// defaults, with the task's gold match, flag thresholds and `fast_seconds`
/// as the speed threshold.
pub fn report_config(task: &Task) -> ReportConfig {
    let c = &task.config;
    ReportConfig {
        reliability: ReliabilityConfig {
            gold_match: c.gold_match,
            speed_threshold_seconds: c.fast_seconds,
            flag_min_gold: c.min_gold_for_flag,
            flag_gold_accuracy_below: c.min_gold_accuracy,
            ..ReliabilityConfig::default()
        },
        // Items shown again give repeated ratings, read as such.
        allow_repeats: c.repeat_fraction > 0.0,
        ..ReportConfig::default()
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

/// The report's live state for a task.
pub(crate) fn live_report(task: &Task) -> Result<LiveReport> {
    LiveReport::new(report_config(task), &gold_answers(task))
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
    /// Skips taken, in all.
    pub skips: u64,
    /// Each annotator who skipped, by name.
    pub skippers: Vec<Skipper>,
}

/// One annotator's skips.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipper {
    /// Who.
    pub annotator: String,
    /// Items skipped.
    pub skips: u32,
    /// `skips / (skips + answers)`.
    pub skip_rate: f64,
}

/// The statistics of a session: the report of `prefkit report` on the
/// answers so far (with the task's thresholds; Dawid-Skene left `null`),
/// its fields at the top level, plus `session`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionStats {
    /// `counts`, `agreement`, `annotators` (position bias and
    /// straight-lining included), `filtered`, `labels`, `undefined`.
    #[serde(flatten)]
    pub report: Report,
    /// Session state.
    pub session: SessionCounts,
}

impl Session {
    /// The statistics now. Time linear in the answers so far (agreement
    /// with each item's majority and the final labels are recomputed), so
    /// call it when the figures are wanted, not after every click.
    pub fn stats(&self) -> SessionStats {
        let mut open = 0u64;
        let mut batches = 0u64;
        let mut flagged = Vec::new();
        let mut skippers = Vec::new();
        for a in &self.annotators {
            if a.skips > 0 {
                let answered = a
                    .all_slots()
                    .filter(|s| matches!(s, super::Slot::Done(_)))
                    .count() as f64;
                let skips = f64::from(a.skips);
                skippers.push(Skipper {
                    annotator: a.name.clone(),
                    skips: a.skips,
                    skip_rate: skips / (skips + answered),
                });
            }
            open += a
                .all_slots()
                .filter(|s| matches!(s, super::Slot::Open { .. }))
                .count() as u64;
            batches += a.batches.len() as u64 - u64::from(a.on_demand.is_some());
            if a.flagged {
                flagged.push(&a.name);
            }
        }
        let order = crate::order::sorted_indices(flagged.len(), &|x, y| {
            flagged[x as usize].cmp(flagged[y as usize])
        });
        let flagged: Vec<String> = order
            .iter()
            .filter_map(|&i| flagged.get(i as usize).map(|s| s.to_string()))
            .collect();
        let order = crate::order::sorted_indices(skippers.len(), &|x, y| {
            skippers[x as usize]
                .annotator
                .cmp(&skippers[y as usize].annotator)
        });
        let skippers: Vec<Skipper> = order
            .iter()
            .filter_map(|&i| skippers.get(i as usize).cloned())
            .collect();
        SessionStats {
            report: self.live.snapshot(),
            session: SessionCounts {
                batches,
                open_items: open,
                flagged,
                skips: skippers.iter().map(|s| u64::from(s.skips)).sum(),
                skippers,
            },
        }
    }
}
