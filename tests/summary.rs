//! The dashboard summary: label counts after un-flipping, items below the
//! target overlap (gold left out), labels still needed, recorded time.

use prefkit::summary::{label_order, summarize, ItemCount, SummaryConfig};
use prefkit::Dataset;

fn data() -> Dataset {
    // x: 3 labels, y: 2, z: 1, g (gold): 1. Line 3 is shown swapped: "A>" as
    // seen is "B>" in task order.
    let text = r#"{"id":"1","item":"x","annotator":"w1","label":"A>","time_seconds":10}
{"id":"2","item":"x","annotator":"w2","label":"A>>","time_seconds":20}
{"id":"3","item":"x","annotator":"w3","label":"A>","swapped":true}
{"id":"4","item":"y","annotator":"w1","label":"=","time_seconds":5}
{"id":"5","item":"y","annotator":"w2","label":"B>>","time_seconds":5}
{"id":"6","item":"z","annotator":"w1","label":"B>"}
{"id":"7","item":"g","annotator":"w1","label":"A>","time_seconds":30}
"#;
    let mut d = Dataset::parse_jsonl(text, false).expect("valid");
    d.set_gold(&prefkit::annotation::parse_gold(r#"{"item":"g","label":"A>"}"#).expect("gold"));
    d
}

#[test]
fn label_counts_are_taken_after_un_flipping() {
    let s = summarize(&data(), &SummaryConfig::default());
    assert_eq!(label_order(), ["A>>", "A>", "=", "B>", "B>>"]);
    // A>>: line 2; A>: lines 1, 7; =: line 4; B>: lines 3 (un-flipped), 6; B>>: line 5.
    assert_eq!(s.label_counts, [1, 2, 1, 2, 1]);
}

#[test]
fn items_below_the_overlap_are_counted_fewest_labels_first_and_gold_is_left_out() {
    let s = summarize(&data(), &SummaryConfig::default());
    assert_eq!(s.overlap, 3);
    assert_eq!(s.items, 3);
    assert_eq!(s.items_below_overlap, 2);
    // y needs 1 more label, z needs 2.
    assert_eq!(s.labels_needed, 3);
    assert_eq!(
        s.below_overlap,
        [
            ItemCount {
                item: "z".into(),
                labels: 1
            },
            ItemCount {
                item: "y".into(),
                labels: 2
            }
        ]
    );
}

#[test]
fn the_sample_of_lacking_items_is_capped_but_the_count_is_not() {
    let s = summarize(
        &data(),
        &SummaryConfig {
            overlap: 4,
            sample: 1,
        },
    );
    assert_eq!(s.items_below_overlap, 3);
    assert_eq!(s.labels_needed, 1 + 2 + 3);
    assert_eq!(s.below_overlap.len(), 1);
    assert_eq!(s.below_overlap[0].item, "z");
}

#[test]
fn recorded_time_separates_gold() {
    let s = summarize(&data(), &SummaryConfig::default());
    assert_eq!(s.time.annotations, 7);
    assert_eq!(s.time.timed_annotations, 5);
    assert_eq!(s.time.seconds, 70.0);
    assert_eq!(s.time.gold_annotations, 1);
    assert_eq!(s.time.gold_seconds, 30.0);
    assert_eq!(s.time.pairs, 3);
}

#[test]
fn an_empty_dataset_summarizes_to_zeros() {
    let s = summarize(&Dataset::new(), &SummaryConfig::default());
    assert_eq!(s.label_counts, [0; 5]);
    assert_eq!(s.items, 0);
    assert!(s.below_overlap.is_empty());
}

#[test]
fn the_config_refuses_unknown_fields_and_defaults_the_rest() {
    let c: SummaryConfig = serde_json::from_str(r#"{"overlap": 5}"#).expect("valid");
    assert_eq!(
        c,
        SummaryConfig {
            overlap: 5,
            sample: 50
        }
    );
    assert!(serde_json::from_str::<SummaryConfig>(r#"{"overlapp": 5}"#).is_err());
}
