//! The WebAssembly binding: every `#[wasm_bindgen]` item of prefkit and
//! nothing else. Each export is a thin call into the pure core; requests and
//! results are plain JS objects with the same snake_case field names as the
//! JSON files and HTTP bodies, so one shape serves files, servers and pages.
//! Failures are JS `Error`s carrying the core's message.

#[cfg(feature = "lab")]
mod active;
#[cfg(feature = "lab")]
mod collection;
#[cfg(feature = "lab")]
mod judge;
#[cfg(feature = "lab")]
mod report;
mod session;
#[cfg(feature = "lab")]
mod simulate;

#[cfg(feature = "lab")]
pub use active::*;
#[cfg(feature = "lab")]
pub use collection::*;
#[cfg(feature = "lab")]
pub use judge::*;
#[cfg(feature = "lab")]
pub use report::*;
pub use session::*;
#[cfg(feature = "lab")]
pub use simulate::*;

#[cfg(feature = "lab")]
use crate::annotation::Annotation;
use crate::json::FromJson;
use crate::label::Label;
#[cfg(feature = "lab")]
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Talc in place of the default dlmalloc: a few kilobytes smaller in the
/// module and faster (the modules are single-threaded: no atomics).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One of the five preference labels, in canonical (task) A/B order. */
export type Label = "A>>" | "A>" | "=" | "B>" | "B>>";
/** An annotation record as posted or read. prefkit writes `label_order: "canonical"`. */
export interface Annotation {
  id?: string; task_id?: string; item: string; annotator: string; label: Label | string;
  time_seconds?: number; swapped?: boolean; dimensions?: Record<string, Label | string>;
  timestamp?: number; client_version?: string; label_order?: "shown" | "canonical";
  /** Made by a simulated annotator, not a person. */
  simulated?: boolean;
}
/** An annotation as prefkit writes it: checked, its label in task order. */
export interface CanonicalAnnotation {
  label_order: "canonical"; id?: string; task_id?: string; item: string; annotator: string;
  label: Label; time_seconds?: number; swapped: boolean; dimensions?: Record<string, Label>;
  timestamp?: number; client_version?: string; simulated?: boolean;
}
/** Gold answer of an item. */
export interface GoldAnswer { item: string; label: Label | string; explanation?: string }
/** Settings of the report (all optional; unknown fields are refused by name). */
export interface ReportConfig {
  agreement?: {
    min_shared?: number;
    /** Bootstrap intervals in `agreement.ci` (none without this). */
    ci?: { level?: number; resamples?: number; seed?: number; min_alpha?: number };
  };
  reliability?: {
    gold_match?: "directional" | "exact"; majority_match?: "directional" | "exact";
    majority_leave_one_out?: boolean; min_labels_for_majority?: number;
    speed_threshold_seconds?: number; weight_gold?: number; weight_majority?: number;
    weight_speed?: number; undefined_score?: number; flag_min_gold?: number;
    flag_gold_accuracy_below?: number;
  };
  aggregation?: { dawid_skene?: { max_iterations?: number; tolerance?: number; eps?: number; hold_gold?: boolean } };
  min_reliability?: number;
  /** Accept a second label by the same annotator on the same item (a repeated rating). */
  allow_repeats?: boolean;
  /** Skip bad lines (listed in `skipped`) instead of throwing. */
  skip_invalid?: boolean;
}
/** A figure's interpretation band and the recommended action. */
export interface Interpretation {
  band: string; range: string; action: string;
  /** With intervals: set when the interval reaches into other bands. */
  interval_note?: string;
}
/** One level of Hayes & Krippendorff's bootstrap of alpha. */
export interface AlphaBootstrap { interval: [number, number]; q: number; draws: number }
/** `agreement.ci`: percentile bootstrap over items, and Hayes & Krippendorff's. */
export interface AgreementIntervals {
  level: number; resamples: number; seed: number; method: "percentile bootstrap over items";
  pairwise: [number, number] | null; pairwise_directional: [number, number] | null;
  fleiss_kappa: [number, number] | null;
  krippendorff_alpha: { nominal: [number, number] | null; ordinal: [number, number] | null; interval: [number, number] | null };
  hayes_krippendorff: {
    method: "hayes-krippendorff"; min_alpha: number;
    nominal: AlphaBootstrap | null; ordinal: AlphaBootstrap | null; interval: AlphaBootstrap | null;
  };
  undefined: Record<string, string>;
  undefined_resamples: Record<string, number>;
}
/** One annotator's reliability figures. */
export interface AnnotatorStats {
  id: string; total: number;
  /** Items skipped ("I can't judge this"): not labels; `skip_rate = skips / (skips + total)`. */
  skips: number; skip_rate: number;
  /** Gold items labelled or skipped (a skipped gold counts as not correct). */
  gold_total: number; gold_correct: number; gold_accuracy: number | null;
  majority_total: number; majority_agreement: number | null; avg_time_seconds: number | null;
  speed_penalty: number | null; composite: number; flagged: boolean;
  position_bias: { left: number; decided: number; share_left: number | null; p_value: number | null };
  straight_lining: { longest_run: number; top_label: Label | null; top_share: number | null };
  /** Agreement with themselves over pairs of their own labels on an item (with `allow_repeats`); null without a repeated item. */
  self_consistency: { exact: number; directional: number; count: number } | null;
  /** Why a figure above is null. */
  reasons?: string[];
}
/** The `prefkit report` JSON. Undefined figures are null, with a reason in `undefined`. */
export interface Report {
  /** `skipped`: bad lines left out with skip_invalid; `skips`: skip records read (not labels). */
  counts: { annotations: number; items: number; annotators: number; skipped: number; skips: number; gold_items: number };
  agreement: {
    pairwise: number | null; pairwise_directional: number | null; fleiss_kappa: number | null;
    krippendorff_alpha: { nominal: number | null; ordinal: number | null; interval: number | null };
    cohen_kappa: { a: string; b: string; n: number; unweighted: number | null; linear: number | null; quadratic: number | null; reason?: string }[];
    /** Present only when `cohen_kappa` leaves out a pair sharing `min_shared` items (at most 100,000 are listed, within a work budget). */
    cohen_kappa_truncated?: { pairs_not_listed: number; annotators_not_examined: number; max_pairs: number; max_label_pairs: number; reason: string };
    interpretation: Record<string, Interpretation>;
    undefined: Record<string, string>;
    pairs: number; items_with_two_plus: number;
    /** Only when `agreement.ci` is in the config. */
    ci?: AgreementIntervals;
  };
  annotators: AnnotatorStats[];
  filtered: { min_reliability: number; annotators_removed: string[]; annotations_removed: number; items_without_label: string[] };
  labels: { majority: Record<string, Label>; weighted: Record<string, Label>; dawid_skene: Record<string, Label> | null };
  dawid_skene: {
    iterations: number; converged: boolean; log_likelihood: number[]; loss_history: number[]; labels_order: Label[];
    priors: Record<Label, number>; confusion: Record<string, number[][]>;
  } | null;
  undefined: Record<string, string>;
  /** From `report()` only: the lines skipped with `skip_invalid`. */
  skipped?: { line: number; error: string }[];
}
/** `Session.stats()`: the report of the answers so far, plus the session's own counts. */
export interface SessionStats extends Report {
  session: {
    batches: number; open_items: number; flagged: string[]; skips: number;
    skippers: { annotator: string; skips: number; skip_rate: number }[];
  };
}
/** `Session.publicTask()`: the task without its secrets (no gold answers, gold items unmarked). */
export interface PublicTask {
  task_id: string; guidelines: string;
  rubric: Record<string, { weight: number; description: string }>;
  examples: { id: string; prompt: string; response_a: string; response_b: string }[];
  config: {
    batch_size: number; fast_seconds: number; randomize_order: boolean; gold_feedback: boolean;
    lease_seconds: number; skip_reasons: string[];
    /** Share of answered items shown again later; absent when 0. */
    repeat_fraction?: number;
  };
}
/** One pair as the page shows it; gold and regular items look alike. */
export interface BatchItem { id: string; prompt: string; response_left: string; response_right: string; swapped: boolean }
/**
 * A batch for one annotator; `batch_id` is `"<annotator>-<n>"`, null for an empty batch.
 * `resumed`: the annotator already held it (these are its unanswered items);
 * `lease_until`: when its leases run out (Unix seconds), null for an empty batch.
 */
