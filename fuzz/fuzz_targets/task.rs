//! A task file: reads or fails cleanly; what reads writes and reads back
//! the same, and runs a session: two annotators take batches and answer
//! every item, and the statistics hold no NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::FromJson;
use prefkit::session::{Batch, Session, SubmitRequest, Task};
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Some(task) = prefkit_fuzz::read::<Task>(data) else {
        return;
    };
    let back = Task::from_value(&task.to_json_value())
        .unwrap_or_else(|e| panic!("the task does not read back: {e}"));
    assert_eq!(task, back, "the round trip changes the task");
    let Ok(mut s) = Session::new(task, Some(7)) else {
        return;
    };
    let _ = serde_json::to_string(&s.public_task()).expect("the public task writes");
    let mut n = 0;
    for round in 0..2 {
        for w in ["w1", "w2"] {
            let batch = s.next_batch(w, 0.0).expect("a batch for a new annotator");
            let written = serde_json::to_string(&batch).expect("a batch writes");
            let read = Batch::from_json(&written)
                .unwrap_or_else(|e| panic!("its own batch {written} does not read back: {e}"));
            assert_eq!(batch, read);
            for (k, it) in batch.items.iter().enumerate() {
                n += 1;
                let label = ["A>>", "A>", "=", "B>", "B>>"][(n + round) % 5];
                let req = SubmitRequest::from_value(&json!({
                    "id": format!("{w}-{round}-{k}"), "item": it.id, "annotator": w,
                    "choice": label, "time_seconds": (n % 40) as f64,
                }))
                .expect("a well-formed request");
                // A rubric may refuse a plain choice; nothing else should fail.
                let _ = s.submit(req);
            }
        }
    }
    prefkit_fuzz::assert_finite("stats", &s.stats());
});
