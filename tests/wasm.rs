//! The wasm binding, tested in headless Chromium:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm`.
#![cfg(target_arch = "wasm32")]

use prefkit::wasm as api;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn message(e: wasm_bindgen::JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

/// An optional argument of a given TypeScript type, from any JS value.
fn some<T: JsCast>(v: JsValue) -> Option<T> {
    Some(v.unchecked_into())
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

/// Equal texts, or a panic showing where they first differ.
fn assert_same(ours: &str, theirs: &str) {
    if ours != theirs {
        let at = ours
            .bytes()
            .zip(theirs.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(theirs.len()));
        let from = at.saturating_sub(120);
        panic!(
            "differ at byte {at}:\n ours: {}\n native: {}",
            &ours[from..(at + 80).min(ours.len())],
            &theirs[from..(at + 80).min(theirs.len())]
        );
    }
}

fn obj(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &name.into()).unwrap()
}

/// The JSON text of submit request `id` by `w1` for the batch item `item`,
/// answering `canonical` (in the task's A/B order) as the item was shown.
fn answer(id: &str, item: &JsValue, canonical: &str) -> String {
    let item_id = field(item, "id").as_string().unwrap();
    let swapped = field(item, "swapped").as_bool().unwrap();
    // Flipping is its own inverse: the canonical label unflipped is as shown.
    let shown = prefkit::Label::parse(canonical).unwrap().unflip(swapped);
    format!(
        "{{\"id\":\"{id}\",\"item\":\"{item_id}\",\"annotator\":\"w1\",\"choice\":\"{}\",\"time_seconds\":9}}",
        shown.as_str()
    )
}

/// The browser's report of the JSONL `input` with the settings `config`,
/// after checking that it is byte for byte the pinned native one.
fn report_as_native(input: &str, native: &str, config: &JsValue) -> String {
    let ours = api::report_json(JsValue::from(input), None, some(config.clone()))
        .map_err(message)
        .unwrap();
    assert_same(&ours, native.trim_end());
    ours
}

macro_rules! published {
    ($name:literal) => {
        (
            include_str!(concat!("fixtures/published/", $name, ".jsonl")),
            include_str!(concat!("fixtures/published/", $name, ".report.json")),
        )
    };
}

#[wasm_bindgen_test]
fn published_examples_give_the_same_report_bytes_as_native() {
    // The pinned files are the native output (tests/published_reports.rs).
    let config = obj(include_str!("fixtures/published/config.json"));
    for (input, native) in [
        published!("krippendorff_2011"),
        published!("fleiss_wikipedia"),
        published!("fleiss_1971"),
        published!("dawid_skene_1979"),
    ] {
        report_as_native(input, native, &config);
    }
}

#[wasm_bindgen_test]
fn bootstrap_intervals_in_the_browser_equal_the_native_ones_for_the_same_seed() {
    // Pinned natively by tests/published_reports.rs: 1,000 resamples, seed
    // 7, and the 1979 patient data read with allow_repeats from the same
    // settings object.
    let config = obj(include_str!("fixtures/published/config_ci.json"));
    for (input, native) in [
        (
            include_str!("fixtures/published/krippendorff_2011.jsonl"),
            include_str!("fixtures/published/krippendorff_2011.ci.report.json"),
        ),
        (
            include_str!("fixtures/reference/ds_patients_repeated.jsonl"),
            include_str!("fixtures/published/dawid_skene_1979_repeated.ci.report.json"),
        ),
    ] {
        let ours = report_as_native(input, native, &config);
        assert!(ours.contains("\"ci\":{\"level\":0.95,\"resamples\":1000,\"seed\":7"));
    }
}

#[wasm_bindgen_test]
fn report_takes_an_array_as_well_as_jsonl_and_gives_the_same_figures() {
    let (input, _) = published!("krippendorff_2011");
    let lines: Vec<&str> = input.lines().collect();
    let array = obj(&format!("[{}]", lines.join(",")));
    let config = obj(include_str!("fixtures/published/config.json"));
    let a = api::report(array, None, some(config.clone())).unwrap();
    let b = api::report(JsValue::from(input), None, some(config)).unwrap();
    let pick = |v: &JsValue| json(&field(v, "agreement"));
    assert_eq!(pick(&a), pick(&b));
}

#[wasm_bindgen_test]
fn report_errors_name_the_line_or_element_and_skip_invalid_counts_them() {
    let bad = "{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"item\":\"y\",\"annotator\":\"w\",\"label\":\"A>>>\"}";
    let e = message(api::report(JsValue::from(bad), None, None).unwrap_err());
    assert!(
        e.starts_with("line 2, field \"label\": unknown label"),
        "{e}"
    );
    let array = obj("[{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"},{\"item\":3}]");
    let e = message(api::report(array, None, None).unwrap_err());
    assert!(e.starts_with("annotation #2"), "{e}");
    let r = api::report(
        JsValue::from(bad),
        None,
        some(obj("{\"skip_invalid\":true}")),
    )
    .unwrap();
    let counts = json(&field(&r, "counts"));
    assert!(counts.contains("\"skipped\":1"), "{counts}");
    let e = message(
        api::report(
            JsValue::from(bad),
            None,
            some(obj("{\"min_reliabilty\":1}")),
        )
        .unwrap_err(),
    );
    assert!(e.contains("min_reliabilty"), "{e}");
}

fn task_json() -> String {
    let mut examples = Vec::new();
    for i in 0..30 {
        examples.push(format!(
            "{{\"id\":\"ex-{i}\",\"prompt\":\"p{i}\",\"response_a\":\"a{i}\",\"response_b\":\"b{i}\"}}"
        ));
    }
    let mut gold = Vec::new();
    for i in 0..10 {
        gold.push(format!(
            "{{\"id\":\"g-{i}\",\"prompt\":\"gp{i}\",\"response_a\":\"ga{i}\",\"response_b\":\"gb{i}\",\"label\":\"A>\",\"explanation\":\"A is right\"}}"
        ));
    }
    format!(
        "{{\"task_id\":\"t\",\"examples\":[{}],\"gold\":[{}],\"config\":{{\"batch_size\":10,\"gold_fraction\":0.5,\"seed\":3}}}}",
        examples.join(","),
        gold.join(",")
    )
}

#[wasm_bindgen_test]
fn a_session_round_trip_batches_submits_flags_and_reports() {
    let mut s = api::Session::new(obj(&task_json()), None)
        .map_err(message)
        .unwrap();
    let batch = s.next_batch("w1", Some(0.0)).unwrap();
    let items: js_sys::Array = field(&batch, "items").into();
    assert_eq!(items.length(), 10);
    let text = json(&batch);
    assert!(
        !text.contains("explanation") && !text.contains("\"label\""),
        "{text}"
    );
    // Always answer "right much better": wrong on every gold item (gold is A>).
    let mut last = String::new();
    for (n, item) in items.iter().enumerate() {
        let req = answer(&format!("u{n}"), &item, "B>>");
        let v = s.submit(obj(&req)).map_err(message).unwrap();
        last = json(&v);
        // Canonical label is B>> whatever the order shown.
        assert!(last.contains("\"label\":\"B>>\""), "{last}");
        // Resubmitting the same id is idempotent.
        let again = json(&s.submit(obj(&req)).unwrap());
        assert!(
            again.contains("\"duplicate\":true") || again == last,
            "{again}"
        );
    }
    assert!(last.contains("\"status\":\"flagged\""), "{last}");
    let next = json(&s.next_batch("w1", Some(0.0)).unwrap());
    assert!(next.contains("\"flagged\":true"), "{next}");
    let stats = json(&s.stats().unwrap());
    assert!(stats.contains("\"annotators\""), "{stats}");
    let e = message(
        s.submit(obj(
            "{\"id\":\"z\",\"item\":\"ex-999\",\"annotator\":\"w2\",\"choice\":\"A>\"}",
        ))
        .unwrap_err(),
    );
    assert!(!e.is_empty());
}

#[wasm_bindgen_test]
fn the_live_state_equals_the_report_and_merges_shards() {
    let (input, _) = published!("fleiss_1971");
    let lines: Vec<&str> = input.lines().collect();
    let (left, right) = lines.split_at(lines.len() / 2);
    let mut a = api::LiveAgreement::new(None, None).unwrap();
    let mut b = api::LiveAgreement::new(None, None).unwrap();
    for l in left {
        a.add(obj(l)).unwrap();
    }
    assert_eq!(b.add_jsonl(&right.join("\n")).unwrap(), right.len() as u32);
    a.merge(&b).unwrap();
    assert_eq!(a.length() as usize, lines.len());
    let live = a.snapshot().unwrap();
    let batch = api::report(JsValue::from(input), None, None).unwrap();
    let pick = |v: &JsValue| json(&field(v, "agreement"));
    assert_eq!(pick(&live), pick(&batch));
    assert!(
        a.add(obj(lines[0])).is_err(),
        "a second label by the same annotator is refused"
    );
}

#[wasm_bindgen_test]
fn skip_records_added_as_jsonl_count_in_the_live_state_as_in_the_report() {
    let text = [
        r#"{"id":"a1","item":"i1","annotator":"w1","label":"A>"}"#,
        r#"{"id":"s1","item":"i2","annotator":"w2","skip":"unclear"}"#,
        r#"{"id":"a2","item":"i1","annotator":"w2","label":"A>"}"#,
        r#"{"id":"a3","item":"i2","annotator":"w1","label":"B>"}"#,
    ]
    .join("\n");
    let mut live = api::LiveAgreement::new(None, None).unwrap();
    assert_eq!(live.add_jsonl(&text).unwrap(), 3, "labels added");
    let snapshot = live.snapshot().unwrap();
    let batch = api::report(JsValue::from(text.as_str()), None, None).unwrap();
    let skips = |v: &JsValue| json(&field(v, "annotators"));
    assert_eq!(skips(&snapshot), skips(&batch));
    assert!(skips(&batch).contains("\"skips\":1"), "{}", skips(&batch));
}

#[wasm_bindgen_test]
fn random_garbage_fed_to_every_export_gives_errors_and_never_kills_the_module() {
    let mut rng = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        "\"item\"",
        "\"annotator\"",
        "\"label\"",
        ":",
        ",",
        "\"A>\"",
        "\"A>>>\"",
        "null",
        "true",
        "-1",
        "1e999",
        "\"\\u0000\"",
        "\"x\"",
        "\"choice\"",
        "\"examples\"",
        "{}",
        "[]",
    ];
    let mut s = api::Session::new(obj(&task_json()), Some(1.0)).unwrap();
    let _ = s.next_batch("w", Some(0.0));
    let mut live = api::LiveAgreement::new(None, None).unwrap();
    for _ in 0..400 {
        let n = 1 + next() % 12;
        let text: String = (0..n)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let value = js_sys::JSON::parse(&text).unwrap_or_else(|_| JsValue::from(text.as_str()));
        let _ = api::report(value.clone(), some(value.clone()), some(value.clone()));
        let _ = api::report_json(value.clone(), None, None);
        let _ = api::check_annotation(value.clone());
        let _ = api::parse_label(&text);
        let _ = api::Session::new(value.clone(), None);
        let _ = s.submit(value.clone());
        let _ = s.record(value.clone());
        let _ = s.adopt_batch(value.clone());
        let _ = live.add(value.clone());
        let _ = live.add_jsonl(&text);
        let _ = api::LiveAgreement::new(some(value.clone()), some(value.clone()));
        let _ = api::simulate_crowd(value.clone(), value.clone(), None);
        if let Ok(mut w) = api::SimulatedWorker::new(value.clone(), &text, None) {
            let _ = w.act(&s, &text);
        }
    }
    // Still alive and still right.
    assert_eq!(api::parse_label("A>B").unwrap(), "A>");
    assert!(s.stats().is_ok());
    assert!(live.snapshot().is_ok());
}

