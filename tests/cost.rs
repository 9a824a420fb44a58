//! The cost model: table totals, measured cost from recorded times, and the
//! projection to a target. Expected values are worked out by hand in the
//! comments beside them.

use prefkit::cost::{cost_table, ApproachInputs, CostRequest, MeasuredTime};
use prefkit::Dataset;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// The table at `hourly_rate`, 30 s a label and 10% gold.
fn thirty_seconds_a_label(hourly_rate: f64) -> prefkit::cost::CostResponse {
    cost_table(&CostRequest {
        hourly_rate,
        inputs: ApproachInputs {
            seconds_per_label: Some(30.0),
            gold_share: Some(0.1),
            ..ApproachInputs::default()
        },
        ..CostRequest::default()
    })
}

#[test]
fn the_approaches_are_priced_from_the_users_numbers() {
    // 30 s a label at $18/h is $0.15 a label; with 10% gold $0.1666..., so
    // people only at overlap 3: $0.50 a pair. The judge: 2 calls x $0.01 =
    // $0.02; hybrid $0.02 + 0.3 x $0.50 = $0.17; AI only $0.02 + 0.05 x
    // $0.1666... = $0.028333...
    let r = thirty_seconds_a_label(18.0);
    let names: Vec<&str> = r.table.iter().map(|t| t.approach.name.as_str()).collect();
    assert_eq!(names, ["human_only", "hybrid", "ai_only"]);
    assert!(close(r.table[0].approach.cost_per_pair, 0.5));
    assert!(close(r.table[1].approach.cost_per_pair, 0.17));
    assert!(close(r.table[2].approach.cost_per_pair, 0.02 + 0.05 / 6.0));
    // 100,000 pairs x $0.50.
    assert!(close(r.table[0].totals[2].cost, 50_000.0));
    // Doubling the hourly rate doubles the people's part.
    let dearer = thirty_seconds_a_label(36.0);
    assert!(close(dearer.table[0].approach.cost_per_pair, 1.0));
}

#[test]
fn unmeasured_kappas_are_labelled_assumptions_and_measured_ones_are_used() {
    let assumed = cost_table(&CostRequest {
        inputs: ApproachInputs {
            seconds_per_label: Some(20.0),
            ..ApproachInputs::default()
        },
        ..CostRequest::default()
    });
    for row in &assumed.table {
        assert!(!row.approach.kappa_measured);
        assert!(row.approach.kappa_source.contains("assumption"), "{row:?}");
    }
    let measured = cost_table(&CostRequest {
        inputs: ApproachInputs {
            seconds_per_label: Some(20.0),
            human_agreement: Some(0.8),
            judge_agreement: Some(0.4),
            human_review_rate: 0.25,
            ..ApproachInputs::default()
        },
        ..CostRequest::default()
    });
    let k: Vec<f64> = measured
        .table
        .iter()
        .map(|t| t.approach.expected_kappa)
        .collect();
    // Hybrid: 0.25 x 0.8 + 0.75 x 0.4 = 0.5.
    assert!(close(k[0], 0.8) && close(k[1], 0.5) && close(k[2], 0.4));
    assert!(measured.table.iter().all(|t| t.approach.kappa_measured));
}

#[test]
fn without_a_time_per_label_the_table_says_what_to_give() {
    let r = cost_table(&CostRequest::default());
    assert!(r.table.is_empty());
    assert!(r.table_reason.unwrap().contains("seconds per label"));
    // The published figures are there as a labelled reference: 10K pairs at
    // $2.00 is $20K (kappa 0.72); 1M at $0.25 is $250K (0.62).
    assert_eq!(r.reference[0].cost, 20_000.0);
    assert_eq!(r.reference[0].expected_kappa, Some(0.72));
    assert_eq!(r.reference[3].cost, 250_000.0);
    assert!(r.reference_source.contains("not computed"));
}

#[test]
fn the_seconds_per_label_are_measured_from_the_collection_by_default() {
    let r = cost_table(&CostRequest {
        measured: Some(sample()),
        ..CostRequest::default()
    });
    let used = r.used.expect("priced");
    assert_eq!(used.seconds_source, "measured");
    assert!(close(
        used.seconds_per_label,
        r.measured.expect("measured").seconds_per_annotation
    ));
}

#[test]
fn without_annotations_the_measured_cost_and_projection_are_null_with_reasons() {
    let r = cost_table(&CostRequest {
        target_pairs: Some(1000),
        ..CostRequest::default()
    });
    assert!(r.measured.is_none());
    assert_eq!(r.measured_reason.as_deref(), Some("no annotations loaded"));
    assert!(r.projection.is_none());
    assert!(r.projection_reason.is_some());
}

fn sample() -> MeasuredTime {
    // 10 annotations on 4 regular pairs (plus gold), 8 timed for 240 s in all,
    // of which 2 gold annotations took 60 s; 1 untimed gold, 1 untimed regular.
    MeasuredTime {
        annotations: 10,
        gold_annotations: 3,
        seconds: 240.0,
        gold_seconds: 60.0,
        timed_annotations: 8,
        timed_gold_annotations: 2,
        pairs: 4,
    }
}

