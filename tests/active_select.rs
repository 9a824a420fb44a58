//! The serde request/response API of active learning: selection, pair
//! building, and their refusals of bad input.

use prefkit::active::pairs::{build, comparisons_from, PairRequest};
use prefkit::active::{select, SelectRequest};
use prefkit::{Annotation, Label};
use serde_json::json;

fn request(v: serde_json::Value) -> SelectRequest {
    serde_json::from_value(v).unwrap()
}

fn err(v: serde_json::Value) -> String {
    select(&request(v)).unwrap_err().to_string()
}

#[test]
fn uncertainty_selection_skips_labelled_examples_and_explains_each_pick() {
    let sel = select(&request(json!({
        "strategy": "uncertainty", "budget": 2, "labelled": ["e2"],
        "examples": [
            {"id": "e1", "score_a": 1.0, "score_b": 1.5},
            {"id": "e2", "score_a": 0.0, "score_b": 0.0},
            {"id": "e3", "score_a": 2.0, "score_b": 2.1},
            {"id": "e4", "score_a": 0.0, "score_b": 3.0}
        ]
    })))
    .unwrap();
    let ids: Vec<&str> = sel.selected.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["e3", "e1"]);
    assert_eq!((sel.candidates, sel.labelled_excluded), (3, 1));
    assert!(
        sel.selected[0].reason.contains("gap 0.100"),
        "{}",
        sel.selected[0].reason
    );
    let v = serde_json::to_value(&sel).unwrap();
    assert_eq!(v["strategy"], "uncertainty");
    assert_eq!(v["embedding"], "none");
    assert_eq!(v["selected"][0]["distance"], serde_json::Value::Null);
}

#[test]
fn hybrid_selection_hashes_prompts_when_no_embedding_is_given() {
    let prompts = [
        "How do I reverse a list in Python?",
        "How do I reverse a list in Python quickly?",
        "Write a sonnet about autumn leaves.",
        "Explain photosynthesis to a ten year old.",
    ];
    let examples: Vec<_> = prompts
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"id": format!("p{i}"), "prompt": p, "score_a": 0.0, "score_b": 0.0}))
        .collect();
    let sel = select(&request(json!({"budget": 3, "examples": examples}))).unwrap();
    assert_eq!(
        sel.embedding,
        prefkit::active::select::EmbeddingSource::Hashed
    );
    let ids: Vec<&str> = sel.selected.iter().map(|s| s.id.as_str()).collect();
    // Equal uncertainty: the first pick is the first example, then the
    // near-duplicate prompt p1 comes last among the rest.
    assert_eq!(ids[0], "p0");
    assert!(!ids.contains(&"p1"), "{ids:?}");
    assert!(
        sel.selected[1].reason.contains("distance term 1.000"),
        "{}",
        sel.selected[1].reason
    );
}

#[test]
fn flat_and_per_example_embeddings_give_the_same_selection() {
    let rows = [[0.0f32, 0.0], [0.1, 0.0], [5.0, 5.0], [9.0, 0.0]];
    let per: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| json!({"id": format!("x{i}"), "score_a": i, "score_b": 0, "embedding": r}))
        .collect();
    let flat: Vec<_> = (0..4)
        .map(|i| json!({"id": format!("x{i}"), "score_a": i, "score_b": 0}))
        .collect();
    let a = select(&request(json!({"budget": 4, "seed": 1, "examples": per}))).unwrap();
    let b = select(&request(json!({"budget": 4, "seed": 1, "examples": flat,
        "embeddings": {"dim": 2, "data": rows.concat()}})))
    .unwrap();
    assert_eq!(a, b);
    let div = select(&request(
        json!({"strategy": "diversity", "budget": 3, "examples": a_examples(&rows)}),
    ))
    .unwrap();
    let mut ids: Vec<&str> = div.selected.iter().map(|s| s.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["x0", "x2", "x3"]);
}

fn a_examples(rows: &[[f32; 2]]) -> Vec<serde_json::Value> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| json!({"id": format!("x{i}"), "embedding": r}))
        .collect()
}

