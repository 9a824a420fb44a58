//! Items shown again (`config.repeat_fraction`): a share of an annotator's
//! answered items comes back in a later batch, never the same one, with
//! the A/B order drawn again; a repeat fills no overlap slot, respects
//! `max_labels_per_item`, and the live statistics measure each annotator's
//! self-consistency.

mod support;

use prefkit::session::{Batch, Session, Skip};
use serde_json::json;
use std::collections::HashMap;
use support::{request, right_answer, task};

/// Where each item was shown: `(batch number, swapped)` per showing.
type Shown = HashMap<String, Vec<(usize, bool)>>;

/// Annotator `name` asks for `batches` batches and answers every item
/// right (as shown), each answer under a new id. Returns the batches.
fn answer_batches(s: &mut Session, name: &str, batches: usize) -> Vec<Batch> {
    let mut out = Vec::new();
    for b in 0..batches {
        let batch = s.next_batch(name, 0.0).unwrap();
        if batch.items.is_empty() {
            break;
        }
        for it in &batch.items {
            let shown = right_answer(&it.id).unflip(it.swapped);
            let id = format!("{name}/{b}/{}", it.id);
            s.submit(request(&id, name, &it.id, shown, 10.0)).unwrap();
        }
        out.push(batch);
    }
    out
}

fn showings(batches: &[Batch]) -> Shown {
    let mut shown = Shown::new();
    for (b, batch) in batches.iter().enumerate() {
        for it in &batch.items {
            shown
                .entry(it.id.clone())
                .or_default()
                .push((b, it.swapped));
        }
    }
    shown
}

#[test]
fn a_fifth_of_the_answered_items_come_back_in_later_batches_with_the_order_drawn_again() {
    let config = json!({"batch_size": 10, "overlap": 1, "repeat_fraction": 0.2});
    let mut s = Session::new(task(300, 10, config), Some(11)).unwrap();
    let batches = answer_batches(&mut s, "w1", 20);
    assert_eq!(batches.len(), 20);
    let shown = showings(&batches);
    let repeated: Vec<_> = shown.iter().filter(|(_, v)| v.len() > 1).collect();
    // Every item at most twice, gold never, never twice in one batch.
    for (id, v) in &repeated {
        assert_eq!(v.len(), 2, "{id}");
        assert!(id.starts_with('e'), "gold item {id} shown again");
        assert!(v[0].0 < v[1].0, "{id} came back in the batch it was in");
    }
    // Before batch k, 9 k regular items were answered (one place in ten
    // is gold); repeats given by then keep to floor(0.2 x answered).
    let answered_regular: usize = batches
        .iter()
        .flat_map(|b| &b.items)
        .filter(|it| it.id.starts_with('e'))
        .count();
    let last = batches
        .last()
        .unwrap()
        .items
        .iter()
        .filter(|it| it.id.starts_with('e'))
        .count();
    let before_last = answered_regular - last;
    assert!(repeated.len() <= (0.2 * before_last as f64) as usize);
    assert!(
        repeated.len() + 9 >= (0.2 * before_last as f64) as usize,
        "{} repeats",
        repeated.len()
    );
    // The A/B order of a repeat is drawn again: over 30-odd repeats both
    // "same" and "flipped" occur.
    let flipped = repeated.iter().filter(|(_, v)| v[0].1 != v[1].1).count();
    assert!(
        flipped > 0 && flipped < repeated.len(),
        "{flipped} of {}",
        repeated.len()
    );
}

#[test]
fn without_a_repeat_fraction_no_item_is_shown_twice() {
    let mut s = Session::new(
        task(300, 10, json!({"batch_size": 10, "overlap": 1})),
        Some(11),
    )
    .unwrap();
    let shown = showings(&answer_batches(&mut s, "w1", 20));
    assert!(shown.values().all(|v| v.len() == 1));
}

