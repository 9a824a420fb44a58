// The dashboard page: reads the form, posts to the worker, and draws what
// comes back. No wasm call and no statistics on this thread.
//
// One view state (`ui`) and one `render()`: every worker message and every
// event handler changes `ui` and calls render(), which sets every text,
// `hidden`, `disabled` and mark from it. A result carries the data and
// settings it was computed from; when the page shows figures that no
// longer match what was asked (a load failed, a computation runs) every
// panel says so.
//
// URL parameters (all optional): data, gold, task (URLs to load at start);
// live=BASE with task_id and token to follow a collector;
// min_reliability, aggregation, overlap.

import * as charts from './charts.js';
import { AnnotatorTable } from './table.js';
import { renderCost } from './cost.js';
import { JudgePanel } from './judge-panel.js';
import { ActivePanel } from './active-panel.js';
import { LeaderboardPanel } from './leaderboard-panel.js';
import { esc, fmt } from './format.js';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const params = new URLSearchParams(location.search);

/** The page's one state. */
const ui = {
  phase: 'starting',     // starting | idle | loading | computing | ready | error
  status: 'Starting…',
  progress: null,        // {done, total} while the worker works
  version: '',
  result: null,          // the last result: {seq, dataVersion, source, gold, settings, view}
  intervals: null,       // {seq, all, kept, ci} for result.seq
  band: null,            // {seq, all, kept} for result.seq
  drawn: 0,              // the result seq the charts show in full
  drawing: 0,            // the result seq being drawn
  bandDrawn: 0,          // the result seq whose interval band is drawn
  error: null,           // {context, message, source}
  stale: null,           // why the shown figures are not the asked-for data, or null
  asked: null,           // the load in progress: {source, skipInvalid}
  inputs: { annotations: null, gold: null, task: null }, // {name, from}: what the worker holds
  live: { following: false, status: '', auth: false },
  cost: null,            // {response}
  exportNote: '',
};

const table = new AnnotatorTable($('annotator-table'), (id) => {
  const sel = $('confusion-annotator');
  if (![...sel.options].some((o) => o.value === id)) sel.add(new Option(id, id));
  sel.value = id;
  askConfusion();
});

function send(msg) {
  worker.postMessage(msg);
}

// The judge, what-to-label-next and leaderboard panels: each reads its form
// and draws the worker's replies (every message is offered to each).
const panels = [new JudgePanel(send), new ActivePanel(send), new LeaderboardPanel(send)];

// ---- worker messages: each changes the state, then render() ----

worker.onmessage = (e) => {
  const m = e.data;
  for (const p of panels) p.receive(m);
  switch (m.type) {
    case 'ready':
      ui.version = `core ${m.version}`;
      ui.phase = 'idle';
      ui.status = 'Ready: load annotations.';
      startFromParams();
      setTimeout(charts.warmUp, 0); // while the worker reads and computes
      break;
    case 'progress':
      ui.progress = { done: m.done, total: m.total };
      ui.status = `${m.phase}…${m.total ? ` ${Math.round((100 * m.done) / m.total)}%` : ''}`;
      break;
    case 'result':
      performance.mark('dashboard-result');
      ui.result = m;
      ui.intervals = null;
      ui.band = null;
      ui.error = null;
      // Still the data a failed load left: the mark stays until new data.
      if (ui.stale?.dataVersion !== m.dataVersion) ui.stale = null;
      ui.asked = null;
      ui.progress = null;
      ui.phase = 'ready';
      requestCost();
      break;
    case 'intervals':
      if (ui.result?.seq === m.seq) ui.intervals = m;
      break;
    case 'band':
      if (ui.result?.seq === m.seq) ui.band = m;
      ui.progress = null;
      break;
    case 'error':
      fail(m);
      break;
    case 'input':
      ui.inputs[m.which] = { name: m.name, from: m.from };
      break;
    case 'export':
      download(m);
      if (!m.panel) ui.exportNote = `${m.filename}${m.note ? `: ${m.note}` : ''}`;
      break;
    case 'confusion':
      if ($('confusion-annotator').value === m.id) {
        charts.confusionMatrix($('plot-confusion'), m.matrix, m.id, ui.result?.view.dawid_skene.labels_order);
      }
      return;
    case 'cost':
      performance.mark('dashboard-cost');
      ui.cost = m;
      break;
    case 'task':
      ui.status = `Task ${m.task_id ?? ''}: ${m.examples} items with texts; ${m.settings}.`;
      // The task's overlap is the target unless the page was given one.
      if (!params.has('overlap') && Number($('overlap').value) !== m.overlap) {
        $('overlap').value = m.overlap;
        if (ui.result) sendConfig();
      }
      break;
    case 'live-status':
      ui.live.status = m.status;
      ui.live.auth = !!m.auth;
      if (m.stopped || m.status === 'stopped') ui.live.following = false;
      if (m.stopped && ui.phase === 'loading') {
        // Following failed before any data came: what is shown is the previous data.
        ui.phase = ui.result ? 'ready' : 'idle';
        if (ui.result) {
          ui.stale = { text: `Previous data: following the collector stopped (${m.status}); these figures are still those of ${ui.result.source?.name ?? 'the earlier data'}.`,
            dataVersion: ui.result.dataVersion };
        }
      }
      break;
    case 'live-tick':
      ui.live.status = `live: ${m.labels} labels, ${m.skips} skips`;
      break;
    case 'live-progress':
      ui.live.progress = m.progress;
      break;
    default:
      return;
  }
  render();
};