#[test]
fn bad_selection_requests_are_refused_with_a_clear_reason() {
    assert!(err(json!({"budget": 3, "examples": []})).contains("empty"));
    assert!(err(json!({"budget": 0, "examples": [{"id": "a"}]})).contains("budget"));
    let e = err(json!({"budget": 1, "examples": [
        {"id": "a", "score_a": 0, "score_b": 1, "embedding": [1, 2, 3]},
        {"id": "b", "score_a": 0, "score_b": 1, "embedding": [1, 2]}]}));
    assert!(
        e.contains("examples[1].embedding") && e.contains("expected 3"),
        "{e}"
    );
    let e = err(
        json!({"strategy": "uncertainty", "budget": 1, "examples": [{"id": "a", "score_a": 1}]}),
    );
    assert!(e.contains("examples[0]") && e.contains("score_b"), "{e}");
    let e = err(json!({"budget": 1, "examples": [{"id": "a"}, {"id": "a"}]}));
    assert!(e.contains("examples[1].id"), "{e}");
    let e = err(json!({"budget": 1, "weights": {"uncertainty": -1}, "examples": [{"id": "a"}]}));
    assert!(e.contains("weights.uncertainty"), "{e}");
    let e = err(
        json!({"budget": 1, "examples": [{"id": "a", "score_a": 0, "score_b": 0}],
        "embeddings": {"dim": 2, "data": [1.0]}}),
    );
    assert!(e.contains("embeddings"), "{e}");
    // NaN cannot be written in JSON, but can arrive from a Rust or JS caller.
    let mut req =
        request(json!({"budget": 1, "examples": [{"id": "a", "score_a": 0, "score_b": 0}]}));
    req.examples[0].score_a = Some(f64::NAN);
    let e = select(&req).unwrap_err().to_string();
    assert!(
        e.contains("examples[0].score_a") && e.contains("NaN"),
        "{e}"
    );
    req.examples[0].score_a = Some(0.0);
    req.examples[0].embedding = Some(vec![f32::INFINITY]);
    assert!(select(&req).unwrap_err().to_string().contains("finite"));
}

#[test]
fn a_budget_above_the_pool_returns_every_unlabelled_example() {
    let sel = select(&request(
        json!({"budget": 10, "labelled": ["a", "zz"], "examples": [
        {"id": "a", "score_a": 0, "score_b": 0}, {"id": "b", "score_a": 0, "score_b": 1},
        {"id": "c", "score_a": 0, "score_b": 2}]}),
    ))
    .unwrap();
    assert_eq!(sel.selected.len(), 2);
    assert_eq!(sel.labelled_excluded, 1);
}

fn prompts() -> serde_json::Value {
    json!([
        {"id": "q1", "prompt": "Say hi", "generations": [
            {"response": "hi", "score": 0.2, "model": "small", "temperature": 0.7},
            {"response": "Hello there!", "score": 0.9, "model": "big", "temperature": 0.7},
            {"response": "yo", "score": -0.5, "model": "small", "temperature": 1.0}]},
        {"id": "q2", "prompt": "Add 2+2", "generations": [
            {"response": "4", "score": 1.0, "model": "big", "temperature": 1.0},
            {"response": "4", "score": 1.0, "model": "small", "temperature": 1.0}]},
        {"id": "q3", "prompt": "Name a colour", "generations": [
            {"response": "red", "score": 0.1, "model": "big", "temperature": 0.7}]}
    ])
}

#[test]
fn best_of_n_pairs_the_best_with_the_worst_in_a_seeded_random_order() {
    let req: PairRequest =
        serde_json::from_value(json!({"mode": "best_of_n", "seed": 3, "prompts": prompts()}))
            .unwrap();
    let out = build(&req).unwrap();
    assert_eq!(out.examples.len(), 1);
    let e = &out.examples[0];
    let mut pair = [e.response_a.as_str(), e.response_b.as_str()];
    pair.sort();
    assert_eq!(pair, ["Hello there!", "yo"]);
    assert_eq!(e.id, "q1:best_of_n");
    assert_eq!(out.skipped.len(), 2);
    assert!(out.skipped[0].reason.contains("same score"));
    assert!(out.skipped[1].reason.contains("at least 2"));
    // The order is random but seeded: over many prompts both orders occur
    // and the same seed repeats them.
    let many: Vec<_> = (0..40)
        .map(|i| {
            json!({"id": format!("p{i}"), "prompt": "x", "generations": [
            {"response": "good", "score": 1.0}, {"response": "bad", "score": 0.0}]})
        })
        .collect();
    let req: PairRequest =
        serde_json::from_value(json!({"mode": "best_of_n", "seed": 8, "prompts": many})).unwrap();
    let a_first = build(&req)
        .unwrap()
        .examples
        .iter()
        .filter(|e| e.response_a == "good")
        .count();
    assert!((10..=30).contains(&a_first), "{a_first}");
    assert_eq!(build(&req).unwrap(), build(&req).unwrap());
}

