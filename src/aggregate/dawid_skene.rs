//! Dawid & Skene's maximum-likelihood estimate of each item's true label
//! and each annotator's confusion matrix, by EM.
//!
//! A. P. Dawid and A. M. Skene (1979), "Maximum Likelihood Estimation of
//! Observer Error-Rates Using the EM Algorithm", Journal of the Royal
//! Statistical Society, Series C (Applied Statistics) 28(1), 20-28,
//! doi:10.2307/2346806.
//!
//! The paper's notation: items `i`, annotators ("observers") `k`, classes
//! `j, l`; `T_ij` the probability that item `i` is of class `j`; `p_j` the
//! class priors; `pi_jl^(k)` the probability that annotator `k` answers
//! `l` when the true class is `j`; `n_il^(k)` is 1 when annotator `k`
//! labelled item `i` as `l` (prefkit allows one label per annotator and
//! item).
//!
//! * M-step (paper eq. 2.3, 2.4):
//!   `pi_jl^(k) = sum_i T_ij n_il^(k) / sum_l sum_i T_ij n_il^(k)`,
//!   `p_j = sum_i T_ij / I`.
//! * E-step (paper eq. 2.5):
//!   `T_ij = p_j prod_k prod_l (pi_jl^(k))^(n_il^(k)) / sum_q (same with q)`.
//!
//! As crowd-kit's `DawidSkene` does it: the start is the majority vote as
//! vote shares (`T_ij` = share of item `i`'s labels that are `j`), then
//! the M-step; products are sums of logs, shifted by their maximum before
//! exponentiating; counts and priors are clipped below at [`EPS`] so no
//! log is of zero. A confusion entry for a label the annotator never used
//! is 0 and is never looked up (crowd-kit leaves such rows out).
//!
//! The classes are the labels that occur in the data (or as a held gold
//! label): a label nobody used has prior 0 and posterior 0, as in
//! crowd-kit, which has no column for it. (Giving such a class a prior of
//! EPS instead lets it soak up items whose labels disagree a lot, since
//! its confusion columns stay uniform.)
//!
//! The run stops as crowd-kit's does: after each E-step and M-step the
//! loss is crowd-kit's evidence lower bound per annotation,
//!
//! ```text
//! ELBO = [ sum_i sum_j T_ij (m_i ln p_j + sum_k ln pi_{j, l_ik}^(k))
//!          - sum_i sum_j T'_ij ln T'_ij ] / N,   T' = max(T, EPS)
//! ```
//!
//! (`m_i` labels on item `i`, `N` labels in all, `j` over the classes in
//! play; the prior enters once per label, as crowd-kit's
//! `_evidence_lower_bound` adds `ln p` to every label's row), evaluated at
//! the new posteriors and the parameters of the M-step that follows them;
//! EM stops when it grows by less than [`Config::tolerance`] (the first
//! iteration is compared with minus infinity), or after
//! [`Config::max_iterations`]. With `hold_gold: false` the labels and
//! posteriors are crowd-kit's `DawidSkene(n_iter, tol).fit(data)` (to
//! rounding; crowd-kit's `probas_` also carry the EPS clip of its loss, so
//! its entries below EPS read EPS, which prefkit's do not).
//!
//! Differences from crowd-kit, on purpose: items with a gold label are
//! held at it by default (`T` is one-hot at the gold label in every
//! E-step, crowd-kit's `true_labels`); the reported `log_likelihood` is
//! the observed-data log-likelihood
//! `log L = sum_i log sum_j p_j prod_k pi_{j, l_ik}^(k)` (with `j` fixed to
//! the gold class for gold items) of the parameters entering each
//! iteration, which EM never decreases, kept beside crowd-kit's loss as a
//! diagnostic; ties between equal posteriors follow [`super::pick`]
//! (crowd-kit's `idxmax` takes the lowest label code).
//!
//! Layout: rows are grouped by item (CSR); each observation is one `u32`
//! key `annotator * 5 + label` into a flat table of `[f64; 5]` rows (the
//! log-confusion of that annotator and answer, over true classes), so both
//! steps are straight passes over flat arrays.

// Loops over the five classes index several arrays at once, as the
// paper's formulas do; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

use super::{pick, Votes};
use crate::dataset::{group, Dataset};
use crate::error::{Error, Result};
use crate::label::{Label, K};
use serde::Serialize;

/// Items with at most this many labels have their E-step products formed
/// directly rather than as sums of logs (see `Em::e_step`).
pub const LINEAR_MAX_LABELS: usize = 16;

/// Lower clip of counts and priors before taking logs (crowd-kit's `_EPS`).
pub const EPS: f64 = 1e-10;