#[wasm_bindgen_test]
fn a_batch_from_one_session_is_adopted_by_another_and_its_items_take_submits() {
    let mut server = api::Session::new(obj(&task_json()), Some(3.0)).unwrap();
    let mut page = api::Session::new(obj(&task_json()), Some(4.0)).unwrap();
    let batch = server.next_batch("w1", Some(0.0)).unwrap();
    page.adopt_batch(batch.clone()).map_err(message).unwrap();
    let items: js_sys::Array = field(&batch, "items").into();
    let req = answer("x1", &items.get(0), "A>");
    let verdict = json(&page.submit(obj(&req)).map_err(message).unwrap());
    assert!(verdict.contains("\"label\":\"A>\""), "{verdict}");
    // The same batch again: its items are held already.
    let again = message(page.adopt_batch(batch).unwrap_err());
    assert!(again.contains("cannot adopt the batch"), "{again}");
    // A wrong field is named.
    let bad = message(
        page.adopt_batch(obj(
            "{\"annotator\":\"w2\",\"items\":[{\"id\":\"ex-1\",\"swapped\":\"yes\"}]}",
        ))
        .unwrap_err(),
    );
    assert!(bad.contains("items[0].swapped"), "{bad}");
}

/// Requests cross the boundary as `JSON.stringify` text: values with no
/// JSON form get an Error that names the request and the reason, and the
/// module keeps answering.
#[wasm_bindgen_test]
fn values_without_a_json_form_are_refused_with_the_reason() {
    let mut s = api::Session::new(obj(&task_json()), Some(1.0)).unwrap();
    let batch = s.next_batch("w", Some(0.0)).unwrap();
    assert!(json(&batch).contains("\"items\""));

    let big = js_sys::Object::new();
    js_sys::Reflect::set(&big, &"id".into(), &js_sys::BigInt::from(7u64).into()).unwrap();
    let e = message(s.submit(big.into()).unwrap_err());
    assert!(e.starts_with("submit: cannot be written as JSON ("), "{e}");
    assert!(e.to_lowercase().contains("bigint"), "{e}");

    let cyclic = js_sys::Object::new();
    js_sys::Reflect::set(&cyclic, &"self".into(), &cyclic).unwrap();
    let e = match api::Session::new(cyclic.into(), None) {
        Err(e) => message(e),
        Ok(_) => panic!("a cyclic task was taken"),
    };
    assert!(e.starts_with("task: cannot be written as JSON ("), "{e}");

    let e = message(s.submit(JsValue::UNDEFINED).unwrap_err());
    assert_eq!(e, "submit: expected an object or JSON text, got undefined");
    let f = js_sys::Function::new_no_args("return 1");
    let e = message(s.adopt_batch(f.into()).unwrap_err());
    assert_eq!(e, "batch: expected an object or JSON text, got function");

    // An array with an element that has no JSON form: one Error, no panic.
    let arr = js_sys::Array::new();
    arr.push(&js_sys::BigInt::from(1u64).into());
    let e = message(api::report(arr.into(), None, None).unwrap_err());
    assert!(
        e.starts_with("annotations: cannot be written as JSON ("),
        "{e}"
    );

    assert!(s.stats().is_ok());
    assert_eq!(api::parse_label("B>A").unwrap(), "B>");
}

