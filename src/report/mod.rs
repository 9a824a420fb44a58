//! The report: agreement, per-annotator reliability, filtering and final
//! labels, as one JSON object. Its shape is the contract of `prefkit
//! report`, the wasm `report()`, the collector's `/report` and the
//! dashboard:
//!
//! ```text
//! {"counts": {"annotations", "items", "annotators", "skipped", "gold_items"},
//!  "agreement": {...},                       // agreement::AgreementReport; its
//!                                            // cohen_kappa has at most 100,000 pairs
//!                                            // and cohen_kappa_truncated says what
//!                                            // is left out (agreement::cohen); with
//!                                            // agreement.ci in the config, its
//!                                            // "ci": agreement::bootstrap::Intervals
//!  "annotators": [{"id", "total", "gold_total", "gold_correct", "gold_accuracy",
//!                  "majority_total", "majority_agreement", "avg_time_seconds",
//!                  "speed_penalty", "composite", "flagged", "position_bias",
//!                  "straight_lining", "reasons"?}],
//!  "filtered": {"min_reliability", "annotators_removed", "annotations_removed",
//!               "items_without_label"},
//!  "labels": {"majority": {"<item>": "<label>"}, "weighted": {...},
//!             "dawid_skene": {...} or null},   // items in input order
//!  "dawid_skene": {"iterations", "converged", "log_likelihood": [...],
//!                  "loss_history": [...],
//!                  "labels_order", "priors": {"A>>": p, ...},
//!                  "confusion": {"<annotator>": [[5 x 5]]}} or null,
//!  "undefined": {"dawid_skene": "<reason>"}}
//! ```
//!
//! With `"allow_repeats": true` a second label by the same annotator on the
//! same item is read as another rating (a duplicate annotation id is still
//! refused); each annotator row then says how well they agree with
//! themselves (`self_consistency`).
//!
//! Settings come from a JSON file whose every part is optional; unknown
//! fields are refused by name:
//!
//! ```
//! use prefkit::report::ReportConfig;
//! use prefkit::FromJson;
//! let config = ReportConfig::from_json(r#"{
//!   "min_reliability": 0.5,
//!   "agreement": {"min_shared": 20, "ci": {"level": 0.95, "resamples": 1000, "seed": 7}},
//!   "reliability": {"gold_match": "exact", "speed_threshold_seconds": 8,
//!                   "weight_gold": 0.5, "weight_majority": 0.3, "weight_speed": 0.2},
//!   "aggregation": {"dawid_skene": {"max_iterations": 100, "tolerance": 1e-6}}
//! }"#).unwrap();
//! assert_eq!(config.reliability.flag_min_gold, 5); // a default
//! let e = ReportConfig::from_json(r#"{"min_relability": 0.5}"#).unwrap_err();
//! assert_eq!(
//!     e.to_string(),
//!     "field \"min_relability\": unknown key; expected one of agreement, reliability, aggregation, min_reliability, allow_repeats"
//! );
//! ```
//!
//! Filtering: reliability is computed on every annotation; annotators whose
//! composite is below `min_reliability` (default 0.6) are then left out of
//! all three aggregations. An item whose annotators were all left out gets
//! no final label: it is missing from the three `labels` maps and listed in
//! `filtered.items_without_label`, so nothing is dropped silently. The
//! weighted vote weighs each remaining annotator by their composite.
//!
//! This file holds the report's shape and its build; `config` holds
//! [`ReportConfig`], its reading and its checks.

mod config;
pub mod filtered;
pub mod labels;
pub mod live;

pub use config::{AggregationConfig, ReportConfig};
pub use labels::LabelMap;
pub use live::LiveReport;

use crate::aggregate::{dawid_skene, majority, weighted, Votes};
use crate::agreement::{self, AgreementReport};
use crate::dataset::Dataset;
use crate::fields::num;
use crate::label::{Label, K};
use crate::map::LiteMap;
use crate::reliability::{self, AnnotatorStats};
use serde::Serialize;
use std::sync::Arc;

