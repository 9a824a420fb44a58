//! Agreement figures against published worked examples and against values
//! computed by independent Python packages (tests/reference/).

use prefkit::agreement::{compute, live::LiveAgreement, AgreementConfig, AgreementReport};
use prefkit::FromJson;
use prefkit::{Annotation, Dataset, Label};
use serde_json::Value;

/// A dataset from `(item, annotator, label code 0..4)` triples.
fn dataset<I: AsRef<str>, A: AsRef<str>>(rows: &[(I, A, usize)]) -> Dataset {
    let annotations: Vec<Annotation> = rows
        .iter()
        .map(|(i, a, l)| Annotation::new(i.as_ref(), a.as_ref(), Label::ALL[*l]))
        .collect();
    Dataset::from_annotations(&annotations, &[])
}

/// A dataset from a table of label counts per item (raters are anonymous,
/// so each item gets its own rater names `r0, r1, ...`).
fn from_counts(table: &[[usize; 5]]) -> Dataset {
    let mut rows = Vec::new();
    for (i, counts) in table.iter().enumerate() {
        let mut r = 0;
        for (label, &n) in counts.iter().enumerate() {
            for _ in 0..n {
                rows.push((format!("s{i}"), format!("r{r}"), label));
                r += 1;
            }
        }
    }
    dataset(&rows)
}

fn all() -> AgreementConfig {
    AgreementConfig {
        min_shared: 1,
        ci: None,
    }
}

fn close(ours: Option<f64>, theirs: f64, tol: f64) {
    let ours = ours.expect("figure should be defined");
    assert!(
        (ours - theirs).abs() <= tol,
        "ours {ours}, expected {theirs} (tolerance {tol})"
    );
}

#[test]
fn krippendorffs_own_reliability_data_example_gives_the_published_alphas() {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
    // section C: 4 observers x 12 units, values 1..5, `.` missing.
    // Values 1..5 map to the label codes 0..4 (all distances are shift-free).
    let table = [
        ("A", "1 2 3 3 2 1 4 1 2 . . ."),
        ("B", "1 2 3 3 2 2 4 1 2 5 . 3"),
        ("C", ". 3 3 3 2 3 4 2 2 5 1 ."),
        ("D", "1 2 3 3 2 4 4 1 2 5 1 ."),
    ];
    let mut rows = Vec::new();
    for (coder, values) in table {
        for (unit, v) in values.split(' ').enumerate() {
            if let Ok(v) = v.parse::<usize>() {
                rows.push((format!("u{unit}"), coder.to_string(), v - 1));
            }
        }
    }
    let r = compute(&dataset(&rows), &all());
    // Unit 12 has a single value and is not pairable: 11 units, n.. = 40 (paper).
    assert_eq!(r.items_with_two_plus, 11);
    let a = &r.krippendorff_alpha;
    // Published: nominal 0.743, ordinal 0.815, interval 0.849 (paper, section C).
    close(a.nominal, 0.743, 0.0005);
    close(a.ordinal, 0.815, 0.0005);
    close(a.interval, 0.849, 0.0005);
    // The `krippendorff` package 0.9.0 on the same data (value_domain 1..5).
    close(a.nominal, 0.743421052631579, 1e-12);
    close(a.ordinal, 0.8153875037548814, 1e-12);
    close(a.interval, 0.8491071428571428, 1e-12);
    let headline = r.headline().unwrap();
    assert_eq!(headline.figure, "krippendorff_alpha.ordinal");
    assert_eq!(headline.interpretation.range, "0.81-1.00");
}

#[test]
fn the_fleiss_example_of_ten_subjects_and_fourteen_raters_gives_0_210() {
    // Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters,
    // 5 categories; P_bar = 0.378, P_e = 0.213, kappa = 0.210.
    let table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ];
    let r = compute(&from_counts(&table), &all());
    close(r.fleiss_kappa, 0.210, 0.0005);
    // statsmodels 0.15.0 `fleiss_kappa` on the same table.
    close(r.fleiss_kappa, 0.20993070442195522, 1e-12);
    assert_eq!(
        r.interpretation.get("fleiss_kappa").unwrap().range,
        "0.21-0.40"
    );
}

#[test]
fn fleiss_1971_table_of_thirty_patients_and_six_psychiatrists_gives_0_430() {
    // Fleiss (1971), Psychological Bulletin 76(5):378-382, table 1: 30
    // patients, 6 psychiatrists, 5 diagnoses (depression, personality
    // disorder, schizophrenia, neurosis, other); rows are each patient's six
    // diagnoses (as distributed with R's irr package as `diagnoses`).
    // Published kappa = 0.430.
    let diagnoses: [[usize; 6]; 30] = [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ];
    let mut rows = Vec::new();
    for (p, ds) in diagnoses.iter().enumerate() {
        for (rater, d) in ds.iter().enumerate() {
            rows.push((
                format!("patient-{p}"),
                format!("psychiatrist-{rater}"),
                d - 1,
            ));
        }
    }
    let r = compute(&dataset(&rows), &all());
    close(r.fleiss_kappa, 0.430, 0.0005);
    // statsmodels 0.15.0 `fleiss_kappa` on the same table.
    close(r.fleiss_kappa, 0.43024452006014074, 1e-12);
}

