//! A whole seeded crowd through one local session (`prefkit::simulate::run`,
//! what `prefkit simulate` sends to a backend without batches of its own and
//! what the lab module's `simulateCrowd` returns).
//!
//! The fixture `tests/fixtures/simulated_crowd.jsonl` holds the records of
//! the crowd `simulated_crowd.json` on the task `simulated_task.json` from
//! [`START`], as the native build made them; `tests/wasm.rs` checks
//! `simulateCrowd` in WebAssembly against the same file, and
//! `tests/cli_simulate.rs` the command line's `--out`. Regenerate it only
//! for a deliberate change of the crowd model or the session:
//! `PREFKIT_BLESS=1 cargo test --test simulate_crowd` (as for the pinned
//! reports of `tests/published_reports.rs`).

use prefkit::report::{run as report, ReportConfig};
use prefkit::session::{gold_answers, report_config, Session, Task};
use prefkit::simulate::{run, CrowdSpec, Record};
use prefkit::{Dataset, FromJson};
use serde_json::Value;

/// The simulated clocks' start: 2025-11-24 16:00 UTC.
const START: f64 = 1_764_000_000.0;

fn fixture_task() -> Task {
    Task::from_json(include_str!("fixtures/simulated_task.json")).unwrap()
}

fn fixture_crowd() -> CrowdSpec {
    CrowdSpec::from_json(include_str!("fixtures/simulated_crowd.json")).unwrap()
}

/// Eight careful annotators and one who never gives the true label.
const CARELESS: &str = r#"{"seed": 6, "annotators": [{"id_prefix": "good", "count": 8, "accuracy": 0.95},
    {"id_prefix": "careless", "count": 1, "accuracy": 0.0}]}"#;

/// A task of `n` items (half better on the A side) and `g` gold items.
fn task(n: usize, g: usize) -> Task {
    let examples: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({"id": format!("e{i}"), "prompt": "?", "response_a": "a", "response_b": "b"}))
        .collect();
    let gold: Vec<Value> = (0..g)
        .map(|j| serde_json::json!({"id": format!("g{j}"), "prompt": "?", "response_a": "a", "response_b": "b",
                                    "label": if j % 2 == 0 { "A>" } else { "B>>" }}))
        .collect();
    Task::from_value(
        &serde_json::json!({"task_id": "t", "examples": examples, "gold": gold,
        "config": {"batch_size": 10, "gold_fraction": 0.2, "overlap": 3}}),
    )
    .unwrap()
}

/// The report of a simulated collection, with the task's gold and settings.
fn report_of(task: &Task, crowd: &str) -> prefkit::report::Report {
    let sim = run(task, &CrowdSpec::from_json(crowd).unwrap(), START).unwrap();
    let mut data = Dataset::parse_jsonl(sim.annotations_jsonl(), false).unwrap();
    data.set_gold(&gold_answers(task));
    let config: ReportConfig = report_config(task);
    report(&data, &config)
}

#[test]
fn a_seeded_crowd_makes_the_records_of_the_fixture() {
    let sim = run(&fixture_task(), &fixture_crowd(), START).unwrap();
    if std::env::var_os("PREFKIT_BLESS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/simulated_crowd.jsonl"
        );
        std::fs::write(path, sim.jsonl()).unwrap();
        return;
    }
    assert_eq!(sim.jsonl(), include_str!("fixtures/simulated_crowd.jsonl"));
}

#[test]
fn the_same_seed_gives_the_same_records_and_another_seed_others() {
    let (task, crowd) = (fixture_task(), fixture_crowd());
    let first = run(&task, &crowd, START).unwrap();
    assert_eq!(first, run(&task, &crowd, START).unwrap());
    let other = CrowdSpec {
        seed: 12,
        ..crowd.clone()
    };
    assert_ne!(first.jsonl(), run(&task, &other, START).unwrap().jsonl());
}

#[test]
fn every_simulated_record_says_so_and_reads_back_as_an_annotation_or_a_skip() {
    let sim = run(&fixture_task(), &fixture_crowd(), START).unwrap();
    let labels = sim.annotations_jsonl();
    let skips = sim.skips_jsonl();
    assert!(
        labels.lines().count() > 100,
        "{} labels",
        labels.lines().count()
    );
    assert!(skips.lines().count() > 0, "the unsure annotators skip");
    assert_eq!(
        labels.lines().count() + skips.lines().count(),
        sim.records.len()
    );
    for line in sim.jsonl().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["simulated"], true, "{line}");
        assert_eq!(v["task_id"], "simulated", "{line}");
    }
    assert!(Dataset::parse_jsonl(&labels, false).is_ok());
    assert!(sim.records.iter().all(
        |r| matches!(r, Record::Skip(s) if s.skip == "I can't judge this")
            || matches!(r, Record::Label(_))
    ));
}

