//! The live session's answers: un-flipping, gold flagging, speed markers,
//! idempotency, validation, records and adopted batches.

mod support;

use prefkit::session::{Batch, Session, Status, SubmitRequest, Task, Verdict};
use prefkit::FromJson;
use prefkit::{Annotation, Label};
use serde_json::json;
use support::{request, right_answer, task, work, Kind};

#[test]
fn the_session_unflips_what_the_page_shows() {
    let t = task(40, 0, json!({"batch_size": 40}));
    let mut s = Session::new(t, Some(11)).unwrap();
    let b = s.next_batch("w", 0.0).unwrap();
    assert!(b.items.iter().any(|i| i.swapped) && b.items.iter().any(|i| !i.swapped));
    for (k, item) in b.items.iter().enumerate() {
        let (left, right) = (&item.response_left, &item.response_right);
        let n = &item.id[1..];
        if item.swapped {
            assert_eq!(
                (left, right),
                (&format!("answer b{n}"), &format!("answer a{n}"))
            );
        } else {
            assert_eq!(
                (left, right),
                (&format!("answer a{n}"), &format!("answer b{n}"))
            );
        }
        // "left much better" is A>> as shown: canonically B>> when swapped.
        let v = s
            .submit(request(
                &format!("a{k}"),
                "w",
                &item.id,
                Label::AMuchBetter,
                9.0,
            ))
            .unwrap();
        let expected = if item.swapped {
            Label::BMuchBetter
        } else {
            Label::AMuchBetter
        };
        assert_eq!(v.annotation.label, expected);
        assert_eq!(v.annotation.swapped, item.swapped);
        assert_eq!(v.progress.done as usize, k + 1);
        assert_eq!(v.progress.total, 40);
        assert_eq!(v.annotation.task_id.as_deref(), Some("t1"));
        let posted = v.annotation.to_json_value();
        assert_eq!(Annotation::from_value(&posted).unwrap(), v.annotation);
    }
}

/// Answers the gold items of successive batches with the given pattern
/// (true = right), regular items right; returns the status after each gold answer.
fn gold_run(pattern: &[bool]) -> (Vec<Status>, Session) {
    let (verdicts, s) = gold_verdicts(pattern);
    (verdicts.iter().map(|v| v.status).collect(), s)
}

fn gold_verdicts(pattern: &[bool]) -> (Vec<Verdict>, Session) {
    let t = task(500, 50, json!({"batch_size": 10, "gold_fraction": 0.1}));
    let mut s = Session::new(t, Some(2)).unwrap();
    let mut statuses: Vec<Verdict> = Vec::new();
    let mut k = 0;
    'outer: while statuses.len() < pattern.len() {
        let b = s.next_batch("w", 0.0).unwrap();
        assert!(!b.flagged);
        for item in &b.items {
            let right = right_answer(&item.id);
            let is_gold = item.id.starts_with('g');
            let canonical = if is_gold && !pattern[statuses.len()] {
                right.flip_side()
            } else {
                right
            };
            k += 1;
            let v = s
                .submit(request(
                    &format!("a{k}"),
                    "w",
                    &item.id,
                    canonical.unflip(item.swapped),
                    10.0,
                ))
                .unwrap();
            if is_gold {
                statuses.push(v);
                if statuses.len() == pattern.len() {
                    break 'outer;
                }
            } else if statuses.len() < pattern.len() {
                // A regular answer never changes the status.
                let before = statuses.last().map_or(Status::Accepted, |v| v.status);
                assert_eq!(v.status, before);
            }
        }
    }
    (statuses, s)
}

trait FlipSide {
    fn flip_side(self) -> Label;
}
impl FlipSide for Label {
    /// A label on another side (a wrong answer under directional matching).
    fn flip_side(self) -> Label {
        match self {
            Label::Tie => Label::ABetter,
            l => l.flip(),
        }
    }
}

