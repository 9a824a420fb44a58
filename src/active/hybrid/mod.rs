//! Hybrid selection: greedy, by uncertainty and by distance from what is
//! already chosen, so that a batch is both informative and varied.
//!
//! At each step every remaining candidate `i` gets
//!
//! ```text
//! score_i = w_u * u_i + w_d * d_i / d_max
//! ```
//!
//! where `u_i` is its [uncertainty](super::uncertainty::uncertainty), `d_i`
//! is the Euclidean distance from its embedding to the nearest example
//! already selected, and `d_max` is the largest `d_i` over the remaining
//! candidates at this step (so the distance term is in [0, 1], and the most
//! isolated candidate gets exactly 1). The candidate with the highest score
//! is taken (on equal scores, the first in input order), and the running
//! `d_i` are lowered to its distance where that is nearer.
//!
//! Definitions at the edges:
//! - Examples already labelled are never selected, and they count as
//!   already selected for distance: a new pick far from everything labelled
//!   so far is worth more than one next to a labelled example.
//! - While nothing is selected or labelled yet, `d_i` is undefined and the
//!   distance term is 1 for every candidate, so the first pick is the most
//!   uncertain one.
//! - If every remaining candidate sits on a selected one (`d_max = 0`), the
//!   distance term is 0 for all.
//!
//! This is the "max-min" or farthest-point diversity of Gonzalez 1985
//! ("Clustering to minimize the maximum intercluster distance",
//! doi:10.1016/0304-3975(85)90224-5) mixed with uncertainty, as in Brinker
//! 2003 ("Incorporating diversity in active learning with support vector
//! machines", ICML). Keeping the running nearest distance means each pair
//! of a candidate and a chosen example is measured at most once:
//! `O(budget * n * dim)` in all, never `O(budget * n * selected * dim)`.
//! [`select`] keeps that array lazily and measures far fewer pairs (about
//! 30% of them on 100,000 uniform random points in 384 dimensions with a
//! budget of 1,000, the hardest case; fewer on clustered data).

use super::embed::{sq_dist, Matrix};
use serde::{Deserialize, Serialize};
use std::collections::BinaryHeap;

/// Weights of the two terms of the hybrid score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Weight of the uncertainty term (default 0.6).
    pub uncertainty: f64,
    /// Weight of the normalised distance term (default 0.4).
    pub distance: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            uncertainty: 0.6,
            distance: 0.4,
        }
    }
}

/// One greedy pick.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Row of the example.
    pub index: usize,
    /// Its hybrid score when it was picked.
    pub score: f64,
    /// Distance to the nearest example selected or labelled before it
    /// (`None` for a first pick with nothing before it).
    pub distance: Option<f64>,
    /// The distance term `d_i / d_max` used in the score.
    pub distance_term: f64,
}

/// The running nearest distances, kept lazily: `nearest[i]` is the squared
/// distance from row `i` to the nearest of the first `seen[i]` rows of
/// `chosen` (labelled rows first, then picks in order), so it is an upper
/// bound on the true nearest distance and exact once `seen[i]` catches up.
struct Nearest<'a> {
    emb: &'a Matrix<'a>,
    chosen: Vec<usize>,
    nearest: Vec<f32>,
    /// `sqrt(nearest[i])` in f64, updated with it.
    dist: Vec<f64>,
    seen: Vec<usize>,
}

impl Nearest<'_> {
    /// Brings row `i` up to date with every chosen row. This is the hot
    /// loop: one [`sq_dist`] per chosen row not yet seen.
    fn refresh(&mut self, i: usize) {
        let seen = self.seen[i];
        if seen == self.chosen.len() {
            return;
        }
        let row = self.emb.row(i);
        let mut near = self.nearest[i];
        for &s in &self.chosen[seen..] {
            let d = sq_dist(row, self.emb.row(s));
            if d < near {
                near = d;
            }
        }
        self.nearest[i] = near;
        self.dist[i] = f64::from(near).sqrt();
        self.seen[i] = self.chosen.len();
    }
}

