//! Unit tests of the hybrid selection against a brute-force reference of
//! the same greedy rule, ties included, and of its edge cases.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The same greedy rule, recomputing every distance to the whole
/// selected set at every step, in f64, with no running state.
fn brute_force(
    rows: &[Vec<f32>],
    u: &[f64],
    labelled: &[bool],
    budget: usize,
    w: Weights,
) -> Vec<usize> {
    let dist = |a: &[f32], b: &[f32]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let mut chosen: Vec<usize> = (0..rows.len()).filter(|&i| labelled[i]).collect();
    let mut picks = Vec::new();
    while picks.len() < budget {
        let remaining: Vec<usize> = (0..rows.len()).filter(|i| !chosen.contains(i)).collect();
        if remaining.is_empty() {
            break;
        }
        let d: Vec<f64> = remaining
            .iter()
            .map(|&i| {
                chosen
                    .iter()
                    .map(|&s| dist(&rows[i], &rows[s]))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let d_max = d.iter().cloned().fold(0.0, f64::max);
        let mut best = (usize::MAX, f64::NEG_INFINITY);
        for (k, &i) in remaining.iter().enumerate() {
            let term = if chosen.is_empty() {
                1.0
            } else if d_max > 0.0 {
                d[k] / d_max
            } else {
                0.0
            };
            let s = w.uncertainty * u[i] + w.distance * term;
            if s > best.1 {
                best = (i, s);
            }
        }
        picks.push(best.0);
        chosen.push(best.0);
    }
    picks
}

fn random_case(seed: u64, n: usize, dim: usize) -> (Vec<Vec<f32>>, Vec<f64>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows: Vec<Vec<f32>> = (0..n)
        .map(|_| (0..dim).map(|_| rng.random_range(-1.0f32..1.0)).collect())
        .collect();
    let u: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..1.0)).collect();
    let labelled: Vec<bool> = (0..n).map(|_| rng.random_bool(0.1)).collect();
    (rows, u, labelled)
}

#[test]
fn hybrid_equals_a_brute_force_reference_on_small_inputs() {
    for seed in 0..30u64 {
        let n = 20 + (seed as usize * 7) % 40;
        let dim = 1 + (seed as usize * 5) % 19;
        let (rows, u, labelled) = random_case(seed, n, dim);
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let emb = Matrix::new(dim, flat).unwrap();
        for (budget, w) in [
            (10, Weights::default()),
            (n, Weights::default()),
            (
                7,
                Weights {
                    uncertainty: 0.0,
                    distance: 1.0,
                },
            ),
            (
                7,
                Weights {
                    uncertainty: 1.0,
                    distance: 0.0,
                },
            ),
        ] {
            let fast: Vec<usize> = select(&emb, &u, &labelled, budget, w)
                .iter()
                .map(|p| p.index)
                .collect();
            let slow = brute_force(&rows, &u, &labelled, budget, w);
            assert_eq!(fast, slow, "seed {seed}, n {n}, dim {dim}, budget {budget}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Small integer coordinates and a few uncertainty values make many
    /// exact ties (duplicate rows, equal distances, equal scores), all
    /// computed exactly in f32 and f64 alike, so the order of picks,
    /// tie-breaking included, must match exactly.
    #[test]
    fn hybrid_breaks_exact_ties_like_the_brute_force_reference(
        dim in 1usize..4,
        cells in proptest::collection::vec((0u8..3, 0u8..3, proptest::bool::weighted(0.15)), 1..90),
        budget in 1usize..40,
        w_u in proptest::sample::select(vec![0.0, 0.5, 0.6, 1.0]),
    ) {
        let n = cells.len() / dim;
        proptest::prop_assume!(n > 0);
        let rows: Vec<Vec<f32>> = (0..n)
            .map(|i| (0..dim).map(|k| f32::from(cells[i * dim + k].0)).collect())
            .collect();
        let u: Vec<f64> = (0..n).map(|i| [0.25, 0.5, 1.0][usize::from(cells[i * dim].1)]).collect();
        let labelled: Vec<bool> = (0..n).map(|i| cells[i * dim].2).collect();
        let w = Weights { uncertainty: w_u, distance: 1.0 - w_u };
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let emb = Matrix::new(dim, flat).unwrap();
        let fast: Vec<usize> = select(&emb, &u, &labelled, budget, w).iter().map(|p| p.index).collect();
        proptest::prop_assert_eq!(fast, brute_force(&rows, &u, &labelled, budget, w));
    }
}

#[test]
fn the_first_pick_with_nothing_labelled_is_the_most_uncertain() {
    let emb = Matrix::new(1, vec![0.0, 5.0, 10.0]).unwrap();
    let picks = select(&emb, &[0.2, 0.9, 0.3], &[false; 3], 3, Weights::default());
    assert_eq!(picks[0].index, 1);
    assert_eq!(picks[0].distance, None);
    assert_eq!(picks[0].distance_term, 1.0);
    // Then 0 and 10 are both 5 away; 2 is more uncertain.
    assert_eq!(picks[1].index, 2);
    assert_eq!(picks[1].distance, Some(5.0));
}

#[test]
fn labelled_examples_are_skipped_but_push_new_picks_away() {
    // Rows 0 and 1 are close together; 2 is far. Row 0 is labelled, so
    // with distance alone the far row comes first.
    let emb = Matrix::new(1, vec![0.0, 0.1, 10.0]).unwrap();
    let w = Weights {
        uncertainty: 0.0,
        distance: 1.0,
    };
    let picks = select(&emb, &[0.0; 3], &[true, false, false], 5, w);
    let order: Vec<usize> = picks.iter().map(|p| p.index).collect();
    assert_eq!(order, vec![2, 1]);
}
