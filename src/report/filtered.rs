//! What the reliability filter does to agreement, and how sure each figure
//! is as the data grows.
//!
//! The report's `agreement` is computed on every annotation; the
//! aggregations then use only the annotators whose composite reliability is
//! at least `min_reliability`. [`kept`] is the data those aggregations see,
//! so the agreement of the kept annotators (every figure, its intervals and
//! its timeline) is the same functions called on it: a requester moving the
//! threshold sees whether dropping the unreliable annotators raised
//! agreement, which is the point of the threshold.
//!
//! [`band`] is the bootstrap interval of Krippendorff's ordinal alpha after
//! evenly spaced prefixes of the data, in the order of
//! [`agreement::timeline`]: each point is the report's own
//! `agreement.ci.krippendorff_alpha.ordinal` on that prefix (percentile
//! bootstrap over items, Hayes & Krippendorff 2007,
//! doi:10.1080/19312450709336664 for the rationale).

use super::{kept_rows, ReportConfig};
use crate::agreement::bootstrap::CiConfig;
use crate::agreement::{self, timeline, AgreementConfig};
use crate::dataset::Dataset;
use crate::reliability;
use serde::{Deserialize, Serialize};

/// The annotations of the annotators whose composite reliability is at
/// least `config.min_reliability` (reliability computed on all of `d`, as
/// the report does), with the same items, annotator names and gold.
///
/// ```
/// use prefkit::dataset::Dataset;
/// use prefkit::label::Label::*;
/// use prefkit::report::{filtered, ReportConfig};
/// let d = Dataset::from_labels(&[("x", "w1", ABetter), ("x", "w2", ABetter)]);
/// let config = ReportConfig { min_reliability: 0.0, ..ReportConfig::default() };
/// assert_eq!(filtered::kept(&d, &config).rows.len(), 2);
/// ```
pub fn kept(d: &Dataset, config: &ReportConfig) -> Dataset {
    let annotators = reliability::compute(d, &config.reliability);
    let keep: Vec<bool> = annotators
        .iter()
        .map(|s| s.composite >= config.min_reliability)
        .collect();
    let mut out = Dataset {
        items: d.items.clone(),
        annotators: d.annotators.clone(),
        rows: kept_rows(d, &annotators, config.min_reliability),
        gold: d.gold.clone(),
        skipped: Vec::new(),
        timestamps: Vec::new(),
        skips: d
            .skips
            .iter()
            .filter(|s| keep.get(s.annotator as usize).copied().unwrap_or(false))
            .copied()
            .collect(),
    };
    if d.timestamps.len() == d.rows.len() {
        out.timestamps = d
            .rows
            .iter()
            .zip(&d.timestamps)
            .filter(|(r, _)| keep.get(r.annotator as usize).copied().unwrap_or(false))
            .map(|(_, &t)| t)
            .collect();
    }
    out
}

/// The interval of Krippendorff's ordinal alpha after each prefix.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Band {
    /// Number of annotations in each prefix (ascending; the last is all).
    pub annotations: Vec<u64>,
    /// Lower ends; `null` where the interval is undefined on the prefix.
    pub lo: Vec<Option<f64>>,
    /// Upper ends.
    pub hi: Vec<Option<f64>>,
    /// Coverage of the intervals.
    pub level: f64,
    /// Resamples per point.
    pub resamples: u32,
    /// The method, as in `agreement.ci.method`.
    pub method: String,
}

/// Most points of a band: each costs one bootstrap.
pub const MAX_BAND_POINTS: usize = 50;

