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

/// The parallel path on the whole text, in chunks of `chunk` lines.
fn parallel(text: &[u8], options: ReadOptions, chunk: usize) -> String {
    let mut kept = Vec::new();
    let mut guard = Guard::new(options, 0);
    let r = take_parallel(&mut guard, text, 0, chunk, &mut |n, a, _, _| {
        kept.push((n, Annotation::from(a)));
        Ok(())
    })
    .and_then(|()| guard.finish());
    summary(r, &kept)
}

/// The stream reader, in blocks of `block` bytes.
fn streamed(text: &[u8], options: ReadOptions, block: usize) -> String {
    let mut kept = Vec::new();
    let r = stream::read_blocks(
        text,
        Some(text.len() as u64),
        options,
        block,
        |n, a, _, _| {
            kept.push((n, Annotation::from(a)));
            Ok(())
        },
    );
    summary(r, &kept)
}

#[test]
fn threads_and_blocks_give_the_same_annotations_and_errors_as_one_pass() {
    let plain = text();
    let mut text = plain.clone();
    for bom in [false, true] {
        if bom {
            text.splice(0..0, *b"\xEF\xBB\xBF");
        }
        for skip_invalid in [false, true] {
            let options = ReadOptions::skipping(skip_invalid);
            let mut kept = Vec::new();
            let r = read(&text, options, |n, a, _, _| {
                kept.push((n, Annotation::from(a)));
                Ok(())
            });
            let one = summary(r, &kept);
            assert!(
                one.contains(if skip_invalid {
                    "line 12"
                } else {
                    "line 12, field"
                }),
                "{one}"
            );
            for chunk in [1, 3, 64] {
                let text = without_bom(&text);
                assert_eq!(one, parallel(text, options, chunk), "chunk {chunk}");
            }
            for block in [1, 7, 64, 200, 1 << 20] {
                assert_eq!(
                    one,
                    streamed(&text, options, block),
                    "block {block}, bom {bom}"
                );
            }
        }
    }
    let e = parallel(&plain, ReadOptions::default(), 2);
    assert!(e.starts_with("line 12, field \"label\""), "{e}");
}

#[test]
fn a_stream_without_a_line_is_refused_like_an_empty_text() {
    for text in [&b""[..], b"\n\n  \n", b"\xEF\xBB\xBF"] {
        let e = streamed(text, ReadOptions::default(), 4);
        assert!(e.contains("the annotation file"), "{e}");
    }
}

#[test]
fn blank_or_short_lines_do_not_size_the_tables_past_the_text() {
    let blank = vec![b'\n'; 1 << 16];
    assert_eq!(most_annotations(&blank), (1 << 16) / SHORTEST_LINE + 1);
    let line = br#"{"item":"i","annotator":"a","label":"="}"#;
    assert!(line.len() >= SHORTEST_LINE);
    let ten = [&line[..], b"\n"].concat().repeat(10);
    assert_eq!(most_annotations(&ten), 11);
}
