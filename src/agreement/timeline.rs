//! Agreement over time: the pooled figures (pairwise, directional pairwise,
//! Fleiss' kappa, Krippendorff's ordinal alpha) after each of a fixed number
//! of prefixes of the annotations, in the order they were made.
//!
//! Each point equals [`super::compute`] on that prefix of the data (the
//! figures are the same functions of the same integer tallies); the whole
//! timeline takes one pass over the rows plus `points` evaluations, each
//! linear in the number of distinct item sizes, so it costs about as much as
//! one batch computation. Cohen's kappa per pair is not part of it.
//!
//! Order: by `timestamp` when every annotation has one (ties keep file
//! order), else file order.

use super::fleiss::fleiss_kappa;
use super::krippendorff::{krippendorff_alpha, Level};
use super::pairwise::PairCounts;
use super::tally::Tallies;
use crate::dataset::Dataset;
use crate::label::K;
use serde::{Deserialize, Serialize};

/// Settings of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimelineConfig {
    /// Number of points (prefixes), at most the number of annotations.
    pub points: usize,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        TimelineConfig { points: 120 }
    }
}

/// Figures after each prefix; `null` where a figure is undefined on it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Timeline {
    /// Number of annotations in each prefix (ascending; the last is all).
    pub annotations: Vec<u64>,
    /// Whether the order is by timestamp (else file order).
    pub by_timestamp: bool,
    pub pairwise: Vec<Option<f64>>,
    pub pairwise_directional: Vec<Option<f64>>,
    pub fleiss_kappa: Vec<Option<f64>>,
    pub krippendorff_alpha_ordinal: Vec<Option<f64>>,
}

/// The agreement timeline of `data`.
pub fn timeline(data: &Dataset, config: &TimelineConfig) -> Timeline {
    let n = data.rows.len();
    let (order, by_timestamp) = order(data);
    let points = config.points.clamp(1, n.max(1));
    let mut out = Timeline {
        by_timestamp,
        ..Timeline::default()
    };
    let mut counts = vec![[0u32; K]; data.items.len()];
    let mut tallies = Tallies::default();
    let mut next = 1;
    for (done, &r) in order.iter().enumerate() {
        let row = &data.rows[r];
        if let Some(c) = counts.get_mut(row.item as usize) {
            tallies.remove_unit(c);
            c[row.label.index()] += 1;
            tallies.add_unit(c);
        }
        let done = done + 1;
        // Point k (1-based) is after ceil(k * n / points) annotations.
        if done * points >= next * n {
            push(&mut out, &tallies, done as u64);
            next += 1;
        }
    }
    out
}

/// The rows in the order they were made (see the module's rule), and
/// whether that is by timestamp.
pub fn order(data: &Dataset) -> (Vec<usize>, bool) {
    let n = data.rows.len();
    let by_timestamp =
        n > 0 && data.timestamps.len() == n && data.timestamps.iter().all(|t| t.is_finite());
    let mut order: Vec<usize> = (0..n).collect();
    if by_timestamp {
        order.sort_by(|&a, &b| data.timestamps[a].total_cmp(&data.timestamps[b]));
    }
    (order, by_timestamp)
}

fn push(out: &mut Timeline, t: &Tallies, done: u64) {
    let pairs = PairCounts::from_tallies(t);
    out.annotations.push(done);
    out.pairwise.push(pairs.exact_rate());
    out.pairwise_directional.push(pairs.directional_rate());
    out.fleiss_kappa.push(fleiss_kappa(t).ok());
    out.krippendorff_alpha_ordinal
        .push(krippendorff_alpha(t, Level::Ordinal).ok());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{compute, AgreementConfig};

    fn data(lines: &[(&str, &str, &str, f64)]) -> Dataset {
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, (item, who, label, ts))| {
                format!(
                    "{{\"id\":\"{i}\",\"item\":\"{item}\",\"annotator\":\"{who}\",\"label\":\"{label}\",\"timestamp\":{ts}}}\n"
                )
            })
            .collect();
        Dataset::parse_jsonl(&text, false).expect("valid")
    }

    #[test]
    fn every_point_equals_the_batch_figures_of_its_prefix() {
        let rows = [
            ("x", "w1", "A>", 1.0),
            ("x", "w2", "A>", 2.0),
            ("y", "w1", "B>", 3.0),
            ("y", "w2", "=", 4.0),
            ("x", "w3", "A>>", 5.0),
            ("y", "w3", "B>", 6.0),
            ("z", "w1", "=", 7.0),
            ("z", "w2", "=", 8.0),
        ];
        let t = timeline(&data(&rows), &TimelineConfig { points: 8 });
        assert!(t.by_timestamp);
        assert_eq!(t.annotations, [1, 2, 3, 4, 5, 6, 7, 8]);
        for (k, &m) in t.annotations.iter().enumerate() {
            let batch = compute(&data(&rows[..m as usize]), &AgreementConfig::default());
            assert_eq!(t.pairwise[k], batch.pairwise, "pairwise after {m}");
            assert_eq!(t.pairwise_directional[k], batch.pairwise_directional);
            assert_eq!(t.fleiss_kappa[k], batch.fleiss_kappa, "fleiss after {m}");
            assert_eq!(
                t.krippendorff_alpha_ordinal[k], batch.krippendorff_alpha.ordinal,
                "alpha after {m}"
            );
        }
        // One label: nothing to compare yet.
        assert_eq!(t.pairwise[0], None);
    }

    #[test]
    fn timestamps_order_the_prefixes_and_fewer_points_pick_even_prefixes() {
        // File order puts the two agreeing labels last; by time they come first.
        let rows = [
            ("y", "w1", "A>", 30.0),
            ("y", "w2", "B>>", 40.0),
            ("x", "w1", "A>", 10.0),
            ("x", "w2", "A>", 20.0),
        ];
        let t = timeline(&data(&rows), &TimelineConfig { points: 2 });
        assert_eq!(t.annotations, [2, 4]);
        assert_eq!(t.pairwise, [Some(1.0), Some(0.5)]);
    }

    #[test]
    fn on_a_simulated_crowd_the_last_point_is_the_whole_data_and_points_are_even() {
        let crowd = crate::simulate::crowd(&crate::simulate::CrowdConfig {
            items: 300,
            annotators: 20,
            seed: 3,
            ..Default::default()
        });
        let d = Dataset::parse_jsonl(&crowd.annotations_jsonl, false).expect("valid");
        let t = timeline(&d, &TimelineConfig { points: 7 });
        let n = d.rows.len() as u64;
        assert_eq!(t.annotations.len(), 7);
        assert_eq!(t.annotations.last(), Some(&n));
        for (k, &m) in t.annotations.iter().enumerate() {
            // Point k is after ceil((k + 1) * n / 7) annotations.
            assert_eq!(m, ((k as u64 + 1) * n).div_ceil(7));
        }
        let batch = compute(&d, &AgreementConfig::default());
        assert_eq!(t.pairwise.last(), Some(&batch.pairwise));
        assert_eq!(t.fleiss_kappa.last(), Some(&batch.fleiss_kappa));
        assert_eq!(
            t.krippendorff_alpha_ordinal.last(),
            Some(&batch.krippendorff_alpha.ordinal)
        );
    }

    #[test]
    fn an_empty_dataset_has_an_empty_timeline() {
        let t = timeline(&Dataset::new(), &TimelineConfig::default());
        assert!(t.annotations.is_empty());
        assert!(!t.by_timestamp);
    }
}