#[test]
fn the_same_seed_gives_the_same_batches_with_repeats() {
    let config = json!({"batch_size": 8, "overlap": 2, "repeat_fraction": 0.5});
    let run = || {
        let mut s = Session::new(task(120, 6, config.clone()), Some(3)).unwrap();
        let mut all = answer_batches(&mut s, "w1", 6);
        all.extend(answer_batches(&mut s, "w2", 6));
        serde_json::to_string(&all).unwrap()
    };
    assert_eq!(run(), run());
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/session_repeats_seed7.json")).unwrap();
    assert_eq!(support::batches_with_repeats_seed_7(), fixture);
}

#[test]
fn a_repeat_fills_no_overlap_slot_and_takes_no_lease() {
    // Overlap 2: two annotators cover the items; their repeats leave every
    // item with two first answers and its hand-out count at 2.
    let config = json!({"batch_size": 10, "overlap": 2, "repeat_fraction": 0.3});
    let mut s = Session::new(task(30, 0, config), Some(5)).unwrap();
    let w1 = answer_batches(&mut s, "w1", 10);
    let w2 = answer_batches(&mut s, "w2", 10);
    let repeats = |b: &[Batch]| showings(b).values().filter(|v| v.len() > 1).count();
    assert!(repeats(&w1) > 0 && repeats(&w2) > 0);
    for i in 0..30 {
        assert_eq!(s.times_handed_out(&format!("e{i}")), Some(2), "e{i}");
    }
    let o = s.overview(0.0);
    assert_eq!((o.complete, o.leased, o.open), (30, 0, 0));
    assert_eq!(o.labels, 60 + (repeats(&w1) + repeats(&w2)) as u64);
    // A third annotator finds nothing left: repeats did not free a slot.
    assert!(s.next_batch("w3", 0.0).unwrap().items.is_empty());
}

#[test]
fn an_item_at_max_labels_per_item_is_not_shown_again() {
    // max_labels_per_item = overlap = 1: every answered item is at its cap.
    let config =
        json!({"batch_size": 10, "overlap": 1, "max_labels_per_item": 1, "repeat_fraction": 1.0});
    let mut s = Session::new(task(60, 0, config), Some(9)).unwrap();
    let shown = showings(&answer_batches(&mut s, "w1", 10));
    assert_eq!(shown.len(), 60);
    assert!(shown.values().all(|v| v.len() == 1));
}

#[test]
fn self_consistency_is_measured_live_and_the_first_id_stays_a_duplicate() {
    let config = json!({"batch_size": 10, "overlap": 1, "repeat_fraction": 0.5});
    let mut s = Session::new(task(100, 0, config), Some(2)).unwrap();
    let batches = answer_batches(&mut s, "w1", 4);
    let repeats = showings(&batches).values().filter(|v| v.len() > 1).count() as u64;
    assert!(repeats > 0);
    let stats = s.stats();
    let w1 = &stats.report.annotators[0];
    let sc = w1.self_consistency.expect("w1 answered repeats");
    // An accurate annotator agrees with themselves on every repeat.
    assert_eq!((sc.count, sc.exact, sc.directional), (repeats, 1.0, 1.0));
    // The live figures equal the report of the same annotations.
    let (id, item) = {
        let it = &batches[0].items[0];
        (format!("w1/0/{}", it.id), it.id.clone())
    };
    let shown = right_answer(&item).unflip(batches[0].items[0].swapped);
    let again = s.submit(request(&id, "w1", &item, shown, 10.0)).unwrap();
    assert!(again.duplicate);
    assert_eq!(s.stats().report.annotators[0].self_consistency, Some(sc));
}

#[test]
fn a_repeat_can_be_skipped_without_giving_the_item_back() {
    let config = json!({"batch_size": 4, "overlap": 1, "repeat_fraction": 1.0});
    let mut s = Session::new(task(40, 0, config), Some(4)).unwrap();
    let first = answer_batches(&mut s, "w1", 1);
    let b = s.next_batch("w1", 0.0).unwrap();
    let shown_before: Vec<&str> = first[0].items.iter().map(|it| it.id.as_str()).collect();
    let repeat = b
        .items
        .iter()
        .find(|it| shown_before.contains(&it.id.as_str()))
        .expect("a repeat");
    let before = s.times_handed_out(&repeat.id);
    let skip = Skip::from_value(&json!({"id": "skip-1", "item": repeat.id, "annotator": "w1", "skip": "I can't judge this"})).unwrap();
    s.skip(skip).unwrap();
    assert_eq!(s.times_handed_out(&repeat.id), before);
}