worker.onerror = (e) => fail({ context: 'worker', message: e.message || 'the worker failed to start (is www/pkg/ built?)' });

/** A failed request: the shown figures (if any) belong to the previous data or settings. */
function fail(m) {
  ui.error = m;
  ui.phase = 'error';
  ui.progress = null;
  ui.status = 'Error.';
  if (ui.result) {
    const what = m.context === 'load' ? `the annotations${m.source ? ` from ${m.source.name}` : ''} could not be loaded`
      : m.context === 'gold' ? 'the gold answers could not be loaded'
        : `the last ${m.context} request failed`;
    ui.stale = {
      text: `Previous data: ${what}; these figures are still those of ${ui.result.source?.name ?? 'the earlier data'}.`,
      dataVersion: ui.result.dataVersion,
    };
  }
  if (m.context === 'load') ui.lastLoad = ui.asked ?? ui.lastLoad;
  render();
}

// ---- loading ----

function load(source, skipInvalid = false) {
  performance.mark('dashboard-load-start');
  ui.asked = { source, skipInvalid };
  ui.phase = 'loading';
  ui.error = null;
  ui.status = 'Loading…';
  render();
  send({ type: 'load', source, skipInvalid, config: currentConfig() });
}

$('skip-invalid').onclick = () => {
  const last = ui.lastLoad;
  if (last) load(last.source, true);
};

$('file').onchange = (e) => {
  const f = e.target.files[0];
  if (f) load({ kind: 'file', file: f, name: f.name });
};
const drop = $('drop');
drop.ondragover = (e) => { e.preventDefault(); drop.classList.add('over'); };
drop.ondragleave = () => drop.classList.remove('over');
drop.ondrop = (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer.files[0];
  if (f) load({ kind: 'file', file: f, name: f.name });
};
drop.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') $('file').click(); };
$('url-form').onsubmit = (e) => {
  e.preventDefault();
  const url = $('url').value.trim();
  if (url) load({ kind: 'url', url: new URL(url, location.href).href });
};
$('gold-file').onchange = (e) => {
  const f = e.target.files[0];
  if (f) send({ type: 'gold', source: { kind: 'file', file: f, name: f.name } });
};
$('task-file').onchange = (e) => {
  const f = e.target.files[0];
  if (f) send({ type: 'task', source: { kind: 'file', file: f, name: f.name } });
};
$('live-form').onsubmit = (e) => {
  e.preventDefault();
  startLive($('live-base').value.trim() || location.origin, $('live-task').value.trim(), $('live-token').value);
};
$('live-stop').onclick = () => {
  send({ type: 'stop-live' });
  ui.live.following = false;
  ui.live.status = 'stopped';
  render();
};

