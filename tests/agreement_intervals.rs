//! Bootstrap intervals of the agreement figures (`agreement.ci`): the item
//! bootstrap equals a recomputation from resampled items, the same seed
//! gives the same intervals, undefined figures are `null` with a reason,
//! and Hayes & Krippendorff's bootstrap of alpha follows its algorithm.

use prefkit::agreement::bootstrap::{CiConfig, Draws, Intervals};
use prefkit::agreement::{compute, AgreementConfig, AgreementReport};
use prefkit::annotation::Annotation;
use prefkit::report::ReportConfig;
use prefkit::simulate::{crowd, CrowdConfig};
use prefkit::FromJson;
use prefkit::{Dataset, Label};

fn simulated(items: usize, seed: u64) -> Dataset {
    let c = crowd(&CrowdConfig {
        items,
        annotators: 15,
        seed,
        ..CrowdConfig::default()
    });
    Dataset::parse_jsonl(&c.annotations_jsonl, false).unwrap()
}

fn intervals(d: &Dataset, ci: CiConfig) -> AgreementReport {
    compute(
        d,
        &AgreementConfig {
            ci: Some(ci),
            ..AgreementConfig::default()
        },
    )
}

fn ci(r: &AgreementReport) -> &Intervals {
    r.ci.as_ref().expect("intervals asked for")
}

/// The `p` quantile of sorted `x`, Hyndman & Fan (1996) definition 7
/// (numpy's default), written out again here.
fn type_7(x: &[f64], p: f64) -> f64 {
    let h = (x.len() as f64 - 1.0) * p;
    let (j, g) = (h.floor(), h - h.floor());
    let j = j as usize;
    if j + 1 < x.len() {
        (1.0 - g) * x[j] + g * x[j + 1]
    } else {
        x[j]
    }
}

/// Every resample built as a dataset of its own (each drawn item copied
/// with all its labels under a new name) and run through the report's
/// agreement code as it is, with the draws of the same seed.
#[test]
fn the_item_bootstrap_interval_equals_a_recomputation_from_resampled_items() {
    let d = simulated(80, 21);
    let config = CiConfig {
        resamples: 200,
        seed: 9,
        ..CiConfig::default()
    };
    let r = intervals(&d, config.clone());
    let counts = d.item_counts();
    let units: Vec<u32> = (0..d.items.len() as u32)
        .filter(|&i| counts[i as usize].iter().sum::<u32>() >= 2)
        .collect();
    let rows_of = |i: u32| d.rows.iter().filter(move |row| row.item == i);
    let mut draws = Draws::new(config.seed, units.len());
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); 6];
    for _ in 0..config.resamples {
        let mut annotations = Vec::new();
        let mut position = 0;
        draws.resample(|u| {
            for row in rows_of(units[u]) {
                annotations.push(Annotation::new(
                    format!("draw-{position}"),
                    d.annotators.name(row.annotator),
                    row.label,
                ));
            }
            position += 1;
        });
        let again = compute(
            &Dataset::from_annotations(&annotations, &[]),
            &AgreementConfig::default(),
        );
        let a = &again.krippendorff_alpha;
        for (v, x) in values.iter_mut().zip([
            again.pairwise,
            again.pairwise_directional,
            again.fleiss_kappa,
            a.nominal,
            a.ordinal,
            a.interval,
        ]) {
            v.push(x.expect("defined on every resample of this crowd"));
        }
    }
    let c = ci(&r);
    let k = &c.krippendorff_alpha;
    let got = [
        c.pairwise,
        c.pairwise_directional,
        c.fleiss_kappa,
        k.nominal,
        k.ordinal,
        k.interval,
    ];
    for (v, got) in values.iter_mut().zip(got) {
        v.sort_by(f64::total_cmp);
        let [lo, hi] = got.unwrap();
        assert!(
            (lo - type_7(v, 0.025)).abs() <= 1e-12,
            "{lo} vs {}",
            type_7(v, 0.025)
        );
        assert!(
            (hi - type_7(v, 0.975)).abs() <= 1e-12,
            "{hi} vs {}",
            type_7(v, 0.975)
        );
        assert!(lo <= hi);
    }
    assert!(c.undefined.is_empty() && c.undefined_resamples.is_empty());
}

