// The dashboard's worker: holds the data, makes every call into the wasm
// core, and sends the page small view models to draw. Nothing here touches
// the DOM; nothing on the page calls wasm.
//
// Messages in:  {type: 'load' | 'gold' | 'task', source, skipInvalid}
//               {type: 'config', config}   {type: 'live', base, task, token}
//               {type: 'stop-live'}        {type: 'export', kind, includeTies}
//               {type: 'cost', request}
//               the judge, what-to-label-next and leaderboard panels' messages
//               (panels-worker.js)
// Messages out: {type: 'ready' | 'progress' | 'result' | 'error' | 'export' |
//                'cost' | 'live-status' | 'live-progress'}

import init, * as wasm from '../../pkg/prefkit_lab.js';
import { isJsonArray, readBytes, readSource, streamEvents, toJsonl } from './sources.js';
import { scan, summaryFromScan, TIMELINE_POINTS } from './scan.js';
import { annotatorsCsv, dpoJsonl, labelsJsonl } from './exports.js';
import { viewModel } from './view.js';
import { createPanels, PANEL_MESSAGES } from './panels-worker.js';

const state = {
  text: '',            // all annotations, JSONL (decoded from `bytes` only when needed)
  bytes: null,         // the loaded JSONL file as bytes, handed to Collection as it is
  bytesOk: true,       // whether this module's Collection takes bytes
  liveLines: [],       // annotations received live, not yet joined into text
  ids: new Set(),      // ids received live (the stream may repeat the backfill)
  goldText: undefined,
  examples: new Map(), // item -> {prompt, response_a, response_b}, from the task file
  task: null,          // the task file as loaded (for the judge and active-learning panels)
  dataVersion: 0,      // changes whenever the annotations do
  config: { min_reliability: 0.6, overlap: 3, skip_invalid: false },
  aggregation: 'majority',
  report: null,
  scan: null,          // JavaScript pass over the data, only where the module lacks a call
  collection: null,    // wasm Collection: the parsed data, when the module has the class
  timeline: null,      // agreement over time from the core, per data set
  measured: null,      // recorded time (summary.time), for the cost model
  liveAbort: null,
  seq: 0,
  basic: false,        // use only report() (the API), as with an older module
};

const ready = init().then(() => {
  post({ type: 'ready', version: wasm.version(), exports: Object.keys(wasm).sort() });
}, (err) => {
  const message = `could not start the wasm module (${err?.message ?? err}); is www/pkg/ built (scripts/build-wasm.sh)?`;
  post({ type: 'error', context: 'wasm', message });
  throw new Error(message);
});

function post(msg) {
  self.postMessage(msg);
}

const panels = createPanels({ wasm, state, post, finalLabels: (m) => finalLabels(m), allText: () => allText() });

function progress(phase, done, total) {
  post({ type: 'progress', phase, done, total });
}

// Requests are handled one at a time; while one runs, later config changes
// replace each other so the worker only ever computes the newest.
let queue = Promise.resolve();
let pendingConfig = null;

self.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'config') {
    const first = pendingConfig === null;
    pendingConfig = msg;
    if (!first) return;
    queue = queue.then(() => {
      const m = pendingConfig;
      pendingConfig = null;
      return handle(m);
    });
    return;
  }
  if (msg.type === 'stop-live') {
    state.liveAbort?.abort();
    return;
  }
  // A judge run lasts minutes: it runs beside the queue, and so does its cancel.
  if (msg.type === 'judge-run' || msg.type === 'judge-cancel' || msg.type === 'judge-call-result') {
    ready.then(() => panels.handle(msg));
    return;
  }
  queue = queue.then(() => handle(msg));
};

async function handle(msg) {
  try {
    await ready;
    switch (msg.type) {
      case 'load': return await load(msg);
      case 'gold': return await loadGold(msg);
      case 'task': return await loadTask(msg);
      case 'config': return recompute(msg);
      case 'live': return startLive(msg);
      case 'export': return exportFile(msg);
      case 'confusion':
        return post({ type: 'confusion', id: msg.id, matrix: state.report?.dawid_skene?.confusion?.[msg.id] ?? null });
      case 'cost': return cost(msg.request);
      default:
        if (PANEL_MESSAGES.has(msg.type)) return await panels.handle(msg);
    }
  } catch (err) {
    post({ type: 'error', context: msg.type, message: err?.message ?? String(err) });
  }
}

