//! Agreement on data of extreme shapes (many labels on one item, many
//! annotators sharing many items, one annotator everywhere): every figure
//! equals an independent recomputation, and the Cohen listing keeps to its
//! bounds (see `src/agreement/cohen/mod.rs`). No timing here: `prefkit bench
//! shapes` prints the numbers.

use prefkit::agreement::live::LiveAgreement;
use prefkit::agreement::{compute, AgreementConfig, AgreementReport};
use prefkit::{Annotation, Dataset, Label};

const K: usize = 5;

fn config(min_shared: usize) -> AgreementConfig {
    AgreementConfig {
        min_shared,
        ..AgreementConfig::default()
    }
}

/// The live state built from `d` gives the very same report `r`.
fn assert_live_gives(d: &Dataset, config: &AgreementConfig, r: &AgreementReport) {
    let live = LiveAgreement::from_dataset(d).unwrap();
    assert_eq!(&live.snapshot(config), r);
}

/// A label drawn from a small seeded generator (xorshift), skewed so that
/// every category is used and the figures are not trivial.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn label(&mut self, truth: usize) -> Label {
        let r = self.next() % 10;
        Label::ALL[if r < 6 { truth } else { (r as usize) % K }]
    }
}

fn side(c: usize) -> usize {
    [0, 0, 1, 2, 2][c]
}

/// Every pooled figure straight from the label counts of each item, one
/// item at a time, with the published formulas (Fleiss 1971; Krippendorff
/// 2011): `(pairwise, directional, fleiss, alpha nominal, ordinal, interval)`.
fn direct(items: &[[u64; K]]) -> [f64; 6] {
    let units: Vec<&[u64; K]> = items
        .iter()
        .filter(|n| n.iter().sum::<u64>() >= 2)
        .collect();
    let c2 = |x: u64| (x * x.saturating_sub(1) / 2) as f64;
    let (mut pairs, mut exact, mut same_side) = (0.0, 0.0, 0.0);
    let mut p_bar = 0.0;
    let mut o = [[0.0f64; K]; K];
    let mut n_c = [0u64; K];
    for n in &units {
        let m: u64 = n.iter().sum();
        pairs += c2(m);
        exact += n.iter().map(|&x| c2(x)).sum::<f64>();
        let mut by_side = [0u64; 3];
        for c in 0..K {
            by_side[side(c)] += n[c];
            n_c[c] += n[c];
        }
        same_side += by_side.iter().map(|&x| c2(x)).sum::<f64>();
        let sq: u64 = n.iter().map(|&x| x * x).sum();
        p_bar += (sq - m) as f64 / (m * (m - 1)) as f64;
        for c in 0..K {
            for k in 0..K {
                let x = n[c] * n[k] - if c == k { n[c] } else { 0 };
                o[c][k] += x as f64 / (m - 1) as f64;
            }
        }
    }
    p_bar /= units.len() as f64;
    let total: u64 = n_c.iter().sum();
    let p_e: f64 = n_c.iter().map(|&x| (x as f64 / total as f64).powi(2)).sum();
    let fleiss = (p_bar - p_e) / (1.0 - p_e);
    let alpha = |d: &dyn Fn(usize, usize) -> f64| {
        let (mut obs, mut exp) = (0.0, 0.0);
        for c in 0..K {
            for k in 0..K {
                let e =
                    (n_c[c] * n_c[k] - if c == k { n_c[c] } else { 0 }) as f64 / (total - 1) as f64;
                obs += o[c][k] * d(c, k);
                exp += e * d(c, k);
            }
        }
        1.0 - obs / exp
    };
    let ordinal = |c: usize, k: usize| {
        let (lo, hi) = (c.min(k), c.max(k));
        let between: u64 = n_c[lo..=hi].iter().sum();
        let x = between as f64 - (n_c[lo] + n_c[hi]) as f64 / 2.0;
        x * x
    };
    [
        exact / pairs,
        same_side / pairs,
        fleiss,
        alpha(&|c, k| (c != k) as u8 as f64),
        alpha(&ordinal),
        alpha(&|c, k| ((c as f64) - (k as f64)).powi(2)),
    ]
}

fn figures(r: &AgreementReport) -> [f64; 6] {
    let a = &r.krippendorff_alpha;
    [
        r.pairwise,
        r.pairwise_directional,
        r.fleiss_kappa,
        a.nominal,
        a.ordinal,
        a.interval,
    ]
    .map(|x| x.expect("defined"))
}

fn assert_close(got: [f64; 6], want: [f64; 6], what: &str) {
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}: figure {i}: {g} against {w}"
        );
    }
}

fn counts(d: &Dataset) -> Vec<[u64; K]> {
    d.item_counts()
        .iter()
        .map(|c| c.map(|x| x as u64))
        .collect()
}

/// Item `item` labelled once by each of `n` annotators `w00000`, `w00001`,
/// ... (zero-padded, so that name order is number order), with labels
/// drawn around `truth`.
fn label_by_many(d: &mut Dataset, draw: &mut Draw, item: &str, n: usize, truth: usize) {
    for a in 0..n {
        d.push(&Annotation::new(
            item,
            format!("w{a:05}"),
            draw.label(truth),
        ));
    }
}