#[test]
fn an_annotator_is_flagged_exactly_when_the_fifth_or_later_gold_answer_drops_accuracy_under_sixty_percent(
) {
    use Status::{Accepted as A, Flagged as F};
    // Four wrong answers do not flag (fewer than five gold); the fifth does.
    let (st, mut s) = gold_run(&[false, false, false, false, false]);
    assert_eq!(st, vec![A, A, A, A, F]);
    let b = s.next_batch("w", 0.0).unwrap();
    assert!(b.flagged && b.items.is_empty());
    assert!(s.is_flagged("w"));
    // 3 of 5 is exactly 0.60: not under; 3 of 6 is.
    let (st, _) = gold_run(&[true, false, false, true, true, false]);
    assert_eq!(st, vec![A, A, A, A, A, F]);
    // 4 of 5 right, then wrong answers: 4/6, 4/7 = 0.571 flags at the seventh.
    let (st, _) = gold_run(&[true, true, true, true, false, false, false]);
    assert_eq!(st, vec![A, A, A, A, A, A, F]);
}

#[test]
fn a_flagged_verdict_carries_the_gold_counts() {
    let (verdicts, _) = gold_verdicts(&[true, false, false, false, false]);
    let v = &verdicts[4];
    assert_eq!(v.status, Status::Flagged);
    let flag = v.flag.as_ref().unwrap();
    assert_eq!(
        (flag.gold_total, flag.gold_correct, flag.gold_accuracy),
        (5, 1, 0.2)
    );
    assert!(verdicts[..4].iter().all(|v| v.flag.is_none()));
    let text = serde_json::to_value(v).unwrap();
    assert_eq!(text["flag"]["reason"], "low_gold_accuracy");
    assert_eq!(text["status"], "flagged");
}

#[test]
fn answers_faster_than_fast_seconds_are_marked_too_fast() {
    let t = task(20, 0, json!({"batch_size": 10, "fast_seconds": 2.5}));
    let mut s = Session::new(t, Some(1)).unwrap();
    let b = s.next_batch("w", 0.0).unwrap();
    for (k, (item, time, marked)) in b
        .items
        .iter()
        .zip([(0.0, true), (2.49, true), (2.5, false), (60.0, false)])
        .map(|(i, (t, m))| (i, t, m))
        .enumerate()
    {
        let v = s
            .submit(request(&format!("a{k}"), "w", &item.id, Label::Tie, time))
            .unwrap();
        assert_eq!(v.too_fast, marked, "time {time}");
    }
}

#[test]
fn resubmitting_the_same_answer_returns_the_same_verdict_and_changes_nothing() {
    let t = task(20, 0, json!({"batch_size": 5}));
    let mut s = Session::new(t, Some(1)).unwrap();
    let b = s.next_batch("w", 0.0).unwrap();
    let (x, y) = (&b.items[0], &b.items[1]);
    let first = s
        .submit(request("a1", "w", &x.id, Label::ABetter, 9.0))
        .unwrap();
    let again = s
        .submit(request("a1", "w", &x.id, Label::ABetter, 9.0))
        .unwrap();
    assert!(!first.duplicate && again.duplicate);
    assert_eq!(serde_json::to_value(&again).unwrap()["duplicate"], true);
    let mut same = again.clone();
    same.duplicate = false;
    assert_eq!(same, first);
    // Progress goes on from 1, not 2: the duplicate was not counted.
    let second = s
        .submit(request("a2", "w", &y.id, Label::ABetter, 9.0))
        .unwrap();
    assert_eq!(second.progress.done, 2);
    // A different label for the same item is refused, naming both labels.
    let e = s
        .submit(request("a3", "w", &x.id, Label::BBetter, 9.0))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("already labelled item") && e.contains("a different label"),
        "{e}"
    );
    // The same id for another item is refused, naming the id.
    let e = s
        .submit(request("a1", "w", &b.items[2].id, Label::ABetter, 9.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("annotation id \"a1\" was already used"), "{e}");
}

