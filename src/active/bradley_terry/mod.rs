//! Ranking the models behind the responses: Bradley-Terry with ties.
//!
//! Bradley & Terry 1952 (doi:10.2307/2334029): model `i` has a strength
//! `pi_i > 0` and beats `j` with probability `pi_i / (pi_i + pi_j)`.
//! Ties are handled one of two ways ([`TieModel`]):
//!
//! - `half_win`: a tie counts as half a win for each side.
//! - `davidson` (Davidson 1970, "On extending the Bradley-Terry model to
//!   accommodate ties in paired comparison experiments",
//!   doi:10.1080/01621459.1970.10481082):
//!   `P(i > j) = pi_i / D`, `P(tie) = nu sqrt(pi_i pi_j) / D`,
//!   `D = pi_i + pi_j + nu sqrt(pi_i pi_j)`, with `nu >= 0` fitted too.
//!
//! Graded labels: a strong preference (`A>>` or `B>>`) counts as
//! [`Config::strong_weight`] wins (default 2) in the likelihood, a plain one
//! (`A>`, `B>`) as one. This weighting is our convention, not from a paper:
//! it says a "much better" is as much evidence as two "better"s.
//!
//! Fit: the MM iteration of Hunter 2004 ("MM algorithms for generalized
//! Bradley-Terry models", doi:10.1214/aos/1079120141), with weights:
//! `pi_i <- W_i / sum_j N_ij / (pi_i + pi_j)` with `W_i` the (weighted) wins
//! of `i` and `N_ij` the weighted comparisons of `i` and `j`. For Davidson,
//! the fixed point of its likelihood equations,
//! `pi_i <- (W_i + T_i / 2) / sum_j N_ij (1 + nu/2 sqrt(pi_j / pi_i)) / D_ij`
//! and `nu <- T / sum_{i<j} N_ij sqrt(pi_i pi_j) / D_ij`.
//!
//! Prior: every model also plays [`Config::prior`] won and `prior` lost
//! pseudo-comparisons against a fixed reference model of strength 1, so a
//! model that never lost (or never won) keeps a finite strength and models
//! in disconnected groups stay comparable (each pulled towards the
//! reference). After each MM step the common scale of the strengths is set
//! to its optimum (which only the prior decides), so the fit converges in
//! tens of iterations instead of creeping. Reported strengths are `theta_i = ln pi_i`, centred to mean
//! 0 over the models, and an Elo-like `rating = 1000 + 400 theta / ln 10`.
//!
//! Confidence intervals: percentile bootstrap (Efron & Tibshirani 1993,
//! ch. 13): the comparisons are resampled with replacement
//! [`Config::bootstrap`] times with a `ChaCha8Rng` seeded with
//! [`Config::seed`], refitted, and the `(1 - c) / 2` and `(1 + c) / 2`
//! quantiles of each centred `theta` taken (nearest rank).
//!
//! This file holds the request and response types, their checks and the
//! bootstrap; `fit` holds the MM iteration itself.

use crate::error::{Error, Result};
use crate::label::{Label, Side};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod fit;

pub use fit::{fit, Fit, Indexed};

/// How ties enter the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieModel {
    /// A tie is half a win for each side.
    #[default]
    HalfWin,
    /// Davidson's (1970) tie parameter.
    Davidson,
}

/// Most iterations a request may ask for: each is a pass over every
/// comparison, so a larger number would let a few bytes cost hours.
pub const MAX_ITER: usize = 100_000;

/// Most bootstrap resamples a request may ask for (each is a whole fit,
/// and holds a value per model).
pub const MAX_BOOTSTRAP: usize = 10_000;

