//! Synthetic workloads for the selection benchmark, shared by the native
//! `examples/bench_active.rs` and the WebAssembly run of the same workload.

use super::embed::Matrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` random examples with `dim`-dimensional embeddings, seeded: reward
/// scores `score_a`, `score_b` uniform in [-2, 2], embedding values uniform
/// in [-1, 1]. Returns `(scores, embeddings)`.
pub fn synthetic_parts(n: usize, dim: usize, seed: u64) -> (Vec<(f64, f64)>, Matrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let scores = (0..n)
        .map(|_| (rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)))
        .collect();
    let data: Vec<f32> = (0..n * dim)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    let emb = Matrix::new(dim.max(1), data).unwrap_or_else(|_| unreachable!());
    (scores, emb)
}
