//! Reading JSON text: the one [`FromJson::from_json`] of every type read
//! from text, and the pieces every reader's messages share.
//!
//! A type says what its text is called in messages ([`FromJson::WHAT`]),
//! which borrowed serde form the text is parsed into ([`FromJson::Raw`]:
//! `serde_json::Value` for the readers that walk fields by name, a typed
//! struct otherwise) and how that form is checked ([`FromJson::from_raw`]).
//! `from_json` itself strips a leading byte order mark, parses, and turns a
//! serde_json error into an [`Error`] that names the column (and the line,
//! in text of several lines) and, for a key given twice, the field.

use crate::error::{Error, Location, Result};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// A type read from JSON text, checked field by field.
pub trait FromJson: Sized {
    /// What the text is, for messages ("task", "report config"); empty for
    /// one annotation, whose messages are about a line of a file.
    const WHAT: &'static str;

    /// The form the text is parsed into before its checks.
    type Raw<'a>: Deserialize<'a>;

    /// Checks the parsed form and builds the value.
    fn from_raw(raw: Self::Raw<'_>) -> Result<Self>;

    /// Reads one JSON text (a leading byte order mark is ignored).
    fn from_json(text: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw = serde_json::from_str(text).map_err(|e| error(&e, Self::WHAT))?;
        Self::from_raw(raw)
    }
}

/// Implements [`FromJson`] for a type that is read field by field by its
/// own `from_value(&Value) -> Result<Self>`: the text is parsed into a
/// [`Strict`] value (a key given twice refused), then `from_value` checks it.
/// `$what` names the text in messages.
macro_rules! from_json_by_fields {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        impl $crate::json::FromJson for $ty {
            const WHAT: &'static str = $what;
            type Raw<'a> = $crate::json::Strict;
            fn from_raw(raw: $crate::json::Strict) -> $crate::error::Result<$ty> {
                $ty::from_value(&raw.0)
            }
        }
    };
}
pub(crate) use from_json_by_fields;

/// A JSON value whose objects were read with every key checked: a key
/// given twice anywhere is refused, naming it (serde_json's own `Value`
/// would keep the last one, so `{"overlap": 3, "overlap": 1}` would be read
/// as 1). The form every reader that walks fields by name parses into:
/// tasks, configs, batches, gold, requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Strict(pub Value);

impl Strict {
    /// Parses JSON text (a leading byte order mark is ignored).
    pub fn parse(text: &str, what: &str) -> Result<Value> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        serde_json::from_str::<Strict>(text)
            .map(|s| s.0)
            .map_err(|e| error(&e, what))
    }
}

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E>(self, x: f64) -> std::result::Result<Value, E> {
        // JSON text holds no NaN or infinity.
        Ok(Number::from_f64(x).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> std::result::Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "field {} given twice; a field may appear only once",
                    quoted(&key)
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A serde_json error as the core's [`Error`]: "not valid JSON" with its
/// column (and line, when the text has several).
pub(crate) fn error(e: &serde_json::Error, what: &str) -> Error {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(position.as_str()).unwrap_or(&full);
    let at = match (e.line(), e.column()) {
        (0, _) => String::new(),
        (1, c) => format!(" at column {c}"),
        (l, c) => format!(" at line {l} column {c}"),
    };
    let message = match (e.classify(), what) {
        (serde_json::error::Category::Data, "") => format!("{message}{at}"),
        (serde_json::error::Category::Data, what) => format!("not a valid {what}: {message}{at}"),
        (_, "") => format!("not valid JSON: {message}{at}"),
        (_, what) => format!("{what} is not valid JSON: {message}{at}"),
    };
    Error::NotJson {
        message,
        at: Location::default(),
    }
}

/// A short name for the JSON type of `v`, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// At most the first 40 characters of `text`, quoted, for a message: a
/// refused value is never echoed whole (it may be half a megabyte), and
/// control and invisible characters are written as `\u{...}` escapes.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars();
    for c in chars.by_ref().take(40) {
        if c.is_control() || crate::annotation::line::is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    if chars.next().is_some() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_echoed_as_a_short_prefix() {
        assert_eq!(quoted("w3"), "\"w3\"");
        let long = "x".repeat(500_000);
        assert_eq!(quoted(&long), format!("\"{}\"...", "x".repeat(40)));
        assert_eq!(quoted("a\nb\u{200b}"), "\"a\\u{a}b\\u{200b}\"");
    }

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth_and_values_read_as_serde_json_reads_them() {
        let e = Strict::parse(r#"{"config": {"overlap": 3, "overlap": 1}}"#, "task")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "not a valid task: field \"overlap\" given twice; a field may appear only once at column 35"
        );
        let e = Strict::parse("[{\"a\": 1}, {\"b\": 2, \"b\": 2}]", "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("field \"b\" given twice"), "{e}");
        let text =
            r#"{"a": [1, -2, 3.5, 1e300, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#;
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(Strict::parse(text, "").unwrap(), v);
        assert_eq!(
            Strict::parse("\u{feff}{}", "").unwrap(),
            serde_json::json!({})
        );
    }
}
