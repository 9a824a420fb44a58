//! Dawid-Skene EM: a hand-computed first iteration, gold holding, edges,
//! and the patient data of Dawid & Skene (1979).

use prefkit::aggregate::dawid_skene::{fit, Config};
use prefkit::annotation::{Annotation, Gold};
use prefkit::Dataset;
use prefkit::Label;
use Label::*;

fn data(rows: &[(&str, &str, Label)], gold: &[Gold]) -> Dataset {
    let a: Vec<Annotation> = rows
        .iter()
        .map(|&(i, w, l)| Annotation::new(i, w, l))
        .collect();
    Dataset::from_annotations(&a, gold)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Three items, three annotators, two labels in use (A> and B>).
fn tiny() -> Dataset {
    data(
        &[
            ("i1", "w1", ABetter),
            ("i1", "w2", ABetter),
            ("i1", "w3", ABetter),
            ("i2", "w1", ABetter),
            ("i2", "w2", ABetter),
            ("i2", "w3", BBetter),
            ("i3", "w1", BBetter),
            ("i3", "w2", BBetter),
            ("i3", "w3", ABetter),
        ],
        &[],
    )
}

/// The fit of [`tiny`] after at most `iterations` EM iterations.
fn tiny_after(iterations: u32) -> prefkit::aggregate::dawid_skene::Fit {
    let config = Config {
        max_iterations: iterations,
        ..Config::default()
    };
    fit(&config, &tiny()).unwrap()
}

/// The first EM iteration by hand. Only A> and B> are used, so only they
/// are classes (the others get prior 0), and no count is 0, so the EPS
/// clip does not act: the figures are exact up to rounding.
///
/// Start (vote shares), over (A>, B>): T_i1 = (1, 0), T_i2 = (2/3, 1/3),
/// T_i3 = (1/3, 2/3).
/// M-step: p = ((1 + 2/3 + 1/3)/3, (0 + 1/3 + 2/3)/3) = (2/3, 1/3).
/// w1 (and w2, same answers) answered A> on i1, i2 and B> on i3:
///   true A>: A> 1 + 2/3 = 5/3, B> 1/3, total 2 -> pi = (5/6, 1/6)
///   true B>: A> 0 + 1/3 = 1/3, B> 2/3, total 1 -> pi = (1/3, 2/3)
/// w3 answered A> on i1, i3 and B> on i2:
///   true A>: A> 1 + 1/3 = 4/3, B> 2/3, total 2 -> pi = (2/3, 1/3)
///   true B>: A> 0 + 2/3 = 2/3, B> 1/3, total 1 -> pi = (2/3, 1/3)
/// E-step, p_j * pi_w1 * pi_w2 * pi_w3:
///   i1 (A>, A>, A>): A> 2/3 * 5/6 * 5/6 * 2/3 = 25/81,
///                    B> 1/3 * 1/3 * 1/3 * 2/3 = 2/81  -> T = (25/27, 2/27)
///   i2 (A>, A>, B>): A> 2/3 * 5/6 * 5/6 * 1/3 = 25/162,
///                    B> 1/3 * 1/3 * 1/3 * 1/3 = 2/162 -> T = (25/27, 2/27)
///   i3 (B>, B>, A>): A> 2/3 * 1/6 * 1/6 * 2/3 = 1/81,
///                    B> 1/3 * 2/3 * 2/3 * 2/3 = 8/81  -> T = (1/9, 8/9)
/// log L = ln(27/81) + ln(27/162) + ln(9/81) = -ln 162.
/// M-step again: p = ((25 + 25 + 3)/81, (2 + 2 + 24)/81) = (53/81, 28/81);
/// w3, true A>: A> answers 25/27 + 3/27 = 28/27, B> 25/27 -> pi = 28/53.
#[test]
fn the_first_em_iteration_matches_the_hand_computation() {
    let fit = tiny_after(1);
    let tol = 1e-9;
    assert_eq!(fit.iterations, 1);
    assert!(!fit.converged);
    assert!(close(fit.log_likelihood[0], -(162f64.ln()), tol));
    let t = fit
        .posteriors
        .iter()
        .map(|p| p.unwrap())
        .collect::<Vec<_>>();
    assert!(close(t[0][1], 25.0 / 27.0, tol) && close(t[0][3], 2.0 / 27.0, tol));
    assert!(close(t[1][1], 25.0 / 27.0, tol) && close(t[1][3], 2.0 / 27.0, tol));
    assert!(close(t[2][1], 1.0 / 9.0, tol) && close(t[2][3], 8.0 / 9.0, tol));
    assert!(close(fit.priors[1], 53.0 / 81.0, tol));
    assert!(close(fit.priors[3], 28.0 / 81.0, tol));
    assert_eq!(fit.priors[0], 0.0);
    assert!(close(fit.confusion[2][1][1], 28.0 / 53.0, tol));
    assert!(close(fit.confusion[2][1][3], 25.0 / 53.0, tol));
    // Labels never used by w3 have probability 0.
    assert_eq!(fit.confusion[2][1][0], 0.0);
    assert_eq!(
        fit.labels,
        vec![Some(ABetter), Some(ABetter), Some(BBetter)]
    );
}

#[test]
fn with_no_iterations_the_posteriors_are_the_starting_vote_shares() {
    let fit = tiny_after(0);
    assert_eq!((fit.iterations, fit.converged), (0, false));
    assert!(fit.log_likelihood.is_empty() && fit.loss_history.is_empty());
    let shares = [(1.0, 0.0), (2.0 / 3.0, 1.0 / 3.0), (1.0 / 3.0, 2.0 / 3.0)];
    for (t, (a, b)) in fit.posteriors.iter().zip(shares) {
        let t = t.unwrap();
        assert!(close(t[1], a, 1e-12) && close(t[3], b, 1e-12), "{t:?}");
    }
    // The parameters are the M-step of those shares (see the hand
    // computation above).
    assert!(close(fit.priors[1], 2.0 / 3.0, 1e-12));
    assert!(close(fit.confusion[0][1][1], 5.0 / 6.0, 1e-12));
}

#[test]
fn the_log_likelihood_never_decreases_and_the_run_converges() {
    let fit = fit(&Config::default(), &tiny()).unwrap();
    assert!(fit.converged, "{fit:?}");
    for w in fit.log_likelihood.windows(2) {
        assert!(w[1] >= w[0] - 1e-9, "{:?}", fit.log_likelihood);
    }
    let s: f64 = fit.priors.iter().sum();
    assert!(close(s, 1.0, 1e-8));
    for t in fit.posteriors.iter().flatten() {
        assert!(close(t.iter().sum::<f64>(), 1.0, 1e-12));
    }
}

#[test]
fn gold_items_are_held_at_their_gold_label() {
    let gold = [Gold {
        item: "i3".into(),
        label: ABetter,
        explanation: None,
    }];
    let mut d = tiny();
    d.set_gold(&gold);
    let f = fit(&Config::default(), &d).unwrap();
    assert_eq!(f.labels[2], Some(ABetter));
    assert_eq!(f.posteriors[2], Some([0.0, 1.0, 0.0, 0.0, 0.0]));
    let free = fit(
        &Config {
            hold_gold: false,
            ..Config::default()
        },
        &d,
    )
    .unwrap();
    assert_eq!(free.labels[2], Some(BBetter));
}

#[test]
fn empty_input_is_refused_with_a_message() {
    let d = Dataset::new();
    let e = fit(&Config::default(), &d).unwrap_err();
    assert!(e.to_string().contains("Dawid-Skene"), "{e}");
}

#[test]
fn items_without_votes_get_no_label() {
    let mut d = tiny();
    d.set_gold(&[Gold {
        item: "only-gold".into(),
        label: Tie,
        explanation: None,
    }]);
    let f = fit(&Config::default(), &d).unwrap();
    assert_eq!(f.labels.len(), 4);
    assert_eq!(f.labels[3], None);
    assert_eq!(f.posteriors[3], None);
}

/// Reads a fixture and crowd-kit's fit of it, written by
/// tests/reference/dawid_skene_reference.py (crowd-kit 1.4.2,
/// `DawidSkene(n_iter=50, tol=-inf)`), and checks prefkit's fit with the
/// same 50 iterations against it.
fn agrees_with_crowd_kit(data: &str, gold: Option<&str>, reference: &str) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference/");
    let read = |f: &str| std::fs::read_to_string(format!("{dir}{f}")).unwrap();
    // With allow_repeats, so that the repeated patient data reads too.
    let options = prefkit::annotation::ReadOptions {
        skip_invalid: false,
        allow_repeats: true,
    };
    let mut d = Dataset::parse_jsonl_with(read(data), options).unwrap();
    if let Some(g) = gold {
        d.set_gold(&prefkit::annotation::parse_gold(read(g)).unwrap());
    }
    let r: serde_json::Value = serde_json::from_str(&read(reference)).unwrap();
    let config = Config {
        max_iterations: r["n_iter"].as_u64().unwrap() as u32,
        tolerance: f64::NEG_INFINITY,
        ..Config::default()
    };
    let f = fit(&config, &d).unwrap();
    assert_eq!(f.iterations, config.max_iterations);
    // Same algorithm, same EPS; only the order of float sums differs.
    for (j, p) in r["priors"].as_array().unwrap().iter().enumerate() {
        let p = p.as_f64().unwrap();
        assert!(
            close(f.priors[j], p, 1e-7),
            "prior {j}: {} vs {p}",
            f.priors[j]
        );
    }
    let mut checked = 0;
    for (name, expected) in r["posteriors"].as_object().unwrap() {
        let i = d.items.get(name).unwrap() as usize;
        let t = f.posteriors[i].unwrap();
        for (j, e) in expected.as_array().unwrap().iter().enumerate() {
            let e = e.as_f64().unwrap();
            assert!(close(t[j], e, 1e-7), "{name} class {j}: {} vs {e}", t[j]);
        }
        let label = r["labels"][name].as_str().unwrap();
        assert_eq!(f.labels[i].map(|l| l.as_str()), Some(label), "{name}");
        checked += 1;
    }
    assert_eq!(checked, d.items.len());
}

