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
/// Each pair of labels on an item becomes an event `(b, cell)` filed under
/// its first annotator `a` (by name) with a counting sort; then the events of
/// one `a` at a time are tallied in dense per-annotator scratch arrays, so
/// no hashing and only sequential passes over the data: time
/// `O(labels + sum over items of labels^2)`, memory 8 bytes per label pair
/// plus a few words per annotator. Assumes one label per (item, annotator),
/// as [`Dataset::parse_jsonl`] ensures; a repeated label would be compared
/// as another shared item.
pub(crate) fn pairs_from_dataset(data: &Dataset, min_shared: usize) -> Vec<CohenPair> {
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
    pairs_from_groups(names, &by_name, &item_off, &labels, min_shared)
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

/// The Cohen pairs of labels grouped by item: the labels of item `i` are
/// `labels[item_off[i]..item_off[i + 1]]`, each `(annotator rank, label
/// code)` with ranks from [`name_order`] (`by_name[rank]` is the id).
pub(crate) fn pairs_from_groups(
    names: &[String],
    by_name: &[u32],
    item_off: &[u32],
    labels: &[(u32, u8)],
    min_shared: usize,
) -> Vec<CohenPair> {
    let na = names.len();
    let pairs_of = |f: &mut dyn FnMut(u32, u32, usize)| {
        for w in item_off.windows(2) {
            let item = &labels[w[0] as usize..w[1] as usize];
            for (x, &(ra, la)) in item.iter().enumerate() {
                for &(rb, lb) in &item[x + 1..] {
                    match ra.cmp(&rb) {
                        std::cmp::Ordering::Less => f(ra, rb, la as usize * K + lb as usize),
                        std::cmp::Ordering::Greater => f(rb, ra, lb as usize * K + la as usize),
                        std::cmp::Ordering::Equal => {}
                    }
                }
            }
        }
    };
    // Counting sort of the events by first annotator (rank).
    let mut off = vec![0usize; na + 1];
    pairs_of(&mut |a, _, _| off[a as usize + 1] += 1);
    for r in 0..na {
        off[r + 1] += off[r];
    }
    let mut next = off.clone();
    let mut events = vec![0u64; off[na]];
    pairs_of(&mut |a, b, cell| {
        events[next[a as usize]] = (b as u64) << 8 | cell as u64;
        next[a as usize] += 1;
    });
    let min_shared = u32::try_from(min_shared.max(1)).unwrap_or(u32::MAX);
    const FREE: u32 = u32::MAX;
    let mut shared = vec![0u32; na];
    let mut slot = vec![FREE; na];
    let mut kept: Vec<u32> = Vec::new();
    let mut confusion: Vec<[u32; K * K]> = Vec::new();
    let mut out = Vec::new();
    for ra in 0..na {
        let mine = &events[off[ra]..off[ra + 1]];
        for &e in mine {
            shared[(e >> 8) as usize] += 1;
        }
        for &e in mine {
            let rb = (e >> 8) as usize;
            if shared[rb] >= min_shared {
                if slot[rb] == FREE {
                    slot[rb] = kept.len() as u32;
                    kept.push(rb as u32);
                    confusion.push([0; K * K]);
                }
                confusion[slot[rb] as usize][(e & 0xff) as usize] += 1;
            }
        }
        // `kept` holds each partner once: no ties.
        let order = crate::order::sorted_indices(kept.len(), &|x, y| {
            kept[x as usize].cmp(&kept[y as usize])
        });
        let a = &names[by_name[ra] as usize];
        for s in order.into_iter().map(|s| s as usize) {
            let b = &names[by_name[kept[s] as usize] as usize];
            out.push(pair(a, b, &confusion[s]));
        }
        for &e in mine {
            shared[(e >> 8) as usize] = 0;
        }
        for &rb in &kept {
            slot[rb as usize] = FREE;
        }
        kept.clear();
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
    fn a_hand_computed_three_category_table_gives_three_sevenths_seven_fifteenths_and_a_half() {
        // a\b  0 1 2       n = 8, both margins (3, 2, 3), E_ij = m_i m_j / 8.
        //  0  2 1 0       unweighted: 1 - 3 / (8 - 22/8)           = 3/7
        //  1  0 1 1       linear:     1 - (1 + 1 + 2) / (24/8 + 2 * 18/8) = 7/15
        //  2  1 0 2       quadratic:  1 - (1 + 1 + 4) / (24/8 + 4 * 18/8) = 1/2
        let mut c = [0u32; K * K];
        for (i, row) in [[2, 1, 0], [0, 1, 1], [1, 0, 2]].iter().enumerate() {
            c[i * K..i * K + 3].copy_from_slice(row);
        }
        let close = |x: Option<f64>, y: f64| assert!((x.unwrap() - y).abs() < 1e-15, "{x:?} {y}");
        close(cohen_kappa(&c, Weights::Unweighted), 3.0 / 7.0);
        close(cohen_kappa(&c, Weights::Linear), 7.0 / 15.0);
        close(cohen_kappa(&c, Weights::Quadratic), 0.5);
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
