//! Bradley-Terry leaderboard: hand-computed two-model optima, recovery of
//! known strengths from simulated judgements, and refusals of bad input.

use prefkit::active::bradley_terry::{Comparison, Config, TieModel};
use prefkit::active::{leaderboard, Leaderboard, LeaderboardRequest};
use prefkit::Label;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn cmp(a: &str, b: &str, label: &str) -> Comparison {
    Comparison {
        model_a: a.into(),
        model_b: b.into(),
        label: Label::parse(label).unwrap(),
    }
}

fn strength(board: &Leaderboard, model: &str) -> f64 {
    board
        .models
        .iter()
        .find(|e| e.model == model)
        .unwrap()
        .strength
}

/// The leaderboard of `comparisons` under `config`, which must fit.
fn fit(comparisons: Vec<Comparison>, config: Config) -> Leaderboard {
    leaderboard(&LeaderboardRequest {
        comparisons,
        config,
    })
    .unwrap()
}

fn tiny_prior(ties: TieModel) -> Config {
    Config {
        ties,
        prior: 1e-9,
        bootstrap: 0,
        ..Config::default()
    }
}

#[test]
fn three_wins_to_one_give_a_strength_ratio_of_three() {
    // Two models: the maximum-likelihood P(x beats y) is the observed 3/4,
    // so pi_x / pi_y = 3 and theta_x - theta_y = ln 3 (by hand).
    let mut c = vec![cmp("x", "y", "A>"); 3];
    c.push(cmp("y", "x", "A>"));
    let board = fit(c, tiny_prior(TieModel::HalfWin));
    let diff = strength(&board, "x") - strength(&board, "y");
    assert!((diff - 3f64.ln()).abs() < 1e-6, "{diff}");
    assert!(board.converged);
}

#[test]
fn davidson_ties_give_the_closed_form_two_model_optimum() {
    // Two models, 4 wins of x, 1 of y, 2 ties. With r = sqrt(pi_x / pi_y),
    // P(x) : P(y) : P(tie) = r^2 : 1 : nu r, so the optimum matches the
    // counts: r^2 = 4 / 1 and nu r = 2 / 1, i.e. theta_x - theta_y = ln 4
    // and nu = 1 (by hand, from Davidson 1970's model).
    let mut c = vec![cmp("x", "y", "A>"); 4];
    c.push(cmp("x", "y", "B>"));
    c.extend(vec![cmp("y", "x", "="); 2]);
    let board = fit(c, tiny_prior(TieModel::Davidson));
    let diff = strength(&board, "x") - strength(&board, "y");
    assert!((diff - 4f64.ln()).abs() < 1e-5, "{diff}");
    let nu = board.tie_parameter.unwrap();
    assert!((nu - 1.0).abs() < 1e-5, "{nu}");
}

#[test]
fn a_strong_preference_counts_as_strong_weight_wins() {
    // x >> y once and y > x once, strong_weight 3: like 3 wins to 1.
    let c = vec![cmp("x", "y", "A>>"), cmp("x", "y", "B>")];
    let config = Config {
        strong_weight: 3.0,
        ..tiny_prior(TieModel::HalfWin)
    };
    let board = fit(c, config);
    let diff = strength(&board, "x") - strength(&board, "y");
    assert!((diff - 3f64.ln()).abs() < 1e-6, "{diff}");
}

#[test]
fn an_undefeated_model_keeps_a_finite_strength() {
    let c = vec![cmp("x", "y", "A>>"); 10];
    let board = fit(c, Config::default());
    assert_eq!(board.models[0].model, "x");
    assert!(board.models.iter().all(|e| e.strength.is_finite()));
    assert!(board.converged);
}

/// Judgements of models with log-strengths `theta`, drawn from the
/// Davidson model with tie parameter `nu` (plain Bradley-Terry when 0);
/// a win is strong with probability 1/3.
fn simulate(theta: &[f64], nu: f64, n: usize, seed: u64) -> Vec<Comparison> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let a = rng.random_range(0..theta.len());
            let b = (a + rng.random_range(1..theta.len())) % theta.len();
            let (pa, pb) = (theta[a].exp(), theta[b].exp());
            let g = nu * (pa * pb).sqrt();
            let r = rng.random::<f64>() * (pa + pb + g);
            let strong = rng.random_bool(1.0 / 3.0);
            let label = if r < pa {
                if strong {
                    "A>>"
                } else {
                    "A>"
                }
            } else if r < pa + pb {
                if strong {
                    "B>>"
                } else {
                    "B>"
                }
            } else {
                "="
            };
            cmp(&format!("m{a}"), &format!("m{b}"), label)
        })
        .collect()
}

