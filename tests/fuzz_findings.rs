//! Inputs found by the fuzz targets in `fuzz/` (see `scripts/fuzz.sh`),
//! kept as regular tests once fixed.

use prefkit::session::{Session, Task};
use prefkit::FromJson;
use serde_json::json;

fn one_example_task(config: serde_json::Value) -> Task {
    Task::from_value(&json!({
        "examples": [{"id": "e0", "prompt": "p", "response_a": "a", "response_b": "b"}],
        "gold": [{"id": "g0", "prompt": "q", "response_a": "a", "response_b": "b", "label": "A>"}],
        "config": config,
    }))
    .expect("a valid task")
}

/// `overlap` sized the pool's buckets up front: 4e9 of them (96 GB) for a
/// task of a hundred bytes.
#[test]
fn a_huge_overlap_costs_no_memory_up_front() {
    let task = one_example_task(json!({"overlap": 4_000_000_000u32}));
    let mut s = Session::new(task, Some(1)).expect("a session");
    for w in ["w1", "w2", "w3"] {
        let b = s.next_batch(w, 0.0).expect("a batch");
        assert!(b.items.iter().any(|it| it.id == "e0"), "{b:?}");
    }
}

/// `batch_size` sized the batch's buffers before anything was picked (16 GB
/// for 4e9), and the gold draw tried `8 x batch_size` times to fill a gold
/// share larger than the gold there is.
#[test]
fn a_huge_batch_size_costs_no_memory_or_time_up_front() {
    let task = one_example_task(json!({"batch_size": 4_000_000_000u32, "gold_fraction": 0.5}));
    let mut s = Session::new(task, Some(1)).expect("a session");
    let b = s.next_batch("w1", 0.0).expect("a batch");
    let mut ids: Vec<&str> = b.items.iter().map(|it| it.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["e0", "g0"]);
    assert!(b.exhausted);
}

/// Each verdict scanned its whole line back to the line's start: on a long
/// line of verdicts, the square of its length (5 s for 16 KB in the fuzzer).
#[test]
fn many_verdicts_on_one_line_are_read_in_linear_time() {
    let text = "Verdict: A>B ".repeat(8000);
    let v = prefkit::judge::parse_verdict(&text);
    match v {
        prefkit::judge::Verdict::Parsed {
            label,
            verdicts_found,
            ..
        } => {
            assert_eq!(label, prefkit::Label::ABetter);
            assert_eq!(verdicts_found, 8000);
        }
        other => panic!("{other:?}"),
    }
}

/// Each verdict was checked against every thinking block (now a binary
/// search): the drafts inside the blocks are still left out.
#[test]
fn verdicts_between_many_thinking_blocks_are_told_from_the_drafts() {
    let text = "<think>Verdict: B>A</think>\nVerdict: A>B\n".repeat(5000);
    let v = prefkit::judge::parse_verdict(&text);
    assert_eq!(v.label(), Some(prefkit::Label::ABetter));
    assert!(matches!(
        v,
        prefkit::judge::Verdict::Parsed {
            verdicts_found: 5000,
            conflicting: false,
            ..
        }
    ));
}

/// Eighty bytes of settings (`max_iterations` 4294967295 with a tolerance
/// that never stops the EM) made a ten-line report run for hours.
#[test]
fn a_report_config_asking_for_billions_of_iterations_is_refused_by_name() {
    let e = prefkit::report::ReportConfig::from_json(
        r#"{"aggregation": {"dawid_skene": {"max_iterations": 4294967295, "tolerance": -1}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "field \"aggregation.dawid_skene.max_iterations\": expected at most 10000, got 4294967295"
    );
    let ok = prefkit::report::ReportConfig::from_json(
        r#"{"aggregation": {"dawid_skene": {"max_iterations": 10000}}}"#,
    );
    assert!(ok.is_ok());
}

