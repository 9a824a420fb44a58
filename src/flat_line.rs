//! A hand-rolled reader for the flat annotation lines prefkit itself writes
//! (`{"id":"a0","item":"ex-0","annotator":"w0","label":"A>","swapped":false,
//! "time_seconds":24.5,"timestamp":1764000000}`): one object of plain
//! strings, simple numbers, booleans and nulls.
//!
//! It is only a shortcut. Whenever a line steps outside that shape (escapes
//! in a string, exponents, negative or long numbers, nested values, a key
//! given twice, a required field that is not a string, anything malformed)
//! it answers `None` and the caller reads the line with `serde_json`, so
//! results and messages are those of the typed serde reader by
//! construction. Where it answers `Some`, the result equals what
//! `serde_json::from_str::<RawAnnotation>` gives (a property test checks it).

use crate::annotation::RawAnnotation;
use std::borrow::Cow;

/// One scalar JSON value in the simple shape.
enum Value<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Null,
}

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// A string with no escapes and no control characters; the cursor is
    /// on its opening quote.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let bytes = self.text.as_bytes();
        loop {
            match *bytes.get(self.pos)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.pos += 1,
            }
        }
        let s = self.text.get(start..self.pos)?;
        self.pos += 1;
        Some(s)
    }

    /// A non-negative number of at most 15 digits with an optional
    /// fraction and no exponent: `m / 10^k` with `m` and `10^k` exact, so
    /// the one division is correctly rounded, as serde_json's is.
    fn number(&mut self) -> Option<f64> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut m: u64 = 0;
        let mut digits = 0;
        while let Some(d @ b'0'..=b'9') = bytes.get(self.pos).copied() {
            m = m * 10 + u64::from(d - b'0');
            digits += 1;
            self.pos += 1;
            if digits > 15 {
                return None;
            }
        }
        let int_digits = self.pos - start;
        // JSON has no leading zeros ("012").
        if int_digits == 0 || (int_digits > 1 && bytes[start] == b'0') {
            return None;
        }
        let mut k = 0;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            while let Some(d @ b'0'..=b'9') = bytes.get(self.pos).copied() {
                m = m * 10 + u64::from(d - b'0');
                digits += 1;
                k += 1;
                self.pos += 1;
                if digits > 15 {
                    return None;
                }
            }
            if k == 0 {
                return None;
            }
        }
        match self.peek() {
            Some(b'e' | b'E') => None,
            _ if k == 0 => Some(m as f64),
            _ => Some(m as f64 / POW10[k]),
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Option<Value<'a>> {
        let end = self.pos + word.len();
        (self.text.as_bytes().get(self.pos..end)? == word.as_bytes()).then(|| {
            self.pos = end;
            value
        })
    }

    fn value(&mut self) -> Option<Value<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Value::Str),
            b'0'..=b'9' => self.number().map(Value::Num),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => None,
        }
    }
}