export interface Batch {
  annotator: string; batch_id: string | null; items: BatchItem[]; flagged: boolean; exhausted: boolean;
  resumed: boolean; lease_until: number | null;
}
/** A choice as the annotator saw it (A = left). */
export interface SubmitRequest {
  id: string; item: string; annotator: string; choice?: Label | string;
  time_seconds: number; dimensions?: Record<string, Label | string>;
  timestamp?: number; client_version?: string; task_id?: string; swapped?: boolean;
  /** Made by a simulated annotator (`SimulatedWorker`), not a person; carried into the record. */
  simulated?: boolean;
}
export interface Verdict {
  status: "accepted" | "flagged"; annotation: CanonicalAnnotation; too_fast: boolean; duplicate: boolean;
  gold: { correct: boolean; label: Label; label_shown: Label; explanation: string | null } | null;
  flag: { reason: "low_gold_accuracy"; gold_accuracy: number; gold_total: number; gold_correct: number } | null;
  progress: { done: number; total: number };
}
/** A skip ("I can't judge this"): no label; `skip` is the reason (at most 200 characters). */
export interface Skip {
  id: string; item: string; annotator: string; skip: string;
  task_id?: string; time_seconds?: number; timestamp?: number; client_version?: string;
  simulated?: boolean;
}
export interface SkipVerdict {
  status: "accepted" | "flagged"; skip: Skip; duplicate: boolean;
  flag: { reason: "low_gold_accuracy"; gold_accuracy: number; gold_total: number; gold_correct: number } | null;
  progress: { done: number; total: number };
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Gold answers as an argument: JSONL text or an array of `{item, label}`.
    #[wasm_bindgen(typescript_type = "string | GoldAnswer[]")]
    pub type GoldArg;
    /// Report settings as an argument (`ReportConfig` in TypeScript).
    #[wasm_bindgen(typescript_type = "ReportConfig")]
    pub type ReportConfigArg;
}