/// Most EM iterations a config may ask for: each is a pass over every
/// annotation, so a larger number would let a few bytes of settings cost
/// hours (crowd-kit's default is 100, this crate's 50).
pub const MAX_ITERATIONS: u32 = 10_000;

/// Hyperparameters of the EM run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Most EM iterations (E-step then M-step). Default 100 (crowd-kit's
    /// `n_iter`), at most [`MAX_ITERATIONS`] in a config.
    pub max_iterations: u32,
    /// Stop when the loss (crowd-kit's evidence lower bound per
    /// annotation) grows by less than this. Default 1e-5 (crowd-kit's `tol`).
    pub tolerance: f64,
    /// Clip for counts and priors. Default [`EPS`].
    pub eps: f64,
    /// Hold items with a gold label at it. Default true.
    pub hold_gold: bool,
}

impl Config {
    /// Reads the `aggregation.dawid_skene` part of a config file.
    pub(crate) fn read(f: &crate::fields::Fields) -> Result<Self> {
        f.only(&["max_iterations", "tolerance", "eps", "hold_gold"])?;
        let d = Config::default();
        Ok(Config {
            max_iterations: f.u32_or("max_iterations", d.max_iterations, 0)?,
            tolerance: f.number_or("tolerance", d.tolerance)?,
            eps: f.number_or("eps", d.eps)?,
            hold_gold: f.bool_or("hold_gold", d.hold_gold)?,
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_iterations: 100,
            tolerance: 1e-5,
            eps: EPS,
            hold_gold: true,
        }
    }
}

/// The result of an EM run. Vectors are indexed by item id or annotator id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// Most probable label by item id (`None` for items without a label).
    /// Ties between equal posteriors follow [`super::pick`].
    pub labels: Vec<Option<Label>>,
    /// Posterior `T_i` over the five labels by item id.
    pub posteriors: Vec<Option<[f64; K]>>,
    /// `confusion[k][j][l] = pi_jl^(k)`: annotator `k`, true label `j`
    /// (row), answer `l` (column). Rows sum to 1 over the labels the
    /// annotator used.
    pub confusion: Vec<[[f64; K]; K]>,
    /// Class priors `p_j`.
    pub priors: [f64; K],
    /// Observed-data log-likelihood (natural log) of the parameters that
    /// entered each iteration; the first is that of the majority-vote start.
    pub log_likelihood: Vec<f64>,
    /// crowd-kit's loss after each iteration: the evidence lower bound per
    /// annotation (see the module docs), on which the run stops.
    pub loss_history: Vec<f64>,
    /// EM iterations run.
    pub iterations: u32,
    /// Whether the tolerance was met before the iteration cap.
    pub converged: bool,
}

/// Runs Dawid-Skene EM on every row of a dataset.
pub fn fit(config: &Config, d: &Dataset) -> Result<Fit> {
    fit_votes(config, &Votes::of(d))
}

/// Runs Dawid-Skene EM on a view of votes.
pub fn fit_votes(config: &Config, v: &Votes) -> Result<Fit> {
    if v.rows.is_empty() {
        return Err(Error::Empty {
            what: "the input of Dawid-Skene".into(),
            hint: "it needs at least one annotation".into(),
        });
    }
    if !v.in_range() {
        return Err(Error::Rejected(
            "Dawid-Skene: a row refers to an item or annotator outside the view".into(),
        ));
    }
    let mut em = Em::new(config, v);
    em.start();
    em.accumulate();
    em.normalize();
    let (mut history, mut loss_history) = (Vec::new(), Vec::new());
    let (mut iterations, mut converged) = (0, false);
    let mut loss = f64::NEG_INFINITY;
    let n_obs = v.rows.len() as f64;
    for it in 1..=config.max_iterations {
        history.push(em.e_step());
        em.normalize();
        let new_loss = em.evidence_lower_bound() / n_obs;
        loss_history.push(new_loss);
        iterations = it;
        if new_loss - loss < config.tolerance {
            converged = true;
            break;
        }
        loss = new_loss;
    }
    Ok(em.finish(history, loss_history, iterations, converged))
}

/// EM state over flat arrays.
struct Em {
    eps: f64,
    /// CSR offsets of observations by item.
    offsets: Vec<u32>,
    /// `annotator * K + label` per observation, in CSR order.
    key: Vec<u32>,
    /// Gold class held per item (only items with votes).
    held: Vec<Option<u8>>,
    /// `T_i` per item (zeros for items without votes).
    t: Vec<[f64; K]>,
    /// Items with at least one vote.
    n_active: usize,
    n_annotators: usize,
    /// `sum_i T_ij n_il^(k)` by key, over `j`.
    counts: Vec<[f64; K]>,
    /// Whether annotator `k` ever answered `l`, by key.
    used: Vec<bool>,
    /// `pi_jl^(k)` by key `k * K + l`, over `j`.
    pi: Vec<[f64; K]>,
    /// `ln pi_jl^(k)`, same layout.
    log_pi: Vec<[f64; K]>,
    /// Classes in play: labels someone used, and gold labels held.
    classes: [bool; K],
    /// `sum_i T_ij`.
    sum: [f64; K],
    priors: [f64; K],
    log_priors: [f64; K],
}