/// A time of 1e49 seconds is a finite number and was accepted, then stored
/// as an `f32` infinity: the annotator's mean time was infinite, written
/// as `null` in the report with no reason given. The reader now refuses a
/// time over a day, naming the line and field; a mean that is not finite
/// (a dataset built by hand) is undefined with its reason
/// (`reliability::tests`).
#[test]
fn a_time_too_large_for_the_dataset_is_refused_with_its_line_and_field() {
    let text = concat!(
        r#"{"item": "i1", "annotator": "w2", "label": "A>", "time_seconds": 7.5}"#,
        "\n",
        r#"{"item": "i1", "annotator": "w1", "label": "A>", "time_seconds": 1e49}"#,
        "\n",
    );
    let e = prefkit::Dataset::parse_jsonl(text, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2") && e.contains("time_seconds"), "{e}");
}

/// `examples x dim` overflowed (a panic with overflow checks; without them
/// a product that wrapped round to the number of values passed the check).
#[test]
fn flat_embeddings_with_a_huge_dim_are_refused_by_name() {
    let req: prefkit::active::SelectRequest = serde_json::from_value(json!({
        "budget": 2,
        "strategy": "diversity",
        "examples": [{"id": "x0"}, {"id": "x1"}, {"id": "x2"}],
        "embeddings": {"dim": 6148914691236517206u64, "data": [1.0, 2.0]},
    }))
    .expect("a well-formed request");
    let e = prefkit::active::select(&req).unwrap_err().to_string();
    assert!(
        e.contains("\"embeddings\"") && e.contains("more than can be held"),
        "{e}"
    );
}

/// A leaderboard request of a hundred bytes could ask for 4e9 bootstrap
/// fits (and reserve a value for each per model) or endless iterations.
#[test]
fn a_leaderboard_asking_for_billions_of_fits_or_iterations_is_refused_by_name() {
    let comparisons = json!([{"model_a": "a", "model_b": "b", "label": "A>"}]);
    for (config, field) in [
        (json!({"bootstrap": 4294967295u64}), "config.bootstrap"),
        (
            json!({"max_iter": 18446744073709551615u64, "tol": 5e-324}),
            "config.max_iter",
        ),
    ] {
        let req: prefkit::active::LeaderboardRequest =
            serde_json::from_value(json!({"comparisons": comparisons, "config": config}))
                .expect("a well-formed request");
        let e = prefkit::active::leaderboard(&req).unwrap_err().to_string();
        assert!(e.contains(field) && e.contains("expected at most"), "{e}");
    }
}

/// A verdict token with a log-probability of 7519466 (a digit slip that a
/// proxy or a test double can make): exp() was infinite, the confidence
/// NaN, and NaN reached the router as the item's confidence.
#[test]
fn a_positive_log_probability_keeps_the_judge_confidence_a_number() {
    let tok = |t: &str, lp: f64, alts: Vec<(&str, f64)>| {
        json!({"token": t, "logprob": lp,
               "top_logprobs": alts.iter().map(|(a, l)| json!({"token": a, "logprob": l})).collect::<Vec<_>>()})
    };
    let response = json!({"choices": [{
        "message": {"content": "A is right.\nVERDICT: A>>B"},
        "logprobs": {"content": [
            tok("A is right.\nVERDICT:", -0.01, vec![]),
            tok(" A", -0.36, vec![(" A", -0.36), (" B", -1.39)]),
            tok(">>", -0.69, vec![(">>", -0.69), (">", -0.92), ("=", -2.3)]),
            tok("B", 7519466.0, vec![("B", -0.02), ("A", -4.6)]),
        ]},
    }]});
    let r = prefkit::judge::ChatResponse::from_json(&response.to_string()).expect("a response");
    let j = prefkit::judge::assess(&r);
    assert!((0.0..=1.0).contains(&j.confidence), "{j:?}");
    assert_eq!(j.verdict.label(), Some(prefkit::Label::AMuchBetter));
}

/// Weights of 1e308 are finite and were accepted, but two of them add up
/// to infinity: the composite was infinite (null in the report).
#[test]
fn reliability_weights_too_large_to_add_are_refused_by_name() {
    let e = prefkit::report::ReportConfig::from_json(
        r#"{"reliability": {"weight_gold": 1e308, "weight_majority": 1e308}}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "field \"reliability.weight_gold\": must be at most 1000000; got 1e+308"
    );
    let config = prefkit::report::ReportConfig::from_json(
        r#"{"reliability": {"weight_gold": 1e6, "weight_majority": 1e6, "weight_speed": 1e6,
                            "undefined_score": 1e6}}"#,
    )
    .expect("the largest settings");
    let d = prefkit::Dataset::parse_jsonl(
        "{\"item\": \"i\", \"annotator\": \"w1\", \"label\": \"A>\"}\n\
         {\"item\": \"i\", \"annotator\": \"w2\", \"label\": \"B>\"}\n",
        false,
    )
    .expect("two lines");
    let r = prefkit::report::run(&d, &config);
    assert!(
        r.annotators.iter().all(|a| a.composite.is_finite()),
        "{r:?}"
    );
}

/// The line reader ignored unknown keys, so a line with an unknown key
/// given twice (`"note": 1, "note": 2`), or with a key given twice inside
/// an unknown field's value, was read, while every other JSON reader of
/// prefkit (`json::Strict`: tasks, configs, posted bodies) refuses it.
/// Found by `annotation_line`, which compares the two.
#[test]
fn a_key_given_twice_anywhere_in_an_annotation_line_is_refused_as_everywhere_else() {
    use prefkit::Annotation;
    let base = r#""item":"x","annotator":"w","label":"A>""#;
    for (extra, key) in [
        (r#""note":1,"note":2"#, "note"),
        (r#""meta":{"a":1,"a":2}"#, "a"),
        (r#""meta":[{"b":{"c":1,"c":1}}]"#, "c"),
    ] {
        let line = format!("{{{base},{extra}}}");
        let e = Annotation::from_json(&line).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("field \"{key}\": given twice; a field may appear only once"),
            "{line}"
        );
        assert!(prefkit::json::Strict::parse(&line, "").is_err(), "{line}");
    }
    // Unknown keys given once, and objects without repeats, still read.
    let line = format!(r#"{{{base},"note":1,"meta":{{"a":[{{"b":1}},{{"b":2}}]}}}}"#);
    assert!(Annotation::from_json(&line).is_ok());
}
