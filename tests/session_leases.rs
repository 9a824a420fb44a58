//! Leases and skips under an open crowd: whatever workers abandon, skip,
//! reload or answer late within their lease, every regular item ends with
//! exactly `overlap` labels once every lease is answered or has run out,
//! and skips never enter the figures.

mod support;

use prefkit::report;
use prefkit::session::{gold_answers, report_config, Session, Skip};
use prefkit::{Annotation, Dataset, Label};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use support::{request, right_answer};

const LEASE: f64 = 100.0;
const ITEMS: usize = 40;
const OVERLAP: u32 = 3;

#[derive(Debug, Clone)]
enum Op {
    /// Worker `a` asks for a batch (again: a reload).
    Ask(usize),
    /// Worker `a` answers their `k`-th held item with label `l`.
    Answer(usize, usize, usize),
    /// Worker `a` skips their `k`-th held item.
    Skip(usize, usize),
    /// Time passes (seconds).
    Wait(f64),
    /// Worker `a` walks away: their items are never answered.
    Abandon(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..12usize).prop_map(Op::Ask),
        8 => (0..12usize, 0..16usize, 0..5usize).prop_map(|(a, k, l)| Op::Answer(a, k, l)),
        2 => (0..12usize, 0..16usize).prop_map(|(a, k)| Op::Skip(a, k)),
        2 => (1.0..80.0f64).prop_map(Op::Wait),
        1 => (0..12usize).prop_map(Op::Abandon),
    ]
}

fn skip(id: &str, annotator: &str, item: &str) -> Skip {
    Skip::from_value(&json!({"id": id, "item": item, "annotator": annotator,
        "skip": "I can't judge this"}))
    .unwrap()
}

/// One worker's view: the items they hold, with when each lease runs out.
#[derive(Default, Clone)]
struct Worker {
    held: Vec<(String, bool, f64)>,
    gone: bool,
}

struct Crowd {
    s: Session,
    now: f64,
    n: usize,
    accepted: Vec<Annotation>,
    skips: usize,
    /// Every label and skip taken, as the collector exports them, in order.
    records: String,
}

impl Crowd {
    fn ask(&mut self, name: &str, w: &mut Worker) -> usize {
        let b = self.s.next_batch(name, self.now).unwrap();
        let live: Vec<&(String, bool, f64)> = w
            .held
            .iter()
            .filter(|(_, _, until)| *until > self.now)
            .collect();
        if b.resumed {
            let ids: Vec<&str> = b.items.iter().map(|i| i.id.as_str()).collect();
            let held: Vec<&str> = live.iter().map(|h| h.0.as_str()).collect();
            assert_eq!(
                ids, held,
                "a resumed batch is the live items held, in order"
            );
            return 0;
        }
        assert!(
            live.is_empty() || b.items.is_empty(),
            "a new batch only once nothing is held"
        );
        let until = b.lease_until.unwrap_or(f64::INFINITY);
        if !b.items.is_empty() {
            assert_eq!(until, self.now + LEASE);
        }
        w.held.retain(|(_, _, u)| *u > self.now);
        for it in &b.items {
            w.held.push((it.id.clone(), it.swapped, until));
        }
        b.items.len()
    }

    /// Takes the `k`-th (mod their number) of `w`'s items whose lease has
    /// not run out, if any.
    fn take(&self, w: &mut Worker, k: usize) -> Option<(String, bool, f64)> {
        let live: Vec<usize> = (0..w.held.len())
            .filter(|&i| w.held[i].2 > self.now)
            .collect();
        if live.is_empty() {
            return None;
        }
        Some(w.held.remove(live[k % live.len()]))
    }

    fn answer(&mut self, name: &str, w: &mut Worker, k: usize, shown: Option<Label>) {
        let Some((item, swapped, _)) = self.take(w, k) else {
            return;
        };
        self.n += 1;
        let id = format!("x{}", self.n);
        let shown = shown.unwrap_or_else(|| right_answer(&item).unflip(swapped));
        let v = self
            .s
            .submit(request(&id, name, &item, shown, 12.0))
            .unwrap();
        assert!(!v.duplicate);
        self.records += &format!("{}\n", v.annotation.to_json_value());
        self.accepted.push(v.annotation);
    }

