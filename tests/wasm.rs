//! The wasm binding, tested in headless Chromium:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm`.
#![cfg(target_arch = "wasm32")]

use prefkit::wasm as api;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn message(e: wasm_bindgen::JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

fn json(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn labels_parse_in_both_forms_and_errors_carry_the_core_message() {
    assert_eq!(api::parse_label("B>>A").unwrap(), "B>>");
    let e = message(api::parse_label("A>>>").unwrap_err());
    assert_eq!(e, prefkit::Label::parse("A>>>").unwrap_err().to_string());
}

#[wasm_bindgen_test]
fn a_swapped_annotation_comes_back_unflipped_and_marked_canonical() {
    let input =
        js_sys::JSON::parse(r#"{"item":"ex-1","annotator":"w1","label":"A>","swapped":true}"#)
            .unwrap();
    let out = json(&api::check_annotation(input).unwrap());
    assert!(out.contains(r#""label":"B>""#), "{out}");
    assert!(out.contains(r#""label_order":"canonical""#), "{out}");
}

#[wasm_bindgen_test]
fn garbage_gives_errors_and_the_module_keeps_answering() {
    let garbage = [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from(42),
        JsValue::from("text"),
        js_sys::Array::new().into(),
        js_sys::JSON::parse(r#"{"item":7}"#).unwrap(),
        js_sys::JSON::parse(r#"{"item":"x","annotator":"w","label":"A>","time_seconds":-1}"#)
            .unwrap(),
    ];
    for g in garbage {
        assert!(api::check_annotation(g).is_err());
        assert_eq!(api::version(), prefkit::VERSION);
    }
}