impl Em {
    fn new(config: &Config, v: &Votes) -> Em {
        let (offsets, order) = group(v.n_items, v.rows.iter().map(|r| r.item));
        let mut key = Vec::with_capacity(order.len());
        let mut used = vec![false; v.n_annotators * K];
        for &o in &order {
            if let Some(r) = v.rows.get(o as usize) {
                let k = r.annotator * K as u32 + r.label.index() as u32;
                key.push(k);
                used[k as usize] = true;
            }
        }
        let held: Vec<Option<u8>> = (0..v.n_items)
            .map(|i| {
                v.gold_of(i)
                    .filter(|_| config.hold_gold)
                    .map(|g| g.index() as u8)
            })
            .collect();
        let n_active = offsets.windows(2).filter(|w| w[1] > w[0]).count();
        let mut classes = [false; K];
        for r in v.rows {
            classes[r.label.index()] = true;
        }
        for (w, g) in offsets.windows(2).zip(&held) {
            if let (true, Some(g)) = (w[1] > w[0], g) {
                classes[*g as usize % K] = true;
            }
        }
        Em {
            eps: if config.eps > 0.0 { config.eps } else { EPS },
            offsets,
            key,
            held,
            t: vec![[0.0; K]; v.n_items],
            n_active,
            n_annotators: v.n_annotators,
            counts: vec![[0.0; K]; v.n_annotators * K],
            used,
            pi: vec![[0.0; K]; v.n_annotators * K],
            log_pi: vec![[0.0; K]; v.n_annotators * K],
            classes,
            sum: [0.0; K],
            priors: [0.0; K],
            log_priors: [0.0; K],
        }
    }

    fn one_hot(j: u8) -> [f64; K] {
        let mut t = [0.0; K];
        t[j as usize % K] = 1.0;
        t
    }

    /// Majority vote as vote shares; gold items one-hot.
    fn start(&mut self) {
        for (i, w) in self.offsets.windows(2).enumerate() {
            let obs = &self.key[w[0] as usize..w[1] as usize];
            if obs.is_empty() {
                continue;
            }
            self.t[i] = match self.held[i] {
                Some(g) => Em::one_hot(g),
                None => {
                    let mut t = [0.0; K];
                    for &k in obs {
                        t[k as usize % K] += 1.0;
                    }
                    t.map(|c| c / obs.len() as f64)
                }
            };
        }
    }

    /// Adds `T_i` of every item to the class sums and to the counts of
    /// the annotators' answers (the sums of paper eq. 2.3 and 2.4).
    fn accumulate(&mut self) {
        self.sum = [0.0; K];
        for c in &mut self.counts {
            *c = [0.0; K];
        }
        for (w, t) in self.offsets.windows(2).zip(&self.t) {
            for j in 0..K {
                self.sum[j] += t[j];
            }
            for &k in &self.key[w[0] as usize..w[1] as usize] {
                let c = &mut self.counts[k as usize];
                for j in 0..K {
                    c[j] += t[j];
                }
            }
        }
    }

    /// Paper eq. 2.3 and 2.4 from the accumulated sums, with counts and
    /// priors clipped at `eps`.
    fn normalize(&mut self) {
        let n = self.n_active.max(1) as f64;
        for j in 0..K {
            let (p, lp) = if self.classes[j] {
                let p = (self.sum[j] / n).max(self.eps);
                (p, crate::math::ln(p))
            } else {
                (0.0, f64::NEG_INFINITY)
            };
            self.priors[j] = p;
            self.log_priors[j] = lp;
        }
        for a in 0..self.n_annotators {
            let rows = a * K..(a + 1) * K;
            let mut total = [0.0; K];
            for key in rows.clone().filter(|&key| self.used[key]) {
                for j in 0..K {
                    total[j] += self.counts[key][j].max(self.eps);
                }
            }
            for key in rows {
                for j in 0..K {
                    let p = if self.used[key] {
                        self.counts[key][j].max(self.eps) / total[j]
                    } else {
                        0.0
                    };
                    self.pi[key][j] = p;
                    self.log_pi[key][j] = if p > 0.0 { crate::math::ln(p) } else { 0.0 };
                }
            }
        }
    }

