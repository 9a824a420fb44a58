//! Position bias: does an annotator favour the response shown on the left?
//!
//! Of an annotator's non-tie choices, the share that went to the response
//! shown on the left (the shown label's side is A, where the shown label is
//! `label.unflip(swapped)`). Without position bias and with the pair order
//! randomised, that count is Binomial(n, 1/2); the p-value is the exact
//! two-sided binomial test, as `scipy.stats.binomtest(k, n, 0.5)` computes
//! it: the total probability of every outcome no more likely than the one
//! seen, which for p = 1/2 is `min(1, 2 P(X <= min(k, n - k)))`.

use serde::Serialize;

/// Position bias figures of one annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionBias {
    /// Non-tie choices of the response shown on the left.
    pub left: u32,
    /// Non-tie choices in all (`left` + right).
    pub decided: u32,
    /// `left / decided`; `null` when every choice was a tie.
    pub share_left: Option<f64>,
    /// Exact two-sided binomial test of `share_left` against 1/2; `null`
    /// when every choice was a tie.
    pub p_value: Option<f64>,
}

impl PositionBias {
    /// The figures for `left` of `decided` non-tie choices.
    pub fn new(left: u32, decided: u32) -> PositionBias {
        let left = left.min(decided);
        PositionBias {
            left,
            decided,
            share_left: (decided > 0).then(|| left as f64 / decided as f64),
            p_value: (decided > 0).then(|| binomial_two_sided_half(left as u64, decided as u64)),
        }
    }
}

/// `ln n!`: exact sums below 32, Stirling's series above (error under
/// 1e-16 there: the first omitted term is 1/(1188 n^9)).
pub fn ln_factorial(n: u64) -> f64 {
    if n < 32 {
        return (2..=n).map(|i| crate::math::ln(i as f64)).sum();
    }
    let x = n as f64;
    let x2 = x * x;
    x * crate::math::ln(x) - x
        + 0.5 * crate::math::ln(2.0 * std::f64::consts::PI * x)
        + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
        - 1.0 / (1680.0 * x * x2 * x2 * x2)
}

/// `ln C(n, k)`.
pub fn ln_choose(n: u64, k: u64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k.min(n))
}

/// Exact two-sided binomial p-value of `k` successes in `n` trials against
/// p = 1/2, in log space: `2 sum_{i <= m} C(n, i) / 2^n` with
/// `m = min(k, n - k)`, capped at 1. The tail is summed from `i = m`
/// downwards as ratios to its largest term
/// (`C(n, i - 1) / C(n, i) = i / (n - i + 1)`), stopping once a term no
/// longer changes the sum, so it takes O(min(m, sqrt(n) log n)) steps.
pub fn binomial_two_sided_half(k: u64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let m = k.min(n - k.min(n));
    if 2 * m >= n {
        return 1.0;
    }
    let ln_top = ln_choose(n, m) - n as f64 * std::f64::consts::LN_2;
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    let mut i = m;
    while i > 0 {
        term *= i as f64 / (n - i + 1) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        i -= 1;
    }
    crate::math::exp(std::f64::consts::LN_2 + ln_top + crate::math::ln(sum)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact p-value from integer binomial coefficients (n <= 100).
    fn exact(k: u64, n: u64) -> f64 {
        let mut c = vec![1u128; 1];
        for row in 1..=n {
            let mut next = vec![1u128; row as usize + 1];
            for i in 1..row as usize {
                next[i] = c[i - 1] + c[i];
            }
            c = next;
        }
        let m = k.min(n - k) as usize;
        if 2 * m as u64 >= n {
            return 1.0;
        }
        let tail: u128 = c[..=m].iter().sum();
        (2.0 * tail as f64 / crate::math::pow(2.0, n as f64)).min(1.0)
    }

    #[test]
    fn small_cases_match_hand_computed_binomial_tails() {
        // 1 of 10: 2 * (1 + 10) / 1024 = 0.021484375
        // (scipy.stats.binomtest(1, 10).pvalue gives the same).
        assert!((binomial_two_sided_half(1, 10) - 22.0 / 1024.0).abs() < 1e-15);
        // 15 of 20: 2 * (15504 + 4845 + 1140 + 190 + 20 + 1) / 2^20.
        let p = binomial_two_sided_half(15, 20);
        assert!((p - 43400.0 / 1048576.0).abs() < 1e-15, "{p}");
        assert_eq!(binomial_two_sided_half(5, 10), 1.0);
        assert_eq!(binomial_two_sided_half(0, 0), 1.0);
        // 0 of 1: 2 * 1/2 = 1.
        assert_eq!(binomial_two_sided_half(0, 1), 1.0);
    }

    #[test]
    fn the_log_space_sum_matches_integer_arithmetic_up_to_n_100() {
        for n in [1u64, 2, 7, 31, 32, 33, 60, 99, 100] {
            for k in 0..=n {
                let (a, b) = (binomial_two_sided_half(k, n), exact(k, n));
                assert!(
                    (a - b).abs() <= 1e-12 * b.max(1e-300),
                    "k={k} n={n}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn large_counts_give_finite_tiny_p_values_without_underflow_trouble() {
        let p = binomial_two_sided_half(600_000, 1_000_000);
        assert!((0.0..1e-300).contains(&p) || p == 0.0);
        // 5100 of 10000: 2 * sum_{i <= 4900} C(10000, i) / 2^10000
        // = 0.04658552770494739 (Python: exact integers, math.comb).
        let p = binomial_two_sided_half(5100, 10000);
        assert!((p - 0.04658552770494739).abs() < 1e-12, "{p}");
        // ln C(1000, 500) = lgamma(1001) - 2 lgamma(501) = 689.467261567851.
        assert!((ln_choose(1000, 500) - 689.467261567851).abs() < 1e-9);
    }

    #[test]
    fn only_ties_leave_the_share_undefined() {
        let b = PositionBias::new(0, 0);
        assert_eq!((b.share_left, b.p_value), (None, None));
        let b = PositionBias::new(3, 4);
        assert_eq!(b.share_left, Some(0.75));
    }
}
