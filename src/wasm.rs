//! The WebAssembly binding: every `#[wasm_bindgen]` item of prefkit and
//! nothing else. Each export is a thin call into the pure core; requests and
//! results are plain JS objects with the same snake_case field names as the
//! JSON files and HTTP bodies, so one shape serves files, servers and pages.
//! Failures are JS `Error`s carrying the core's message.

use crate::annotation::{parse_gold, Annotation, Gold};
use crate::dataset::Dataset;
use crate::label::Label;
use crate::report::{LiveReport, ReportConfig};
use crate::session::{Batch, Session as CoreSession, SubmitRequest, Task};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One of the five preference labels, in canonical (task) A/B order. */
export type Label = "A>>" | "A>" | "=" | "B>" | "B>>";
/** An annotation record as stored and posted (`label_order: "canonical"`). */
export interface Annotation {
  id?: string; task_id?: string; item: string; annotator: string; label: Label | string;
  time_seconds?: number; swapped?: boolean; dimensions?: Record<string, Label | string>;
  timestamp?: number; client_version?: string; label_order?: "shown" | "canonical";
}
"#;

/// Converts a core value to a plain JS value (maps become plain objects).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| JsError::new(&format!("internal error converting a result: {e}")))
}

/// Reads a JS value into a `serde_json::Value` (so the core can name the
/// field at fault) and then into `T`.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))?;
    serde_json::from_value(json).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

