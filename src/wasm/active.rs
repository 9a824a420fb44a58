//! Active learning, pair building and model ranking.

use super::{from_js, js_err, to_js};
use wasm_bindgen::prelude::*;

/// Chooses what to label next: `strategy` `uncertainty`, `diversity` or
/// `hybrid`, a `budget`, and the candidates (`score_a`/`score_b`, optional
/// `embedding`; without one the prompt's hashed n-grams are used).
///
/// ```js
/// selectNext({strategy: "hybrid", budget: 50, seed: 1,
///             examples: [{id: "ex-1", prompt: "...", score_a: 0.2, score_b: 0.9}]});
/// // {selected: [{id, score, uncertainty, distance, reason}], ...}
/// ```
#[wasm_bindgen(js_name = selectNext)]
pub fn select_next(request: JsValue) -> Result<JsValue, JsError> {
    let req: crate::active::SelectRequest = from_js(request, "selection request")?;
    to_js(&crate::active::select(&req).map_err(js_err)?)
}

/// Builds pairs to label from candidate responses (best vs worst of N, or
/// across two models or temperatures), A/B order randomised by the seed.
///
/// ```js
/// buildPairs({mode: "best_of_n", seed: 1, candidates: [...]}); // {examples: [...], skipped: [...]}
/// ```
#[wasm_bindgen(js_name = buildPairs)]
pub fn build_pairs(request: JsValue) -> Result<JsValue, JsError> {
    let req: crate::active::pairs::PairRequest = from_js(request, "pair request")?;
    to_js(&crate::active::pairs::build(&req).map_err(js_err)?)
}

/// Bradley-Terry leaderboard of the models behind the responses, with
/// bootstrap intervals.
///
/// ```js
/// leaderboard({examples: [{model_a: "m1", model_b: "m2", label: "A>"}], bootstrap: 200, seed: 1});
/// ```
#[wasm_bindgen]
pub fn leaderboard(request: JsValue) -> Result<JsValue, JsError> {
    let req: crate::active::LeaderboardRequest = from_js(request, "leaderboard request")?;
    to_js(&crate::active::leaderboard(&req).map_err(js_err)?)
}

/// The benchmark workload of `prefkit bench active`, made in the browser:
/// `n` candidates with `dim`-dimension embeddings, timed by the caller.
///
/// ```js
/// const ms = benchActive(100000, 384, 1000, 7); // milliseconds of one hybrid selection
/// ```
#[wasm_bindgen(js_name = benchActive)]
pub fn bench_active(n: u32, dim: u32, budget: u32, seed: u32) -> Result<JsValue, JsError> {
    let req =
        crate::active::bench::synthetic(n as usize, dim as usize, budget as usize, seed as u64);
    let t = js_sys::Date::now();
    let s = crate::active::select(&req).map_err(js_err)?;
    let ms = js_sys::Date::now() - t;
    to_js(&serde_json::json!({"milliseconds": ms, "selected": s.selected.len()}))
}
