//! `prefkit batch` and `prefkit replay` run as a user would.

mod support;

use prefkit::session::Session;
use serde_json::{json, Value};
use std::path::PathBuf;
use support::{json_lines, prefkit, prefkit_batch, scratch_dir, work, write_task, Kind};

#[test]
fn batch_prints_successive_batches_the_same_way_for_the_same_seed() {
    let d = scratch_dir("cli-session-batch");
    let task = write_task(&d, 100, 10, json!({"batch_size": 10}));
    let seed_7 = ["--seed", "7", "--count", "3"];
    let (code, out, err) = prefkit_batch(&task, "w1", &seed_7);
    assert_eq!(code, 0, "{err}");
    assert_eq!(prefkit_batch(&task, "w1", &seed_7).1, out);
    let batches = json_lines(&out);
    assert_eq!(batches.len(), 3);
    let mut ids = std::collections::BTreeSet::new();
    for b in &batches {
        assert_eq!(b["annotator"], "w1");
        for item in b["items"].as_array().unwrap() {
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["id", "prompt", "response_left", "response_right", "swapped"]
            );
            assert!(
                ids.insert(item["id"].as_str().unwrap().to_string()),
                "an item came twice"
            );
        }
    }
    assert_eq!(ids.len(), 30);
    let (_, other, _) = prefkit_batch(&task, "w1", &["--seed", "8"]);
    assert_ne!(other.lines().next(), out.lines().next());
    // The same session in the library gives the same first batch.
    let mut s = Session::new(support::task(100, 10, json!({"batch_size": 10})), Some(7)).unwrap();
    let first: Value = serde_json::to_value(s.next_batch("w1", 0.0).unwrap()).unwrap();
    assert_eq!(first, batches[0]);
}

#[test]
fn a_bad_task_file_stops_with_exit_code_2_and_names_the_field() {
    let d = scratch_dir("cli-session-badtask");
    let task = write_task(&d, 5, 0, json!({"batch_size": -3}));
    let (code, out, err) = prefkit_batch(&task, "w", &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("field \"config.batch_size\": expected a positive integer, got -3"),
        "{err}"
    );
    assert!(err.contains("task.json"), "{err}");
}

/// `prefkit replay --task TASK FILE`, which must succeed, line by line.
fn replay(task: &std::path::Path, file: &std::path::Path) -> Vec<Value> {
    let (code, out, err) = prefkit(&[
        "replay",
        "--task",
        task.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    json_lines(&out)
}

/// JSON equality, numbers to 1e-12 relative: serde_json's default float
/// parsing may differ from the printed value in the last bit.
fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1e-300)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
        }
        _ => a == b,
    }
}

/// A session run by simulated annotators, written as a JSONL file of the
/// canonical records the page would post.
fn recorded(d: &std::path::Path, config: Value) -> (PathBuf, PathBuf, Session) {
    let task = write_task(d, 60, 12, config.clone());
    let mut s = Session::new(support::task(60, 12, config), Some(3)).unwrap();
    let mut lines = String::new();
    for (k, (name, kind)) in [
        ("a", Kind::Accurate),
        ("b", Kind::Random),
        ("c", Kind::LeftBiased),
        ("d", Kind::Fast),
    ]
    .into_iter()
    .enumerate()
    {
        for v in work(&mut s, name, kind, 3, k as u64) {
            lines.push_str(&v.annotation.to_json_value().to_string());
            lines.push('\n');
        }
    }
    let file = d.join("annotations.jsonl");
    std::fs::write(&file, lines).unwrap();
    (task, file, s)
}

#[test]
fn replay_prints_a_verdict_a_line_then_the_stats_of_the_live_session() {
    let d = scratch_dir("cli-session-replay");
    let (task, file, live) = recorded(&d, json!({"batch_size": 10, "overlap": 3}));
    let lines = replay(&task, &file);
    let records = std::fs::read_to_string(&file).unwrap().lines().count();
    assert_eq!(lines.len(), records + 1);
    for (v, rec) in lines
        .iter()
        .zip(std::fs::read_to_string(&file).unwrap().lines())
    {
        let rec: Value = serde_json::from_str(rec).unwrap();
        assert_eq!(
            v["annotation"], rec,
            "the replayed record is the one posted"
        );
        assert!(v["status"] == "accepted" || v["status"] == "flagged");
    }
    let stats = lines.last().unwrap();
    let expected = serde_json::to_value(live.stats()).unwrap();
    for part in ["annotators", "agreement", "counts"] {
        assert!(
            close(&stats[part], &expected[part]),
            "{part}: {} vs {}",
            stats[part],
            expected[part]
        );
    }
}

#[test]
fn replay_stops_at_a_line_whose_item_is_not_in_the_task() {
    let d = scratch_dir("cli-session-replaybad");
    let task = write_task(&d, 5, 0, json!({}));
    let file = d.join("a.jsonl");
    std::fs::write(
        &file,
        "{\"item\":\"e1\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"item\":\"x9\",\"annotator\":\"w\",\"label\":\"A>\"}\n",
    )
    .unwrap();
    let (code, out, err) = prefkit(&[
        "replay",
        "--task",
        task.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(out.lines().count(), 1, "the good first line was answered");
    assert!(
        err.contains("line 2, field \"item\": item \"x9\" is not in the task"),
        "{err}"
    );
}

#[test]
fn replay_stats_equal_prefkit_report_on_the_same_annotations() {
    let d = scratch_dir("cli-session-replay-report");
    let config = json!({"batch_size": 10, "overlap": 3, "gold_match": "exact", "fast_seconds": 4,
                        "min_gold_for_flag": 3, "min_gold_accuracy": 0.7});
    let (task, file, live) = recorded(&d, config);
    // The gold answers and the report settings the task implies, as files.
    let gold = d.join("gold.jsonl");
    let gold_lines: Vec<String> = prefkit::session::gold_answers(live.task())
        .iter()
        .map(|g| serde_json::to_string(g).unwrap())
        .collect();
    std::fs::write(&gold, gold_lines.join("\n")).unwrap();
    let report_config = d.join("report-config.json");
    let rc = prefkit::session::report_config(live.task());
    std::fs::write(&report_config, serde_json::to_string(&rc).unwrap()).unwrap();

    let mut stats = replay(&task, &file).pop().unwrap();
    let (code, out, err) = prefkit(&[
        "report",
        file.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
        "--config",
        report_config.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut report: Value = serde_json::from_str(&out).unwrap();
    // The live report leaves Dawid-Skene out; the session adds its own part.
    report["labels"]["dawid_skene"] = Value::Null;
    report["dawid_skene"] = Value::Null;
    report["undefined"]["dawid_skene"] =
        json!("not computed in the live report; run the full report");
    let session = stats.as_object_mut().unwrap().remove("session").unwrap();
    assert!(session["flagged"].is_array());
    assert!(
        close(&stats, &report),
        "replay stats:\n{stats}\nreport:\n{report}"
    );
    // Someone was flagged under the stricter thresholds, in both.
    assert!(stats["annotators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["flagged"] == true));
}