/// The patient data of Dawid & Skene (1979), Table 1 (45 patients, 5
/// clinicians, 4 classes; doi:10.2307/2346806) with clinician 1's three
/// ratings as three annotators ("1a", "1b", "1c"); the classes 1-4 are the
/// labels A>>, A>, =, B>. This is not the paper's model (there the three
/// ratings share one confusion matrix: see the test with repeats below),
/// so the paper's estimates are not expected; crowd-kit's fit of the same
/// mapping is.
#[test]
fn the_dawid_skene_patient_data_fit_matches_crowd_kit() {
    agrees_with_crowd_kit("ds_patients.jsonl", None, "ds_patients_crowdkit.json");
}

/// The same patient data as the paper models it (Dawid, A. P. & Skene,
/// A. M. (1979). Maximum likelihood estimation of observer error-rates
/// using the EM algorithm. Applied Statistics 28(1):20-28,
/// doi:10.2307/2346806, Table 1): clinician 1's three ratings of each
/// patient are repeated ratings by one annotator "1", who has one
/// confusion matrix, read with `allow_repeats`. Every label enters the EM
/// (315 labels, 5 annotators), as in crowd-kit's `DawidSkene`, whose fit
/// of the same rows (tests/reference/dawid_skene_reference.py,
/// crowd-kit 1.4.2) is expected.
#[test]
fn the_patient_data_with_clinician_one_rating_three_times_matches_crowd_kit() {
    agrees_with_crowd_kit(
        "ds_patients_repeated.jsonl",
        None,
        "ds_patients_repeated_crowdkit.json",
    );
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference/");
    let text = std::fs::read_to_string(format!("{dir}ds_patients_repeated.jsonl")).unwrap();
    let e = Dataset::parse_jsonl(&text, false).unwrap_err().to_string();
    assert!(
        e.starts_with("line 2: annotator \"1\" already labelled item \"patient-01\" on line 1"),
        "{e}"
    );
    assert!(e.contains("allow_repeats"), "{e}");
}

