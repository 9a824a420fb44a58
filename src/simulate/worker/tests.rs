//! Unit tests of a simulated annotator's answers, times and walk-aways.

use super::*;
use crate::json::FromJson;

#[test]
fn a_crowd_reads_with_defaults_and_names_a_wrong_field() {
    let c = CrowdSpec::from_json(
        r#"{"seed": 3, "annotators": [{"id_prefix": "a", "count": 2}, {"accuracy": 0.4}]}"#,
    )
    .unwrap();
    let names: Vec<String> = c.workers().into_iter().map(|w| w.name).collect();
    assert_eq!(names, ["a-1", "a-2", "sim-1"]);
    assert_eq!(c.annotators[1].accuracy, 0.4);
    let e = CrowdSpec::from_json(r#"{"annotators": [{}, {"accuracy": 1.5}]}"#).unwrap_err();
    assert!(e.to_string().contains("annotators[1].accuracy"), "{e}");
    let e = CrowdSpec::from_json(r#"{"annotators": [{"seconds": {"mean": -1}}]}"#).unwrap_err();
    assert!(e.to_string().contains("annotators[0].seconds.mean"), "{e}");
    assert!(CrowdSpec::from_json(r#"{"annotators": []}"#).is_err());
}

#[test]
fn the_same_seed_gives_the_same_acts() {
    let c =
        CrowdSpec::from_json(r#"{"seed": 9, "annotators": [{"count": 3, "skip": 0.2}]}"#).unwrap();
    let run = || {
        c.workers()
            .into_iter()
            .flat_map(|mut w| {
                (0..50)
                    .map(|i| w.act(&format!("e{i}"), i % 2 == 0, None))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn a_left_biased_annotator_answers_left_whatever_the_side() {
    let c = CrowdSpec::from_json(r#"{"annotators": [{"left_bias": 1.0}]}"#).unwrap();
    let mut w = c.workers().remove(0);
    for i in 0..20 {
        let act = w.act(&format!("e{i}"), i % 2 == 0, None);
        assert!(matches!(
            act,
            Act::Answer {
                choice: Label::ABetter,
                ..
            }
        ));
    }
}

#[test]
fn a_perfect_annotator_gives_the_gold_label_as_shown() {
    let c = CrowdSpec::from_json(r#"{"annotators": [{"accuracy": 1.0}]}"#).unwrap();
    let mut w = c.workers().remove(0);
    // Accuracy 1 still blurs strength three times in ten: same side.
    let act = w.act("g1", true, Some(Label::AMuchBetter));
    let Act::Answer { choice, seconds } = act else {
        panic!("answered");
    };
    assert_eq!(choice.unflip(true).side(), Label::AMuchBetter.side());
    assert!(seconds >= 0.5);
}
