//! Unit tests of the JSONL reader: line numbers, skipping and the duplicate guard.

use super::*;
use crate::Annotation;

/// Lines with blanks, a bad label, a line that is not UTF-8, a skip
/// record, a duplicate id and a repeated (item, annotator) pair.
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
    lines[30] =
        b"{\"id\":\"s1\",\"item\":\"ex-99\",\"annotator\":\"w9\",\"skip\":\"unclear\"}".to_vec();
    lines.join(&b'\n')
}

/// A kept line as the summaries compare it.
fn described(n: usize, kept: Kept<'_, '_>) -> String {
    match kept {
        Kept::Label(a, ..) => format!("{n} {:?}", Annotation::from(a)),
        Kept::Skip(s, ..) => format!("{n} {:?}", crate::annotation::Skip::from(s)),
    }
}

fn summary(r: Result<Read>, kept: &[String]) -> String {
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
    let r = take_parallel(&mut guard, text, 0, chunk, &mut |n, k| {
        kept.push(described(n, k));
        Ok(())
    })
    .and_then(|()| guard.finish());
    summary(r, &kept)
}

/// The stream reader, in blocks of `block` bytes.
fn streamed(text: &[u8], options: ReadOptions, block: usize) -> String {
    let mut kept = Vec::new();
    let r = stream::read_blocks(text, Some(text.len() as u64), options, block, |n, k| {
        kept.push(described(n, k));
        Ok(())
    });
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
            let r = read(&text, options, |n, k| {
                kept.push(described(n, k));
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
            assert_eq!(
                one.contains("unclear"),
                skip_invalid,
                "the skip record, in order"
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

#[test]
fn an_item_labelled_by_many_annotators_refuses_a_repeat_by_any_of_them() {
    // Item x takes ten labels (its first four pairs are kept with the
    // item, the rest apart), with item y's lines between; then repeats by
    // annotators of both kinds, and a skip by one who labelled.
    let mut lines = Vec::new();
    for w in 0..10 {
        lines.push(format!(r#"{{"item":"x","annotator":"w{w}","label":"A>"}}"#));
        lines.push(format!(r#"{{"item":"y","annotator":"w{w}","label":"B>"}}"#));
    }
    lines.push(r#"{"item":"x","annotator":"w2","label":"="}"#.into());
    lines.push(r#"{"item":"x","annotator":"w8","label":"="}"#.into());
    lines.push(r#"{"item":"x","annotator":"w7","skip":"unclear","id":"s1"}"#.into());
    lines.push(r#"{"item":"x","annotator":"w10","label":"="}"#.into());
    let text = lines.join("\n");
    let mut kept = Vec::new();
    let skipping = read(text.as_bytes(), ReadOptions::skipping(true), |n, k| {
        if let Kept::Label(a, ..) = k {
            kept.push((n, a.item.to_string(), a.annotator.to_string()));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(kept.len(), 21, "{kept:?}");
    assert_eq!(kept.last().unwrap(), &(24, "x".into(), "w10".into()));
    let skipped: Vec<(usize, &str)> = skipping
        .skipped
        .iter()
        .map(|s| (s.line, s.error.as_str()))
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert_eq!(skipped[0].0, 21);
    assert!(skipped[0].1.contains("line 5"), "{skipped:?}");
    assert_eq!(skipped[1].0, 22);
    assert!(skipped[1].1.contains("line 17"), "{skipped:?}");
    assert_eq!(skipped[2].0, 23);
    assert!(
        skipped[2].1.contains("labelled item \"x\" on line 15"),
        "{skipped:?}"
    );
    // With repeats allowed, all 23 labels are taken.
    let options = ReadOptions {
        skip_invalid: false,
        allow_repeats: true,
    };
    let mut n = 0;
    read(text.as_bytes(), options, |_, k| {
        n += usize::from(matches!(k, Kept::Label(..)));
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 23);
}