#[test]
fn model_pairs_feed_a_leaderboard_through_annotations() {
    let req: PairRequest =
        serde_json::from_value(json!({"mode": "models", "prompts": prompts()})).unwrap();
    let out = build(&req).unwrap();
    assert_eq!(out.examples.len(), 2);
    assert_eq!(out.skipped[0].id, "q3");
    assert_eq!(out.skipped[0].reason, "no generation from model \"small\"");
    let v = serde_json::to_value(&out.examples[0]).unwrap();
    for field in ["id", "prompt", "response_a", "response_b", "metadata"] {
        assert!(v.get(field).is_some(), "{field}");
    }
    // Judge every pair in favour of "big", whichever side it is on.
    let anns: Vec<Annotation> = out
        .examples
        .iter()
        .map(|e| {
            let label = if e.metadata["model_a"] == "big" {
                Label::ABetter
            } else {
                Label::BBetter
            };
            Annotation::new(e.id.clone(), "w1", label)
        })
        .collect();
    let (comparisons, left_out) = comparisons_from(&out.examples, &anns);
    assert_eq!((comparisons.len(), left_out), (2, 0));
    let board = prefkit::active::leaderboard(&prefkit::active::LeaderboardRequest {
        comparisons,
        config: Default::default(),
    })
    .unwrap();
    assert_eq!(board.models[0].model, "big");
    let e = build(
        &serde_json::from_value(json!({"mode": "temperatures", "prompts": [
        {"id": "a", "prompt": "p", "generations": [{"response": "x", "temperature": 0.1},
         {"response": "y", "temperature": 0.5}, {"response": "z", "temperature": 0.9}]}]}))
        .unwrap(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("3 distinct values (0.1, 0.5, 0.9)"),
        "{e}"
    );
}

mod never_panics {
    use prefkit::active::select::{Candidate, FlatEmbeddings, SelectRequest, Strategy as Pick};
    use prefkit::active::{select, Weights};
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![-3.0..3.0f64, Just(f64::NAN), Just(f64::INFINITY), Just(0.0)]
    }

    fn candidate() -> impl Strategy<Value = Candidate> {
        (
            0..12u8,
            "[a-c ]{0,12}",
            proptest::option::of(number()),
            proptest::option::of(number()),
            proptest::option::of(proptest::collection::vec(-2.0..2.0f32, 0..4)),
        )
            .prop_map(|(id, prompt, score_a, score_b, embedding)| Candidate {
                id: format!("e{id}"),
                prompt,
                score_a,
                score_b,
                embedding,
            })
    }

    fn request() -> impl Strategy<Value = SelectRequest> {
        (
            0..3u8,
            0..25usize,
            (number(), number()),
            proptest::collection::vec(candidate(), 0..20),
            proptest::collection::vec(0..12u8, 0..5),
            proptest::option::of((0..4usize, proptest::collection::vec(-1.0..1.0f32, 0..40))),
            any::<u64>(),
        )
            .prop_map(|(s, budget, (wu, wd), examples, labelled, flat, seed)| {
                SelectRequest {
                    strategy: [Pick::Uncertainty, Pick::Diversity, Pick::Hybrid][s as usize],
                    budget,
                    weights: Weights {
                        uncertainty: wu,
                        distance: wd,
                    },
                    seed,
                    examples,
                    labelled: labelled.into_iter().map(|i| format!("e{i}")).collect(),
                    embeddings: flat.map(|(dim, data)| FlatEmbeddings { dim, data }),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn any_selection_request_gives_a_valid_selection_or_an_error(req in request()) {
            if let Ok(sel) = select(&req) {
                let labelled: HashSet<&str> = req.labelled.iter().map(String::as_str).collect();
                let ids: HashSet<&str> = sel.selected.iter().map(|s| s.id.as_str()).collect();
                prop_assert_eq!(ids.len(), sel.selected.len());
                prop_assert!(sel.selected.len() <= req.budget);
                prop_assert!(sel.selected.len() == req.budget.min(sel.candidates));
                prop_assert!(ids.iter().all(|id| !labelled.contains(id)));
                prop_assert!(sel.selected.iter().all(|s| s.score.is_finite()));
            }
        }
    }
}

#[test]
fn a_misspelt_request_field_is_refused_but_extra_example_fields_are_not() {
    let e =
        serde_json::from_value::<SelectRequest>(json!({"budjet": 3, "budget": 1, "examples": []}))
            .unwrap_err();
    assert!(e.to_string().contains("budjet"), "{e}");
    let req = request(json!({"strategy": "diversity", "budget": 1, "examples": [
        {"id": "a", "prompt": "p", "response_a": "x", "response_b": "y", "metadata": {}}]}));
    assert_eq!(select(&req).unwrap().selected[0].id, "a");
}

#[test]
fn built_pairs_load_as_the_examples_of_a_task() {
    let req: PairRequest =
        serde_json::from_value(json!({"mode": "models", "seed": 2, "prompts": prompts()})).unwrap();
    let out = build(&req).unwrap();
    let task = json!({"task_id": "t1", "examples": out.examples});
    let parsed = prefkit::session::Task::from_value(&task).unwrap();
    assert_eq!(parsed.examples, out.examples);
}

#[test]
fn naming_the_same_model_twice_is_refused() {
    let req: PairRequest = serde_json::from_value(
        json!({"mode": "models", "models": ["big", "big"], "prompts": prompts()}),
    )
    .unwrap();
    let e = build(&req).unwrap_err().to_string();
    assert!(e.contains("models") && e.contains("twice"), "{e}");
}
