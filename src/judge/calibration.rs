//! Does the judge agree with people, and does its confidence mean anything?
//!
//! * [`judge_human_agreement`]: exact and directional agreement, and Cohen's
//!   kappa on the 5 labels and on the 3 sides (A / tie / B);
//! * [`calibration_table`]: confidence bins against the share of items where
//!   the judge agreed in direction with the person, and the expected
//!   calibration error.
//!
//! Kappa comes from [`crate::agreement::cohen::cohen_kappa`] (Cohen 1960,
//! 1968; as scikit-learn computes it), with the judge and the person as the
//! two raters.

use crate::agreement::cohen::{cohen_kappa, Weights};
use crate::label::{Label, K};
use serde::{Deserialize, Serialize};

/// One item with both a judge label and a human label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JudgeHumanPair {
    /// The judge's label (canonical order).
    pub ai: Label,
    /// The human label (canonical order).
    pub human: Label,
    /// The judge's confidence, 0 to 1.
    pub confidence: f64,
}

/// Judge-vs-human agreement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Items with both labels.
    pub n: usize,
    /// Share with the same label.
    pub exact_agreement: Option<f64>,
    /// Share preferring the same side (A, tie or B).
    pub directional_agreement: Option<f64>,
    /// Cohen's kappa over the 5 labels.
    pub kappa_5: Option<f64>,
    /// Quadratic-weighted kappa over the 5 labels (a near miss such as `A>>`
    /// against `A>` costs less than `A>>` against `B>>`).
    pub kappa_5_quadratic: Option<f64>,
    /// Cohen's kappa over the 3 sides.
    pub kappa_3: Option<f64>,
    /// Why a figure is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Exact and directional agreement and both kappas.
pub fn judge_human_agreement(pairs: &[JudgeHumanPair]) -> Agreement {
    let n = pairs.len();
    if n == 0 {
        return Agreement {
            reason: Some("no item has both a judge label and a human label yet".into()),
            ..Agreement::default()
        };
    }
    let share = |f: &dyn Fn(&JudgeHumanPair) -> bool| {
        Some(pairs.iter().filter(|p| f(p)).count() as f64 / n as f64)
    };
    // Confusion matrices, judge in rows. The 3 sides sit in codes 0..=2 of
    // a 5 x 5 matrix: unweighted kappa only compares codes for equality, so
    // the two unused codes change nothing.
    let mut five = [0u32; K * K];
    let mut three = [0u32; K * K];
    for p in pairs {
        five[p.ai.index() * K + p.human.index()] += 1;
        three[p.ai.side().index() * K + p.human.side().index()] += 1;
    }
    let kappa_5 = cohen_kappa(&five, Weights::Unweighted);
    let kappa_3 = cohen_kappa(&three, Weights::Unweighted);
    Agreement {
        n,
        exact_agreement: share(&|p| p.ai == p.human),
        directional_agreement: share(&|p| p.ai.side() == p.human.side()),
        kappa_5,
        kappa_5_quadratic: cohen_kappa(&five, Weights::Quadratic),
        kappa_3,
        reason: (kappa_5.is_none() || kappa_3.is_none()).then(|| {
            "judge and people gave one and the same label (or side) on every item, \
             so chance agreement is 1 and kappa is undefined"
                .to_string()
        }),
    }
}

/// One confidence bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lower edge (inclusive).
    pub lower: f64,
    /// Upper edge (exclusive, except 1.0 in the last bin).
    pub upper: f64,
    /// Items in the bin.
    pub count: usize,
    /// Mean judge confidence in the bin.
    pub mean_confidence: Option<f64>,
    /// Share of items where judge and human agree in direction.
    pub agreement: Option<f64>,
}

/// Confidence against agreement with people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Equal-width bins over 0..=1.
    pub bins: Vec<CalibrationBin>,
    /// Items counted.
    pub n: usize,
    /// Expected calibration error.
    pub ece: Option<f64>,
    /// Why `ece` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Most bins a calibration table has (a larger request is capped).
pub const MAX_BINS: usize = 1000;

/// The calibration table with `n_bins` equal-width bins (1 to [`MAX_BINS`]) and the
/// expected calibration error
///
/// `ECE = Σ_b (|B_b| / n) · |acc(B_b) − conf(B_b)|`,
///
/// where `acc` is the share of directional agreement with the human and
/// `conf` the mean confidence of the bin. Guo, C., Pleiss, G., Sun, Y. and
/// Weinberger, K. Q. (2017). On Calibration of Modern Neural Networks.
/// ICML, PMLR 70:1321–1330, arXiv:1706.04599, eq. (3); after Naeini, Cooper
/// and Hauskrecht (2015), AAAI, DOI 10.1609/aaai.v29i1.9602. Confidences
/// outside 0..=1 or not finite are left out.
pub fn calibration_table(pairs: &[JudgeHumanPair], n_bins: usize) -> Calibration {
    let n_bins = n_bins.clamp(1, MAX_BINS);
    let mut count = vec![0usize; n_bins];
    let mut conf_sum = vec![0.0f64; n_bins];
    let mut agree = vec![0usize; n_bins];
    for p in pairs {
        if !(p.confidence.is_finite() && (0.0..=1.0).contains(&p.confidence)) {
            continue;
        }
        let b = ((p.confidence * n_bins as f64) as usize).min(n_bins - 1);
        count[b] += 1;
        conf_sum[b] += p.confidence;
        agree[b] += usize::from(p.ai.side() == p.human.side());
    }
    let n: usize = count.iter().sum();
    let bins: Vec<CalibrationBin> = (0..n_bins)
        .map(|b| {
            let c = count[b];
            CalibrationBin {
                lower: b as f64 / n_bins as f64,
                upper: (b + 1) as f64 / n_bins as f64,
                count: c,
                mean_confidence: (c > 0).then(|| conf_sum[b] / c as f64),
                agreement: (c > 0).then(|| agree[b] as f64 / c as f64),
            }
        })
        .collect();
    let ece = (n > 0).then(|| {
        bins.iter()
            .filter_map(|b| {
                let gap = (b.agreement? - b.mean_confidence?).abs();
                Some(b.count as f64 / n as f64 * gap)
            })
            .sum()
    });
    Calibration {
        bins,
        n,
        ece,
        reason: (n == 0).then(|| "no item has both a judge label and a human label yet".into()),
    }
}
