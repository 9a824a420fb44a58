//! The published worked examples, run through the whole report, pinned as
//! JSON text. `tests/wasm.rs` checks that the WebAssembly build produces the
//! very same bytes. After an intended change to the report, regenerate the
//! pinned files with `PREFKIT_BLESS=1 cargo test --test published_reports`.

use prefkit::report::{run, ReportConfig};
use prefkit::Dataset;
use prefkit::FromJson;
use serde_json::Value;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/published");

fn report_text(name: &str) -> String {
    let dir = Path::new(DIR);
    let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
    let config = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let d = Dataset::parse_jsonl(&text, false).unwrap();
    serde_json::to_string(&run(&d, &ReportConfig::from_json(&config).unwrap())).unwrap()
}

fn pinned(name: &str) -> Value {
    let text = report_text(name);
    let path = Path::new(DIR).join(format!("{name}.report.json"));
    if std::env::var_os("PREFKIT_BLESS").is_some() {
        std::fs::write(&path, format!("{text}\n")).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        expected.trim_end(),
        "{name}: report differs from the pinned JSON"
    );
    serde_json::from_str(&text).unwrap()
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
