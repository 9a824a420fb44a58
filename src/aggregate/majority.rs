//! Majority vote: each item's label is the one chosen most often.
//!
//! Ties follow [`super::pick`]: the tied label nearest to `=` wins, and a
//! tie between mirror labels (`A>` against `B>`) gives `=`. The result is
//! deterministic and does not depend on the order of the input.

use super::{pick, Votes};
use crate::dataset::Dataset;
use crate::label::{Label, K};

/// The majority label of one item's label counts, or `None` if it has none.
///
/// ```
/// use prefkit::{aggregate::majority, Label};
/// assert_eq!(majority::vote(&[0, 2, 0, 1, 0]), Some(Label::ABetter));
/// assert_eq!(majority::vote(&[0, 1, 0, 1, 0]), Some(Label::Tie));
/// assert_eq!(majority::vote(&[0; 5]), None);
/// ```
pub fn vote(counts: &[u32; K]) -> Option<Label> {
    let score = counts.map(f64::from);
    let present = counts.map(|c| c > 0);
    pick(&score, &present)
}

/// Label counts per item id over the given votes.
pub fn counts(v: &Votes) -> Vec<[u32; K]> {
    let mut c = vec![[0u32; K]; v.n_items];
    for r in v.rows {
        if let Some(row) = c.get_mut(r.item as usize) {
            row[r.label.index()] += 1;
        }
    }
    c
}

/// Majority label by item id; `None` for items without a vote.
pub fn fit_votes(v: &Votes) -> Vec<Option<Label>> {
    counts(v).iter().map(vote).collect()
}

/// Majority label by item id of a whole dataset.
pub fn fit(d: &Dataset) -> Vec<Option<Label>> {
    fit_votes(&Votes::of(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_gets_its_most_frequent_label() {
        use Label::*;
        let d = Dataset::from_labels(&[
            ("x", "w1", ABetter),
            ("x", "w2", ABetter),
            ("x", "w3", BBetter),
            ("y", "w1", Tie),
        ]);
        assert_eq!(fit(&d), vec![Some(ABetter), Some(Tie)]);
    }

    #[test]
    fn a_split_between_a_and_b_is_a_tie_and_order_does_not_matter() {
        use Label::*;
        let d1 = Dataset::from_labels(&[("x", "w1", ABetter), ("x", "w2", BMuchBetter)]);
        let d2 = Dataset::from_labels(&[("x", "w2", BMuchBetter), ("x", "w1", ABetter)]);
        // Nearest to "=": A> (distance 1) beats B>> (distance 2).
        assert_eq!(fit(&d1), vec![Some(ABetter)]);
        assert_eq!(fit(&d2), fit(&d1));
        let d3 = Dataset::from_labels(&[("x", "w1", AMuchBetter), ("x", "w2", BMuchBetter)]);
        assert_eq!(fit(&d3), vec![Some(Tie)]);
    }
}
