//! k-means with k-means++ seeding, and diversity selection from it.
//!
//! Seeding is greedy k-means++ (Arthur & Vassilvitskii 2007,
//! "k-means++: the advantages of careful seeding", SODA,
//! doi:10.1145/1283383.1283494, in the greedy form that scikit-learn
//! uses): the first centre is a uniformly random point; each next
//! centre is the best of `local_trials` points drawn with probability
//! proportional to `D(x)^2`, the squared distance to the nearest centre so
//! far, "best" meaning the one that leaves the smallest potential
//! `phi = sum_x D(x)^2`.
//!
//! Then Lloyd's iterations (Lloyd 1982, "Least squares quantization in
//! PCM", doi:10.1109/TIT.1982.1056489): assign each point to its nearest
//! centre, move each centre to the mean of its points. They stop when no
//! assignment changes, when the summed squared shift of the centres is at
//! most `tol` times the mean per-feature variance of the data (scikit-learn's
//! rule), or after `max_iter` iterations. A cluster left empty takes as its
//! new centre the point farthest from its own centre (each such point used
//! once), as scikit-learn does. The reported inertia,
//! `sum_x ||x - c(x)||^2`, is for a final assignment to the final centres.
//!
//! Every random choice comes from a `ChaCha8Rng` seeded with
//! [`Config::seed`]; `n_init` runs draw from the same generator in turn and
//! the one with the lowest inertia is kept.

use super::embed::{sq_dist, Matrix};
use crate::error::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Settings of [`fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Number of clusters.
    pub k: usize,
    /// Cap on Lloyd iterations per run (default 300, as scikit-learn).
    pub max_iter: usize,
    /// Relative tolerance on the centre shift (default 1e-4, as scikit-learn).
    pub tol: f64,
    /// Number of seeded runs; the lowest inertia wins (default 1).
    pub n_init: usize,
    /// Candidates per k-means++ step; `None` is scikit-learn's
    /// `2 + floor(ln k)`, `Some(1)` is plain k-means++.
    pub local_trials: Option<usize>,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            k: 8,
            max_iter: 300,
            tol: 1e-4,
            n_init: 1,
            local_trials: None,
            seed: 0,
        }
    }
}

/// The result of [`fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The `k` centres.
    pub centres: Matrix<'static>,
    /// The centre of each point.
    pub assignments: Vec<usize>,
    /// `sum_x ||x - c(x)||^2`.
    pub inertia: f64,
    /// Lloyd iterations of the kept run.
    pub iterations: usize,
    /// Whether the kept run stopped before `max_iter`.
    pub converged: bool,
    /// Empty clusters re-seeded in the kept run.
    pub reseeded: usize,
}

/// Greedy k-means++ seeding: the indices of `k` starting centres.
fn seed_centres(x: &Matrix<'_>, k: usize, trials: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let n = x.rows();
    let first = rng.random_range(0..n);
    let mut centres = vec![first];
    let mut closest: Vec<f64> = (0..n)
        .map(|i| f64::from(sq_dist(x.row(i), x.row(first))))
        .collect();
    let mut pot: f64 = closest.iter().sum();
    let mut cumulative = vec![0.0f64; n];
    while centres.len() < k {
        let mut acc = 0.0;
        for (c, d) in cumulative.iter_mut().zip(&closest) {
            acc += d;
            *c = acc;
        }
        let mut best: Option<(usize, f64, Vec<f64>)> = None;
        for _ in 0..trials {
            let r = rng.random::<f64>() * pot;
            let cand = cumulative.partition_point(|&c| c < r).min(n - 1);
            let dists: Vec<f64> = (0..n)
                .map(|i| closest[i].min(f64::from(sq_dist(x.row(i), x.row(cand)))))
                .collect();
            let p: f64 = dists.iter().sum();
            if best.as_ref().is_none_or(|(_, bp, _)| p < *bp) {
                best = Some((cand, p, dists));
            }
        }
        let Some((cand, p, dists)) = best else {
            break;
        };
        centres.push(cand);
        pot = p;
        closest = dists;
    }
    centres
}

/// Nearest centre of row `i` and its squared distance.
fn nearest_centre(x: &Matrix<'_>, i: usize, centres: &Matrix<'_>) -> (usize, f32) {
    let mut best = (0, f32::INFINITY);
    for c in 0..centres.rows() {
        let d = sq_dist(x.row(i), centres.row(c));
        if d < best.1 {
            best = (c, d);
        }
    }
    best
}

