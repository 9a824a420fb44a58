//! k-means against scikit-learn's k-means++ on the same seeded data
//! (fixture written by tests/reference/kmeans_reference.py).

use prefkit::active::embed::Matrix;
use prefkit::active::kmeans::{fit, Config};

fn fixture() -> (Matrix<'static>, usize, f64, f64) {
    let text = include_str!("fixtures/kmeans_reference.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let dim = v["dim"].as_u64().unwrap() as usize;
    let k = v["k"].as_u64().unwrap() as usize;
    let data: Vec<f32> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(data.len(), v["n"].as_u64().unwrap() as usize * dim);
    (
        Matrix::new(dim, data).unwrap(),
        k,
        v["sklearn_inertia_n_init_10"].as_f64().unwrap(),
        v["sklearn_inertia_n_init_1"].as_f64().unwrap(),
    )
}

#[test]
fn kmeans_inertia_is_within_five_percent_of_scikit_learn() {
    let (x, k, sk10, sk1) = fixture();
    for n_init in [1, 10] {
        let ours = fit(
            &Config {
                k,
                n_init,
                seed: 7,
                ..Config::default()
            },
            &x,
        )
        .unwrap();
        let ratio = ours.inertia / sk10;
        println!(
            "k-means inertia: prefkit n_init={n_init}: {:.3} ({} iterations, converged {}); \
             scikit-learn n_init=10: {sk10:.3}, n_init=1: {sk1:.3}; prefkit / sklearn(10) = {ratio:.4}",
            ours.inertia, ours.iterations, ours.converged
        );
        assert!(ours.converged);
        assert!(
            ratio < 1.05,
            "inertia {} vs scikit-learn {sk10}",
            ours.inertia
        );
        // Inertia is a sum of squared distances to a k-means optimum; far
        // below scikit-learn's best of 10 would mean a wrong computation.
        assert!(
            ratio > 0.95,
            "inertia {} vs scikit-learn {sk10}",
            ours.inertia
        );
    }
}

#[test]
fn the_reported_inertia_equals_a_recomputation_from_the_assignments() {
    let (x, k, _, _) = fixture();
    let f = fit(
        &Config {
            k,
            seed: 3,
            ..Config::default()
        },
        &x,
    )
    .unwrap();
    let mut total = 0.0f64;
    for (i, &c) in f.assignments.iter().enumerate() {
        total += x
            .row(i)
            .iter()
            .zip(f.centres.row(c))
            .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
            .sum::<f64>();
    }
    assert!(
        (total - f.inertia).abs() / total < 1e-5,
        "{total} vs {}",
        f.inertia
    );
}