    /// Paper eq. 2.5, fused with the sums of the next M-step (see
    /// [`Em::accumulate`]); returns the log-likelihood of the parameters it
    /// used.
    ///
    /// The products `p_j prod_k pi` are formed directly when the item has
    /// at most [`LINEAR_MAX_LABELS`] labels and the result stays above
    /// 1e-150 (every factor is at least about `eps` / number of items, so
    /// nothing underflows), and in log space with the max-shift otherwise.
    /// Both give the same posteriors up to rounding; the direct form saves
    /// an `exp` per class and item. Likewise the log-likelihood multiplies
    /// item likelihoods together and takes a log only when the product
    /// falls below 1e-150.
    fn e_step(&mut self) -> f64 {
        self.sum = [0.0; K];
        for c in &mut self.counts {
            *c = [0.0; K];
        }
        let (mut ll, mut product) = (0.0, 1.0f64);
        let items = self
            .offsets
            .windows(2)
            .zip(self.t.iter_mut().zip(&self.held));
        for (w, (t, held)) in items {
            let obs = &self.key[w[0] as usize..w[1] as usize];
            if obs.is_empty() {
                continue;
            }
            if let Some(g) = *held {
                let j = g as usize % K;
                ll += self.log_priors[j];
                for &k in obs {
                    ll += self.log_pi[k as usize][j];
                }
                *t = Em::one_hot(g);
            } else {
                let mut direct = None;
                if obs.len() <= LINEAR_MAX_LABELS {
                    let mut lik = self.priors;
                    for &k in obs {
                        let row = &self.pi[k as usize];
                        for j in 0..K {
                            lik[j] *= row[j];
                        }
                    }
                    let s: f64 = lik.iter().sum();
                    if s >= 1e-150 {
                        direct = Some((lik, s));
                    }
                }
                match direct {
                    Some((lik, s)) => {
                        *t = lik.map(|x| x / s);
                        product *= s;
                        if product < 1e-150 {
                            ll += crate::math::ln(product);
                            product = 1.0;
                        }
                    }
                    None => {
                        let mut acc = self.log_priors;
                        for &k in obs {
                            let row = &self.log_pi[k as usize];
                            for j in 0..K {
                                acc[j] += row[j];
                            }
                        }
                        let max = acc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let e = acc.map(|a| crate::math::exp(a - max));
                        let s: f64 = e.iter().sum();
                        *t = e.map(|x| x / s);
                        ll += max + crate::math::ln(s);
                    }
                }
            }
            for j in 0..K {
                self.sum[j] += t[j];
            }
            for &k in obs {
                let c = &mut self.counts[k as usize];
                for j in 0..K {
                    c[j] += t[j];
                }
            }
        }
        ll + crate::math::ln(product)
    }

    /// crowd-kit's loss (before dividing by the number of labels): the
    /// expected complete-data log-likelihood under `T` with the current
    /// parameters, the prior counted once per label, plus the entropy of
    /// `T` clipped at `eps`; over the classes in play only.
    fn evidence_lower_bound(&self) -> f64 {
        let (mut joint, mut entropy) = (0.0, 0.0);
        for (w, t) in self.offsets.windows(2).zip(&self.t) {
            let obs = &self.key[w[0] as usize..w[1] as usize];
            if obs.is_empty() {
                continue;
            }
            let mut sum_log_pi = [0.0; K];
            for &k in obs {
                let row = &self.log_pi[k as usize];
                for j in 0..K {
                    sum_log_pi[j] += row[j];
                }
            }
            let m_i = obs.len() as f64;
            for j in (0..K).filter(|&j| self.classes[j]) {
                joint += t[j] * (m_i * self.log_priors[j] + sum_log_pi[j]);
                let q = t[j].max(self.eps);
                entropy -= q * crate::math::ln(q);
            }
        }
        joint + entropy
    }

    fn finish(
        self,
        log_likelihood: Vec<f64>,
        loss_history: Vec<f64>,
        iterations: u32,
        converged: bool,
    ) -> Fit {
        let mut labels = Vec::with_capacity(self.t.len());
        let mut posteriors = Vec::with_capacity(self.t.len());
        for (w, (t, held)) in self.offsets.windows(2).zip(self.t.iter().zip(&self.held)) {
            if w[1] == w[0] {
                labels.push(None);
                posteriors.push(None);
                continue;
            }
            labels.push(match held {
                Some(g) => Label::from_index(*g as usize),
                None => pick(t, &[true; K]),
            });
            posteriors.push(Some(*t));
        }
        let confusion = (0..self.n_annotators)
            .map(|a| {
                let mut m = [[0.0; K]; K];
                for l in 0..K {
                    for (j, row) in m.iter_mut().enumerate() {
                        row[l] = self.pi[a * K + l][j];
                    }
                }
                m
            })
            .collect();
        Fit {
            labels,
            posteriors,
            confusion,
            priors: self.priors,
            log_likelihood,
            loss_history,
            iterations,
            converged,
        }
    }
}
