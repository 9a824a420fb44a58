//! Repeated ratings (`allow_repeats`): a second label by the same annotator
//! on the same item, read as another rating.
//!
//! The expected figures come from tests/reference/repeats_reference.py
//! (krippendorff, statsmodels, scikit-learn and plain loops; see its
//! header for how each package is given the repeats), and the Dawid-Skene
//! fit of the 1979 patient data from crowd-kit
//! (tests/reference/dawid_skene_reference.py).

mod support;

use prefkit::agreement::live::LiveAgreement;
use prefkit::annotation::ReadOptions;
use prefkit::report::{self, LiveReport, ReportConfig};
use prefkit::{Annotation, Dataset, Label};
use serde_json::Value;

const REPEATS: ReadOptions = ReadOptions {
    skip_invalid: false,
    allow_repeats: true,
};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn close(ours: Option<f64>, theirs: &Value, what: &str) {
    match (ours, theirs.as_f64()) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-9, "{what}: {x} vs {y}"),
        (x, _) => assert_eq!(x, None, "{what}: the reference is {theirs}"),
    }
}

/// The reference cases as JSONL, in the rows' order.
fn cases() -> Vec<(Value, String)> {
    let all: Value = serde_json::from_str(&fixture("reference/repeats_reference.json")).unwrap();
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let mut text = String::new();
            for row in case["annotations"].as_array().unwrap() {
                let label = Label::from_index(row[2].as_u64().unwrap() as usize).unwrap();
                let line = serde_json::json!({"item": row[0], "annotator": row[1], "label": label.as_str()});
                text.push_str(&line.to_string());
                text.push('\n');
            }
            (case.clone(), text)
        })
        .collect()
}

/// Each reference case with the report of its annotations, repeats
/// allowed.
fn case_reports() -> Vec<(Value, report::Report)> {
    cases()
        .into_iter()
        .map(|(case, text)| {
            let d = Dataset::parse_jsonl_with(&text, REPEATS).unwrap();
            (case, report::run(&d, &with_repeats()))
        })
        .collect()
}

fn with_repeats() -> ReportConfig {
    ReportConfig {
        allow_repeats: true,
        min_reliability: 0.0,
        ..ReportConfig::default()
    }
}

#[test]
fn a_repeated_rating_is_refused_by_default_with_a_message_that_names_allow_repeats() {
    let text = "{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"B>\"}\n";
    let e = Dataset::parse_jsonl(text, false).unwrap_err().to_string();
    assert_eq!(
        e,
        "line 2: annotator \"w\" already labelled item \"x\" on line 1; to accept repeated ratings by the same annotator, set allow_repeats (prefkit report --allow-repeats)"
    );
    let d = Dataset::parse_jsonl_with(text, REPEATS).unwrap();
    assert_eq!(d.rows.len(), 2);
}

#[test]
fn a_duplicate_annotation_id_is_refused_even_with_allow_repeats() {
    let text = "{\"id\":\"a\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"id\":\"a\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"B>\"}\n";
    let e = Dataset::parse_jsonl_with(text, REPEATS)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "line 2, field \"id\": duplicate annotation id \"a\" (first seen on line 1)"
    );
}

#[test]
fn agreement_with_repeats_equals_krippendorff_statsmodels_and_scikit_learn() {
    for (case, report) in case_reports() {
        let name = case["name"].as_str().unwrap();
        let r = report.agreement;
        assert_eq!(r.pairs, case["pairs"].as_u64().unwrap(), "{name}");
        close(r.pairwise, &case["pairwise"], name);
        close(r.pairwise_directional, &case["pairwise_directional"], name);
        assert_eq!(case["fleiss_source"], "statsmodels", "{name}");
        close(r.fleiss_kappa, &case["fleiss_kappa"], name);
        let alpha = &case["krippendorff_alpha"];
        close(r.krippendorff_alpha.nominal, &alpha["nominal"], name);
        close(r.krippendorff_alpha.ordinal, &alpha["ordinal"], name);
        close(r.krippendorff_alpha.interval, &alpha["interval"], name);
        // min_shared is 10 by default: the reference lists every pair.
        let expected: Vec<&Value> = case["cohen_kappa"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["n"].as_u64().unwrap() >= 10)
            .collect();
        assert!(!expected.is_empty(), "{name}: a pair to compare");
        assert_eq!(r.cohen_kappa.len(), expected.len(), "{name}");
        for (ours, theirs) in r.cohen_kappa.iter().zip(expected) {
            assert_eq!(
                (ours.a.as_str(), ours.b.as_str()),
                (theirs["a"].as_str().unwrap(), theirs["b"].as_str().unwrap())
            );
            assert_eq!(
                ours.n,
                theirs["n"].as_u64().unwrap(),
                "{name} {}-{}",
                ours.a,
                ours.b
            );
            close(ours.unweighted, &theirs["unweighted"], name);
            close(ours.linear, &theirs["linear"], name);
            close(ours.quadratic, &theirs["quadratic"], name);
        }
    }
}