#[test]
fn submits_outside_an_open_batch_or_with_bad_values_are_refused() {
    let t = task(20, 0, json!({"batch_size": 5}));
    let mut s = Session::new(t, Some(1)).unwrap();
    let e = s
        .submit(request("a", "w", "e0", Label::Tie, 9.0))
        .unwrap_err();
    assert!(e.to_string().contains("has no open batch"), "{e}");
    let b = s.next_batch("w", 0.0).unwrap();
    let outside = (0..20)
        .map(|i| format!("e{i}"))
        .find(|id| b.items.iter().all(|it| &it.id != id))
        .unwrap();
    let e = s
        .submit(request("a", "w", &outside, Label::Tie, 9.0))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("is not in an open batch of annotator \"w\""),
        "{e}"
    );
    let e = s
        .submit(request("a", "w", "nope", Label::Tie, 9.0))
        .unwrap_err();
    assert!(
        e.to_string().contains("item \"nope\" is not in the task"),
        "{e}"
    );
    let item = &b.items[0].id;
    let bad = |v: serde_json::Value| SubmitRequest::from_value(&v).unwrap_err().to_string();
    let e = bad(
        json!({"id": "a", "item": item, "annotator": "w", "choice": "A>>>", "time_seconds": 3}),
    );
    assert!(
        e.starts_with("field \"choice\": unknown label \"A>>>\""),
        "{e}"
    );
    let e =
        bad(json!({"id": "a", "item": item, "annotator": "w", "choice": "A>", "time_seconds": -1}));
    assert_eq!(
        e,
        "field \"time_seconds\": expected a number of seconds from 0 to 86400 (a day), got -1"
    );
    // The rule of the annotation the answer becomes, in the same words.
    let e = bad(
        json!({"id": "a", "item": item, "annotator": "w", "choice": "A>", "time_seconds": 90000}),
    );
    assert_eq!(
        e,
        "field \"time_seconds\": expected a number of seconds from 0 to 86400 (a day), got 90000"
    );
    let e = bad(json!({"id": "a", "item": item, "annotator": "w", "choice": "A>"}));
    assert_eq!(e, "missing required field \"time_seconds\"");
    let e = bad(
        json!({"id": "a", "item": item, "annotator": "w", "choice": "A>", "time_seconds": 1, "colour": 1}),
    );
    assert!(e.starts_with("field \"colour\": unknown key"), "{e}");
    let mut r = request("a", "w", item, Label::Tie, 1.0);
    r.time_seconds = f64::NAN;
    assert!(s
        .submit(r.clone())
        .unwrap_err()
        .to_string()
        .contains("time_seconds"));
    r.time_seconds = 3.0;
    r.task_id = Some("other".into());
    let e = s.submit(r.clone()).unwrap_err().to_string();
    assert!(
        e.contains("this session runs task \"t1\", got \"other\""),
        "{e}"
    );
    r.task_id = None;
    r.swapped = Some(!b.items[0].swapped);
    assert!(s
        .submit(r)
        .unwrap_err()
        .to_string()
        .contains("field \"swapped\""));
}

#[test]
fn a_dimensions_only_answer_gets_its_overall_label_from_the_rubric() {
    let t = task(10, 0, json!({"batch_size": 5}));
    let mut s = Session::new(t, Some(1)).unwrap();
    let item = s.next_batch("w", 0.0).unwrap().items[0].clone();
    let req = SubmitRequest::from_value(&json!({"id": "a", "item": item.id, "annotator": "w",
        "time_seconds": 9, "dimensions": {"helpfulness": "A>>", "correctness": "A>",
        "harmlessness": "=", "conciseness": "B>"}}))
    .unwrap();
    let v = s.submit(req).unwrap();
    // Shown: m = -0.85, so A> as shown (see Rubric::overall); canonical after un-flipping.
    assert_eq!(v.annotation.label, Label::ABetter.unflip(item.swapped));
    assert_eq!(
        v.annotation.dimensions.get("helpfulness").copied().unwrap(),
        Label::AMuchBetter.unflip(item.swapped)
    );
    let req = SubmitRequest::from_value(
        &json!({"id": "b", "item": item.id, "annotator": "w", "time_seconds": 9}),
    )
    .unwrap();
    assert_eq!(
        s.submit(req).unwrap_err().to_string(),
        "missing required field \"choice\""
    );
}

