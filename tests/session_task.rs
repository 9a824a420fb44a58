//! Task JSON: defaults, messages for wrong fields, and what the page may see.

mod support;

use prefkit::session::{Session, Task};
use prefkit::FromJson;
use prefkit::Label;
use serde_json::{json, Value};
use support::{request, right_answer, task, task_json};

fn error(v: Value) -> String {
    Task::from_value(&v).unwrap_err().to_string()
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

#[test]
fn every_field_but_examples_has_a_default() {
    let t = Task::from_json(
        r#"{"examples": [{"id": "e", "prompt": "p", "response_a": "a", "response_b": "b"}]}"#,
    )
    .unwrap();
    assert_eq!(t.task_id, "task");
    assert_eq!(t.guidelines, "");
    assert!(t.gold.is_empty());
    let c = &t.config;
    assert_eq!((c.batch_size, c.overlap, c.min_gold_for_flag), (50, 3, 5));
    assert_eq!(
        (c.gold_fraction, c.min_gold_accuracy, c.fast_seconds),
        (0.10, 0.60, 5.0)
    );
    assert!(c.randomize_order && !c.gold_feedback && c.seed.is_none());
    let weights: Vec<(String, f64)> = t
        .rubric
        .0
        .iter()
        .map(|(k, d)| (k.clone(), d.weight))
        .collect();
    assert_eq!(
        weights,
        vec![
            ("conciseness".to_string(), 0.15),
            ("correctness".to_string(), 0.30),
            ("harmlessness".to_string(), 0.20),
            ("helpfulness".to_string(), 0.35)
        ]
    );
}

#[test]
fn wrong_fields_are_named_in_the_message() {
    let base = task_json(3, 2, json!({}));
    let cases = [
        (with(base.clone(), "config", json!({"batch_size": -3})),
         "field \"config.batch_size\": expected a positive integer, got -3"),
        (with(base.clone(), "config", json!({"batch_size": 2.5})),
         "field \"config.batch_size\": expected a positive integer, got 2.5"),
        (with(base.clone(), "config", json!({"batchsize": 10})),
         "field \"config.batchsize\": unknown key; expected one of batch_size, gold_fraction, overlap, min_gold_for_flag, min_gold_accuracy, gold_match, fast_seconds, randomize_order, gold_feedback, seed, lease_seconds, skip_reasons, max_labels_per_item, repeat_fraction"),
        (with(base.clone(), "config", json!({"gold_fraction": 1.0})),
         "field \"config.gold_fraction\": expected a number in [0, 1), got 1.0"),
        (with(base.clone(), "config", json!({"min_gold_accuracy": "high"})),
         "field \"config.min_gold_accuracy\": expected a number in [0, 1], got \"high\""),
        (with(base.clone(), "config", json!({"gold_match": "loose"})),
         "field \"config.gold_match\": expected \"directional\" or \"exact\", got \"loose\""),
        (with(base.clone(), "config", json!({"fast_seconds": -1})),
         "field \"config.fast_seconds\": expected a number >= 0, got -1"),
        (with(base.clone(), "config", json!({"randomize_order": "yes"})),
         "field \"config.randomize_order\": expected true or false, got \"yes\""),
        (with(base.clone(), "config", json!({"seed": -7})),
         "field \"config.seed\": expected a non-negative integer or null, got -7"),
        (with(base.clone(), "config", json!({"batch_size": 1})),
         "field \"config.batch_size\": with gold items a batch needs room for at least one regular item; expected 2 or more, got 1"),
        (with(base.clone(), "rubric", json!({"helpfulness": {"weight": -0.1}})),
         "field \"rubric.helpfulness.weight\": expected a weight >= 0, got -0.1"),
        (with(base.clone(), "rubric", json!({"helpfulness": 0, "correctness": 0})),
         "field \"rubric\": the weights must sum to more than 0"),
        (with(base.clone(), "rubric", json!({"helpfulness": {"weight": 1, "colour": "red"}})),
         "field \"rubric.helpfulness.colour\": unknown key; expected one of weight, description"),
        (with(base.clone(), "title", json!("x")),
         "field \"title\": unknown key; expected one of task_id, guidelines, rubric, examples, gold, config"),
        (with(base.clone(), "task_id", json!(7)), "field \"task_id\": expected a string, got 7"),
        (with(base.clone(), "examples", json!([])), "field \"examples\": must hold at least one item"),
        (with(base.clone(), "examples", json!({})), "field \"examples\": expected an array, got an object"),
        (with(base.clone(), "examples", json!([{"id": "x", "prompt": "p", "response_a": "a"}])),
         "missing required field \"examples[0].response_b\""),
        (with(base.clone(), "examples", json!([
            {"id": "x", "prompt": "p", "response_a": "a", "response_b": "b"},
            {"id": "x", "prompt": "p", "response_a": "a", "response_b": "b"}])),
         "field \"examples[1].id\": duplicate item id \"x\" (ids must be unique across examples and gold)"),
        (with(base.clone(), "gold", json!([{"id": "e0", "prompt": "p", "response_a": "a", "response_b": "b", "label": "A>"}])),
         "field \"gold[0].id\": duplicate item id \"e0\" (ids must be unique across examples and gold)"),
        (with(base.clone(), "gold", json!([{"id": "g", "prompt": "p", "response_a": "a", "response_b": "b", "label": "A>>>"}])),
         "field \"gold[0].label\": unknown label \"A>>>\"; expected one of A>>, A>, =, B>, B>> (or A>>B, A>B, A=B, B>A, B>>A)"),
    ];
    for (input, expected) in cases {
        assert_eq!(error(input), expected);
    }
    let missing = error(json!({"task_id": "t"}));
    assert_eq!(missing, "missing required field \"examples\"");
    assert!(Task::from_json("{nope")
        .unwrap_err()
        .to_string()
        .starts_with("task is not valid JSON"));
    assert_eq!(
        Task::from_json("[1]").unwrap_err().to_string(),
        "expected a JSON object, got an array"
    );
}

#[test]
fn the_task_round_trips_through_its_json() {
    let t = task(
        5,
        3,
        json!({"batch_size": 4, "gold_match": "exact", "seed": 3}),
    );
    assert_eq!(Task::from_value(&t.to_json_value()).unwrap(), t);
}

/// Every string value in a JSON document, keys included.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), shape(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => Value::Null,
    }
}