fn js_err(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// The version of the prefkit core.
///
/// ```js
/// import init, { version } from './pkg/prefkit.js';
/// await init();
/// console.log(version()); // "0.1.0"
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// Parses a label in short (`A>`) or judge (`A>B`) form and returns its
/// short form; throws an `Error` naming the accepted forms otherwise.
///
/// ```js
/// parseLabel("B>>A"); // "B>>"
/// parseLabel("A>>>"); // throws Error: unknown label "A>>>"; expected one of ...
/// ```
#[wasm_bindgen(js_name = parseLabel)]
pub fn parse_label(text: &str) -> Result<String, JsError> {
    Label::parse(text)
        .map(|l| l.as_str().to_string())
        .map_err(js_err)
}

/// Checks one annotation object and returns it in canonical form (label
/// un-flipped when `swapped` and not already canonical).
///
/// ```js
/// checkAnnotation({item: "ex-1", annotator: "w1", label: "A>", swapped: true});
/// // {item: "ex-1", annotator: "w1", label: "B>", swapped: true, label_order: "canonical"}
/// ```
#[wasm_bindgen(js_name = checkAnnotation)]
pub fn check_annotation(annotation: JsValue) -> Result<JsValue, JsError> {
    let json: serde_json::Value = serde_wasm_bindgen::from_value(annotation)
        .map_err(|e| JsError::new(&format!("annotation: {e}")))?;
    let a = Annotation::from_value(&json).map_err(js_err)?;
    to_js(&a.to_json_value())
}

/// A JS value as JSON: strings are parsed as JSON text, anything else is
/// converted as it is.
fn json_of(value: JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    if let Some(text) = value.as_string() {
        return serde_json::from_str(&text)
            .map_err(|e| JsError::new(&format!("{what} is not valid JSON: {e}")));
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// Annotations from JSONL text or an array of objects, with every check of
/// `prefkit report`. For arrays, errors say `annotation #N` (1-based).
fn dataset_of(input: JsValue, skip_invalid: bool) -> Result<Dataset, JsError> {
    if let Some(text) = input.as_string() {
        return Dataset::parse_jsonl(&text, skip_invalid).map_err(js_err);
    }
    if !js_sys::Array::is_array(&input) {
        return Err(JsError::new(
            "annotations: expected JSONL text or an array of annotation objects",
        ));
    }
    let values: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(input)
        .map_err(|e| JsError::new(&format!("annotations: {e}")))?;
    let mut text = String::new();
    for v in &values {
        text.push_str(&v.to_string());
        text.push('\n');
    }
    Dataset::parse_jsonl(&text, skip_invalid).map_err(|e| {
        let m = e.to_string();
        JsError::new(&match m.strip_prefix("line ") {
            Some(rest) => format!("annotation #{rest}"),
            None => m,
        })
    })
}

fn gold_of(gold: JsValue) -> Result<Vec<Gold>, JsError> {
    if gold.is_undefined() || gold.is_null() {
        return Ok(Vec::new());
    }
    if let Some(text) = gold.as_string() {
        return parse_gold(&text).map_err(|e| JsError::new(&format!("gold: {e}")));
    }
    let v: serde_json::Value =
        serde_wasm_bindgen::from_value(gold).map_err(|e| JsError::new(&format!("gold: {e}")))?;
    parse_gold(&v.to_string()).map_err(|e| JsError::new(&format!("gold: {e}")))
}

/// The report settings, and whether bad lines are skipped (`skip_invalid`,
/// accepted beside the `prefkit report --config` fields).
fn config_of(config: JsValue) -> Result<(ReportConfig, bool), JsError> {
    if config.is_undefined() || config.is_null() {
        return Ok((ReportConfig::default(), false));
    }
    let mut v = json_of(config, "config")?;
    let mut skip = false;
    if let Some(map) = v.as_object_mut() {
        if let Some(s) = map.remove("skip_invalid") {
            skip = s
                .as_bool()
                .ok_or_else(|| JsError::new("config.skip_invalid: expected true or false"))?;
        }
    }
    let c = ReportConfig::from_json(&v.to_string()).map_err(js_err)?;
    Ok((c, skip))
}

/// Agreement, annotator reliability and final labels: the same JSON object
/// as `prefkit report`. `annotations` is JSONL text (fastest) or an array of
/// annotation objects; `gold` JSONL text or an array of `{item, label}`;
/// `config` the `--config` object, plus `skip_invalid: true` to skip bad
/// lines (listed in `skipped`) instead of throwing.
///
/// ```js
/// const r = report(jsonlText, goldText, { min_reliability: 0.5 });
/// r.agreement.krippendorff_alpha.ordinal;   // 0.81
/// r.labels.dawid_skene["ex-17"];            // "A>"
/// ```
#[wasm_bindgen]
pub fn report(annotations: JsValue, gold: JsValue, config: JsValue) -> Result<JsValue, JsError> {
    let (config, skip) = config_of(config)?;
    let gold = gold_of(gold)?;
    let mut d = dataset_of(annotations, skip)?;
    d.set_gold(&gold);
    let report = crate::report::run(&d, &config);
    to_js(&WithSkipped {
        report: &report,
        skipped: &d.skipped,
    })
}

/// A report plus the lines skipped with `skip_invalid`.
#[derive(Serialize)]
struct WithSkipped<'a> {
    #[serde(flatten)]
    report: &'a crate::report::Report,
    skipped: &'a [crate::annotation::Skipped],
}

/// The report as JSON text (faster than an object for big results, which
/// are often only stored or sent on).
///
/// ```js
/// const text = reportJson(jsonlText);
/// ```
#[wasm_bindgen(js_name = reportJson)]
pub fn report_json(
    annotations: JsValue,
    gold: JsValue,
    config: JsValue,
) -> Result<String, JsError> {
    let (config, skip) = config_of(config)?;
    let gold = gold_of(gold)?;
    let mut d = dataset_of(annotations, skip)?;
    d.set_gold(&gold);
    serde_json::to_string(&crate::report::run(&d, &config))
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The live state of a collection: add annotations one at a time and read
/// every figure of the report (all but Dawid-Skene) at any moment. Two
/// states built from disjoint shards merge into the state of their union.
///
/// ```js
/// const live = new LiveAgreement();          // or new LiveAgreement(config, gold)
/// live.add({item: "ex-1", annotator: "w1", label: "A>"});
/// live.snapshot().agreement.pairwise;
/// live.merge(otherLive);
/// ```
#[wasm_bindgen]
pub struct LiveAgreement(LiveReport);

#[wasm_bindgen]
impl LiveAgreement {
    /// An empty state, with optional report settings and gold answers.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, gold: JsValue) -> Result<LiveAgreement, JsError> {
        let (config, _) = config_of(config)?;
        let gold = gold_of(gold)?;
        LiveReport::new(config, &gold)
            .map(LiveAgreement)
            .map_err(js_err)
    }

    /// Adds one annotation object (same checks as a file line; a swapped
    /// label is un-flipped unless `label_order` is `"canonical"`).
    pub fn add(&mut self, annotation: JsValue) -> Result<(), JsError> {
        let v = json_of(annotation, "annotation")?;
        let a = Annotation::from_value(&v).map_err(js_err)?;
        self.0.add(&a).map_err(js_err)
    }

    /// Adds every line of a JSONL text; returns how many were added. Stops
    /// at the first bad line with its line number (earlier lines stay added).
    #[wasm_bindgen(js_name = addJsonl)]
    pub fn add_jsonl(&mut self, text: &str) -> Result<u32, JsError> {
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let a = Annotation::from_json(line).map_err(|e| js_err(e.at_line(i + 1)))?;
            self.0.add(&a).map_err(|e| js_err(e.at_line(i + 1)))?;
            n += 1;
        }
        Ok(n)
    }

    /// Number of annotations added.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.0.len() as u32
    }

    /// The report of everything added so far (Dawid-Skene parts `null`).
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.snapshot())
    }

    /// Adds the annotations of another state (a disjoint shard).
    pub fn merge(&mut self, other: &LiveAgreement) -> Result<(), JsError> {
        self.0.merge(&other.0).map_err(js_err)
    }
}

