//! Raw pairwise agreement, exact and directional.
//!
//! Every unordered pair of labels given to the same item counts once; pairs
//! are pooled over all items with two or more labels (so an item with `m`
//! labels weighs `m (m - 1) / 2` pairs):
//!
//! ```text
//! pairwise             = sum_i sum_c C(n_ic, 2) / sum_i C(n_i, 2)
//! pairwise_directional = sum_i sum_s C(n_is, 2) / sum_i C(n_i, 2)
//! ```
//!
//! where `n_ic` counts label `c` on item `i` and `n_is` counts the labels on
//! side `s` (A side: `A>>`, `A>`; tie: `=`; B side: `B>`, `B>>`). This is the
//! "observed agreement" `P_o` of Fleiss (1971) pooled by pairs rather than
//! averaged by item; see Artstein & Poesio (2008), "Inter-coder agreement for
//! computational linguistics", Computational Linguistics 34(4):555-596,
//! doi:10.1162/coli.07-034-R2, section 2.
//!
//! **Repeated ratings** (`allow_repeats`): `n_i` counts every label on the
//! item, so two labels by the same annotator form a pair like any other, as
//! in Krippendorff's coincidences; the figure is then the observed agreement
//! among all ratings of an item. How an annotator agrees with themselves
//! alone is their `self_consistency` ([`crate::reliability::SelfConsistency`]).

use super::tally::Tallies;
use crate::label::{Label, K};

/// Pair counts behind the two raw agreement figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairCounts {
    /// Unordered label pairs within items.
    pub pairs: u64,
    /// Pairs with the same label.
    pub exact: u64,
    /// Pairs on the same side (A, tie or B).
    pub directional: u64,
}

impl PairCounts {
    /// The counts from the per-size tallies.
    pub(crate) fn from_tallies(t: &Tallies) -> Self {
        let mut p = PairCounts::default();
        for (m, s) in t.sizes() {
            p.pairs += s.units * m * (m - 1) / 2;
            // sum_c n_c^2 - m = sum_c n_c (n_c - 1) = 2 sum_c C(n_c, 2)
            p.exact += (s.trace() - m * s.units) / 2;
            let mut same_side = 0;
            for c in 0..K {
                for k in 0..K {
                    if side(c) == side(k) {
                        same_side += s.s[c * K + k];
                    }
                }
            }
            p.directional += (same_side - m * s.units) / 2;
        }
        p
    }

    /// Share of pairs with the same label; `None` without any pair.
    pub fn exact_rate(&self) -> Option<f64> {
        (self.pairs > 0).then(|| self.exact as f64 / self.pairs as f64)
    }

    /// Share of pairs on the same side; `None` without any pair.
    pub fn directional_rate(&self) -> Option<f64> {
        (self.pairs > 0).then(|| self.directional as f64 / self.pairs as f64)
    }
}

fn side(c: usize) -> usize {
    Label::from_index(c).map_or(1, |l| l.side().index())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_with_labels_a_a_and_b_gives_one_agreeing_pair_in_three() {
        // Labels A>, A>, B>: pairs (A>,A>), (A>,B>), (A>,B>).
        let t = Tallies::from_counts(&[[0, 2, 0, 1, 0]]);
        let p = PairCounts::from_tallies(&t);
        assert_eq!((p.pairs, p.exact, p.directional), (3, 1, 1));
    }

    #[test]
    fn strength_does_not_matter_for_the_directional_figure() {
        // A>>, A>, = and B>>: same side only for (A>>, A>); exact for none.
        let t = Tallies::from_counts(&[[1, 1, 1, 0, 1], [0, 0, 0, 1, 1]]);
        let p = PairCounts::from_tallies(&t);
        assert_eq!((p.pairs, p.exact, p.directional), (7, 0, 2));
        assert_eq!(p.directional_rate(), Some(2.0 / 7.0));
    }
}