#[test]
fn record_takes_canonical_annotations_and_record_assigning_opens_items_on_demand() {
    let t = task(20, 3, json!({"batch_size": 5}));
    let mut s = Session::new(t, Some(1)).unwrap();
    let mut a = Annotation::new("e3", "w", Label::BBetter);
    a.id = Some("r1".into());
    a.swapped = true;
    let e = s.record(a.clone()).unwrap_err().to_string();
    assert!(e.contains("has no open batch"), "{e}");
    let v = s.record_assigning(a.clone()).unwrap();
    assert_eq!(
        v.annotation.label,
        Label::BBetter,
        "the label is trusted as canonical"
    );
    assert_eq!((v.progress.done, v.progress.total), (1, 1));
    assert_eq!(s.times_handed_out("e3"), Some(1));
    assert!(s.record_assigning(a.clone()).unwrap().duplicate);
    a.label = Label::Tie;
    assert!(s.record_assigning(a).is_err());
    let e = s
        .record_assigning(Annotation::new("zz", "w", Label::Tie))
        .unwrap_err()
        .to_string();
    assert!(e.contains("item \"zz\" is not in the task"), "{e}");
    // A batch's item through record (canonical, trusted swapped).
    let b = s.next_batch("w2", 0.0).unwrap();
    let v = s
        .record(Annotation::new(b.items[0].id.clone(), "w2", Label::ABetter))
        .unwrap();
    assert_eq!(v.progress.total as usize, b.items.len());
}

#[test]
fn a_page_session_adopts_a_server_batch_and_unflips_with_its_order() {
    let full = task(30, 10, json!({"batch_size": 10, "seed": 4}));
    let mut server = Session::new(full.clone(), None).unwrap();
    let public = serde_json::to_value(full.public()).unwrap();
    let mut page = Session::new(Task::from_value(&public).unwrap(), Some(0)).unwrap();
    let batch = server.next_batch("w", 0.0).unwrap();
    page.adopt_batch(batch.clone()).unwrap();
    for (k, item) in batch.items.iter().enumerate() {
        let req = request(&format!("a{k}"), "w", &item.id, Label::ABetter, 9.0);
        let at_page = page.submit(req.clone()).unwrap();
        let at_server = server.submit(req).unwrap();
        assert_eq!(at_page.annotation, at_server.annotation);
        assert!(at_page.gold.is_none() && at_page.flag.is_none());
    }
    let e = page.adopt_batch(batch.clone()).unwrap_err().to_string();
    assert!(e.contains("has answered it"), "{e}");
    // The batch JSON reads back as the same batch; wrong fields are named.
    let text = serde_json::to_string(&batch).unwrap();
    assert_eq!(Batch::from_json(&text).unwrap(), batch);
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["items"][1]["swapped"] = json!("yes");
    let e = Batch::from_value(&v).unwrap_err().to_string();
    assert_eq!(
        e,
        "field \"items[1].swapped\": expected true or false, got \"yes\""
    );
}

#[test]
fn simulated_annotators_work_through_batches_without_errors() {
    let t = task(400, 40, json!({"batch_size": 20}));
    let mut s = Session::new(t, Some(9)).unwrap();
    let v = work(&mut s, "acc", Kind::Accurate, 5, 1);
    assert_eq!(v.len(), 100);
    assert!(v
        .iter()
        .all(|v| v.status == Status::Accepted && !v.too_fast));
    let v = work(&mut s, "fast", Kind::Fast, 2, 2);
    assert!(v.iter().all(|v| v.too_fast));
}

#[test]
fn the_speed_penalty_in_stats_follows_the_tasks_fast_seconds() {
    // Issue definition: 1 when the average time is fast_seconds or more,
    // else average / fast_seconds.
    for (fast, times, expected) in [
        (5.0, [2.0, 2.0, 2.0, 2.0], 0.4),
        (4.0, [1.0, 3.0, 2.0, 2.0], 0.5),
        (5.0, [5.0, 5.0, 6.0, 4.0], 1.0),
        (5.0, [0.0, 0.0, 0.0, 0.0], 0.0),
    ] {
        let t = task(20, 0, json!({"batch_size": 4, "fast_seconds": fast}));
        let mut s = Session::new(t, Some(1)).unwrap();
        let b = s.next_batch("w", 0.0).unwrap();
        for (k, (item, time)) in b.items.iter().zip(times).enumerate() {
            s.submit(request(&format!("a{k}"), "w", &item.id, Label::Tie, time))
                .unwrap();
        }
        let stats = s.stats();
        let got = stats.report.annotators[0].speed_penalty.unwrap();
        assert!(
            (got - expected).abs() < 1e-12,
            "fast {fast}, times {times:?}: {got}"
        );
    }
}
