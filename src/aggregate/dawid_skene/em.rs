//! The EM state of [`super::fit_votes`] over flat arrays, and its steps
//! (the formulas are in the docs of [`super`]).

// Loops over the five classes index several arrays at once, as the
// paper's formulas do; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

use super::e_step::{add_answers, Params};
use super::{Config, Fit, EPS};
use crate::aggregate::{pick, Votes};
use crate::dataset::group;
use crate::label::{Label, K};

/// EM state over flat arrays.
pub(super) struct Em {
    eps: f64,
    /// CSR offsets of observations by item.
    offsets: Vec<u32>,
    /// `annotator * K + label` per observation, in CSR order.
    key: Vec<u32>,
    /// Gold class held per item (only items with votes).
    held: Vec<Option<u8>>,
    /// `T_i` per item (zeros for items without votes): the starting vote
    /// shares, until [`Em::posteriors`] stores the last E-step's (the
    /// E-step itself stores none).
    t: Vec<[f64; K]>,
    /// Items with at least one vote.
    n_active: usize,
    n_annotators: usize,
    /// `sum_i T_ij n_il^(k)` by key, over `j`.
    counts: Vec<[f64; K]>,
    /// The same sums over the second half of the items, during an E-step.
    second_counts: Vec<[f64; K]>,
    /// Whether annotator `k` ever answered `l`, by key.
    used: Vec<bool>,
    /// `pi_jl^(k)` by key `k * K + l`, over `j`.
    pi: Vec<[f64; K]>,
    /// `ln pi_jl^(k)`, same layout.
    log_pi: Vec<[f64; K]>,
    /// `pi`, `ln pi`, `p` and `ln p` as they were before the last
    /// [`Em::normalize`]: those the last E-step used (see
    /// [`Em::posteriors`]).
    last: Last,
    /// Classes in play: labels someone used, and gold labels held.
    classes: [bool; K],
    /// `sum_i T_ij`.
    sum: [f64; K],
    /// `sum_i m_i T_ij` (`m_i` labels on item `i`): the weight of `ln p_j`
    /// in crowd-kit's loss, which counts the prior once per label.
    per_label: [f64; K],
    /// What clipping `T` at `eps` adds to its entropy: the sum over the
    /// entries below `eps` of `T ln T - eps ln eps`.
    clip: f64,
    /// Room for the entries of `T` below `eps` in one E-step (at most
    /// `K` an item), whose `T ln T` make up `clip`.
    below_eps: Vec<f64>,
    priors: [f64; K],
    log_priors: [f64; K],
}

/// The parameters of [`Em`] before its last [`Em::normalize`].
struct Last {
    pi: Vec<[f64; K]>,
    log_pi: Vec<[f64; K]>,
    priors: [f64; K],
    log_priors: [f64; K],
}

