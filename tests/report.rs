//! The report: live equals batch, shards merge, A/B flips with `swapped`
//! change nothing, configs are read strictly.

mod support;

use prefkit::annotation::{Annotation, Gold};
use prefkit::report::{self, LiveReport, Report, ReportConfig};
use prefkit::FromJson;
use prefkit::{Dataset, Label};
use proptest::prelude::*;
use support::assert_has_keys;

fn gold() -> Vec<Gold> {
    vec![
        Gold {
            item: "i0".into(),
            label: Label::ABetter,
            explanation: None,
        },
        Gold {
            item: "i1".into(),
            label: Label::BMuchBetter,
            explanation: None,
        },
    ]
}

prop_compose! {
    /// Random annotations over 8 items (two of them gold) and 5 annotators,
    /// one label per annotator and item, integer times.
    fn stream()(raw in prop::collection::vec(
        (0u8..8, 0u8..5, 0usize..5, any::<bool>(), prop::option::of(0u8..12)), 1..80,
    )) -> Vec<Annotation> {
        let mut seen = std::collections::HashSet::new();
        raw.into_iter()
            .filter(|&(i, w, ..)| seen.insert((i, w)))
            .map(|(i, w, l, s, t)| Annotation {
                swapped: s,
                time_seconds: t.map(f64::from),
                ..Annotation::new(format!("i{i}"), format!("w{w}"), Label::ALL[l])
            })
            .collect()
    }
}

/// The batch report with Dawid-Skene blanked, as the live one has it.
fn batch_without_ds(s: &[Annotation], config: &ReportConfig) -> Report {
    let mut r = report::run(&Dataset::from_annotations(s, &gold()), config);
    r.labels.dawid_skene = None;
    r.dawid_skene = None;
    r.undefined.insert(
        "dawid_skene".into(),
        "not computed in the live report; run the full report".into(),
    );
    r
}