    fn skip(&mut self, name: &str, w: &mut Worker, k: usize) {
        let Some((item, _, _)) = self.take(w, k) else {
            return;
        };
        self.n += 1;
        let v = self
            .s
            .skip(skip(&format!("x{}", self.n), name, &item))
            .unwrap();
        assert!(!v.duplicate);
        self.records += &format!("{}\n", json!(v.skip));
        self.skips += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn every_item_ends_with_exactly_overlap_labels_however_the_crowd_abandons_skips_and_reloads(
        seed in 0u64..1000,
        ops in proptest::collection::vec(op(), 1..200),
    ) {
        let t = support::task(ITEMS, 6, json!({"batch_size": 6, "gold_fraction": 0.2,
            "overlap": OVERLAP, "lease_seconds": LEASE, "min_gold_for_flag": 50}));
        let mut c = Crowd { s: Session::new(t.clone(), Some(seed)).unwrap(), now: 0.0, n: 0,
            accepted: Vec::new(), skips: 0, records: String::new() };
        let mut workers = vec![Worker::default(); 12];
        for op in ops {
            match op {
                Op::Ask(a) if !workers[a].gone => {
                    let mut w = std::mem::take(&mut workers[a]);
                    c.ask(&format!("w{a}"), &mut w);
                    workers[a] = w;
                }
                Op::Answer(a, k, l) if !workers[a].gone => {
                    let mut w = std::mem::take(&mut workers[a]);
                    c.answer(&format!("w{a}"), &mut w, k, Label::from_index(l));
                    workers[a] = w;
                }
                Op::Skip(a, k) if !workers[a].gone => {
                    let mut w = std::mem::take(&mut workers[a]);
                    c.skip(&format!("w{a}"), &mut w, k);
                    workers[a] = w;
                }
                Op::Wait(dt) => c.now += dt,
                Op::Abandon(a) => workers[a].gone = true,
                _ => {}
            }
        }
        // Every lease runs out; then fresh workers answer all they are given
        // until the task has nothing left to give.
        c.now += LEASE + 1.0;
        let mut fresh = 0;
        loop {
            let name = format!("f{fresh}");
            let mut w = Worker::default();
            if c.ask(&name, &mut w) == 0 {
                break;
            }
            while !w.held.is_empty() {
                c.answer(&name, &mut w, 0, None);
            }
            fresh += 1;
            prop_assert!(fresh < ITEMS * OVERLAP as usize, "the task never finished");
        }
        let mut labels: BTreeMap<&str, u32> = BTreeMap::new();
        for a in c.accepted.iter().filter(|a| a.item.starts_with('e')) {
            *labels.entry(a.item.as_str()).or_default() += 1;
        }
        prop_assert_eq!(labels.len(), ITEMS);
        prop_assert!(labels.values().all(|&n| n == OVERLAP), "{labels:?}");
        let o = c.s.overview(c.now);
        prop_assert_eq!((o.items, o.complete, o.leased, o.open), (ITEMS as u64, ITEMS as u64, 0, 0));
        prop_assert_eq!(o.labels, u64::from(OVERLAP) * ITEMS as u64);
        prop_assert_eq!(o.skips, c.skips as u64);
        // Skips are not labels: the live figures are those of the labels
        // alone, and each annotator's skips, as the report of the export
        // (labels and skips) gives them.
        let stats = c.s.stats();
        prop_assert_eq!(stats.session.skips, c.skips as u64);
        let mut d = Dataset::parse_jsonl(&c.records, false).unwrap();
        d.set_gold(&gold_answers(&t));
        prop_assert_eq!(d.skips.len(), c.skips);
        let skips: u32 = stats.report.annotators.iter().map(|a| a.skips).sum();
        prop_assert_eq!(skips as usize, c.skips);
        let mut full = report::run(&d, &report_config(&t));
        full.labels.dawid_skene = None;
        full.dawid_skene = None;
        full.undefined.insert("dawid_skene".into(), "not computed in the live report; run the full report".into());
        prop_assert_eq!(stats.report, full);
    }
}

fn session(items: usize, config: serde_json::Value) -> Session {
    Session::new(support::task(items, 0, config), Some(1)).unwrap()
}

#[test]
fn a_worker_who_walks_away_gives_their_items_back_when_the_lease_runs_out() {
    let mut s = session(
        4,
        json!({"batch_size": 4, "overlap": 1, "lease_seconds": 60}),
    );
    assert_eq!(s.next_batch("gone", 0.0).unwrap().items.len(), 4);
    assert!(s.next_batch("next", 59.0).unwrap().items.is_empty());
    let o = s.overview(59.0);
    assert_eq!((o.leased, o.open), (4, 0));
    // At the lease's end the items are free again, for others only.
    assert_eq!(s.overview(60.0).open, 4);
    assert_eq!(s.next_batch("next", 60.0).unwrap().items.len(), 4);
    assert!(s.next_batch("gone", 61.0).unwrap().items.is_empty());
}

#[test]
fn a_late_answer_is_kept_and_the_item_takes_one_label_more() {
    let mut s = session(
        1,
        json!({"batch_size": 1, "overlap": 1, "lease_seconds": 60}),
    );
    let first = s.next_batch("slow", 0.0).unwrap().items[0].clone();
    let again = s.next_batch("quick", 61.0).unwrap().items[0].clone();
    assert_eq!(first.id, again.id);
    let v = s
        .submit(request("q", "quick", &again.id, Label::Tie, 9.0))
        .unwrap();
    assert!(!v.duplicate);
    // The slow worker's answer, after their lease ran out, is still taken.
    let v = s
        .submit(request("s", "slow", &first.id, Label::Tie, 90.0))
        .unwrap();
    assert!(!v.duplicate);
    assert_eq!(s.overview(100.0).labels, 2);
}

#[test]
fn answers_past_the_label_cap_are_refused_and_change_nothing() {
    let mut s = session(
        1,
        json!({"batch_size": 1, "overlap": 1, "lease_seconds": 10,
        "max_labels_per_item": 2}),
    );
    // Three workers hold e0 in turn; each lease runs out before the next.
    let mut held = Vec::new();
    for (k, w) in ["a", "b", "c"].iter().enumerate() {
        let b = s.next_batch(w, 20.0 * k as f64).unwrap();
        let it = b.items.iter().find(|i| i.id == "e0").cloned();
        held.push((w, it));
    }
    let holders: Vec<&&str> = held.iter().filter(|h| h.1.is_some()).map(|h| h.0).collect();
    assert_eq!(holders.len(), 3, "e0 went round: {held:?}");
    for (k, w) in ["a", "b"].iter().enumerate() {
        s.submit(request(&format!("r{k}"), w, "e0", Label::Tie, 9.0))
            .unwrap();
    }
    let changes = s.changes();
    let e = s
        .submit(request("r2", "c", "e0", Label::Tie, 9.0))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("item \"e0\" is complete: it has 2 labels"),
        "{e}"
    );
    assert_eq!(s.changes(), changes);
}

