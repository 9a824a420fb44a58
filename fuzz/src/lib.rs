//! Checks shared by the fuzz targets.

use serde::Serialize;
use serde_value::Value;
use std::alloc::{GlobalAlloc, Layout, System};

/// Largest single allocation allowed. libFuzzer's `-malloc_limit_mb` needs
/// a sanitizer's malloc hooks, and `-rss_limit_mb` misses a huge buffer
/// that is reserved but never touched (`Vec::with_capacity`), so the
/// targets check every allocation themselves: a small input never needs
/// this much.
pub const MAX_ALLOC: usize = 256 << 20;

struct Capped;

// SAFETY: forwards to the system allocator unchanged; only refuses to
// forward, by aborting, requests over `MAX_ALLOC`.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

fn check(size: usize) {
    if size > MAX_ALLOC {
        // No formatting machinery here: it could allocate.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"\n==fuzz== allocation over the limit (MAX_ALLOC): cost out of proportion to the input\n",
        );
        std::process::abort();
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

/// Panics, naming the path, if `value` serializes a NaN or an infinity
/// anywhere. serde_json would write those as `null`, hiding them among the
/// documented nulls; serde-value keeps every float as it is.
pub fn assert_finite<T: Serialize + ?Sized>(what: &str, value: &T) {
    let v = serde_value::to_value(value).expect("serializes");
    let mut path = String::from(what);
    walk(&v, &mut path);
    // And the JSON text itself must be writable.
    serde_json::to_string(value).expect("writes as JSON");
}

fn walk(v: &Value, path: &mut String) {
    match v {
        Value::F64(x) => assert!(x.is_finite(), "{path} is {x}"),
        Value::F32(x) => assert!(x.is_finite(), "{path} is {x}"),
        Value::Option(Some(b)) | Value::Newtype(b) => walk(b, path),
        Value::Seq(items) => {
            for (i, it) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(it, path);
                path.truncate(len);
            }
        }
        Value::Map(m) => {
            for (k, it) in m {
                let len = path.len();
                match k {
                    Value::String(s) => path.push_str(&format!(".{s}")),
                    other => path.push_str(&format!(".{other:?}")),
                }
                walk(it, path);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The input as text, or `None` when it is not UTF-8 (every reader takes
/// `&str`; the wasm boundary and `fs::read_to_string` guarantee UTF-8) or
/// longer than [`MAX_LEN`].
pub fn text(data: &[u8]) -> Option<&str> {
    if data.len() > MAX_LEN {
        return None;
    }
    std::str::from_utf8(data).ok()
}

/// The input read as a `T` (as [`text`], then `T::from_json`), or `None`
/// when it is not text or does not read: for the targets whose input is
/// one value of a type that reads itself.
pub fn read<T: prefkit::FromJson>(data: &[u8]) -> Option<T> {
    T::from_json(text(data)?).ok()
}

/// Inputs above this size are skipped: the readers are linear, and small
/// inputs keep the fuzzer fast. Slow inputs show up as timeouts.
pub const MAX_LEN: usize = 16 * 1024;
