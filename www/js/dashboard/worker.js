// The dashboard's worker: holds the data, makes every call into the wasm
// core (the lab module built from the same commit), and sends the page
// small view models to draw. Nothing here touches the DOM; nothing on the
// page calls wasm.
//
// Messages in:  {type: 'load' | 'gold' | 'task', source, skipInvalid}
//               {type: 'config', config}   {type: 'live', base, task, token}
//               {type: 'stop-live'}        {type: 'export', kind, includeTies}
//               {type: 'cost', request}
//               the judge, what-to-label-next and leaderboard panels' messages
//               (panels-worker.js)
// Messages out: {type: 'ready' | 'progress' | 'result' | 'intervals' | 'error' |
//                'input' | 'export' | 'cost' | 'live-status' | 'live-progress'}
//
// A load replaces the data only once the core has read all of it: a load
// that fails leaves the previous data (and the page marks what it shows as
// the previous data's). Every result carries `seq`, the data it was
// computed from (`source`, `dataVersion`) and the settings.

import init, * as wasm from '../../pkg/prefkit_lab.js';
import { isJsonArray, readBytes, readSource, streamEvents, toJsonl, AuthError } from './sources.js';
import { annotatorsCsv, dpoJsonl, labelsJsonl } from './exports.js';
import { viewModel, agreementCards } from './view.js';
import { createPanels, PANEL_MESSAGES } from './panels-worker.js';

/** Points of the agreement-over-time chart, and of its interval band. */
const TIMELINE_POINTS = 120;
const BAND_POINTS = 12;
/** The bootstrap of the cards (resamples) and of the band (fewer: one per point). */
const CI = { level: 0.95, resamples: 1000, seed: 0 };
const BAND_CI = { level: 0.95, resamples: 200, seed: 0 };
/** Agreement settings that skip the Cohen pairs: the cards do not show them (the report's are in the heat map). */
const NO_COHEN = { min_shared: 2 ** 32 - 1 };

const state = {
  collection: null,    // wasm Collection: the parsed data
  kept: null,          // wasm Collection: the annotations the reliability filter keeps
  source: null,        // {name, from} of the data in `collection`
  input: null,         // the data as read (bytes or JSONL text), to read again with new gold
  text: null,          // live: every annotation received, JSONL
  ids: new Set(),      // ids received live (the stream may repeat the backfill)
  liveSkips: 0,        // skip records among them
  goldText: undefined,
  gold: null,          // {name, from} of the gold answers
  examples: new Map(), // item -> {prompt, response_a, response_b}, from the task file
  task: null,          // the task file as loaded (for the judge and active-learning panels)
  taskReport: null,    // the task file's report settings (gold match, flag and speed thresholds), if it reads as a task
  collectorReport: null, // live: the collector's report settings for its task, which take precedence
  dataVersion: 0,      // changes whenever the annotations or gold do
  config: { min_reliability: 0.6, overlap: 3, skip_invalid: false },
  aggregation: 'majority',
  report: null,
  timeline: null,      // agreement over time of all annotations, per data version
  measured: null,      // recorded time (summary.time), for the cost model
  intervals: null,     // {dataVersion, all, band}: all annotators' intervals, which do not depend on the slider
  liveAbort: null,
  seq: 0,
};

const ready = init().then(() => {
  post({ type: 'ready', version: wasm.version() });
}, (err) => {
  const message = `could not start the wasm module (${err?.message ?? err}); is www/pkg/ built (scripts/build-wasm.sh)?`;
  post({ type: 'error', context: 'wasm', message });
  throw new Error(message);
});

function post(msg) {
  self.postMessage(msg);
}

const panels = createPanels({ wasm, state, post, finalLabels: (m) => finalLabels(m) });

function progress(phase, done, total) {
  post({ type: 'progress', phase, done, total });
}

// Requests are handled one at a time; while one runs, later config changes
// replace each other so the worker only ever computes the newest.
let queue = Promise.resolve();
let pendingConfig = null;
function enqueue(f) {
  queue = queue.then(f);
}