async function load(msg) {
  state.liveAbort?.abort();
  const bytes = await readBytes(msg.source, (done, total) => progress('reading', done, total));
  if (isJsonArray(bytes)) {
    state.text = toJsonl(new TextDecoder().decode(bytes));
    state.bytes = null;
  } else {
    state.text = null;
    state.bytes = bytes;
  }
  state.liveLines = [];
  state.ids.clear();
  state.config.skip_invalid = !!msg.skipInvalid;
  state.basic = msg.calls === 'report';
  if (msg.config) applyConfig(msg.config);
  state.scan = null;
  state.timeline = null;
  compute({ fresh: true, source: msg.source.name ?? msg.source.url ?? 'text' });
}

async function loadGold(msg) {
  const raw = await readSource(msg.source, (done, total) => progress('reading gold', done, total));
  state.goldText = toJsonl(raw);
  state.scan = null;
  if (hasData()) compute({ fresh: true });
}

function hasData() {
  return !!(state.text || state.bytes || state.liveLines.length);
}

async function loadTask(msg) {
  const raw = await readSource(msg.source, (done, total) => progress('reading task', done, total));
  let task;
  try {
    task = JSON.parse(raw);
  } catch (err) {
    throw new Error(`task file: not JSON (${err.message})`);
  }
  state.examples = new Map();
  state.task = task && typeof task === 'object' ? task : null;
  for (const list of [task.examples, task.gold]) {
    for (const ex of Array.isArray(list) ? list : []) {
      if (ex && typeof ex.id === 'string') state.examples.set(ex.id, ex);
    }
  }
  // The task's gold answers count as gold unless a gold file was given.
  if (state.goldText === undefined && Array.isArray(task.gold) && task.gold.length) {
    state.goldText = task.gold
      .filter((g) => g && g.id && g.label)
      .map((g) => JSON.stringify({ item: g.id, label: g.label, explanation: g.explanation }))
      .join('\n');
    state.scan = null;
  }
  if (task.config && Number.isFinite(task.config.overlap)) state.config.overlap = task.config.overlap;
  post({ type: 'task', task_id: task.task_id ?? null, examples: state.examples.size,
    overlap: state.config.overlap });
  if (hasData()) compute({ fresh: true });
  else panels.dataChanged();
}

function applyConfig(c) {
  if (Number.isFinite(c.min_reliability)) state.config.min_reliability = c.min_reliability;
  if (Number.isFinite(c.overlap)) state.config.overlap = c.overlap;
  if (typeof c.aggregation === 'string') state.aggregation = c.aggregation;
}

function recompute(msg) {
  applyConfig(msg.config ?? {});
  if (hasData()) compute({ fresh: false });
}

function allText() {
  if (state.text === null) state.text = state.bytes ? new TextDecoder().decode(state.bytes) : '';
  if (state.liveLines.length) {
    state.text += (state.text && !state.text.endsWith('\n') ? '\n' : '') + state.liveLines.join('\n');
    state.liveLines = [];
  }
  return state.text;
}

/**
 * The report, the summary and the agreement timeline from the core, then
 * the view model. Uses the coarsest calls the module has: a parsed
 * `Collection` (parse once, recompute on every slider move), else
 * `report()` + `summary()` + `agreementTimeline()`; whatever is missing is
 * filled by one JavaScript pass (scan.js) over the data, once per data set.
 */
