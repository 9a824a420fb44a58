//! The published worked examples, run through the whole report, pinned as
//! JSON text. `tests/wasm.rs` checks that the WebAssembly build produces the
//! very same bytes. After an intended change to the report, regenerate the
//! pinned files with `PREFKIT_BLESS=1 cargo test --test published_reports`.

use prefkit::annotation::ReadOptions;
use prefkit::report::{run, ReportConfig};
use prefkit::Dataset;
use prefkit::FromJson;
use serde_json::Value;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

/// The report of `input` under `config` (paths under tests/fixtures), read
/// with the config's `allow_repeats`, as JSON text.
fn report_text(input: &str, config: &str) -> String {
    let dir = Path::new(FIXTURES);
    let text = std::fs::read_to_string(dir.join(input)).unwrap();
    let config =
        ReportConfig::from_json(&std::fs::read_to_string(dir.join(config)).unwrap()).unwrap();
    let options = ReadOptions {
        skip_invalid: false,
        allow_repeats: config.allow_repeats,
    };
    let d = Dataset::parse_jsonl_with(&text, options).unwrap();
    serde_json::to_string(&run(&d, &config)).unwrap()
}

/// The report of `input` under `config` equals the file `pinned`.
fn pinned_as(input: &str, config: &str, pinned: &str) -> Value {
    let text = report_text(input, config);
    let path = Path::new(FIXTURES).join(pinned);
    if std::env::var_os("PREFKIT_BLESS").is_some() {
        std::fs::write(&path, format!("{text}\n")).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        expected.trim_end(),
        "{pinned}: report differs from the pinned JSON"
    );
    serde_json::from_str(&text).unwrap()
}

/// A published example under `published/config.json`.
fn pinned(name: &str) -> Value {
    pinned_as(
        &format!("published/{name}.jsonl"),
        "published/config.json",
        &format!("published/{name}.report.json"),
    )
}

fn figure(v: &Value, path: &str) -> f64 {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number"))
}

#[test]
fn krippendorffs_2011_example_report_is_pinned_and_shows_the_published_alphas() {
    let r = pinned("krippendorff_2011");
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C.
    assert!((figure(&r, "agreement.krippendorff_alpha.nominal") - 0.743).abs() < 5e-4);
    assert!((figure(&r, "agreement.krippendorff_alpha.ordinal") - 0.815).abs() < 5e-4);
    assert!((figure(&r, "agreement.krippendorff_alpha.interval") - 0.849).abs() < 5e-4);
}

#[test]
fn the_fleiss_wikipedia_example_report_is_pinned_and_shows_kappa_0_210() {
    // Wikipedia, "Fleiss' kappa", worked example (10 subjects, 14 raters).
    let r = pinned("fleiss_wikipedia");
    assert!((figure(&r, "agreement.fleiss_kappa") - 0.210).abs() < 5e-4);
}

#[test]
fn fleiss_1971_report_is_pinned_and_shows_kappa_0_430() {
    // Fleiss (1971), Psychological Bulletin 76(5), table 1.
    let r = pinned("fleiss_1971");
    assert!((figure(&r, "agreement.fleiss_kappa") - 0.430).abs() < 5e-4);
}

#[test]
fn the_dawid_skene_patient_data_report_is_pinned() {
    // Dawid & Skene (1979), table 1 (clinician 1's three ratings as 1a-1c).
    let r = pinned("dawid_skene_1979");
    assert_eq!(r["counts"]["items"], 45);
    assert!(r["dawid_skene"]["iterations"].as_u64().unwrap() > 1);
}

/// Bootstrap intervals pinned too, so that `tests/wasm.rs` checks that the
/// browser draws the same resamples and gives the same intervals for the
/// same seed: Krippendorff's example and the 1979 patient data with
/// anaesthetist 1's three ratings as repeats (`allow_repeats`), under
/// `published/config_ci.json` (1,000 resamples, seed 7).
#[test]
fn reports_with_intervals_and_repeats_are_pinned() {
    let r = pinned_as(
        "published/krippendorff_2011.jsonl",
        "published/config_ci.json",
        "published/krippendorff_2011.ci.report.json",
    );
    let nominal = &r["agreement"]["ci"]["krippendorff_alpha"]["nominal"];
    let [lo, hi] = [0, 1].map(|k| nominal[k].as_f64().unwrap());
    assert!(lo < 0.743 && 0.743 < hi, "{lo} {hi}");
    let r = pinned_as(
        "reference/ds_patients_repeated.jsonl",
        "published/config_ci.json",
        "published/dawid_skene_1979_repeated.ci.report.json",
    );
    assert_eq!(r["counts"]["annotators"], 5);
    assert_eq!(r["annotators"][0]["self_consistency"]["count"], 135);
    assert!(r["agreement"]["ci"]["fleiss_kappa"].is_array());
}
