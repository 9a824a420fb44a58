//! The small sorted maps of the report and the session: `litemap`'s flat
//! sorted vector. It iterates in key order like `BTreeMap` (so the JSON
//! comes out the same); these maps hold a handful of entries each.

pub use litemap::LiteMap;
use serde::{Serialize, Serializer};
use std::collections::{HashMap, HashSet};

/// A hash map with foldhash's fast, fixed-seed hasher, for lookups keyed
/// by the task's and the file's own names (items, annotators) and dense
/// ids. Nothing iterates these maps, so no result depends on hash order.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A hash set with the hasher of [`FastMap`].
pub(crate) type FastSet<K> = HashSet<K, foldhash::fast::FixedState>;

/// A map keyed by what clients of a running session send (annotator
/// names, annotation ids). Natively (the collector) it is std's randomly
/// keyed SipHash, against chosen collisions. In WebAssembly std has no
/// entropy for those keys (wasm32-unknown-unknown gives `RandomState`
/// fixed ones), so SipHash would buy nothing there but its code: the page
/// uses [`FastMap`]'s hasher.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type ClientMap<K, V> = HashMap<K, V>;
/// See the native definition.
#[cfg(target_arch = "wasm32")]
pub(crate) type ClientMap<K, V> = FastMap<K, V>;

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
