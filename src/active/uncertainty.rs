//! Uncertainty sampling: label the pairs the reward model cannot tell apart.
//!
//! For a pair with reward scores `s_a` and `s_b`,
//!
//! ```text
//! u = 1 / (1 + |s_a - s_b|)
//! ```
//!
//! which is 1 when the scores are equal and falls towards 0 as the gap
//! grows (a margin-based uncertainty: Lewis & Gale 1994, "A sequential
//! algorithm for training text classifiers", doi:10.1007/978-1-4471-2099-5_1;
//! Settles 2009, "Active Learning Literature Survey", §3.1).

/// Uncertainty of a pair with reward scores `score_a` and `score_b`.
///
/// ```
/// use prefkit::active::uncertainty::uncertainty;
/// assert_eq!(uncertainty(0.3, 0.3), 1.0);
/// assert_eq!(uncertainty(2.0, 1.0), 0.5);
/// ```
pub fn uncertainty(score_a: f64, score_b: f64) -> f64 {
    1.0 / (1.0 + (score_a - score_b).abs())
}

/// The indices of up to `budget` of `candidates` with the highest
/// uncertainty `u[i]`, most uncertain first; equal values keep their order
/// in `candidates` (a stable sort).
pub fn top_uncertain(u: &[f64], candidates: &[usize], budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = candidates.to_vec();
    order.sort_by(|&i, &j| u[j].total_cmp(&u[i]));
    order.truncate(budget);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncertainty_picks_the_smallest_gaps() {
        let scores = [
            (1.0, 3.0),   // gap 2
            (0.5, 0.45),  // gap 0.05
            (-1.0, 4.0),  // gap 5
            (2.0, 2.2),   // gap 0.2
            (0.0, 0.0),   // gap 0
            (7.0, 6.0),   // gap 1
            (0.1, -0.05), // gap 0.15
        ];
        let u: Vec<f64> = scores.iter().map(|&(a, b)| uncertainty(a, b)).collect();
        let all: Vec<usize> = (0..scores.len()).collect();
        assert_eq!(top_uncertain(&u, &all, 3), vec![4, 1, 6]);
        assert_eq!(top_uncertain(&u, &all, 100).len(), scores.len());
        // Excluded candidates are never picked.
        assert_eq!(top_uncertain(&u, &[0, 2, 5], 2), vec![5, 0]);
    }

    #[test]
    fn equal_gaps_keep_the_input_order() {
        let u = [0.5, 0.9, 0.5, 0.9, 0.5];
        assert_eq!(top_uncertain(&u, &[0, 1, 2, 3, 4], 4), vec![1, 3, 0, 2]);
    }
}
