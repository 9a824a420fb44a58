//! A small seeded generator of tasks and simulated annotators for the
//! session tests. The texts are placeholders: the point is the ids, the
//! gold answers and the A/B order.
#![allow(dead_code)]

use prefkit::session::{BatchItem, Session, SubmitRequest, Task, Verdict};
use prefkit::Label;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// The canonical "true" label of regular item `i` (deterministic, varied).
pub fn truth(i: usize) -> Label {
    Label::from_index((i * 7 + 3) % 5).unwrap_or(Label::Tie)
}

/// A task with `n` regular items `e0..`, `g` gold items `g0..` (gold `j`
/// has label `truth(j)`), and `config` merged over the defaults.
pub fn task_json(n: usize, g: usize, config: Value) -> Value {
    let examples: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("e{i}"), "prompt": format!("prompt {i}"),
                   "response_a": format!("answer a{i}"), "response_b": format!("answer b{i}"),
                   "metadata": {"source": "generated"}})
        })
        .collect();
    let gold: Vec<Value> = (0..g)
        .map(|j| {
            json!({"id": format!("g{j}"), "prompt": format!("question {j}"),
                   "response_a": format!("reply a{j}"), "response_b": format!("reply b{j}"),
                   "label": truth(j).as_str(), "explanation": format!("because {j}")})
        })
        .collect();
    json!({"task_id": "t1", "guidelines": "Pick the better answer.",
           "examples": examples, "gold": gold, "config": config})
}

pub fn task(n: usize, g: usize, config: Value) -> Task {
    Task::from_value(&task_json(n, g, config)).expect("the generated task is valid")
}

/// The canonical right answer of an item id (`e<i>` or `g<j>`).
pub fn right_answer(id: &str) -> Label {
    let k: usize = id[1..].parse().unwrap_or(0);
    truth(k)
}

/// How a simulated annotator chooses, given the item as shown.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// Always the right answer.
    Accurate,
    /// A uniformly random label.
    Random,
    /// Right answers, but in 1-3 seconds.
    Fast,
    /// Always the response shown on the left, strongly.
    LeftBiased,
}

/// The label a simulated annotator gives (as shown) and the time taken.
pub fn answer(kind: Kind, item: &BatchItem, rng: &mut ChaCha8Rng) -> (Label, f64) {
    let right_shown = right_answer(&item.id).unflip(item.swapped);
    match kind {
        Kind::Accurate => (right_shown, rng.random_range(8.0..30.0)),
        Kind::Random => (
            Label::from_index(rng.random_range(0..5)).unwrap_or(Label::Tie),
            rng.random_range(6.0..20.0),
        ),
        Kind::Fast => (right_shown, rng.random_range(1.0..3.0)),
        Kind::LeftBiased => (Label::AMuchBetter, rng.random_range(6.0..20.0)),
    }
}

/// A submit request for `item` answered `shown` by `annotator`.
pub fn request(id: &str, annotator: &str, item: &str, shown: Label, time: f64) -> SubmitRequest {
    SubmitRequest::from_value(&json!({"id": id, "item": item, "annotator": annotator,
        "choice": shown.as_str(), "time_seconds": time}))
    .expect("the generated request is valid")
}

/// Runs `batches` batches of annotator `name` of `kind` through `session`;
/// returns every verdict.
pub fn work(
    session: &mut Session,
    name: &str,
    kind: Kind,
    batches: usize,
    seed: u64,
) -> Vec<Verdict> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for _ in 0..batches {
        let batch = session.next_batch(name, 0.0).expect("a batch");
        if batch.items.is_empty() {
            break;
        }
        for item in &batch.items {
            let (shown, time) = answer(kind, item, &mut rng);
            let id = format!("{name}/{}", item.id);
            out.push(
                session
                    .submit(request(&id, name, &item.id, shown, time))
                    .expect("accepted"),
            );
        }
    }
    out
}