#[test]
fn the_measured_cost_charges_untimed_annotations_at_the_mean_time() {
    let r = cost_table(&CostRequest {
        hourly_rate: 36.0,
        measured: Some(sample()),
        ..CostRequest::default()
    });
    let m = r.measured.expect("measured cost");
    // mean = 240 / 8 = 30 s; total = 240 + 2 x 30 = 300 s; at $36/h = $0.01/s -> $3.00.
    assert!(close(m.seconds_per_annotation, 30.0));
    assert!(close(m.total_cost, 3.0));
    // 4 pairs: $0.75 a pair, 75 s a pair.
    assert_eq!(m.cost_per_pair.map(|c| (c * 1e9).round() / 1e9), Some(0.75));
    assert_eq!(m.seconds_per_pair, Some(75.0));
    // gold: 60 s + 1 untimed x 30 s = 90 s = $0.90, share 90 / 300 = 0.3.
    assert!(close(m.gold_cost, 0.9));
    assert!(close(m.gold_share, 0.3));
}

#[test]
fn the_projection_gives_cost_and_calendar_days_for_the_remaining_pairs() {
    let r = cost_table(&CostRequest {
        hourly_rate: 36.0,
        measured: Some(sample()),
        target_pairs: Some(1_004),
        annotators: 5,
        hours_per_day: 4.0,
        ..CostRequest::default()
    });
    let p = r.projection.expect("projection");
    // 1,000 pairs left x $0.75 = $750; x 75 s = 75,000 s = 20.8333 h;
    // 5 annotators x 4 h a day = 20 h a day -> 1.041666 days.
    assert_eq!(p.remaining_pairs, 1_000);
    assert!(close(p.cost, 750.0));
    assert!(close(p.annotation_hours, 75_000.0 / 3600.0));
    assert!(close(p.days, 75_000.0 / 3600.0 / 20.0));
}

#[test]
fn a_reached_target_projects_nothing_left_to_do() {
    let r = cost_table(&CostRequest {
        measured: Some(sample()),
        target_pairs: Some(3),
        ..CostRequest::default()
    });
    let p = r.projection.expect("projection");
    assert_eq!(p.remaining_pairs, 0);
    assert_eq!(p.cost, 0.0);
    assert_eq!(p.days, 0.0);
}

#[test]
fn bad_rates_and_team_sizes_give_reasons_not_nan() {
    let r = cost_table(&CostRequest {
        hourly_rate: f64::NAN,
        measured: Some(sample()),
        ..CostRequest::default()
    });
    assert!(r.measured.is_none());
    assert!(r.measured_reason.unwrap().contains("hourly rate"));
    let r = cost_table(&CostRequest {
        measured: Some(sample()),
        target_pairs: Some(100),
        annotators: 0,
        ..CostRequest::default()
    });
    assert!(r.projection_reason.unwrap().contains("annotators"));
}

#[test]
fn annotations_without_any_time_leave_the_measured_cost_undefined() {
    let r = cost_table(&CostRequest {
        measured: Some(MeasuredTime {
            annotations: 5,
            pairs: 2,
            ..MeasuredTime::default()
        }),
        ..CostRequest::default()
    });
    assert!(r.measured_reason.unwrap().contains("time_seconds"));
}

#[test]
fn measured_time_from_a_dataset_separates_gold_and_counts_labelled_pairs() {
    let text = r#"{"id":"1","item":"x","annotator":"w1","label":"A>","time_seconds":10}
{"id":"2","item":"x","annotator":"w2","label":"A>","time_seconds":20}
{"id":"3","item":"y","annotator":"w1","label":"=","time_seconds":30}
{"id":"4","item":"g","annotator":"w1","label":"B>","time_seconds":40}
{"id":"5","item":"g","annotator":"w2","label":"B>"}
"#;
    let mut data = Dataset::parse_jsonl(text, false).expect("valid");
    let gold = prefkit::annotation::parse_gold(r#"{"item":"g","label":"B>"}"#).expect("gold");
    data.set_gold(&gold);
    let m = MeasuredTime::from_dataset(&data);
    assert_eq!(
        m,
        MeasuredTime {
            annotations: 5,
            gold_annotations: 2,
            seconds: 100.0,
            gold_seconds: 40.0,
            timed_annotations: 4,
            timed_gold_annotations: 1,
            pairs: 2,
        }
    );
}

#[test]
fn a_request_with_no_fields_takes_every_default() {
    let request: CostRequest = serde_json::from_str("{}").expect("defaults");
    assert_eq!(request, CostRequest::default());
    let json = serde_json::to_value(cost_table(&request)).expect("serializes");
    assert!(json["table_reason"].is_string());
    assert!(json["reference"][0]["cost"].is_number());
    assert!(json["measured"].is_null());
}
