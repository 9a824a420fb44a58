//! Reports, the live state and the dashboard's collection: the requester's
//! side, in the dashboard's module only (the annotator's page never
//! computes a report; its session keeps its own live figures). The
//! `Collection` class, which holds parsed annotations, is in `collection`.

use super::{arg, js_err, options, to_js, GoldArg, ReportConfigArg};
use crate::annotation::{jsonl, parse_gold, Annotation, Gold, ReadOptions};
use crate::dataset::Dataset;
use crate::report::{LiveReport, ReportConfig};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// JSONL from a string, from UTF-8 bytes (a `Uint8Array` as read from a
/// file: no round trip through a JS string, and a line that is not UTF-8 is
/// reported by number), or from an array of objects (one line each, so
/// "line N" is the N-th element).
fn text_of(input: &JsValue, what: &str) -> Result<Vec<u8>, JsError> {
    if let Some(s) = input.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(bytes) = input.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if !js_sys::Array::is_array(input) {
        return Err(JsError::new(&format!(
            "{what}: expected JSONL text, its UTF-8 bytes or an array of objects"
        )));
    }
    let all: serde_json::Value = serde_json::from_str(&super::stringify(input, what)?)
        .map_err(|e| JsError::new(&format!("{what}: {e}")))?;
    let values = all.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut text = String::new();
    for v in values {
        // serde_json's writer, not `Value`'s `Display` (which would add an
        // io error type and core's Debug escaping to the module).
        let line = serde_json::to_string(v).map_err(|e| JsError::new(&format!("{what}: {e}")))?;
        text.push_str(&line);
        text.push('\n');
    }
    Ok(text.into_bytes())
}

/// Annotations with every check of `prefkit report`, and their gold
/// answers. For arrays, errors say `annotation #N` (1-based) instead of
/// `line N`.
pub(super) fn dataset_of(
    input: JsValue,
    gold: JsValue,
    options: ReadOptions,
) -> Result<Dataset, JsError> {
    let gold = gold_of(gold)?;
    let array = js_sys::Array::is_array(&input);
    let text = text_of(&input, "annotations")?;
    let mut d = if array {
        Dataset::parse_elements(text, options)
    } else {
        Dataset::parse_jsonl_with(text, options)
    }
    .map_err(js_err)?;
    d.set_gold(&gold);
    Ok(d)
}

fn gold_of(gold: JsValue) -> Result<Vec<Gold>, JsError> {
    if gold.is_undefined() || gold.is_null() {
        return Ok(Vec::new());
    }
    let text = text_of(&gold, "gold")?;
    parse_gold(text).map_err(|e| JsError::new(&format!("gold: {e}")))
}

/// The report settings, and whether bad lines are skipped (`skip_invalid`,
/// accepted beside the `prefkit report --config` fields).
pub(super) fn config_of(config: JsValue) -> Result<(ReportConfig, bool), JsError> {
    if config.is_undefined() || config.is_null() {
        return Ok((ReportConfig::default(), false));
    }
    let mut v = options(config, "config")?;
    let skip = flag(&mut v, "skip_invalid", "config")?;
    let c = ReportConfig::from_value(&v).map_err(js_err)?;
    Ok((c, skip))
}