/// Four batches (w1, w2, w1, w3) of a 200-item task with 20 gold, batch
/// size 10, seed 7, as `[[id, swapped], ...]` per batch: the content of
/// `tests/fixtures/session_seed7.json`. w1 answers its first batch before
/// asking again (answers draw nothing from the generator).
pub fn batches_for_seed_7() -> Value {
    let mut s = Session::new(task(200, 20, json!({"batch_size": 10})), Some(7)).expect("a session");
    let mut batches = Vec::new();
    for (k, w) in ["w1", "w2", "w1", "w3"].iter().enumerate() {
        let b = s.next_batch(w, k as f64).expect("a batch");
        if k == 0 {
            for it in &b.items {
                let id = format!("{w}/{}", it.id);
                s.submit(request(&id, w, &it.id, Label::Tie, 10.0))
                    .expect("accepted");
            }
        }
        batches.push(Value::Array(
            b.items.iter().map(|i| json!([i.id, i.swapped])).collect(),
        ));
    }
    Value::Array(batches)
}

/// Six batches of annotator w1 on a 60-item task with 4 gold, batch size
/// 8, `repeat_fraction` 0.5, seed 7, each answered (`=`, a new id per
/// answer) before the next is asked for, as `[[id, swapped], ...]` per
/// batch: the content of `tests/fixtures/session_repeats_seed7.json`,
/// checked natively and in WebAssembly.
pub fn batches_with_repeats_seed_7() -> Value {
    let config = json!({"batch_size": 8, "repeat_fraction": 0.5});
    let mut s = Session::new(task(60, 4, config), Some(7)).expect("a session");
    let mut batches = Vec::new();
    for k in 0..6 {
        let b = s.next_batch("w1", 0.0).expect("a batch");
        for it in &b.items {
            let id = format!("w1/{k}/{}", it.id);
            s.submit(request(&id, "w1", &it.id, Label::Tie, 10.0))
                .expect("accepted");
        }
        batches.push(Value::Array(
            b.items.iter().map(|i| json!([i.id, i.swapped])).collect(),
        ));
    }
    Value::Array(batches)
}

/// A fresh folder for one test's files: `<temp>/prefkit-<name>-<pid>`.
#[cfg(not(target_arch = "wasm32"))]
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("prefkit-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the `prefkit` command: `(exit code, stdout, stderr)`.
#[cfg(not(target_arch = "wasm32"))]
pub fn prefkit(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefkit"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Reads the output of [`prefkit`], which must have succeeded, as one JSON
/// value.
#[cfg(not(target_arch = "wasm32"))]
pub fn stdout_json((code, out, err): &(i32, String, String)) -> Value {
    assert_eq!(*code, 0, "stderr: {err}");
    serde_json::from_str(out).expect("stdout is one JSON value")
}

/// Runs the `prefkit` command, which must succeed, and reads its standard
/// output as one JSON value.
#[cfg(not(target_arch = "wasm32"))]
pub fn prefkit_json(args: &[&str]) -> Value {
    stdout_json(&prefkit(args))
}

/// Asserts that the JSON object `v` has every one of `keys`, naming a
/// missing one by its path: `at.key`, where `at` is the path of `v` (empty
/// for the top of the document).
pub fn assert_has_keys(v: &Value, at: &str, keys: &[&str]) {
    for key in keys {
        let path = if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        };
        assert!(v.get(key).is_some(), "missing {path}");
    }
}

/// Reads standard output that holds one JSON value a line.
pub fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON value"))
        .collect()
}

/// Writes `text` to `dir/name`; returns the path, as text for an argument.
#[cfg(not(target_arch = "wasm32"))]
pub fn write_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Writes [`task_json`]`(n, g, config)` to `dir/task.json`; returns its path.
#[cfg(not(target_arch = "wasm32"))]
pub fn write_task(dir: &std::path::Path, n: usize, g: usize, config: Value) -> std::path::PathBuf {
    let path = dir.join("task.json");
    std::fs::write(&path, task_json(n, g, config).to_string()).unwrap();
    path
}

/// Runs `prefkit batch --task TASK --annotator WHO` with `extra` flags:
/// `(exit code, stdout, stderr)`.
#[cfg(not(target_arch = "wasm32"))]
pub fn prefkit_batch(task: &std::path::Path, who: &str, extra: &[&str]) -> (i32, String, String) {
    let task = task.to_str().unwrap();
    let mut args = vec!["batch", "--task", task, "--annotator", who];
    args.extend_from_slice(extra);
    prefkit(&args)
}
