//! Cohen's kappa for every pair of annotators, unweighted and weighted.
//!
//! Cohen, J. (1960). A coefficient of agreement for nominal scales.
//! Educational and Psychological Measurement 20(1):37-46,
//! doi:10.1177/001316446002000104; weighted: Cohen, J. (1968). Weighted
//! kappa. Psychological Bulletin 70(4):213-220, doi:10.1037/h0026256.
//! Computed exactly as scikit-learn's `cohen_kappa_score(y_a, y_b,
//! labels=[0, 1, 2, 3, 4], weights=...)` does, over the items both
//! annotators labelled:
//!
//! ```text
//! C_ij        = items where a said i and b said j      (confusion, 5 x 5)
//! E_ij        = (sum_r C_ri) (sum_c C_jc) / n           (expected)
//! w_ij        = [i != j] | |i - j| | (i - j)^2          (unweighted | linear | quadratic)
//! kappa       = 1 - sum_ij w_ij C_ij / sum_ij w_ij E_ij
//! ```
//!
//! With repeated ratings (`allow_repeats`), each annotator's *first* label
//! on an item (in input order) is the one compared: Cohen's table has one
//! observation per item and pair, and the later ratings are measured by
//! the annotator's self-consistency instead. This equals scikit-learn's
//! `cohen_kappa_score` on the two vectors of first ratings.
//!
//! The weights use the label codes 0..4 whether or not a category is used
//! (as scikit-learn does when `labels` lists all five). Undefined when the
//! denominator is 0, that is when both annotators gave one and the same
//! label on every shared item (scikit-learn then returns NaN).
//!
//! # Which pairs are listed
//!
//! Every pair sharing at least `min_shared` items, sorted by `(a, b)`, as
//! long as that is cheap: the kappa of a listed pair is always exact, but
//! counting every pair costs one step per *label pair* (two labels of one
//! item), `sum over items of m_i (m_i - 1) / 2`, which is the square of
//! the labels when many annotators label the same items (50,000 annotators
//! on one item: 1.25e9 label pairs and as many annotator pairs). So two
//! bounds keep time and memory linear in the labels:
//!
//! - **work budget**: at most `max_label_pairs = max(2^24, 32 x labels)`
//!   label pairs are counted ([`MIN_LABEL_PAIRS`], [`LABEL_PAIRS_PER_LABEL`]).
//!   Annotators with fewer than `min_shared` labels cannot be in a listed
//!   pair and cost nothing. The others are taken by number of labels
//!   (most first, ties by name) while the label pairs among those taken
//!   stay within the budget; the first that would exceed it and all after
//!   it are not examined, and their pairs are neither counted nor listed.
//!   Data with at most 2^24 label pairs, or at most 65 labels on every item,
//!   is always counted in full.
//! - **listing cap**: at most [`MAX_PAIRS`] (100,000) pairs are listed: those
//!   with the most shared items, ties by `(a, b)` in name order; the list
//!   itself stays sorted by `(a, b)`.
//!
//! When either bound leaves a qualifying pair out, the report says so in
//! `cohen_kappa_truncated` (absent otherwise, so the JSON of data within
//! the bounds is unchanged): `pairs_not_listed` (pairs counted and
//! qualifying but beyond the cap), `annotators_not_examined`, the two bounds
//! and a `reason` in words. The result is deterministic: it depends on the
//! labels and the names only, not on the input order.

mod listing;
#[cfg(test)]
mod tests;

pub(crate) use listing::{pairs_from_groups, CohenListing, Limits};
pub use listing::{LABEL_PAIRS_PER_LABEL, MAX_PAIRS, MIN_LABEL_PAIRS};

use super::{AgreementConfig, CohenPair};
use crate::dataset::Dataset;
use crate::label::{Label, K};

/// Weighting of disagreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Every disagreement weighs 1.
    Unweighted,
    /// `|i - j|`.
    Linear,
    /// `(i - j)^2`.
    Quadratic,
}

/// Cohen's kappa of the confusion matrix `c` (row: annotator a's label,
/// column: b's label, row-major), or `None` when undefined.
pub fn cohen_kappa(c: &[u32; K * K], weights: Weights) -> Option<f64> {
    let n: u64 = c.iter().map(|&x| x as u64).sum();
    if n == 0 {
        return None;
    }
    let mut sum0 = [0.0f64; K]; // column sums
    let mut sum1 = [0.0f64; K]; // row sums
    for i in 0..K {
        for j in 0..K {
            sum0[j] += c[i * K + j] as f64;
            sum1[i] += c[i * K + j] as f64;
        }
    }
    let (mut observed, mut expected) = (0.0, 0.0);
    for i in 0..K {
        for j in 0..K {
            let d = i.abs_diff(j) as f64;
            let w = match weights {
                Weights::Unweighted => (i != j) as u8 as f64,
                Weights::Linear => d,
                Weights::Quadratic => d * d,
            };
            observed += w * c[i * K + j] as f64;
            expected += w * (sum0[i] * sum1[j] / n as f64);
        }
    }
    if expected == 0.0 {
        return None;
    }
    Some(1.0 - observed / expected)
}