/// The ordinal alpha interval after `points` evenly spaced prefixes
/// (at most [`MAX_BAND_POINTS`]), prefix `k` holding the first
/// `ceil(k * n / points)` annotations in timeline order.
pub fn band(d: &Dataset, ci: &CiConfig, points: usize) -> Band {
    let n = d.rows.len();
    let points = points.clamp(1, MAX_BAND_POINTS).min(n.max(1));
    let mut out = Band {
        level: ci.level,
        resamples: ci.resamples,
        method: agreement::bootstrap::PERCENTILE.to_string(),
        ..Band::default()
    };
    if n == 0 {
        return out;
    }
    let (order, _) = timeline::order(d);
    // Cohen pairs are not needed: no annotator reaches `min_shared`.
    let config = AgreementConfig {
        min_shared: usize::MAX,
        ci: Some(ci.clone()),
    };
    let mut prefix = Dataset {
        items: d.items.clone(),
        annotators: d.annotators.clone(),
        rows: Vec::with_capacity(n),
        gold: Vec::new(),
        skipped: Vec::new(),
        timestamps: Vec::new(),
        skips: Vec::new(),
    };
    let mut taken = 0;
    for k in 1..=points {
        let upto = (k * n).div_ceil(points);
        prefix
            .rows
            .extend(order[taken..upto].iter().map(|&r| d.rows[r]));
        taken = upto;
        let interval = agreement::compute(&prefix, &config)
            .ci
            .and_then(|c| c.krippendorff_alpha.ordinal);
        out.annotations.push(upto as u64);
        out.lo.push(interval.map(|i| i[0]));
        out.hi.push(interval.map(|i| i[1]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::Label::{self, *};

    fn data() -> Dataset {
        let mut rows: Vec<(String, String, Label)> = Vec::new();
        for i in 0..30 {
            let item = format!("x{i}");
            let w3 = if i % 5 == 0 { AMuchBetter } else { ABetter };
            for (w, l) in [("w1", ABetter), ("w2", ABetter), ("w3", w3)] {
                rows.push((item.clone(), w.to_string(), l));
            }
            // w4 answers the opposite of everyone.
            rows.push((item, "w4".to_string(), BMuchBetter));
        }
        let refs: Vec<(&str, &str, Label)> = rows
            .iter()
            .map(|(i, w, l)| (i.as_str(), w.as_str(), *l))
            .collect();
        Dataset::from_labels(&refs)
    }

    #[test]
    fn the_kept_data_leaves_out_the_annotators_below_the_threshold() {
        let d = data();
        // A threshold between w4's composite and everyone else's.
        let stats = reliability::compute(&d, &ReportConfig::default().reliability);
        let (w4, others): (Vec<_>, Vec<_>) = stats.iter().partition(|s| s.id == "w4");
        let lowest_other = others.iter().map(|s| s.composite).fold(1.0, f64::min);
        let config = ReportConfig {
            min_reliability: (w4[0].composite + lowest_other) / 2.0,
            ..ReportConfig::default()
        };
        let report = super::super::run(&d, &config);
        let kept = kept(&d, &config);
        assert_eq!(
            kept.rows.len(),
            d.rows.len() - report.filtered.annotations_removed
        );
        assert_eq!(report.filtered.annotators_removed, ["w4"]);
        let before = agreement::compute(&d, &config.agreement);
        let after = agreement::compute(&kept, &config.agreement);
        assert!(after.krippendorff_alpha.ordinal > before.krippendorff_alpha.ordinal);
    }

    #[test]
    fn the_last_point_of_the_band_is_the_reports_interval() {
        let d = data();
        let ci = CiConfig {
            resamples: 200,
            ..CiConfig::default()
        };
        let b = band(&d, &ci, 5);
        assert_eq!(b.annotations.last(), Some(&(d.rows.len() as u64)));
        let all = agreement::compute(
            &d,
            &AgreementConfig {
                ci: Some(ci),
                ..AgreementConfig::default()
            },
        );
        let want = all.ci.and_then(|c| c.krippendorff_alpha.ordinal);
        assert_eq!(b.lo.last().copied().flatten(), want.map(|i| i[0]));
        assert_eq!(b.hi.last().copied().flatten(), want.map(|i| i[1]));
    }

    #[test]
    fn an_empty_collection_has_an_empty_band() {
        let b = band(&Dataset::new(), &CiConfig::default(), 10);
        assert!(b.annotations.is_empty());
    }
}
