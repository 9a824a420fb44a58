//! The dashboard's `Collection` class: annotations parsed once, then
//! reports, labels, summaries and timelines computed from them as the
//! settings change. In the dashboard's module only.

use super::report::{config_of, dataset_of, flag};
use super::{arg, js_err, options, to_js, GoldArg};
use crate::annotation::ReadOptions;
use crate::dataset::Dataset;
use serde::Serialize;
use wasm_bindgen::prelude::*;

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