#[test]
fn bradley_terry_recovers_known_strengths_of_simulated_models() {
    let theta = [-1.0, -0.4, 0.0, 0.3, 1.1];
    let mean = theta.iter().sum::<f64>() / 5.0;
    // Strong and plain wins are drawn alike, so weight them alike here.
    let config = Config {
        strong_weight: 1.0,
        bootstrap: 100,
        seed: 5,
        ..Config::default()
    };
    let board = fit(simulate(&theta, 0.0, 6000, 11), config);
    println!(
        "iterations {} converged {}",
        board.iterations, board.converged
    );
    assert!(board.converged && board.iterations < 500);
    let mut covered = 0;
    for (i, t) in theta.iter().enumerate() {
        let e = board
            .models
            .iter()
            .find(|e| e.model == format!("m{i}"))
            .unwrap();
        println!(
            "m{i}: true {:.3} fitted {:.3} [{:.3}, {:.3}]",
            t - mean,
            e.strength,
            e.ci_low.unwrap(),
            e.ci_high.unwrap()
        );
        assert!(
            (e.strength - (t - mean)).abs() < 0.1,
            "m{i}: {} vs {}",
            e.strength,
            t - mean
        );
        covered += usize::from(e.ci_low.unwrap() <= t - mean && t - mean <= e.ci_high.unwrap());
    }
    assert!(covered >= 4, "only {covered} of 5 intervals hold the truth");
    let order: Vec<&str> = board.models.iter().map(|e| e.model.as_str()).collect();
    assert_eq!(order, ["m4", "m3", "m2", "m1", "m0"]);
}

#[test]
fn davidson_recovers_known_strengths_and_the_tie_parameter() {
    let theta = [-0.8, 0.0, 0.5, 0.9];
    let mean = theta.iter().sum::<f64>() / 4.0;
    let config = Config {
        ties: TieModel::Davidson,
        strong_weight: 1.0,
        bootstrap: 0,
        ..Config::default()
    };
    let board = fit(simulate(&theta, 0.6, 6000, 3), config);
    for (i, t) in theta.iter().enumerate() {
        let s = strength(&board, &format!("m{i}"));
        assert!((s - (t - mean)).abs() < 0.1, "m{i}: {s} vs {}", t - mean);
    }
    let nu = board.tie_parameter.unwrap();
    assert!((nu - 0.6).abs() < 0.06, "nu {nu}");
}

#[test]
fn the_same_seed_gives_the_same_intervals() {
    let c = simulate(&[0.0, 0.5, 1.0], 0.0, 300, 1);
    let req = LeaderboardRequest {
        comparisons: c,
        config: Config {
            seed: 9,
            ..Config::default()
        },
    };
    assert_eq!(leaderboard(&req).unwrap(), leaderboard(&req).unwrap());
}

#[test]
fn bad_leaderboard_input_is_refused_with_a_reason() {
    let empty = LeaderboardRequest {
        comparisons: vec![],
        config: Config::default(),
    };
    assert!(leaderboard(&empty)
        .unwrap_err()
        .to_string()
        .contains("empty"));
    let selfie = LeaderboardRequest {
        comparisons: vec![cmp("x", "y", "A>"), cmp("x", "x", "A>")],
        config: Config::default(),
    };
    let e = leaderboard(&selfie).unwrap_err().to_string();
    assert!(e.contains("comparisons[1]") && e.contains("itself"), "{e}");
    let bad_prior = LeaderboardRequest {
        comparisons: vec![cmp("x", "y", "A>")],
        config: Config {
            prior: 0.0,
            ..Config::default()
        },
    };
    assert!(leaderboard(&bad_prior)
        .unwrap_err()
        .to_string()
        .contains("config.prior"));
    let e = serde_json::from_str::<LeaderboardRequest>(
        r#"{"comparisons": [{"model_a": "x", "model_b": "y", "label": "A>>>"}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("A>>>"), "{e}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]
        #[test]
        fn any_leaderboard_request_gives_finite_strengths_or_an_error(
            games in proptest::collection::vec((0..4u8, 0..4u8, 0..5usize), 0..30),
            davidson in any::<bool>(),
            prior in prop_oneof![Just(0.5), Just(1e-6), Just(0.0), Just(f64::NAN)],
            seed in any::<u64>(),
        ) {
            let comparisons = games
                .iter()
                .map(|&(a, b, l)| Comparison {
                    model_a: format!("m{a}"),
                    model_b: format!("m{b}"),
                    label: Label::from_index(l).unwrap(),
                })
                .collect();
            let ties = if davidson { TieModel::Davidson } else { TieModel::HalfWin };
            let config = Config { ties, prior, seed, bootstrap: 20, ..Config::default() };
            if let Ok(board) = leaderboard(&LeaderboardRequest { comparisons, config }) {
                for e in &board.models {
                    prop_assert!(e.strength.is_finite());
                    prop_assert!(e.ci_low.unwrap() <= e.ci_high.unwrap());
                }
                if let Some(nu) = board.tie_parameter {
                    prop_assert!(nu.is_finite() && nu >= 0.0);
                }
            }
        }
    }
}