self.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'config') {
    const first = pendingConfig === null;
    pendingConfig = msg;
    if (!first) return;
    enqueue(() => {
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
  enqueue(() => handle(msg));
};

async function handle(msg) {
  try {
    await ready;
    switch (msg.type) {
      case 'load': return await load(msg);
      case 'gold': return await loadGold(msg);
      case 'task': return await loadTask(msg);
      case 'config': return await recompute(msg);
      case 'live': return startLive(msg);
      case 'export': return exportFile(msg);
      case 'confusion':
        return post({ type: 'confusion', id: msg.id, matrix: state.report?.dawid_skene?.confusion?.[msg.id] ?? null });
      case 'cost': return cost(msg.request);
      default:
        if (PANEL_MESSAGES.has(msg.type)) return await panels.handle(msg);
    }
  } catch (err) {
    post({ type: 'error', context: msg.type, message: err?.message ?? String(err), source: msg.source ? describe(msg.source) : null,
      refusedLine: !!err?.refusedLine });
  }
}

/** What the page says a source is: its file name or URL. */
function describe(source) {
  if (source.kind === 'file') return { name: source.name ?? source.file?.name ?? 'file', from: 'file' };
  if (source.kind === 'url') return { name: source.url, from: 'URL' };
  return { name: 'text', from: 'text' };
}

/** A Collection of `input` (bytes or text) with the current gold. */
function newCollection(input) {
  return new wasm.Collection(input, state.goldText || undefined, collectionOptions());
}

/** The task's report settings: the collector's in the live view, else the task file's, else none (the defaults). */
function taskSettings() {
  return state.collectorReport ?? state.taskReport;
}

/** How a Collection reads the annotations: repeated ratings taken when the task shows items again. */
function collectionOptions() {
  return { skip_invalid: state.config.skip_invalid, allow_repeats: !!taskSettings()?.allow_repeats };
}

/** The report settings: the task's, with the page's minimum reliability. */
function reportSettings() {
  return { ...taskSettings(), min_reliability: state.config.min_reliability };
}

async function load(msg) {
  const source = describe(msg.source);
  const bytes = await readBytes(msg.source, (done, total) => progress('reading', done, total));
  const input = isJsonArray(bytes) ? toJsonl(new TextDecoder().decode(bytes)) : bytes;
  const skip = state.config.skip_invalid;
  const collector = state.collectorReport;
  state.config.skip_invalid = !!msg.skipInvalid;
  // A file is read with the task file's settings, not the collector's.
  state.collectorReport = null;
  progress('reading the annotations', 0, 0);
  let collection;
  try {
    collection = newCollection(input);
  } catch (err) {
    state.config.skip_invalid = skip;
    state.collectorReport = collector;
    // The core refused a line: the page offers to skip the bad lines.
    throw Object.assign(new Error(err.message), { refusedLine: !msg.skipInvalid });
  }
  state.liveAbort?.abort();
  state.text = null;
  state.ids.clear();
  state.liveSkips = 0;
  state.input = input;
  replaceData(collection, source);
  if (msg.config) applyConfig(msg.config);
  post({ type: 'input', which: 'annotations', ...source });
  await compute();
}

/** Makes `collection` the data; frees the previous one. */
function replaceData(collection, source) {
  state.collection?.free();
  state.collection = collection;
  state.source = source;
  state.dataVersion++;
  state.timeline = null;
  state.intervals = null;
}

async function loadGold(msg) {
  const raw = await readSource(msg.source, (done, total) => progress('reading gold', done, total));
  const before = [state.goldText, state.gold];
  state.goldText = toJsonl(raw);
  state.gold = describe(msg.source);
  try {
    await reparse();
  } catch (err) {
    // The core refused the gold: the previous gold stays.
    [state.goldText, state.gold] = before;
    throw err;
  }
  post({ type: 'input', which: 'gold', ...state.gold });
}

/** Reads the current data again (with new gold) and recomputes. */
async function reparse() {
  const input = state.text ?? state.input;
  if (input === null || input === '') return;
  replaceData(newCollection(input), state.source);
  await compute();
}

async function loadTask(msg) {
  const raw = await readSource(msg.source, (done, total) => progress('reading task', done, total));
  let task;
  try {
    task = JSON.parse(raw);
  } catch (err) {
    throw new Error(`task file: not JSON (${err.message})`);
  }
  if (!task || typeof task !== 'object' || Array.isArray(task)) throw new Error('task file: expected a JSON object with "examples"');
  state.examples = new Map();
  state.task = task;
  for (const list of [task.examples, task.gold]) {
    for (const ex of Array.isArray(list) ? list : []) {
      if (ex && typeof ex.id === 'string') state.examples.set(ex.id, ex);
    }
  }
  const source = describe(msg.source);
  post({ type: 'input', which: 'task', ...source });
  if (task.config && Number.isFinite(task.config.overlap)) state.config.overlap = task.config.overlap;
  // Its thresholds, as a session and the collector's /report read them.
  // A file the core refuses as a task still gives its texts to the
  // panels; the report then keeps its defaults, and the page says why.
  const repeats = !!taskSettings()?.allow_repeats;
  let settings;
  try {
    state.taskReport = wasm.taskReportConfig(raw);
    const r = state.taskReport.reliability;
    settings = `annotators flagged under ${r.flag_gold_accuracy_below} gold accuracy (from ${r.flag_min_gold} gold answers), answers under ${r.speed_threshold_seconds} s too fast`;
  } catch (err) {
    state.taskReport = null;
    settings = `its settings are not used (${err.message}): the report's defaults are`;
  }
  post({ type: 'task', task_id: task.task_id ?? null, examples: state.examples.size, overlap: state.config.overlap, settings });
  // The task's gold answers count as gold unless a gold file was given.
  if (state.goldText === undefined && Array.isArray(task.gold) && task.gold.length) {
    state.goldText = task.gold
      .filter((g) => g && g.id && g.label)
      .map((g) => JSON.stringify({ item: g.id, label: g.label, explanation: g.explanation }))
      .join('\n');
    state.gold = { name: `${source.name} (its gold)`, from: source.from };
    post({ type: 'input', which: 'gold', ...state.gold });
    await reparse();
  } else if (state.collection && repeats !== !!taskSettings()?.allow_repeats) {
    await reparse(); // repeated ratings are read, or no longer
  } else if (state.collection) {
    await compute();
  }
  panels.dataChanged();
}

function applyConfig(c) {
  if (Number.isFinite(c.min_reliability)) state.config.min_reliability = c.min_reliability;
  if (Number.isFinite(c.overlap)) state.config.overlap = c.overlap;
  if (typeof c.aggregation === 'string') state.aggregation = c.aggregation;
}

async function recompute(msg) {
  applyConfig(msg.config ?? {});
  if (state.collection) await compute();
}

/** A core timeline ({annotations, pairwise, fleiss_kappa, krippendorff_alpha_ordinal}) as chart series. */
function timelineView(t) {
  return {
    x: Array.from(t.annotations),
    pairwise: Array.from(t.pairwise),
    fleiss: Array.from(t.fleiss_kappa),
    alpha: Array.from(t.krippendorff_alpha_ordinal),
  };
}

/**
 * The figures of the current data and settings: the report, the summary,
 * agreement over time, and agreement among the annotators the filter keeps;
 * posted at once; then the bootstrap intervals come from their own worker
 * (intervals-worker.js) as later messages, so the page has its figures and
 * this worker takes the next request while they run.
 */
async function compute() {
  const seq = ++state.seq;
  const t0 = performance.now();
  progress('computing the report', 0, 0);
  const timing = {};
  const timed = (name, f) => {
    const t = performance.now();
    const out = f();
    timing[name] = Math.round(performance.now() - t);
    return out;
  };
  const c = state.collection;
  const settings = { min_reliability: state.config.min_reliability, overlap: state.config.overlap, aggregation: state.aggregation };
  const reportConfig = reportSettings();
  const report = timed('report', () => c.report(reportConfig, { labels: false }));
  const summary = timed('summary', () => c.summary({ overlap: state.config.overlap }));
  state.timeline ??= timed('timeline', () => timelineView(c.timeline({ points: TIMELINE_POINTS })));
  state.kept?.free();
  state.kept = timed('filter', () => c.kept(reportConfig));
  const keptAgreement = timed('kept agreement', () => state.kept.agreement({ agreement: NO_COHEN }));
  const keptTimeline = timed('kept timeline', () => timelineView(state.kept.timeline({ points: TIMELINE_POINTS })));
  state.report = report;
  state.measured = summary.time;
  const view = timed('view', () => viewModel(report, summary, state.timeline, keptAgreement, keptTimeline, state.config, state.aggregation));
  view.skipped = (c.skipped ?? []).slice(0, 20);
  view.timing = { total_ms: performance.now() - t0, steps: timing };
  view.examples = state.examples.size;
  post({ type: 'result', seq, dataVersion: state.dataVersion, source: state.source, gold: state.gold, settings, view });
  panels.dataChanged();
  requestIntervals(seq);
}

// ---- the bootstrap intervals, in their own worker ----

let intervalWorker = null;
let intervalSeq = 0; // the seq the interval worker is computing, 0 when idle
let intervalVersion = -1; // the data version the interval worker holds

/**
 * Asks the interval worker for the intervals of result `seq`: of all
 * annotations and their band over time (once per data version; kept here)
 * and of the kept ones. A worker still busy with older figures is
 * terminated: a running wasm call cannot be stopped otherwise.
 */
function requestIntervals(seq) {
  if (intervalSeq && intervalWorker) {
    intervalWorker.terminate();
    intervalWorker = null;
  }
  if (!intervalWorker) {
    intervalVersion = -1;
    intervalWorker = new Worker(new URL('./intervals-worker.js', import.meta.url), { type: 'module' });
    intervalWorker.onmessage = (e) => intervalMessage(e.data);
    intervalWorker.onerror = (e) => {
      intervalSeq = 0;
      intervalVersion = -1;
      post({ type: 'error', context: 'intervals', message: e.message || 'the interval worker failed' });
    };
  }
  if (state.intervals?.dataVersion !== state.dataVersion) state.intervals = { dataVersion: state.dataVersion, all: null, band: null };
  intervalSeq = seq;
  // The data goes over once per version (a copy: the file's bytes stay here).
  const fresh = intervalVersion !== state.dataVersion;
  intervalVersion = state.dataVersion;
  intervalWorker.postMessage({
    seq, dataVersion: state.dataVersion, input: fresh ? state.text ?? state.input : null, gold: state.goldText || undefined,
    options: collectionOptions(), report: reportSettings(),
    ci: CI, bandCi: BAND_CI, bandPoints: BAND_POINTS, agreement: NO_COHEN,
    need: { all: !state.intervals.all, band: !state.intervals.band },
  });
}

function intervalMessage(m) {
  if (m.seq !== state.seq) return; // older figures
  const cache = state.intervals;
  if (m.type === 'error') {
    intervalSeq = 0;
    intervalVersion = -1;
    post({ type: 'error', context: 'intervals', message: m.message });
  } else if (m.type === 'intervals') {
    cache.all ??= m.all;
    post({ type: 'intervals', seq: m.seq, all: agreementCards(cache.all), kept: agreementCards(m.kept),
      ci: { ...CI, method: cache.all.ci?.method ?? null } });
    if (cache.band) sendBand(m.seq);
  } else if (m.type === 'band') {
    cache.band = m.all;
    sendBand(m.seq);
  }
}

function sendBand(seq) {
  intervalSeq = 0;
  post({ type: 'band', seq, all: state.intervals.band });
}

/** The final labels of `method` with the core's confidence: {labels: Map, confidence: Map}. */
function finalLabels(method) {
  const text = state.collection.labels(reportSettings(), method);
  const labels = new Map();
  const confidence = new Map();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const l = JSON.parse(line);
    labels.set(l.item, l.label);
    confidence.set(l.item, l.confidence);
  }
  return { labels, confidence };
}

function exportFile(msg) {
  if (!state.report) throw new Error('load annotations first');
  const method = state.aggregation;
  if (msg.kind === 'csv') {
    post({ type: 'export', kind: msg.kind, filename: 'annotators.csv',
      text: annotatorsCsv(state.report.annotators ?? []), mime: 'text/csv' });
    return;
  }
  const final = finalLabels(method);
  if (!final.labels.size) {
    throw new Error(`no ${method} labels: ${state.report.undefined?.[method] ?? 'every annotator is below the minimum reliability'}`);
  }
  if (msg.kind === 'labels') {
    const text = labelsJsonl(final.labels, final.confidence, method, state.config.min_reliability);
    post({ type: 'export', kind: msg.kind, filename: `labels-${method}.jsonl`, text, mime: 'application/x-ndjson',
      note: 'confidence: core' });
  } else if (msg.kind === 'dpo') {
    if (!state.examples.size) throw new Error('load the task file first: DPO pairs need the prompt and response texts');
    const out = dpoJsonl(final.labels, final.confidence, state.examples, !!msg.includeTies);
    post({ type: 'export', kind: msg.kind, filename: `dpo-${method}.jsonl`, text: out.text,
      mime: 'application/x-ndjson', note: `${out.written} pairs; ${out.ties} ties ${msg.includeTies ? 'included' : 'left out'}; ${out.missing} labelled items not in the task file; weight: core confidence` });
  }
}

/** The cost model: the page's numbers plus this collection's measured time and agreement. */
function cost(request) {
  const req = { ...request };
  if (state.measured) req.measured = state.measured;
  const measured = state.report ? state.kept?.agreement({ agreement: NO_COHEN }).krippendorff_alpha.ordinal : null;
  if (req.human_agreement == null && measured != null) req.human_agreement = measured;
  if (req.judge_agreement == null) req.judge_agreement = panels.judgeAgreement();
  post({ type: 'cost', response: wasm.costTable(req) });
}

// ---- live from the collector's event stream ----

async function startLive({ base, task, token }) {
  state.liveAbort?.abort();
  const abort = new AbortController();
  state.liveAbort = abort;
  const root = base.replace(/\/+$/, '');
  const auth = { Authorization: `Bearer ${token}` };
  const api = `${root}/api/tasks/${encodeURIComponent(task)}`;
  post({ type: 'live-status', status: 'connecting' });
  // The gold answers from the collector (the admin token's holder may have
  // them), so annotators are flagged as the collector's /report flags them.
  // A gold file loaded on the page takes precedence.
  if (!state.gold || state.gold.from === 'collector') {
    let res;
    try {
      res = await fetch(`${api}/gold.jsonl`, { headers: auth, signal: abort.signal });
    } catch (err) {
      post({ type: 'live-status', status: `could not reach the collector (${err.message})`, stopped: true });
      return;
    }
    if (res.status === 401 || res.status === 403) {
      post({ type: 'live-status', status: `stopped: the collector refused the admin token (HTTP ${res.status}); check the token`, stopped: true, auth: true });
      return;
    }
    if (res.status === 404) {
      post({ type: 'live-status', status: `stopped: the collector has no task "${task}" (HTTP 404)`, stopped: true });
      return;
    }
    if (res.ok) {
      state.goldText = await res.text();
      state.gold = { name: `${api}/gold.jsonl`, from: 'collector' };
      post({ type: 'input', which: 'gold', ...state.gold });
    }
  }
  // The task's report settings (gold match, flag and speed thresholds), so
  // the figures and flags are those of the collector's /report.
  state.collectorReport = null;
  try {
    const res = await fetch(`${api}/report_config`, { headers: auth, signal: abort.signal });
    if (res.ok) state.collectorReport = await res.json();
  } catch (err) {
    post({ type: 'live-status', status: `could not reach the collector (${err.message})`, stopped: true });
    return;
  }
  state.text = '';
  state.input = null;
  state.ids.clear();
  state.liveSkips = 0;
  const source = { name: `${api}/events`, from: 'collector' };
  post({ type: 'input', which: 'annotations', ...source });
  let timer = null;
  let fresh = 0;
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      enqueue(async () => {
        if (abort.signal.aborted && !fresh) return;
        fresh = 0;
        try {
          replaceData(newCollection(state.text), source);
          await compute();
        } catch (err) {
          post({ type: 'error', context: 'live', message: err.message });
        }
      });
    }, 500);
  };
  // From id 0: the collector replays every stored annotation, then streams
  // new ones. Each burst of annotations queues one recomputation (at most 2
  // a second).
  followProgress(`${api}/progress`, auth, abort.signal);
  streamEvents(`${api}/events`, auth, abort.signal, {
    status: (status) => post({ type: 'live-status', status }),
    data: (data) => {
      let n = 0;
      for (const line of splitEvent(data)) if (accept(line)) n++;
      if (n) {
        fresh += n;
        post({ type: 'live-tick', labels: state.ids.size - state.liveSkips, skips: state.liveSkips });
        schedule();
      }
    },
  }, '0').catch((err) => {
    abort.abort();
    const auth = err instanceof AuthError;
    post({ type: 'live-status', status: auth ? `stopped: ${err.message}; check the token` : `stopped: ${err.message}`, stopped: true, auth });
  });
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
      if (res.status === 404 || res.status === 401 || res.status === 403) return;
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
 * {"seq", "annotation", "verdict"} (docs/collector.md).
 */
function splitEvent(data) {
  let v;
  try {
    v = JSON.parse(data);
  } catch {
    return [];
  }
  return [JSON.stringify(v?.annotation ?? v)];
}

/** Adds one annotation line unless its id was seen; returns whether it was new. */
function accept(line) {
  const obj = JSON.parse(line);
  if (obj.id !== undefined) {
    if (state.ids.has(obj.id)) return false;
    state.ids.add(obj.id);
    if (obj.skip !== undefined) state.liveSkips++;
  }
  state.text += `${line}\n`;
  return true;
}