#[test]
fn the_same_seed_gives_the_same_intervals_and_another_seed_other_ones() {
    let d = simulated(120, 4);
    let at = |seed| {
        intervals(
            &d,
            CiConfig {
                resamples: 300,
                seed,
                ..CiConfig::default()
            },
        )
    };
    assert_eq!(ci(&at(5)), ci(&at(5)));
    assert_ne!(ci(&at(5)).fleiss_kappa, ci(&at(6)).fleiss_kappa);
}

#[test]
fn the_interval_holds_the_figure_and_narrows_with_more_items() {
    let width = |items| {
        let d = simulated(items, 8);
        let r = intervals(&d, CiConfig::default());
        let [lo, hi] = ci(&r).krippendorff_alpha.ordinal.unwrap();
        let alpha = r.krippendorff_alpha.ordinal.unwrap();
        assert!(lo <= alpha && alpha <= hi, "{lo} {alpha} {hi}");
        hi - lo
    };
    assert!(width(2_000) < width(100) / 2.0);
}

fn labels(items: &[&[Label]]) -> Dataset {
    let mut a = Vec::new();
    for (i, ls) in items.iter().enumerate() {
        for (w, &l) in ls.iter().enumerate() {
            a.push(Annotation::new(format!("i{i}"), format!("w{w}"), l));
        }
    }
    Dataset::from_annotations(&a, &[])
}

/// 19 items where everyone says "=" and one where they disagree: a
/// resample misses that item with probability (19/20)^20 = 36%, and then
/// alpha and kappa are 0/0; more than 5% of resamples, so no interval.
#[test]
fn a_figure_undefined_in_more_than_5_percent_of_resamples_has_no_interval_and_a_reason() {
    use Label::*;
    let mut items: Vec<&[Label]> = vec![&[Tie, Tie, Tie]; 19];
    items.push(&[ABetter, Tie, BBetter]);
    let r = intervals(&labels(&items), CiConfig::default());
    assert!(r.fleiss_kappa.is_some());
    let c = ci(&r);
    assert_eq!(c.fleiss_kappa, None);
    assert_eq!(c.krippendorff_alpha.ordinal, None);
    let reason = &c.undefined.get("fleiss_kappa").unwrap();
    assert!(
        reason.contains("of 1000 resamples (more than 5%)"),
        "{reason}"
    );
    // Raw agreement is defined on every resample.
    assert!(c.pairwise.is_some());
    // No interval-based note without an interval.
    assert_eq!(
        r.interpretation.get("fleiss_kappa").unwrap().interval_note,
        None
    );
}

#[test]
fn a_figure_undefined_on_the_data_has_no_interval_and_says_why() {
    use Label::*;
    let r = intervals(
        &labels(&[&[Tie, Tie], &[Tie, Tie, Tie]]),
        CiConfig::default(),
    );
    let c = ci(&r);
    assert_eq!(c.krippendorff_alpha.nominal, None);
    assert!(c
        .undefined
        .get("krippendorff_alpha.nominal")
        .unwrap()
        .starts_with("the figure is undefined"));
    assert!(c.undefined.contains_key("hayes_krippendorff.nominal"));
    assert_eq!(c.pairwise, Some([1.0, 1.0]));
}

#[test]
fn hayes_krippendorff_draws_at_most_25_pairs_per_nonzero_coincidence_and_gives_q() {
    let d = simulated(400, 12);
    let r = intervals(&d, CiConfig::default());
    let hk = &ci(&r).hayes_krippendorff;
    assert_eq!(hk.method, "hayes-krippendorff");
    for (alpha, boot) in [
        (r.krippendorff_alpha.nominal, &hk.nominal),
        (r.krippendorff_alpha.ordinal, &hk.ordinal),
        (r.krippendorff_alpha.interval, &hk.interval),
    ] {
        let b = boot.as_ref().unwrap();
        // All 25 cells of the 5 x 5 coincidence matrix are used here.
        assert_eq!(b.draws, 25 * 25);
        let [lo, hi] = b.interval;
        let alpha = alpha.unwrap();
        assert!(lo < alpha && alpha < hi, "{lo} {alpha} {hi}");
        // Every alpha of this crowd is far below 0.667.
        assert!(alpha < 0.6 && b.q > 0.99, "{alpha} {}", b.q);
    }
}