/// Settings of [`fit`] and [`leaderboard`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// How ties enter the model (default `half_win`).
    pub ties: TieModel,
    /// Wins that a strong preference (`>>`) counts for (default 2, at least 1).
    pub strong_weight: f64,
    /// Pseudo-wins and pseudo-losses of each model against a reference of
    /// strength 1 (default 0.5, must be above 0).
    pub prior: f64,
    /// Cap on iterations (default 10,000, at most [`MAX_ITER`]).
    pub max_iter: usize,
    /// Stop when no `ln pi` moves more than this (default 1e-10).
    pub tol: f64,
    /// Bootstrap resamples for the intervals (default 200; 0 for none; at
    /// most [`MAX_BOOTSTRAP`]).
    pub bootstrap: usize,
    /// Coverage of the intervals (default 0.95).
    pub confidence: f64,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ties: TieModel::HalfWin,
            strong_weight: 2.0,
            prior: 0.5,
            max_iter: 10_000,
            tol: 1e-10,
            bootstrap: 200,
            confidence: 0.95,
            seed: 0,
        }
    }
}

/// One judged pair of responses from two models, label in canonical order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Model behind response A.
    pub model_a: String,
    /// Model behind response B.
    pub model_b: String,
    /// The preference.
    pub label: Label,
}

/// A request to [`leaderboard`] (unknown fields are refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardRequest {
    /// The judgements.
    pub comparisons: Vec<Comparison>,
    /// Settings (all optional).
    #[serde(default)]
    pub config: Config,
}

/// One model on the leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based, strongest first.
    pub rank: usize,
    /// Model name.
    pub model: String,
    /// Centred log-strength `theta`.
    pub strength: f64,
    /// Bootstrap interval of `strength` (`null` without bootstrap).
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// `1000 + 400 theta / ln 10`.
    pub rating: f64,
    /// Comparisons won (any strength).
    pub wins: usize,
    /// Comparisons lost.
    pub losses: usize,
    /// Ties.
    pub ties: usize,
}

/// The answer of [`leaderboard`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    /// Models, strongest first.
    pub models: Vec<Entry>,
    /// Comparisons used.
    pub comparisons: usize,
    /// How ties were modelled.
    pub ties: TieModel,
    /// Davidson's `nu` (`null` for half-wins).
    pub tie_parameter: Option<f64>,
    /// Iterations of the main fit.
    pub iterations: usize,
    /// Whether the main fit met the tolerance.
    pub converged: bool,
    /// Bootstrap resamples behind the intervals.
    pub bootstrap: usize,
    /// Coverage of the intervals.
    pub confidence: f64,
}

fn check_config(c: &Config) -> Result<()> {
    if !(c.strong_weight.is_finite() && c.strong_weight >= 1.0) {
        return Err(Error::invalid(
            "config.strong_weight",
            format!(
                "must be a finite number of at least 1, got {}",
                c.strong_weight
            ),
        ));
    }
    if !(c.prior.is_finite() && c.prior > 0.0) {
        return Err(Error::invalid(
            "config.prior",
            format!("must be a finite number above 0, got {}", c.prior),
        ));
    }
    if !(c.confidence > 0.0 && c.confidence < 1.0) {
        return Err(Error::invalid(
            "config.confidence",
            format!("must be between 0 and 1, got {}", c.confidence),
        ));
    }
    if !(c.tol.is_finite() && c.tol > 0.0) || c.max_iter == 0 {
        return Err(Error::invalid(
            "config.tol",
            "tol must be above 0 and max_iter at least 1",
        ));
    }
    if c.max_iter > MAX_ITER {
        return Err(Error::invalid(
            "config.max_iter",
            format!("expected at most {MAX_ITER}, got {}", c.max_iter),
        ));
    }
    if c.bootstrap > MAX_BOOTSTRAP {
        return Err(Error::invalid(
            "config.bootstrap",
            format!("expected at most {MAX_BOOTSTRAP}, got {}", c.bootstrap),
        ));
    }
    Ok(())
}

