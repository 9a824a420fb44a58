//! `prefkit report` run end to end on the fixture files.

mod support;

use support::{assert_has_keys, prefkit, prefkit_json, stdout_json};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_good_file_gives_every_part_of_the_report() {
    let out = prefkit(&[
        "report",
        &fixture("report_good.jsonl"),
        "--gold",
        &fixture("report_gold.jsonl"),
    ]);
    let r = stdout_json(&out);
    assert_eq!(r["counts"]["annotations"], 12);
    assert_eq!(r["counts"]["items"], 4);
    assert_eq!(r["counts"]["annotators"], 3);
    assert_eq!(r["counts"]["skipped"], 0);
    assert_eq!(r["counts"]["gold_items"], 1);
    assert_has_keys(
        &r["agreement"],
        "agreement",
        &[
            "pairwise",
            "fleiss_kappa",
            "krippendorff_alpha",
            "cohen_kappa",
        ],
    );
    // w3 is fast (1.425 s on average), wrong on the gold item and mostly
    // against the majority: composite 0.4 * 0 + 0.3 * 1/4 + 0.3 * 0.285 < 0.6.
    let w3 = &r["annotators"][2];
    assert_eq!(w3["id"], "w3");
    assert_eq!(w3["gold_accuracy"], 0.0);
    assert_eq!(w3["majority_agreement"], 0.25);
    assert!(w3["composite"].as_f64().unwrap() < 0.6);
    assert_eq!(r["filtered"]["annotators_removed"][0], "w3");
    assert_eq!(r["filtered"]["annotations_removed"], 4);
    // w1 (A>>) and w2 (A>) remain on gold-1: the vote ties and goes to A>,
    // nearer to "="; Dawid-Skene holds the gold item at its gold label.
    assert_eq!(r["labels"]["majority"]["gold-1"], "A>");
    assert_eq!(r["labels"]["dawid_skene"]["gold-1"], "A>>");
    assert_eq!(r["labels"]["weighted"]["ex-3"], "B>");
    let ds = &r["dawid_skene"];
    assert!(ds["iterations"].as_u64().unwrap() >= 1);
    assert!(!ds["log_likelihood"].as_array().unwrap().is_empty());
    assert!(ds["confusion"]["w1"].is_array());
    assert!(ds["confusion"].get("w3").is_none());
}

