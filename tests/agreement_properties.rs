//! Property tests: the live state equals the batch computation, shards merge
//! into the union, and the figures ignore how the data was presented.

use prefkit::agreement::{compute, live::LiveAgreement, AgreementConfig, AgreementReport};
use prefkit::{Annotation, Dataset, Label};
use proptest::prelude::*;
use std::collections::HashSet;

/// One label: (item, annotator, label code).
type Triple = (u8, u8, u8);

/// Random streams with at most one label per (item, annotator).
fn stream() -> impl Strategy<Value = Vec<Triple>> {
    prop::collection::vec((0u8..12, 0u8..7, 0u8..5), 0..80).prop_map(|v| {
        let mut seen = HashSet::new();
        v.into_iter()
            .filter(|&(i, a, _)| seen.insert((i, a)))
            .collect()
    })
}

fn names(t: &Triple) -> (String, String, Label) {
    // Annotator names sort differently from their order of arrival.
    (
        format!("item-{}", t.0),
        format!("w{}", 13 * t.1 as u32 % 7 * 3),
        Label::ALL[t.2 as usize],
    )
}

fn dataset(stream: &[Triple]) -> Dataset {
    let a: Vec<Annotation> = stream
        .iter()
        .map(|t| {
            let (i, w, l) = names(t);
            Annotation::new(i, w, l)
        })
        .collect();
    Dataset::from_annotations(&a, &[])
}

fn live(stream: &[Triple]) -> LiveAgreement {
    let mut live = LiveAgreement::new();
    for t in stream {
        let (i, w, l) = names(t);
        live.add(&i, &w, l).unwrap();
    }
    live
}

fn near(x: Option<f64>, y: Option<f64>) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12,
        (None, None) => true,
        _ => false,
    }
}

fn same_up_to_rounding(r: &AgreementReport, s: &AgreementReport) -> bool {
    let a = (&r.krippendorff_alpha, &s.krippendorff_alpha);
    r.pairwise == s.pairwise
        && r.pairwise_directional == s.pairwise_directional
        && r.pairs == s.pairs
        && near(r.fleiss_kappa, s.fleiss_kappa)
        && near(a.0.nominal, a.1.nominal)
        && near(a.0.ordinal, a.1.ordinal)
        && near(a.0.interval, a.1.interval)
        && r.cohen_kappa.len() == s.cohen_kappa.len()
        && r.cohen_kappa.iter().zip(&s.cohen_kappa).all(|(p, q)| {
            (&p.a, &p.b, p.n) == (&q.a, &q.b, q.n)
                && near(p.unweighted, q.unweighted)
                && near(p.linear, q.linear)
                && near(p.quadratic, q.quadratic)
        })
        && r.undefined.keys().eq(s.undefined.keys())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_live_state_equals_the_batch_computation_at_every_moment(
        s in stream(),
        min_shared in 1usize..4,
    ) {
        let config = AgreementConfig { min_shared, ci: None };
        let mut state = LiveAgreement::new();
        for (n, t) in s.iter().enumerate() {
            let (i, w, l) = names(t);
            state.add(&i, &w, l).unwrap();
            if n % 7 == 0 || n + 1 == s.len() {
                prop_assert_eq!(state.snapshot(&config), compute(&dataset(&s[..=n]), &config));
            }
        }
    }

    #[test]
    fn merging_shard_states_gives_the_state_of_the_union(
        s in stream(),
        shard_of in prop::collection::vec(0usize..3, 80),
    ) {
        let mut shards = vec![Vec::new(); 3];
        for (n, t) in s.iter().enumerate() {
            shards[shard_of[n]].push(*t);
        }
        let mut merged = live(&shards[2]);
        merged.merge(&live(&shards[0])).unwrap();
        merged.merge(&live(&shards[1])).unwrap();
        let config = AgreementConfig { min_shared: 1, ci: None };
        prop_assert_eq!(merged.len(), s.len());
        prop_assert_eq!(merged.snapshot(&config), compute(&dataset(&s), &config));
    }

    #[test]
    fn flipping_labels_together_with_swapped_changes_nothing(
        s in stream(),
        flip in prop::collection::vec(any::<bool>(), 80),
    ) {
        let mut text = String::new();
        for (n, t) in s.iter().enumerate() {
            let (i, w, l) = names(t);
            let (shown, swapped) = if flip[n] { (l.flip(), true) } else { (l, false) };
            text.push_str(&format!(
                "{{\"item\":\"{i}\",\"annotator\":\"{w}\",\"label\":\"{shown}\",\"swapped\":{swapped}}}\n"
            ));
        }
        prop_assume!(!s.is_empty());
        let config = AgreementConfig { min_shared: 1, ci: None };
        let read = Dataset::parse_jsonl(&text, false).unwrap();
        prop_assert_eq!(compute(&read, &config), compute(&dataset(&s), &config));
    }

    #[test]
    fn the_order_of_the_input_does_not_matter(
        (s, shuffled) in stream().prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
    ) {
        let config = AgreementConfig { min_shared: 1, ci: None };
        prop_assert_eq!(compute(&dataset(&shuffled), &config), compute(&dataset(&s), &config));
        prop_assert_eq!(live(&shuffled).snapshot(&config), compute(&dataset(&s), &config));
    }

    #[test]
    fn mirroring_every_label_a_for_b_leaves_every_figure_unchanged(s in stream()) {
        let mirrored: Vec<Triple> = s.iter().map(|&(i, a, l)| (i, a, 4 - l)).collect();
        let config = AgreementConfig { min_shared: 1, ci: None };
        let (r, m) = (compute(&dataset(&s), &config), compute(&dataset(&mirrored), &config));
        prop_assert!(same_up_to_rounding(&r, &m), "{:?}\n{:?}", r, m);
    }
}

/// Random streams in which an annotator may label an item again
/// (`allow_repeats`).
fn stream_with_repeats() -> impl Strategy<Value = Vec<Triple>> {
    prop::collection::vec((0u8..8, 0u8..4, 0u8..5), 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn with_repeats_the_live_state_equals_the_batch_computation_and_shards_merge(
        s in stream_with_repeats(),
        shard_of in prop::collection::vec(0usize..2, 80),
    ) {
        let config = AgreementConfig { min_shared: 1, ci: None };
        let mut state = LiveAgreement::with_repeats(true);
        for (n, t) in s.iter().enumerate() {
            let (i, w, l) = names(t);
            state.add(&i, &w, l).unwrap();
            if n % 5 == 0 || n + 1 == s.len() {
                prop_assert_eq!(state.snapshot(&config), compute(&dataset(&s[..=n]), &config));
            }
        }
        let mut shards = [LiveAgreement::with_repeats(true), LiveAgreement::with_repeats(true)];
        for (n, t) in s.iter().enumerate() {
            let (i, w, l) = names(t);
            shards[shard_of[n]].add(&i, &w, l).unwrap();
        }
        let mut merged = shards[0].clone();
        merged.merge(&shards[1]).unwrap();
        // Counted figures equal the batch's; Cohen's kappa takes each
        // annotator's first rating, which depends on the order of arrival,
        // and the merge appends the second shard after the first.
        prop_assert_eq!(merged.len(), s.len());
        let m = merged.snapshot(&config);
        let b = compute(&dataset(&s), &config);
        prop_assert_eq!(m.pairs, b.pairs);
        prop_assert!(near(m.krippendorff_alpha.ordinal, b.krippendorff_alpha.ordinal));
        prop_assert!(near(m.fleiss_kappa, b.fleiss_kappa));
    }
}
