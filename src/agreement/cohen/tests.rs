//! Cohen's kappa: hand-computed tables, and the pair listing against a
//! direct count.

use super::listing::*;
use super::*;

#[test]
fn perfect_agreement_on_two_categories_gives_one_for_every_weighting() {
    let mut c = [0u32; K * K];
    c[0] = 3;
    c[4 * K + 4] = 2;
    for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
        assert_eq!(cohen_kappa(&c, w), Some(1.0));
    }
}

#[test]
fn a_hand_computed_three_category_table_gives_three_sevenths_seven_fifteenths_and_a_half() {
    // a\b  0 1 2       n = 8, both margins (3, 2, 3), E_ij = m_i m_j / 8.
    //  0  2 1 0       unweighted: 1 - 3 / (8 - 22/8)           = 3/7
    //  1  0 1 1       linear:     1 - (1 + 1 + 2) / (24/8 + 2 * 18/8) = 7/15
    //  2  1 0 2       quadratic:  1 - (1 + 1 + 4) / (24/8 + 4 * 18/8) = 1/2
    let mut c = [0u32; K * K];
    for (i, row) in [[2, 1, 0], [0, 1, 1], [1, 0, 2]].iter().enumerate() {
        c[i * K..i * K + 3].copy_from_slice(row);
    }
    let close = |x: Option<f64>, y: f64| assert!((x.unwrap() - y).abs() < 1e-15, "{x:?} {y}");
    close(cohen_kappa(&c, Weights::Unweighted), 3.0 / 7.0);
    close(cohen_kappa(&c, Weights::Linear), 7.0 / 15.0);
    close(cohen_kappa(&c, Weights::Quadratic), 0.5);
}

