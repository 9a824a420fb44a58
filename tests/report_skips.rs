//! Skip records ("I can't judge this") in the files the report reads: the
//! page's download and the collector's exports hold them beside labels.
//! They are never labels: they count in each annotator's `skips` and
//! `skip_rate`, and a skipped gold item counts as seen and not correct.

mod support;

use prefkit::annotation::{parse_annotations_jsonl, parse_gold};
use prefkit::report::{run, ReportConfig};
use prefkit::Dataset;
use serde_json::{json, Value};

const LABELS: &str = r#"{"id":"1","item":"x1","annotator":"w1","label":"A>","time_seconds":9}
{"id":"2","item":"x1","annotator":"w2","label":"A>>","time_seconds":9}
{"id":"3","item":"x2","annotator":"w1","label":"B>","time_seconds":9}
{"id":"4","item":"x2","annotator":"w2","label":"B>","time_seconds":9}
{"id":"5","item":"g1","annotator":"w1","label":"A>","time_seconds":9}
"#;

/// The labels above with skips between them: w2 skips the gold item, w3
/// only ever skips.
fn with_skips() -> String {
    let lines: Vec<&str> = LABELS.lines().collect();
    let skip = |id: &str, item: &str, who: &str| {
        json!({"id": id, "item": item, "annotator": who, "skip": "I can't judge this"}).to_string()
    };
    [
        lines[0].to_string(),
        skip("s1", "x2", "w3"),
        lines[1].to_string(),
        lines[2].to_string(),
        skip("s2", "g1", "w2"),
        lines[3].to_string(),
        lines[4].to_string(),
        skip("s3", "x1", "w3"),
    ]
    .join("\n")
}