/// The pair entry for annotators named `a` and `b` with confusion `c`.
pub(crate) fn pair(a: &str, b: &str, c: &[u32; K * K]) -> CohenPair {
    let n: u64 = c.iter().map(|&x| x as u64).sum();
    let unweighted = cohen_kappa(c, Weights::Unweighted);
    let reason = match unweighted {
        Some(_) => None,
        None => {
            let label = (0..K)
                .find(|&i| c[i * K + i] > 0)
                .and_then(Label::from_index)
                .map_or("?", Label::as_str);
            Some(format!(
                "both annotators gave \"{label}\" on all {n} shared items, so chance agreement is total and kappa is 0/0"
            ))
        }
    };
    CohenPair {
        a: a.to_string(),
        b: b.to_string(),
        n,
        unweighted,
        linear: cohen_kappa(c, Weights::Linear),
        quadratic: cohen_kappa(c, Weights::Quadratic),
        reason,
    }
}

/// The Cohen pairs of a dataset under `config` (see the module doc for
/// what is listed).
pub(crate) fn pairs_from_dataset(data: &Dataset, config: &AgreementConfig) -> CohenListing {
    listing_by(data, |labels| Limits::of(config, labels))
}

/// The Cohen pairs of a dataset under the limits `limits(labels)` gives
/// for its number of labels.
fn listing_by(data: &Dataset, limits: impl FnOnce(usize) -> Limits) -> CohenListing {
    let names = data.annotators.names();
    let (by_name, rank) = name_order(names);
    // Labels grouped by item, as (annotator rank, label code).
    let (item_off, item_rows) = data.rows_by_item();
    let labels: Vec<(u32, u8)> = item_rows
        .iter()
        .map(|&r| {
            let row = &data.rows[r as usize];
            (rank[row.annotator as usize], row.label.index() as u8)
        })
        .collect();
    let (item_off, labels) = first_ratings(&item_off, labels, names.len());
    let limits = limits(labels.len());
    pairs_from_groups(names, &by_name, &item_off, &labels, &limits)
}

/// Labels grouped by item (as [`pairs_from_groups`] takes them) with only
/// the first label of each annotator on each item: with repeated ratings
/// (`allow_repeats`), Cohen's kappa compares each annotator's first rating
/// of an item, so that each item is one observation of the pair, as in
/// Cohen's table. Linear in the labels; the input is returned unchanged
/// when no annotator rated an item twice.
pub(crate) fn first_ratings(
    item_off: &[u32],
    labels: Vec<(u32, u8)>,
    annotators: usize,
) -> (Vec<u32>, Vec<(u32, u8)>) {
    // `last[r]` = 1 + the item where annotator rank `r` was last seen.
    let mut last = vec![0u32; annotators];
    let mut out_off = Vec::with_capacity(item_off.len());
    let mut out = Vec::new();
    let mut repeated = false;
    out_off.push(0);
    for (item, w) in item_off.windows(2).enumerate() {
        for &(r, c) in labels.get(w[0] as usize..w[1] as usize).unwrap_or(&[]) {
            match last.get_mut(r as usize) {
                Some(seen) if *seen == item as u32 + 1 => repeated = true,
                Some(seen) => {
                    *seen = item as u32 + 1;
                    out.push((r, c));
                }
                None => out.push((r, c)),
            }
        }
        out_off.push(out.len() as u32);
    }
    if repeated {
        (out_off, out)
    } else {
        (item_off.to_vec(), labels)
    }
}

/// Annotator ids sorted by name, and each id's rank in that order.
pub(crate) fn name_order(names: &[String]) -> (Vec<u32>, Vec<u32>) {
    let by_name = crate::order::sorted_indices(names.len(), &|x, y| {
        names[x as usize].cmp(&names[y as usize])
    });
    let mut rank = vec![0u32; names.len()];
    for (r, &a) in by_name.iter().enumerate() {
        rank[a as usize] = r as u32;
    }
    (by_name, rank)
}
