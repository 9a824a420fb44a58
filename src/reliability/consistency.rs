//! Self-consistency: how well an annotator agrees with themselves when
//! shown the same item again (test-retest, with `allow_repeats`).
//!
//! For annotator `a` with `n_{a,i,c}` labels `c` on item `i`, every
//! unordered pair of their own labels on one item is compared, as
//! Krippendorff's coincidences pair the values of a unit:
//!
//! ```text
//! count       = sum_i m_ai (m_ai - 1) / 2                     m_ai = sum_c n_aic
//! exact       = sum_i sum_c n_aic (n_aic - 1) / 2  / count
//! directional = sum_i sum_s n_ais (n_ais - 1) / 2  / count    s: side A, =, B
//! ```
//!
//! An item rated twice gives one pair; three times, three pairs. An
//! annotator with no item rated twice has no self-consistency (`null`,
//! with the reason in their `reasons`). Time and memory linear in the
//! labels.

use crate::dataset::Dataset;
use crate::label::K;
use serde::Serialize;

/// Agreement of one annotator with themselves over their repeated items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SelfConsistency {
    /// Share of pairs of their own labels on one item that are equal.
    pub exact: f64,
    /// Share of those pairs on the same side (A, tie, B).
    pub directional: f64,
    /// Pairs compared: `m (m - 1) / 2` for an item they labelled `m` times.
    pub count: u64,
}

/// Pair counts `(exact, directional, all)` of one annotator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pairs {
    exact: u64,
    directional: u64,
    all: u64,
}

impl Pairs {
    /// The pairs within one (item, annotator) cell with label counts `n`.
    fn of(n: &[u32; K]) -> Pairs {
        let choose2 = |x: u64| x * x.saturating_sub(1) / 2;
        let m: u64 = n.iter().map(|&x| u64::from(x)).sum();
        let side = |labels: &[usize]| labels.iter().map(|&c| u64::from(n[c])).sum::<u64>();
        Pairs {
            exact: n.iter().map(|&x| choose2(u64::from(x))).sum(),
            directional: choose2(side(&[0, 1])) + choose2(side(&[2])) + choose2(side(&[3, 4])),
            all: choose2(m),
        }
    }

    fn add(&mut self, p: Pairs) {
        self.exact += p.exact;
        self.directional += p.directional;
        self.all += p.all;
    }

    /// The figures, or `None` without a pair.
    pub fn finish(self) -> Option<SelfConsistency> {
        (self.all > 0).then(|| SelfConsistency {
            exact: self.exact as f64 / self.all as f64,
            directional: self.directional as f64 / self.all as f64,
            count: self.all,
        })
    }
}

/// The reason given when an annotator has no repeated item.
pub(crate) const NO_REPEATS: &str =
    "self_consistency: no item labelled twice by this annotator (see allow_repeats)";

/// Self-consistency pair counts of every annotator of `d`, by annotator id:
/// each annotator's rows in turn, their label counts per item kept in a
/// scratch table indexed by item (two passes over the rows, no hashing).
pub(crate) fn pairs(d: &Dataset) -> Vec<Pairs> {
    let mut out = vec![Pairs::default(); d.annotators.len()];
    let (offsets, order) = d.rows_by_annotator();
    // `owner[i]` = 1 + the annotator whose counts `cell[i]` holds.
    let mut owner = vec![0u32; d.items.len()];
    let mut cell = vec![[0u32; K]; d.items.len()];
    let mut items: Vec<u32> = Vec::new();
    for (a, w) in offsets.windows(2).enumerate() {
        let stamp = a as u32 + 1;
        items.clear();
        for &r in order.get(w[0] as usize..w[1] as usize).unwrap_or(&[]) {
            let Some(row) = d.rows.get(r as usize) else {
                continue;
            };
            let i = row.item as usize;
            let (Some(o), Some(n)) = (owner.get_mut(i), cell.get_mut(i)) else {
                continue;
            };
            if *o != stamp {
                *o = stamp;
                *n = [0; K];
                items.push(row.item);
            }
            n[row.label.index()] += 1;
        }
        if let Some(p) = out.get_mut(a) {
            for &i in &items {
                p.add(Pairs::of(&cell[i as usize]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::Label;

    #[test]
    fn three_ratings_of_one_item_give_three_pairs_counted_by_brute_force() {
        let labels = [Label::ABetter, Label::AMuchBetter, Label::ABetter];
        let mut n = [0u32; K];
        for l in labels {
            n[l.index()] += 1;
        }
        let p = Pairs::of(&n);
        let (mut exact, mut directional, mut all) = (0, 0, 0);
        for i in 0..labels.len() {
            for j in i + 1..labels.len() {
                all += 1;
                exact += u64::from(labels[i] == labels[j]);
                directional += u64::from(labels[i].side() == labels[j].side());
            }
        }
        assert_eq!((p.exact, p.directional, p.all), (exact, directional, all));
        assert_eq!((exact, directional, all), (1, 3, 3));
    }

    #[test]
    fn each_annotator_counts_only_their_own_repeats() {
        let d = Dataset::from_labels(&[
            ("x", "w1", Label::Tie),
            ("x", "w2", Label::Tie),
            ("x", "w1", Label::BBetter),
            ("y", "w2", Label::ABetter),
            ("y", "w2", Label::AMuchBetter),
            ("y", "w2", Label::ABetter),
        ]);
        let p = pairs(&d);
        assert_eq!((p[0].exact, p[0].directional, p[0].all), (0, 0, 1));
        assert_eq!((p[1].exact, p[1].directional, p[1].all), (1, 3, 3));
    }

    #[test]
    fn an_annotator_without_a_repeated_item_has_no_self_consistency() {
        let d = Dataset::from_labels(&[("x", "w1", Label::Tie), ("y", "w1", Label::Tie)]);
        assert_eq!(pairs(&d)[0].finish(), None);
    }
}
