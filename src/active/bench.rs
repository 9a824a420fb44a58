//! Synthetic workloads for the selection benchmark, shared by the native
//! `examples/bench_active.rs` and the WebAssembly run of the same workload,
//! so both time exactly the same request.

use super::select::{Candidate, FlatEmbeddings, SelectRequest, Strategy};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A hybrid [`SelectRequest`] over `n` seeded random examples (ids
/// `ex-0`, `ex-1`, ...; no prompts) with reward scores `score_a`, `score_b`
/// uniform in [-2, 2] and flat `dim`-dimensional embeddings uniform in
/// [-1, 1], default weights, budget `budget`.
///
/// Uniform random points in many dimensions are nearly equidistant, the
/// hardest case for the pruning in [`super::hybrid::select`]; see
/// [`synthetic_clustered`] for data shaped more like real embeddings.
pub fn synthetic(n: usize, dim: usize, budget: usize, seed: u64) -> SelectRequest {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let examples = candidates(n, &mut rng);
    let data = (0..n * dim)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    request(examples, dim, data, budget)
}

/// Like [`synthetic`], but each embedding is one of `clusters` random unit
/// directions plus Gaussian-like noise (sum of uniforms) of norm about 0.5,
/// then scaled to unit length: a crude stand-in for sentence embeddings of
/// prompts on a few topics.
pub fn synthetic_clustered(
    n: usize,
    dim: usize,
    clusters: usize,
    budget: usize,
    seed: u64,
) -> SelectRequest {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let examples = candidates(n, &mut rng);
    let clusters = clusters.max(1);
    let mut centres = vec![0.0f32; clusters * dim];
    for c in centres.chunks_mut(dim.max(1)) {
        c.iter_mut()
            .for_each(|v| *v = rng.random_range(-1.0f32..1.0));
        unit(c);
    }
    let noise = 0.5 / (dim.max(1) as f32).sqrt();
    let mut data = Vec::with_capacity(n * dim);
    let mut row = vec![0.0f32; dim];
    for _ in 0..n {
        let c = rng.random_range(0..clusters);
        for (k, v) in row.iter_mut().enumerate() {
            let g: f32 = (0..3).map(|_| rng.random_range(-1.0f32..1.0)).sum();
            *v = centres[c * dim + k] + noise * g;
        }
        unit(&mut row);
        data.extend_from_slice(&row);
    }
    request(examples, dim, data, budget)
}

fn unit(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

fn candidates(n: usize, rng: &mut ChaCha8Rng) -> Vec<Candidate> {
    (0..n)
        .map(|i| Candidate {
            id: format!("ex-{i}"),
            prompt: String::new(),
            score_a: Some(rng.random_range(-2.0..2.0)),
            score_b: Some(rng.random_range(-2.0..2.0)),
            embedding: None,
        })
        .collect()
}

fn request(examples: Vec<Candidate>, dim: usize, data: Vec<f32>, budget: usize) -> SelectRequest {
    SelectRequest {
        strategy: Strategy::Hybrid,
        budget,
        weights: Default::default(),
        seed: 0,
        examples,
        labelled: Vec::new(),
        embeddings: Some(FlatEmbeddings { dim, data }),
    }
}
