//! The Bradley-Terry fit: Hunter's MM iteration (with Davidson's ties), the
//! prior's rescaling after each step, and the fitted strengths.

use super::{Config, TieModel};
use crate::label::{Label, Side};

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Centred `theta_i = ln pi_i` by model index.
    pub theta: Vec<f64>,
    /// Davidson's `nu`, if fitted.
    pub nu: Option<f64>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was met.
    pub converged: bool,
}

/// A comparison as model indices: `(model_a, model_b, label)`.
pub type Indexed = (usize, usize, Label);

/// Fits the model to `games` among `m` models.
pub fn fit(config: &Config, m: usize, games: &[Indexed]) -> Fit {
    // w[i][j]: weighted wins of i over j; t[i][j]: ties (Davidson).
    let mut w = vec![vec![0.0f64; m]; m];
    let mut t = vec![vec![0.0f64; m]; m];
    for &(a, b, label) in games {
        let weight = if label.strength() == 2 {
            config.strong_weight
        } else {
            1.0
        };
        match (label.side(), config.ties) {
            (Side::A, _) => w[a][b] += weight,
            (Side::B, _) => w[b][a] += weight,
            (Side::Tie, TieModel::HalfWin) => {
                w[a][b] += 0.5;
                w[b][a] += 0.5;
            }
            (Side::Tie, TieModel::Davidson) => {
                t[a][b] += 1.0;
                t[b][a] += 1.0;
            }
        }
    }
    let alpha = config.prior;
    let wins: Vec<f64> = (0..m)
        .map(|i| alpha + w[i].iter().sum::<f64>() + 0.5 * t[i].iter().sum::<f64>())
        .collect();
    let total_ties: f64 = t.iter().flatten().sum::<f64>() / 2.0;
    let davidson = config.ties == TieModel::Davidson;
    let mut pi = vec![1.0f64; m];
    let mut nu = if davidson && total_ties > 0.0 {
        1.0
    } else {
        0.0
    };
    let (mut iterations, mut converged) = (0, false);
    while iterations < config.max_iter {
        iterations += 1;
        let mut next = vec![0.0; m];
        for i in 0..m {
            // The reference model: 2 alpha games at strength 1.
            let mut denom = 2.0 * alpha * pair_term(pi[i], 1.0, nu);
            for j in (0..m).filter(|&j| j != i) {
                let n = w[i][j] + w[j][i] + t[i][j];
                if n > 0.0 {
                    denom += n * pair_term(pi[i], pi[j], nu);
                }
            }
            next[i] = wins[i] / denom;
        }
        if davidson && total_ties > 0.0 {
            let mut s = 0.0;
            for i in 0..m {
                s += 2.0 * alpha * pi[i].sqrt() / (pi[i] + 1.0 + nu * pi[i].sqrt());
                for j in i + 1..m {
                    let n = w[i][j] + w[j][i] + t[i][j];
                    let g = (pi[i] * pi[j]).sqrt();
                    s += n * g / (pi[i] + pi[j] + nu * g);
                }
            }
            nu = total_ties / s;
        }
        rescale(&mut next, nu);
        let moved = next
            .iter()
            .zip(&pi)
            .map(|(a, b)| (a.ln() - b.ln()).abs())
            .fold(0.0, f64::max);
        pi = next;
        if moved < config.tol {
            converged = true;
            break;
        }
    }
    let theta: Vec<f64> = pi.iter().map(|p| p.ln()).collect();
    let mean = theta.iter().sum::<f64>() / m.max(1) as f64;
    Fit {
        theta: theta.iter().map(|x| x - mean).collect(),
        nu: davidson.then_some(nu),
        iterations,
        converged,
    }
}

/// Multiplies all strengths by the factor `c` that maximises the objective
/// along that direction. Games between real models do not depend on a
/// common scale (their likelihood is homogeneous of degree 0), only the
/// prior's games against the reference do; setting their derivative in
/// `ln c` to zero gives `sum_i h(c pi_i) = m / 2` with
/// `h(x) = (x + nu/2 sqrt x) / (x + 1 + nu sqrt x)`, increasing in `x`,
/// solved by bisection on `ln c`. Without this step the common scale is
/// pinned only by the small prior and MM creeps towards it for thousands of
/// iterations.
fn rescale(pi: &mut [f64], nu: f64) {
    let h = |x: f64| (x + 0.5 * nu * x.sqrt()) / (x + 1.0 + nu * x.sqrt());
    let half = pi.len() as f64 / 2.0;
    let excess = |t: f64| pi.iter().map(|&p| h(t.exp() * p)).sum::<f64>() - half;
    let (mut lo, mut hi) = (-60.0f64, 60.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if excess(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let c = (0.5 * (lo + hi)).exp();
    if c.is_finite() && c > 0.0 {
        for p in pi.iter_mut() {
            *p *= c;
        }
    }
}

/// `(1 + nu/2 sqrt(pi_j / pi_i)) / (pi_i + pi_j + nu sqrt(pi_i pi_j))`,
/// which is Hunter's `1 / (pi_i + pi_j)` when `nu = 0`.
fn pair_term(pi_i: f64, pi_j: f64, nu: f64) -> f64 {
    let g = (pi_i * pi_j).sqrt();
    (1.0 + 0.5 * nu * (pi_j / pi_i).sqrt()) / (pi_i + pi_j + nu * g)
}
