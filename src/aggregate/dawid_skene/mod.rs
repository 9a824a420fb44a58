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
//! `l` when the true class is `j`; `n_il^(k)` is the number of times
//! annotator `k` labelled item `i` as `l`: 0 or 1, or more with repeated
//! ratings (`allow_repeats`), as for the paper's clinician 1, who rated
//! every patient three times. Every label enters both steps through its
//! annotator's one confusion matrix, as crowd-kit sums repeated rows.
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
//! Layout (`em.rs`): rows are grouped by item (CSR); each observation is
//! one `u32` key `annotator * 5 + label` into a flat table of `[f64; 5]`
//! rows (the log-confusion of that annotator and answer, over true
//! classes), so both steps are straight passes over flat arrays. The
//! loss costs no pass of its own: its first sum is linear in `T`, so it
//! is taken by key from the answer counts the E-step sums for the M-step,
//! and the entropy of `T` is the E-step's log-likelihood less the expected
//! log joint under the same parameters (`ln L = E_T[ln joint] + H(T)`).
//! The E-step (`e_step.rs`) takes the items in two fixed halves with
//! sums of their own, on two threads natively for large inputs: the bits
//! are the same on one thread or two. It keeps no posteriors while EM
//! runs (only their sums); once the run stops, the last E-step is run
//! again with the parameters it used, and its posteriors are kept. The
//! logs of the loss's clipped entries and of the confusion matrices are
//! taken in loops of their own, by `math::ln_positive` (libm's steps, so
//! libm's bits), which the compiler vectorises.

mod e_step;
mod em;

use super::Votes;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::label::{Label, K};
use em::Em;
use serde::Serialize;

/// Items with at most this many labels have their E-step products formed
/// directly rather than as sums of logs (see `Em::e_step`).
pub const LINEAR_MAX_LABELS: usize = 16;

/// Lower clip of counts and priors before taking logs (crowd-kit's `_EPS`).
pub const EPS: f64 = 1e-10;

/// Most EM iterations a config may ask for: each is a pass over every
/// annotation, so a larger number would let a few bytes of settings cost
/// hours (the default, as crowd-kit's, is 100).
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
        let log_likelihood = em.e_step();
        history.push(log_likelihood);
        let entropy = em.entropy(log_likelihood);
        em.normalize();
        let new_loss = em.evidence_lower_bound(entropy) / n_obs;
        loss_history.push(new_loss);
        iterations = it;
        if new_loss - loss < config.tolerance {
            converged = true;
            break;
        }
        loss = new_loss;
    }
    if iterations > 0 {
        em.posteriors();
    }
    Ok(em.finish(history, loss_history, iterations, converged))
}
