//! Unit tests of k-means++ seeding, Lloyd's iterations and the diverse pick.

use super::*;
use rand::Rng;

/// `clusters` tight blobs of `per` points in `dim` dimensions, centres
/// 100 apart along the axes, points within 1 of their centre, shuffled.
/// Returns the matrix and the blob of each row.
fn blobs(clusters: usize, per: usize, dim: usize, seed: u64) -> (Matrix<'static>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows: Vec<(usize, Vec<f32>)> = Vec::new();
    for c in 0..clusters {
        for _ in 0..per {
            let mut v: Vec<f32> = (0..dim).map(|_| rng.random_range(-0.5..0.5)).collect();
            v[c % dim] += 100.0 * (1 + c / dim) as f32;
            rows.push((c, v));
        }
    }
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.random_range(0..=i));
    }
    let truth = rows.iter().map(|r| r.0).collect();
    let data = rows.into_iter().flat_map(|r| r.1).collect();
    (Matrix::new(dim, data).unwrap(), truth)
}

/// The default settings with `k` clusters.
fn with_k(k: usize) -> Config {
    Config {
        k,
        ..Config::default()
    }
}

#[test]
fn diversity_picks_one_example_per_well_separated_cluster() {
    for seed in 0..10 {
        let (x, truth) = blobs(6, 25, 4, seed);
        let all: Vec<usize> = (0..x.rows()).collect();
        let config = Config {
            seed,
            ..Config::default()
        };
        let picks = diversity(&x, &all, 6, &config).unwrap();
        let mut seen: Vec<usize> = picks.iter().map(|p| truth[p.index]).collect();
        seen.sort();
        assert_eq!(seen, vec![0, 1, 2, 3, 4, 5], "seed {seed}");
        assert!(picks
            .iter()
            .all(|p| p.cluster_size == 25 && p.distance < 1.0));
    }
}

#[test]
fn diversity_only_picks_candidates_and_never_twice() {
    let (x, _) = blobs(3, 10, 3, 1);
    let candidates: Vec<usize> = (0..x.rows()).filter(|i| i % 3 != 0).collect();
    let picks = diversity(&x, &candidates, 15, &Config::default()).unwrap();
    let mut idx: Vec<usize> = picks.iter().map(|p| p.index).collect();
    assert_eq!(idx.len(), 15);
    assert!(idx.iter().all(|i| candidates.contains(i)));
    idx.sort();
    idx.dedup();
    assert_eq!(idx.len(), 15);
}

#[test]
fn identical_points_leave_empty_clusters_that_are_reseeded_without_failing() {
    let x = Matrix::new(2, vec![1.0; 20]).unwrap();
    let f = fit(&with_k(4), &x).unwrap();
    assert_eq!(f.inertia, 0.0);
    assert_eq!(f.assignments.len(), 10);
}

#[test]
fn bad_k_and_empty_data_are_refused_with_a_reason() {
    let x = Matrix::new(2, vec![0.0, 1.0, 2.0, 3.0]).unwrap();
    let e = fit(&with_k(3), &x).unwrap_err();
    assert!(e.to_string().contains("between 1 and the 2 points"), "{e}");
    assert!(fit(&with_k(0), &x).is_err());
    let empty = Matrix::new(2, vec![]).unwrap();
    assert!(matches!(
        fit(&Config::default(), &empty),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn the_same_seed_gives_the_same_clustering() {
    let (x, _) = blobs(5, 20, 3, 9);
    let c = Config {
        k: 7,
        seed: 42,
        ..Config::default()
    };
    assert_eq!(fit(&c, &x).unwrap(), fit(&c, &x).unwrap());
}
