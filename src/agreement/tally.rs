//! Integer sufficient statistics of the label counts per item, shared by the
//! batch and the live computation.
//!
//! Every figure except Cohen's kappa depends on the data only through the
//! label counts `n_u = (n_u0, ..., n_u4)` of each unit (item) `u` with
//! `m_u = sum_c n_uc >= 2` labels. Grouping units by their size `m` and
//! keeping `S[m][c][k] = sum over units of size m of n_uc * n_uk` (and the
//! number of units of that size) is enough for all of them:
//!
//! - the diagonal gives `sum_c n_uc^2` (Fleiss' `P_i`, exact pairwise
//!   agreement),
//! - the row sums divided by `m` give the pairable label totals `n_c`,
//! - `(S[m][c][k] - [c = k] n_c(m)) / (m - 1)` summed over `m` is
//!   Krippendorff's coincidence matrix.
//!
//! These are integers, so a live state that adds one label at a time (remove
//! the unit's old outer product, add the new one) holds exactly the numbers a
//! batch pass would, and two states add up exactly. Floats appear only in the
//! final formulas, which run over sizes in ascending order in both paths.

use crate::label::K;

/// Sums for the units (items) with `m` labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SizeTally {
    /// Number of units with exactly `m` labels.
    pub units: u64,
    /// `s[c * K + k]` = sum over those units of `n_uc * n_uk`.
    pub s: [u64; K * K],
}

impl SizeTally {
    /// `sum_c n_uc^2` summed over the units.
    pub fn trace(&self) -> u64 {
        (0..K).map(|c| self.s[c * K + c]).sum()
    }

    /// `sum_k s[c][k]` = `m * (number of labels c on these units)`.
    pub fn row(&self, c: usize) -> u64 {
        self.s[c * K..(c + 1) * K].iter().sum()
    }
}

/// [`SizeTally`] of every unit size `m` with at least one unit, by
/// ascending `m`. Sparse, so memory and every pass over the sizes are
/// linear in the number of distinct sizes (at most `sqrt(2 labels)`), not in
/// the largest size: one item with a million labels costs one entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Tallies {
    by_size: Vec<(u64, SizeTally)>,
}

impl Tallies {
    /// Tallies of the given label counts per unit.
    pub fn from_counts(counts: &[[u32; K]]) -> Self {
        let mut t = Tallies::default();
        for n in counts {
            t.add_unit(n);
        }
        t
    }

    /// Adds one unit with label counts `n` (ignored when it has < 2 labels).
    pub fn add_unit(&mut self, n: &[u32; K]) {
        self.apply(n, 1, true);
    }

    /// Adds `times` units with the same label counts `n` (a unit drawn
    /// `times` times into a bootstrap resample).
    pub fn add_units(&mut self, n: &[u32; K], times: u64) {
        self.apply(n, times, true);
    }

    /// Removes a unit added before with the same counts `n`.
    pub fn remove_unit(&mut self, n: &[u32; K]) {
        self.apply(n, 1, false);
    }

    fn apply(&mut self, n: &[u32; K], times: u64, add: bool) {
        let m: u64 = n.iter().map(|&x| x as u64).sum();
        if m < 2 {
            return;
        }
        let at = match self.by_size.binary_search_by(|(size, _)| size.cmp(&m)) {
            Ok(at) => at,
            Err(_) if !add => return, // never added: nothing to remove
            Err(at) => {
                self.by_size.insert(at, (m, SizeTally::default()));
                at
            }
        };
        let t = &mut self.by_size[at].1;
        for c in 0..K {
            for k in 0..K {
                let x = n[c] as u64 * n[k] as u64 * times;
                if add {
                    t.s[c * K + k] += x;
                } else {
                    t.s[c * K + k] = t.s[c * K + k].saturating_sub(x);
                }
            }
        }
        if add {
            t.units += times;
        } else {
            t.units = t.units.saturating_sub(times);
            if t.units == 0 {
                self.by_size.remove(at);
            }
        }
    }

    /// `(m, tally)` for every size with at least one unit, ascending `m`.
    pub fn sizes(&self) -> impl Iterator<Item = (u64, &SizeTally)> {
        self.by_size.iter().map(|(m, t)| (*m, t))
    }

    /// Number of units with two or more labels.
    pub fn units(&self) -> u64 {
        self.sizes().map(|(_, t)| t.units).sum()
    }

    /// Pairable labels per category: `n_c`, the labels on units with 2+ labels.
    pub fn totals(&self) -> [u64; K] {
        let mut n = [0u64; K];
        for (m, t) in self.sizes() {
            for (c, nc) in n.iter_mut().enumerate() {
                *nc += t.row(c) / m;
            }
        }
        n
    }

    /// The one category in use when all pairable labels share it; `None`
    /// when two or more are used or none is.
    pub fn single_category(&self) -> Option<usize> {
        let n = self.totals();
        let used: Vec<usize> = (0..K).filter(|&c| n[c] > 0).collect();
        (used.len() == 1).then(|| used[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_unit_undoes_adding_it() {
        let mut t = Tallies::default();
        t.add_unit(&[1, 2, 0, 0, 1]);
        let before = t.clone();
        t.add_unit(&[0, 3, 0, 0, 0]);
        t.remove_unit(&[0, 3, 0, 0, 0]);
        assert_eq!(t.sizes().count(), before.sizes().count());
        assert_eq!(t.units(), 1);
        assert_eq!(t.totals(), [1, 2, 0, 0, 1]);
    }

    #[test]
    fn units_with_fewer_than_two_labels_are_ignored() {
        let t = Tallies::from_counts(&[[1, 0, 0, 0, 0], [0; K]]);
        assert_eq!(t.units(), 0);
        assert_eq!(t.single_category(), None);
    }
}