function startLive(base, task, token) {
  if (!task) { fail({ context: 'live', message: 'give the task id to follow' }); return; }
  ui.live = { following: true, status: 'connecting', auth: false };
  ui.error = null;
  ui.phase = 'loading';
  render();
  send({ type: 'live', base, task, token });
}

function startFromParams() {
  const abs = (u) => new URL(u, location.href).href;
  if (params.has('min_reliability')) $('min-rel').value = params.get('min_reliability');
  if (params.has('aggregation')) $('aggregation').value = params.get('aggregation');
  if (params.has('overlap')) $('overlap').value = params.get('overlap');
  if (params.has('gold')) send({ type: 'gold', source: { kind: 'url', url: abs(params.get('gold')) } });
  if (params.has('task')) send({ type: 'task', source: { kind: 'url', url: abs(params.get('task')) } });
  if (params.has('data')) {
    $('url').value = abs(params.get('data'));
    load({ kind: 'url', url: abs(params.get('data')) });
  } else if (params.has('live')) {
    $('live-base').value = params.get('live');
    $('live-task').value = params.get('task_id') ?? '';
    $('live-token').value = params.get('token') ?? '';
    sendConfig();
    startLive(params.get('live'), params.get('task_id') ?? '', params.get('token') ?? '');
  } else {
    sendConfig();
  }
  render();
}

// ---- settings: debounced, the worker computes only the newest ----

let debounce = null;
function currentConfig() {
  return {
    min_reliability: Number($('min-rel').value),
    overlap: Math.max(1, Number($('overlap').value) || 3),
    aggregation: $('aggregation').value,
  };
}
function sendConfig() {
  send({ type: 'config', config: currentConfig() });
}
function configChanged() {
  clearTimeout(debounce);
  if (ui.result) ui.phase = 'computing';
  render();
  debounce = setTimeout(() => {
    if (ui.result) ui.status = 'Recomputing…';
    render();
    sendConfig();
  }, 200);
}
$('min-rel').oninput = configChanged;
$('aggregation').onchange = configChanged;
$('overlap').onchange = configChanged;
$('kappa-weighting').onchange = () => {
  if (ui.result) charts.kappaHeatmap($('plot-kappa'), ui.result.view.heatmap, $('kappa-weighting').value);
};
$('confusion-annotator').onchange = askConfusion;

// ---- exports ----

for (const b of document.querySelectorAll('[data-export]')) {
  b.onclick = () => send({ type: 'export', kind: b.dataset.export, includeTies: $('include-ties').checked });
}