#[test]
fn a_crowd_with_walkaways_still_leaves_every_item_with_its_overlap() {
    let task = task(60, 10);
    let crowd = CrowdSpec::from_json(
        r#"{"seed": 4, "annotators": [{"id_prefix": "w", "count": 12, "accuracy": 0.9},
            {"id_prefix": "gone", "count": 6, "abandon": 0.6}]}"#,
    )
    .unwrap();
    let sim = run(&task, &crowd, START).unwrap();
    assert!(sim.walked_away > 0);
    let data = Dataset::parse_jsonl(sim.annotations_jsonl(), false).unwrap();
    let mut per_item = std::collections::BTreeMap::<String, u32>::new();
    for r in &data.rows {
        *per_item
            .entry(data.items.name(r.item).to_string())
            .or_default() += 1;
    }
    let regular: Vec<u32> = per_item
        .iter()
        .filter(|(k, _)| k.starts_with('e'))
        .map(|(_, &n)| n)
        .collect();
    assert_eq!(regular, vec![3; 60]);
}

#[test]
fn a_left_biased_simulated_annotator_is_caught_by_the_position_bias_test() {
    let r = report_of(
        &task(200, 20),
        r#"{"seed": 5, "annotators": [{"id_prefix": "good", "count": 8, "accuracy": 0.85},
            {"id_prefix": "left", "count": 1, "accuracy": 0.85, "left_bias": 0.8}]}"#,
    );
    let left = r.annotators.iter().find(|a| a.id == "left-1").unwrap();
    assert!(left.position_bias.decided >= 20, "{:?}", left.position_bias);
    assert!(left.position_bias.share_left.unwrap() > 0.8);
    assert!(
        left.position_bias.p_value.unwrap() < 1e-4,
        "{:?}",
        left.position_bias
    );
    // Eight unbiased annotators: one under 0.01 by chance is no surprise.
    for a in r.annotators.iter().filter(|a| a.id.starts_with("good")) {
        assert!(
            a.position_bias.p_value.unwrap() > 1e-3,
            "{} {:?}",
            a.id,
            a.position_bias
        );
    }
}

#[test]
fn a_low_accuracy_simulated_annotator_is_flagged_by_gold() {
    let r = report_of(&task(200, 20), CARELESS);
    let careless = r.annotators.iter().find(|a| a.id == "careless-1").unwrap();
    assert!(careless.gold_total >= 5, "{careless:?}");
    assert!(careless.gold_accuracy.unwrap() < 0.6, "{careless:?}");
    assert!(careless.flagged);
    let good: Vec<_> = r
        .annotators
        .iter()
        .filter(|a| a.id != "careless-1")
        .collect();
    assert_eq!(good.len(), 8);
    assert!(good.iter().all(|a| !a.flagged), "{good:?}");
}

#[test]
fn the_session_stops_a_flagged_simulated_annotator_as_the_page_does() {
    let task = task(200, 20);
    let crowd = CrowdSpec::from_json(CARELESS).unwrap();
    let sim = run(&task, &crowd, START).unwrap();
    let mut session = Session::new(task.clone(), Some(6)).unwrap();
    let mut last = None;
    for r in &sim.records {
        if let Record::Label(a) = r {
            if a.annotator == "careless-1" {
                session.record_assigning(a.clone()).unwrap();
                last = Some(a.clone());
            }
        }
    }
    // Its last answer is the one that raised the flag: nothing came after.
    assert!(session.is_flagged("careless-1"));
    let mut replay = Session::new(task, Some(6)).unwrap();
    let before_last: Vec<_> = sim
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Label(a) if a.annotator == "careless-1" && Some(a) != last.as_ref() => {
                Some(a.clone())
            }
            _ => None,
        })
        .collect();
    for a in before_last {
        replay.record_assigning(a).unwrap();
    }
    assert!(!replay.is_flagged("careless-1"));
}

#[test]
fn a_start_outside_unix_time_is_refused_by_name() {
    let e = run(&fixture_task(), &fixture_crowd(), -1.0).unwrap_err();
    assert!(e.to_string().contains("start"), "{e}");
    let e = run(&fixture_task(), &fixture_crowd(), f64::NAN).unwrap_err();
    assert!(e.to_string().contains("start"), "{e}");
}

#[test]
fn a_page_annotator_named_in_the_crowd_acts_as_that_annotator_of_the_crowd() {
    let crowd = fixture_crowd();
    let task = fixture_task();
    let mut session = Session::new(task, Some(1)).unwrap();
    let batch = session.next_batch("left-1", START).unwrap();
    let mut page = crowd.worker_for("left-1");
    let mut in_crowd = crowd
        .workers()
        .into_iter()
        .find(|w| w.name == "left-1")
        .unwrap();
    for item in &batch.items {
        let act = page.act_in(&session, &item.id).unwrap();
        let gold = session.gold_label(&item.id);
        assert_eq!(act, in_crowd.act(&item.id, item.swapped, gold));
    }
    // Another name: the crowd's first annotator, under the page's name.
    let w = crowd.worker_for("someone");
    assert_eq!(
        (w.name.as_str(), w.profile.id_prefix.as_str()),
        ("someone", "good")
    );
    // An item not handed to the annotator is an error, not a guess.
    let e = page.act_in(&session, "sim-99").unwrap_err();
    assert!(e.to_string().contains("item"), "{e}");
}
