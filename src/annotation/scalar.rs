//! The serde side of [`Line`]: each field is read into a [`Scalar`]
//! (whatever JSON value it holds, strings borrowed from the input where
//! they have no escapes), so that the checks, not serde, say what is wrong
//! with a value, by field name.
//!
//! `Line` is read with one visitor over `deserialize_any`, like every
//! value in it, rather than a derived one, and it never fails on content:
//! a value that is not an object, or a key given twice, is recorded in the
//! `Line` for [`Line::check`] to refuse by name. serde is then left only
//! JSON syntax to report, and the wasm modules hold one instance of
//! serde_json's parser for annotations, with no path to serde's
//! "invalid type: floating point `1.5`" messages (core's float formatting
//! alone is about 15 KB of the annotator's module).

use super::line::Line;
use crate::fields::num;
use crate::json::quoted;
use serde::de::{Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One JSON value of a field, before its checks.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// The field is not there (or is `null`).
    #[default]
    Absent,
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    /// An object's entries in order (a key given twice is kept, so that a
    /// check can refuse it by name).
    Object(Vec<(Scalar<'a>, Scalar<'a>)>),
    /// An array.
    Array,
    /// An array or object holding, at some depth below this value, an
    /// object with a key given twice (the key): refused like a field given
    /// twice, as every JSON reader of prefkit refuses one.
    Twice(Cow<'a, str>),
}

impl<'a> Scalar<'a> {
    /// The value for a message: numbers and booleans as themselves,
    /// strings quoted (at most 40 characters), others by kind.
    pub(crate) fn shown(&self) -> String {
        match self {
            Scalar::Absent => "null".into(),
            Scalar::Str(s) => quoted(s),
            Scalar::Num(x) => num(*x),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Object(_) => "an object".into(),
            Scalar::Array => "an array".into(),
            Scalar::Twice(_) => "a value with a key given twice".into(),
        }
    }

    /// The key given twice in this value, at its top (an object's own
    /// keys) or deeper, if any.
    pub(crate) fn twice(&self) -> Option<Cow<'a, str>> {
        match self {
            Scalar::Twice(key) => Some(key.clone()),
            Scalar::Object(entries) => first_repeat(entries.iter().map(|(k, _)| k)),
            _ => None,
        }
    }
}

/// The first string key given twice, if any (keys that are not strings
/// cannot come from JSON).
fn first_repeat<'s, 'a: 's>(keys: impl Iterator<Item = &'s Scalar<'a>>) -> Option<Cow<'a, str>> {
    // The map type of the reader's id guard: no second hash table's code
    // in the annotator's module for this rare case.
    let mut seen: crate::map::FastMap<Cow<'a, str>, u32> = Default::default();
    for k in keys {
        if let Scalar::Str(k) = k {
            if seen.insert(k.clone(), 0).is_some() {
                return Some(k.clone());
            }
        }
    }
    None
}

struct ScalarVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: Error>(self, s: &'de str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E: Error>(self, s: String) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(s)))
    }
    fn visit_f64<E: Error>(self, x: f64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(x))
    }
    fn visit_u64<E: Error>(self, x: u64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(x as f64))
    }
    fn visit_i64<E: Error>(self, x: i64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(x as f64))
    }
    fn visit_bool<E: Error>(self, b: bool) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Bool(b))
    }
    fn visit_unit<E: Error>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Absent)
    }
    fn visit_none<E: Error>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Absent)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'a>, A::Error> {
        let mut twice = None;
        while let Some(v) = seq.next_element::<Scalar>()? {
            if twice.is_none() {
                twice = v.twice();
            }
        }
        Ok(twice.map_or(Scalar::Array, Scalar::Twice))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'a>, A::Error> {
        let mut entries: Vec<(Scalar<'a>, Scalar<'a>)> = Vec::new();
        let mut nested = None;
        while let Some((k, v)) = map.next_entry::<Scalar, Scalar>()? {
            // A repeat among this object's own keys is left for its
            // reader to name (`dimensions.helpfulness`); one deeper down
            // makes the whole value a `Twice`.
            if nested.is_none() {
                nested = v.twice();
            }
            entries.push((k, v));
        }
        Ok(nested.map_or(Scalar::Object(entries), Scalar::Twice))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(PhantomData))
    }
}

struct LineVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for LineVisitor<'a> {
    type Value = Line<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line<'a>, A::Error> {
        let mut line = Line::default();
        let mut seen = 0u16;
        let mut unknown: crate::map::FastMap<Cow<'a, str>, u32> = Default::default();
        while let Some(key) = map.next_key::<Scalar>()? {
            let key = match key {
                Scalar::Str(key) => key,
                _ => Cow::Borrowed(""),
            };
            match line.field(&key) {
                // Unknown keys are ignored, but not one given twice, nor
                // one whose value holds a key given twice.
                None => {
                    let v = map.next_value::<Scalar>()?;
                    if line.twice.is_none() {
                        line.twice = match unknown.contains_key(&key) {
                            true => Some(key.clone()),
                            false => v.twice(),
                        };
                    }
                    unknown.insert(key, 0);
                }
                Some((bit, name, _)) if seen & bit != 0 => {
                    map.next_value::<Scalar>()?;
                    line.twice.get_or_insert(Cow::Borrowed(name));
                }
                Some((bit, _, slot)) => {
                    seen |= bit;
                    *slot = map.next_value()?;
                }
            }
        }
        Ok(line)
    }
    // Anything but an object is kept by kind, for `check` to refuse.
    fn visit_borrowed_str<E: Error>(self, _: &'de str) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("a string"))
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("a string"))
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("a number"))
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("a number"))
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("a number"))
    }
    fn visit_bool<E: Error>(self, _: bool) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("a boolean"))
    }
    fn visit_unit<E: Error>(self) -> Result<Line<'a>, E> {
        Ok(Line::not_an_object("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Line<'a>, A::Error> {
        ScalarVisitor(PhantomData).visit_seq(seq)?;
        Ok(Line::not_an_object("an array"))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Line<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LineVisitor(PhantomData))
    }
}
