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

use super::{AgreementConfig, CohenPair, CohenTruncated};
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

/// The bounds of one Cohen pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Least number of shared items of a listed pair (at least 1).
    pub min_shared: u32,
    /// Most pairs listed ([`MAX_PAIRS`]).
    pub max_pairs: usize,
    /// Most label pairs (two labels of one item) counted.
    pub max_label_pairs: u64,
}

/// Most pairs listed in the report's `cohen_kappa`: about 15 MB of JSON
/// (150 bytes a pair), far more than a reader or a heat map uses, and above
/// the 15,821 pairs of the 1M-label benchmark crowd (`prefkit bench data`),
/// whose report is therefore unchanged.
pub const MAX_PAIRS: usize = 100_000;
/// Least work budget, in label pairs: data up to this size is always
/// counted in full.
pub const MIN_LABEL_PAIRS: u64 = 1 << 24;
/// Work budget per label, in label pairs.
pub const LABEL_PAIRS_PER_LABEL: u64 = 32;

impl Limits {
    /// The limits of `config` on data of `labels` labels:
    /// `max_label_pairs = max(2^24, 32 labels)`.
    pub(crate) fn of(config: &AgreementConfig, labels: usize) -> Limits {
        Limits {
            min_shared: u32::try_from(config.min_shared.max(1)).unwrap_or(u32::MAX),
            max_pairs: MAX_PAIRS,
            max_label_pairs: MIN_LABEL_PAIRS
                .max(LABEL_PAIRS_PER_LABEL.saturating_mul(labels as u64)),
        }
    }
}

/// The pairs listed and, when not every qualifying pair is, what is left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CohenListing {
    /// Listed pairs, sorted by `(a, b)`.
    pub pairs: Vec<CohenPair>,
    /// `None` when every pair sharing `min_shared` items is listed.
    pub truncated: Option<CohenTruncated>,
}

/// A pair found: `(shared items, rank of a, rank of b)` and its confusion.
type Found = ((u64, u32, u32), [u32; K * K]);

