//! Unit tests of the JSONL reader: line numbers, skipping and the duplicate guard.

use super::*;
use crate::Annotation;

/// Lines with blanks, a bad label, a line that is not UTF-8, a
/// duplicate id and a repeated (item, annotator) pair.
fn text() -> Vec<u8> {
    let mut lines = Vec::new();
    for i in 0..40 {
        lines.push(format!(
            "{{\"id\":\"a{}\",\"item\":\"ex-{}\",\"annotator\":\"w{}\",\"label\":\"A>\",\"time_seconds\":{}.5}}",
            i % 37,
            i / 3,
            i % 5,
            i
        ).into_bytes());
        if i % 7 == 0 {
            lines.push(Vec::new());
        }
    }
    lines[11] = b"{\"item\":\"ex-1\",\"annotator\":\"w9\",\"label\":\"A>>>\"}".to_vec();
    lines[20] = b"{\"item\":\"ex-\xff\",\"annotator\":\"w9\",\"label\":\"A>\"}".to_vec();
    lines.join(&b'\n')
}

fn summary(r: Result<Read>, kept: &[(usize, Annotation)]) -> String {
    match r {
        Ok(r) => format!(
            "{kept:?} {:?} {:?} {:?}",
            r.items.names(),
            r.annotators.names(),
            r.skipped
        ),
        Err(e) => e.to_string(),
    }
}

#[test]
fn checking_on_a_second_thread_gives_the_same_annotations_and_errors() {
    let text = text();
    for skip_invalid in [false, true] {
        let mut kept = Vec::new();
        let parsed = raw_lines(&text).map(|(n, l)| parse(n, l));
        let r = guard(
            &text,
            parsed,
            ReadOptions::skipping(skip_invalid),
            |n, a, _, _| {
                kept.push((n, Annotation::from(a)));
                Ok(())
            },
        );
        let one = summary(r, &kept);
        for chunk in [1, 3, 64] {
            let mut kept = Vec::new();
            let r = read_parallel(
                &text,
                ReadOptions::skipping(skip_invalid),
                chunk,
                |n, a, _, _| {
                    kept.push((n, Annotation::from(a)));
                    Ok(())
                },
            );
            assert_eq!(
                one,
                summary(r, &kept),
                "chunk {chunk}, skip_invalid {skip_invalid}"
            );
        }
    }
    let e = read_parallel(&text, ReadOptions::default(), 2, |_, _, _, _| Ok(()))
        .err()
        .map(|e| e.to_string());
    assert!(e.unwrap().starts_with("line 12, field \"label\""));
}