function compute({ fresh }) {
  const seq = ++state.seq;
  if (fresh) state.dataVersion++;
  const t0 = performance.now();
  progress('computing the report', 0, 0);
  const gold = state.goldText || undefined;
  const reportConfig = { min_reliability: state.config.min_reliability };
  const summaryConfig = { overlap: state.config.overlap };
  let report;
  let summary = null;
  let timeline = null;
  const timing = {};
  const timed = (name, f) => {
    const t = performance.now();
    const out = f();
    timing[name] = Math.round(performance.now() - t);
    return out;
  };
  if (typeof wasm.Collection === 'function' && !state.basic) {
    if (fresh || !state.collection) {
      state.collection?.free();
      state.collection = null;
      state.collection = timed('parse', () => newCollection(gold));
      state.timeline = null;
    }
    // Without the label maps when the module can give them later (labels()):
    // a quarter of a million items each is seconds of object building.
    const lean = typeof state.collection.labels === 'function';
    report = timed('report', () => state.collection.report(reportConfig, lean ? { labels: false } : undefined));
    summary = timed('summary', () => state.collection.summary(summaryConfig));
    if (!state.timeline && typeof state.collection.timeline === 'function') {
      state.timeline = timed('timeline', () => timelineView(state.collection.timeline({ points: TIMELINE_POINTS }), 'core'));
    }
    timeline = state.timeline;
  } else {
    // The core's ReportConfig refuses unknown fields: skip_invalid only when set.
    const text = allText();
    report = timed('report', () => wasm.report(text, gold,
      state.config.skip_invalid ? { ...reportConfig, skip_invalid: true } : reportConfig));
    state.collection?.free();
    state.collection = null;
    if (typeof wasm.summary === 'function' && !state.basic) {
      summary = wasm.summary(text, gold, state.config.skip_invalid ? { ...summaryConfig, skip_invalid: true } : summaryConfig);
    }
    if (typeof wasm.agreementTimeline === 'function' && !state.basic) {
      if (fresh || !state.timeline) {
        state.timeline = timelineView(wasm.agreementTimeline(text, { points: TIMELINE_POINTS,
          skip_invalid: state.config.skip_invalid }), 'core');
      }
      timeline = state.timeline;
    }
  }
  const tReport = performance.now() - t0;
  state.report = report;
  if (!summary || !timeline) {
    if (fresh || !state.scan) {
      state.scan = timed('scan', () => scan(wasm, allText(), state.goldText, {
        progress: (done, total) => progress('counting labels and agreement over time', done, total),
        skipInvalid: state.config.skip_invalid,
        timeline: !timeline,
      }));
    }
    summary ??= summaryFromScan(state.scan, state.config.overlap);
    timeline ??= state.scan.timeline;
  }
  state.measured = summary.time;
  const view = timed('view', () => viewModel(report, summary, timeline, state.config, state.aggregation));
  // Which lines were skipped: the core's list when the module gives it.
  if (!view.skipped.length && state.collection && 'skipped' in state.collection) {
    view.skipped = (state.collection.skipped ?? []).slice(0, 20);
  }
  view.timing = { report_ms: tReport, total_ms: performance.now() - t0, steps: timing };
  view.examples = state.examples.size;
  post({ type: 'result', seq, view });
  panels.dataChanged();
}

/**
 * A Collection of the loaded data: from the file's bytes when the module
 * takes them (no decoding to a string and back), else from the text.
 */
function newCollection(gold) {
  const options = { skip_invalid: state.config.skip_invalid };
  if (state.bytes && state.bytesOk) {
    try {
      return new wasm.Collection(state.bytes, gold, options);
    } catch (err) {
      // A module that reads text only refuses the type; an error about a
      // line is about the data and stands.
      const m = err?.message ?? '';
      if (/line \d/.test(m) || !/expected JSONL text|invalid type|expected a (string|sequence)/i.test(m)) throw err;
      state.bytesOk = false;
    }
  }
  return new wasm.Collection(allText(), gold, options);
}

/** A core timeline ({annotations, pairwise, fleiss_kappa, krippendorff_alpha_ordinal}) as chart series. */
function timelineView(t, source) {
  return {
    x: Array.from(t.annotations ?? []),
    pairwise: Array.from(t.pairwise ?? []),
    fleiss: Array.from(t.fleiss_kappa ?? []),
    alpha: Array.from(t.krippendorff_alpha_ordinal ?? []),
    source,
  };
}

/**
 * The final labels of `method` ({labels: Map | object, confidence: Map | null}):
 * asked of the core (with its confidence) when the module has
 * Collection.labels(), else taken from the report.
 */
function finalLabels(method) {
  if (state.collection && typeof state.collection.labels === 'function') {
    const text = state.collection.labels({ min_reliability: state.config.min_reliability }, method);
    const labels = new Map();
    const confidence = new Map();
    for (const line of text.split('\n')) {
      if (!line) continue;
      const l = JSON.parse(line);
      labels.set(l.item, l.label);
      if (typeof l.confidence === 'number') confidence.set(l.item, l.confidence);
    }
    return { labels, confidence: confidence.size ? confidence : null };
  }
  const labels = state.report?.labels?.[method] ?? null;
  return { labels, confidence: null };
}

/**
 * Confidence of each final label: the core's when it sent one; else the
 * share of the reliable annotators' labels on the label's side, counted
 * here (also for Dawid-Skene, whose posteriors the plain report lacks).
 */
function confidenceFor(final) {
  if (final.confidence) return { map: final.confidence, source: 'core' };
  if (!state.scan) {
    state.scan = scan(wasm, allText(), state.goldText, {
      progress: (done, total) => progress('vote shares', done, total),
      skipInvalid: state.config.skip_invalid,
      timeline: false,
    });
  }
  return { map: state.scan.voteShare(state.report, final.labels, state.config), source: 'vote share' };
}

