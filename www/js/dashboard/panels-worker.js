// The worker's half of three panels: the AI judge (network through
// ../judge.js, routing through the core's Router), "what to label next"
// (the core's selectNext) and the model leaderboard (the core's
// leaderboard). Every figure comes from the wasm core; this file gathers
// the inputs from the loaded task and annotations and sends small results.
//
// Messages in:  judge-run {settings, resume}, judge-cancel, judge-route {routing, bins},
//               judge-call-result {id, ok, value | error} (the host page's judge function answered),
//               judge-export {kind: 'results' | 'human-queue' | 'expert-queue'},
//               judge-load {text} (judge results JSONL: resume after a reload),
//               active-select {request}, active-export, leaderboard {config}
// Messages out: panels-info, judge-progress, judge-done, judge-routing,
//               judge-call {id, body}, judge-call-abort {id} (to the host page's judge function),
//               active-selection, leaderboard, panel-error, export

import { JudgeRequestError, JudgeRun, endpointCaller, toJsonl } from '../judge.js';

export const PANEL_MESSAGES = new Set(['judge-run', 'judge-cancel', 'judge-call-result', 'judge-route', 'judge-export', 'judge-load',
  'active-select', 'active-export', 'leaderboard']);

const finite = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * ctx: {wasm, state, post, finalLabels(method)}; `state.task` is
 * the loaded task object, `state.dataVersion` changes with the annotations.
 */