#[test]
fn batches_verdicts_and_the_public_task_reveal_no_gold_with_feedback_off() {
    let t = task(200, 20, json!({"batch_size": 20, "seed": 5}));
    let secrets: Vec<String> = (0..20).map(|j| format!("because {j}")).collect();
    let public = serde_json::to_value(t.public()).unwrap();
    let mut words = Vec::new();
    strings(&public, &mut words);
    for banned in [
        "gold",
        "label",
        "explanation",
        "seed",
        "metadata",
        "gold_fraction",
        "source",
    ] {
        assert!(
            !words.iter().any(|w| w == banned),
            "public task shows {banned}"
        );
    }
    assert!(!words.iter().any(|w| secrets.contains(w)));
    // Gold pairs are listed among the examples, alike in shape.
    let examples = public["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 220);
    assert!(examples.iter().all(|e| shape(e) == shape(&examples[0])));

    let mut s = Session::new(t, None).unwrap();
    let batch = s.next_batch("w", 0.0).unwrap();
    let json_batch = serde_json::to_value(&batch).unwrap();
    let mut words = Vec::new();
    strings(&json_batch, &mut words);
    for w in &words {
        assert!(
            !["gold", "label", "explanation"].contains(&w.as_str()) && !w.contains("because"),
            "{w}"
        );
    }
    let items = json_batch["items"].as_array().unwrap();
    assert!(items.iter().all(|i| shape(i) == shape(&items[0])));
    // Verdicts of gold and regular answers have the same shape and say nothing of gold.
    let mut shapes = Vec::new();
    for (k, item) in batch.items.iter().enumerate() {
        let shown = right_answer(&item.id).unflip(item.swapped);
        let v = s
            .submit(request(&format!("a{k}"), "w", &item.id, shown, 9.0))
            .unwrap();
        let mut v = serde_json::to_value(&v).unwrap();
        assert_eq!(v["gold"], Value::Null);
        assert_eq!(v["flag"], Value::Null);
        let mut words = Vec::new();
        strings(&v, &mut words);
        assert!(!words.iter().any(|w| secrets.contains(w)));
        v["annotation"]["dimensions"] = Value::Null;
        shapes.push(shape(&v));
    }
    assert!(shapes.iter().all(|x| *x == shapes[0]));
}

#[test]
fn with_feedback_on_a_gold_answer_is_marked_with_its_explanation() {
    let t = task(
        50,
        10,
        json!({"batch_size": 10, "gold_feedback": true, "seed": 5}),
    );
    let mut s = Session::new(t, None).unwrap();
    let batch = s.next_batch("w", 0.0).unwrap();
    let gold = batch.items.iter().find(|i| i.id.starts_with('g')).unwrap();
    let right = right_answer(&gold.id);
    let wrong = if right == Label::Tie {
        Label::ABetter
    } else {
        right.flip()
    };
    let v = s
        .submit(request("a", "w", &gold.id, wrong.unflip(gold.swapped), 9.0))
        .unwrap();
    let fb = v.gold.unwrap();
    assert!(!fb.correct);
    assert_eq!(fb.label, right);
    assert_eq!(fb.label_shown, right.unflip(gold.swapped));
    assert_eq!(
        fb.explanation.unwrap(),
        format!("because {}", &gold.id[1..])
    );
    let regular = batch.items.iter().find(|i| i.id.starts_with('e')).unwrap();
    let v = s
        .submit(request("b", "w", &regular.id, Label::Tie, 9.0))
        .unwrap();
    assert!(v.gold.is_none());
}