/// The fixture of `tests/simulate_crowd.rs`, written by the native build.
const SIMULATED: &str = include_str!("fixtures/simulated_crowd.jsonl");

#[wasm_bindgen_test]
fn simulate_crowd_gives_the_records_the_native_build_wrote_for_the_same_crowd_and_seed() {
    let task = obj(include_str!("fixtures/simulated_task.json"));
    let crowd = include_str!("fixtures/simulated_crowd.json");
    let sim = api::simulate_crowd(task, JsValue::from(crowd), Some(1_764_000_000.0))
        .map_err(message)
        .unwrap();
    let (skips, labels): (Vec<&str>, Vec<&str>) =
        SIMULATED.lines().partition(|l| l.contains("\"skip\":"));
    let jsonl = |lines: Vec<&str>| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    assert_eq!(
        field(&sim, "annotations").as_string().unwrap(),
        jsonl(labels)
    );
    assert_eq!(field(&sim, "skips").as_string().unwrap(), jsonl(skips));
}

#[wasm_bindgen_test]
fn a_simulated_worker_answers_each_item_of_its_batch_and_says_how_long_it_took() {
    let mut s = api::Session::new(obj(&task_json()), Some(2.0)).unwrap();
    let batch = s.next_batch("unsure-1", Some(0.0)).unwrap();
    let crowd = r#"{"seed": 3, "annotators": [{"id_prefix": "unsure", "skip": 0.5}]}"#;
    let mut w = api::SimulatedWorker::new(JsValue::from(crowd), "unsure-1", None).unwrap();
    assert_eq!(w.name(), "unsure-1");
    let items: js_sys::Array = field(&batch, "items").into();
    let (mut choices, mut skips) = (0, 0);
    for item in items.iter() {
        let id = field(&item, "id").as_string().unwrap();
        let act = w.act(&s, &id).map_err(message).unwrap();
        assert!(field(&act, "seconds").as_f64().unwrap() >= 0.5);
        if let Some(choice) = field(&act, "choice").as_string() {
            assert_eq!(api::parse_label(&choice).unwrap(), choice);
            choices += 1;
        } else {
            assert_eq!(
                field(&act, "skip").as_string().unwrap(),
                "I can't judge this"
            );
            skips += 1;
        }
    }
    assert!(choices > 0 && skips > 0, "{choices} choices, {skips} skips");
    // An item not handed to this annotator is an error, not a guess.
    assert!(message(w.act(&s, "nope").unwrap_err()).contains("item"));
}

#[wasm_bindgen_test]
fn a_bad_crowd_is_an_error_naming_the_field_and_a_seed_must_be_whole() {
    let bad = |crowd: &str| {
        message(
            api::SimulatedWorker::new(JsValue::from(crowd), "w1", None)
                .err()
                .unwrap(),
        )
    };
    assert!(bad(r#"{"annotators": [{"accuracy": 2}]}"#).contains("annotators[0].accuracy"));
    assert!(
        bad(r#"{"annotators": [{"seconds": {"sd": "x"}}]}"#).contains("annotators[0].seconds.sd")
    );
    assert!(bad(r#"{"annotatorz": []}"#).contains("annotatorz"));
    let seed = api::SimulatedWorker::new(JsValue::UNDEFINED, "w1", Some(1.5))
        .err()
        .unwrap();
    assert!(message(seed).contains("seed"));
    let task = obj(include_str!("fixtures/simulated_task.json"));
    let e = api::simulate_crowd(task, obj(r#"{"annotators": [{"skip": -1}]}"#), None);
    assert!(message(e.unwrap_err()).contains("annotators[0].skip"));
}