fn one_run(x: &Matrix<'_>, config: &Config, trials: usize, rng: &mut ChaCha8Rng, tol: f64) -> Fit {
    let (n, dim, k) = (x.rows(), x.dim(), config.k);
    let seeds = seed_centres(x, k, trials, rng);
    let mut centres = x.select_rows(&seeds);
    let mut assignments = vec![usize::MAX; n];
    let mut dist = vec![0.0f32; n];
    let (mut iterations, mut converged, mut reseeded) = (0, false, 0);
    while iterations < config.max_iter {
        iterations += 1;
        let mut changed = false;
        for (i, (a, di)) in assignments.iter_mut().zip(dist.iter_mut()).enumerate() {
            let (c, d) = nearest_centre(x, i, &centres);
            changed |= *a != c;
            *a = c;
            *di = d;
        }
        if !changed {
            converged = true;
            break;
        }
        let mut sums = vec![0.0f64; k * dim];
        let mut counts = vec![0usize; k];
        for (i, &c) in assignments.iter().enumerate() {
            counts[c] += 1;
            for (s, v) in sums[c * dim..(c + 1) * dim].iter_mut().zip(x.row(i)) {
                *s += f64::from(*v);
            }
        }
        // Empty clusters: the farthest points from their centres, each once.
        let mut far: Vec<usize> = (0..n).collect();
        far.sort_by(|&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
        let mut far = far.into_iter();
        let mut data = Vec::with_capacity(k * dim);
        for c in 0..k {
            if counts[c] == 0 {
                reseeded += 1;
                let p = far.next().unwrap_or(0);
                data.extend_from_slice(x.row(p));
            } else {
                let m = counts[c] as f64;
                data.extend(sums[c * dim..(c + 1) * dim].iter().map(|s| (s / m) as f32));
            }
        }
        let new = Matrix::new(dim, data).unwrap_or_else(|_| centres.clone());
        let shift: f64 = (0..k)
            .map(|c| f64::from(sq_dist(centres.row(c), new.row(c))))
            .sum();
        centres = new;
        if shift <= tol {
            converged = true;
            break;
        }
    }
    let mut inertia = 0.0;
    for (i, a) in assignments.iter_mut().enumerate() {
        let (c, d) = nearest_centre(x, i, &centres);
        *a = c;
        inertia += f64::from(d);
    }
    Fit {
        centres,
        assignments,
        inertia,
        iterations,
        converged,
        reseeded,
    }
}

/// Clusters the rows of `x` into `config.k` groups.
///
/// Fails on an empty matrix, `k` of 0 or above the number of rows, and
/// `n_init` of 0.
pub fn fit(config: &Config, x: &Matrix<'_>) -> Result<Fit> {
    let n = x.rows();
    if n == 0 {
        return Err(Error::Empty {
            what: "the data to cluster".into(),
            hint: "give at least one embedding".into(),
        });
    }
    if config.k == 0 || config.k > n {
        return Err(Error::invalid(
            "k",
            format!("must be between 1 and the {n} points, got {}", config.k),
        ));
    }
    if config.n_init == 0 {
        return Err(Error::invalid("n_init", "must be at least 1"));
    }
    let trials = config
        .local_trials
        .unwrap_or(2 + (config.k as f64).ln() as usize)
        .max(1);
    // scikit-learn's tolerance: tol times the mean variance of the features.
    let dim = x.dim();
    let mut mean = vec![0.0f64; dim];
    for i in 0..n {
        for (m, v) in mean.iter_mut().zip(x.row(i)) {
            *m += f64::from(*v) / n as f64;
        }
    }
    let mut var = 0.0;
    for i in 0..n {
        for (m, v) in mean.iter().zip(x.row(i)) {
            var += (f64::from(*v) - m).powi(2) / n as f64;
        }
    }
    let tol = config.tol * var / dim as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut best: Option<Fit> = None;
    for _ in 0..config.n_init {
        let run = one_run(x, config, trials, &mut rng, tol);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.ok_or_else(|| Error::invalid("n_init", "must be at least 1"))
}

/// One example chosen for diversity.
#[derive(Debug, Clone, PartialEq)]
pub struct DiversityPick {
    /// Row of the example in the full matrix.
    pub index: usize,
    /// Its cluster.
    pub cluster: usize,
    /// Number of candidates in that cluster.
    pub cluster_size: usize,
    /// Euclidean distance from the example to the cluster's centre.
    pub distance: f64,
}

/// Diversity selection: clusters the `candidates` (rows of `emb`) into
/// `min(budget, candidates)` groups with [`fit`] and takes, for each centre,
/// the nearest candidate not taken yet, larger clusters first (ties by
/// cluster number). `config.k` is ignored.
pub fn diversity(
    emb: &Matrix<'_>,
    candidates: &[usize],
    budget: usize,
    config: &Config,
) -> Result<Vec<DiversityPick>> {
    let k = budget.min(candidates.len());
    let sub = emb.select_rows(candidates);
    let fit = fit(
        &Config {
            k,
            ..config.clone()
        },
        &sub,
    )?;
    let mut sizes = vec![0usize; k];
    for &c in &fit.assignments {
        sizes[c] += 1;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut taken = vec![false; candidates.len()];
    let mut picks = Vec::with_capacity(k);
    for c in order {
        let mut best: Option<(usize, f32)> = None;
        for (j, _) in taken.iter().enumerate().filter(|(_, &t)| !t) {
            let d = sq_dist(sub.row(j), fit.centres.row(c));
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((j, d));
            }
        }
        if let Some((j, d)) = best {
            taken[j] = true;
            picks.push(DiversityPick {
                index: candidates[j],
                cluster: c,
                cluster_size: sizes[c],
                distance: f64::from(d).sqrt(),
            });
        }
    }
    Ok(picks)
}

#[cfg(test)]
mod tests;
