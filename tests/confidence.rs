//! Final labels with confidence: the same labels as the report for every
//! method, and confidences as defined in `src/confidence.rs`, worked by hand.

use prefkit::confidence::{final_labels, FinalLabel, Method};
use prefkit::report::{self, ReportConfig};
use prefkit::simulate::{crowd, CrowdConfig};
use prefkit::{Dataset, Label};

fn simulated() -> Dataset {
    let c = crowd(&CrowdConfig {
        items: 400,
        annotators: 25,
        seed: 11,
        ..CrowdConfig::default()
    });
    let mut d = Dataset::parse_jsonl(&c.annotations_jsonl, false).expect("valid");
    d.set_gold(&prefkit::annotation::parse_gold(&c.gold_jsonl).expect("gold"));
    d
}

#[test]
fn the_labels_are_the_reports_labels_for_every_method_and_threshold() {
    let d = simulated();
    for min_reliability in [0.0, 0.6, 0.8] {
        let config = ReportConfig {
            min_reliability,
            ..ReportConfig::default()
        };
        let r = report::run(&d, &config);
        let maps = [
            (Method::Majority, Some(&r.labels.majority)),
            (Method::Weighted, Some(&r.labels.weighted)),
            (Method::DawidSkene, r.labels.dawid_skene.as_ref()),
        ];
        for (method, map) in maps {
            let map = map.expect("labels");
            let ours = final_labels(&d, &config, method).expect("fits");
            let theirs: Vec<(&str, Label)> = map.iter().collect();
            let ours_pairs: Vec<(&str, Label)> =
                ours.iter().map(|f| (f.item.as_str(), f.label)).collect();
            let mut theirs_sorted = theirs.clone();
            theirs_sorted.sort();
            let mut ours_sorted = ours_pairs.clone();
            ours_sorted.sort();
            assert_eq!(
                ours_sorted, theirs_sorted,
                "{method:?} at {min_reliability}"
            );
            assert!(ours.iter().all(|f| (0.0..=1.0).contains(&f.confidence)));
        }
    }
}

#[test]
fn majority_confidence_is_the_share_of_labels_on_the_winning_side() {
    // x: A>, A>>, A>, B>: the majority is A> (2 votes); A>> is on the same side.
    let text = r#"{"item":"x","annotator":"w1","label":"A>"}
{"item":"x","annotator":"w2","label":"A>>"}
{"item":"x","annotator":"w3","label":"A>"}
{"item":"x","annotator":"w4","label":"B>"}
{"item":"y","annotator":"w1","label":"="}
{"item":"y","annotator":"w2","label":"="}
"#;
    let d = Dataset::parse_jsonl(text, false).expect("valid");
    let config = ReportConfig {
        min_reliability: 0.0,
        ..ReportConfig::default()
    };
    let got = final_labels(&d, &config, Method::Majority).expect("labels");
    assert_eq!(
        got,
        [
            // 3 of the 4 labels on x are on side A.
            FinalLabel {
                item: "x".into(),
                label: Label::ABetter,
                confidence: 0.75
            },
            FinalLabel {
                item: "y".into(),
                label: Label::Tie,
                confidence: 1.0
            },
        ]
    );
}

#[test]
fn dawid_skene_confidence_is_the_posterior_mass_on_the_labels_side() {
    let d = simulated();
    let config = ReportConfig::default();
    let ours = final_labels(&d, &config, Method::DawidSkene).expect("fits");
    // The posterior puts at least as much mass on the chosen side as on the
    // chosen label alone, which is the largest single posterior (> 1/5).
    assert!(ours.iter().all(|f| f.confidence > 0.2));
    assert!(ours.iter().any(|f| f.confidence < 1.0));
}

#[test]
fn an_unknown_method_is_refused_by_name() {
    let e = Method::parse("median").unwrap_err().to_string();
    assert!(e.contains("median") && e.contains("dawid_skene"), "{e}");
}