#[test]
fn the_patient_data_estimates_agree_with_the_clinicians_where_they_all_agree() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference/");
    let text = std::fs::read_to_string(format!("{dir}ds_patients.jsonl")).unwrap();
    let d = Dataset::parse_jsonl(&text, false).unwrap();
    assert_eq!(
        (d.items.len(), d.annotators.len(), d.rows.len()),
        (45, 7, 315)
    );
    let f = fit(&Config::default(), &d).unwrap();
    assert!(f.converged);
    let counts = d.item_counts();
    for (i, c) in counts.iter().enumerate() {
        if let Some(l) = c.iter().position(|&n| n == 7) {
            assert_eq!(f.labels[i], Label::from_index(l), "patient {}", i + 1);
        }
    }
    // The fourth class (B> here) is the rarest and nobody used B>>.
    assert!(f.priors[3] < f.priors[0] && f.priors[3] < f.priors[1]);
    assert_eq!(f.priors[4], 0.0);
}

/// 300 seeded items, 12 annotators of accuracy 0.35-0.9, 20 gold items held
/// (crowd-kit's `true_labels`).
#[test]
fn a_seeded_dataset_with_gold_matches_crowd_kit() {
    agrees_with_crowd_kit(
        "ds_seeded.jsonl",
        Some("ds_seeded_gold.jsonl"),
        "ds_seeded_crowdkit.json",
    );
}

