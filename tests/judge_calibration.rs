//! Judge-vs-human agreement and calibration, against published worked
//! examples and scikit-learn reference values.

use prefkit::judge::calibration::{calibration_table, judge_human_agreement, JudgeHumanPair};
use prefkit::Label;
use serde_json::Value;

const REFERENCE: &str = include_str!("fixtures/judge_calibration_reference.json");

/// Judge/human pairs from a 2 x 2 table of sides (A = "yes", B = "no").
fn pairs_2x2(cells: [[usize; 2]; 2]) -> Vec<JudgeHumanPair> {
    let side = [Label::ABetter, Label::BBetter];
    let mut pairs = Vec::new();
    for (a, row) in cells.iter().enumerate() {
        for (b, &n) in row.iter().enumerate() {
            let p = JudgeHumanPair {
                ai: side[a],
                human: side[b],
                confidence: 0.5,
            };
            pairs.extend(std::iter::repeat_n(p, n));
        }
    }
    pairs
}

#[test]
fn kappa_matches_the_published_worked_examples() {
    // Wikipedia, "Cohen's kappa": the worked example [[20, 5], [10, 15]]
    // gives 0.4; "Same percentages but different numbers": [[45, 15],
    // [25, 15]] gives 0.1304 and [[25, 35], [5, 35]] gives 0.2593.
    for (cells, want, tol) in [
        ([[20, 5], [10, 15]], 0.4, 1e-12),
        ([[45, 15], [25, 15]], 0.1304, 5e-5),
        ([[25, 35], [5, 35]], 0.2593, 5e-5),
    ] {
        let a = judge_human_agreement(&pairs_2x2(cells));
        assert!((a.kappa_3.unwrap() - want).abs() < tol, "{cells:?}: {a:?}");
        // Only two labels are used, so the 5-label kappa is the same.
        assert!((a.kappa_5.unwrap() - want).abs() < tol);
    }
}

#[test]
fn kappa_is_undefined_with_no_pairs_or_a_single_shared_label() {
    let a = judge_human_agreement(&[]);
    assert_eq!((a.n, a.kappa_5), (0, None));
    assert!(a.reason.unwrap().contains("no item"));
    let same = JudgeHumanPair {
        ai: Label::Tie,
        human: Label::Tie,
        confidence: 0.9,
    };
    let a = judge_human_agreement(&[same; 10]);
    assert_eq!(
        (a.kappa_5, a.kappa_3, a.exact_agreement),
        (None, None, Some(1.0))
    );
    assert!(a.reason.unwrap().contains("chance agreement is 1"));
}

fn reference() -> (Vec<JudgeHumanPair>, Value) {
    let v: Value = serde_json::from_str(REFERENCE).unwrap();
    let pairs = v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| JudgeHumanPair {
            ai: Label::parse(p["ai"].as_str().unwrap()).unwrap(),
            human: Label::parse(p["human"].as_str().unwrap()).unwrap(),
            confidence: p["confidence"].as_f64().unwrap(),
        })
        .collect();
    (pairs, v)
}

#[test]
fn agreement_matches_scikit_learn_on_seeded_pairs() {
    // Reference values: tests/reference/judge_calibration.py.
    let (pairs, v) = reference();
    let a = judge_human_agreement(&pairs);
    let close = |x: Option<f64>, key: &str| {
        let want = v[key].as_f64().unwrap();
        assert!((x.unwrap() - want).abs() < 1e-12, "{key}: {x:?} vs {want}");
    };
    assert_eq!(a.n, 400);
    close(a.kappa_5, "kappa_5");
    close(a.kappa_5_quadratic, "kappa_5_quadratic");
    close(a.kappa_3, "kappa_3");
    close(a.exact_agreement, "exact_agreement");
    close(a.directional_agreement, "directional_agreement");
}

#[test]
fn the_calibration_table_and_ece_match_an_independent_numpy_computation() {
    let (pairs, v) = reference();
    let c = calibration_table(&pairs, 10);
    assert_eq!(c.n, 400);
    assert!((c.ece.unwrap() - v["ece_10_bins"].as_f64().unwrap()).abs() < 1e-12);
    for (bin, want) in c.bins.iter().zip(v["bins"].as_array().unwrap()) {
        assert_eq!(bin.count as u64, want["count"].as_u64().unwrap());
        assert_eq!(bin.agreement.is_some(), !want["agreement"].is_null());
        if let (Some(a), Some(w)) = (bin.agreement, want["agreement"].as_f64()) {
            assert!((a - w).abs() < 1e-12);
        }
        if let (Some(m), Some(w)) = (bin.mean_confidence, want["mean_confidence"].as_f64()) {
            assert!((m - w).abs() < 1e-12);
        }
    }
}

#[test]
fn a_perfectly_calibrated_hand_example_has_zero_ece_and_an_overconfident_one_does_not() {
    let p = |ai, human, confidence| JudgeHumanPair {
        ai,
        human,
        confidence,
    };
    let (a, b) = (Label::ABetter, Label::BBetter);
    // Bin [0.5, 0.6): two items at 0.5, one agrees: accuracy 0.5 = confidence.
    // Bin [0.9, 1.0]: one item at 1.0 that agrees.
    let calibrated = [p(a, a, 0.5), p(a, b, 0.5), p(b, b, 1.0)];
    assert!(calibration_table(&calibrated, 10).ece.unwrap().abs() < 1e-12);
    // Two items at 0.9, both wrong: ECE = 0.9.
    let over = [p(a, b, 0.9), p(b, a, 0.9)];
    let c = calibration_table(&over, 10);
    assert!((c.ece.unwrap() - 0.9).abs() < 1e-12);
    assert_eq!(c.bins[9].count, 2);
    // Strength does not count: A>> against A> agrees in direction.
    let strength = [p(Label::AMuchBetter, a, 1.0)];
    assert!(calibration_table(&strength, 4).ece.unwrap().abs() < 1e-12);
    assert_eq!(calibration_table(&[], 10).ece, None);
}