/// Sizes of the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// Annotations read.
    pub annotations: usize,
    /// Items with at least one annotation.
    pub items: usize,
    /// Annotators.
    pub annotators: usize,
    /// Lines skipped with `--skip-invalid`.
    pub skipped: usize,
    /// Skip records ("I can't judge this"): not labels, in no figure but
    /// each annotator's `skips` and `gold_total`.
    pub skips: usize,
    /// Items with at least one annotation and a gold label.
    pub gold_items: usize,
}

/// What the reliability filter removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filtered {
    /// The threshold used.
    pub min_reliability: f64,
    /// Annotators whose composite is below it, in input order.
    pub annotators_removed: Vec<String>,
    /// Their annotations.
    pub annotations_removed: usize,
    /// Items left with no annotation, hence no final label, in input order.
    pub items_without_label: Vec<String>,
}

/// Final labels by item name, in input order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labels {
    /// Majority vote.
    pub majority: LabelMap,
    /// Reliability-weighted vote.
    pub weighted: LabelMap,
    /// Dawid-Skene (`null` in the live report or when it could not run).
    pub dawid_skene: Option<LabelMap>,
}

/// The Dawid-Skene fit, by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DawidSkeneSummary {
    /// EM iterations run.
    pub iterations: u32,
    /// Whether the tolerance was met.
    pub converged: bool,
    /// Log-likelihood history.
    pub log_likelihood: Vec<f64>,
    /// crowd-kit's loss (evidence lower bound per annotation) after each
    /// iteration; the run stops on it.
    pub loss_history: Vec<f64>,
    /// Order of rows and columns of the confusion matrices.
    pub labels_order: [Label; K],
    /// Class priors by label.
    #[serde(serialize_with = "crate::map::as_object")]
    pub priors: LiteMap<Label, f64>,
    /// Confusion matrix of each aggregated annotator: row = true label,
    /// column = the annotator's label, in `labels_order`.
    #[serde(serialize_with = "crate::map::as_object")]
    pub confusion: LiteMap<String, [[f64; K]; K]>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Sizes of the input.
    pub counts: Counts,
    /// Agreement figures.
    pub agreement: AgreementReport,
    /// Reliability per annotator, in input order.
    pub annotators: Vec<AnnotatorStats>,
    /// What the reliability filter removed.
    pub filtered: Filtered,
    /// Final labels.
    pub labels: Labels,
    /// The Dawid-Skene fit (`null` in the live report or when it could not run).
    pub dawid_skene: Option<DawidSkeneSummary>,
    /// Why a part is `null`.
    #[serde(serialize_with = "crate::map::as_object")]
    pub undefined: LiteMap<String, String>,
}

/// The full report of a dataset, Dawid-Skene included.
pub fn run(d: &Dataset, config: &ReportConfig) -> Report {
    let agreement = agreement::compute(d, &config.agreement);
    let annotators = reliability::compute(d, &config.reliability);
    build(
        d,
        agreement,
        annotators,
        config,
        Some(dawid_skene::fit_votes),
    )
}

/// How [`build`] fits Dawid-Skene, if it does: passed in, so that a build
/// without it (the live report, the annotator's wasm module) links none of it.
pub(crate) type FitDawidSkene =
    fn(&dawid_skene::Config, &Votes) -> crate::error::Result<dawid_skene::Fit>;

