//! Times every agreement figure on the seeded simulated crowd of
//! `prefkit::simulate` (by default 250,000 items x 4 labels from 2,000
//! annotators of varied accuracy: 1,000,000 labels), in batch and live.
//!
//! Run: `cargo run --release --example agreement_speed [items]`

use prefkit::agreement::{compute, live::LiveAgreement, AgreementConfig};
use prefkit::simulate::{self, CrowdConfig};
use prefkit::Dataset;
use std::time::Instant;

fn main() {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(250_000);
    let crowd = simulate::crowd(&CrowdConfig {
        items,
        ..CrowdConfig::default()
    });
    let data =
        Dataset::parse_jsonl(&crowd.annotations_jsonl, false).expect("simulated data parses");
    println!(
        "{} labels, {} items, {} annotators (prefkit::simulate, default seed)",
        data.rows.len(),
        data.items.len(),
        data.annotators.len()
    );

    // The best of a few runs: the machine may be shared.
    for (min_shared, runs) in [(10, 5), (1, 3)] {
        let config = AgreementConfig {
            min_shared,
            ci: None,
        };
        let mut best = f64::INFINITY;
        let mut report = None;
        for _ in 0..runs {
            let t = Instant::now();
            report = Some(compute(&data, &config));
            best = best.min(t.elapsed().as_secs_f64());
        }
        let report = report.unwrap_or_default();
        println!(
            "batch, min_shared {min_shared:>2}: {:>7.1} ms best of {runs}  (alpha ordinal {:.6}, fleiss {:.6}, {} cohen pairs)",
            best * 1e3,
            report.krippendorff_alpha.ordinal.unwrap_or(f64::NAN),
            report.fleiss_kappa.unwrap_or(f64::NAN),
            report.cohen_kappa.len()
        );
    }

    let t = Instant::now();
    let live = LiveAgreement::from_dataset(&data).expect("one label per annotator and item");
    let add = t.elapsed().as_secs_f64();
    println!(
        "live, {} adds:     {:>7.1} ms  ({:.0} ns per label)",
        live.len(),
        add * 1e3,
        add * 1e9 / live.len() as f64
    );
    let config = AgreementConfig::default();
    let t = Instant::now();
    let snap = live.snapshot(&config);
    println!(
        "live snapshot:          {:>7.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(snap, compute(&data, &config), "live and batch must agree");
    let a = &snap.krippendorff_alpha;
    println!(
        "alpha nominal {:?}, ordinal {:?}, interval {:?}; fleiss {:?}; pairwise {:?}",
        a.nominal, a.ordinal, a.interval, snap.fleiss_kappa, snap.pairwise
    );
}
