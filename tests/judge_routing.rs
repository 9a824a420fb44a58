//! Hybrid routing: thresholds, the seeded spot-check share, expert
//! escalation on disagreement, queues and costs.

use prefkit::judge::response::JudgeResult;
use prefkit::judge::routing::{spot_checked, LabelSource, Route, Router, RoutingConfig};
use prefkit::Label;
use proptest::prelude::*;

fn result(item: &str, label: Option<Label>, confidence: f64) -> JudgeResult {
    JudgeResult {
        item: item.to_string(),
        label,
        confidence,
        swap: None,
    }
}

fn no_spot_checks() -> RoutingConfig {
    RoutingConfig {
        spot_check_share: 0.0,
        ..RoutingConfig::default()
    }
}

#[test]
fn the_threshold_is_inclusive_and_unparsed_items_go_to_people() {
    let mut r = Router::new(no_spot_checks()).unwrap();
    let a = Some(Label::ABetter);
    assert_eq!(
        r.add_judgment(&result("at", a, 0.75)).unwrap(),
        Route::Accepted
    );
    assert_eq!(
        r.add_judgment(&result("below", a, 0.7499)).unwrap(),
        Route::Human
    );
    assert_eq!(
        r.add_judgment(&result("none", None, 0.99)).unwrap(),
        Route::Human
    );
    assert_eq!(r.human_queue(), vec!["below", "none"]);
    assert_eq!(r.summary().counts.unparsed, 1);
}

#[test]
fn the_spot_check_share_stays_within_a_chernoff_bound_for_every_seed() {
    // X ~ Binomial(10000, 0.05), mu = 500. Chernoff: P(|X - mu| >= 0.3 mu)
    // <= 2 exp(-0.3^2 * 500 / 3) = 2 e^-15 ~ 6e-7 per seed (Mitzenmacher and
    // Upfal, Probability and Computing, 2005, Theorems 4.4 and 4.5).
    for seed in 0..10 {
        let config = RoutingConfig {
            seed,
            ..RoutingConfig::default()
        };
        let mut r = Router::new(config).unwrap();
        for i in 0..10_000 {
            r.add_judgment(&result(&format!("item-{i}"), Some(Label::Tie), 0.9))
                .unwrap();
        }
        let spot = r.summary().counts.spot_check;
        assert!(
            (350..=650).contains(&spot),
            "seed {seed}: {spot} spot checks"
        );
    }
}

#[test]
fn spot_checks_depend_on_the_seed_and_the_item_not_on_arrival_order() {
    let ids: Vec<String> = (0..400).map(|i| format!("q{i}")).collect();
    let picked = |seed: u64, order: &mut dyn Iterator<Item = &String>| {
        let mut r = Router::new(RoutingConfig {
            seed,
            spot_check_share: 0.2,
            ..RoutingConfig::default()
        })
        .unwrap();
        for id in order {
            r.add_judgment(&result(id, Some(Label::ABetter), 1.0))
                .unwrap();
        }
        let mut q = r.human_queue();
        q.sort();
        q
    };
    let forward = picked(7, &mut ids.iter());
    assert_eq!(forward, picked(7, &mut ids.iter().rev()));
    assert_ne!(forward, picked(8, &mut ids.iter()));
    assert!(ids
        .iter()
        .all(|id| forward.contains(id) == spot_checked(7, id, 0.2)));
}

fn label() -> impl Strategy<Value = Label> {
    (0usize..5).prop_map(|i| Label::from_index(i).unwrap_or(Label::Tie))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn experts_get_exactly_the_accepted_items_a_person_disagreed_with(
        items in prop::collection::vec((label(), 0.0f64..=1.0, prop::option::of(label())), 1..60),
        share in 0.0f64..=1.0,
        seed in any::<u64>(),
    ) {
        let config = RoutingConfig { spot_check_share: share, seed, ..RoutingConfig::default() };
        let mut r = Router::new(config).unwrap();
        for (i, (ai, c, human)) in items.iter().enumerate() {
            let id = format!("i{i}");
            let first = r.add_judgment(&result(&id, Some(*ai), *c)).unwrap();
            prop_assert_eq!(first == Route::Human, *c < 0.75);
            if let Some(h) = human {
                let after = r.add_human(&id, *h).unwrap();
                let disagrees = ai.side() != h.side();
                prop_assert_eq!(after == Route::Expert, *c >= 0.75 && disagrees);
            }
        }
        let s = r.summary();
        let c = &s.counts;
        prop_assert_eq!(c.accepted + c.spot_check + c.human + c.expert, items.len());
        let expected_experts = items.iter()
            .filter(|(ai, c, h)| *c >= 0.75 && h.is_some_and(|h| h.side() != ai.side()))
            .count();
        prop_assert_eq!(c.expert, expected_experts);
        prop_assert_eq!(r.expert_queue().len(), expected_experts);
    }
}

