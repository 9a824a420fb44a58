//! The serde side of [`super::line::Line`]: each field is read into a
//! [`Scalar`] (whatever JSON value it holds, strings borrowed from the
//! input where they have no escapes), so that the checks, not serde, say
//! what is wrong with a value, by field name.

use crate::fields::num;
use crate::json::quoted;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
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
    /// An array or an object, by its kind ("an array").
    Other(&'static str),
}

impl Scalar<'_> {
    /// The value for a message: numbers and booleans as themselves,
    /// strings quoted (at most 40 characters), others by kind.
    pub(crate) fn shown(&self) -> String {
        match self {
            Scalar::Absent => "null".into(),
            Scalar::Str(s) => quoted(s),
            Scalar::Num(x) => num(*x),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Other(kind) => (*kind).into(),
        }
    }
}

struct ScalarVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(s)))
    }
    fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(x))
    }
    fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(x as f64))
    }
    fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Num(x as f64))
    }
    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Bool(b))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Absent)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Absent)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an object"))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(PhantomData))
    }
}

/// The `dimensions` field: its entries in order (a name given twice is
/// kept, so that `check` can refuse it by name), or any other value.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) enum Dimensions<'a> {
    #[default]
    Absent,
    Object(Vec<(Scalar<'a>, Scalar<'a>)>),
    Other(Scalar<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Dimensions<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Dimensions<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of labels")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Dimensions::Object(entries))
            }
            // Anything else is kept as a scalar, for the message.
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                s: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Dimensions::Other(Scalar::Str(Cow::Borrowed(s))))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                ScalarVisitor(PhantomData)
                    .visit_str(s)
                    .map(Dimensions::Other)
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Self::Value, E> {
                Ok(Dimensions::Other(Scalar::Num(x)))
            }
            fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<Self::Value, E> {
                Ok(Dimensions::Other(Scalar::Num(x as f64)))
            }
            fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<Self::Value, E> {
                Ok(Dimensions::Other(Scalar::Num(x as f64)))
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Self::Value, E> {
                Ok(Dimensions::Other(Scalar::Bool(b)))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Dimensions::Absent)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                ScalarVisitor(PhantomData)
                    .visit_seq(seq)
                    .map(Dimensions::Other)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}