/// Takes a reading option (`skip_invalid`, `allow_repeats`: true or false,
/// default false) out of an options object: the one reader of those
/// options, for `report()` and `Collection`.
pub(super) fn flag(
    options: &mut serde_json::Value,
    key: &str,
    what: &str,
) -> Result<bool, JsError> {
    match options.as_object_mut().and_then(|m| m.remove(key)) {
        None | Some(serde_json::Value::Null) => Ok(false),
        Some(serde_json::Value::Bool(b)) => Ok(b),
        Some(_) => Err(JsError::new(&format!(
            "{what}.{key}: expected true or false"
        ))),
    }
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
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn report(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | Annotation[]")]
    annotations: JsValue,
    gold: Option<GoldArg>,
    config: Option<ReportConfigArg>,
) -> Result<JsValue, JsError> {
    let (d, config) = read_for_report(annotations, gold, config)?;
    let report = crate::report::run(&d, &config);
    to_js(&WithSkipped {
        report: &report,
        skipped: &d.skipped,
    })
}

/// The annotations and gold of a one-shot report, read as its config says
/// (`skip_invalid`, `allow_repeats`), and the config.
fn read_for_report(
    annotations: JsValue,
    gold: Option<GoldArg>,
    config: Option<ReportConfigArg>,
) -> Result<(Dataset, ReportConfig), JsError> {
    let (config, skip) = config_of(arg(config))?;
    let options = ReadOptions {
        skip_invalid: skip,
        allow_repeats: config.allow_repeats,
    };
    Ok((dataset_of(annotations, arg(gold), options)?, config))
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
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | Annotation[]")]
    annotations: JsValue,
    gold: Option<GoldArg>,
    config: Option<ReportConfigArg>,
) -> Result<String, JsError> {
    let (d, config) = read_for_report(annotations, gold, config)?;
    serde_json::to_string(&crate::report::run(&d, &config))
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The report settings a task implies, as the collector's `/report` and a
/// session's stats use them: the report's defaults with the task's gold
/// match, flag thresholds and `fast_seconds`, and repeated ratings read
/// as such when it shows items again. `task` is the task (an object or
/// JSON text); a task that is not valid throws, naming the field.
///
/// ```js
/// const r = report(jsonlText, goldText, { ...taskReportConfig(task), min_reliability: 0.5 });
/// ```
#[wasm_bindgen(js_name = taskReportConfig, unchecked_return_type = "ReportConfig")]
pub fn task_report_config(
    #[wasm_bindgen(unchecked_param_type = "object | string")] task: JsValue,
) -> Result<JsValue, JsError> {
    let task = super::read::<crate::session::Task>(task, "task")?;
    to_js(&crate::session::report_config(&task))
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
    ///
    /// ```js
    /// const live = new LiveAgreement({ min_reliability: 0.5 }, goldJsonl);
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        config: Option<ReportConfigArg>,
        gold: Option<GoldArg>,
    ) -> Result<LiveAgreement, JsError> {
        let (config, _) = config_of(arg(config))?;
        let gold = gold_of(arg(gold))?;
        LiveReport::new(config, &gold)
            .map(LiveAgreement)
            .map_err(js_err)
    }

    /// Adds one annotation object (same checks as a file line; a swapped
    /// label is un-flipped unless `label_order` is `"canonical"`).
    ///
    /// ```js
    /// events.onmessage = (e) => live.add(JSON.parse(e.data));
    /// ```
    pub fn add(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Annotation")] annotation: JsValue,
    ) -> Result<(), JsError> {
        let a = super::read::<Annotation>(annotation, "annotation")?;
        self.0.add(&a).map_err(js_err)
    }

    /// Adds every line of a JSONL text (read as `prefkit report` reads a
    /// file); returns how many labels were added. Skip records enter no
    /// agreement but count in their annotator's `skips`, as in the report.
    /// Stops at the first bad line with its line number (earlier lines stay
    /// added).
    ///
    /// ```js
    /// live.addJsonl(await (await fetch("annotations.jsonl")).text());
    /// ```
    #[wasm_bindgen(js_name = addJsonl)]
    pub fn add_jsonl(&mut self, text: &str) -> Result<u32, JsError> {
        let mut n = 0;
        let options = ReadOptions {
            skip_invalid: false,
            allow_repeats: self.0.config().allow_repeats,
        };
        let read = jsonl::read(text.as_bytes(), options, |_, kept| match kept {
            jsonl::Kept::Label(a, _, _) => {
                n += 1;
                self.0.add(&crate::Annotation::from(a))
            }
            jsonl::Kept::Skip(s, _, _) => {
                self.0.add_skip(&s.item, &s.annotator);
                Ok(())
            }
        });
        match read {
            Ok(_) | Err(crate::Error::Empty { .. }) => Ok(n),
            Err(e) => Err(js_err(e)),
        }
    }

    /// Number of annotations added.
    ///
    /// ```js
    /// live.length;   // 1200
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.0.len() as u32
    }

    /// The report of everything added so far (Dawid-Skene parts `null`).
    ///
    /// ```js
    /// const { agreement } = live.snapshot();  agreement.krippendorff_alpha.ordinal;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.snapshot())
    }

    /// Adds the annotations of another state (a disjoint shard).
    ///
    /// ```js
    /// shards.slice(1).forEach((other) => shards[0].merge(other));
    /// ```
    pub fn merge(&mut self, other: &LiveAgreement) -> Result<(), JsError> {
        self.0.merge(&other.0).map_err(js_err)
    }
}

/// The cost model: totals by tier and size, the measured cost of this
/// collection and a projection (see `src/cost.rs` for every field).
///
/// ```js
/// costTable({hourly_rate: 15, seconds_per_label: 20, overlap: 3, target_pairs: 100000});
/// ```
#[wasm_bindgen(js_name = costTable)]
pub fn cost_table(request: JsValue) -> Result<JsValue, JsError> {
    let req: crate::cost::CostRequest = super::from_js(request, "cost request")?;
    to_js(&crate::cost::cost_table(&req))
}