/// Two annotators' yes/no answers from a 2x2 table, yes = `A>`, no = `B>`.
fn two_by_two(yes_yes: usize, yes_no: usize, no_yes: usize, no_no: usize) -> AgreementReport {
    let mut rows = Vec::new();
    let cells = [
        (yes_yes, 1, 1),
        (yes_no, 1, 3),
        (no_yes, 3, 1),
        (no_no, 3, 3),
    ];
    let mut i = 0;
    for (count, a, b) in cells {
        for _ in 0..count {
            rows.push((format!("p{i}"), "reader-a".to_string(), a));
            rows.push((format!("p{i}"), "reader-b".to_string(), b));
            i += 1;
        }
    }
    compute(&dataset(&rows), &all())
}

#[test]
fn cohens_kappa_reproduces_the_textbook_two_reader_examples() {
    // Wikipedia, "Cohen's kappa", worked example (50 grant proposals):
    // yes/yes 20, yes/no 5, no/yes 10, no/no 15; p_o = 0.7, p_e = 0.5,
    // kappa = 0.4. With two categories every weighting gives the same value.
    let r = two_by_two(20, 5, 10, 15);
    let p = &r.cohen_kappa[0];
    assert_eq!(
        (p.a.as_str(), p.b.as_str(), p.n),
        ("reader-a", "reader-b", 50)
    );
    close(p.unweighted, 0.4, 1e-12);
    close(p.linear, 0.4, 1e-12);
    close(p.quadratic, 0.4, 1e-12);
    // Same article, "same percentages but different numbers": p_o = 0.60 in
    // both tables, kappa = 0.1304 and 0.2593.
    close(
        two_by_two(45, 15, 25, 15).cohen_kappa[0].unweighted,
        0.1304,
        0.00005,
    );
    close(
        two_by_two(25, 35, 5, 35).cohen_kappa[0].unweighted,
        0.2593,
        0.00005,
    );
}

fn check_close(what: &str, ours: Option<f64>, theirs: Option<f64>) {
    match (ours, theirs) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-9, "{what}: ours {x}, reference {y}"),
        (None, None) => {}
        _ => panic!("{what}: ours {ours:?}, reference {theirs:?}"),
    }
}

#[test]
fn every_figure_matches_the_python_packages_on_seeded_random_data() {
    let fixture: Value =
        serde_json::from_str(include_str!("reference/agreement_reference.json")).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let rows: Vec<(String, String, usize)> = case["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r[0].as_str().unwrap().to_string(),
                    r[1].as_str().unwrap().to_string(),
                    r[2].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let data = dataset(&rows);
        let r = compute(&data, &all());
        assert_eq!(r.pairs, case["pairs"].as_u64().unwrap(), "{name}: pairs");
        let alpha = &case["krippendorff_alpha"];
        let a = &r.krippendorff_alpha;
        for (what, ours, theirs) in [
            ("pairwise", r.pairwise, &case["pairwise"]),
            (
                "pairwise_directional",
                r.pairwise_directional,
                &case["pairwise_directional"],
            ),
            ("fleiss_kappa", r.fleiss_kappa, &case["fleiss_kappa"]),
            ("alpha nominal", a.nominal, &alpha["nominal"]),
            ("alpha ordinal", a.ordinal, &alpha["ordinal"]),
            ("alpha interval", a.interval, &alpha["interval"]),
        ] {
            check_close(&format!("{name} {what}"), ours, theirs.as_f64());
        }
        let pairs = case["cohen_kappa"].as_array().unwrap();
        assert_eq!(r.cohen_kappa.len(), pairs.len(), "{name}: cohen pairs");
        for (ours, theirs) in r.cohen_kappa.iter().zip(pairs) {
            let who = format!("{name} cohen {}-{}", ours.a, ours.b);
            assert_eq!(ours.a, theirs["a"].as_str().unwrap(), "{who}");
            assert_eq!(ours.b, theirs["b"].as_str().unwrap(), "{who}");
            assert_eq!(ours.n, theirs["n"].as_u64().unwrap(), "{who}");
            let values = [ours.unweighted, ours.linear, ours.quadratic];
            for (weights, ours) in ["unweighted", "linear", "quadratic"].iter().zip(values) {
                check_close(&format!("{who} {weights}"), ours, theirs[weights].as_f64());
            }
            assert_eq!(ours.reason.is_some(), ours.unweighted.is_none(), "{who}");
        }
        // The live state gives the very same report.
        let live = LiveAgreement::from_dataset(&data).unwrap();
        assert_eq!(live.snapshot(&all()), r, "{name}: live");
    }
}

