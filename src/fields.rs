//! Field-by-field reading of JSON objects, so that every message names the
//! full path of the field at fault (`config.batch_size`, `examples[3].id`).

use crate::error::{Error, Result};
use crate::json::kind;
use crate::label::Label;
use crate::map::LiteMap;
use serde_json::{Map, Value};

/// A JSON object being read, with the path that leads to it.
pub(crate) struct Fields<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
}

/// `value` shown in a message: numbers and short strings as themselves,
/// anything else by its kind.
pub(crate) fn shown(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => crate::json::quoted(s),
        other => kind(other).to_string(),
    }
}

/// A number for a message: whole numbers as integers (`5`), others as
/// JSON writes them (`0.5`, `1e-10`), so messages show numbers as the
/// input did.
pub(crate) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return (x as i64).to_string();
    }
    match serde_json::Number::from_f64(x) {
        Some(n) => n.to_string(),
        None if x.is_nan() => "NaN".into(),
        None if x > 0.0 => "infinity".into(),
        None => "-infinity".into(),
    }
}

fn label_at(v: &Value, path: &str) -> Result<Label> {
    match v {
        Value::String(s) => Label::parse(s).map_err(|e| e.in_field(path)),
        other => Err(Error::invalid(
            path,
            format!("expected a label string, got {}", shown(other)),
        )),
    }
}

impl<'a> Fields<'a> {
    /// Reads `value` as an object at `path` (empty for the top level).
    pub fn new(value: &'a Value, path: &str) -> Result<Fields<'a>> {
        match value.as_object() {
            Some(map) => Ok(Fields {
                map,
                path: path.to_string(),
            }),
            None if path.is_empty() => Err(Error::NotJson {
                message: format!("expected a JSON object, got {}", kind(value)),
                at: Default::default(),
            }),
            None => Err(Error::invalid(
                path,
                format!("expected an object, got {}", kind(value)),
            )),
        }
    }

    /// The full path of `key`.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Refuses the first key not in `allowed`, by name.
    pub fn only(&self, allowed: &[&str]) -> Result<()> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(Error::invalid(
                self.path_of(k),
                format!("unknown key; expected one of {}", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// The value of `key`, treating JSON `null` as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string that must be present and not blank.
    pub fn required_str(&self, key: &str) -> Result<String> {
        match self.optional_str(key)? {
            Some(s) if s.trim().is_empty() => {
                Err(Error::invalid(self.path_of(key), "must not be empty"))
            }
            Some(s) => Ok(s),
            None => Err(Error::missing(self.path_of(key))),
        }
    }

    /// A string, if present.
    pub fn optional_str(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Error::invalid(
                self.path_of(key),
                format!("expected a string, got {}", shown(other)),
            )),
        }
    }

    /// A boolean, `default` when absent.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        Ok(self.optional_bool(key)?.unwrap_or(default))
    }

    /// A boolean, if present.
    pub fn optional_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::invalid(
                self.path_of(key),
                format!("expected true or false, got {}", shown(other)),
            )),
        }
    }

    /// A number, if present (range checks are the caller's).
    pub fn optional_number(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| {
                Error::invalid(
                    self.path_of(key),
                    format!("expected a number, got {}", shown(v)),
                )
            }),
        }
    }

    /// A label in either form (`A>`, `A>B`).
    pub fn label(&self, key: &str) -> Result<Option<Label>> {
        self.get(key)
            .map(|v| label_at(v, &self.path_of(key)))
            .transpose()
    }

    /// An object of labels (`dimensions`), empty when absent.
    pub fn labels(&self, key: &str) -> Result<LiteMap<String, Label>> {
        let mut out = LiteMap::new();
        if let Some(v) = self.get(key) {
            let d = Fields::new(v, &self.path_of(key))?;
            for (k, v) in d.map {
                out.insert(k.clone(), label_at(v, &d.path_of(k))?);
            }
        }
        Ok(out)
    }

    /// An integer `>= min`, `default` when absent.
    pub fn int_or(&self, key: &str, default: u64, min: u64) -> Result<u64> {
        let Some(v) = self.get(key) else {
            return Ok(default);
        };
        let what = if min == 0 {
            "a non-negative integer"
        } else {
            "a positive integer"
        };
        match v.as_u64() {
            Some(n) if n >= min => Ok(n),
            _ => Err(Error::invalid(
                self.path_of(key),
                format!("expected {what}, got {}", shown(v)),
            )),
        }
    }

    /// Any finite number, `default` when absent.
    pub fn number_or(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() => Ok(x),
                _ => Err(Error::invalid(
                    self.path_of(key),
                    format!("expected a number, got {}", shown(v)),
                )),
            },
        }
    }

    /// An integer from `min` to `u32::MAX`, `default` when absent.
    pub fn u32_or(&self, key: &str, default: u32, min: u32) -> Result<u32> {
        let n = self.int_or(key, u64::from(default), u64::from(min))?;
        u32::try_from(n).map_err(|_| {
            Error::invalid(
                self.path_of(key),
                format!("expected at most {}, got {n}", u32::MAX),
            )
        })
    }

    /// A finite number in `[lo, hi]` (`hi_open`: `[lo, hi)`), `default` when absent.
    pub fn number_in(
        &self,
        key: &str,
        default: f64,
        lo: f64,
        hi: f64,
        hi_open: bool,
    ) -> Result<f64> {
        let Some(v) = self.get(key) else {
            return Ok(default);
        };
        let close = if hi_open { ")" } else { "]" };
        let range = if hi.is_infinite() {
            format!("a number >= {}", num(lo))
        } else {
            format!("a number in [{}, {}{close}", num(lo), num(hi))
        };
        match v.as_f64() {
            Some(x) if x >= lo && (x < hi || (!hi_open && x == hi)) && x.is_finite() => Ok(x),
            _ => Err(Error::invalid(
                self.path_of(key),
                format!("expected {range}, got {}", shown(v)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_in_messages_read_as_written() {
        assert_eq!(num(5.0), "5");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(0.6), "0.6");
        assert_eq!(num(1e-10), "1e-10");
        assert_eq!(num(1.5e300), "1.5e+300");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::INFINITY), "infinity");
        assert_eq!(num(f64::NEG_INFINITY), "-infinity");
    }
}