#[test]
fn a_skipped_gold_item_counts_as_seen_and_wrong() {
    let t = support::task(
        10,
        4,
        json!({"batch_size": 5, "gold_fraction": 0.4,
        "min_gold_for_flag": 2, "min_gold_accuracy": 0.5}),
    );
    let mut s = Session::new(t, Some(2)).unwrap();
    let b = s.next_batch("w", 0.0).unwrap();
    let gold: Vec<_> = b.items.iter().filter(|i| i.id.starts_with('g')).collect();
    assert_eq!(gold.len(), 2);
    let first = s.skip(skip("k1", "w", &gold[0].id)).unwrap();
    assert!(first.flag.is_none());
    let second = s.skip(skip("k2", "w", &gold[1].id)).unwrap();
    let flag = second.flag.expect("two gold skipped: accuracy 0");
    assert_eq!((flag.gold_total, flag.gold_correct), (2, 0));
    assert!(s.next_batch("w", 1.0).unwrap().flagged);
}

#[test]
fn a_skip_is_refused_for_an_item_not_held_or_already_labelled_and_a_retry_is_a_duplicate() {
    let mut s = session(4, json!({"batch_size": 2, "overlap": 2}));
    let b = s.next_batch("w", 0.0).unwrap();
    let (x, y) = (b.items[0].id.clone(), b.items[1].id.clone());
    let e = s.skip(skip("k0", "w", "e3")).unwrap_err().to_string();
    assert!(e.contains("not in an open batch"), "{e}");
    s.submit(request("a", "w", &x, Label::Tie, 9.0)).unwrap();
    let e = s.skip(skip("k1", "w", &x)).unwrap_err().to_string();
    assert!(e.contains("a label cannot be skipped"), "{e}");
    assert!(!s.skip(skip("k2", "w", &y)).unwrap().duplicate);
    assert!(s.skip(skip("k2", "w", &y)).unwrap().duplicate);
    let e = s
        .submit(request("b", "w", &y, Label::Tie, 9.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("skipped item"), "{e}");
}

#[test]
fn a_skip_with_a_label_or_a_long_reason_is_refused_naming_the_field() {
    let e = Skip::from_value(&json!({"id": "k", "item": "e0", "annotator": "w",
        "skip": "no", "label": "A>"}))
    .unwrap_err();
    assert!(e.to_string().contains("field \"label\""), "{e}");
    let mut s = session(4, json!({"batch_size": 2}));
    let b = s.next_batch("w", 0.0).unwrap();
    let item = &b.items[0].id;
    let long = json!({"id": "k", "item": item, "annotator": "w", "skip": "x".repeat(201)});
    let e = s.skip(Skip::from_value(&long).unwrap()).unwrap_err();
    assert!(
        e.to_string().contains("field \"skip\"") && e.to_string().contains("200"),
        "{e}"
    );
    let blank = json!({"id": "k", "item": item, "annotator": "w", "skip": "  "});
    assert!(s.skip(Skip::from_value(&blank).unwrap()).is_err());
    // 200 characters, multi-byte ones included, are fine.
    let full = json!({"id": "k", "item": item, "annotator": "w", "skip": "é".repeat(200)});
    assert!(s.skip(Skip::from_value(&full).unwrap()).is_ok());
}

#[test]
fn a_skip_built_in_code_is_held_to_the_time_rules_of_a_label() {
    let mut s = session(4, json!({"batch_size": 2}));
    let b = s.next_batch("w", 0.0).unwrap();
    let item = &b.items[0].id;
    let mut slow = skip("k", "w", item);
    slow.time_seconds = Some(2.0 * 86_400.0);
    let e = s.skip(slow).unwrap_err().to_string();
    assert!(e.contains("time_seconds") && e.contains("a day"), "{e}");
    let mut late = skip("k", "w", item);
    late.timestamp = Some(1e15);
    let e = s.skip(late).unwrap_err().to_string();
    assert!(e.contains("timestamp"), "{e}");
    let mut fine = skip("k", "w", item);
    fine.time_seconds = Some(12.5);
    assert!(!s.skip(fine).unwrap().duplicate);
}

#[test]
fn lease_seconds_that_is_not_a_positive_number_is_refused() {
    for bad in [json!(0), json!(-5), json!("60")] {
        let e = prefkit::session::Task::from_value(&support::task_json(
            2,
            0,
            json!({"lease_seconds": bad}),
        ))
        .unwrap_err();
        assert!(e.to_string().contains("config.lease_seconds"), "{e}");
    }
}

#[test]
fn an_adopted_batch_keeps_its_lease_so_a_reloaded_page_moves_on_when_it_runs_out() {
    let t = support::task(20, 0, json!({"batch_size": 5, "lease_seconds": 60}));
    let mut page = Session::new(t.clone(), Some(4)).unwrap();
    let first = page.next_batch("w", 0.0).unwrap();
    // A reload: a fresh session adopts the journaled batch.
    let mut reloaded = Session::new(t, Some(4)).unwrap();
    reloaded.adopt_batch(first.clone()).unwrap();
    let again = reloaded.next_batch("w", 30.0).unwrap();
    assert!(again.resumed);
    assert_eq!(again.items, first.items);
    let next = reloaded.next_batch("w", 61.0).unwrap();
    assert!(!next.resumed && next.items.len() == 5);
    assert!(next
        .items
        .iter()
        .all(|i| first.items.iter().all(|f| f.id != i.id)));
}

#[test]
fn the_open_crowd_benchmark_drains_the_task_to_exactly_overlap_labels() {
    let (code, out, err) = support::prefkit(&[
        "bench",
        "session",
        "--items",
        "300",
        "--annotators",
        "30",
        "--batch-size",
        "10",
        "--rounds",
        "3",
        "--abandon",
        "0.3",
        "--skip",
        "0.2",
        "--lease-seconds",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    let drain = out
        .lines()
        .find(|l| l.contains("drain:"))
        .unwrap_or_default();
    assert!(
        drain.contains("300 of 300 items complete, 900 labels = 300 x overlap 3: exact"),
        "{out}"
    );
    assert!(out.contains("walked away holding"), "{out}");
    let (code, _, err) = support::prefkit(&["bench", "session", "--skip", "1.5"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--skip: expected a share from 0 to 1, got 1.5"),
        "{err}"
    );
}
