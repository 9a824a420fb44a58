//! `prefkit judge route` end to end: files in, JSON out, line-numbered errors.

mod support;

use support::{prefkit, prefkit_json, scratch_dir};

/// Writes `lines` to `dir/name`, one a line; returns the path.
fn write(dir: &std::path::Path, name: &str, lines: &[&str]) -> String {
    support::write_file(dir, name, &(lines.join("\n") + "\n"))
}

/// A scratch dir `name` holding `results.jsonl` of `lines`: the dir and
/// the file's path.
fn with_results(name: &str, lines: &[&str]) -> (std::path::PathBuf, String) {
    let dir = scratch_dir(name);
    let results = write(&dir, "results.jsonl", lines);
    (dir, results)
}

#[test]
fn routing_files_prints_counts_costs_queues_and_agreement() {
    let (dir, results) = with_results(
        "judge-cli-ok",
        &[
            r#"{"item":"a","label":"A>","confidence":0.9}"#,
            r#"{"item":"b","label":"B>>","confidence":0.4}"#,
            r#"{"item":"c","label":null,"confidence":0}"#,
            r#"{"item":"d","label":"=","confidence":0.8}"#,
        ],
    );
    // "d" is accepted as a tie; a person says A>: it goes to an expert.
    // The annotation record for "b" was shown swapped (label as shown).
    let human = write(
        &dir,
        "human.jsonl",
        &[
            r#"{"item":"b","annotator":"w1","label":"A>","swapped":true}"#,
            r#"{"item":"d","label":"A>"}"#,
        ],
    );
    let v = prefkit_json(&[
        "judge",
        "route",
        "--spot-check-share",
        "0",
        &results,
        "--human",
        &human,
    ]);
    let c = &v["summary"]["counts"];
    assert_eq!(
        (
            c["accepted"].as_u64(),
            c["human"].as_u64(),
            c["expert"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(v["human_queue"], serde_json::json!(["c"]));
    assert_eq!(v["expert_queue"], serde_json::json!(["d"]));
    // 4 x 0.02 + 3 human labels x 1.50 (b, c, d) + 1 expert x 5.00.
    assert!((v["summary"]["cost"]["total"].as_f64().unwrap() - 9.58).abs() < 1e-9);
    // b: AI B>> vs human B> (un-flipped): same direction.
    assert_eq!(v["agreement"]["directional_agreement"], 0.5);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_result_line_is_named_with_exit_code_two() {
    let (dir, results) = with_results(
        "judge-cli-bad",
        &[
            r#"{"item":"a","label":"A>","confidence":0.9}"#,
            r#"{"item":"b","label":"A>>>","confidence":0.9}"#,
        ],
    );
    let (code, _, err) = prefkit(&["judge", "route", &results]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 2") && err.contains("unknown label \"A>>>\""),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