fn config() -> ReportConfig {
    ReportConfig {
        min_reliability: 0.55,
        agreement: prefkit::agreement::AgreementConfig {
            min_shared: 1,
            ci: None,
        },
        ..ReportConfig::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_live_report_equals_the_batch_report_without_dawid_skene(s in stream()) {
        let mut live = LiveReport::new(config(), &gold()).unwrap();
        for a in &s {
            live.add(a).unwrap();
        }
        prop_assert_eq!(live.snapshot(), batch_without_ds(&s, &config()));
    }

    #[test]
    fn merged_live_shards_equal_the_report_of_their_union(s in stream(), cut in 0usize..80) {
        let cut = cut.min(s.len());
        let mut a = LiveReport::new(config(), &gold()).unwrap();
        let mut b = LiveReport::new(config(), &gold()).unwrap();
        for x in &s[..cut] { a.add(x).unwrap(); }
        for x in &s[cut..] { b.add(x).unwrap(); }
        a.merge(&b).unwrap();
        prop_assert_eq!(a.snapshot(), batch_without_ds(&s, &config()));
    }

    #[test]
    fn flipping_the_shown_label_together_with_swapped_changes_no_final_figure(s in stream()) {
        let line = |a: &Annotation, swapped: bool| {
            let mut v = serde_json::json!({
                "item": a.item, "annotator": a.annotator,
                "label": a.label.unflip(swapped).as_str(), "swapped": swapped,
            });
            if let Some(t) = a.time_seconds { v["time_seconds"] = t.into(); }
            v.to_string() + "\n"
        };
        let text: String = s.iter().map(|a| line(a, a.swapped)).collect();
        let flipped: String = s.iter().map(|a| line(a, !a.swapped)).collect();
        let run = |t: &str| {
            let mut d = Dataset::parse_jsonl(t, false).unwrap();
            d.set_gold(&gold());
            report::run(&d, &config())
        };
        let (r1, r2) = (run(&text), run(&flipped));
        prop_assert_eq!(&r1.labels, &r2.labels);
        prop_assert_eq!(&r1.agreement, &r2.agreement);
        prop_assert_eq!(&r1.filtered, &r2.filtered);
        prop_assert_eq!(&r1.dawid_skene, &r2.dawid_skene);
        for (x, y) in r1.annotators.iter().zip(&r2.annotators) {
            prop_assert_eq!(x.composite, y.composite);
            prop_assert_eq!(x.position_bias.left, y.position_bias.decided - y.position_bias.left);
        }
    }
}

#[test]
fn an_empty_config_is_the_default_and_nested_unknown_fields_are_named() {
    assert_eq!(
        ReportConfig::from_json("{}").unwrap(),
        ReportConfig::default()
    );
    let e = ReportConfig::from_json(r#"{"aggregation": {"dawid_skene": {"max_iter": 3}}}"#)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "field \"aggregation.dawid_skene.max_iter\": unknown key; \
         expected one of max_iterations, tolerance, eps, hold_gold"
    );
    let e = ReportConfig::from_json(r#"{"reliability": {"weight_gold": -1}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("reliability.weight_gold"), "{e}");
    let c = ReportConfig::from_json(r#"{"aggregation": {"dawid_skene": {"max_iterations": 7}}}"#)
        .unwrap();
    assert_eq!(c.aggregation.dawid_skene.max_iterations, 7);
    assert_eq!(c.aggregation.dawid_skene.tolerance, 1e-5);
}

#[test]
fn a_config_written_as_json_reads_back_the_same() {
    let mut c = ReportConfig::default();
    c.reliability.flag_min_gold = 4;
    c.reliability.flag_gold_accuracy_below = 0.8;
    c.reliability.speed_threshold_seconds = 12.5;
    c.allow_repeats = true;
    for c in [ReportConfig::default(), c] {
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(ReportConfig::from_json(&text).unwrap(), c, "{text}");
    }
}

#[test]
fn the_report_serializes_to_the_documented_shape() {
    let s = vec![
        Annotation::new("i0", "w0", Label::ABetter),
        Annotation::new("i0", "w1", Label::ABetter),
        Annotation::new("x", "w0", Label::Tie),
    ];
    let d = Dataset::from_annotations(&s, &gold());
    let v = serde_json::to_value(report::run(&d, &ReportConfig::default())).unwrap();
    assert_has_keys(
        &v,
        "",
        &[
            "counts",
            "agreement",
            "annotators",
            "filtered",
            "labels",
            "dawid_skene",
            "undefined",
        ],
    );
    assert_has_keys(
        &v["counts"],
        "counts",
        &["annotations", "items", "annotators", "skipped"],
    );
    assert_has_keys(
        &v["labels"],
        "labels",
        &["majority", "weighted", "dawid_skene"],
    );
    assert_has_keys(
        &v["dawid_skene"],
        "dawid_skene",
        &[
            "iterations",
            "log_likelihood",
            "loss_history",
            "priors",
            "converged",
            "confusion",
        ],
    );
    let a = &v["annotators"][0];
    assert_has_keys(
        a,
        "annotators[0]",
        &[
            "id",
            "total",
            "gold_total",
            "gold_accuracy",
            "majority_agreement",
            "avg_time_seconds",
            "speed_penalty",
            "composite",
            "flagged",
        ],
    );
    // No time given anywhere: null, with the reason.
    assert!(a["avg_time_seconds"].is_null());
    assert!(a["reasons"].to_string().contains("time_seconds"));
    assert_eq!(v["dawid_skene"]["priors"].as_object().unwrap().len(), 5);
}

#[test]
fn the_live_report_refuses_a_second_label_and_stays_consistent() {
    let mut live = LiveReport::new(ReportConfig::default(), &[]).unwrap();
    live.add(&Annotation::new("x", "w", Label::Tie)).unwrap();
    assert!(live
        .add(&Annotation::new("x", "w", Label::ABetter))
        .is_err());
    assert_eq!(live.len(), 1);
    let mut other = LiveReport::new(ReportConfig::default(), &gold()).unwrap();
    other.add(&Annotation::new("y", "w", Label::Tie)).unwrap();
    assert!(live.merge(&other).unwrap_err().to_string().contains("gold"));
    assert_eq!(live.snapshot().counts.annotations, 1);
}
