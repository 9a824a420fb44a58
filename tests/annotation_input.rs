//! What the one annotation reader refuses, and how it says so: every
//! message names the line and the field, and echoes at most a short prefix
//! of the value. The limits are those of the README's "Data formats".

use prefkit::annotation::{parse_annotations_jsonl, parse_gold};
use prefkit::{Annotation, Dataset, FromJson};

/// The message for a one-line file, from both readers (they must agree).
fn refused(line: &str) -> String {
    let owned = parse_annotations_jsonl(line, false)
        .unwrap_err()
        .to_string();
    let interned = Dataset::parse_jsonl(line, false).unwrap_err().to_string();
    assert_eq!(owned, interned);
    owned
}

/// A valid line with `extra` fields added after the required ones.
fn line(extra: &str) -> String {
    format!(r#"{{"item":"x","annotator":"w","label":"A>"{extra}}}"#)
}

#[test]
fn a_line_with_the_label_twice_is_refused_with_its_line_and_field() {
    let text = format!(
        "{}\n{}",
        line(""),
        r#"{"item":"y","annotator":"w","label":"A>","label":"B>>"}"#
    );
    assert_eq!(
        refused(&text),
        "line 2, field \"label\": given twice; a field may appear only once"
    );
}

#[test]
fn a_dimension_given_twice_is_refused_by_name() {
    let e = refused(&line(
        r#","dimensions":{"helpfulness":"A>","helpfulness":"B>"}"#,
    ));
    assert_eq!(
        e,
        "line 1, field \"dimensions.helpfulness\": given twice; a field may appear only once"
    );
}

#[test]
fn an_unknown_field_is_still_ignored_but_not_given_twice() {
    let a = Annotation::from_json(&line(r#","colour":"red""#)).unwrap();
    assert_eq!(a.item, "x");
    // As in every JSON text prefkit reads, a key may appear only once.
    let e = refused(&line(r#","colour":"red","colour":"blue""#));
    assert!(e.contains("field \"colour\": given twice"), "{e}");
}

#[test]
fn an_id_longer_than_256_bytes_is_refused_and_echoed_only_in_part() {
    let id = "a".repeat(500_000);
    let e = refused(&line(&format!(r#","id":"{id}""#)));
    assert!(
        e.starts_with("line 1, field \"id\": longer than 256 bytes (500000 bytes, starting \"aaaa"),
        "{e}"
    );
    assert!(e.len() < 200, "{}", e.len());
    assert!(Annotation::from_json(&line(&format!(r#","id":"{}""#, "a".repeat(256)))).is_ok());
}

#[test]
fn ids_with_control_characters_are_refused() {
    for (field, value) in [
        ("annotator", "w\u{0}"),
        ("item", "x\ny"),
        ("id", "a\u{7f}"),
        ("task_id", "t\u{85}t"),
    ] {
        let mut v = serde_json::json!({"id": "a", "item": "x", "annotator": "w", "label": "A>"});
        v[field] = value.into();
        let e = refused(&v.to_string());
        assert!(
            e.starts_with(&format!(
                "line 1, field \"{field}\": contains a control character (U+"
            )),
            "{e}"
        );
    }
}

#[test]
fn ids_with_leading_or_trailing_whitespace_are_refused() {
    for value in [" w", "w ", "w\u{3000}", "\u{a0}w"] {
        let e = refused(&format!(
            r#"{{"item":"x","annotator":"{value}","label":"A>"}}"#
        ));
        assert!(
            e.starts_with("line 1, field \"annotator\": must not start or end with whitespace"),
            "{e}"
        );
    }
    let e = refused(r#"{"item":"  ","annotator":"w","label":"A>"}"#);
    assert_eq!(e, "line 1, field \"item\": must not be empty");
}

#[test]
fn ids_with_zero_width_or_format_characters_are_refused() {
    for c in [
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}', '\u{2060}', '\u{202E}',
    ] {
        let e = refused(&format!(
            r#"{{"item":"x{c}y","annotator":"w","label":"A>"}}"#
        ));
        assert_eq!(
            e,
            format!(
                "line 1, field \"item\": contains an invisible character (U+{:04X}); ids must be plain visible text",
                u32::from(c)
            )
        );
    }
}

#[test]
fn a_long_client_version_and_too_many_dimensions_are_refused() {
    let e = refused(&line(&format!(
        r#","client_version":"{}""#,
        "1".repeat(257)
    )));
    assert!(
        e.starts_with("line 1, field \"client_version\": longer than 256 bytes"),
        "{e}"
    );
    let dims: Vec<String> = (0..33).map(|i| format!("\"d{i}\":\"A>\"")).collect();
    let e = refused(&line(&format!(r#","dimensions":{{{}}}"#, dims.join(","))));
    assert_eq!(
        e,
        "line 1, field \"dimensions\": at most 32 dimensions, got 33"
    );
    let dims: Vec<String> = (0..32).map(|i| format!("\"d{i}\":\"A>\"")).collect();
    let a = Annotation::from_json(&line(&format!(r#","dimensions":{{{}}}"#, dims.join(","))));
    assert_eq!(a.unwrap().dimensions.len(), 32);
}

#[test]
fn a_timestamp_before_1970_or_after_year_9999_is_refused() {
    for t in ["-1", "253402300800", "1764000000000", "1e300"] {
        let e = refused(&line(&format!(r#","timestamp":{t}"#)));
        assert!(
            e.starts_with("line 1, field \"timestamp\": expected Unix seconds from 0 to 253402300799 (the end of year 9999), got"),
            "{e}"
        );
    }
    assert!(Annotation::from_json(&line(r#","timestamp":253402300799"#)).is_ok());
}

#[test]
fn a_time_above_a_day_or_negative_is_refused() {
    for t in ["-1", "86400.5", "1.7e308"] {
        let e = refused(&line(&format!(r#","time_seconds":{t}"#)));
        assert!(
            e.starts_with("line 1, field \"time_seconds\": expected a number of seconds from 0 to 86400 (a day), got"),
            "{e}"
        );
    }
    let a = Annotation::from_json(&line(r#","time_seconds":86400"#)).unwrap();
    assert_eq!(a.time_seconds, Some(86_400.0));
}

#[test]
fn a_line_that_is_not_utf8_is_refused_with_its_number_or_skipped() {
    let mut text = line("").into_bytes();
    text.extend_from_slice(b"\n{\"item\":\"x\xff\",\"annotator\":\"w2\",\"label\":\"A>\"}\n");
    text.extend_from_slice(line(r#","id":"z""#).replace("\"w\"", "\"w3\"").as_bytes());
    let e = Dataset::parse_jsonl(&text, false).unwrap_err().to_string();
    assert_eq!(e, "line 2: not valid UTF-8 text (at byte 11 of the line)");
    let e2 = parse_annotations_jsonl(&text, false)
        .unwrap_err()
        .to_string();
    assert_eq!(e, e2);
    let d = Dataset::parse_jsonl(&text, true).unwrap();
    assert_eq!(d.rows.len(), 2);
    assert_eq!(d.skipped.len(), 1);
    assert_eq!(d.skipped[0].line, 2);
}

#[test]
fn a_byte_order_mark_is_ignored_by_every_reader() {
    let text = format!("\u{feff}{}", line(""));
    assert!(Annotation::from_json(&text).is_ok());
    assert_eq!(Dataset::parse_jsonl(&text, false).unwrap().rows.len(), 1);
    let gold = parse_gold("\u{feff}{\"item\":\"g\",\"label\":\"A>\"}").unwrap();
    assert_eq!(gold[0].item, "g");
    let c = prefkit::report::ReportConfig::from_json("\u{feff}{}").unwrap();
    assert_eq!(c, prefkit::report::ReportConfig::default());
}

#[test]
fn json_errors_name_the_column_of_the_line() {
    let e = refused(r#"{"item":"x","annotator":"w" "label":"A>"}"#);
    assert_eq!(
        e,
        "line 1: not valid JSON: expected `,` or `}` at column 29"
    );
}
