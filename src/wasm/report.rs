//! Reports, the live state and the dashboard's collection: the requester's
//! side, in the dashboard's module only (the annotator's page never
//! computes a report; its session keeps its own live figures).

use super::{arg, js_err, options, to_js, GoldArg, ReportConfigArg};
use crate::annotation::{parse_gold, Annotation, Gold, ReadOptions};
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
fn dataset_of(input: JsValue, gold: JsValue, options: ReadOptions) -> Result<Dataset, JsError> {
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
fn config_of(config: JsValue) -> Result<(ReportConfig, bool), JsError> {
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
fn flag(options: &mut serde_json::Value, key: &str, what: &str) -> Result<bool, JsError> {
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
    let (config, skip) = config_of(arg(config))?;
    let options = ReadOptions {
        skip_invalid: skip,
        allow_repeats: config.allow_repeats,
    };
    let d = dataset_of(annotations, arg(gold), options)?;
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
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | Annotation[]")]
    annotations: JsValue,
    gold: Option<GoldArg>,
    config: Option<ReportConfigArg>,
) -> Result<String, JsError> {
    let (config, skip) = config_of(arg(config))?;
    let options = ReadOptions {
        skip_invalid: skip,
        allow_repeats: config.allow_repeats,
    };
    let d = dataset_of(annotations, arg(gold), options)?;
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
    /// file); returns how many labels were added. Skip records are checked
    /// and not added: a skip enters no agreement. Stops at the first bad
    /// line with its line number (earlier lines stay added).
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
        let read = crate::annotation::jsonl::read(text.as_bytes(), options, |_, a, _, _| {
            n += 1;
            self.0.add(&crate::Annotation::from(a))
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

/// Annotations parsed once, for pages that recompute as settings change
/// (the dashboard's slider): no re-parsing per call.
///
/// ```js
/// const c = new Collection(fileBytesOrText, goldText, {skip_invalid: false});
/// c.report({min_reliability: 0.7}, {labels: false});
/// c.labels({min_reliability: 0.7}, "dawid_skene");   // JSONL {item, label, confidence}
/// c.summary({overlap: 3}); c.timeline({points: 120});
/// ```
#[wasm_bindgen]
pub struct Collection(Dataset);

#[wasm_bindgen]
impl Collection {
    /// Reads annotations (JSONL text, its UTF-8 bytes or an array of
    /// objects) and optional gold; `options.skip_invalid` skips bad lines,
    /// `options.allow_repeats` accepts repeated ratings.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | Annotation[]")] input: JsValue,
        gold: Option<GoldArg>,
        options: Option<js_sys::Object>,
    ) -> Result<Collection, JsError> {
        let gold = arg(gold);
        let mut o = super::options(arg(options), "collection options")?;
        let options = ReadOptions {
            skip_invalid: flag(&mut o, "skip_invalid", "collection options")?,
            allow_repeats: flag(&mut o, "allow_repeats", "collection options")?,
        };
        let d = dataset_of(input, gold, options)?;
        Ok(Collection(d))
    }

    /// Number of annotations read.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.0.rows.len() as u32
    }

    /// Lines skipped with `skip_invalid`: `[{line, error}]`.
    #[wasm_bindgen(getter)]
    pub fn skipped(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.skipped)
    }

    /// The report. With `{labels: false}` as second argument the three
    /// label maps are left out and `label_counts` (per method, in the order
    /// A>>, A>, =, B>, B>>) is added, so a page with 250K items receives
    /// kilobytes and asks for labels with `labels()` when it needs them.
    pub fn report(&self, config: JsValue, output: JsValue) -> Result<JsValue, JsError> {
        let (config, _) = config_of(config)?;
        let r = crate::report::run(&self.0, &config);
        let with_labels = options(output, "report output")?
            .get("labels")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if with_labels {
            return to_js(&r);
        }
        let count = |m: &crate::report::LabelMap| {
            let mut c = [0u64; crate::label::K];
            for (_, l) in m.iter() {
                c[l.index()] += 1;
            }
            c
        };
        let label_counts = serde_json::json!({
            "majority": count(&r.labels.majority),
            "weighted": count(&r.labels.weighted),
            "dawid_skene": r.labels.dawid_skene.as_ref().map(count),
        });
        let mut v = serde_json::to_value(&r)
            .map_err(|e| JsError::new(&format!("internal error converting a result: {e}")))?;
        if let Some(o) = v.as_object_mut() {
            o.remove("labels");
            o.insert("label_counts".into(), label_counts);
        }
        to_js(&v)
    }

    /// Final labels of one method (`majority`, `weighted`, `dawid_skene`)
    /// as JSONL text, `{"item", "label", "confidence"}` a line.
    pub fn labels(&self, config: JsValue, method: &str) -> Result<String, JsError> {
        let (config, _) = config_of(config)?;
        let method = crate::confidence::Method::parse(method).map_err(js_err)?;
        let labels = crate::confidence::final_labels(&self.0, &config, method).map_err(js_err)?;
        let mut out = String::new();
        for l in &labels {
            out.push_str(&serde_json::to_string(l).map_err(|e| JsError::new(&e.to_string()))?);
            out.push('\n');
        }
        Ok(out)
    }

    /// Label counts per item, items below the target overlap, recorded time.
    pub fn summary(&self, config: JsValue) -> Result<JsValue, JsError> {
        let c: crate::summary::SummaryConfig = super::from_js_or_default(config, "summary config")?;
        to_js(&crate::summary::summarize(&self.0, &c))
    }

    /// Agreement after evenly spaced prefixes of the data (by timestamp).
    pub fn timeline(&self, config: JsValue) -> Result<JsValue, JsError> {
        let c: crate::agreement::timeline::TimelineConfig =
            super::from_js_or_default(config, "timeline config")?;
        to_js(&crate::agreement::timeline::timeline(&self.0, &c))
    }

    /// Every annotation's item and canonical label, in input order:
    /// `{items: string[], labels: string[]}`.
    ///
    /// ```js
    /// const { items, labels } = c.rows();   // labels[i] is items[i]'s label
    /// ```
    pub fn rows(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Rows<'a> {
            items: Vec<&'a str>,
            labels: Vec<crate::label::Label>,
        }
        let d = &self.0;
        to_js(&Rows {
            items: d.rows.iter().map(|r| d.items.name(r.item)).collect(),
            labels: d.rows.iter().map(|r| r.label).collect(),
        })
    }

    /// The annotations of the annotators the report's filter keeps
    /// (composite at least `config.min_reliability`), as a new collection:
    /// its `agreement()` and `timeline()` are agreement after filtering.
    ///
    /// ```js
    /// const kept = c.kept({min_reliability: 0.9});
    /// kept.agreement({}).krippendorff_alpha.ordinal;   // after the filter
    /// kept.free();
    /// ```
    pub fn kept(&self, config: JsValue) -> Result<Collection, JsError> {
        let (config, _) = config_of(config)?;
        Ok(Collection(crate::report::filtered::kept(&self.0, &config)))
    }

    /// Every agreement figure (the report's `agreement`), with its
    /// intervals when `config.agreement.ci` is set.
    ///
    /// ```js
    /// c.agreement({agreement: {ci: {resamples: 1000}}}).ci.krippendorff_alpha.ordinal;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Report['agreement']")]
    pub fn agreement(&self, config: JsValue) -> Result<JsValue, JsError> {
        let (config, _) = config_of(config)?;
        to_js(&crate::agreement::compute(&self.0, &config.agreement))
    }

    /// The interval of Krippendorff's ordinal alpha after `points` evenly
    /// spaced prefixes, with the bootstrap of `config.agreement.ci`
    /// (required): `{annotations, lo, hi, level, resamples, method}`.
    ///
    /// ```js
    /// c.band({agreement: {ci: {resamples: 200}}}, 12);
    /// ```
    pub fn band(&self, config: JsValue, points: u32) -> Result<JsValue, JsError> {
        let (config, _) = config_of(config)?;
        let ci = config
            .agreement
            .ci
            .ok_or_else(|| JsError::new("band: set agreement.ci in the config"))?;
        to_js(&crate::report::filtered::band(
            &self.0,
            &ci,
            points as usize,
        ))
    }
}
