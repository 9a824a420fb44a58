//! Which Cohen pairs are listed, within a work budget and a listing cap
//! (the rule is in the docs of [`super`]): one pass over the labels
//! grouped by item.

use super::pair;
use crate::agreement::{AgreementConfig, CohenPair, CohenTruncated};
use crate::label::K;

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
            if keep_at_most > 0 && worst.is_none_or(|w| before(key, w)) {
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