/// The live annotation session: batches with hidden gold, gold checks,
/// speed markers and A/B order, all decided by the core.
///
/// ```js
/// const s = new Session(task, 7);           // task object or JSON text; seed optional
/// const batch = s.nextBatch("w1");          // {items: [{id, prompt, response_left, response_right, swapped}], ...}
/// const v = s.submit({id: crypto.randomUUID(), item: batch.items[0].id, annotator: "w1",
///                     choice: "A>", time_seconds: 12.5});
/// v.status;       // "accepted" or "flagged"
/// v.annotation;   // the canonical record to post
/// ```
#[wasm_bindgen]
pub struct Session(CoreSession);

#[wasm_bindgen]
impl Session {
    /// A session over a task (object or JSON text). Without a seed (or the
    /// task's `config.seed`) the browser's entropy picks one.
    #[wasm_bindgen(constructor)]
    pub fn new(task: JsValue, seed: Option<f64>) -> Result<Session, JsError> {
        let v = json_of(task, "task")?;
        let task = Task::from_value(&v).map_err(js_err)?;
        let seed = match seed {
            Some(s) if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s <= 9007199254740991.0 => {
                Some(s as u64)
            }
            Some(s) => {
                return Err(JsError::new(&format!(
                    "seed: expected a whole number from 0 to 2^53 - 1, got {s}"
                )))
            }
            None => None,
        };
        CoreSession::new(task, seed).map(Session).map_err(js_err)
    }

    /// The seed in use (to reproduce the session's batches).
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> f64 {
        self.0.seed() as f64
    }

    /// What the page may see of the task: no gold answers, nothing that
    /// marks an item as gold.
    #[wasm_bindgen(js_name = publicTask)]
    pub fn public_task(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.public_task())
    }

    /// The annotator's next batch; `{flagged: true, items: []}` for a
    /// flagged annotator.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&mut self, annotator: &str) -> Result<JsValue, JsError> {
        let b = self.0.next_batch(annotator).map_err(js_err)?;
        to_js(&b)
    }

    /// Takes a batch assembled elsewhere (the collector's blind gold mode),
    /// so that submits for its items are checked and un-flipped here.
    #[wasm_bindgen(js_name = adoptBatch)]
    pub fn adopt_batch(&mut self, batch: JsValue) -> Result<(), JsError> {
        let b: Batch = from_js(batch, "batch")?;
        self.0.adopt_batch(b).map_err(js_err)
    }

    /// Submits a choice as shown (`choice`: left = A); returns the verdict
    /// with the canonical record to post in `annotation`.
    pub fn submit(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let v = json_of(request, "submit")?;
        let req = SubmitRequest::from_value(&v).map_err(js_err)?;
        to_js(&self.0.submit(req).map_err(js_err)?)
    }

    /// Records a canonical annotation record (as stored or posted).
    pub fn record(&mut self, annotation: JsValue) -> Result<JsValue, JsError> {
        let v = json_of(annotation, "annotation")?;
        let a = Annotation::from_value(&v).map_err(js_err)?;
        to_js(&self.0.record(a).map_err(js_err)?)
    }

    /// Per-annotator stats and live agreement, as in the report.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.stats())
    }
}
