//! A gold file (JSONL or a JSON array): reads or fails cleanly; what reads
//! writes and reads back the same, and merges into a dataset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::annotation::{gold_from_value, parse_gold};
use prefkit::Dataset;

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    if text.len() > prefkit_fuzz::MAX_LEN {
        return;
    }
    let Ok(gold) = parse_gold(text) else {
        return;
    };
    for g in &gold {
        let v = serde_json::to_value(g).expect("gold writes");
        let back = gold_from_value(&v).unwrap_or_else(|e| panic!("{v} does not read back: {e}"));
        assert_eq!(g, &back);
    }
    let mut d = Dataset::from_labels(&[("x", "w", prefkit::Label::Tie)]);
    d.set_gold(&gold);
    assert_eq!(d.gold.len(), d.items.len());
});
