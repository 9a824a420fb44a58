//! The E-step's halves on two threads against one.

use super::*;
use crate::simulate::{crowd, CrowdConfig};

#[test]
fn the_two_halves_give_the_same_bits_on_two_threads_as_on_one() {
    let c = crowd(&CrowdConfig {
        items: 3000,
        annotators: 40,
        seed: 11,
        ..CrowdConfig::default()
    });
    let mut d = crate::Dataset::parse_jsonl(&c.annotations_jsonl, false).unwrap();
    d.set_gold(&crate::annotation::parse_gold(&c.gold_jsonl).unwrap());
    let votes = Votes::of(&d);
    let run = |threads: bool| {
        let mut em = Em::new(&Config::default(), &votes);
        em.start();
        em.accumulate();
        em.normalize();
        let mut out = Vec::new();
        for _ in 0..5 {
            let ll = em.e_step_on(threads, false);
            let entropy = em.entropy(ll);
            em.normalize();
            out.push((ll, em.evidence_lower_bound(entropy)));
        }
        let (pi, before) = (em.pi.clone(), em.last.pi.clone());
        em.swap_last();
        out.push((em.e_step_on(threads, true), 0.0));
        em.swap_last();
        assert_eq!((&em.pi, &em.last.pi), (&pi, &before));
        (out, em.t.clone(), em.pi.clone())
    };
    let (one, two) = (run(false), run(true));
    assert!(one
        .0
        .iter()
        .all(|(ll, elbo)| ll.is_finite() && elbo.is_finite()));
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
}