/// Every pair by a direct count over the label pairs of each item, then
/// the cap: the reference the pass must equal.
fn direct(data: &Dataset, min_shared: u64, max_pairs: usize) -> (Vec<CohenPair>, u64) {
    use std::collections::BTreeMap;
    let mut by_pair: BTreeMap<(String, String), [u32; K * K]> = BTreeMap::new();
    for x in &data.rows {
        for y in &data.rows {
            let (nx, ny) = (
                data.annotators.name(x.annotator),
                data.annotators.name(y.annotator),
            );
            if x.item == y.item && nx < ny {
                let c = by_pair.entry((nx.into(), ny.into())).or_insert([0; K * K]);
                c[x.label.index() * K + y.label.index()] += 1;
            }
        }
    }
    let mut all: Vec<CohenPair> = by_pair
        .iter()
        .map(|((a, b), c)| pair(a, b, c))
        .filter(|p| p.n >= min_shared)
        .collect();
    let qualifying = all.len() as u64;
    all.sort_by(|p, q| q.n.cmp(&p.n).then((&p.a, &p.b).cmp(&(&q.a, &q.b))));
    all.truncate(max_pairs);
    all.sort_by(|p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
    (all, qualifying)
}

fn listing(data: &Dataset, limits: Limits) -> CohenListing {
    listing_by(data, |_| limits)
}

/// A seeded crowd: `annotators` annotators, each labelling each of
/// `items` items with probability `p`, rows in a seeded order.
fn crowd(items: usize, annotators: usize, p: f64, seed: u64) -> Dataset {
    use rand::{seq::SliceRandom, Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::new();
    for i in 0..items {
        for a in 0..annotators {
            if rng.random_bool(p) {
                rows.push((format!("i{i}"), format!("w{a:03}"), rng.random_range(0..K)));
            }
        }
    }
    rows.shuffle(&mut rng);
    let rows: Vec<(&str, &str, Label)> = rows
        .iter()
        .map(|(i, a, l)| (i.as_str(), a.as_str(), Label::ALL[*l]))
        .collect();
    Dataset::from_labels(&rows)
}

const UNBOUNDED: Limits = Limits {
    min_shared: 1,
    max_pairs: usize::MAX,
    max_label_pairs: u64::MAX,
};

#[test]
fn within_the_bounds_every_qualifying_pair_is_listed_as_a_direct_count_gives_it() {
    for (seed, min_shared) in [(1, 1), (2, 3), (3, 6)] {
        let data = crowd(40, 25, 0.4, seed);
        let got = listing(
            &data,
            Limits {
                min_shared,
                ..UNBOUNDED
            },
        );
        let (want, _) = direct(&data, min_shared as u64, usize::MAX);
        assert!(!want.is_empty());
        assert_eq!(got.pairs, want, "seed {seed}");
        assert_eq!(got.truncated, None);
    }
}

#[test]
fn the_cap_lists_the_pairs_with_the_most_shared_items_ties_by_name_whatever_the_input_order() {
    let data = crowd(30, 30, 0.5, 4);
    let limits = Limits {
        min_shared: 2,
        max_pairs: 50,
        ..UNBOUNDED
    };
    let got = listing(&data, limits);
    let (want, qualifying) = direct(&data, 2, 50);
    assert_eq!(got.pairs, want);
    let t = got.truncated.expect("truncated");
    assert_eq!(t.pairs_not_listed, qualifying - 50);
    assert_eq!(t.annotators_not_examined, 0);
    assert!(
        t.reason.contains(&format!("{} pairs", qualifying - 50)),
        "{}",
        t.reason
    );
    // The same labels in reverse order give the same listing.
    let mut reversed = Dataset::new();
    for r in data.rows.iter().rev() {
        reversed.push(&crate::annotation::Annotation::new(
            data.items.name(r.item),
            data.annotators.name(r.annotator),
            r.label,
        ));
    }
    let again = listing(&reversed, limits);
    assert_eq!(again.pairs, got.pairs);
    assert_eq!(
        again.truncated.map(|t| t.pairs_not_listed),
        Some(qualifying - 50)
    );
    // A cap of 0 lists nothing and counts every qualifying pair.
    let none = listing(
        &data,
        Limits {
            max_pairs: 0,
            ..limits
        },
    );
    assert!(none.pairs.is_empty());
    assert_eq!(none.truncated.unwrap().pairs_not_listed, qualifying);
}

#[test]
fn the_work_budget_examines_the_annotators_with_the_most_labels_first() {
    // w1 labels items 0..4, w2 items 0..3, w3 and w4 items 0..2, w5 item 0.
    let mut rows = Vec::new();
    for (who, n) in [("w1", 5), ("w2", 4), ("w4", 3), ("w3", 3), ("w5", 1)] {
        for i in 0..n {
            rows.push((format!("i{i}"), who, Label::ALL[i % K]));
        }
    }
    let rows: Vec<(&str, &str, Label)> =
        rows.iter().map(|(i, a, l)| (i.as_str(), *a, *l)).collect();
    let data = Dataset::from_labels(&rows);
    // Label pairs: w1 alone 0, + w2: 4, + w3 (before w4 by name): 3 + 3 = 10,
    // + w4: 3 * 3 = 19; w5 (1 label) is below min_shared 2 and costs nothing.
    let at = |max_label_pairs| {
        listing(
            &data,
            Limits {
                min_shared: 2,
                max_pairs: 100,
                max_label_pairs,
            },
        )
    };
    let names = |l: &CohenListing| -> Vec<String> {
        l.pairs
            .iter()
            .map(|p| format!("{}-{}:{}", p.a, p.b, p.n))
            .collect()
    };
    let all = at(19);
    assert_eq!(all.truncated, None);
    assert_eq!(
        names(&all),
        ["w1-w2:4", "w1-w3:3", "w1-w4:3", "w2-w3:3", "w2-w4:3", "w3-w4:3"]
    );
    let three = at(18);
    assert_eq!(names(&three), ["w1-w2:4", "w1-w3:3", "w2-w3:3"]);
    let t = three.truncated.expect("truncated");
    assert_eq!((t.annotators_not_examined, t.pairs_not_listed), (1, 0));
    assert!(t.reason.contains("1 annotators"), "{}", t.reason);
    assert!(at(3).pairs.is_empty());
    assert_eq!(at(3).truncated.unwrap().annotators_not_examined, 3);
}

#[test]
fn a_repeated_rating_counts_once_with_its_first_label() {
    let data = Dataset::from_labels(&[
        ("x", "w1", Label::ABetter),
        ("x", "w2", Label::Tie),
        ("x", "w1", Label::Tie),
        ("y", "w2", Label::BBetter),
        ("y", "w1", Label::BBetter),
        ("y", "w2", Label::Tie),
    ]);
    let got = listing(&data, UNBOUNDED);
    assert_eq!(got.pairs.len(), 1);
    let p = &got.pairs[0];
    assert_eq!((p.a.as_str(), p.b.as_str(), p.n), ("w1", "w2", 2));
    // The first ratings only: x (A>, =) and y (B>, B>).
    let mut c = [0u32; K * K];
    c[Label::ABetter.index() * K + Label::Tie.index()] = 1;
    c[Label::BBetter.index() * K + Label::BBetter.index()] = 1;
    assert_eq!(p.unweighted, cohen_kappa(&c, Weights::Unweighted));
}

#[test]
fn one_shared_category_only_is_undefined_with_a_reason() {
    let mut c = [0u32; K * K];
    c[K + 1] = 4;
    let p = pair("w1", "w2", &c);
    assert_eq!((p.unweighted, p.linear, p.quadratic), (None, None, None));
    assert!(p.reason.unwrap().contains("\"A>\" on all 4"));
}
