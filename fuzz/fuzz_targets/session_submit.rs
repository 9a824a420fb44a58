//! Submit requests from an open crowd, after a real batch: each input line
//! is a request for `Session::submit` (or, when it reads as one, a batch for
//! `adopt_batch`; `next <annotator>` for a new batch; `record <annotation>`
//! for the collector's `record_assigning`). Nothing panics,
//! the statistics hold no NaN, and an accepted answer resubmitted is a
//! duplicate, not a second answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::FromJson;
use prefkit::session::{Batch, Session, SubmitRequest, Task};
use serde_json::json;
use std::sync::OnceLock;

fn task() -> &'static Task {
    static TASK: OnceLock<Task> = OnceLock::new();
    TASK.get_or_init(|| {
        let examples: Vec<_> = (0..12)
            .map(|i| json!({"id": format!("e{i}"), "prompt": "p", "response_a": "a", "response_b": "b"}))
            .collect();
        let gold: Vec<_> = ["A>", "=", "B>>"]
            .iter()
            .enumerate()
            .map(|(j, l)| json!({"id": format!("g{j}"), "prompt": "q", "response_a": "a",
                                 "response_b": "b", "label": l}))
            .collect();
        Task::from_value(&json!({
            "task_id": "t1", "examples": examples, "gold": gold,
            "rubric": {"helpfulness": 2, "honesty": {"weight": 1, "description": "d"}},
            "config": {"batch_size": 5, "overlap": 2, "min_gold_for_flag": 2, "fast_seconds": 3}
        }))
        .expect("the fuzz task is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    let mut s = Session::new(task().clone(), Some(7)).expect("a session");
    let first = s.next_batch("w1", 0.0).expect("a batch");
    let _ = s.next_batch("w2", 0.0).expect("a batch");
    let it = &first.items[0];
    let real = SubmitRequest::from_value(&json!({"id": "r1", "item": it.id, "annotator": "w1",
        "choice": "A>", "time_seconds": 9.5, "swapped": it.swapped}))
    .expect("a well-formed request");
    s.submit(real).expect("a real answer is taken");
    for line in text.lines() {
        if let Some(who) = line.strip_prefix("next ") {
            let _ = s.next_batch(who, 0.0);
        } else if let Some(a) = line.strip_prefix("record ") {
            // The collector's path: canonical annotations from its store.
            if let Ok(a) = prefkit::Annotation::from_json(a) {
                let _ = s.record_assigning(a);
            }
        } else if let Ok(b) = Batch::from_json(line) {
            let _ = s.adopt_batch(b);
        } else if let Ok(req) = SubmitRequest::from_json(line) {
            if s.submit(req.clone()).is_ok() {
                let again = s.submit(req).expect("the same answer again is taken");
                assert!(again.duplicate, "an answer resubmitted is a duplicate");
            }
        }
    }
    prefkit_fuzz::assert_finite("stats", &s.stats());
});