#[test]
fn fifty_thousand_annotators_on_one_item_give_the_same_figures_as_a_direct_count() {
    let mut draw = Draw(7);
    let mut d = Dataset::new();
    label_by_many(&mut d, &mut draw, "x", 50_000, 1);
    // A second item, so that Krippendorff's alpha is not 0 by construction.
    label_by_many(&mut d, &mut draw, "y", 300, 4);
    let r = compute(&d, &config(10));
    assert_close(figures(&r), direct(&counts(&d)), "50,000 on one item");
    assert_eq!(r.pairs, 50_000 * 49_999 / 2 + 300 * 299 / 2);
    // Nobody has 10 labels: no pair can qualify, nothing is left out.
    assert!(r.cohen_kappa.is_empty());
    assert_eq!(r.cohen_kappa_truncated, None);
    // The live state gives the very same report.
    assert_live_gives(&d, &config(10), &r);
}

#[test]
fn fifty_thousand_annotators_on_one_item_with_min_shared_one_list_the_first_hundred_thousand_pairs_by_name(
) {
    let mut draw = Draw(11);
    let mut d = Dataset::new();
    label_by_many(&mut d, &mut draw, "x", 50_000, 2);
    let r = compute(&d, &config(1));
    // Work budget max(2^24, 32 * 50,000) = 2^24 label pairs: the first k
    // annotators by name (all have one label) with k (k - 1) / 2 <= 2^24.
    let k: u64 = 5_793;
    assert!(k * (k - 1) / 2 <= 1 << 24 && (k + 1) * k / 2 > 1 << 24);
    let t = r.cohen_kappa_truncated.as_ref().expect("truncated");
    assert_eq!(t.annotators_not_examined, 50_000 - k);
    assert_eq!(t.max_pairs, 100_000);
    assert_eq!(t.max_label_pairs, 1 << 24);
    assert_eq!(t.pairs_not_listed, k * (k - 1) / 2 - 100_000);
    // Every pair shares one item: ties, so the first 100,000 by (a, b).
    assert_eq!(r.cohen_kappa.len(), 100_000);
    let first: Vec<(String, String)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (format!("w{a:05}"), format!("w{b:05}"))))
        .take(100_000)
        .collect();
    let listed: Vec<(String, String)> = r
        .cohen_kappa
        .iter()
        .map(|p| (p.a.clone(), p.b.clone()))
        .collect();
    assert_eq!(listed, first);
    for p in &r.cohen_kappa {
        assert_eq!(p.n, 1);
        // One shared item: kappa 0 when the labels differ, undefined when equal.
        match p.reason {
            Some(_) => assert_eq!((p.unweighted, p.linear, p.quadratic), (None, None, None)),
            None => assert_eq!(p.unweighted, Some(0.0)),
        }
    }
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("NaN") && !json.contains("nan"));
    assert_live_gives(&d, &config(1), &r);
}

#[test]
fn two_thousand_labels_on_one_item_give_the_figures_of_an_explicit_pair_by_pair_count() {
    // Small enough to enumerate all 1,999,000 label pairs.
    let mut draw = Draw(3);
    let labels: Vec<usize> = (0..2_000).map(|_| draw.label(0).index()).collect();
    let mut d = Dataset::new();
    for (a, &l) in labels.iter().enumerate() {
        d.push(&Annotation::new("x", format!("w{a}"), Label::ALL[l]));
        // A few other items, so that the expected coincidences differ.
        if a % 100 == 0 {
            d.push(&Annotation::new(
                format!("y{}", a / 200),
                format!("w{a}"),
                Label::ALL[(l + 2) % K],
            ));
        }
    }
    let r = compute(&d, &config(10));
    // Pairs of item x one by one; the small items by the direct formula.
    let (mut pairs, mut exact, mut same) = (0u64, 0u64, 0u64);
    for i in 0..labels.len() {
        for j in i + 1..labels.len() {
            pairs += 1;
            exact += (labels[i] == labels[j]) as u64;
            same += (side(labels[i]) == side(labels[j])) as u64;
        }
    }
    let small: Vec<[u64; K]> = counts(&d)[1..].to_vec();
    let small_pairs: u64 = small
        .iter()
        .map(|n| {
            let m: u64 = n.iter().sum();
            m * m.saturating_sub(1) / 2
        })
        .sum();
    let small_exact: u64 = small
        .iter()
        .map(|n| n.iter().map(|&x| x * x.saturating_sub(1) / 2).sum::<u64>())
        .sum();
    assert_eq!(r.pairs, pairs + small_pairs);
    assert_eq!(
        r.pairwise,
        Some((exact + small_exact) as f64 / (pairs + small_pairs) as f64)
    );
    assert!(same >= exact);
    assert_close(figures(&r), direct(&counts(&d)), "2,000 on one item");
}