#[test]
fn the_threshold_can_come_from_a_flag_or_a_config_file() {
    let r = prefkit_json(&[
        "report",
        &fixture("report_good.jsonl"),
        "--min-reliability",
        "0",
    ]);
    assert_eq!(
        r["filtered"]["annotators_removed"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = prefkit_json(&[
        "report",
        &fixture("report_good.jsonl"),
        "--config",
        &fixture("report_config.json"),
    ]);
    assert_eq!(r["filtered"]["min_reliability"], 0.5);
    let r = prefkit_json(&[
        "report",
        &fixture("report_good.jsonl"),
        "--min-reliability",
        "1",
    ]);
    // Nobody reaches 1: no label at all, and every item is listed.
    assert_eq!(r["labels"]["majority"].as_object().unwrap().len(), 0);
    assert_eq!(
        r["filtered"]["items_without_label"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert!(r["dawid_skene"].is_null());
    assert!(r["undefined"]["dawid_skene"]
        .as_str()
        .unwrap()
        .contains("below min_reliability"));
}

fn fails_with(args: &[&str], expected: &[&str]) {
    let (code, out, err) = prefkit(args);
    assert_eq!(code, 2, "{args:?}");
    assert!(out.is_empty(), "{args:?}");
    for e in expected {
        assert!(err.contains(e), "{args:?}: {err}");
    }
}

#[test]
fn bad_files_stop_with_exit_code_2_and_a_message_naming_line_and_field() {
    fails_with(
        &["report", &fixture("report_empty.jsonl")],
        &["report_empty.jsonl", "is empty"],
    );
    fails_with(
        &["report", &fixture("report_not_json.jsonl")],
        &["line 2", "not valid JSON"],
    );
    fails_with(
        &["report", &fixture("report_unknown_label.jsonl")],
        &["line 3", "field \"label\"", "unknown label \"A>>>\""],
    );
    fails_with(
        &["report", &fixture("report_negative_time.jsonl")],
        &["line 1", "field \"time_seconds\"", "got -3"],
    );
    fails_with(
        &["report", &fixture("report_duplicate_id.jsonl")],
        &["line 2", "field \"id\"", "duplicate annotation id \"a1\""],
    );
    fails_with(
        &["report", "tests/fixtures/no-such-file.jsonl"],
        &["no-such-file.jsonl"],
    );
}

#[test]
fn bad_settings_are_refused_by_name() {
    fails_with(
        &[
            "report",
            &fixture("report_good.jsonl"),
            "--config",
            &fixture("report_config_unknown.json"),
        ],
        &[
            "field \"reliabilty\": unknown key",
            "expected one of agreement, reliability",
        ],
    );
    fails_with(
        &[
            "report",
            &fixture("report_good.jsonl"),
            "--min-reliability",
            "NaN",
        ],
        &["min_reliability"],
    );
}

/// `prefkit report` of fixture `name` with `--skip-invalid`: the report
/// and what went to stderr.
fn report_skipping_invalid(name: &str) -> (serde_json::Value, String) {
    let out = prefkit(&["report", &fixture(name), "--skip-invalid"]);
    (stdout_json(&out), out.2)
}

#[test]
fn skip_invalid_counts_and_lists_the_bad_lines_and_goes_on() {
    let (r, err) = report_skipping_invalid("report_unknown_label.jsonl");
    assert_eq!(r["counts"]["skipped"], 1);
    assert_eq!(r["counts"]["annotations"], 2);
    assert!(err.contains("skipped line 3"), "{err}");
}

#[test]
fn a_file_with_only_bad_lines_and_skip_invalid_gives_an_empty_report_with_reasons() {
    let (r, _) = report_skipping_invalid("report_negative_time.jsonl");
    assert_eq!(r["counts"]["annotations"], 0);
    assert_eq!(r["counts"]["skipped"], 1);
    assert!(r["agreement"]["pairwise"].is_null());
    assert!(r["labels"]["dawid_skene"].is_null());
    assert!(r["undefined"]["dawid_skene"]
        .as_str()
        .unwrap()
        .contains("empty"));
}

#[test]
fn a_bad_gold_file_stops_with_its_name_line_and_field() {
    fails_with(
        &[
            "report",
            &fixture("report_good.jsonl"),
            "--gold",
            &fixture("report_gold_bad.jsonl"),
        ],
        &[
            "report_gold_bad.jsonl",
            "line 2",
            "label",
            "unknown label \"better\"",
        ],
    );
}

#[test]
fn ci_adds_bootstrap_intervals_that_the_same_seed_repeats() {
    let run = || {
        prefkit(&[
            "report",
            &fixture("report_good.jsonl"),
            "--ci",
            "0.9",
            "--resamples",
            "200",
            "--seed",
            "4",
        ])
    };
    let (a, b) = (run(), run());
    assert_eq!(a.1, b.1);
    let r = stdout_json(&a);
    let ci = &r["agreement"]["ci"];
    assert_eq!(ci["level"], 0.9);
    assert_eq!(ci["resamples"], 200);
    assert_eq!(ci["seed"], 4);
    assert_eq!(ci["method"], "percentile bootstrap over items");
    assert_eq!(ci["hayes_krippendorff"]["method"], "hayes-krippendorff");
    for key in ["pairwise", "pairwise_directional", "fleiss_kappa"] {
        assert!(
            ci[key].is_array() || ci["undefined"][key].is_string(),
            "{key}"
        );
    }
    let (code, _, err) = prefkit(&["report", &fixture("report_good.jsonl"), "--ci", "95"]);
    assert_ne!(code, 0);
    assert!(err.contains("level"));
    let plain = prefkit_json(&["report", &fixture("report_good.jsonl")]);
    assert!(plain["agreement"].get("ci").is_none());
}
