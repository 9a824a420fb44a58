//! The report's arithmetic: a small structured dataset (few items and
//! annotators, so they overlap; any label, time, order and timestamp) and
//! any config that passes `ReportConfig::check`, built with overflow checks
//! on. Catches overflow, out-of-bounds indexing, division by zero and NaN
//! in the report, the live report and their merge.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use prefkit::report::{self, LiveReport, ReportConfig};
use prefkit::{Annotation, Dataset, Gold, Label};
use serde_json::json;

#[derive(Arbitrary, Debug)]
struct Row {
    item: u8,
    annotator: u8,
    label: u8,
    swapped: bool,
    time: Option<f64>,
    timestamp: Option<f64>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    rows: Vec<Row>,
    gold: Vec<(u8, u8)>,
    min_reliability: Option<f64>,
    min_shared: Option<u32>,
    exact_gold: bool,
    exact_majority: bool,
    leave_one_out: bool,
    min_labels_for_majority: Option<u32>,
    speed_threshold_seconds: Option<f64>,
    weights: Option<(f64, f64, f64)>,
    undefined_score: Option<f64>,
    flag_min_gold: Option<u32>,
    flag_gold_accuracy_below: Option<f64>,
    max_iterations: u8,
    tolerance: Option<f64>,
    eps: Option<f64>,
    hold_gold: Option<bool>,
    split: u8,
}

fn label(i: u8) -> Label {
    Label::from_index(usize::from(i) % 5).unwrap_or(Label::Tie)
}

fn config(i: &Input) -> Option<ReportConfig> {
    let m = |b| if b { "exact" } else { "directional" };
    let mut rel = json!({"gold_match": m(i.exact_gold), "majority_match": m(i.exact_majority),
                         "majority_leave_one_out": i.leave_one_out});
    let mut ds = json!({"max_iterations": i.max_iterations});
    let mut c = json!({});
    let put = |v: &mut serde_json::Value, k: &str, x: Option<serde_json::Value>| {
        if let Some(x) = x {
            v[k] = x;
        }
    };
    put(
        &mut c,
        "min_reliability",
        i.min_reliability.map(|x| json!(x)),
    );
    put(
        &mut rel,
        "min_labels_for_majority",
        i.min_labels_for_majority.map(|x| json!(x)),
    );
    put(
        &mut rel,
        "speed_threshold_seconds",
        i.speed_threshold_seconds.map(|x| json!(x)),
    );
    if let Some((g, mj, s)) = i.weights {
        rel["weight_gold"] = json!(g);
        rel["weight_majority"] = json!(mj);
        rel["weight_speed"] = json!(s);
    }
    put(
        &mut rel,
        "undefined_score",
        i.undefined_score.map(|x| json!(x)),
    );
    put(&mut rel, "flag_min_gold", i.flag_min_gold.map(|x| json!(x)));
    put(
        &mut rel,
        "flag_gold_accuracy_below",
        i.flag_gold_accuracy_below.map(|x| json!(x)),
    );
    put(&mut ds, "tolerance", i.tolerance.map(|x| json!(x)));
    put(&mut ds, "eps", i.eps.map(|x| json!(x)));
    put(&mut ds, "hold_gold", i.hold_gold.map(|x| json!(x)));
    c["reliability"] = rel;
    c["aggregation"] = json!({"dawid_skene": ds});
    if let Some(n) = i.min_shared {
        c["agreement"] = json!({"min_shared": n});
    }
    // Non-finite numbers become null in JSON and are refused by name.
    ReportConfig::from_value(&c).ok()
}

fuzz_target!(|input: Input| {
    if input.rows.len() > 400 {
        return;
    }
    let Some(config) = config(&input) else {
        return;
    };
    let mut seen = std::collections::HashSet::new();
    let annotations: Vec<Annotation> = input
        .rows
        .iter()
        .filter(|r| seen.insert((r.item % 8, r.annotator % 6)))
        .map(|r| {
            let mut a = Annotation::new(
                format!("i{}", r.item % 8),
                format!("w{}", r.annotator % 6),
                label(r.label),
            );
            a.swapped = r.swapped;
            // The readers refuse negative and non-finite times.
            a.time_seconds = r.time.filter(|t| t.is_finite() && *t >= 0.0);
            a.timestamp = r.timestamp.filter(|t| t.is_finite());
            a
        })
        .collect();
    let mut gold_seen = std::collections::HashSet::new();
    let gold: Vec<Gold> = input
        .gold
        .iter()
        .filter(|(i, _)| gold_seen.insert(i % 10))
        .map(|&(i, l)| Gold {
            item: format!("i{}", i % 10),
            label: label(l),
            explanation: None,
        })
        .collect();
    let d = Dataset::from_annotations(&annotations, &gold);
    let r = report::run(&d, &config);
    prefkit_fuzz::assert_finite("report", &r);

    // The live report, fed in two halves that are then merged.
    let cut = usize::from(input.split) % (annotations.len() + 1);
    let mut left = LiveReport::new(config.clone(), &gold).expect("a checked config");
    let mut right = LiveReport::new(config, &gold).expect("a checked config");
    for a in &annotations[..cut] {
        left.add(a).expect("a valid annotation");
    }
    for a in &annotations[cut..] {
        right.add(a).expect("a valid annotation");
    }
    prefkit_fuzz::assert_finite("left", &left.snapshot());
    if left.merge(&right).is_ok() {
        let snap = left.snapshot();
        prefkit_fuzz::assert_finite("merged", &snap);
        assert_eq!(snap.counts.annotations, annotations.len());
    }
});