#[test]
fn costs_are_counts_times_prices_per_route() {
    let mut r = Router::new(no_spot_checks()).unwrap();
    for i in 0..6 {
        r.add_judgment(&result(&format!("hi{i}"), Some(Label::ABetter), 0.9))
            .unwrap();
    }
    for i in 0..3 {
        r.add_judgment(&result(&format!("lo{i}"), Some(Label::BBetter), 0.5))
            .unwrap();
    }
    r.add_judgment(&result("unparsed", None, 0.0)).unwrap();
    for id in ["lo0", "lo1", "lo2", "unparsed"] {
        assert_eq!(r.add_human(id, Label::Tie).unwrap(), Route::Human);
    }
    // An unrequested human check that agrees stays accepted; one that
    // disagrees escalates.
    assert_eq!(
        r.add_human("hi0", Label::AMuchBetter).unwrap(),
        Route::Accepted
    );
    assert_eq!(r.add_human("hi1", Label::BBetter).unwrap(), Route::Expert);
    let s = r.summary();
    assert_eq!(
        (
            s.counts.judged,
            s.counts.accepted,
            s.counts.spot_check,
            s.counts.human,
            s.counts.expert
        ),
        (10, 5, 0, 4, 1)
    );
    assert_eq!(s.human_labels_needed, 6);
    assert_eq!((s.pending_human, s.pending_expert), (0, 1));
    // 10 x 0.02, 6 x 1.50, 1 x 5.00.
    assert!((s.cost.ai - 0.20).abs() < 1e-9);
    assert!((s.cost.human - 9.00).abs() < 1e-9);
    assert!((s.cost.expert - 5.00).abs() < 1e-9);
    assert!((s.cost.total - 14.20).abs() < 1e-9);

    // Every accepted item spot-checked: 6 accepted + 4 low = 10 human labels.
    let mut all = Router::new(RoutingConfig {
        spot_check_share: 1.0,
        ..RoutingConfig::default()
    })
    .unwrap();
    for i in 0..10 {
        let c = if i < 6 { 0.9 } else { 0.1 };
        all.add_judgment(&result(&format!("x{i}"), Some(Label::Tie), c))
            .unwrap();
    }
    let s = all.summary();
    assert_eq!(
        (s.counts.spot_check, s.human_labels_needed, s.pending_human),
        (6, 10, 10)
    );
    assert!((s.cost.total - (0.20 + 15.0)).abs() < 1e-9);
}

#[test]
fn final_labels_come_from_the_ai_people_or_experts() {
    let mut r = Router::new(no_spot_checks()).unwrap();
    r.add_judgment(&result("ok", Some(Label::ABetter), 0.9))
        .unwrap();
    r.add_judgment(&result("low", Some(Label::ABetter), 0.1))
        .unwrap();
    r.add_judgment(&result("disputed", Some(Label::ABetter), 0.9))
        .unwrap();
    r.add_human("disputed", Label::BBetter).unwrap();
    let f = r.final_labels();
    assert_eq!(
        (f[0].label, f[0].source),
        (Some(Label::ABetter), LabelSource::Ai)
    );
    assert_eq!((f[1].label, f[1].source), (None, LabelSource::Pending));
    assert_eq!((f[2].label, f[2].source), (None, LabelSource::Pending));
    r.add_human("low", Label::Tie).unwrap();
    r.add_expert("disputed", Label::BMuchBetter).unwrap();
    let f = r.final_labels();
    assert_eq!(
        (f[1].label, f[1].source),
        (Some(Label::Tie), LabelSource::Human)
    );
    assert_eq!(
        (f[2].label, f[2].source),
        (Some(Label::BMuchBetter), LabelSource::Expert)
    );
    assert_eq!(r.ai_human_pairs().len(), 2);
}

#[test]
fn misuse_is_refused_with_a_reason() {
    let mut r = Router::new(RoutingConfig::default()).unwrap();
    r.add_judgment(&result("a", Some(Label::Tie), 0.9)).unwrap();
    let msg = |e: prefkit::Error| e.to_string();
    assert!(msg(r
        .add_judgment(&result("a", Some(Label::Tie), 0.9))
        .unwrap_err())
    .contains("already judged"));
    assert!(msg(r
        .add_judgment(&result("b", Some(Label::Tie), 1.5))
        .unwrap_err())
    .contains("confidence"));
    assert!(msg(r.add_human("zzz", Label::Tie).unwrap_err()).contains("no judge result"));
    r.add_human("a", Label::Tie).unwrap();
    assert!(msg(r.add_human("a", Label::Tie).unwrap_err()).contains("already has a human label"));
    assert!(msg(r.add_expert("a", Label::Tie).unwrap_err()).contains("not in the expert queue"));
    let bad = RoutingConfig {
        spot_check_share: 1.2,
        ..RoutingConfig::default()
    };
    assert!(msg(Router::new(bad).unwrap_err()).contains("spot_check_share"));
    let bad = RoutingConfig {
        cost_human: -1.0,
        ..RoutingConfig::default()
    };
    assert!(msg(Router::new(bad).unwrap_err()).contains("cost_human"));
}

#[test]
fn the_summary_reports_position_bias_from_swap_checks() {
    use prefkit::judge::confidence::swap_check;
    let mut r = Router::new(RoutingConfig::default()).unwrap();
    assert_eq!(r.summary().first_position_share, None);
    // A judge that always prefers the first response shown: both orders say A>B.
    let biased = swap_check(Some(Label::ABetter), 0.9, Some(Label::ABetter), 0.9);
    // A consistent pair: A>B, then B>A on the swapped order.
    let fair = swap_check(Some(Label::ABetter), 0.9, Some(Label::BBetter), 0.9);
    for (id, check) in [("x", biased), ("y", fair)] {
        r.add_judgment(&JudgeResult {
            item: id.into(),
            label: check.label,
            confidence: check.confidence,
            swap: Some(check),
        })
        .unwrap();
    }
    let s = r.summary();
    assert_eq!(
        (s.position_bias.pairs, s.position_bias.inconsistent),
        (2, 1)
    );
    // First-position wins: 2 (biased) + 1 (fair) of 4 decided judgments.
    assert_eq!(s.first_position_share, Some(0.75));
    assert_eq!(r.route("x"), Some(Route::Human));
}
