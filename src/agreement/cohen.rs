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
//! The weights use the label codes 0..4 whether or not a category is used
//! (as scikit-learn does when `labels` lists all five). Undefined when the
//! denominator is 0, that is when both annotators gave one and the same
//! label on every shared item (scikit-learn then returns NaN).

use super::CohenPair;
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

/// Every annotator pair sharing at least `min_shared` items (at least 1),
/// named so that `a < b`, sorted by `(a, b)`.
///
/// One pass per annotator `a` (in name order) over the items `a` labelled
/// and the other labels on each: time `O(sum_i n_i^2)`, memory a few words
/// per annotator plus one 5x5 table per partner of the current `a`.
/// Assumes one label per (item, annotator), as [`Dataset::parse_jsonl`]
/// ensures; a repeated label would be compared as another shared item.
pub(crate) fn pairs_from_dataset(data: &Dataset, min_shared: usize) -> Vec<CohenPair> {
    let names = data.annotators.names();
    let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
    by_name.sort_unstable_by(|&x, &y| names[x as usize].cmp(&names[y as usize]));
    let mut rank = vec![0u32; names.len()];
    for (r, &a) in by_name.iter().enumerate() {
        rank[a as usize] = r as u32;
    }
    let (item_off, item_rows) = data.rows_by_item();
    let (ann_off, ann_rows) = data.rows_by_annotator();
    let min_shared = min_shared.max(1) as u32;
    const FREE: u32 = u32::MAX;
    let mut slot = vec![FREE; names.len()];
    let mut partners: Vec<u32> = Vec::new();
    let mut shared: Vec<u32> = Vec::new();
    let mut confusion: Vec<[u32; K * K]> = Vec::new();
    let mut out = Vec::new();
    for &a in &by_name {
        let (lo, hi) = (
            ann_off[a as usize] as usize,
            ann_off[a as usize + 1] as usize,
        );
        for &r in &ann_rows[lo..hi] {
            let row = data.rows[r as usize];
            let it = row.item as usize;
            let (ilo, ihi) = (item_off[it] as usize, item_off[it + 1] as usize);
            for &q in &item_rows[ilo..ihi] {
                let other = data.rows[q as usize];
                let b = other.annotator as usize;
                if rank[b] <= rank[a as usize] {
                    continue;
                }
                if slot[b] == FREE {
                    slot[b] = partners.len() as u32;
                    partners.push(b as u32);
                    shared.push(0);
                    confusion.push([0; K * K]);
                }
                let s = slot[b] as usize;
                shared[s] += 1;
                confusion[s][row.label.index() * K + other.label.index()] += 1;
            }
        }
        let mut keep: Vec<usize> = (0..partners.len())
            .filter(|&s| shared[s] >= min_shared)
            .collect();
        keep.sort_unstable_by_key(|&s| rank[partners[s] as usize]);
        for s in keep {
            let b = partners[s] as usize;
            out.push(pair(&names[a as usize], &names[b], &confusion[s]));
        }
        for &b in &partners {
            slot[b as usize] = FREE;
        }
        partners.clear();
        shared.clear();
        confusion.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_agreement_on_two_categories_gives_one_for_every_weighting() {
        let mut c = [0u32; K * K];
        c[0] = 3;
        c[4 * K + 4] = 2;
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            assert_eq!(cohen_kappa(&c, w), Some(1.0));
        }
    }

    #[test]
    fn one_shared_category_only_is_undefined_with_a_reason() {
        let mut c = [0u32; K * K];
        c[K + 1] = 4;
        let p = pair("w1", "w2", &c);
        assert_eq!((p.unweighted, p.linear, p.quadratic), (None, None, None));
        assert!(p.reason.unwrap().contains("\"A>\" on all 4"));
    }
}
