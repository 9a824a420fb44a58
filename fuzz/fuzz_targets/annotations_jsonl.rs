//! A whole annotation file: `parse_annotations_jsonl` and
//! `Dataset::parse_jsonl` (its interning twin) must agree, with and without
//! `skip_invalid`: the same error, or the same records, lines and skips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::annotation::parse_annotations_jsonl;
use prefkit::Dataset;

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    for skip in [false, true] {
        let owned = parse_annotations_jsonl(text, skip);
        let interned = Dataset::parse_jsonl(text, skip);
        match (&owned, &interned) {
            (Ok(p), Ok(d)) => {
                assert_eq!(p.records.len(), d.rows.len(), "record counts differ");
                assert_eq!(p.records.len(), p.lines.len());
                assert_eq!(p.skipped, d.skipped, "skipped lines differ");
                let built = Dataset::from_annotations(&p.records, &[]);
                assert_eq!(built.rows, d.rows, "rows differ");
                assert_eq!(built.items.names(), d.items.names());
                assert_eq!(built.annotators.names(), d.annotators.names());
                assert_eq!(d.gold.len(), d.items.len());
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "errors differ"),
            _ => panic!("one reader accepts, the other refuses: {owned:?} / {interned:?}"),
        }
    }
});