/// The report from its computed parts (shared by [`run`] and [`LiveReport`]).
pub(crate) fn build(
    d: &Dataset,
    agreement: AgreementReport,
    annotators: Vec<AnnotatorStats>,
    config: &ReportConfig,
    fit_dawid_skene: Option<FitDawidSkene>,
) -> Report {
    let mut undefined = LiteMap::new();
    let names: Arc<[String]> = d.items.names().into();
    let by_name = |labels: Vec<Option<Label>>| LabelMap::new(names.clone(), labels);
    let keep: Vec<bool> = annotators
        .iter()
        .map(|s| s.composite >= config.min_reliability)
        .collect();
    let kept = kept_rows(d, &annotators, config.min_reliability);
    let votes = Votes::subset(d, &kept);
    let all_counts = d.item_counts();
    let kept_counts = majority::counts(&votes);
    let majority_labels = kept_counts.iter().map(majority::vote).collect::<Vec<_>>();
    let weights = reliability::composites(&annotators);
    let weighted_labels = weighted::fit_votes(&votes, &weights);
    let items_without_label: Vec<String> = (0..d.items.len())
        .filter(|&i| {
            let n = |c: &Vec<[u32; K]>| c.get(i).map_or(0, |c| c.iter().sum::<u32>());
            n(&all_counts) > 0 && n(&kept_counts) == 0
        })
        .map(|i| d.items.name(i as u32).to_string())
        .collect();
    let (ds_labels, dawid_skene) = if let Some(fit_votes) = fit_dawid_skene {
        match fit_votes(&config.aggregation.dawid_skene, &votes) {
            Ok(fit) => {
                // Inserted in name order so that each insert appends: in
                // input order a sorted vector map moves half its entries per
                // insert, quadratic in the annotators (50,000: 0.5 s).
                let in_name_order = crate::order::sorted_indices(annotators.len(), &|x, y| {
                    annotators[x as usize].id.cmp(&annotators[y as usize].id)
                });
                let mut confusion = LiteMap::new();
                for a in in_name_order.into_iter().map(|a| a as usize) {
                    let s = &annotators[a];
                    if let (true, Some(m)) =
                        (keep.get(a).copied().unwrap_or(false), fit.confusion.get(a))
                    {
                        confusion.insert(s.id.clone(), *m);
                    }
                }
                let mut priors = LiteMap::new();
                for l in Label::ALL {
                    priors.insert(l, fit.priors[l.index()]);
                }
                let summary = DawidSkeneSummary {
                    iterations: fit.iterations,
                    converged: fit.converged,
                    log_likelihood: fit.log_likelihood,
                    loss_history: fit.loss_history,
                    labels_order: Label::ALL,
                    priors,
                    confusion,
                };
                (Some(by_name(fit.labels)), Some(summary))
            }
            Err(e) => {
                let reason = if kept.is_empty() && !d.rows.is_empty() {
                    format!(
                        "every annotator is below min_reliability ({})",
                        num(config.min_reliability)
                    )
                } else {
                    e.to_string()
                };
                undefined.insert("dawid_skene".to_string(), reason);
                (None, None)
            }
        }
    } else {
        undefined.insert(
            "dawid_skene".to_string(),
            "not computed in the live report; run the full report".to_string(),
        );
        (None, None)
    };
    let gold_items = (0..d.items.len())
        .filter(|&i| {
            d.gold.get(i).copied().flatten().is_some()
                && all_counts.get(i).is_some_and(|c| c.iter().any(|&n| n > 0))
        })
        .count();
    Report {
        counts: Counts {
            annotations: d.rows.len(),
            items: all_counts
                .iter()
                .filter(|c| c.iter().any(|&n| n > 0))
                .count(),
            annotators: d.annotators.len(),
            skipped: d.skipped.len(),
            skips: d.skips.len(),
            gold_items,
        },
        agreement,
        filtered: Filtered {
            min_reliability: config.min_reliability,
            annotators_removed: annotators
                .iter()
                .zip(&keep)
                .filter(|(_, &k)| !k)
                .map(|(s, _)| s.id.clone())
                .collect(),
            annotations_removed: d.rows.len() - kept.len(),
            items_without_label,
        },
        annotators,
        labels: Labels {
            majority: by_name(majority_labels),
            weighted: by_name(weighted_labels),
            dawid_skene: ds_labels,
        },
        dawid_skene,
        undefined,
    }
}

/// The rows of annotators whose composite reliability reaches `min`: what
/// the aggregations see after filtering.
pub fn kept_rows(
    d: &Dataset,
    annotators: &[crate::reliability::AnnotatorStats],
    min: f64,
) -> Vec<crate::dataset::Row> {
    let keep: Vec<bool> = annotators.iter().map(|s| s.composite >= min).collect();
    d.rows
        .iter()
        .filter(|r| keep.get(r.annotator as usize).copied().unwrap_or(false))
        .copied()
        .collect()
}
