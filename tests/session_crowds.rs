//! Simulated crowds run end to end through a session, and the session's
//! statistics checked against a recomputation from scratch.

mod support;

use prefkit::report::{self, Report};
use prefkit::session::{gold_answers, report_config, Session, Status, Verdict};
use prefkit::Dataset;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use support::{answer, request, task, Kind};

/// Annotators take batches in turn until each has done `rounds` batches.
fn crowd(session: &mut Session, people: &[(&str, Kind)], rounds: usize) -> Vec<Verdict> {
    let mut rngs: Vec<ChaCha8Rng> = (0..people.len())
        .map(|k| ChaCha8Rng::seed_from_u64(100 + k as u64))
        .collect();
    let mut out = Vec::new();
    for _ in 0..rounds {
        for (k, (name, kind)) in people.iter().enumerate() {
            let batch = session.next_batch(name, 0.0).unwrap();
            for item in &batch.items {
                let (shown, time) = answer(*kind, item, &mut rngs[k]);
                let id = format!("{name}/{}", item.id);
                out.push(
                    session
                        .submit(request(&id, name, &item.id, shown, time))
                        .unwrap(),
                );
            }
        }
    }
    out
}

const PEOPLE: [(&str, Kind); 10] = [
    ("acc1", Kind::Accurate),
    ("acc2", Kind::Accurate),
    ("acc3", Kind::Accurate),
    ("acc4", Kind::Accurate),
    ("rand1", Kind::Random),
    ("rand2", Kind::Random),
    ("fast1", Kind::Fast),
    ("fast2", Kind::Fast),
    ("left1", Kind::LeftBiased),
    ("left2", Kind::LeftBiased),
];

#[test]
fn a_simulated_crowd_is_sorted_out_by_the_session() {
    let t = task(
        600,
        80,
        json!({"batch_size": 20, "gold_fraction": 0.15, "overlap": 3}),
    );
    let mut s = Session::new(t, Some(21)).unwrap();
    let verdicts = crowd(&mut s, &PEOPLE, 6);
    let stats = s.stats();
    let by = |name: &str| {
        stats
            .report
            .annotators
            .iter()
            .find(|a| a.id == name)
            .unwrap()
    };

    for name in ["acc1", "acc2", "acc3", "acc4"] {
        let a = by(name);
        assert_eq!(a.total, 120);
        assert_eq!(a.gold_total, 18, "3 gold in each of 6 batches");
        assert_eq!(a.gold_accuracy, Some(1.0));
        assert_eq!(a.speed_penalty, Some(1.0));
        assert!(!a.flagged && !s.is_flagged(name));
        assert!(
            a.position_bias.p_value.unwrap() > 0.001,
            "{name}: {:?}",
            a.position_bias
        );
    }
    for name in ["fast1", "fast2"] {
        let a = by(name);
        assert!(
            a.speed_penalty.unwrap() < 0.6,
            "{name}: {:?}",
            a.speed_penalty
        );
        assert_eq!(a.gold_accuracy, Some(1.0));
        assert!(verdicts
            .iter()
            .filter(|v| v.annotation.annotator == name)
            .all(|v| v.too_fast));
    }
    // The always-left annotators: every decided choice on the left, a
    // vanishing binomial p-value, and one label all the way.
    for name in ["left1", "left2"] {
        let a = by(name);
        assert_eq!(a.position_bias.share_left, Some(1.0));
        assert!(
            a.position_bias.p_value.unwrap() < 1e-6,
            "{:?}",
            a.position_bias
        );
        assert_eq!(a.straight_lining.longest_run, a.total);
        assert_eq!(a.straight_lining.top_share, Some(1.0));
    }
    // Random clickers and left-clickers are right on gold about 40% of the
    // time: the session flags them and stops giving them batches.
    for name in ["rand1", "rand2", "left1", "left2"] {
        assert!(s.is_flagged(name), "{name}: {:?}", by(name).gold_accuracy);
        assert!(
            by(name).total < 120,
            "{name} got every batch despite the flag"
        );
        assert!(s.next_batch(name, 0.0).unwrap().flagged);
    }
    assert_eq!(
        stats.session.flagged,
        vec!["left1", "left2", "rand1", "rand2"]
    );
    // Each flagged annotator's first flagged verdict came on a gold answer.
    for name in ["rand1", "left1"] {
        let first = verdicts
            .iter()
            .find(|v| v.annotation.annotator == name && v.status == Status::Flagged)
            .unwrap();
        assert!(first.annotation.item.starts_with('g'));
    }
    // Agreement among the crowd is defined and below perfect.
    let alpha = stats.report.agreement.krippendorff_alpha.ordinal.unwrap();
    assert!(alpha > 0.0 && alpha < 1.0, "{alpha}");
}

#[test]
fn session_stats_equal_a_recomputation_from_the_answers() {
    let t = task(
        300,
        40,
        json!({"batch_size": 10, "overlap": 2, "gold_match": "exact", "fast_seconds": 4}),
    );
    let mut s = Session::new(t.clone(), Some(8)).unwrap();
    let verdicts = crowd(&mut s, &PEOPLE, 4);
    let stats = s.stats();
    let annotations: Vec<_> = verdicts.iter().map(|v| v.annotation.clone()).collect();
    let d = Dataset::from_annotations(&annotations, &gold_answers(&t));
    // The report of the same answers, Dawid-Skene aside (the live report
    // leaves it out).
    assert_eq!(
        stats.report,
        without_dawid_skene(report::run(&d, &report_config(&t)))
    );
    assert_eq!(stats.report.counts.annotations, annotations.len());
    assert_eq!(stats.report.annotators.len(), PEOPLE.len());
    // Through the JSON the page would read, too.
    let json = serde_json::to_value(&stats).unwrap();
    assert_eq!(json["annotators"][0]["id"], "acc1");
    assert!(json["annotators"][0]["position_bias"]["p_value"].is_number());
}

/// A full report with its Dawid-Skene parts as the live report leaves them.
pub fn without_dawid_skene(mut r: Report) -> Report {
    r.labels.dawid_skene = None;
    r.dawid_skene = None;
    r.undefined.insert(
        "dawid_skene".into(),
        "not computed in the live report; run the full report".into(),
    );
    r
}