fn opt_str(v: Value<'_>) -> Option<Option<Cow<'_, str>>> {
    match v {
        Value::Str(s) => Some(Some(Cow::Borrowed(s))),
        Value::Null => Some(None),
        _ => None,
    }
}

fn opt_num(v: Value<'_>) -> Option<Option<f64>> {
    match v {
        Value::Num(x) => Some(Some(x)),
        Value::Null => Some(None),
        _ => None,
    }
}

/// Reads a line of the simple shape, or `None` to leave it to serde_json.
pub(crate) fn read(line: &str) -> Option<RawAnnotation<'_>> {
    let mut c = Cursor { text: line, pos: 0 };
    let mut seen = 0u16;
    let mut raw = RawAnnotation::default();
    let (mut item, mut annotator, mut label) = (None, None, None);
    c.skip_ws();
    c.eat(b'{')?;
    c.skip_ws();
    loop {
        let key = c.string()?;
        c.skip_ws();
        c.eat(b':')?;
        c.skip_ws();
        let v = c.value()?;
        let bit = match key {
            "id" => {
                raw.id = opt_str(v)?;
                1
            }
            "task_id" => {
                raw.task_id = opt_str(v)?;
                2
            }
            "item" => {
                item = Some(match v {
                    Value::Str(s) => s,
                    _ => return None,
                });
                4
            }
            "annotator" => {
                annotator = Some(match v {
                    Value::Str(s) => s,
                    _ => return None,
                });
                8
            }
            "label" => {
                label = Some(match v {
                    Value::Str(s) => s,
                    _ => return None,
                });
                16
            }
            "time_seconds" => {
                raw.time_seconds = opt_num(v)?;
                32
            }
            "swapped" => {
                raw.swapped = match v {
                    Value::Bool(b) => Some(b),
                    Value::Null => None,
                    _ => return None,
                };
                64
            }
            "dimensions" => match v {
                Value::Null => 128,
                _ => return None,
            },
            "timestamp" => {
                raw.timestamp = opt_num(v)?;
                256
            }
            "client_version" => {
                raw.client_version = opt_str(v)?;
                512
            }
            "label_order" => {
                raw.label_order = opt_str(v)?;
                1024
            }
            // serde ignores unknown fields.
            _ => 0,
        };
        // serde refuses a field given twice.
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        c.skip_ws();
        match c.peek()? {
            b',' => {
                c.pos += 1;
                c.skip_ws();
            }
            b'}' => {
                c.pos += 1;
                break;
            }
            _ => return None,
        }
    }
    c.skip_ws();
    if c.pos != line.len() {
        return None;
    }
    raw.item = Cow::Borrowed(item?);
    raw.annotator = Cow::Borrowed(annotator?);
    raw.label = Cow::Borrowed(label?);
    Some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::{check_line, check_line_serde};
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "id",
        "task_id",
        "item",
        "annotator",
        "label",
        "time_seconds",
        "swapped",
        "dimensions",
        "timestamp",
        "client_version",
        "label_order",
        "extra",
        "it\\u0065m",
        "",
    ];
    const VALUES: &[&str] = &[
        "\"ex-1\"",
        "\"w3\"",
        "\"A>\"",
        "\"B>>\"",
        "\"=\"",
        "\"A>>>\"",
        "\"\"",
        "\" \"",
        "\"canonical\"",
        "\"shown\"",
        "\"a\\\"b\"",
        "\"é\"",
        "0",
        "7",
        "24.5",
        "0.1",
        "012",
        "1.",
        "1e3",
        "-1",
        "-0",
        "0.30000000000000004",
        "123456789012345",
        "1234567890123456",
        "99999999999999999999",
        "true",
        "false",
        "null",
        "tru",
        "{}",
        "{\"helpfulness\":\"A>>\"}",
        "[1]",
    ];
    const GAPS: &[&str] = &["", "", "", " ", "\t", "  "];

    /// A random line from pieces of the simple shape and its near misses.
    fn line() -> impl Strategy<Value = String> {
        let field = (0..KEYS.len(), 0..VALUES.len(), 0..GAPS.len(), 0..GAPS.len());
        (
            prop::collection::vec(field, 0..9),
            any::<bool>(),
            prop::sample::select(vec!["", "", "", " ", "x", ",", "}"]),
        )
            .prop_map(|(fields, core, tail)| {
                // Mostly lines with the three required fields, some without.
                let mut parts: Vec<String> = if core {
                    vec![
                        "\"item\":\"x\"".into(),
                        "\"annotator\":\"w\"".into(),
                        "\"label\":\"A>\"".into(),
                    ]
                } else {
                    Vec::new()
                };
                for (k, v, g1, g2) in fields {
                    parts.push(format!(
                        "\"{}\"{}:{}{}",
                        KEYS[k], GAPS[g1], GAPS[g2], VALUES[v]
                    ));
                }
                format!("{{{}}}{tail}", parts.join(","))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_shortcut_reads_what_serde_reads(line in line()) {
            if let Some(raw) = read(&line) {
                let typed = serde_json::from_str::<RawAnnotation>(&line);
                prop_assert!(typed.is_ok(), "serde refused {line}");
                prop_assert_eq!(typed.ok(), Some(raw));
            }
        }

        #[test]
        fn checking_a_line_gives_the_serde_result_and_message(line in line()) {
            let fast = check_line(&line).map(|c| c.into_owned()).map_err(|e| e.to_string());
            let serde = check_line_serde(&line).map(|c| c.into_owned()).map_err(|e| e.to_string());
            prop_assert_eq!(fast, serde);
        }
    }

    #[test]
    fn the_shape_prefkit_writes_takes_the_shortcut() {
        let line = r#"{"id":"a2","item":"ex-0","annotator":"w6","label":"A>","swapped":true,"time_seconds":19.2,"timestamp":1764000002}"#;
        let raw = read(line).expect("simple shape");
        assert_eq!(raw.time_seconds, Some(19.2));
        assert_eq!(raw.timestamp, Some(1764000002.0));
        assert_eq!(raw.swapped, Some(true));
        assert_eq!(raw.id.as_deref(), Some("a2"));
        assert_eq!(serde_json::from_str::<RawAnnotation>(line).ok(), Some(raw));
    }

    #[test]
    fn anything_unusual_is_left_to_serde() {
        for line in [
            r#"{"item":"x","annotator":"w","label":"A>","time_seconds":1e3}"#,
            r#"{"item":"x","annotator":"w","label":"A\u003e"}"#,
            r#"{"item":"x","annotator":"w","label":"A>","item":"y"}"#,
            r#"{"item":"x","annotator":"w","label":"A>","time_seconds":-0}"#,
            r#"{"item":"x","annotator":"w","label":"A>","dimensions":{"h":"A>"}}"#,
            r#"{"item":"x","annotator":"w","label":"A>"} x"#,
            r#"{"item":3,"annotator":"w","label":"A>"}"#,
        ] {
            assert!(read(line).is_none(), "{line}");
        }
    }
}
