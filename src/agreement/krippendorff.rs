//! Krippendorff's alpha (nominal, ordinal, interval) from the coincidence
//! matrix, with missing data.
//!
//! Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
//! Departmental paper, Annenberg School for Communication, University of
//! Pennsylvania (repository.upenn.edu/asc_papers/43); Hayes, A. F. &
//! Krippendorff, K. (2007). Answering the call for a standard reliability
//! measure for coding data. Communication Methods and Measures 1(1):77-89,
//! doi:10.1080/19312450709336664. Names follow the paper (and the
//! `krippendorff` Python package, which this matches):
//!
//! ```text
//! o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1)     coincidences
//! n_c  = sum_k o_ck,  n = sum_c n_c                       pairable values
//! e_ck = (n_c n_k - [c = k] n_c) / (n - 1)                expected coincidences
//! alpha = 1 - sum_ck o_ck d_ck / sum_ck e_ck d_ck
//! ```
//!
//! over the units `u` with `m_u >= 2` values (units with fewer are not
//! pairable and are ignored). Distances `d_ck` between values `c <= k`:
//! nominal `[c != k]`; interval `(c - k)^2` on the codes 0..4; ordinal
//! Krippendorff's rank-free metric built from the value frequencies,
//! `(sum_{g=c}^{k} n_g - (n_c + n_k) / 2)^2` (paper, section "ordinal
//! metric"), not squared code differences.
//!
//! Time is linear in the number of labels: the coincidences come from the
//! per-size integer tallies (see `agreement::tally`). Undefined when no unit
//! has two values or all pairable values are one category.
//!
//! **Repeated ratings** (`allow_repeats`): the coincidences pair all the
//! values of a unit, whoever gave them, so `m_u` counts every value,
//! repeats included, and a repeat is paired with the other values of its
//! unit (the annotator's own earlier value too). This equals the
//! `krippendorff` package given each repeat as the value of another coder
//! (tests/repeats.rs).

use super::tally::Tallies;
use super::{no_pairs_reason, single_category_reason, Figure};
use crate::label::K;

/// Level of measurement, which picks the distance `d_ck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Any two different labels are equally far apart.
    Nominal,
    /// Ordered labels, distance from the frequencies between them.
    Ordinal,
    /// Equally spaced codes 0..4, squared difference.
    Interval,
}

/// The coincidence matrix `o` (row-major `K x K`) of the tallied units.
pub(crate) fn coincidences(t: &Tallies) -> [f64; K * K] {
    let mut o = [0.0; K * K];
    for (m, s) in t.sizes() {
        for c in 0..K {
            // sum over units of size m of n_uc = row sum / m, an exact integer.
            let n_c = s.row(c) / m;
            for k in 0..K {
                let x = s.s[c * K + k] - if c == k { n_c } else { 0 };
                o[c * K + k] += x as f64 / (m - 1) as f64;
            }
        }
    }
    o
}

/// The distance matrix `d` for `level`, given the pairable values `n_c`.
pub(crate) fn distances(level: Level, n: &[u64; K]) -> [f64; K * K] {
    let mut d = [0.0; K * K];
    for c in 0..K {
        for k in 0..K {
            let (lo, hi) = (c.min(k), c.max(k));
            d[c * K + k] = match level {
                Level::Nominal => (c != k) as u8 as f64,
                Level::Interval => ((hi - lo) * (hi - lo)) as f64,
                Level::Ordinal => {
                    // 2 * (sum_{g=lo}^{hi} n_g - (n_lo + n_hi) / 2), in integers.
                    let between: u64 = n[lo..=hi].iter().sum();
                    let twice = (2 * between - n[lo] - n[hi]) as f64;
                    (twice / 2.0) * (twice / 2.0)
                }
            };
        }
    }
    d
}

/// Krippendorff's alpha at `level` from the per-size tallies.
pub(crate) fn krippendorff_alpha(t: &Tallies, level: Level) -> Figure {
    if t.units() == 0 {
        return Err(no_pairs_reason());
    }
    if let Some(c) = t.single_category() {
        return Err(single_category_reason(c, "Krippendorff's alpha"));
    }
    let o = coincidences(t);
    let n_c = t.totals();
    let n: u64 = n_c.iter().sum();
    let d = distances(level, &n_c);
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..K {
        for k in 0..K {
            let e = (n_c[c] * n_c[k] - if c == k { n_c[c] } else { 0 }) as f64 / (n - 1) as f64;
            observed += o[c * K + k] * d[c * K + k];
            expected += e * d[c * K + k];
        }
    }
    Ok(1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coincidence_matrix_sums_to_the_pairable_values() {
        // One unit with values 0, 0, 1 and one unit with a single value 4.
        let t = Tallies::from_counts(&[[2, 1, 0, 0, 0], [0, 0, 0, 0, 1]]);
        let o = coincidences(&t);
        // o_00 = (4 - 2) / 2, o_01 = o_10 = 2 / 2, o_11 = 0 (paper, eq. for o_ck).
        assert_eq!(&o[..2], &[1.0, 1.0]);
        assert_eq!(&o[K..K + 2], &[1.0, 0.0]);
        assert_eq!(o.iter().sum::<f64>(), 3.0);
    }

    #[test]
    fn ordinal_distances_come_from_the_frequencies_between_values() {
        // n = (2, 0, 5, 1, 0): d(0, 2) = (2 + 0 + 5 - 3.5)^2 = 12.25.
        let d = distances(Level::Ordinal, &[2, 0, 5, 1, 0]);
        assert_eq!(d[2], 12.25);
        assert_eq!(d[2 * K], 12.25);
        assert_eq!(d[2 * K + 2], 0.0);
    }
}
