//! Final labels with how sure each one is: the `weight` of a DPO pair.
//!
//! The labels are the report's (same reliability filter, same aggregators,
//! same configuration); beside each one, the confidence that the preferred
//! side is right, on the side scale (A better / tie / B better) that a
//! chosen/rejected pair uses:
//!
//! - majority: the share of the kept annotators' labels on the item that
//!   are on the final label's side;
//! - weighted: the same share with each label weighed by its annotator's
//!   composite reliability (the weights of the weighted vote);
//! - Dawid-Skene: the posterior probability that the true label is on the
//!   final label's side, `sum over l on that side of T_i(l)` (Dawid & Skene
//!   1979, doi:10.2307/2346806); gold items held at their gold label get 1.

use crate::aggregate::{dawid_skene, majority, weighted, Votes};
use crate::dataset::{Dataset, Row};
use crate::error::{Error, Result};
use crate::label::{Label, Side, K};
use crate::reliability;
use crate::report::ReportConfig;
use serde::{Deserialize, Serialize};

/// An aggregation method of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Majority,
    Weighted,
    DawidSkene,
}

impl Method {
    /// Reads `majority`, `weighted` or `dawid_skene`.
    pub fn parse(text: &str) -> Result<Method> {
        match text {
            "majority" => Ok(Method::Majority),
            "weighted" => Ok(Method::Weighted),
            "dawid_skene" => Ok(Method::DawidSkene),
            other => Err(Error::invalid(
                "method",
                format!("expected majority, weighted or dawid_skene, got \"{other}\""),
            )),
        }
    }
}

/// One item's final label and the confidence in its side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalLabel {
    pub item: String,
    pub label: Label,
    /// In [0, 1]; see the module documentation for each method.
    pub confidence: f64,
}

/// The final labels of `method` with their confidence, items in id order.
/// Items left without a kept label have none (as in the report).
pub fn final_labels(d: &Dataset, config: &ReportConfig, method: Method) -> Result<Vec<FinalLabel>> {
    let annotators = reliability::compute(d, &config.reliability);
    let kept = crate::report::kept_rows(d, &annotators, config.min_reliability);
    let votes = Votes::subset(d, &kept);
    let weights = reliability::composites(&annotators);
    let (labels, posteriors) = match method {
        Method::Majority => (
            majority::counts(&votes)
                .iter()
                .map(majority::vote)
                .collect(),
            None,
        ),
        Method::Weighted => (weighted::fit_votes(&votes, &weights), None),
        Method::DawidSkene => {
            let fit = dawid_skene::fit_votes(&config.aggregation.dawid_skene, &votes)?;
            (fit.labels, Some(fit.posteriors))
        }
    };
    let weight_of = |r: &Row| match method {
        Method::Weighted => weights.get(r.annotator as usize).copied().unwrap_or(0.0),
        _ => 1.0,
    };
    // Weight on the final label's side, and in all, per item.
    let mut on_side = vec![0.0f64; labels.len()];
    let mut total = vec![0.0f64; labels.len()];
    for r in &kept {
        let i = r.item as usize;
        if let (Some(Some(l)), Some(s), Some(t)) =
            (labels.get(i), on_side.get_mut(i), total.get_mut(i))
        {
            let w = weight_of(r);
            *t += w;
            if r.label.side() == l.side() {
                *s += w;
            }
        }
    }
    let side_mass = |p: &[f64; K], side: Side| -> f64 {
        Label::ALL
            .iter()
            .filter(|l| l.side() == side)
            .map(|l| p[l.index()])
            .sum()
    };
    let mut out = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let Some(label) = *label else { continue };
        let confidence = match &posteriors {
            Some(post) => match post.get(i).copied().flatten() {
                Some(p) => side_mass(&p, label.side()),
                None => 1.0,
            },
            None if total[i] > 0.0 => on_side[i] / total[i],
            // Every kept label weighs 0 (composites of 0 kept by min_reliability 0).
            None => 0.0,
        };
        out.push(FinalLabel {
            item: d.items.name(i as u32).to_string(),
            label,
            confidence: confidence.clamp(0.0, 1.0),
        });
    }
    Ok(out)
}