#[test]
fn the_interval_settings_are_read_from_the_config_and_checked_by_name() {
    let c = ReportConfig::from_json(
        r#"{"agreement": {"ci": {"level": 0.9, "resamples": 500, "seed": 3}}}"#,
    )
    .unwrap();
    let ci = c.agreement.ci.unwrap();
    assert_eq!(
        (ci.level, ci.resamples, ci.seed, ci.min_alpha),
        (0.9, 500, 3, 0.667)
    );
    let e = ReportConfig::from_json(r#"{"agreement": {"ci": {"level": 95}}}"#).unwrap_err();
    assert!(e.to_string().contains("agreement.ci.level"), "{e}");
    let e = ReportConfig::from_json(r#"{"agreement": {"ci": {"resample": 5}}}"#).unwrap_err();
    assert!(e.to_string().contains("agreement.ci.resample"), "{e}");
    // Without "ci", no intervals and no "ci" key in the report.
    let r = compute(&simulated(20, 1), &AgreementConfig::default());
    assert!(r.ci.is_none());
    assert!(!serde_json::to_string(&r).unwrap().contains("\"ci\""));
}

/// The population of the coverage test: true labels drawn from `PI`; each
/// of `RATINGS` ratings of an item is its true label with probability `Q`,
/// else a label drawn uniformly from all five.
const PI: [f64; 5] = [0.2, 0.3, 0.15, 0.25, 0.1];
const Q: f64 = 0.6;
const RATINGS: usize = 4;

/// The population alpha at a level whose distance `d(c, k)` does not depend
/// on the data (nominal, interval): Krippendorff's `1 - D_o / D_e` with the
/// pair probabilities in place of the coincidences. Within an item two
/// ratings are independent given its true label `t`, each `c` with
/// probability `r_t(c) = Q [c = t] + (1 - Q) / 5`; two ratings of different
/// items are independent draws from the marginal `p_c = sum_t PI_t r_t(c)`.
fn true_alpha(d: impl Fn(usize, usize) -> f64) -> f64 {
    let r = |t: usize, c: usize| Q * f64::from(u8::from(c == t)) + (1.0 - Q) / 5.0;
    let p = |c: usize| (0..5).map(|t| PI[t] * r(t, c)).sum::<f64>();
    let (mut d_o, mut d_e) = (0.0, 0.0);
    for c in 0..5 {
        for k in 0..5 {
            d_o += d(c, k) * (0..5).map(|t| PI[t] * r(t, c) * r(t, k)).sum::<f64>();
            d_e += d(c, k) * p(c) * p(k);
        }
    }
    1.0 - d_o / d_e
}

fn population_sample(items: usize, rng: &mut rand_chacha::ChaCha8Rng) -> Dataset {
    use rand::Rng;
    let mut rows = Vec::new();
    for i in 0..items {
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let truth = PI.iter().position(|&p| {
            acc += p;
            u < acc
        });
        let truth = truth.unwrap_or(4);
        for w in 0..RATINGS {
            let label = if rng.random::<f64>() < Q {
                truth
            } else {
                rng.random_range(0..5)
            };
            rows.push(Annotation::new(
                format!("i{i}"),
                format!("w{w}"),
                Label::ALL[label],
            ));
        }
    }
    Dataset::from_annotations(&rows, &[])
}

/// Coverage: on 200 simulated crowds of 80 items from a population whose
/// alpha is known exactly ([`true_alpha`]), the 95% percentile interval
/// (200 resamples each) holds the true nominal and interval alpha about
/// 95% of the time (seed 2007: 187 and 191 of 200). With 200 crowds the
/// share has a standard error of about 1.5 points; the bounds 0.90-0.99
/// allow for that and for the percentile bootstrap's known slight
/// under-coverage on small samples (Efron & Tibshirani 1993, ch. 13-14).
/// Seeded, so the counts are the same on every run.
#[test]
fn the_95_percent_interval_covers_the_true_alpha_of_simulated_crowds_near_95_percent_of_the_time() {
    use rand::SeedableRng;
    let nominal = true_alpha(|c, k| f64::from(u8::from(c != k)));
    let interval = true_alpha(|c, k| (c as f64 - k as f64).powi(2));
    assert!((0.3..0.6).contains(&nominal), "{nominal}");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2007);
    let runs = 200;
    let (mut nominal_in, mut interval_in) = (0, 0);
    for run in 0..runs {
        let d = population_sample(80, &mut rng);
        let r = intervals(
            &d,
            CiConfig {
                resamples: 200,
                seed: run,
                ..CiConfig::default()
            },
        );
        let k = &ci(&r).krippendorff_alpha;
        let holds = |iv: Option<[f64; 2]>, v: f64| iv.is_some_and(|[lo, hi]| lo <= v && v <= hi);
        nominal_in += u32::from(holds(k.nominal, nominal));
        interval_in += u32::from(holds(k.interval, interval));
    }
    for (name, n) in [("nominal", nominal_in), ("interval", interval_in)] {
        let coverage = f64::from(n) / runs as f64;
        println!("{name}: {n} of {runs}");
        assert!(
            (0.90..=0.99).contains(&coverage),
            "{name}: the interval held the true alpha in {n} of {runs} crowds"
        );
    }
}

/// The dataset of the independent bootstrap reference, and its units
/// (items with two or more labels, in item order) by name.
fn reference_data() -> (Dataset, Vec<String>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference/bootstrap_data.jsonl"
    );
    let d = Dataset::parse_jsonl(std::fs::read_to_string(path).unwrap(), false).unwrap();
    let counts = d.item_counts();
    let units = (0..d.items.len())
        .filter(|&i| counts[i].iter().sum::<u32>() >= 2)
        .map(|i| d.items.name(i as u32).to_string())
        .collect();
    (d, units)
}