function exportFile(msg) {
  if (!state.report) throw new Error('load annotations first');
  const method = state.aggregation;
  const final = msg.kind === 'csv' ? null : finalLabels(method);
  const labels = final?.labels;
  if (!labels && msg.kind !== 'csv') {
    throw new Error(`no ${method} labels: ${state.report.undefined?.[method] ?? 'the core gave none'}`);
  }
  if (msg.kind === 'labels') {
    const conf = confidenceFor(final);
    const text = labelsJsonl(labels, conf.map, method, state.config.min_reliability);
    post({ type: 'export', kind: msg.kind, filename: `labels-${method}.jsonl`, text, mime: 'application/x-ndjson',
      note: `confidence: ${conf.source}` });
  } else if (msg.kind === 'dpo') {
    if (!state.examples.size) throw new Error('load the task file first: DPO pairs need the prompt and response texts');
    const conf = confidenceFor(final);
    const out = dpoJsonl(labels, conf.map, state.examples, !!msg.includeTies);
    post({ type: 'export', kind: msg.kind, filename: `dpo-${method}.jsonl`, text: out.text,
      mime: 'application/x-ndjson', note: `${out.written} pairs; ${out.ties} ties ${msg.includeTies ? 'included' : 'left out'}; ${out.missing} labelled items not in the task file; weight: ${conf.source}` });
  } else if (msg.kind === 'csv') {
    post({ type: 'export', kind: msg.kind, filename: 'annotators.csv',
      text: annotatorsCsv(state.report.annotators ?? []), mime: 'text/csv' });
  }
}

function cost(request) {
  if (typeof wasm.costTable !== 'function') {
    post({ type: 'cost', response: null, reason: 'this build of the wasm module has no costTable export yet' });
    return;
  }
  const req = { ...request };
  if (state.measured) req.measured = state.measured;
  post({ type: 'cost', response: wasm.costTable(req) });
}

// ---- live from the collector's event stream ----

async function startLive({ base, task, token }) {
  state.liveAbort?.abort();
  const abort = new AbortController();
  state.liveAbort = abort;
  const root = base.replace(/\/+$/, '');
  const auth = { Authorization: `Bearer ${token}` };
  const url = `${root}/api/tasks/${encodeURIComponent(task)}/events`;
  state.text = '';
  state.bytes = null;
  state.liveLines = [];
  state.ids.clear();
  state.scan = null;
  post({ type: 'live-status', status: 'connecting' });
  let timer = null;
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      queue = queue.then(() => compute({ fresh: true }))
        .catch((err) => post({ type: 'error', context: 'live', message: err.message }));
    }, 500);
  };
  // From id 0: the collector replays every stored annotation, then streams
  // new ones. Not awaited: the stream runs beside the request queue, and
  // each burst of annotations queues one recomputation (at most 2 a second).
  followProgress(`${root}/api/tasks/${encodeURIComponent(task)}/progress`, auth, abort.signal);
  streamEvents(url, auth, abort.signal, {
    status: (status) => post({ type: 'live-status', status }),
    data: (data) => {
      let n = 0;
      for (const line of splitEvent(data)) if (accept(line)) n++;
      if (n) {
        post({ type: 'live-tick', annotations: state.ids.size });
        schedule();
      }
    },
  }, '0').catch((err) => post({ type: 'error', context: 'live', message: err.message }));
}

/** How often the job's progress is asked for while following a collector. */
const PROGRESS_EVERY_MS = 3000;

/**
 * Asks the collector for the job's progress (items complete, leased, open;
 * labels and skips) now and every few seconds until `signal` aborts. A
 * collector without the endpoint (404) is not asked again.
 */
async function followProgress(url, headers, signal) {
  while (!signal.aborted) {
    try {
      const res = await fetch(url, { headers, signal });
      if (res.status === 404) return;
      if (res.ok) post({ type: 'live-progress', progress: await res.json() });
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => {
      const t = setTimeout(resolve, PROGRESS_EVERY_MS);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }
}

/**
 * An event's annotations as JSON lines. The collector sends
 * {"seq", "annotation", "verdict"}; a bare annotation or an array of them
 * is accepted too.
 */
function splitEvent(data) {
  let v;
  try {
    v = JSON.parse(data);
  } catch {
    return [data.trim()];
  }
  const list = Array.isArray(v) ? v : [v];
  return list.map((e) => JSON.stringify(e && typeof e.annotation === 'object' ? e.annotation : e));
}

/** Adds one annotation line unless its id was seen; returns whether it was new. */
function accept(line) {
  let obj;
  try {
    obj = JSON.parse(line);
  } catch {
    post({ type: 'error', context: 'live', message: `stream: not JSON: ${line.slice(0, 80)}` });
    return false;
  }
  if (obj.id !== undefined) {
    if (state.ids.has(obj.id)) return false;
    state.ids.add(obj.id);
  }
  state.liveLines.push(line);
  return true;
}
