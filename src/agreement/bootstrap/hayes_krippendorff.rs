//! Hayes & Krippendorff's bootstrap of alpha (Hayes, A. F. &
//! Krippendorff, K. (2007), Answering the call for a standard reliability
//! measure for coding data, Communication Methods and Measures 1(1):77-89,
//! doi:10.1080/19312450709336664; the algorithm of their KALPHA macro,
//! version 3.0, and Krippendorff's "Algorithm for bootstrapping a
//! distribution of alpha", 2006, revised 2011). It resamples pairs of
//! values, not items:
//!
//! ```text
//! D_e   = sum_ck e_ck delta_ck / n                 expected disagreement, held fixed
//! p_ck  = o_ck / n (c = k),  2 o_ck / n (c < k)    one segment of [0, 1) per cell
//! Q     = number of cells with o_ck > 0
//! M     = min(25 Q, floor((m - 1) n / 2))          draws per resample; m observers
//! alpha_b = 1 - sum_{r=1..M} delta(R_r) / (M D_e), R_r uniform on [0, 1)
//! ```
//!
//! with `alpha_b < -1` set to -1; when a resample gives `alpha_b = 1` and
//! only one value has matches (`o_cc > 0` for one `c`), it is set to 0;
//! otherwise up to `round(B sum_c (o_cc / n)^P)` (`P` the number of pairs
//! of values within units) of the resamples with `alpha_b = 1` are set to
//! 0, the first ones drawn. The interval is the `trunc(B (1 - level)/2)`-th
//! and the `(trunc(B (1 + level)/2) + 1)`-th smallest `alpha_b` (1-based,
//! the macro's 25th and 976th of 1,000), and `q` the share of `alpha_b`
//! below `min_alpha` (default 0.667): the probability of failing to reach
//! that minimum. `M` is capped at `25 Q` (at most 625 here), so on large
//! data this interval does not narrow with more items as the item
//! bootstrap does; it is reported beside it as the macro's figure.

use super::{AlphaBootstrap, CiConfig};
use crate::agreement::krippendorff::{coincidences, distances, krippendorff_alpha, Level};
use crate::agreement::pairwise::PairCounts;
use crate::agreement::tally::Tallies;
use crate::label::K;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Hayes & Krippendorff's bootstrap of alpha at `level` (see the module
/// docs above); the draws are ChaCha8 seeded with the seed, on its own `stream`.
pub(crate) fn hayes_krippendorff(
    t: &Tallies,
    observers: usize,
    level: Level,
    config: &CiConfig,
    stream: u64,
) -> std::result::Result<AlphaBootstrap, String> {
    krippendorff_alpha(t, level)?;
    let o = coincidences(t);
    let n_c = t.totals();
    let n: u64 = n_c.iter().sum();
    let delta = distances(level, &n_c);
    let n = n as f64;
    // D_e = sum_ck e_ck delta_ck / n.
    let mut d_e = 0.0;
    for c in 0..K {
        for k in 0..K {
            let e = (n_c[c] as f64 * n_c[k] as f64 - if c == k { n_c[c] as f64 } else { 0.0 })
                / (n - 1.0);
            d_e += e * delta[c * K + k];
        }
    }
    d_e /= n;
    // Cumulative p_ck over c <= k, row by row, with each cell's delta.
    let mut cells: Vec<(f64, f64)> = Vec::with_capacity(K * (K + 1) / 2);
    let mut cumulative = 0.0;
    for c in 0..K {
        for k in c..K {
            let p = if c == k {
                o[c * K + k]
            } else {
                2.0 * o[c * K + k]
            } / n;
            cumulative += p;
            cells.push((cumulative, delta[c * K + k]));
        }
    }
    let q_cells = o.iter().filter(|&&x| x > 0.0).count() as f64;
    let n_zero = (0..K).filter(|&c| o[c * K + c] > 0.0).count();
    let pairs = PairCounts::from_tallies(t).pairs as f64;
    let m = (25.0 * q_cells).min(((observers.max(1) - 1) as f64 * n / 2.0).floor());
    if m < 1.0 {
        return Err("fewer than two observers, so no pair of values can be drawn".to_string());
    }
    let draws = m as u64;
    let b = config.resamples as usize;
    let nx = (b as f64
        * (0..K)
            .map(|c| crate::math::pow(o[c * K + c] / n, pairs))
            .sum::<f64>())
    .round() as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(stream);
    let mut alphas = Vec::with_capacity(b);
    let mut ones = Vec::new();
    for z in 0..b {
        let mut sum = 0.0;
        for _ in 0..draws {
            let r: f64 = rng.random();
            let cell = cells.iter().find(|(cum, _)| r < *cum).or(cells.last());
            sum += cell.map_or(0.0, |c| c.1);
        }
        let mut alpha = 1.0 - sum / (d_e * m);
        if alpha < -1.0 {
            alpha = -1.0;
        }
        if alpha == 1.0 && n_zero == 1 {
            alpha = 0.0;
        }
        if alpha == 1.0 && n_zero > 1 {
            ones.push(z);
        }
        alphas.push(alpha);
    }
    // The macro's correction: as many perfect resamples as expected by
    // chance alone (nx) become 0, the first ones drawn.
    if nx > 0 && n_zero > 1 {
        for &z in ones.iter().take(nx) {
            alphas[z] = 0.0;
        }
    }
    let q = alphas.iter().filter(|&&a| a < config.min_alpha).count() as f64 / b as f64;
    alphas.sort_by(f64::total_cmp);
    let lower = (1.0 - config.level) / 2.0;
    let lo = ((lower * b as f64).trunc() as usize).clamp(1, b);
    let hi = (((1.0 - lower) * b as f64).trunc() as usize + 1).clamp(1, b);
    Ok(AlphaBootstrap {
        interval: [alphas[lo - 1], alphas[hi - 1]],
        q,
        draws,
    })
}
