//! A gold file (JSONL or a JSON array): reads or fails cleanly; what reads
//! writes and reads back the same, and merges into a dataset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::annotation::parse_gold;
use prefkit::Dataset;

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    let Ok(gold) = parse_gold(text) else {
        return;
    };
    for g in &gold {
        let line = serde_json::to_string(g).expect("gold writes");
        let back = parse_gold(&line).unwrap_or_else(|e| panic!("{line} does not read back: {e}"));
        assert_eq!(std::slice::from_ref(g), back.as_slice());
    }
    let mut d = Dataset::from_labels(&[("x", "w", prefkit::Label::Tie)]);
    d.set_gold(&gold);
    assert_eq!(d.gold.len(), d.items.len());
});
