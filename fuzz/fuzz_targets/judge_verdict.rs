//! A judge's answer text: `parse_verdict` never panics, says why when it
//! reads nothing, and its hedging confidence lies in 0..=1. Thinking regions
//! are ordered byte ranges of the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::judge::thinking::thinking_regions;
use prefkit::judge::verdict::find_verdicts;
use prefkit::judge::{hedging_confidence, parse_verdict, Verdict};

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    let regions = thinking_regions(text);
    let mut last = 0;
    for &(start, end) in &regions {
        assert!(
            last <= start && start <= end && end <= text.len(),
            "{regions:?}"
        );
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        last = end;
    }
    let _ = find_verdicts(text);
    let v = parse_verdict(text);
    match &v {
        Verdict::Parsed { verdicts_found, .. } => assert!(*verdicts_found >= 1),
        Verdict::Unparsed { reason, .. } => assert!(!reason.is_empty()),
    }
    let c = hedging_confidence(&v);
    assert!((0.0..=1.0).contains(&c), "hedging confidence {c}");
    serde_json::to_string(&v).expect("a verdict writes");
});