/// The leaderboard of the models in `req.comparisons`.
///
/// ```
/// use prefkit::active::{leaderboard, LeaderboardRequest};
/// let req: LeaderboardRequest = serde_json::from_value(serde_json::json!({
///     "comparisons": [
///         {"model_a": "big", "model_b": "small", "label": "A>>"},
///         {"model_a": "small", "model_b": "big", "label": "B>"},
///         {"model_a": "big", "model_b": "small", "label": "="}
///     ],
///     "config": {"bootstrap": 50, "seed": 1}
/// })).unwrap();
/// let board = leaderboard(&req).unwrap();
/// assert_eq!(board.models[0].model, "big");
/// ```
pub fn leaderboard(req: &LeaderboardRequest) -> Result<Leaderboard> {
    let config = &req.config;
    check_config(config)?;
    if req.comparisons.is_empty() {
        return Err(Error::Empty {
            what: "the list of comparisons".into(),
            hint: "give judged pairs with model_a, model_b and label".into(),
        });
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut games: Vec<Indexed> = Vec::with_capacity(req.comparisons.len());
    for (k, c) in req.comparisons.iter().enumerate() {
        for (field, name) in [("model_a", &c.model_a), ("model_b", &c.model_b)] {
            if name.trim().is_empty() {
                return Err(Error::invalid(
                    format!("comparisons[{k}].{field}"),
                    "is empty",
                ));
            }
        }
        if c.model_a == c.model_b {
            return Err(Error::invalid(
                format!("comparisons[{k}]"),
                format!(
                    "compares \"{}\" with itself; model_a and model_b must differ",
                    c.model_a
                ),
            ));
        }
        let mut ab = [0usize; 2];
        for (slot, name) in ab.iter_mut().zip([c.model_a.as_str(), c.model_b.as_str()]) {
            *slot = *index.entry(name).or_insert_with(|| {
                names.push(name);
                names.len() - 1
            });
        }
        games.push((ab[0], ab[1], c.label));
    }
    let m = names.len();
    let main = fit(config, m, &games);
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(config.bootstrap); m];
    let mut resample = Vec::with_capacity(games.len());
    for _ in 0..config.bootstrap {
        resample.clear();
        for _ in 0..games.len() {
            resample.push(games[rng.random_range(0..games.len())]);
        }
        let f = fit(config, m, &resample);
        for (d, th) in draws.iter_mut().zip(f.theta) {
            d.push(th);
        }
    }
    let quantile = |v: &[f64], q: f64| -> Option<f64> {
        let last = v.len().checked_sub(1)?;
        v.get(((q * last as f64).round() as usize).min(last))
            .copied()
    };
    let mut tally = vec![(0usize, 0usize, 0usize); m];
    for &(a, b, label) in &games {
        match label.side() {
            Side::A => {
                tally[a].0 += 1;
                tally[b].1 += 1;
            }
            Side::B => {
                tally[b].0 += 1;
                tally[a].1 += 1;
            }
            Side::Tie => {
                tally[a].2 += 1;
                tally[b].2 += 1;
            }
        }
    }
    let lo_q = (1.0 - config.confidence) / 2.0;
    let mut models: Vec<Entry> = (0..m)
        .map(|i| {
            let mut d = std::mem::take(&mut draws[i]);
            d.sort_by(f64::total_cmp);
            Entry {
                rank: 0,
                model: names[i].to_string(),
                strength: main.theta[i],
                ci_low: quantile(&d, lo_q),
                ci_high: quantile(&d, 1.0 - lo_q),
                rating: 1000.0 + 400.0 * main.theta[i] / std::f64::consts::LN_10,
                wins: tally[i].0,
                losses: tally[i].1,
                ties: tally[i].2,
            }
        })
        .collect();
    models.sort_by(|x, y| {
        y.strength
            .total_cmp(&x.strength)
            .then(x.model.cmp(&y.model))
    });
    for (r, e) in models.iter_mut().enumerate() {
        e.rank = r + 1;
    }
    Ok(Leaderboard {
        models,
        comparisons: games.len(),
        ties: config.ties,
        tie_parameter: main.nu,
        iterations: main.iterations,
        converged: main.converged,
        bootstrap: config.bootstrap,
        confidence: config.confidence,
    })
}