export function createPanels(ctx) {
  const { wasm, state, post } = ctx;
  const judge = {
    run: null,          // the JudgeRun (kept for resume)
    saved: null,        // its state() after a run ends
    running: false,
    routing: { threshold: 0.75, spot_check_share: 0.05, seed: 0 },
    bins: 10,
    queues: { human: [], expert: [] },
    lastRetry: null,
    timer: null,
  };
  const cache = { pairs: null, pairsVersion: -1, human: null, humanKey: '' };

  const examples = () => (Array.isArray(state.task?.examples) ? state.task.examples.filter((e) => e && typeof e.id === 'string') : []);
  const meta = (e, k) => (e.metadata && e.metadata[k] !== undefined ? e.metadata[k] : e[k]);

  /** What the panels can do with the loaded task and annotations. */
  function info() {
    const ex = examples();
    const withScores = ex.filter((e) => finite(meta(e, 'score_a')) && finite(meta(e, 'score_b'))).length;
    const withModels = ex.filter((e) => typeof e.metadata?.model_a === 'string' && typeof e.metadata?.model_b === 'string').length;
    const results = judge.run ? judge.run.results.size : Object.keys(judge.saved?.results ?? {}).length;
    post({ type: 'panels-info', task_id: state.task?.task_id ?? null, examples: ex.length, withScores, withModels,
      annotations: hasAnnotations(), judged: results, running: judge.running, dataVersion: state.dataVersion });
  }

  const hasAnnotations = () => !!(state.report);

  /** Every loaded annotation as (item, canonical label), in file order, from the core. */
  function annotationPairs() {
    if (cache.pairs && cache.pairsVersion === state.dataVersion) return cache.pairs;
    cache.pairs = state.collection ? state.collection.rows() : { items: [], labels: [] };
    cache.pairsVersion = state.dataVersion;
    return cache.pairs;
  }

  /** Each item's final label under the dashboard's aggregation: the human label for routing. */
  function humanLabels() {
    if (!state.report) return { map: new Map(), method: state.aggregation };
    const key = `${state.seq}|${state.aggregation}`;
    if (cache.human && cache.humanKey === key) return cache.human;
    const final = ctx.finalLabels(state.aggregation);
    const labels = final.labels instanceof Map ? final.labels : new Map(Object.entries(final.labels ?? {}));
    cache.human = { map: labels, method: state.aggregation };
    cache.humanKey = key;
    return cache.human;
  }

  function results() {
    if (judge.run) return judge.run.results;
    return new Map(Object.entries(judge.saved?.results ?? {}));
  }

  /** Routes every judge result through a fresh Router, with the human labels; posts the figures. */
  function route() {
    const res = results();
    // Task order first, then results for items the task no longer has.
    const order = examples().map((e) => e.id).filter((id) => res.has(id));
    const inOrder = new Set(order);
    for (const id of res.keys()) if (!inOrder.has(id)) order.push(id);
    const router = new wasm.Router({ ...judge.routing });
    try {
      for (const id of order) router.addJudgment(res.get(id));
      const human = humanLabels();
      let humanUsed = 0;
      for (const id of order) {
        const label = human.map.get(id);
        if (label) { router.addHuman(id, label); humanUsed++; }
      }
      judge.queues = { human: router.humanQueue(), expert: router.expertQueue() };
      judge.agreement = router.agreement();
      post({
        type: 'judge-routing',
        summary: router.summary(),
        agreement: judge.agreement,
        calibration: router.calibration(judge.bins),
        humanQueue: { length: judge.queues.human.length, head: judge.queues.human.slice(0, 20) },
        expertQueue: { length: judge.queues.expert.length, head: judge.queues.expert.slice(0, 20) },
        human: { method: human.method, items: human.map.size, used: humanUsed, annotations: hasAnnotations() },
        routing: judge.routing,
      });
    } finally {
      router.free();
    }
  }

  function scheduleRoute() {
    if (judge.timer) return;
    judge.timer = setTimeout(() => {
      judge.timer = null;
      try { route(); } catch (err) { panelError('judge', err); }
    }, 300);
  }

  // The host page's judge function runs on the page: each call is posted
  // there and its answer (or error) comes back as judge-call-result.
  const calls = new Map();
  let callSeq = 0;
  function hostCaller() {
    return (body, { signal } = {}) => new Promise((resolve, reject) => {
      const id = ++callSeq;
      calls.set(id, { resolve, reject });
      post({ type: 'judge-call', id, body });
      signal?.addEventListener('abort', () => {
        if (!calls.delete(id)) return;
        post({ type: 'judge-call-abort', id });
        const e = new Error('the judge run was cancelled');
        e.name = 'AbortError';
        reject(e);
      }, { once: true });
    });
  }
  /** A host function's answer; its error is retried like a network error unless it carries a `status`. */
  function callResult(m) {
    const c = calls.get(m.id);
    if (!c) return;
    calls.delete(m.id);
    if (m.ok) c.resolve(m.value);
    else {
      c.reject(new JudgeRequestError(`the page's judge function failed: ${m.error?.message ?? 'no message'}`,
        { status: Number(m.error?.status) || 0, retryAfterMs: m.error?.retryAfterMs ?? null }));
    }
  }

  function panelError(panel, err, run = false) {
    post({ type: 'panel-error', panel, message: err?.message ?? String(err), run });
  }

  async function runJudge({ settings, resume }) {
    if (judge.running) throw new Error('a judge run is already going; cancel it first');
    const ex = examples();
    if (!ex.length) throw new Error('load a task file first: the judge needs its prompts and responses');
    if (!settings.host && !settings.url) throw new Error('give the endpoint URL');
    if (!settings.host && !settings.model) throw new Error('give the model name');
    const previous = resume ? (judge.run ? judge.run.state() : judge.saved) : null;
    judge.run = null;
    judge.saved = previous;
    judge.lastRetry = null;
    let lastProgress = 0;
    let progress = null;
    const postProgress = () => post({ type: 'judge-progress', ...progress, lastRetry: judge.lastRetry });
    const run = new JudgeRun({
      core: wasm,
      call: settings.host ? hostCaller() : endpointCaller({ url: settings.url, key: settings.key || '' }),
      model: settings.model || 'host-function',
      swap: !!settings.swap,
      logprobs: !!settings.logprobs,
      concurrency: Math.max(1, settings.concurrency | 0),
      requestsPerMinute: Math.max(0, Number(settings.rpm) || 0),
      backoffMs: finite(settings.backoffMs) ? settings.backoffMs : 500,
      state: previous ?? undefined,
      onProgress: (p) => {
        progress = p;
        const now = Date.now();
        if (now - lastProgress > 100 || p.done === p.total) { lastProgress = now; postProgress(); }
      },
      onRetry: (r) => { judge.lastRetry = `${r.item} (${r.order}), attempt ${r.attempt}: ${r.error}`; },
      onResult: scheduleRoute,
    });
    judge.run = run;
    judge.running = true;
    post({ type: 'judge-progress', total: ex.length, done: run.results.size, failed: 0, in_flight: 0, requests: 0, retries: 0 });
    let out;
    try {
      out = await run.run(ex.map((e) => ({ id: e.id, prompt: e.prompt, response_a: e.response_a, response_b: e.response_b })));
    } finally {
      judge.running = false;
      judge.saved = run.state();
    }
    if (progress) postProgress();
    const errors = Object.entries(out.errors);
    post({ type: 'judge-done', cancelled: out.cancelled, fatal: out.fatal, results: out.results.length, total: ex.length,
      errors: errors.length, errorSample: errors.slice(0, 5).map(([id, m]) => `${id}: ${m}`) });
    clearTimeout(judge.timer);
    judge.timer = null;
    route();
  }

  /** Judge results from an earlier export: those items are not asked again. */
  function loadResults(text) {
    if (judge.running) throw new Error('cancel the running judge first');
    const out = {};
    let n = 0;
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      let r;
      try { r = JSON.parse(line); } catch (e) { throw new Error(`judge results line ${i + 1}: not JSON (${e.message})`); }
      if (typeof r?.item !== 'string' || !finite(r.confidence)) {
        throw new Error(`judge results line ${i + 1}: expected {"item", "label", "confidence"}`);
      }
      out[r.item] = r;
      n++;
    }
    judge.run = null;
    judge.saved = { judgments: {}, results: out };
    post({ type: 'judge-done', loaded: n, results: n, total: examples().length, errors: 0 });
    route();
  }

  /** The task with only `ids` as examples (in that order), for the annotator page. */
  function subtask(ids, suffix) {
    const byId = new Map(examples().map((e) => [e.id, e]));
    const task = { ...state.task };
    task.task_id = `${state.task?.task_id ?? 'task'}-${suffix}`;
    task.examples = ids.map((id) => byId.get(id)).filter(Boolean);
    return task;
  }

  function exportFile(filename, text, mime, note) {
    post({ type: 'export', kind: filename, filename, text, mime, note, panel: true });
  }

  function judgeExport(kind) {
    const res = results();
    if (!res.size) throw new Error('no judge results yet: run the judge first');
    if (kind === 'results') {
      const order = examples().map((e) => e.id).filter((id) => res.has(id));
      exportFile('judge-results.jsonl', toJsonl(order.map((id) => res.get(id))), 'application/x-ndjson',
        `${order.length} judge results`);
    } else {
      const ids = kind === 'expert-queue' ? judge.queues.expert : judge.queues.human;
      if (!ids.length) throw new Error(`the ${kind.replace('-', ' ')} is empty`);
      const task = subtask(ids, kind === 'expert-queue' ? 'expert' : 'human');
      exportFile(`${task.task_id}.json`, JSON.stringify(task, null, 2), 'application/json',
        `${task.examples.length} items for people`);
    }
  }

  // ---- what to label next ----

  let lastSelection = null;

  /**
   * Labelled: items with at least `min_labels` loaded annotations. Without
   * one, the target overlap; when every example has it, the examples with
   * the fewest labels are the candidates (another round on them).
   */
  function selectRequest(r) {
    const pairs = annotationPairs();
    const counts = new Map();
    for (const it of pairs.items) counts.set(it, (counts.get(it) ?? 0) + 1);
    let least = Math.max(1, r.min_labels ?? r.overlap ?? 1);
    let auto = null;
    if (r.min_labels == null) {
      const have = examples().map((e) => counts.get(e.id) ?? 0);
      if (have.length && have.every((n) => n >= least)) {
        const fewest = Math.min(...have);
        auto = `every example has the target overlap (${least}) or more; choosing among those with the fewest labels (${fewest})`;
        least = fewest + 1;
      }
    }
    const labelled = [...counts].filter(([, n]) => n >= least).map(([it]) => it);
    const candidates = examples().map((e) => {
      const c = { id: e.id, prompt: typeof e.prompt === 'string' ? e.prompt : '' };
      const a = meta(e, 'score_a');
      const b = meta(e, 'score_b');
      if (finite(a) && finite(b)) { c.score_a = a; c.score_b = b; }
      const emb = meta(e, 'embedding');
      if (Array.isArray(emb)) c.embedding = emb;
      return c;
    });
    return { request: { strategy: r.strategy, budget: r.budget, weights: r.weights, seed: r.seed, examples: candidates, labelled },
      minLabels: least, auto };
  }

  function select(r) {
    if (!examples().length) throw new Error('load a task file first: the candidates are its examples');
    const { request, minLabels, auto } = selectRequest(r);
    const t = performance.now();
    const selection = wasm.selectNext(request);
    const byId = new Map(examples().map((e) => [e.id, e]));
    lastSelection = selection.selected.map((s) => s.id);
    post({
      type: 'active-selection',
      ms: Math.round(performance.now() - t),
      selection: { ...selection, selected: selection.selected.map((s) => ({ ...s, prompt: String(byId.get(s.id)?.prompt ?? '').slice(0, 120) })) },
      request: { ...r, min_labels: minLabels },
      auto,
    });
  }

  function activeExport() {
    if (!lastSelection?.length) throw new Error('choose the items first');
    const task = subtask(lastSelection, 'next');
    exportFile(`${task.task_id}.json`, JSON.stringify(task, null, 2), 'application/json',
      `${task.examples.length} items to label next`);
  }

  // ---- leaderboard ----

  function leaderboard(config) {
    const models = new Map();
    for (const e of examples()) {
      const a = e.metadata?.model_a;
      const b = e.metadata?.model_b;
      if (typeof a === 'string' && typeof b === 'string') models.set(e.id, [a, b]);
    }
    if (!models.size) {
      post({ type: 'leaderboard', board: null, reason: 'no task example names metadata.model_a and metadata.model_b' });
      return;
    }
    const pairs = annotationPairs();
    const comparisons = [];
    let leftOut = 0;
    for (let i = 0; i < pairs.items.length; i++) {
      const m = models.get(pairs.items[i]);
      if (m && m[0] !== m[1]) comparisons.push({ model_a: m[0], model_b: m[1], label: pairs.labels[i] });
      else leftOut++;
    }
    if (!comparisons.length) {
      post({ type: 'leaderboard', board: null, reason: state.report ? 'no loaded annotation is on an example that names its models' : 'load annotations to rank the models' });
      return;
    }
    const board = wasm.leaderboard({ comparisons, config });
    post({ type: 'leaderboard', board, leftOut, annotations: pairs.items.length });
  }

  async function handle(msg) {
    const panel = msg.type.startsWith('judge') ? 'judge' : msg.type.startsWith('active') ? 'active' : 'leaderboard';
    try {
      switch (msg.type) {
        case 'judge-run': return await runJudge(msg);
        case 'judge-cancel': return judge.run?.cancel();
        case 'judge-call-result': return callResult(msg);
        case 'judge-route':
          judge.routing = { ...msg.routing };
          judge.bins = msg.bins || 10;
          return results().size ? route() : undefined;
        case 'judge-export': return judgeExport(msg.kind);
        case 'judge-load': return loadResults(msg.text);
        case 'active-select': return select(msg.request);
        case 'active-export': return activeExport();
        case 'leaderboard': return leaderboard(msg.config);
      }
    } catch (err) {
      panelError(panel, err, msg.type === 'judge-run');
    }
  }

  /** After new annotations, a new task or new settings: tell the page, re-route. */
  function dataChanged() {
    info();
    if (results().size && !judge.running) {
      try { route(); } catch (err) { panelError('judge', err); }
    }
  }

  /** The judge's Cohen's kappa against people from the last routing, or null (for the cost model). */
  const judgeAgreement = () => judge.agreement?.kappa_5 ?? null;

  return { handle, dataChanged, judgeAgreement };
}