/// The Cohen pairs of labels grouped by item: the labels of item `i` are
/// `labels[item_off[i]..item_off[i + 1]]`, each `(annotator rank, label
/// code)` with ranks from [`name_order`] (`by_name[rank]` is the id).
///
/// Steps, each linear in the labels except the sorts of annotators and of
/// at most `2 max_pairs` found pairs:
///
/// 1. label counts per annotator; only annotators with `min_shared` labels
///    or more can be in a listed pair (*eligible*);
/// 2. eligible annotators by label count (descending, then name) are
///    *examined* while the label pairs among those examined, `sum over items
///    of C(m_i, 2)` with `m_i` the examined labels on item `i`, stay within
///    `max_label_pairs` (the first that would exceed it and all after it are
///    not);
/// 3. the examined labels are regrouped by item in name order of their
///    annotators, and for each annotator `a` (in name order) its pairs
///    `(a, b)` with `b` after `a` are counted in dense scratch arrays: time
///    `O(label pairs examined)`, memory a few words per label and annotator;
/// 4. the pairs with `min_shared` shared items or more are kept, at most
///    `max_pairs` of them: the most shared items first, ties by `(a, b)`.
///
/// Assumes one label per (item, annotator): [`first_ratings`] keeps the
/// first of repeated ratings; a repeated label would otherwise be compared
/// as another shared item.
pub(crate) fn pairs_from_groups(
    names: &[String],
    by_name: &[u32],
    item_off: &[u32],
    labels: &[(u32, u8)],
    limits: &Limits,
) -> CohenListing {
    let na = names.len();
    let items = item_off.len().saturating_sub(1);
    let min_shared = limits.min_shared.max(1);
    // 1. Labels per annotator, and who is eligible.
    let mut count = vec![0u32; na];
    for &(r, _) in labels {
        if let Some(c) = count.get_mut(r as usize) {
            *c += 1;
        }
    }
    let mut eligible: Vec<u32> = (0..na as u32)
        .filter(|&r| count[r as usize] >= min_shared)
        .collect();
    crate::order::sort_indices(&mut eligible, &|x, y| {
        count[y as usize].cmp(&count[x as usize]).then(x.cmp(&y))
    });
    // The eligible labels grouped by annotator: (item, code), items ascending.
    let mut a_off = vec![0u32; na + 1];
    for &r in &eligible {
        a_off[r as usize + 1] = count[r as usize];
    }
    for r in 0..na {
        a_off[r + 1] += a_off[r];
    }
    let mut next = a_off.clone();
    let mut by_annotator = vec![(0u32, 0u8); a_off[na] as usize];
    for (item, w) in item_off.windows(2).enumerate() {
        for &(r, c) in labels.get(w[0] as usize..w[1] as usize).unwrap_or(&[]) {
            let r = r as usize;
            if r < na && count[r] >= min_shared {
                by_annotator[next[r] as usize] = (item as u32, c);
                next[r] += 1;
            }
        }
    }
    // 2. Examined annotators: a prefix of `eligible` within the budget.
    let mut on_item = vec![0u32; items];
    let mut work = 0u64;
    let mut examined = vec![false; na];
    let mut n_examined = 0;
    for &r in &eligible {
        let mine = &by_annotator[a_off[r as usize] as usize..a_off[r as usize + 1] as usize];
        let cost: u64 = mine.iter().map(|&(i, _)| on_item[i as usize] as u64).sum();
        if work + cost > limits.max_label_pairs {
            break;
        }
        work += cost;
        for &(i, _) in mine {
            on_item[i as usize] += 1;
        }
        examined[r as usize] = true;
        n_examined += 1;
    }
    let not_examined = (eligible.len() - n_examined) as u64;
    drop(eligible);
    // 3. Examined labels by item, annotators in name (rank) order within an
    // item; `at[k]` is where the k-th label of `by_annotator` went.
    let mut i_off = vec![0u32; items + 1];
    for (i, &m) in on_item.iter().enumerate() {
        i_off[i + 1] = i_off[i] + m;
    }
    drop(on_item);
    let mut fill = i_off.clone();
    let mut grouped = vec![(0u32, 0u8); i_off[items] as usize];
    let mut at = vec![u32::MAX; by_annotator.len()];
    for r in (0..na).filter(|&r| examined[r]) {
        for k in a_off[r] as usize..a_off[r + 1] as usize {
            let (i, c) = by_annotator[k];
            let slot = &mut fill[i as usize];
            grouped[*slot as usize] = (r as u32, c);
            at[k] = *slot;
            *slot += 1;
        }
    }
    drop(fill);
    // The item of each grouped label's end: partners of the label at `g`
    // are grouped[g + 1..end].
    const FREE: u32 = u32::MAX;
    let mut shared = vec![0u32; na];
    let mut slot = vec![FREE; na];
    let mut kept: Vec<u32> = Vec::new();
    let mut confusion: Vec<[u32; K * K]> = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    let mut n_found = 0u64;
    let mut worst: Option<(u64, u32, u32)> = None;
    let keep_at_most = limits.max_pairs;
    for ra in (0..na).filter(|&r| examined[r]) {
        let mine = a_off[ra] as usize..a_off[ra + 1] as usize;
        let partners = |k: usize| {
            let (i, _) = by_annotator[k];
            let g = at[k] as usize;
            &grouped[g + 1..i_off[i as usize + 1] as usize]
        };
        for k in mine.clone() {
            for &(rb, _) in partners(k) {
                // Only a repeated label (not from parse_jsonl) is its own partner.
                if rb as usize != ra {
                    shared[rb as usize] += 1;
                }
            }
        }
        for k in mine.clone() {
            let la = by_annotator[k].1 as usize;
            for &(rb, lb) in partners(k) {
                let rb = rb as usize;
                if rb != ra && shared[rb] >= min_shared {
                    if slot[rb] == FREE {
                        slot[rb] = kept.len() as u32;
                        kept.push(rb as u32);
                        confusion.push([0; K * K]);
                    }
                    confusion[slot[rb] as usize][la * K + lb as usize] += 1;
                }
            }
        }
        for (&rb, c) in kept.iter().zip(&confusion) {
            n_found += 1;
            let key = (shared[rb as usize] as u64, ra as u32, rb);
            // Once `keep_at_most` are kept, a pair that does not beat the
            // last of them is never listed.
            if keep_at_most > 0 && worst.map_or(true, |w| before(key, w)) {
                found.push((key, *c));
                if found.len() >= keep_at_most.saturating_mul(2) {
                    best_first(&mut found, keep_at_most);
                    worst = found.last().map(|f| f.0);
                }
            }
        }
        for k in mine {
            for &(rb, _) in partners(k) {
                shared[rb as usize] = 0;
            }
        }
        for &rb in &kept {
            slot[rb as usize] = FREE;
        }
        kept.clear();
        confusion.clear();
    }
    // 4. The best `max_pairs`, listed by (a, b).
    best_first(&mut found, keep_at_most);
    let order = crate::order::sorted_indices(found.len(), &|x, y| {
        let (kx, ky) = (found[x as usize].0, found[y as usize].0);
        (kx.1, kx.2).cmp(&(ky.1, ky.2))
    });
    let name = |r: u32| &names[by_name[r as usize] as usize];
    let pairs: Vec<CohenPair> = order
        .iter()
        .map(|&s| {
            let ((_, ra, rb), c) = &found[s as usize];
            pair(name(*ra), name(*rb), c)
        })
        .collect();
    let not_listed = n_found - pairs.len() as u64;
    let truncated = (not_listed > 0 || not_examined > 0).then(|| CohenTruncated {
        pairs_not_listed: not_listed,
        annotators_not_examined: not_examined,
        max_pairs: limits.max_pairs as u64,
        max_label_pairs: limits.max_label_pairs,
        reason: truncation_reason(not_listed, not_examined, limits),
    });
    CohenListing { pairs, truncated }
}

