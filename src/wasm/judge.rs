//! AI-assisted labeling: thin wrappers over `crate::judge`.

use super::{from_js, js_err, to_js};
use crate::label::Label;
use wasm_bindgen::prelude::*;

/// Builds the chat-completions request body for one comparison.
///
/// ```js
/// const body = buildJudgeRequest({ model: "m", input: { prompt, response_a, response_b },
///                                  logprobs: false, swapped: false, config: undefined });
/// ```
#[wasm_bindgen(js_name = buildJudgeRequest)]
pub fn build_judge_request(spec: JsValue) -> Result<JsValue, JsError> {
    let spec: crate::judge::RequestSpec = from_js(spec, "judge request")?;
    to_js(&crate::judge::build_request(&spec).map_err(js_err)?)
}

/// Reads a judge's answer text: `{status: "parsed", label, explanation, ...}`
/// or `{status: "unparsed", reason, ...}`.
///
/// ```js
/// parseVerdict("A is right.\nVERDICT: A>B"); // {status: "parsed", label: "A>", ...}
/// ```
#[wasm_bindgen(js_name = parseVerdict)]
pub fn parse_verdict(text: &str) -> Result<JsValue, JsError> {
    to_js(&crate::judge::parse_verdict(text))
}

/// Reads a chat-completions response object into a judgment (verdict,
/// hedging and logprob confidence, the confidence used).
///
/// ```js
/// const judgment = assessResponse(await res.json());
/// ```
#[wasm_bindgen(js_name = assessResponse)]
pub fn assess_response(response: JsValue) -> Result<JsValue, JsError> {
    let r: crate::judge::ChatResponse = from_js(response, "chat-completions response")?;
    if r.choices.is_empty() {
        return Err(js_err(crate::Error::invalid(
            "choices",
            "the response has no choices; expected choices[0].message.content",
        )));
    }
    to_js(&crate::judge::assess(&r))
}

/// Reads `{verdict: {label}, confidence}` from a judgment object (all
/// `judgeResult` needs; avoids deserialising the whole judgment).
fn label_and_confidence(j: &JsValue, what: &str) -> Result<(Option<Label>, f64), JsError> {
    let get = |o: &JsValue, k: &str| {
        js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    };
    let label = match get(&get(j, "verdict"), "label").as_string() {
        Some(s) => Some(Label::parse(&s).map_err(|e| JsError::new(&format!("{what}: {e}")))?),
        None => None,
    };
    let confidence = get(j, "confidence")
        .as_f64()
        .ok_or_else(|| JsError::new(&format!("{what}: missing number \"confidence\"")))?;
    Ok((label, confidence))
}

/// One item's judge result from its canonical-order judgment and, with the
/// swap check, the swapped-order judgment (as returned by `assessResponse`).
///
/// ```js
/// const result = judgeResult("item-1", judgmentAB, judgmentBA); // {item, label, confidence, swap}
/// ```
#[wasm_bindgen(js_name = judgeResult)]
pub fn judge_result(item: &str, ab: JsValue, ba: JsValue) -> Result<JsValue, JsError> {
    let ab = label_and_confidence(&ab, "judgment (A/B order)")?;
    let ba = if ba.is_undefined() || ba.is_null() {
        None
    } else {
        Some(label_and_confidence(&ba, "judgment (B/A order)")?)
    };
    to_js(&crate::judge::judge_result_from_parts(item, ab, ba))
}

/// The hybrid router: AI results in, human and expert labels in, queues,
/// counts and costs out.
///
/// ```js
/// const router = new JudgeRouter({ threshold: 0.75, spot_check_share: 0.05, seed: 1 });
/// results.forEach(r => router.addJudgment(r));
/// router.humanQueue(); // item ids for people
/// router.summary();    // {counts, cost, ...}
/// ```
#[wasm_bindgen(js_name = Router)]
pub struct JudgeRouter(crate::judge::Router);

#[wasm_bindgen(js_class = Router)]
impl JudgeRouter {
    /// A router; missing config fields take their defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<JudgeRouter, JsError> {
        let config: crate::judge::RoutingConfig = if config.is_undefined() || config.is_null() {
            Default::default()
        } else {
            from_js(config, "routing config")?
        };
        crate::judge::Router::new(config)
            .map(JudgeRouter)
            .map_err(js_err)
    }
    /// Routes one judge result (`{item, label, confidence, swap?}` from
    /// `judgeResult`); returns "accepted", "spot_check" or "human".
    #[wasm_bindgen(js_name = addJudgment)]
    pub fn add_judgment(&mut self, result: JsValue) -> Result<JsValue, JsError> {
        let get = |k: &str| {
            js_sys::Reflect::get(&result, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        };
        let item = get("item")
            .as_string()
            .ok_or_else(|| JsError::new("judge result: missing string \"item\""))?;
        let label = match get("label").as_string() {
            Some(s) => Some(Label::parse(&s).map_err(js_err)?),
            None => None,
        };
        let confidence = get("confidence")
            .as_f64()
            .ok_or_else(|| JsError::new("judge result: missing number \"confidence\""))?;
        let swap_value = get("swap");
        let swap = if swap_value.is_undefined() || swap_value.is_null() {
            None
        } else {
            Some(from_js(swap_value, "judge result swap")?)
        };
        let r = crate::judge::JudgeResult {
            item,
            label,
            confidence,
            swap,
        };
        to_js(&self.0.add_judgment(&r).map_err(js_err)?)
    }
    /// Records the human label of an item; returns its route afterwards.
    #[wasm_bindgen(js_name = addHuman)]
    pub fn add_human(&mut self, item: &str, label: &str) -> Result<JsValue, JsError> {
        let label = Label::parse(label).map_err(js_err)?;
        to_js(&self.0.add_human(item, label).map_err(js_err)?)
    }
    /// Records an expert's label for an item in the expert queue.
    #[wasm_bindgen(js_name = addExpert)]
    pub fn add_expert(&mut self, item: &str, label: &str) -> Result<(), JsError> {
        let label = Label::parse(label).map_err(js_err)?;
        self.0.add_expert(item, label).map_err(js_err)
    }
    /// Item ids waiting for people.
    #[wasm_bindgen(js_name = humanQueue)]
    pub fn human_queue(&self) -> Vec<String> {
        self.0.human_queue()
    }
    /// Item ids waiting for an expert.
    #[wasm_bindgen(js_name = expertQueue)]
    pub fn expert_queue(&self) -> Vec<String> {
        self.0.expert_queue()
    }
    /// Counts per route, progress and cost per route with totals.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.summary())
    }
    /// Every item's final label and its source.
    #[wasm_bindgen(js_name = finalLabels)]
    pub fn final_labels(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.final_labels())
    }
    /// Judge-vs-human agreement on the items with both labels.
    pub fn agreement(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.agreement())
    }
    /// Calibration table with `n_bins` bins (10 if 0).
    pub fn calibration(&self, n_bins: usize) -> Result<JsValue, JsError> {
        to_js(&self.0.calibration(if n_bins == 0 { 10 } else { n_bins }))
    }
}