#[test]
fn a_thousand_items_with_a_hundred_labels_each_give_the_same_figures_as_a_direct_count() {
    let mut draw = Draw(5);
    let mut d = Dataset::new();
    for i in 0..1_000 {
        let truth = (draw.next() % 5) as usize;
        for a in 0..100 {
            // Annotators overlap: 300 of them, 100 a item.
            let who = (i * 7 + a * 3) % 300;
            d.push(&Annotation::new(
                format!("i{i}"),
                format!("w{who:03}"),
                draw.label(truth),
            ));
        }
    }
    let r = compute(&d, &AgreementConfig::default());
    assert_close(figures(&r), direct(&counts(&d)), "1,000 x 100");
    // 100 labels an item is over 65: the budget max(2^24, 32 * 100,000) is
    // above the 4,950,000 label pairs, so everything is counted.
    assert_eq!(r.pairs, 1_000 * 4_950);
    let qualifying = r.cohen_kappa.len() as u64
        + r.cohen_kappa_truncated
            .as_ref()
            .map_or(0, |t| t.pairs_not_listed);
    assert!(qualifying > 0);
    if let Some(t) = &r.cohen_kappa_truncated {
        assert_eq!(t.annotators_not_examined, 0);
    }
    assert_live_gives(&d, &AgreementConfig::default(), &r);
}

#[test]
fn past_a_hundred_thousand_pairs_those_with_the_most_shared_items_are_listed_and_the_rest_counted()
{
    // w000..w439 label items 0..11 (12 shared items a pair: 96,580 pairs);
    // w440..w459 label items 0..10 (11 shared items with anyone: 8,990 pairs).
    let mut rows = Vec::new();
    for a in 0..460 {
        let items = if a < 440 { 12 } else { 11 };
        for i in 0..items {
            rows.push((
                format!("i{i:02}"),
                format!("w{a:03}"),
                Label::ALL[(a + i) % K],
            ));
        }
    }
    let build = |rows: &[(String, String, Label)]| {
        let mut d = Dataset::new();
        for (i, a, l) in rows {
            d.push(&Annotation::new(i.as_str(), a.as_str(), *l));
        }
        d
    };
    let r = compute(&build(&rows), &AgreementConfig::default());
    assert_eq!(r.cohen_kappa.len(), 100_000);
    let t = r.cohen_kappa_truncated.as_ref().expect("truncated");
    assert_eq!((t.pairs_not_listed, t.annotators_not_examined), (5_570, 0));
    assert!(t.reason.contains("5570 pairs"), "{}", t.reason);
    let twelve = r.cohen_kappa.iter().filter(|p| p.n == 12).count();
    assert_eq!(twelve, 96_580);
    // The 3,420 pairs with 11 shared items listed are the first by (a, b):
    // w000 with w440..w459, then w001 with them, ... (20 each): w000..w170.
    let eleven: Vec<(&str, &str)> = r
        .cohen_kappa
        .iter()
        .filter(|p| p.n == 11)
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    assert_eq!(eleven.len(), 3_420);
    assert_eq!(eleven.first(), Some(&("w000", "w440")));
    assert_eq!(eleven.last(), Some(&("w170", "w459")));
    // Sorted by (a, b), as always.
    assert!(r
        .cohen_kappa
        .windows(2)
        .all(|w| (&w[0].a, &w[0].b) < (&w[1].a, &w[1].b)));
    // Any other input order gives the same report.
    let mut shuffled = rows.clone();
    shuffled.reverse();
    shuffled.rotate_left(777);
    assert_eq!(compute(&build(&shuffled), &AgreementConfig::default()), r);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["cohen_kappa_truncated"]["pairs_not_listed"], 5_570);
}

#[test]
fn one_annotator_on_many_items_has_no_pair_and_every_figure_undefined_with_a_reason() {
    let mut d = Dataset::new();
    let mut draw = Draw(9);
    for i in 0..100_000 {
        d.push(&Annotation::new(format!("i{i}"), "w", draw.label(i % K)));
    }
    let r = compute(&d, &config(1));
    assert_eq!(r.pairs, 0);
    assert!(r.cohen_kappa.is_empty());
    assert_eq!(r.cohen_kappa_truncated, None);
    for key in ["pairwise", "fleiss_kappa", "krippendorff_alpha.ordinal"] {
        assert!(r.undefined.contains_key(key), "{key}");
    }
    assert_eq!(r.pairwise, None);
    assert_live_gives(&d, &config(1), &r);
}

#[test]
fn a_report_on_five_thousand_annotators_of_one_item_names_each_once_in_name_order() {
    let mut draw = Draw(13);
    let mut d = Dataset::new();
    for a in 0..5_000 {
        d.push(&Annotation::new("x", format!("w{a}"), draw.label(3)));
    }
    let r = prefkit::report::run(&d, &prefkit::report::ReportConfig::default());
    let ds = r.dawid_skene.as_ref().expect("Dawid-Skene ran");
    let kept = r.annotators.len() - r.filtered.annotators_removed.len();
    let names: Vec<&str> = ds.confusion.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kept > 1_000, "{kept}");
    assert_eq!(names.len(), kept);
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(r.counts.annotators, 5_000);
    assert_close(
        figures(&r.agreement),
        direct(&counts(&d)),
        "5,000 on one item",
    );
}
