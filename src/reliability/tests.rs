//! Reliability figures on a hand-made fixture, and the live state against
//! the batch computation.

use super::*;
use crate::annotation::{Annotation, Gold};
use crate::json::FromJson;
use crate::label::Label::{self, *};
use proptest::prelude::*;

fn ann(item: &str, who: &str, label: Label, swapped: bool, time: Option<f64>) -> Annotation {
    Annotation {
        swapped,
        time_seconds: time,
        ..Annotation::new(item, who, label)
    }
}

fn gold() -> Vec<Gold> {
    [
        ("g1", AMuchBetter),
        ("g2", ABetter),
        ("g3", Tie),
        ("g4", BBetter),
        ("g5", BMuchBetter),
        ("g6", ABetter),
    ]
    .iter()
    .map(|&(item, label)| Gold {
        item: item.into(),
        label,
        explanation: None,
    })
    .collect()
}

/// The fixture: w1 is careful (5 of 6 gold right by side, 10 s each), w2
/// is fast and wrong on gold (0 of 6, 2 s each), w3 has no gold and no time.
fn fixture() -> Vec<Annotation> {
    let t1 = Some(10.0);
    let t2 = Some(2.0);
    vec![
        ann("g1", "w1", ABetter, true, t1),
        ann("g2", "w1", ABetter, true, t1),
        ann("g3", "w1", Tie, false, t1),
        ann("g4", "w1", BMuchBetter, false, t1),
        ann("g5", "w1", BMuchBetter, false, t1),
        ann("g6", "w1", BBetter, false, t1),
        ann("x1", "w1", ABetter, false, t1),
        ann("x2", "w1", Tie, false, t1),
        ann("g1", "w2", BBetter, false, t2),
        ann("g2", "w2", BBetter, false, t2),
        ann("g3", "w2", ABetter, false, t2),
        ann("g4", "w2", ABetter, false, t2),
        ann("g5", "w2", Tie, false, t2),
        ann("g6", "w2", BBetter, false, t2),
        ann("x1", "w2", BBetter, false, t2),
        ann("x1", "w3", ABetter, false, None),
        ann("x2", "w3", Tie, false, None),
    ]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn the_hand_made_fixture_gives_the_hand_computed_figures() {
    let d = Dataset::from_annotations(&fixture(), &gold());
    let s = compute(&d, &ReliabilityConfig::default());
    let (w1, w2, w3) = (&s[0], &s[1], &s[2]);
    // Gold, by side: w1 gets g1 (A> vs A>>), g2, g3, g4 (B>> vs B>), g5
    // right and g6 (B> vs A>) wrong: 5/6. w2 gets none right.
    assert_eq!((w1.gold_total, w1.gold_correct), (6, 5));
    assert!(close(w1.gold_accuracy.unwrap(), 5.0 / 6.0));
    assert_eq!((w2.gold_total, w2.gold_correct), (6, 0));
    assert_eq!(w3.gold_accuracy, None);
    // Majorities: g1 A>/B> -> "=", g2 A>/B> -> "=", g3 =/A> -> "=",
    // g4 B>>/A> -> A> (nearer to "="), g5 B>>/= -> "=", g6 B>/B> -> B>,
    // x1 A>/B>/A> -> A>, x2 =/= -> "=".
    // w1 agrees on g3, g6, x1, x2: 4 of 8. w2 on g4, g5, g6: 3 of 7.
    // w3 on x1, x2: 2 of 2.
    assert_eq!(w1.majority_total, 8);
    assert!(close(w1.majority_agreement.unwrap(), 0.5));
    assert_eq!(w2.majority_total, 7);
    assert!(close(w2.majority_agreement.unwrap(), 3.0 / 7.0));
    assert!(close(w3.majority_agreement.unwrap(), 1.0));
    // Speed: 10 s -> 1; 2 s -> 2/5; none -> undefined (0.5 in composite).
    assert_eq!(w1.speed_penalty, Some(1.0));
    assert!(close(w2.speed_penalty.unwrap(), 0.4));
    assert_eq!(w3.avg_time_seconds, None);
    // Composite = 0.4 gold + 0.3 majority + 0.3 speed.
    assert!(close(w1.composite, 0.4 * 5.0 / 6.0 + 0.3 * 0.5 + 0.3 * 1.0));
    assert!(close(w2.composite, 0.3 * 3.0 / 7.0 + 0.3 * 0.4));
    assert!(close(w3.composite, 0.4 * 0.5 + 0.3 * 1.0 + 0.3 * 0.5));
    // Flag: 6 gold answers, accuracy 0 < 0.6.
    assert!(!w1.flagged && w2.flagged && !w3.flagged);
    // No gold, no time, and no item labelled twice.
    assert_eq!(w3.reasons.len(), 3, "{:?}", w3.reasons);
    assert_eq!(w3.self_consistency, None);
}

#[test]
fn an_average_time_that_is_not_finite_is_undefined_with_a_reason() {
    // The reader refuses such a time; a dataset built by hand can hold one.
    let d = Dataset::from_annotations(&[ann("x", "w", ABetter, false, Some(1.7e308))], &[]);
    let s = compute(&d, &ReliabilityConfig::default());
    assert_eq!(s[0].avg_time_seconds, None);
    assert!(s[0]
        .reasons
        .iter()
        .any(|r| r.starts_with("avg_time_seconds: a time_seconds is not a finite")));
}

#[test]
fn position_bias_and_straight_lining_look_at_labels_as_shown() {
    let d = Dataset::from_annotations(&fixture(), &gold());
    let s = compute(&d, &ReliabilityConfig::default());
    // w1 saw g1 and g2 swapped, so clicked B>, B>, =, B>>, B>>, B>, A>, =:
    // 1 of 6 decided choices on the left; p = 2 (1 + 6) / 2^6 = 0.21875.
    let b = &s[0].position_bias;
    assert_eq!((b.left, b.decided), (1, 6));
    assert!(close(b.p_value.unwrap(), 0.21875));
    let l = &s[0].straight_lining;
    assert_eq!(l.longest_run, 2);
    assert_eq!(l.top_label, Some(BBetter));
    assert!(close(l.top_share.unwrap(), 3.0 / 8.0));
    // w2 clicked B>, B>, A>, A>, =, B>, B>: runs of 2; B> 4 of 7.
    let l = &s[1].straight_lining;
    assert_eq!(l.longest_run, 2);
    assert!(close(l.top_share.unwrap(), 4.0 / 7.0));
}

#[test]
fn exact_gold_matching_and_leave_one_out_majorities_are_options() {
    let d = Dataset::from_annotations(&fixture(), &gold());
    let config = ReliabilityConfig {
        gold_match: Match::Exact,
        majority_leave_one_out: true,
        ..ReliabilityConfig::default()
    };
    let s = compute(&d, &config);
    // Exact: w1 right on g2, g3, g5 only.
    assert_eq!(s[0].gold_correct, 3);
    // Leave one out: w3's x1 (A>) against w1 A>, w2 B> -> "=" (no);
    // x2 (=) against w1 "=" (yes): 1 of 2.
    assert!(close(s[2].majority_agreement.unwrap(), 0.5));
}

#[test]
fn configs_refuse_unknown_fields_and_bad_values_by_name() {
    use crate::report::ReportConfig;
    let e = ReportConfig::from_json(r#"{"reliability": {"weight_gld": 0.5}}"#).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "field \"reliability.weight_gld\": unknown key; expected one of gold_match, "
        ),
        "{e}"
    );
    let e = ReportConfig::from_json(r#"{"reliability": {"gold_match": "exakt"}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "field \"reliability.gold_match\": expected \"directional\" or \"exact\", got \"exakt\""
    );
    let e = ReportConfig::from_json(r#"{"reliability": {"flag_min_gold": 1.5}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "field \"reliability.flag_min_gold\": expected a non-negative integer, got 1.5"
    );
    let e = ReportConfig::from_json(r#"{"reliability": {"weight_speed": -0.5}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "field \"reliability.weight_speed\": must be a finite number, not negative; got -0.5"
    );
    let c = ReportConfig::from_json(r#"{"reliability": {"gold_match": "exact"}}"#)
        .unwrap()
        .reliability;
    assert_eq!(c.gold_match, Match::Exact);
    assert_eq!(c.weight_gold, 0.4);
    let bad = ReliabilityConfig {
        speed_threshold_seconds: 0.0,
        ..ReliabilityConfig::default()
    };
    assert!(bad
        .check()
        .unwrap_err()
        .to_string()
        .contains("speed_threshold_seconds"));
}

#[test]
fn live_refuses_a_second_label_from_the_same_annotator_on_an_item() {
    let mut live = Live::new(&[]);
    live.add(&Annotation::new("x", "w", Tie)).unwrap();
    let e = live.add(&Annotation::new("x", "w", ABetter)).unwrap_err();
    assert!(e.to_string().contains("already labelled"), "{e}");
    assert_eq!(live.dataset().rows.len(), 1);
}

prop_compose! {
    /// A random stream over 7 items (0 and 1 gold) and 4 annotators, with
    /// integer times so float sums do not depend on grouping.
    fn stream()(raw in prop::collection::vec(
        (0u8..7, 0u8..4, 0usize..5, any::<bool>(), prop::option::of(0u8..12)), 0..60,
    )) -> Vec<Annotation> {
        let mut seen = std::collections::HashSet::new();
        raw.into_iter()
            .filter(|&(i, w, ..)| seen.insert((i, w)))
            .map(|(i, w, l, s, t)| ann(
                &format!("i{i}"), &format!("w{w}"),
                Label::from_index(l).unwrap_or(Tie), s, t.map(f64::from),
            ))
            .collect()
    }
}

fn stream_gold() -> Vec<Gold> {
    vec![
        Gold {
            item: "i0".into(),
            label: ABetter,
            explanation: None,
        },
        Gold {
            item: "i1".into(),
            label: Tie,
            explanation: None,
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_live_state_equals_the_batch_computation(s in stream()) {
        let config = ReliabilityConfig::default();
        let mut live = Live::new(&stream_gold());
        for a in &s {
            live.add(a).unwrap();
        }
        let batch = compute(&Dataset::from_annotations(&s, &stream_gold()), &config);
        prop_assert_eq!(live.snapshot(&config), batch);
    }

    #[test]
    fn merging_two_shards_equals_the_state_of_their_union(s in stream(), cut in 0usize..60) {
        let config = ReliabilityConfig::default();
        let cut = cut.min(s.len());
        let (mut a, mut b) = (Live::new(&stream_gold()), Live::new(&stream_gold()));
        for x in &s[..cut] { a.add(x).unwrap(); }
        for x in &s[cut..] { b.add(x).unwrap(); }
        a.merge(&b).unwrap();
        let batch = compute(&Dataset::from_annotations(&s, &stream_gold()), &config);
        prop_assert_eq!(a.snapshot(&config), batch);
    }

    #[test]
    fn flipping_labels_together_with_swapped_changes_nothing(s in stream()) {
        // A record read with swapped = true is un-flipped, so flipping the
        // shown label and the swapped flag gives the same canonical record.
        let config = ReliabilityConfig::default();
        let text: String = s.iter().map(|a| {
            let mut v = serde_json::json!({
                "item": a.item, "annotator": a.annotator,
                "label": a.label.unflip(a.swapped).as_str(), "swapped": a.swapped,
            });
            if let Some(t) = a.time_seconds { v["time_seconds"] = t.into(); }
            v.to_string() + "\n"
        }).collect();
        let flipped: String = s.iter().map(|a| {
            let mut v = serde_json::json!({
                "item": a.item, "annotator": a.annotator,
                "label": a.label.unflip(!a.swapped).as_str(), "swapped": !a.swapped,
            });
            if let Some(t) = a.time_seconds { v["time_seconds"] = t.into(); }
            v.to_string() + "\n"
        }).collect();
        prop_assume!(!s.is_empty());
        let mut d1 = Dataset::parse_jsonl(&text, false).unwrap();
        let mut d2 = Dataset::parse_jsonl(&flipped, false).unwrap();
        d1.set_gold(&stream_gold());
        d2.set_gold(&stream_gold());
        let (r1, r2) = (compute(&d1, &config), compute(&d2, &config));
        for (x, y) in r1.iter().zip(&r2) {
            prop_assert_eq!(x.gold_correct, y.gold_correct);
            prop_assert_eq!(x.majority_agreement, y.majority_agreement);
            prop_assert_eq!(x.composite, y.composite);
            // What was on the left is now on the right.
            let (b1, b2) = (&x.position_bias, &y.position_bias);
            prop_assert_eq!(b1.decided, b2.decided);
            prop_assert_eq!(b1.left, b2.decided - b2.left);
        }
    }
}