function download(m) {
  const blob = new Blob([m.text], { type: m.mime });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = m.filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---- cost ----

function requestCost() {
  const n = (id) => ($(id).value === '' || !Number.isFinite(Number($(id).value)) ? undefined : Number($(id).value));
  const request = {
    hourly_rate: n('hourly') ?? 15,
    seconds_per_label: n('cost-seconds') ?? null,
    gold_share: n('cost-gold') ?? null,
    overlap: n('cost-overlap') ?? currentConfig().overlap,
    judge_price_per_call: n('cost-judge-price') ?? 0.01,
    judge_calls_per_pair: n('cost-judge-calls') ?? 2,
    spot_check_rate: n('cost-spot') ?? 0.05,
    human_review_rate: n('cost-review') ?? 0.3,
    judge_agreement: n('cost-judge-kappa') ?? null,
    target_pairs: Math.max(0, Math.round(n('target-pairs') ?? 0)),
    annotators: Math.max(1, Math.round(n('team') ?? 1)),
    hours_per_day: n('hours-day') ?? 6,
  };
  send({ type: 'cost', request });
}
$('cost-form').oninput = () => { clearTimeout(requestCost.t); requestCost.t = setTimeout(requestCost, 200); };

// ---- rendering: one function from `ui` ----

const PANELS = ['headline', 'plots', 'annotators', 'exports', 'cost', 'judge', 'active', 'leaderboard'];

function sourceText(s) {
  return s ? `${s.name} (${s.from})` : null;
}

function render() {
  const r = ui.result;
  const v = r?.view;
  document.body.dataset.state = ui.phase;
  $('version').textContent = ui.version;
  $('status').textContent = ui.status;
  const p = $('progress');
  p.hidden = !ui.progress;
  if (ui.progress?.total) { p.max = ui.progress.total; p.value = ui.progress.done; } else p.removeAttribute('value');

  // Inputs: what the worker holds, and from where.
  for (const which of ['annotations', 'gold', 'task']) {
    const el = $(`source-${which}`);
    const s = ui.inputs[which];
    el.textContent = sourceText(s) ?? (which === 'annotations' ? 'none loaded' : 'none');
    el.dataset.from = s?.from ?? '';
    el.title = s?.name ?? '';
  }

  // Errors.
  $('error').hidden = !ui.error;
  if (ui.error) {
    const m = ui.error;
    $('error-text').textContent = m.context === 'load' || m.context === 'config'
      ? `Could not load the annotations${m.source ? ` (${m.source.name})` : ''}: ${m.message}` : `${m.context}: ${m.message}`;
  }
  $('skip-invalid').hidden = !ui.error?.refusedLine;

  // Stale and pending marks on every panel that draws the data.
  const pending = ui.phase === 'loading' || ui.phase === 'computing';
  for (const id of PANELS) {
    const section = $(id);
    const note = section.querySelector('.stale-note');
    section.classList.toggle('stale', !!ui.stale);
    section.classList.toggle('pending', pending && !!r);
    section.setAttribute('aria-busy', String(pending && !!r));
    note.hidden = !ui.stale;
    note.textContent = ui.stale?.text ?? '';
  }

  // Live.
  $('live-stop').disabled = !ui.live.following;
  $('live-stop').title = ui.live.following ? '' : 'not following a collector';
  $('live-status').textContent = ui.live.status;
  $('live-status').classList.toggle('bad', ui.live.auth);
  const lp = ui.live.progress;
  $('live-progress').hidden = !lp;
  if (lp) {
    $('live-progress').textContent = `${lp.complete} of ${lp.items} items complete, ${lp.leased} held by annotators, `
      + `${lp.open} waiting; ${lp.labels} labels, ${lp.skips} skips`;
    $('live-progress').dataset.complete = lp.complete;
  }

  // Controls that would do nothing.
  const noData = !r;
  for (const b of document.querySelectorAll('[data-export]')) {
    const needsTask = b.dataset.export === 'dpo' && !ui.inputs.task;
    b.disabled = noData || needsTask;
    b.title = noData ? 'load annotations first' : needsTask ? 'load the task file first: DPO pairs need the prompts and responses' : '';
  }
  $('export-note').textContent = ui.exportNote;
  const off = [...document.querySelectorAll('[data-export]')].filter((b) => b.disabled && r);
  $('export-why').textContent = off.map((b) => `${b.textContent.replace(/ \(.*\)$/, '')}: ${b.title}.`).join(' ');
  $('min-rel-out').value = Number($('min-rel').value).toFixed(2);

  if (!v) return;
  renderHeadline(r, v);
  renderCounts(v);
  if (ui.cost) renderCost($('cost-out'), ui.cost.response, v);
  const bandDue = ui.band?.seq === r.seq && ui.bandDrawn !== r.seq;
  if ((ui.drawn !== r.seq && ui.drawing !== r.seq) || bandDue) drawCharts(r, v);
}

/** A value with its interval, and a bar showing both on [-1, 1]. */
function interval(ci, pending, resamples) {
  if (pending) return `<div class="ci-text pending-text">interval: ${resamples} resamples…</div>`;
  if (!ci) return '';
  const pos = (x) => `${(100 * (Math.max(-1, Math.min(1, x)) + 1)) / 2}%`;
  return `<div class="ci-text" data-ci="${ci[0]},${ci[1]}">95% interval ${fmt(ci[0])}–${fmt(ci[1])}</div>
    <div class="ci" aria-hidden="true"><span class="ci-range" style="left:${pos(ci[0])};right:calc(100% - ${pos(ci[1])})"></span></div>`;
}

function bandText(i) {
  return i?.band ? `<span class="band band-${esc(i.band)}">${esc(String(i.band).replace(/_/g, ' '))}</span>${i.range ? ` <span class="muted">(${esc(i.range)})</span>` : ''}` : '';
}

function renderHeadline(r, v) {
  const min = r.settings.min_reliability.toFixed(2);
  const ivs = ui.intervals;
  const ciOf = (side, key) => ivs?.[side].find((c) => c.key === key) ?? null;
  const resamples = 1000;
  const column = (side, h, label) => {
    const c = ciOf(side, h.key);
    const i = c?.interpretation ?? h.interpretation;
    return `<div class="hero-col" data-side="${side}">
      <div class="muted">${label}</div>
      <div class="value" data-value="${h.value ?? ''}">${fmt(h.value)}</div>
      <div>${bandText(i)}</div>
      ${h.value === null && h.reason ? `<div class="muted">undefined: ${esc(h.reason)}</div>` : ''}
      ${interval(c?.ci, !ivs && h.value !== null, resamples)}
      ${i?.interval_note ? `<div class="muted small">${esc(i.interval_note)}</div>` : ''}
      ${i?.action ? `<div class="action">${esc(i.action)}</div>` : ''}</div>`;
  };
  const all = v.headline.find((h) => h.key === 'krippendorff_alpha.ordinal');
  const kept = v.kept.find((h) => h.key === 'krippendorff_alpha.ordinal');
  const removed = v.filtered.annotators_removed;
  $('hero').innerHTML = `<div class="hero-title">Krippendorff's alpha (ordinal) <span class="tag">headline</span></div>
    <div class="hero-cols">${column('all', all, 'all annotators')}
    ${column('kept', kept, `after the reliability filter (≥ ${min}: ${removed} of ${v.counts.annotators} annotators left out)`)}</div>`;
  $('hero').dataset.key = 'krippendorff_alpha.ordinal';
  $('ci-note').textContent = ivs
    ? `Intervals: ${Math.round(100 * ivs.ci.level)}% ${ivs.ci.method ?? 'bootstrap'}, ${ivs.ci.resamples} resamples, seed ${ivs.ci.seed}.`
    : 'Intervals: computing in the background…';
  const cards = v.headline.map((h, k) => {
    const kh = v.kept[k];
    const support = h.key !== 'krippendorff_alpha.ordinal';
    const ca = ciOf('all', h.key);
    const ck = ciOf('kept', h.key);
    return `<div class="card${support ? '' : ' headline-card'}" data-key="${esc(h.key)}">
      <div class="card-title">${esc(h.title)}${support ? ' <span class="tag muted">supporting</span>' : ' <span class="tag">headline</span>'}</div>
      <div class="pair"><div><div class="muted small">all</div><div class="value" data-value="${h.value ?? ''}">${fmt(h.value)}</div>${bandText(h.interpretation)}${interval(ca?.ci, !ivs && h.value !== null, resamples)}</div>
      <div><div class="muted small">after filter</div><div class="value kept" data-kept="${kh.value ?? ''}">${fmt(kh.value)}</div>${bandText(kh.interpretation)}${interval(ck?.ci, !ivs && kh.value !== null, resamples)}</div></div>
      ${h.value === null && h.reason ? `<div class="muted small">undefined: ${esc(h.reason)}</div>` : ''}</div>`;
  });
  $('cards').innerHTML = cards.join('');
}

function renderCounts(v) {
  const c = v.counts;
  const final = v.labelDist.final[v.aggregation];
  const entries = [
    ['annotations', c.annotations], ['items', c.items], ['annotators', c.annotators], ['skipped lines', c.skipped],
    [`final labels (${v.aggregation})`, final.count],
    ['annotators below min reliability', v.filtered.annotators_removed],
    ['items left without a label', v.filtered.items_without_label],
    [`items below ${v.overlap.target} labels`, v.overlap.lacking],
  ];
  $('counts').innerHTML = entries.map(([k, n]) =>
    `<div><dt>${esc(k)}</dt><dd data-count="${esc(k)}">${n ?? '—'}</dd></div>`).join('');
  const lk = $('lacking');
  lk.querySelector('summary').textContent =
    `${v.overlap.lacking} of ${v.overlap.items} items have fewer than ${v.overlap.target} labels` +
    (v.overlap.needed ? ` (${v.overlap.needed} labels still needed)` : '');
  lk.querySelector('ul').innerHTML = v.overlap.sample.map(([item, n]) => `<li>${esc(item)}: ${n}</li>`).join('') +
    (v.overlap.lacking > v.overlap.sample.length ? `<li>… ${v.overlap.lacking - v.overlap.sample.length} more</li>` : '');
  const sk = $('skipped');
  sk.hidden = !c.skipped;
  sk.querySelector('summary').textContent = `${c.skipped} bad lines skipped`;
  sk.querySelector('ul').innerHTML = v.skipped.map((s) => `<li>line ${s.line}: ${esc(s.error)}</li>`).join('');
}

/** Asks the worker for the chosen annotator's confusion matrix (drawn on reply). */
function askConfusion() {
  const id = $('confusion-annotator').value;
  if (id) send({ type: 'confusion', id });
  else charts.confusionMatrix($('plot-confusion'), null, '', ui.result?.view.dawid_skene.labels_order);
}

const nextFrame = () => new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
let drawing = 0;

/** Draws every chart of result `r`, a frame apart so no main-thread task runs long. */
async function drawCharts(r, v) {
  const mine = ++drawing;
  const firstDraw = ui.drawn !== r.seq;
  ui.drawing = r.seq;
  if (ui.band?.seq === r.seq) ui.bandDrawn = r.seq;
  const t0 = performance.now();
  const band = ui.band?.seq === r.seq ? ui.band : null;
  const steps = [
    () => {
      charts.timeline($('plot-timeline'), v.timeline, band);
      $('band-note').textContent = band
        ? `Shaded: the ${Math.round(100 * band.all.level)}% interval of ordinal alpha (all annotators) at ${band.all.annotations.length} points, ${band.all.resamples} resamples each (${band.all.method}).`
        : 'The interval band is computed in the background.';
    },
  ];
  if (firstDraw) {
    steps.push(
      () => charts.labelDistribution($('plot-labels'), v.labelDist.raw, v.labelDist.final[v.aggregation], v.aggregation),
      () => charts.goldVsTime($('plot-scatter'), v.annotators),
      () => {
        charts.kappaHeatmap($('plot-kappa'), v.heatmap, $('kappa-weighting').value);
        $('kappa-note').textContent = v.heatmap.ids.length < v.annotators.length || v.heatmap.truncated
          ? `a group of ${v.heatmap.ids.length} annotators who share the most items (${v.heatmap.total_pairs} pairs in all${v.heatmap.truncated ? `; ${v.heatmap.truncated}` : ''})` : '';
      },
      () => {
        const sel = $('confusion-annotator');
        const keep = sel.value;
        const ids = v.confusion_ids;
        sel.innerHTML = ids.map((id) => `<option>${esc(id)}</option>`).join('');
        if (keep && !ids.includes(keep) && v.confusion_all.includes(keep)) sel.add(new Option(keep, keep));
        if (keep) sel.value = keep;
        const ds = v.dawid_skene;
        $('ds-note').textContent = ds.iterations == null ? (ds.reason ? `(not run: ${ds.reason})` : '')
          : `(${ds.iterations} EM iterations${ds.converged === false ? ', not converged' : ''}, log-likelihood ${fmt(ds.log_likelihood, 1)})`;
        askConfusion();
      },
      () => table.set(v.annotators),
    );
  }
  for (const step of steps) {
    step();
    await nextFrame();
    if (mine !== drawing) return; // a newer result arrived: draw that instead
  }
  ui.drawn = r.seq;
  ui.drawing = 0;
  if (firstDraw) {
    document.body.dataset.settings = JSON.stringify(r.settings);
    document.body.dataset.seq = String(r.seq);
    const steps_ = Object.entries(v.timing.steps).map(([k, ms]) => `${k} ${ms}`).join(', ');
    if (ui.phase === 'ready') ui.status = `Computed in ${fmt(v.timing.total_ms, 0)} ms (${steps_} ms); drawn in ${fmt(performance.now() - t0, 0)} ms.`;
    $('status').textContent = ui.status;
    performance.mark('dashboard-drawn');
  }
  if (band) document.body.dataset.band = String(r.seq);
}

render();
