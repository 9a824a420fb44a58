//! Does the judge agree with people, and does its confidence mean anything?
//!
//! * [`judge_human_agreement`]: exact and directional agreement, and Cohen's
//!   kappa on the 5 labels and on the 3 sides (A / tie / B);
//! * [`calibration_table`]: confidence bins against the share of items where
//!   the judge agreed in direction with the person, and the expected
//!   calibration error.
//!
//! Cohen's kappa is computed here (the judge has exactly two raters, judge
//! and person, on the same items); `prefkit::agreement` may later hold a
//! shared implementation.

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

/// Cohen's kappa for two raters over `k` categories, from pairs of category
/// codes (each `< k`; others are ignored).
///
/// `κ = (p_o − p_e) / (1 − p_e)`, with `p_o` the observed share of agreement
/// and `p_e = Σ_c p_1(c) p_2(c)` the agreement expected from each rater's
/// marginal shares. Cohen, J. (1960). A coefficient of agreement for nominal
/// scales. Educational and Psychological Measurement, 20(1), 37–46.
/// DOI 10.1177/001316446002000104.
///
/// `Err` with the reason when there is no pair, or when `p_e = 1` (both
/// raters used one and the same category throughout).
///
/// ```
/// use prefkit::judge::calibration::cohen_kappa;
/// // Wikipedia, "Cohen's kappa", worked example: 20 yes/yes, 5 yes/no,
/// // 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5, κ = 0.4.
/// let mut pairs = vec![(0, 0); 20];
/// pairs.extend(vec![(0, 1); 5]);
/// pairs.extend(vec![(1, 0); 10]);
/// pairs.extend(vec![(1, 1); 15]);
/// assert!((cohen_kappa(2, &pairs).unwrap() - 0.4).abs() < 1e-12);
/// ```
pub fn cohen_kappa(k: usize, pairs: &[(usize, usize)]) -> Result<f64, &'static str> {
    let mut observed = vec![vec![0usize; k]; k];
    let mut n = 0usize;
    for &(a, b) in pairs {
        if let Some(cell) = observed.get_mut(a).and_then(|row| row.get_mut(b)) {
            *cell += 1;
            n += 1;
        }
    }
    if n == 0 {
        return Err("no item has both labels");
    }
    let n_f = n as f64;
    let p_o = (0..k).map(|c| observed[c][c]).sum::<usize>() as f64 / n_f;
    let p_e: f64 = (0..k)
        .map(|c| {
            let row: usize = observed[c].iter().sum();
            let col: usize = observed.iter().map(|r| r[c]).sum();
            (row as f64 / n_f) * (col as f64 / n_f)
        })
        .sum();
    if (1.0 - p_e).abs() < 1e-12 {
        return Err("both raters used one and the same category on every item, so chance agreement is 1 and kappa is undefined");
    }
    Ok((p_o - p_e) / (1.0 - p_e))
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
    let five: Vec<_> = pairs
        .iter()
        .map(|p| (p.ai.index(), p.human.index()))
        .collect();
    let three: Vec<_> = pairs
        .iter()
        .map(|p| (p.ai.side().index(), p.human.side().index()))
        .collect();
    let k5 = cohen_kappa(K, &five);
    let k3 = cohen_kappa(3, &three);
    Agreement {
        n,
        exact_agreement: share(&|p| p.ai == p.human),
        directional_agreement: share(&|p| p.ai.side() == p.human.side()),
        kappa_5: k5.ok(),
        kappa_3: k3.ok(),
        reason: k5.err().or(k3.err()).map(str::to_string),
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

/// The calibration table with `n_bins` equal-width bins (at least 1) and the
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
    let n_bins = n_bins.max(1);
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