/// 24 labels on every item: the E-step takes its log-space path.
#[test]
fn a_dense_dataset_on_the_log_space_path_matches_crowd_kit() {
    agrees_with_crowd_kit("ds_dense.jsonl", None, "ds_dense_crowdkit.json");
}

/// prefkit's seeded simulated crowd (`prefkit bench data --items ITEMS
/// --annotators A --seed S`, the same bytes) against crowd-kit's
/// `DawidSkene(n_iter=100, tol=1e-5)` with its own stopping rule, written by
/// tests/reference/dawid_skene_reference.py (crowd-kit 1.4.2): the same
/// number of iterations, the same loss history, the same label on every
/// item and posteriors equal to 1e-6.
fn crowd_agrees_with_crowd_kit(items: usize, hold_gold: bool) {
    use prefkit::simulate::{crowd, CrowdConfig};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference/");
    let text = std::fs::read_to_string(format!("{dir}ds_crowd_{items}_crowdkit.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let c = crowd(&CrowdConfig {
        items,
        annotators: r["annotators"].as_u64().unwrap() as usize,
        seed: r["seed"].as_u64().unwrap(),
        ..CrowdConfig::default()
    });
    let mut d = Dataset::parse_jsonl(&c.annotations_jsonl, false).unwrap();
    d.set_gold(&prefkit::annotation::parse_gold(&c.gold_jsonl).unwrap());
    let r = &r[if hold_gold { "gold_held" } else { "free" }];
    let config = Config {
        max_iterations: r["n_iter"].as_u64().unwrap() as u32,
        tolerance: r["tol"].as_f64().unwrap(),
        hold_gold,
        ..Config::default()
    };
    let f = fit(&config, &d).unwrap();
    assert_eq!(u64::from(f.iterations), r["iterations"].as_u64().unwrap());
    for (ours, theirs) in f
        .loss_history
        .iter()
        .zip(r["loss_history"].as_array().unwrap())
    {
        assert!(
            close(*ours, theirs.as_f64().unwrap(), 1e-9),
            "{ours} vs {theirs}"
        );
    }
    let names = r["items"].as_array().unwrap();
    let labels = r["labels"].as_str().unwrap().as_bytes();
    let posteriors = r["posteriors"].as_array().unwrap();
    assert_eq!(names.len(), items);
    for ((name, &code), expected) in names.iter().zip(labels).zip(posteriors) {
        let name = name.as_str().unwrap();
        let i = d.items.get(name).unwrap() as usize;
        assert_eq!(
            f.labels[i],
            Label::from_index((code - b'0') as usize),
            "{name}"
        );
        let t = f.posteriors[i].unwrap();
        for (j, e) in expected.as_array().unwrap().iter().enumerate() {
            let e = e.as_f64().unwrap();
            assert!(close(t[j], e, 1e-6), "{name} class {j}: {} vs {e}", t[j]);
        }
    }
}

#[test]
fn without_gold_held_a_crowd_of_100_items_gets_crowd_kits_labels_and_posteriors() {
    crowd_agrees_with_crowd_kit(100, false);
}

#[test]
fn without_gold_held_a_crowd_of_1000_items_gets_crowd_kits_labels_and_posteriors() {
    crowd_agrees_with_crowd_kit(1_000, false);
}

#[test]
fn without_gold_held_a_crowd_of_10000_items_gets_crowd_kits_labels_and_posteriors() {
    crowd_agrees_with_crowd_kit(10_000, false);
}

/// crowd-kit's `true_labels` with the same stopping rule.
#[test]
fn with_gold_held_a_crowd_of_1000_items_gets_crowd_kits_labels_and_posteriors() {
    crowd_agrees_with_crowd_kit(1_000, true);
}