#[test]
fn self_consistency_equals_a_plain_count_over_pairs_of_own_ratings() {
    for (case, report) in case_reports() {
        let name = case["name"].as_str().unwrap();
        let annotators = report.annotators;
        let expected = case["self_consistency"].as_object().unwrap();
        for a in &annotators {
            match (&a.self_consistency, expected.get(&a.id)) {
                (Some(s), Some(e)) => {
                    assert_eq!(s.count, e["count"].as_u64().unwrap(), "{name} {}", a.id);
                    close(Some(s.exact), &e["exact"], name);
                    close(Some(s.directional), &e["directional"], name);
                }
                (None, None) => {
                    assert!(a.reasons.iter().any(|r| r.starts_with("self_consistency")))
                }
                (ours, theirs) => panic!("{name} {}: {ours:?} vs {theirs:?}", a.id),
            }
        }
        assert_eq!(
            annotators
                .iter()
                .filter(|a| a.self_consistency.is_some())
                .count(),
            expected.len(),
            "{name}"
        );
    }
}

#[test]
fn the_live_report_with_repeats_equals_the_batch_report_label_by_label() {
    let (_, text) = cases().remove(0);
    let d = Dataset::parse_jsonl_with(&text, REPEATS).unwrap();
    let config = with_repeats();
    let mut live = LiveReport::new(config.clone(), &[]).unwrap();
    let mut agreement = LiveAgreement::with_repeats(true);
    for r in &d.rows {
        let a = Annotation::new(
            d.items.name(r.item),
            d.annotators.name(r.annotator),
            r.label,
        );
        live.add(&a).unwrap();
        agreement.add(&a.item, &a.annotator, a.label).unwrap();
    }
    let mut batch = report::run(&d, &config);
    batch.labels.dawid_skene = None;
    batch.dawid_skene = None;
    let snapshot = live.snapshot();
    assert_eq!(snapshot.agreement, batch.agreement);
    assert_eq!(snapshot.annotators, batch.annotators);
    assert_eq!(agreement.snapshot(&config.agreement), batch.agreement);
    // A stored state keeps taking repeats after loading.
    let stored: LiveAgreement =
        serde_json::from_str(&serde_json::to_string(&agreement).unwrap()).unwrap();
    assert_eq!(stored.snapshot(&config.agreement), batch.agreement);
    // Without allow_repeats the live state refuses the first repeat.
    let mut strict = LiveReport::new(ReportConfig::default(), &[]).unwrap();
    let refused = d.rows.iter().find_map(|r| {
        let a = Annotation::new(
            d.items.name(r.item),
            d.annotators.name(r.annotator),
            r.label,
        );
        strict.add(&a).err()
    });
    assert!(refused.unwrap().to_string().contains("allow_repeats"));
}

#[test]
fn the_report_command_reads_repeats_with_the_allow_repeats_flag_only() {
    let path = format!(
        "{}/tests/fixtures/reference/ds_patients_repeated.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let (code, _, stderr) = support::prefkit(&["report", &path]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--allow-repeats"), "{stderr}");
    let (code, stdout, stderr) = support::prefkit(&["report", &path, "--allow-repeats"]);
    assert_eq!(code, 0, "{stderr}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["counts"]["annotations"], 315);
    assert_eq!(r["counts"]["annotators"], 5);
    let one = &r["annotators"][0];
    assert_eq!(one["id"], "1");
    // Clinician 1 rated 45 patients three times: 3 pairs each.
    assert_eq!(one["self_consistency"]["count"], 135);
    assert!(r["annotators"][1]["self_consistency"].is_null());
}
