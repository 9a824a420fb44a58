//! The small sorted maps of the report and the session: `litemap`'s flat
//! sorted vector. It iterates in key order like `BTreeMap` (so the JSON
//! comes out the same) with a fraction of the code in the wasm module,
//! and these maps hold a handful of entries each.

pub use litemap::LiteMap;
use serde::{Serialize, Serializer};

/// Writes a map as a JSON object, also when it is empty: litemap's own
/// `Serialize` writes an empty map as `[]` in human-readable formats. Use
/// with `#[serde(serialize_with = "crate::map::as_object")]`.
pub fn as_object<S: Serializer, K: Serialize, V: Serialize>(
    map: &LiteMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(map.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Holder {
        #[serde(serialize_with = "as_object")]
        m: LiteMap<String, u32>,
    }

    #[test]
    fn empty_and_full_maps_are_json_objects_in_key_order() {
        let mut h = Holder { m: LiteMap::new() };
        assert_eq!(serde_json::to_string(&h).unwrap(), r#"{"m":{}}"#);
        h.m.insert("b".into(), 2);
        h.m.insert("a".into(), 1);
        assert_eq!(serde_json::to_string(&h).unwrap(), r#"{"m":{"a":1,"b":2}}"#);
    }
}
