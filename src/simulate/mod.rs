//! Seeded simulated crowds, for benchmarks, demos and tests.
//!
//! Two uses. [`crowd`] writes a whole collection as JSONL at once (the
//! benchmarks' and the sample's data). [`CrowdSpec`] and [`Worker`] are
//! simulated annotators that answer one item at a time as a page shows it,
//! for driving a real page, session or backend: [`run`] takes a whole crowd
//! through one local session (`prefkit simulate`, the lab module's
//! `simulateCrowd`), and the element's simulation mode asks one [`Worker`]
//! what to do with each item it shows.
//!
//! Each item has a true label drawn from a fixed prior. Each annotator has an
//! accuracy: with that probability they give the true label (half the time
//! with the neighbouring strength on the same side, as real annotators blur
//! `A>>` and `A>`), otherwise a uniformly random label. Some annotators are
//! fast clickers (1-4 s an item), some prefer whichever response is shown on
//! the left. Every record says whether the pair was shown swapped and holds
//! the label as shown, so readers must un-flip it.

mod run;
mod worker;

pub use run::{run, Record, Simulation};
pub use worker::{hidden_truth, skip_reason, Act, CrowdSpec, Profile, Worker};

use crate::label::{Label, K};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// How to simulate.
#[derive(Debug, Clone)]
pub struct CrowdConfig {
    /// Number of items.
    pub items: usize,
    /// Labels per item.
    pub labels_per_item: usize,
    /// Number of annotators.
    pub annotators: usize,
    /// Share of items that are gold.
    pub gold_fraction: f64,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for CrowdConfig {
    fn default() -> Self {
        CrowdConfig {
            items: 250_000,
            labels_per_item: 4,
            annotators: 2_000,
            gold_fraction: 0.02,
            seed: 7,
        }
    }
}

/// A simulated collection as JSONL text.
pub struct Crowd {
    /// Annotations, one JSON object a line (labels as shown).
    pub annotations_jsonl: String,
    /// Gold answers, one `{"item", "label"}` a line.
    pub gold_jsonl: String,
    /// Number of annotation lines.
    pub annotations: usize,
}

pub(crate) const PRIOR: [f64; K] = [0.15, 0.25, 0.2, 0.25, 0.15];

pub(crate) fn draw(rng: &mut impl Rng, p: &[f64; K]) -> Label {
    let mut u: f64 = rng.random();
    for (i, &pi) in p.iter().enumerate() {
        if u < pi {
            return Label::ALL[i];
        }
        u -= pi;
    }
    Label::BMuchBetter
}

/// An annotator's label for an item whose true label is `truth`: with
/// probability `accuracy` the truth (three times in ten with the other
/// strength on the same side, as real annotators blur `A>>` and `A>`),
/// otherwise a uniformly random label.
pub(crate) fn answer(rng: &mut impl Rng, truth: Label, accuracy: f64) -> Label {
    if rng.random::<f64>() >= accuracy {
        return Label::ALL[(rng.random::<u32>() % K as u32) as usize];
    }
    if truth == Label::Tie || rng.random::<f64>() >= 0.3 {
        return truth;
    }
    match truth {
        Label::AMuchBetter => Label::ABetter,
        Label::ABetter => Label::AMuchBetter,
        Label::BBetter => Label::BMuchBetter,
        _ => Label::BBetter,
    }
}

/// Generates a crowd. The same config gives the same bytes on every platform.
pub fn crowd(config: &CrowdConfig) -> Crowd {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let n_ann = config.annotators.max(1);
    // Annotator profiles: accuracy, mean seconds, left bias.
    let profiles: Vec<(f64, f64, bool)> = (0..n_ann)
        .map(|_| {
            let u: f64 = rng.random();
            let accuracy = 0.35 + 0.6 * u.sqrt();
            let fast = rng.random::<f64>() < 0.05;
            let left = rng.random::<f64>() < 0.03;
            (
                accuracy,
                if fast {
                    2.5
                } else {
                    12.0 + 20.0 * rng.random::<f64>()
                },
                left,
            )
        })
        .collect();
    let mut out = String::with_capacity(config.items * config.labels_per_item * 130);
    let mut gold = String::new();
    let mut count = 0;
    let mut next_annotator = 0usize;
    for i in 0..config.items {
        let truth = draw(&mut rng, &PRIOR);
        if rng.random::<f64>() < config.gold_fraction {
            let _ = writeln!(gold, "{{\"item\":\"ex-{i}\",\"label\":\"{truth}\"}}");
        }
        // Annotators step forward 1-3 places per label, so an item never
        // sees the same annotator twice while n_ann >= 3 x labels_per_item.
        for _ in 0..config.labels_per_item.min(n_ann) {
            let a = next_annotator % n_ann;
            next_annotator += 1 + (rng.random::<u32>() % 3) as usize;
            let (accuracy, mean_time, left_biased) = profiles[a];
            let swapped = rng.random::<bool>();
            let label = answer(&mut rng, truth, accuracy);
            let mut shown = label.unflip(swapped);
            if left_biased && rng.random::<f64>() < 0.7 {
                shown = Label::ABetter;
            }
            let time = mean_time * (0.5 + rng.random::<f64>());
            let _ = writeln!(
                out,
                "{{\"id\":\"a{count}\",\"item\":\"ex-{i}\",\"annotator\":\"w{a}\",\"label\":\"{shown}\",\"swapped\":{swapped},\"time_seconds\":{time:.1},\"timestamp\":{}}}",
                1_764_000_000 + count as u64
            );
            count += 1;
        }
    }
    Crowd {
        annotations_jsonl: out,
        gold_jsonl: gold,
        annotations: count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;

    #[test]
    fn the_same_seed_gives_the_same_crowd_and_every_line_reads_back() {
        let c = CrowdConfig {
            items: 300,
            annotators: 40,
            ..CrowdConfig::default()
        };
        let a = crowd(&c);
        assert_eq!(a.annotations_jsonl, crowd(&c).annotations_jsonl);
        let d = Dataset::parse_jsonl(&a.annotations_jsonl, false).unwrap();
        assert_eq!(d.rows.len(), 1200);
        assert_eq!(a.annotations, 1200);
        assert!(crate::annotation::parse_gold(&a.gold_jsonl).is_ok());
    }
}