/// Greedy hybrid selection of up to `budget` rows of `emb`. `u[i]` is the
/// uncertainty of row `i` (all zeros when only distance matters);
/// `labelled[i]` marks rows already labelled. Weights must not be negative.
/// Returns the picks in order. Callers pass `u` and `labelled` with one
/// entry per row.
///
/// The result is exactly that of the rule in the module documentation,
/// but the running distances are brought up to date lazily, only where
/// they can change the outcome (the "lazy greedy" of Minoux 1978,
/// doi:10.1007/BFb0006528): a stale nearest distance is an upper bound on
/// the true one, so
/// - `d_max` is found with a max-heap of stale distances, refreshing the
///   top until the top is exact, and
/// - the winner is found by refreshing first the candidate with the
///   highest upper-bound score, then only the candidates whose upper bound
///   reaches the best exact score so far, visiting candidates from the most
///   uncertain down and stopping where even a distance term of 1 could not
///   reach it.
///
/// In the worst case (no pruning) this is the plain `O(budget * n * dim)`
/// pass per step; on real and random data most candidates are not touched
/// at most steps.
pub fn select(
    emb: &Matrix<'_>,
    u: &[f64],
    labelled: &[bool],
    budget: usize,
    weights: Weights,
) -> Vec<Pick> {
    let n = emb.rows();
    let mut st = Nearest {
        emb,
        chosen: (0..n).filter(|&i| labelled.get(i) == Some(&true)).collect(),
        nearest: vec![f32::INFINITY; n],
        dist: vec![f64::INFINITY; n],
        seen: vec![0; n],
    };
    let mut taken: Vec<bool> = (0..n).map(|i| labelled.get(i) == Some(&true)).collect();
    let u_of = |i: usize| u.get(i).copied().unwrap_or(0.0);
    // Max-heap of (stale squared distance bits, row): non-negative floats
    // order like their bit patterns.
    let mut heap: BinaryHeap<(u32, usize)> = (0..n)
        .filter(|&i| !taken[i])
        .map(|i| (f32::INFINITY.to_bits(), i))
        .collect();
    // Candidates by uncertainty, highest first (input order on ties).
    let mut by_u: Vec<usize> = (0..n).filter(|&i| !taken[i]).collect();
    by_u.sort_by(|&a, &b| u_of(b).total_cmp(&u_of(a)));
    let mut picks = Vec::with_capacity(budget.min(n));
    while picks.len() < budget {
        if picks.len() % 64 == 63 {
            by_u.retain(|&i| !taken[i]);
        }
        let any_selected = !st.chosen.is_empty();
        // d_max: the largest exact nearest distance over the remaining.
        let mut d_max = 0.0f64;
        if any_selected {
            while let Some(&(key, i)) = heap.peek() {
                if taken[i] {
                    heap.pop();
                } else if key != st.nearest[i].to_bits() {
                    heap.pop();
                    heap.push((st.nearest[i].to_bits(), i));
                } else if st.seen[i] < st.chosen.len() {
                    heap.pop();
                    st.refresh(i);
                    heap.push((st.nearest[i].to_bits(), i));
                } else {
                    d_max = st.dist[i];
                    break;
                }
            }
        }
        let term = |d: f64| {
            if !any_selected {
                1.0
            } else if d_max > 0.0 {
                d / d_max
            } else {
                0.0
            }
        };
        let score = |i: usize, d: f64| weights.uncertainty * u_of(i) + weights.distance * term(d);
        // An upper bound on the exact score from a stale distance (the exact
        // term is at most 1), and a bound that needs no distance at all.
        let bound =
            |i: usize, d: f64| weights.uncertainty * u_of(i) + weights.distance * term(d).min(1.0);
        let cap = |i: usize| weights.uncertainty * u_of(i) + weights.distance;
        // A good first contender: the best bound, scanning in order of
        // uncertainty until no later candidate can beat it.
        let mut top: Option<(usize, f64)> = None;
        for &i in by_u.iter().filter(|&&i| !taken[i]) {
            if top.is_some_and(|(_, tb)| cap(i) <= tb) {
                break;
            }
            let b = bound(i, st.dist[i]);
            if top.is_none_or(|(_, tb)| b > tb) {
                top = Some((i, b));
            }
        }
        let Some((first, _)) = top else {
            break;
        };
        st.refresh(first);
        let mut best = (first, score(first, st.dist[first]));
        // Only candidates whose bound reaches the best exact score so far can
        // win or tie; in order of uncertainty, stop once even `cap` cannot.
        for &i in by_u.iter().filter(|&&i| !taken[i] && i != first) {
            if cap(i) < best.1 {
                break;
            }
            if bound(i, st.dist[i]) >= best.1 {
                st.refresh(i);
                let s = score(i, st.dist[i]);
                if s > best.1 || (s == best.1 && i < best.0) {
                    best = (i, s);
                }
            }
        }
        let (index, s) = best;
        picks.push(Pick {
            index,
            score: s,
            distance: any_selected.then(|| st.dist[index]),
            distance_term: term(st.dist[index]),
        });
        taken[index] = true;
        st.chosen.push(index);
    }
    picks
}

#[cfg(test)]
mod tests;