#[test]
fn the_report_has_the_documented_json_shape() {
    let r = two_by_two(20, 5, 10, 15);
    let v = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "cohen_kappa",
        "fleiss_kappa",
        "interpretation",
        "items_with_two_plus",
        "krippendorff_alpha",
        "pairs",
        "pairwise",
        "pairwise_directional",
        "undefined",
    ];
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected);
    let alpha: Vec<&str> = v["krippendorff_alpha"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(alpha.len(), 3);
    for k in ["nominal", "ordinal", "interval"] {
        assert!(alpha.contains(&k));
    }
    let pair = v["cohen_kappa"][0].as_object().unwrap();
    assert_eq!(pair.len(), 6, "no reason field when defined: {pair:?}");
    assert_eq!(v["interpretation"]["fleiss_kappa"]["band"], "fair");
    assert_eq!(v["undefined"], serde_json::json!({}));
    let back: AgreementReport = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
}

fn assert_all_undefined(r: &AgreementReport) {
    let json = serde_json::to_string(r).unwrap();
    assert!(!json.contains("NaN") && !json.contains("nan"), "{json}");
    for key in [
        "fleiss_kappa",
        "krippendorff_alpha.nominal",
        "krippendorff_alpha.ordinal",
        "krippendorff_alpha.interval",
    ] {
        assert!(r.undefined.contains_key(key), "{key} has no reason: {json}");
    }
    assert_eq!(r.fleiss_kappa, None);
    assert_eq!(r.krippendorff_alpha.nominal, None);
    assert_eq!(r.krippendorff_alpha.ordinal, None);
    assert_eq!(r.krippendorff_alpha.interval, None);
    assert!(r.interpretation.is_empty());
}

#[test]
fn an_empty_dataset_gives_nulls_with_reasons() {
    let r = compute(&Dataset::new(), &AgreementConfig::default());
    assert_all_undefined(&r);
    assert_eq!(
        (r.pairwise, r.pairwise_directional, r.pairs),
        (None, None, 0)
    );
    assert!(r
        .undefined
        .get("pairwise")
        .unwrap()
        .contains("no item has two or more labels"));
    assert!(r.cohen_kappa.is_empty());
    assert_eq!(
        r,
        LiveAgreement::new().snapshot(&AgreementConfig::default())
    );
}

#[test]
fn items_with_one_label_each_give_nulls_with_reasons() {
    let r = compute(&dataset(&[("x", "w1", 0), ("y", "w2", 4)]), &all());
    assert_all_undefined(&r);
    assert_eq!(r.items_with_two_plus, 0);
    assert!(r
        .undefined
        .get("fleiss_kappa")
        .unwrap()
        .contains("no item has two or more labels"));
}

#[test]
fn a_single_category_in_use_gives_nulls_with_reasons_but_full_raw_agreement() {
    let rows = [
        ("x", "w1", 2),
        ("x", "w2", 2),
        ("y", "w1", 2),
        ("y", "w2", 2),
        ("z", "w3", 0),
    ];
    let r = compute(&dataset(&rows), &all());
    assert_all_undefined(&r);
    assert_eq!((r.pairwise, r.pairwise_directional), (Some(1.0), Some(1.0)));
    assert!(r
        .undefined
        .get("krippendorff_alpha.ordinal")
        .unwrap()
        .contains("\"=\""));
    assert_eq!(
        r.headline(),
        Err(r
            .undefined
            .get("krippendorff_alpha.ordinal")
            .unwrap()
            .clone())
    );
    let p = &r.cohen_kappa[0];
    assert_eq!((p.unweighted, p.linear, p.quadratic), (None, None, None));
    assert!(p
        .reason
        .as_deref()
        .unwrap()
        .contains("\"=\" on all 2 shared items"));
}

#[test]
fn pairs_sharing_fewer_than_min_shared_items_are_left_out() {
    let r = two_by_two(3, 1, 1, 4);
    assert_eq!(r.cohen_kappa.len(), 1);
    let none = compute(
        &dataset(&[("x", "w1", 0), ("x", "w2", 0)]),
        &AgreementConfig::default(),
    );
    assert!(none.cohen_kappa.is_empty(), "default min_shared is 10");
    let read = |text: &str| prefkit::report::ReportConfig::from_json(text).map(|c| c.agreement);
    assert_eq!(
        read(r#"{"agreement": {"min_shared": 3}}"#)
            .unwrap()
            .min_shared,
        3
    );
    assert_eq!(
        read(r#"{"agreement": {"min_share": 3}}"#)
            .unwrap_err()
            .to_string(),
        "field \"agreement.min_share\": unknown key; expected one of min_shared, ci"
    );
    assert_eq!(
        read(r#"{"agreement": {}}"#).unwrap(),
        AgreementConfig::default()
    );
}
