//! One E-step of [`super::em::Em`] over a range of items (paper eq. 2.5,
//! fused with the sums of the next M-step): the E-step runs it on two
//! fixed halves of the items.

// Loops over the five classes index several arrays at once, as the
// paper's formulas do; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

use super::em::Em;
use super::LINEAR_MAX_LABELS;
use crate::label::K;

/// Inputs at least this many labels long have their E-step halves run on
/// two threads (natively).
pub(super) const PARALLEL_MIN_LABELS: usize = 1 << 16;

/// Adds an item's `T_i` to the counts of its answers `obs` (keys), the
/// sums `sum_i T_ij n_il^(k)` of paper eq. 2.3.
#[inline]
pub(super) fn add_answers(counts: &mut [[f64; K]], obs: &[u32], t: &[f64; K]) {
    for &k in obs {
        let c = &mut counts[k as usize];
        for j in 0..K {
            c[j] += t[j];
        }
    }
}

/// What an E-step reads: the data and the current parameters.
pub(super) struct Params<'e> {
    pub eps: f64,
    pub offsets: &'e [u32],
    pub key: &'e [u32],
    pub held: &'e [Option<u8>],
    pub pi: &'e [[f64; K]],
    pub log_pi: &'e [[f64; K]],
    pub classes: &'e [bool; K],
    pub priors: &'e [f64; K],
    pub log_priors: &'e [f64; K],
}

/// The sums of one half of an E-step.
#[derive(Default)]
pub(super) struct Half {
    pub sum: [f64; K],
    pub per_label: [f64; K],
    pub clip: f64,
    pub log_likelihood: f64,
}

impl Params<'_> {
    /// The E-step over the items in `items`: their posteriors into
    /// `posteriors` (one row an item) if given, their answers' sums into `counts`
    /// (zeroed first), and their sums for the loss. `below` has room for
    /// `K` entries an item.
    ///
    /// The products `p_j prod_k pi` are formed directly when the item has
    /// at most [`LINEAR_MAX_LABELS`] labels and the result stays above
    /// 1e-150 (every factor is at least about `eps` / number of items, so
    /// nothing underflows), and in log space with the max-shift otherwise.
    /// Both give the same posteriors up to rounding; the direct form saves
    /// an `exp` per class and item. Likewise the log-likelihood multiplies
    /// item likelihoods together and takes a log only when the product
    /// falls below 1e-150.
    pub(super) fn half(
        &self,
        items: std::ops::Range<usize>,
        mut posteriors: Option<&mut [[f64; K]]>,
        counts: &mut [[f64; K]],
        below: &mut [f64],
    ) -> Half {
        let mut out = Half::default();
        let eps = self.eps;
        let mut n_below = 0;
        for c in counts.iter_mut() {
            *c = [0.0; K];
        }
        let (mut ll, mut product) = (0.0, 1.0f64);
        let offsets = self
            .offsets
            .get(items.start..=items.end)
            .unwrap_or_default();
        let held = self.held.get(items).unwrap_or_default();
        for (i, (w, held)) in offsets.windows(2).zip(held).enumerate() {
            let obs = &self.key[w[0] as usize..w[1] as usize];
            if obs.is_empty() {
                continue;
            }
            let t = &mut [0.0; K];
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
                    let mut lik = *self.priors;
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
                        let mut acc = *self.log_priors;
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
            let m_i = obs.len() as f64;
            for j in 0..K {
                out.sum[j] += t[j];
                out.per_label[j] += m_i * t[j];
            }
            for j in 0..K {
                // Kept without a branch: which entries fall below `eps` is
                // too irregular to predict.
                below[n_below] = t[j];
                n_below += usize::from(self.classes[j] & (t[j] < eps));
            }
            add_answers(counts, obs, t);
            if let Some(row) = posteriors.as_deref_mut().and_then(|p| p.get_mut(i)) {
                *row = *t;
            }
        }
        // `0 ln 0` is 0: a zero meets the smallest normal double's log.
        // The terms are formed in place first, a loop the compiler can
        // vectorise, and then summed in order.
        let eps_ln_eps = eps * crate::math::ln(eps);
        let below = &mut below[..n_below];
        for x in below.iter_mut() {
            *x = *x * crate::math::ln_positive(x.max(f64::MIN_POSITIVE)) - eps_ln_eps;
        }
        for &term in below.iter() {
            out.clip += term;
        }
        out.log_likelihood = ll + crate::math::ln(product);
        out
    }
}