#[test]
fn a_repeat_fraction_outside_zero_to_one_is_refused_by_name() {
    let e = prefkit::session::Task::from_value(&support::task_json(
        3,
        0,
        json!({"repeat_fraction": 1.5}),
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("config.repeat_fraction"), "{e}");
    assert!(e.contains("[0, 1]"), "{e}");
}

#[test]
fn a_page_session_adopts_the_repeats_of_a_blind_batch_and_both_sides_measure_the_same() {
    let config = json!({"batch_size": 10, "overlap": 1, "repeat_fraction": 0.5});
    let mut server = Session::new(task(80, 4, config), Some(6)).unwrap();
    let public = serde_json::to_value(server.public_task()).unwrap();
    assert_eq!(public["config"]["repeat_fraction"], 0.5);
    let mut page = Session::new(
        prefkit::session::Task::from_value(&public).unwrap(),
        Some(1),
    )
    .unwrap();
    for b in 0..4 {
        let batch = server.next_batch("w1", 0.0).unwrap();
        page.adopt_batch(batch.clone()).unwrap();
        for it in &batch.items {
            let shown = right_answer(&it.id).unflip(it.swapped);
            let id = format!("w1/{b}/{}", it.id);
            let on_page = page
                .submit(request(&id, "w1", &it.id, shown, 10.0))
                .unwrap();
            let on_server = server.record(on_page.annotation.clone()).unwrap();
            assert_eq!(on_page.annotation.label, right_answer(&it.id));
            assert_eq!(on_server.annotation, on_page.annotation);
        }
    }
    let (p, s) = (page.stats(), server.stats());
    let sc = s.report.annotators[0]
        .self_consistency
        .expect("repeats answered");
    assert!(sc.count > 0 && sc.exact == 1.0);
    assert_eq!(p.report.annotators[0].self_consistency, Some(sc));
}

#[test]
fn on_the_spot_a_second_answer_under_a_new_id_is_a_repeat_only_when_the_task_shows_items_again() {
    use prefkit::Annotation;
    let label = |id: &str, l| Annotation {
        id: Some(id.to_string()),
        ..Annotation::new("e1", "w1", l)
    };
    let skip = |id: &str| {
        Skip::from_value(
            &json!({"id": id, "item": "e1", "annotator": "w1", "skip": "I can't judge this"}),
        )
        .unwrap()
    };
    for repeat_fraction in [0.0, 0.5] {
        let config = json!({"overlap": 1, "repeat_fraction": repeat_fraction});
        let mut s = Session::new(task(5, 0, config), Some(1)).unwrap();
        s.record_assigning(label("a", prefkit::Label::ABetter))
            .unwrap();
        let second = s.record_assigning(label("b", prefkit::Label::Tie));
        if repeat_fraction > 0.0 {
            assert!(!second.unwrap().duplicate);
            // The repeat is answered: a third label has no place.
            assert!(s.skip_assigning(skip("c")).is_err());
        } else {
            let e = second.unwrap_err().to_string();
            assert!(e.contains("a different label"), "{e}");
            assert!(s.skip_assigning(skip("c")).is_err());
        }
    }
    // A skip of the repeat, on the spot.
    let config = json!({"overlap": 1, "repeat_fraction": 0.5});
    let mut s = Session::new(task(5, 0, config), Some(1)).unwrap();
    s.record_assigning(label("a", prefkit::Label::ABetter))
        .unwrap();
    assert!(!s.skip_assigning(skip("c")).unwrap().duplicate);
    assert_eq!(s.times_handed_out("e1"), Some(1));
}
