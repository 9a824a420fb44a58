//! Command-line values that used to run away or be taken silently:
//! `prefkit batch` past the end of a task, `--min-reliability` outside
//! the range of the composite score.

mod support;

use serde_json::json;
use support::{json_lines, prefkit, prefkit_batch, scratch_dir, write_task};

#[test]
fn batch_with_a_huge_count_stops_at_the_exhausted_batch_and_says_so_on_stderr() {
    let d = scratch_dir("cli-limits-batch");
    // 25 items, batches of 10 with one gold: 9 + 9 + 7 (exhausted).
    let task = write_task(&d, 25, 3, json!({"batch_size": 10}));
    let (code, out, err) = prefkit_batch(&task, "w1", &["--seed", "3", "--count", "1000000000"]);
    assert_eq!(code, 0, "{err}");
    let batches = json_lines(&out);
    assert_eq!(batches.len(), 3, "{out}");
    let last = batches.last().unwrap();
    assert_eq!(last["exhausted"], true);
    assert!(!last["items"].as_array().unwrap().is_empty());
    assert!(batches[..2].iter().all(|b| b["exhausted"] == false));
    assert!(
        err.contains("stopped after 3 of 1000000000 batches") && err.contains("no more items"),
        "{err}"
    );
    // A count that is reached first prints no note.
    let (code, out, err) = prefkit_batch(&task, "w1", &["--count", "2"]);
    assert_eq!((code, out.lines().count(), err.as_str()), (0, 2, ""));
}

#[test]
fn a_min_reliability_outside_0_to_1_is_refused_naming_the_flag_or_the_field() {
    let d = scratch_dir("cli-limits-minrel");
    let data = d.join("a.jsonl");
    let rows: Vec<String> = ["w1", "w2"]
        .iter()
        .map(|w| {
            json!({"id": format!("{w}-1"), "item": "ex-1", "annotator": w, "label": "A>",
                   "time_seconds": 9.0})
            .to_string()
        })
        .collect();
    std::fs::write(&data, rows.join("\n")).unwrap();
    let file = data.to_str().unwrap();
    for bad in ["2", "1.5", "-0.1", "NaN", "inf"] {
        let flag = format!("--min-reliability={bad}");
        let (code, out, err) = prefkit(&["report", file, &flag]);
        assert_eq!(code, 2, "{bad}: {out}");
        assert!(out.is_empty());
        assert!(err.contains("--min-reliability"), "{bad}: {err}");
        assert!(err.contains("between 0 and 1"), "{bad}: {err}");
    }
    let config = d.join("config.json");
    std::fs::write(&config, r#"{"min_reliability": 2}"#).unwrap();
    let (code, _, err) = prefkit(&["report", file, "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("min_reliability") && err.contains("between 0 and 1"),
        "{err}"
    );
    for good in ["0", "1", "0.6"] {
        let flag = format!("--min-reliability={good}");
        let (code, _, err) = prefkit(&["report", file, &flag]);
        assert_eq!(code, 0, "{good}: {err}");
    }
    // Heavier weights make higher composites possible, and allowed.
    std::fs::write(
        &config,
        r#"{"reliability": {"weight_gold": 1, "weight_majority": 1, "weight_speed": 0}, "min_reliability": 1.5}"#,
    )
    .unwrap();
    let (code, _, err) = prefkit(&["report", file, "--config", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_key_given_twice_in_a_task_config_or_gold_file_is_refused_naming_it() {
    let dir = support::scratch_dir("cli-twice");
    let write = |name: &str, text: &str| support::write_file(&dir, name, text);
    let task = write(
        "task.json",
        r#"{"task_id": "t", "examples": [{"id": "e1", "prompt": "p", "response_a": "a", "response_b": "b"}],
            "config": {"overlap": 3, "overlap": 1}}"#,
    );
    let (code, _, err) = support::prefkit(&["batch", "--task", &task, "--annotator", "w"]);
    assert_eq!(code, 2);
    assert!(err.contains("field \"overlap\" given twice"), "{err}");
    let labels = write(
        "a.jsonl",
        r#"{"item": "e1", "annotator": "w", "label": "A>"}"#,
    );
    let config = write(
        "config.json",
        r#"{"min_reliability": 0.5, "min_reliability": 0}"#,
    );
    let (code, _, err) = support::prefkit(&["report", &labels, "--config", &config]);
    assert_eq!(code, 2);
    assert!(
        err.contains("field \"min_reliability\" given twice"),
        "{err}"
    );
    let gold = write(
        "gold.jsonl",
        r#"{"item": "e1", "label": "A>", "label": "B>>"}"#,
    );
    let (code, _, err) = support::prefkit(&["report", &labels, "--gold", &gold]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1") && err.contains("field \"label\" given twice"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
