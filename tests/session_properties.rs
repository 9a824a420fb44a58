//! Property tests: whatever the order of batch requests and answers, the
//! session keeps its promises.

mod support;

use prefkit::report;
use prefkit::session::{gold_answers, report_config, Session, Status};
use prefkit::{Dataset, Label};
use proptest::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use support::request;

#[derive(Debug, Clone)]
enum Op {
    /// Annotator `a` asks for a batch.
    Batch(usize),
    /// Annotator `a` answers their `k`-th open item (mod the count) with label `l`.
    Answer(usize, usize, usize, f64),
    /// Annotator `a` resubmits their `k`-th answer.
    Again(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..4usize).prop_map(Op::Batch),
        6 => (0..4usize, 0..64usize, 0..5usize, 0.0..20.0f64).prop_map(|(a, k, l, t)| Op::Answer(a, k, l, t)),
        1 => (0..4usize, 0..64usize).prop_map(|(a, k)| Op::Again(a, k)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_interleaving_keeps_batches_overlap_flags_and_stats_consistent(
        seed in 0u64..1000,
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let t = support::task(40, 8, json!({"batch_size": 6, "gold_fraction": 0.2, "overlap": 2, "min_gold_for_flag": 2}));
        let mut s = Session::new(t.clone(), Some(seed)).unwrap();
        let names = ["w0", "w1", "w2", "w3"];
        let mut given: Vec<BTreeSet<String>> = vec![BTreeSet::new(); 4];
        let mut open: Vec<Vec<String>> = vec![Vec::new(); 4];
        let mut done: Vec<Vec<(String, String, Label)>> = vec![Vec::new(); 4];
        let mut accepted = Vec::new();
        let mut gold_seen: Vec<(u32, u32)> = vec![(0, 0); 4];
        let mut flagged = [false; 4];
        let mut n = 0;
        for op in ops {
            match op {
                Op::Batch(a) => {
                    let b = s.next_batch(names[a], 0.0).unwrap();
                    prop_assert_eq!(b.flagged, s.is_flagged(names[a]));
                    if b.resumed {
                        // Every lease is live (time stands still): the same
                        // batch's unanswered items come back, in order.
                        let ids: Vec<String> = b.items.iter().map(|i| i.id.clone()).collect();
                        prop_assert_eq!(&ids, &open[a]);
                        continue;
                    }
                    prop_assert!(open[a].is_empty() || b.items.is_empty());
                    let gold = b.items.iter().filter(|i| i.id.starts_with('g')).count();
                    if !b.items.is_empty() {
                        // The gold share, unless this annotator has seen almost all gold.
                        let fresh_gold = 8 - given[a].iter().filter(|i| i.starts_with('g')).count();
                        prop_assert_eq!(gold, fresh_gold.min(1));
                    }
                    for i in &b.items {
                        prop_assert!(given[a].insert(i.id.clone()), "item {} given twice to {}", i.id, a);
                        open[a].push(i.id.clone());
                    }
                }
                Op::Answer(a, k, l, time) => {
                    if open[a].is_empty() { continue; }
                    let at = k % open[a].len();
                    let item = open[a].remove(at);
                    n += 1;
                    let id = format!("x{n}");
                    let label = Label::from_index(l).unwrap();
                    let v = s.submit(request(&id, names[a], &item, label, time)).unwrap();
                    prop_assert!(!v.duplicate);
                    if item.starts_with('g') {
                        let right = support::right_answer(&item).side() == v.annotation.label.side();
                        gold_seen[a].0 += 1;
                        gold_seen[a].1 += u32::from(right);
                    }
                    let (total, right) = gold_seen[a];
                    flagged[a] |= total >= 2 && (right as f64 / total as f64) < 0.6;
                    let expected = if flagged[a] { Status::Flagged } else { Status::Accepted };
                    prop_assert_eq!(v.status, expected);
                    prop_assert_eq!(v.too_fast, time < 5.0);
                    done[a].push((id, item, label));
                    accepted.push(v.annotation);
                }
                Op::Again(a, k) => {
                    if done[a].is_empty() { continue; }
                    let (id, item, label) = done[a][k % done[a].len()].clone();
                    let v = s.submit(request(&id, names[a], &item, label, 1.0)).unwrap();
                    prop_assert!(v.duplicate);
                    let other = Label::from_index((label.index() + 1) % 5).unwrap();
                    prop_assert!(s.submit(request(&id, names[a], &item, other, 1.0)).is_err());
                }
            }
        }
        // No regular item handed out more than `overlap` times.
        let mut handed: BTreeMap<&str, u32> = BTreeMap::new();
        for g in &given {
            for i in g.iter().filter(|i| i.starts_with('e')) {
                *handed.entry(i.as_str()).or_default() += 1;
            }
        }
        for (item, c) in handed {
            prop_assert!(c <= 2);
            prop_assert_eq!(s.times_handed_out(item), Some(c));
        }
        // The live figures equal a recomputation from the accepted answers.
        let stats = s.stats();
        let d = Dataset::from_annotations(&accepted, &gold_answers(&t));
        let mut full = report::run(&d, &report_config(&t));
        full.labels.dawid_skene = None;
        full.dawid_skene = None;
        full.undefined.insert("dawid_skene".into(), "not computed in the live report; run the full report".into());
        prop_assert_eq!(stats.report, full);
    }
}
