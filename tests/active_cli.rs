//! `prefkit active` end to end: build model pairs, make a task of them,
//! judge them, rank the models; and a clear error on a bad request.

mod support;

use support::{prefkit, prefkit_json, scratch_dir, write_file as write};

#[test]
fn pairs_built_by_the_command_become_a_task_whose_labels_rank_the_models() {
    let dir = scratch_dir("active-cli-pairs");
    let prompts: Vec<_> = (0..12)
        .map(|i| {
            serde_json::json!({"id": format!("q{i}"), "prompt": format!("question {i}"), "generations": [
                {"response": format!("short answer {i}"), "model": "small"},
                {"response": format!("long answer {i}"), "model": "big"}]})
        })
        .collect();
    let req = serde_json::json!({"mode": "models", "seed": 4, "prompts": prompts});
    let pairs = prefkit_json(&[
        "active",
        "pairs",
        &write(&dir, "pairs.json", &req.to_string()),
    ]);
    let examples = pairs["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 12);
    let task = serde_json::json!({"task_id": "models", "examples": examples});
    let task_path = write(&dir, "task.json", &task.to_string());
    // "big" wins 10 of 12, wherever it is shown.
    let lines: Vec<String> = examples
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let big_is_a = e["metadata"]["model_a"] == "big";
            let big_wins = k < 10;
            let label = if big_is_a == big_wins { "A>" } else { "B>" };
            serde_json::json!({"item": e["id"], "annotator": "w1", "label": label}).to_string()
        })
        .collect();
    let skip = serde_json::json!({"id": "s1", "item": examples[0]["id"], "annotator": "w2", "skip": "unsure"});
    let ann_path = write(
        &dir,
        "annotations.jsonl",
        &format!("{}\n{skip}\n", lines.join("\n")),
    );
    let leaderboard = |annotations: &str| {
        let args = [
            "active",
            "leaderboard",
            "--task",
            &task_path,
            "--annotations",
            annotations,
        ];
        prefkit(&args)
    };
    let (code, out, err) = leaderboard(&ann_path);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 skip records left out"), "{err}");
    let board: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(board["comparisons"], 12);
    assert_eq!(board["models"][0]["model"], "big");
    assert_eq!(board["models"][0]["wins"], 10);
    assert_eq!(board["models"][1]["model"], "small");
    // A bad line stops the command, named by its number.
    let bad = write(
        &dir,
        "bad.jsonl",
        &format!("{}\n{{\"item\": 3}}\n", lines[0]),
    );
    let (code, _, err) = leaderboard(&bad);
    assert_eq!(code, 2);
    assert!(err.contains("line 2") && err.contains("item"), "{err}");
}

#[test]
fn a_bad_select_request_exits_with_code_2_and_names_the_field() {
    let dir = scratch_dir("active-cli-select");
    let bad = r#"{"budget": 0, "examples": [{"id": "a", "score_a": 1, "score_b": 2}]}"#;
    let (code, _, err) = prefkit(&["active", "select", &write(&dir, "bad.json", bad)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("budget") && err.contains("at least 1"),
        "{err}"
    );
    let good = r#"{"strategy": "uncertainty", "budget": 1, "examples": [
        {"id": "a", "score_a": 1, "score_b": 2}, {"id": "b", "score_a": 1, "score_b": 1.1}]}"#;
    let sel = prefkit_json(&["active", "select", &write(&dir, "good.json", good)]);
    assert_eq!(sel["selected"][0]["id"], "b");
}