/// Whether pair `x` comes before pair `y` in the listing's priority: more
/// shared items first, then `(a, b)` by name.
fn before(x: (u64, u32, u32), y: (u64, u32, u32)) -> bool {
    y.0.cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))).is_lt()
}

/// Keeps the `keep` pairs with the most shared items (ties: `(a, b)`),
/// best first.
fn best_first(found: &mut Vec<Found>, keep: usize) {
    if found.len() <= keep {
        return;
    }
    let order = crate::order::sorted_indices(found.len(), &|x, y| {
        let (kx, ky) = (found[x as usize].0, found[y as usize].0);
        ky.0.cmp(&kx.0).then((kx.1, kx.2).cmp(&(ky.1, ky.2)))
    });
    let best: Vec<Found> = order[..keep].iter().map(|&s| found[s as usize]).collect();
    *found = best;
}

fn truncation_reason(not_listed: u64, not_examined: u64, limits: &Limits) -> String {
    let mut parts = Vec::new();
    if not_examined > 0 {
        parts.push(format!(
            "{not_examined} annotators with at least min_shared ({}) labels were not examined: \
             counting every pair would take more than max_label_pairs ({}) label pairs, so only \
             the annotators with the most labels were, and pairs with any other annotator are \
             neither counted nor listed",
            limits.min_shared, limits.max_label_pairs
        ));
    }
    if not_listed > 0 {
        parts.push(format!(
            "{not_listed} pairs sharing at least min_shared ({}) items are not listed: at most \
             max_pairs ({}) are, those with the most shared items (ties by name)",
            limits.min_shared, limits.max_pairs
        ));
    }
    parts.join("; ")
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

    /// Every pair by a direct count over the label pairs of each item, then
    /// the cap: the reference the pass must equal.
    fn direct(data: &Dataset, min_shared: u64, max_pairs: usize) -> (Vec<CohenPair>, u64) {
        use std::collections::BTreeMap;
        let mut by_pair: BTreeMap<(String, String), [u32; K * K]> = BTreeMap::new();
        for x in &data.rows {
            for y in &data.rows {
                let (nx, ny) = (
                    data.annotators.name(x.annotator),
                    data.annotators.name(y.annotator),
                );
                if x.item == y.item && nx < ny {
                    let c = by_pair.entry((nx.into(), ny.into())).or_insert([0; K * K]);
                    c[x.label.index() * K + y.label.index()] += 1;
                }
            }
        }
        let mut all: Vec<CohenPair> = by_pair
            .iter()
            .map(|((a, b), c)| pair(a, b, c))
            .filter(|p| p.n >= min_shared)
            .collect();
        let qualifying = all.len() as u64;
        all.sort_by(|p, q| q.n.cmp(&p.n).then((&p.a, &p.b).cmp(&(&q.a, &q.b))));
        all.truncate(max_pairs);
        all.sort_by(|p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
        (all, qualifying)
    }

    fn listing(data: &Dataset, limits: Limits) -> CohenListing {
        listing_by(data, |_| limits)
    }

    /// A seeded crowd: `annotators` annotators, each labelling each of
    /// `items` items with probability `p`, rows in a seeded order.
    fn crowd(items: usize, annotators: usize, p: f64, seed: u64) -> Dataset {
        use rand::{seq::SliceRandom, Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut rows = Vec::new();
        for i in 0..items {
            for a in 0..annotators {
                if rng.random_bool(p) {
                    rows.push((format!("i{i}"), format!("w{a:03}"), rng.random_range(0..K)));
                }
            }
        }
        rows.shuffle(&mut rng);
        let rows: Vec<(&str, &str, Label)> = rows
            .iter()
            .map(|(i, a, l)| (i.as_str(), a.as_str(), Label::ALL[*l]))
            .collect();
        Dataset::from_labels(&rows)
    }

    const UNBOUNDED: Limits = Limits {
        min_shared: 1,
        max_pairs: usize::MAX,
        max_label_pairs: u64::MAX,
    };

    #[test]
    fn within_the_bounds_every_qualifying_pair_is_listed_as_a_direct_count_gives_it() {
        for (seed, min_shared) in [(1, 1), (2, 3), (3, 6)] {
            let data = crowd(40, 25, 0.4, seed);
            let got = listing(
                &data,
                Limits {
                    min_shared,
                    ..UNBOUNDED
                },
            );
            let (want, _) = direct(&data, min_shared as u64, usize::MAX);
            assert!(!want.is_empty());
            assert_eq!(got.pairs, want, "seed {seed}");
            assert_eq!(got.truncated, None);
        }
    }

    #[test]
    fn the_cap_lists_the_pairs_with_the_most_shared_items_ties_by_name_whatever_the_input_order() {
        let data = crowd(30, 30, 0.5, 4);
        let limits = Limits {
            min_shared: 2,
            max_pairs: 50,
            ..UNBOUNDED
        };
        let got = listing(&data, limits);
        let (want, qualifying) = direct(&data, 2, 50);
        assert_eq!(got.pairs, want);
        let t = got.truncated.expect("truncated");
        assert_eq!(t.pairs_not_listed, qualifying - 50);
        assert_eq!(t.annotators_not_examined, 0);
        assert!(
            t.reason.contains(&format!("{} pairs", qualifying - 50)),
            "{}",
            t.reason
        );
        // The same labels in reverse order give the same listing.
        let mut reversed = Dataset::new();
        for r in data.rows.iter().rev() {
            reversed.push(&crate::annotation::Annotation::new(
                data.items.name(r.item),
                data.annotators.name(r.annotator),
                r.label,
            ));
        }
        let again = listing(&reversed, limits);
        assert_eq!(again.pairs, got.pairs);
        assert_eq!(
            again.truncated.map(|t| t.pairs_not_listed),
            Some(qualifying - 50)
        );
        // A cap of 0 lists nothing and counts every qualifying pair.
        let none = listing(
            &data,
            Limits {
                max_pairs: 0,
                ..limits
            },
        );
        assert!(none.pairs.is_empty());
        assert_eq!(none.truncated.unwrap().pairs_not_listed, qualifying);
    }

    #[test]
    fn the_work_budget_examines_the_annotators_with_the_most_labels_first() {
        // w1 labels items 0..4, w2 items 0..3, w3 and w4 items 0..2, w5 item 0.
        let mut rows = Vec::new();
        for (who, n) in [("w1", 5), ("w2", 4), ("w4", 3), ("w3", 3), ("w5", 1)] {
            for i in 0..n {
                rows.push((format!("i{i}"), who, Label::ALL[i % K]));
            }
        }
        let rows: Vec<(&str, &str, Label)> =
            rows.iter().map(|(i, a, l)| (i.as_str(), *a, *l)).collect();
        let data = Dataset::from_labels(&rows);
        // Label pairs: w1 alone 0, + w2: 4, + w3 (before w4 by name): 3 + 3 = 10,
        // + w4: 3 * 3 = 19; w5 (1 label) is below min_shared 2 and costs nothing.
        let at = |max_label_pairs| {
            listing(
                &data,
                Limits {
                    min_shared: 2,
                    max_pairs: 100,
                    max_label_pairs,
                },
            )
        };
        let names = |l: &CohenListing| -> Vec<String> {
            l.pairs
                .iter()
                .map(|p| format!("{}-{}:{}", p.a, p.b, p.n))
                .collect()
        };
        let all = at(19);
        assert_eq!(all.truncated, None);
        assert_eq!(
            names(&all),
            ["w1-w2:4", "w1-w3:3", "w1-w4:3", "w2-w3:3", "w2-w4:3", "w3-w4:3"]
        );
        let three = at(18);
        assert_eq!(names(&three), ["w1-w2:4", "w1-w3:3", "w2-w3:3"]);
        let t = three.truncated.expect("truncated");
        assert_eq!((t.annotators_not_examined, t.pairs_not_listed), (1, 0));
        assert!(t.reason.contains("1 annotators"), "{}", t.reason);
        assert!(at(3).pairs.is_empty());
        assert_eq!(at(3).truncated.unwrap().annotators_not_examined, 3);
    }

    #[test]
    fn a_repeated_rating_counts_once_with_its_first_label() {
        let data = Dataset::from_labels(&[
            ("x", "w1", Label::ABetter),
            ("x", "w2", Label::Tie),
            ("x", "w1", Label::Tie),
            ("y", "w2", Label::BBetter),
            ("y", "w1", Label::BBetter),
            ("y", "w2", Label::Tie),
        ]);
        let got = listing(&data, UNBOUNDED);
        assert_eq!(got.pairs.len(), 1);
        let p = &got.pairs[0];
        assert_eq!((p.a.as_str(), p.b.as_str(), p.n), ("w1", "w2", 2));
        // The first ratings only: x (A>, =) and y (B>, B>).
        let mut c = [0u32; K * K];
        c[Label::ABetter.index() * K + Label::Tie.index()] = 1;
        c[Label::BBetter.index() * K + Label::BBetter.index()] = 1;
        assert_eq!(p.unweighted, cohen_kappa(&c, Weights::Unweighted));
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
