//! The session core compiled to WebAssembly hands out the same batches for
//! the same seed as the native build (the fixture is the native output; see
//! `tests/session_determinism.rs`). Runs under node:
//! `cargo test --target wasm32-unknown-unknown --test wasm_session`.
#![cfg(target_arch = "wasm32")]

mod support;

use prefkit::session::Session;
use serde_json::{json, Value};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn seed_7_gives_the_native_batches_in_webassembly() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/session_seed7.json")).unwrap();
    assert_eq!(support::batches_for_seed_7(), fixture);
}

#[wasm_bindgen_test]
fn seed_7_with_repeats_gives_the_native_batches_in_webassembly() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/session_repeats_seed7.json")).unwrap();
    assert_eq!(support::batches_with_repeats_seed_7(), fixture);
}

#[wasm_bindgen_test]
fn a_session_without_a_seed_takes_entropy_from_the_browser_or_node() {
    let s = Session::new(support::task(20, 0, json!({})), None).unwrap();
    let t = Session::new(support::task(20, 0, json!({})), None).unwrap();
    assert_ne!(s.seed(), t.seed());
}
