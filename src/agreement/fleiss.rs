//! Fleiss' kappa with a varying number of labels per item.
//!
//! Fleiss, J. L. (1971). Measuring nominal scale agreement among many
//! raters. Psychological Bulletin 76(5):378-382, doi:10.1037/h0031619.
//! Over the items `i` with `n_i >= 2` labels, `n_ij` of them in category `j`:
//!
//! ```text
//! P_i   = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1))
//! P_bar = mean_i P_i
//! p_j   = sum_i n_ij / sum_i n_i
//! P_e   = sum_j p_j^2
//! kappa = (P_bar - P_e) / (1 - P_e)
//! ```
//!
//! With the same number of labels on every item this is Fleiss's own
//! formula and equals statsmodels' `fleiss_kappa(table, method="fleiss")`.
//! Undefined (`Err` with the reason) when no item has two labels or when all
//! those labels are one category (`P_e = 1`).
//!
//! **Repeated ratings** (`allow_repeats`): every rating is one of the item's
//! `n_i` ratings, whoever gave it, so a repeat adds to `n_i` and to `n_ij`
//! (Fleiss counts ratings per subject, not raters). Fleiss' `n` need not be
//! equal across items (the formula above is per item); with equal `n_i`,
//! repeats included, it equals statsmodels' `fleiss_kappa` on the table of
//! all ratings (tests/repeats.rs).

use super::tally::Tallies;
use super::{no_pairs_reason, single_category_reason, Figure};
use crate::label::K;

/// Fleiss' kappa from the per-size tallies (items with 2+ labels).
pub(crate) fn fleiss_kappa(t: &Tallies) -> Figure {
    let items = t.units();
    if items == 0 {
        return Err(no_pairs_reason());
    }
    if let Some(c) = t.single_category() {
        return Err(single_category_reason(c, "Fleiss' kappa"));
    }
    // Items of the same size share the denominator of P_i, so their
    // numerators are summed as integers first.
    let mut sum_p_i = 0.0;
    for (m, s) in t.sizes() {
        sum_p_i += (s.trace() - m * s.units) as f64 / (m * (m - 1)) as f64;
    }
    let p_bar = sum_p_i / items as f64;
    let n = t.totals();
    let total: u64 = n.iter().sum();
    let mut p_e = 0.0;
    for &n_j in n.iter().take(K) {
        let p_j = n_j as f64 / total as f64;
        p_e += p_j * p_j;
    }
    Ok((p_bar - p_e) / (1.0 - p_e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_agreement_over_two_categories_gives_one() {
        let t = Tallies::from_counts(&[[3, 0, 0, 0, 0], [0, 0, 0, 2, 0]]);
        assert_eq!(fleiss_kappa(&t), Ok(1.0));
    }

    #[test]
    fn a_single_category_in_use_is_undefined_with_a_reason() {
        let t = Tallies::from_counts(&[[0, 0, 4, 0, 0], [0, 0, 2, 0, 0]]);
        let reason = fleiss_kappa(&t).unwrap_err();
        assert!(reason.contains("\"=\""), "{reason}");
    }
}