fn report(text: &str) -> Value {
    let mut d = Dataset::parse_jsonl(text, false).unwrap();
    d.set_gold(&parse_gold(r#"{"item":"g1","label":"A>>"}"#).unwrap());
    serde_json::to_value(run(&d, &ReportConfig::default())).unwrap()
}

fn row<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["annotators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

#[test]
fn a_report_counts_each_annotators_skips_and_leaves_them_out_of_every_figure() {
    let plain = report(LABELS);
    let skipped = report(&with_skips());
    assert_eq!(skipped["counts"]["annotations"], 5);
    assert_eq!(skipped["counts"]["skips"], 3);
    assert_eq!(plain["counts"]["skips"], 0);
    // Agreement and the final labels are those of the labels alone.
    assert_eq!(skipped["agreement"], plain["agreement"]);
    assert_eq!(skipped["labels"]["majority"], plain["labels"]["majority"]);
    let w1 = row(&skipped, "w1");
    assert_eq!(
        (w1["total"].as_u64(), w1["skips"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(w1["skip_rate"], 0.0);
    // w2 labelled 2 items and skipped the gold one: 1 skip in 3, and the
    // skipped gold is a gold item seen and not correct.
    let w2 = row(&skipped, "w2");
    assert_eq!(
        (w2["total"].as_u64(), w2["skips"].as_u64()),
        (Some(2), Some(1))
    );
    assert!((w2["skip_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        (w2["gold_total"].as_u64(), w2["gold_correct"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(w2["gold_accuracy"], 0.0);
    assert_eq!(row(&plain, "w2")["gold_total"], 0);
    // An annotator who only skipped still has a row: no label, all skips.
    let w3 = row(&skipped, "w3");
    assert_eq!(
        (w3["total"].as_u64(), w3["skips"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(w3["skip_rate"], 1.0);
    assert_eq!(skipped["counts"]["annotators"], 3);
}

#[test]
fn skip_records_are_checked_like_labels_and_errors_name_the_line_and_field() {
    let label = r#"{"id":"1","item":"x","annotator":"w","label":"A>"}"#;
    let cases = [
        (
            r#"{"id":"s","item":"x","annotator":"w","skip":"no","label":"A>"}"#.to_string(),
            "line 1, field \"label\": a skip carries no label",
        ),
        (
            r#"{"item":"x","annotator":"w","skip":"no"}"#.to_string(),
            "line 1: missing required field \"id\"",
        ),
        (
            r#"{"id":"s","item":"x","annotator":"w","skip":false}"#.to_string(),
            "line 1, field \"skip\": expected the reason as text, got false",
        ),
        (
            r#"{"id":"s","item":"x","annotator":" w","skip":"no"}"#.to_string(),
            "line 1, field \"annotator\": must not start or end with whitespace",
        ),
        (
            format!(
                "{label}\n{}",
                r#"{"id":"s","item":"x","annotator":"w","skip":"no"}"#
            ),
            "line 2, field \"skip\": annotator \"w\" already labelled item \"x\" on line 1",
        ),
        (
            format!(
                "{}\n{label}",
                r#"{"id":"s","item":"x","annotator":"w","skip":"no"}"#
            ),
            "line 2, field \"label\": annotator \"w\" skipped item \"x\" on line 1",
        ),
        (
            format!(
                "{}\n{}",
                r#"{"id":"s","item":"x","annotator":"w","skip":"no"}"#,
                r#"{"id":"t","item":"x","annotator":"w","skip":"no"}"#
            ),
            "line 2, field \"skip\": annotator \"w\" already skipped item \"x\" on line 1",
        ),
        (
            format!(
                "{label}\n{}",
                r#"{"id":"1","item":"y","annotator":"w","skip":"no"}"#
            ),
            "line 2, field \"id\": duplicate annotation id \"1\" (first seen on line 1)",
        ),
    ];
    for (text, expect) in cases {
        let e = parse_annotations_jsonl(&text, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(expect),
            "{text}\n  gave: {e}\n  want: {expect}"
        );
        // With --skip-invalid the bad line is listed, nothing else is lost.
        let p = parse_annotations_jsonl(&text, true).unwrap();
        assert_eq!(p.skipped.len(), 1, "{text}");
        assert_eq!(p.records.len() + p.skips.len(), text.lines().count() - 1);
    }
}

#[test]
fn prefkit_check_and_replay_take_skip_records_in_file_order() {
    let dir = support::scratch_dir("report-skips");
    let file = dir.join("mixed.jsonl");
    std::fs::write(&file, with_skips()).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, err) = support::prefkit(&["check", path]);
    assert_eq!(code, 0, "{err}");
    let records = support::json_lines(&out);
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "s1", "2", "3", "s2", "4", "5", "s3"]);
    assert_eq!(records[1]["skip"], "I can't judge this");
    let (code, out, err) = support::prefkit(&["report", path]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["counts"]["skips"], 3);
    // Replay through a session over a task holding these items: the skips
    // are taken as skips, and the session's figures count them.
    let examples: Vec<Value> = ["x1", "x2", "g1"]
        .iter()
        .map(|id| json!({"id": id, "prompt": "p", "response_a": "a", "response_b": "b"}))
        .collect();
    let task = dir.join("task.json");
    std::fs::write(
        &task,
        json!({"task_id": "t", "examples": examples, "config": {"overlap": 3}}).to_string(),
    )
    .unwrap();
    let (code, out, err) = support::prefkit(&["replay", "--task", task.to_str().unwrap(), path]);
    assert_eq!(code, 0, "{err}");
    let lines = support::json_lines(&out);
    assert_eq!(lines.len(), 9, "8 verdicts and the stats");
    assert_eq!(lines[1]["skip"]["id"], "s1");
    let stats = &lines[8];
    assert_eq!(stats["session"]["skips"], 3);
    assert_eq!(row(stats, "w3")["skips"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn prefkit_check_prints_each_record_as_read_and_stops_at_a_bad_line_unless_told_to_skip_it() {
    let dir = support::scratch_dir("check-bad-line");
    let file = dir.join("bad.jsonl");
    let mut lines: Vec<String> = with_skips().lines().map(str::to_string).collect();
    lines.insert(
        4,
        r#"{"id":"b","item":"x9","annotator":"w1","label":"A>>>"}"#.into(),
    );
    std::fs::write(&file, lines.join("\n")).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, err) = support::prefkit(&["check", path]);
    assert_ne!(code, 0);
    assert!(err.contains("line 5, field \"label\""), "{err}");
    let ids = |out: &str| -> Vec<String> {
        let records = support::json_lines(out);
        records
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&out), ["1", "s1", "2", "3"], "the records before it");
    let (code, out, err) = support::prefkit(&["check", "--skip-invalid", path]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(ids(&out), ["1", "s1", "2", "3", "s2", "4", "5", "s3"]);
    assert!(err.contains("skipped line 5"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
