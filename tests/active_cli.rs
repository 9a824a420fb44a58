//! `prefkit active` end to end: build model pairs, make a task of them,
//! judge them, rank the models; and a clear error on a bad request.

use std::path::Path;
use std::process::{Command, Output};

fn prefkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prefkit"))
        .args(args)
        .output()
        .expect("the prefkit binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn pairs_built_by_the_command_become_a_task_whose_labels_rank_the_models() {
    let dir = scratch("active_cli_pairs");
    let prompts: Vec<_> = (0..12)
        .map(|i| {
            serde_json::json!({"id": format!("q{i}"), "prompt": format!("question {i}"), "generations": [
                {"response": format!("short answer {i}"), "model": "small"},
                {"response": format!("long answer {i}"), "model": "big"}]})
        })
        .collect();
    let req = serde_json::json!({"mode": "models", "seed": 4, "prompts": prompts});
    let pairs = json(&prefkit(&[
        "active",
        "pairs",
        &write(&dir, "pairs.json", &req.to_string()),
    ]));
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
    let ann_path = write(&dir, "annotations.jsonl", &lines.join("\n"));
    let board = json(&prefkit(&[
        "active",
        "leaderboard",
        "--task",
        &task_path,
        "--annotations",
        &ann_path,
    ]));
    assert_eq!(board["comparisons"], 12);
    assert_eq!(board["models"][0]["model"], "big");
    assert_eq!(board["models"][0]["wins"], 10);
    assert_eq!(board["models"][1]["model"], "small");
}

#[test]
fn a_bad_select_request_exits_with_code_2_and_names_the_field() {
    let dir = scratch("active_cli_select");
    let bad = r#"{"budget": 0, "examples": [{"id": "a", "score_a": 1, "score_b": 2}]}"#;
    let out = prefkit(&["active", "select", &write(&dir, "bad.json", bad)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("budget") && err.contains("at least 1"),
        "{err}"
    );
    let good = r#"{"strategy": "uncertainty", "budget": 1, "examples": [
        {"id": "a", "score_a": 1, "score_b": 2}, {"id": "b", "score_a": 1, "score_b": 1.1}]}"#;
    let sel = json(&prefkit(&[
        "active",
        "select",
        &write(&dir, "good.json", good),
    ]));
    assert_eq!(sel["selected"][0]["id"], "b");
}
