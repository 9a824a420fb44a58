//! Reliability-weighted vote: each annotator's vote counts with a weight,
//! by default their composite reliability score (see
//! [`crate::reliability`]), so the label of an item is
//! `argmax_l sum_{j labelled l} w_j`.
//!
//! Ties (exactly equal weight sums) follow [`super::pick`]. Annotators with
//! no weight given count with weight 0; if every vote on an item weighs 0,
//! all its labels tie and the tie rule decides among the labels chosen.
//! Weights are not checked for sign: the report passes composites, which
//! lie in [0, 1].

use super::{pick, Votes};
use crate::dataset::Dataset;
use crate::label::{Label, K};

/// Weighted label by item id; `None` for items without a vote.
/// `weights[annotator id]` is the weight of that annotator's votes.
pub fn fit_votes(v: &Votes, weights: &[f64]) -> Vec<Option<Label>> {
    let mut score = vec![[0.0f64; K]; v.n_items];
    let mut present = vec![[false; K]; v.n_items];
    for r in v.rows {
        let (Some(s), Some(p)) = (
            score.get_mut(r.item as usize),
            present.get_mut(r.item as usize),
        ) else {
            continue;
        };
        let w = weights.get(r.annotator as usize).copied().unwrap_or(0.0);
        s[r.label.index()] += if w.is_finite() { w } else { 0.0 };
        p[r.label.index()] = true;
    }
    score
        .iter()
        .zip(&present)
        .map(|(s, p)| pick(s, p))
        .collect()
}

/// Weighted label by item id of a whole dataset.
pub fn fit(d: &Dataset, weights: &[f64]) -> Vec<Option<Label>> {
    fit_votes(&Votes::of(d), weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Annotation;
    use Label::*;

    #[test]
    fn one_reliable_annotator_outweighs_two_unreliable_ones() {
        let d = Dataset::from_labels(&[
            ("x", "good", BBetter),
            ("x", "w1", ABetter),
            ("x", "w2", ABetter),
        ]);
        assert_eq!(fit(&d, &[0.9, 0.4, 0.4]), vec![Some(BBetter)]);
        assert_eq!(fit(&d, &[0.7, 0.4, 0.4]), vec![Some(ABetter)]);
    }

    #[test]
    fn equal_weight_sums_follow_the_shared_tie_rule() {
        let d = Dataset::from_labels(&[("x", "w1", ABetter), ("x", "w2", BBetter)]);
        assert_eq!(fit(&d, &[0.5, 0.5]), vec![Some(Tie)]);
        let d = Dataset::from_labels(&[("x", "w1", ABetter), ("x", "w2", Tie)]);
        assert_eq!(fit(&d, &[0.5, 0.5]), vec![Some(Tie)]);
        // All weights zero: every chosen label ties at 0.
        let d = Dataset::from_labels(&[("x", "w1", AMuchBetter), ("x", "w2", ABetter)]);
        assert_eq!(fit(&d, &[0.0, 0.0]), vec![Some(ABetter)]);
    }

    proptest::proptest! {
        #[test]
        fn equal_weights_give_the_majority_vote(
            rows in proptest::collection::vec((0u8..6, 0u8..5, 0usize..5), 0..40),
            w in 0.01f64..1.0,
        ) {
            let mut seen = std::collections::HashSet::new();
            let a: Vec<Annotation> = rows
                .into_iter()
                .filter(|&(i, j, _)| seen.insert((i, j)))
                .map(|(i, j, l)| Annotation::new(format!("i{i}"), format!("w{j}"), Label::ALL[l]))
                .collect();
            let d = Dataset::from_annotations(&a, &[]);
            let weights = vec![w; d.annotators.len()];
            proptest::prop_assert_eq!(fit(&d, &weights), super::super::majority::fit(&d));
        }
    }

    #[test]
    fn missing_weights_count_as_zero() {
        let d = Dataset::from_labels(&[("x", "w1", ABetter), ("x", "w2", BBetter)]);
        assert_eq!(fit(&d, &[0.1]), vec![Some(ABetter)]);
    }
}
