//! Simulated annotators, in the requester's module only (a crowd page never
//! ships simulation code; the element loads that module in its `simulate`
//! mode): one worker for the element, a whole crowd for tests and
//! dashboards.

use super::{read, seed_arg, to_js, Session};
use crate::simulate::{Act, CrowdSpec, Worker};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SIMULATE: &str = r#"
/** A simulated crowd: profiles with counts, and a seed (every field but `annotators` optional). */
export interface CrowdSpec {
  seed?: number;
  annotators: {
    id_prefix?: string; count?: number; accuracy?: number; left_bias?: number; straight_line?: number;
    seconds?: { mean?: number; sd?: number }; abandon?: number; skip?: number;
  }[];
}
/** What a simulated annotator does with an item: a choice as shown (A = left), or a skip with its reason. */
export type SimulatedAct = { choice: Label; seconds: number } | { skip: string; seconds: number };
"#;

/// One simulated annotator of a crowd, for a page that answers its own
/// items without a person (the element's `simulate` attribute): the
/// crowd's annotator named `annotator` (`"left-2"`: the second of the
/// profile `left`), else the crowd's first, under that name. Its decisions
/// are the core's crowd model, seeded, the same as `prefkit simulate`'s.
///
/// ```js
/// const w = new SimulatedWorker({seed: 7, annotators: [{left_bias: 0.8}]}, "w1");
/// const batch = session.nextBatch("w1");
/// if (!w.abandons()) for (const it of batch.items) {
///   const act = w.act(session, it.id);   // {choice: "A>", seconds: 12.3} or {skip: "I can't judge this", seconds}
/// }
/// ```
#[wasm_bindgen]
pub struct SimulatedWorker(Worker);

#[wasm_bindgen]
impl SimulatedWorker {
    /// A worker from a crowd (object or JSON text in the crowd format;
    /// `undefined` or `null` for one annotator of the default profile),
    /// named `annotator`; `seed` replaces the crowd's seed. A wrong crowd
    /// field is an `Error` naming it (`annotators[0].accuracy`).
    ///
    /// ```js
    /// new SimulatedWorker(undefined, "w1", 3);   // accuracy 0.8, 15 s an item
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CrowdSpec | string | null | undefined")]
        crowd: JsValue,
        annotator: &str,
        seed: Option<f64>,
    ) -> Result<SimulatedWorker, JsError> {
        let seed = seed_arg(seed)?;
        let mut crowd = if crowd.is_undefined() || crowd.is_null() {
            CrowdSpec::uniform(1, 0)
        } else {
            read::<CrowdSpec>(crowd, "crowd")?
        };
        if let Some(s) = seed {
            crowd.seed = s;
        }
        Ok(SimulatedWorker(crowd.worker_for(annotator)))
    }

    /// The annotator's id.
    ///
    /// ```js
    /// w.name;   // "w1"
    /// ```
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.0.name.clone()
    }

    /// Whether the annotator walks away from the batch just handed to them
    /// (the profile's `abandon`); ask once at the start of each batch.
    ///
    /// ```js
    /// if (w.abandons()) return;   // leave the batch unanswered
    /// ```
    pub fn abandons(&mut self) -> bool {
        self.0.abandons()
    }

    /// What the annotator does with `item` of a batch `session` handed to
    /// them: `{choice, seconds}` (the choice as shown, left = A) or `{skip,
    /// seconds}` (the task's first skip reason). The side and, in open
    /// mode, the gold answer come from the session.
    ///
    /// ```js
    /// const act = w.act(session, batch.items[0].id);
    /// session.submit({id, item, annotator: w.name, choice: act.choice, time_seconds: act.seconds, simulated: true});
    /// ```
    #[wasm_bindgen(unchecked_return_type = "SimulatedAct")]
    pub fn act(&mut self, session: &Session, item: &str) -> Result<JsValue, JsError> {
        let core = &session.0;
        let shown = match self.0.act_in(core, item).map_err(super::js_err)? {
            Act::Answer { choice, seconds } => Shown {
                choice: Some(choice.as_str()),
                skip: None,
                seconds,
            },
            Act::Skip { seconds } => Shown {
                choice: None,
                skip: Some(crate::simulate::skip_reason(core.task())),
                seconds,
            },
        };
        to_js(&shown)
    }
}

/// A [`SimulatedAct`] as the page reads it: a choice or a skip reason.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    choice: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip: Option<&'a str>,
    seconds: f64,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_SIMULATE_CROWD: &str = r#"
/** `simulateCrowd()`: a whole crowd's records, as `prefkit simulate --out` writes them. */
export interface SimulatedCrowd {
  /** The labels as JSONL (canonical records, `"simulated": true`), in the order made. */
  annotations: string;
  /** The skips as JSONL. */
  skips: string;
  batches: number; walked_away: number; refused: number;
}
"#;

/// Runs a whole seeded crowd through one session over `task`, in
/// simulated time from `start` (Unix seconds; default now): the same
/// records as `prefkit simulate --out` for the same task, crowd, seed and
/// `--start`, for testing analysis code and dashboards without people.
///
/// ```js
/// const sim = simulateCrowd(task, {seed: 7, annotators: [{count: 20, accuracy: 0.85},
///                                   {id_prefix: "left", count: 2, left_bias: 0.8}]}, 1764000000);
/// report(sim.annotations, goldText).annotators;   // the left-biased two stand out
/// ```
#[wasm_bindgen(js_name = simulateCrowd, unchecked_return_type = "SimulatedCrowd")]
pub fn simulate_crowd(
    #[wasm_bindgen(unchecked_param_type = "object | string")] task: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CrowdSpec | string")] crowd: JsValue,
    start: Option<f64>,
) -> Result<JsValue, JsError> {
    let task = read::<crate::session::Task>(task, "task")?;
    let crowd = read::<CrowdSpec>(crowd, "crowd")?;
    let start = start.unwrap_or_else(|| libm::floor(js_sys::Date::now() / 1000.0));
    let sim = crate::simulate::run(&task, &crowd, start).map_err(super::js_err)?;
    to_js(&serde_json::json!({
        "annotations": sim.annotations_jsonl(),
        "skips": sim.skips_jsonl(),
        "batches": sim.batches,
        "walked_away": sim.walked_away,
        "refused": sim.refused,
    }))
}
