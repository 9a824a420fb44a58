//! Inputs found by the fuzz targets in `fuzz/` (see `scripts/fuzz.sh`),
//! kept as regular tests once fixed.

use prefkit::session::{Session, Task};
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
        let b = s.next_batch(w).expect("a batch");
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
    let start = std::time::Instant::now();
    let b = s.next_batch("w1").expect("a batch");
    let mut ids: Vec<&str> = b.items.iter().map(|it| it.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["e0", "g0"]);
    assert!(b.exhausted);
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
}
