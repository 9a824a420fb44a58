//! The live session's batches: seeds, gold share and positions, coverage.

mod support;

use prefkit::session::{Batch, Session};
use serde_json::json;
use support::task;

fn gold_count(b: &Batch) -> usize {
    b.items.iter().filter(|i| i.id.starts_with('g')).count()
}

#[test]
fn the_same_seed_gives_the_same_batches() {
    let t = task(500, 40, json!({"batch_size": 20}));
    let run = |seed| {
        let mut s = Session::new(t.clone(), Some(seed)).unwrap();
        (0..12)
            .map(|k| s.next_batch(&format!("w{}", k % 4), 0.0).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    // The seed in the task's config is used when none is passed.
    let mut with_config = task(500, 40, json!({"batch_size": 20, "seed": 7}));
    with_config.config.seed = Some(7);
    let mut s = Session::new(with_config, None).unwrap();
    assert_eq!(s.seed(), 7);
    assert_eq!(s.next_batch("w0", 0.0).unwrap(), run(7)[0]);
}

#[test]
fn every_full_batch_holds_exactly_the_gold_share() {
    for (size, fraction, share) in [(50, 0.10, 5), (20, 0.10, 2), (10, 0.0, 1), (100, 0.29, 29)] {
        let t = task(
            2000,
            60,
            json!({"batch_size": size, "gold_fraction": fraction}),
        );
        let mut s = Session::new(t, Some(1)).unwrap();
        for k in 0..5 {
            let b = s.next_batch(&format!("w{k}"), 0.0).unwrap();
            assert_eq!(b.items.len(), size, "batch size {size}");
            assert_eq!(
                gold_count(&b),
                share,
                "batch size {size}, fraction {fraction}"
            );
            let ids: std::collections::BTreeSet<_> = b.items.iter().map(|i| &i.id).collect();
            assert_eq!(ids.len(), b.items.len(), "no item twice in a batch");
        }
    }
    // Without gold in the task, every item is regular.
    let mut s = Session::new(task(100, 0, json!({"batch_size": 10})), Some(1)).unwrap();
    assert_eq!(gold_count(&s.next_batch("w", 0.0).unwrap()), 0);
}

/// Chi-square goodness of fit of the gold positions against the uniform
/// distribution. Critical values of the chi-square distribution at the
/// upper-tail probability 0.001: 27.877 for 9 degrees of freedom and 85.351
/// for 49 (NIST/SEMATECH e-Handbook of Statistical Methods, section
/// 1.3.6.7.4, "Critical Values of the Chi-Square Distribution").
#[test]
fn gold_positions_are_uniform_over_many_seeds() {
    for (size, fraction, runs, critical) in [(10, 0.1, 3000, 27.877), (50, 0.1, 1000, 85.351)] {
        let t = task(
            200,
            20,
            json!({"batch_size": size, "gold_fraction": fraction}),
        );
        let mut counts = vec![0u32; size];
        for seed in 0..runs {
            let mut s = Session::new(t.clone(), Some(seed)).unwrap();
            for (p, item) in s.next_batch("w", 0.0).unwrap().items.iter().enumerate() {
                if item.id.starts_with('g') {
                    counts[p] += 1;
                }
            }
        }
        let total: u32 = counts.iter().sum();
        let expected = total as f64 / size as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(
            chi2 < critical,
            "chi-square {chi2} over {size} positions: {counts:?}"
        );
        assert!(counts.iter().all(|&c| c > 0));
    }
}

#[test]
fn a_short_batch_keeps_its_gold_share_and_then_the_task_is_exhausted() {
    let t = task(
        7,
        10,
        json!({"batch_size": 20, "gold_fraction": 0.25, "overlap": 1}),
    );
    let mut s = Session::new(t, Some(3)).unwrap();
    let b = s.next_batch("w1", 0.0).unwrap();
    assert_eq!(b.items.len(), 12);
    assert_eq!(gold_count(&b), 5);
    assert!(b.exhausted);
    // Asking again while the leases are live gives the same batch back.
    let again = s.next_batch("w1", 10.0).unwrap();
    assert!(again.resumed);
    assert_eq!((&again.batch_id, &again.items), (&b.batch_id, &b.items));
    // Another annotator finds nothing while they are live (overlap 1).
    assert!(s.next_batch("w2", 10.0).unwrap().items.is_empty());
    // Once they ran out (default lease 1800 s), the items w1 left are
    // free again: for w2, never for w1.
    let late = s.next_batch("w1", 1800.0).unwrap();
    assert!(late.items.is_empty() && late.exhausted && !late.flagged);
    assert_eq!(s.next_batch("w2", 1800.0).unwrap().items.len(), 12);
}

#[test]
fn regular_items_go_to_the_least_covered_first_until_each_has_overlap_hand_outs() {
    let t = task(30, 0, json!({"batch_size": 10, "overlap": 2}));
    let mut s = Session::new(t, Some(5)).unwrap();
    let mut given: Vec<Vec<String>> = Vec::new();
    for k in 0..6 {
        let b = s.next_batch(&format!("w{k}"), 0.0).unwrap();
        assert_eq!(b.items.len(), 10);
        // The first three batches cover all 30 items once before any repeats.
        if k == 2 {
            for i in 0..30 {
                assert_eq!(s.times_handed_out(&format!("e{i}")), Some(1));
            }
        }
        given.push(b.items.iter().map(|i| i.id.clone()).collect());
    }
    for i in 0..30 {
        assert_eq!(s.times_handed_out(&format!("e{i}")), Some(2));
    }
    assert!(s.next_batch("w6", 0.0).unwrap().items.is_empty());
    // The same annotator never gets an item twice, even after a lease ran out.
    let mut s = Session::new(
        task(30, 0, json!({"batch_size": 10, "overlap": 3})),
        Some(5),
    )
    .unwrap();
    let a = s.next_batch("w", 0.0).unwrap();
    let b = s.next_batch("w", 1800.0).unwrap();
    assert!(a.items.iter().all(|x| b.items.iter().all(|y| x.id != y.id)));
}