#[cfg(feature = "lab")]
/// An optional argument (declared `arg?: T` in TypeScript) as a JS value:
/// `undefined` when it is left out.
pub(crate) fn arg<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, Into::into)
}

/// Converts a core value to a plain JS value (maps become plain objects)
/// through one JSON text: serde_json writes it and `JSON.parse` builds the
/// object. Every result type then shares one serializer (a second one, for
/// JS values, would add its own copy of each type's code to the module),
/// and `JSON.parse` builds big objects faster than setting their fields
/// one by one across the boundary.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsError::new(&format!("internal error converting a result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("internal error reading a result"))
}

/// Reads a JS value into a `serde_json::Value` (so the core can name the
/// field at fault) and then into `T`. Only the lab exports use it: the
/// annotator's exports read requests with the core's own field-by-field
/// readers, which keeps serde's typed deserialization out of the smaller
/// module.
#[cfg(feature = "lab")]
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))?;
    serde_json::from_value(json).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// A seed argument: a whole number from 0 to 2^53 - 1, or none.
pub(crate) fn seed_arg(seed: Option<f64>) -> Result<Option<u64>, JsError> {
    match seed {
        Some(s) if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s <= 9007199254740991.0 => {
            Ok(Some(s as u64))
        }
        Some(s) => Err(JsError::new(&format!(
            "seed: expected a whole number from 0 to 2^53 - 1, got {}",
            crate::fields::num(s)
        ))),
        None => Ok(None),
    }
}

pub(crate) fn js_err(e: crate::Error) -> JsError {
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
#[cfg(feature = "lab")]
#[wasm_bindgen(js_name = checkAnnotation)]
pub fn check_annotation(annotation: JsValue) -> Result<JsValue, JsError> {
    to_js(&read::<Annotation>(annotation, "annotation")?)
}

/// A JS value as JSON text: strings as they are, anything else written out
/// by `JSON.stringify`. (Reading JS values with a serde deserializer would
/// put a second reader, and core's float formatting for its messages, into
/// the annotator's module; one short JSON text per request costs
/// microseconds.)
fn json_text(value: &JsValue, what: &str) -> Result<String, JsError> {
    match value.as_string() {
        Some(text) => Ok(text),
        None => stringify(value, what),
    }
}

/// `T` from a JS object or JSON text, read and checked by the core's
/// [`FromJson::from_json`], so messages are those of the command line.
pub(crate) fn read<T: FromJson>(value: JsValue, what: &str) -> Result<T, JsError> {
    T::from_json(&json_text(&value, what)?).map_err(js_err)
}

#[cfg(feature = "lab")]
/// A JS value as a `serde_json::Value`.
pub(crate) fn json_of(value: JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    crate::json::Strict::parse(&json_text(&value, what)?, what).map_err(js_err)
}

/// `JSON.stringify(value)`, with an error that says why a value has no JSON
/// form (`undefined`, a function, a `BigInt`, a cycle).
pub(crate) fn stringify(value: &JsValue, what: &str) -> Result<String, JsError> {
    match js_sys::JSON::stringify(value) {
        Ok(text) => text.as_string().ok_or_else(|| {
            JsError::new(&format!(
                "{what}: expected an object or JSON text, got {}",
                value.js_typeof().as_string().unwrap_or_default()
            ))
        }),
        Err(e) => Err(JsError::new(&format!(
            "{what}: cannot be written as JSON ({})",
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default()
        ))),
    }
}

#[cfg(feature = "lab")]
/// A JS options object as JSON, `{}` for `undefined` or `null`.
pub(crate) fn options(value: JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::json!({}));
    }
    json_of(value, what)
}

/// `T` from a JS object, or `T::default()` for `undefined` or `null`.
#[cfg(feature = "lab")]
pub(crate) fn from_js_or_default<T: DeserializeOwned + Default>(
    value: JsValue,
    what: &str,
) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_js(value, what)
}