/// The resample indices of `seed`, as the report draws them.
fn reference_draws(seed: u64, resamples: u32, units: usize) -> Vec<Vec<usize>> {
    let mut draws = Draws::new(seed, units);
    (0..resamples)
        .map(|_| {
            let mut one = Vec::with_capacity(units);
            draws.resample(|u| one.push(u));
            one
        })
        .collect()
}

/// Prints the resample indices for tests/reference/bootstrap_reference.py,
/// which runs it: `cargo test --test agreement_intervals -- --ignored
/// --exact print_the_bootstrap_draws --nocapture`.
#[test]
#[ignore = "prints the draws for the reference script"]
fn print_the_bootstrap_draws() {
    let (_, units) = reference_data();
    let (seed, resamples) = (2007, 200);
    let draws = reference_draws(seed, resamples, units.len());
    let out =
        serde_json::json!({"seed": seed, "resamples": resamples, "units": units, "draws": draws});
    println!("DRAWS {out}");
}

/// The item bootstrap against independent code: for the same resample
/// indices (written by [`print_the_bootstrap_draws`]),
/// tests/reference/bootstrap_reference.py computes each resample's alpha
/// with the `krippendorff` package (each drawn item a column of its own),
/// pairwise agreement and Fleiss' kappa with plain loops, and the 2.5% and
/// 97.5% quantiles with numpy's default (linear, Hyndman & Fan 7). The
/// report's intervals equal them to 1e-9.
#[test]
fn the_item_bootstrap_equals_the_krippendorff_package_on_the_same_resamples() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference/bootstrap_reference.json"
    );
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (d, units) = reference_data();
    assert_eq!(expected["units"], serde_json::json!(units));
    let seed = expected["seed"].as_u64().unwrap();
    let resamples = expected["resamples"].as_u64().unwrap() as u32;
    // The fixture's indices are still the ones the report draws.
    assert_eq!(
        expected["draws"],
        serde_json::json!(reference_draws(seed, resamples, units.len()))
    );
    let r = intervals(
        &d,
        CiConfig {
            level: expected["level"].as_f64().unwrap(),
            resamples,
            seed,
            ..CiConfig::default()
        },
    );
    let c = ci(&r);
    let k = &c.krippendorff_alpha;
    let ours = [
        ("pairwise", c.pairwise),
        ("pairwise_directional", c.pairwise_directional),
        ("fleiss_kappa", c.fleiss_kappa),
        ("nominal", k.nominal),
        ("ordinal", k.ordinal),
        ("interval", k.interval),
    ];
    for (name, interval) in ours {
        let [lo, hi] = interval.unwrap_or_else(|| panic!("{name} has no interval"));
        let theirs = &expected["intervals"][name];
        for (x, y) in [(lo, &theirs[0]), (hi, &theirs[1])] {
            let y = y.as_f64().unwrap();
            assert!((x - y).abs() <= 1e-9, "{name}: {x} vs {y}");
        }
    }
}