impl Em {
    pub(super) fn new(config: &Config, v: &Votes) -> Em {
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
            second_counts: vec![[0.0; K]; v.n_annotators * K],
            used,
            pi: vec![[0.0; K]; v.n_annotators * K],
            log_pi: vec![[0.0; K]; v.n_annotators * K],
            last: Last {
                pi: vec![[0.0; K]; v.n_annotators * K],
                log_pi: vec![[0.0; K]; v.n_annotators * K],
                priors: [0.0; K],
                log_priors: [0.0; K],
            },
            classes,
            sum: [0.0; K],
            per_label: [0.0; K],
            clip: 0.0,
            below_eps: vec![0.0; v.n_items * K],
            priors: [0.0; K],
            log_priors: [0.0; K],
        }
    }

    pub(super) fn one_hot(j: u8) -> [f64; K] {
        let mut t = [0.0; K];
        t[j as usize % K] = 1.0;
        t
    }

    /// Majority vote as vote shares; gold items one-hot.
    pub(super) fn start(&mut self) {
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
    pub(super) fn accumulate(&mut self) {
        self.sum = [0.0; K];
        for c in &mut self.counts {
            *c = [0.0; K];
        }
        for (w, t) in self.offsets.windows(2).zip(&self.t) {
            for j in 0..K {
                self.sum[j] += t[j];
            }
            add_answers(&mut self.counts, &self.key[w[0] as usize..w[1] as usize], t);
        }
    }

    /// Paper eq. 2.3 and 2.4 from the accumulated sums, with counts and
    /// priors clipped at `eps`; the parameters they replace are kept in
    /// `last`.
    pub(super) fn normalize(&mut self) {
        self.swap_last();
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
                    self.pi[key][j] = if self.used[key] {
                        self.counts[key][j].max(self.eps) / total[j]
                    } else {
                        0.0
                    };
                }
            }
        }
        // A loop of its own, without branches, so that it is vectorised.
        let pi = self.pi.as_flattened();
        for (lp, &p) in self.log_pi.as_flattened_mut().iter_mut().zip(pi) {
            let l = crate::math::ln_positive(p);
            *lp = if p > 0.0 { l } else { 0.0 };
        }
    }

    /// Exchanges the parameters with those in `last`.
    fn swap_last(&mut self) {
        std::mem::swap(&mut self.pi, &mut self.last.pi);
        std::mem::swap(&mut self.log_pi, &mut self.last.log_pi);
        std::mem::swap(&mut self.priors, &mut self.last.priors);
        std::mem::swap(&mut self.log_priors, &mut self.last.log_priors);
    }

    /// Paper eq. 2.5, fused with the sums of the next M-step (see
    /// [`Em::accumulate`]); returns the log-likelihood of the parameters it
    /// used. The posteriors themselves are not stored (writing 40 bytes an
    /// item each time cost a step 5-10% on a million labels):
    /// [`Em::posteriors`] forms them once, at the end.
    ///
    /// The items are taken in two fixed halves, each with its own sums,
    /// added together after: natively, on a large input, the halves run
    /// on two threads; everywhere else one after the other, so the result
    /// is the same bits either way (and in WebAssembly).
    pub(super) fn e_step(&mut self) -> f64 {
        self.e_step_on(Self::threads(self.key.len()), false)
    }

    /// Whether the E-step's halves run on two threads for `labels` labels
    /// (never in WebAssembly).
    fn threads(labels: usize) -> bool {
        !cfg!(target_arch = "wasm32") && labels >= super::e_step::PARALLEL_MIN_LABELS
    }

    /// Stores the posteriors of the last E-step: runs it again with the
    /// parameters it used (the same bits, and the same sums, which it
    /// writes again). Call it once, after the last [`Em::normalize`], and
    /// only if an E-step ran.
    pub(super) fn posteriors(&mut self) {
        self.swap_last();
        self.e_step_on(Self::threads(self.key.len()), true);
        self.swap_last();
    }

    /// [`Em::e_step`], its halves on two threads or not (one, always, in
    /// WebAssembly), storing the posteriors in `t` or not.
    fn e_step_on(&mut self, threads: bool, store: bool) -> f64 {
        let Em {
            eps,
            offsets,
            key,
            held,
            t,
            counts,
            second_counts,
            pi,
            log_pi,
            classes,
            priors,
            log_priors,
            below_eps,
            ..
        } = self;
        let params = Params {
            eps: *eps,
            offsets,
            key,
            held,
            pi,
            log_pi,
            classes,
            priors,
            log_priors,
        };
        let (n, mid) = (t.len(), t.len() / 2);
        let (first_t, second_t) = t.split_at_mut(mid);
        let (first_t, second_t) = (store.then_some(first_t), store.then_some(second_t));
        let (first_below, second_below) = below_eps.split_at_mut(mid * K);
        let params = &params;
        let first = move || params.half(0..mid, first_t, counts, first_below);
        let second = move || params.half(mid..n, second_t, second_counts, second_below);
        #[cfg(not(target_arch = "wasm32"))]
        let (a, b) = if threads {
            std::thread::scope(|s| {
                let b = s.spawn(second);
                let a = first();
                // The half does only arithmetic on checked indices; were
                // it to panic all the same, the panic goes on here.
                (a, b.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            })
        } else {
            (first(), second())
        };
        #[cfg(target_arch = "wasm32")]
        let (a, b) = {
            let _ = threads;
            (first(), second())
        };
        for (c, d) in self.counts.iter_mut().zip(&self.second_counts) {
            for j in 0..K {
                c[j] += d[j];
            }
        }
        for j in 0..K {
            self.sum[j] = a.sum[j] + b.sum[j];
            self.per_label[j] = a.per_label[j] + b.per_label[j];
        }
        self.clip = a.clip + b.clip;
        a.log_likelihood + b.log_likelihood
    }

    /// `sum_j w_j ln p_j + sum_i sum_j T_ij sum_k ln pi_{j, l_ik}^(k)` over
    /// the classes in play, with `T` the posteriors of the last E-step and
    /// the current parameters. The second sum is taken by key from the
    /// E-step's `counts` (`sum_i T_ij n_il^(k)`), so this costs
    /// `annotators x 25` steps, not a pass over the labels.
    fn expected_log_joint(&self, prior_weight: &[f64; K]) -> f64 {
        let mut q = 0.0;
        for j in (0..K).filter(|&j| self.classes[j]) {
            q += prior_weight[j] * self.log_priors[j];
            for ((c, lp), used) in self.counts.iter().zip(&self.log_pi).zip(&self.used) {
                if *used {
                    q += c[j] * lp[j];
                }
            }
        }
        q
    }

    /// The entropy of the last E-step's posteriors, clipped at `eps` as
    /// crowd-kit's loss takes it. Call it before [`Em::normalize`]: with `T`
    /// the posteriors under the parameters `theta` that produced them,
    /// `ln L(theta) = E_T[ln P(labels, classes | theta)] + H(T)` (the
    /// E-step's lower bound is tight), so `H(T)` is the log-likelihood the
    /// E-step returned less the expected log joint under `theta`, the prior
    /// counted once per item.
    pub(super) fn entropy(&self, log_likelihood: f64) -> f64 {
        log_likelihood - self.expected_log_joint(&self.sum) + self.clip
    }

    /// crowd-kit's loss (before dividing by the number of labels), once
    /// [`Em::normalize`] has run: the expected complete-data log-likelihood
    /// under `T` with the new parameters, the prior counted once per label,
    /// plus `entropy` (from [`Em::entropy`]); over the classes in play.
    pub(super) fn evidence_lower_bound(&self, entropy: f64) -> f64 {
        self.expected_log_joint(&self.per_label) + entropy
    }

    pub(super) fn finish(
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
