//! The live annotation session.

use super::{js_err, read, to_js};
use crate::session::{Batch, Session as CoreSession, Skip, SubmitRequest, Task};
use wasm_bindgen::prelude::*;

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
pub struct Session(pub(super) CoreSession);

#[wasm_bindgen]
impl Session {
    /// A session over a task (object or JSON text). Without a seed (or the
    /// task's `config.seed`) the browser's entropy picks one.
    ///
    /// ```js
    /// const s = new Session(await (await fetch("task.json")).json());
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "object | string")] task: JsValue,
        seed: Option<f64>,
    ) -> Result<Session, JsError> {
        let task = read::<Task>(task, "task")?;
        let seed = super::seed_arg(seed)?;
        CoreSession::new(task, seed).map(Session).map_err(js_err)
    }

    /// The seed in use (to reproduce the session's batches).
    ///
    /// ```js
    /// const again = new Session(task, s.seed);   // the same batches
    /// ```
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> f64 {
        self.0.seed() as f64
    }

    /// What the page may see of the task: no gold answers, nothing that
    /// marks an item as gold.
    ///
    /// ```js
    /// const { guidelines, rubric, config } = s.publicTask();
    /// ```
    #[wasm_bindgen(js_name = publicTask, unchecked_return_type = "PublicTask")]
    pub fn public_task(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.public_task())
    }

    /// The annotator's next batch at time `now` (Unix seconds; default
    /// the browser's clock); `{flagged: true, items: []}` for a flagged
    /// annotator. While the annotator holds unanswered items whose lease is
    /// live, the same batch comes back (`resumed: true`).
    ///
    /// ```js
    /// const { items, exhausted, lease_until } = s.nextBatch("w1");
    /// const same = s.nextBatch("w1", 1700000000);   // a fixed time, for tests
    /// ```
    #[wasm_bindgen(js_name = nextBatch, unchecked_return_type = "Batch")]
    pub fn next_batch(&mut self, annotator: &str, now: Option<f64>) -> Result<JsValue, JsError> {
        let now = now.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
        let b = self.0.next_batch(annotator, now).map_err(js_err)?;
        to_js(&b)
    }

    /// Takes a batch assembled elsewhere (the collector's blind gold mode),
    /// so that submits for its items are checked and un-flipped here.
    ///
    /// ```js
    /// s.adoptBatch(await (await fetch(`${base}/batch?annotator=w1`)).json());
    /// ```
    #[wasm_bindgen(js_name = adoptBatch)]
    pub fn adopt_batch(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Batch")] batch: JsValue,
    ) -> Result<(), JsError> {
        let b = read::<Batch>(batch, "batch")?;
        self.0.adopt_batch(b).map_err(js_err)
    }

    /// Submits a choice as shown (`choice`: left = A); returns the verdict
    /// with the canonical record to post in `annotation`.
    ///
    /// ```js
    /// const v = s.submit({id, item: it.id, annotator: "w1", choice: "B>", time_seconds: 9.1});
    /// if (v.too_fast) warn(); outbox.push(v.annotation);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Verdict")]
    pub fn submit(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SubmitRequest")] request: JsValue,
    ) -> Result<JsValue, JsError> {
        let req = read::<SubmitRequest>(request, "submit")?;
        to_js(&self.0.submit(req).map_err(js_err)?)
    }

    /// Skips an item the annotator holds ("I can't judge this"): the item
    /// goes back to others; the returned record is what to post.
    ///
    /// ```js
    /// const v = s.skip({id: crypto.randomUUID(), item: it.id, annotator: "w1",
    ///                   skip: "I can't judge this"});
    /// outbox.push(v.skip);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "SkipVerdict")]
    pub fn skip(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Skip")] request: JsValue,
    ) -> Result<JsValue, JsError> {
        let req = read::<Skip>(request, "skip")?;
        to_js(&self.0.skip(req).map_err(js_err)?)
    }

    /// Records a canonical annotation record (as stored or posted).
    ///
    /// ```js
    /// for (const a of storedRecords) s.record(a);   // resume after a reload
    /// ```
    #[cfg(feature = "lab")]
    #[wasm_bindgen(unchecked_return_type = "Verdict")]
    pub fn record(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Annotation")] annotation: JsValue,
    ) -> Result<JsValue, JsError> {
        let a = read::<crate::annotation::Annotation>(annotation, "annotation")?;
        to_js(&self.0.record(a).map_err(js_err)?)
    }

    /// Per-annotator stats and live agreement, as in the report.
    ///
    /// ```js
    /// const st = s.stats();  st.agreement.fleiss_kappa;  st.session.flagged;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "SessionStats")]
    pub fn stats(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.stats())
    }
}
