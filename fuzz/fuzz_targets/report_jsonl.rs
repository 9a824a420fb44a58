//! The whole report on a small fuzzed file. The input is up to three parts
//! split by a `---` line: annotations (JSONL, read with `skip_invalid`),
//! gold (JSONL or a JSON array) and the report config (JSON; the defaults
//! when absent or refused). The report and the live report built from the
//! same records run without panic and hold no NaN or infinity.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::FromJson;
use prefkit::annotation::{parse_annotations_jsonl, parse_gold};
use prefkit::report::{self, LiveReport, ReportConfig};
use prefkit::Dataset;

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    let mut parts = text.splitn(3, "\n---\n");
    let annotations = parts.next().unwrap_or("");
    let gold = parts.next().map(parse_gold).and_then(Result::ok);
    let gold = gold.unwrap_or_default();
    let config = parts
        .next()
        .and_then(|c| ReportConfig::from_json(c).ok())
        .unwrap_or_default();
    let Ok(mut d) = Dataset::parse_jsonl(annotations, true) else {
        return;
    };
    d.set_gold(&gold);
    let r = report::run(&d, &config);
    prefkit_fuzz::assert_finite("report", &r);
    assert_eq!(r.counts.annotations, d.rows.len());

    let parsed = parse_annotations_jsonl(annotations, true).expect("both readers agree");
    let mut live = LiveReport::new(config, &gold).expect("a checked config");
    for a in &parsed.records {
        live.add(a).expect("a checked annotation");
    }
    let snap = live.snapshot();
    prefkit_fuzz::assert_finite("live", &snap);
    assert_eq!(snap.counts.annotations, r.counts.annotations);
    assert_eq!(snap.counts.items, r.counts.items);
    assert_eq!(snap.counts.annotators, r.counts.annotators);
});
