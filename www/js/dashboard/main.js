// The dashboard page: reads the form, posts to the worker, draws what comes
// back. No wasm call and no statistics on this thread.
//
// URL parameters (all optional): data, gold, task (URLs to load at start);
// live=BASE with task_id and token to follow a collector;
// min_reliability, aggregation, overlap; calls=report uses only the
// module's report() (as with a module that has no Collection), for tests.

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
let view = null;
let lastLoad = null;

const table = new AnnotatorTable($('annotator-table'), (id) => {
  const sel = $('confusion-annotator');
  if (![...sel.options].some((o) => o.value === id)) sel.add(new Option(id, id));
  sel.value = id;
  drawConfusion();
});

function send(msg) {
  worker.postMessage(msg);
}

// The judge, what-to-label-next and leaderboard panels: each reads its form
// and draws the worker's replies (every message is offered to each).
const panels = [new JudgePanel(send), new ActivePanel(send), new LeaderboardPanel(send)];

function status(text) {
  $('status').textContent = text;
}

function setState(s) {
  document.body.dataset.state = s;
}

// ---- worker messages ----

worker.onmessage = (e) => {
  const m = e.data;
  for (const p of panels) p.receive(m);
  switch (m.type) {
    case 'ready':
      $('version').textContent = `core ${m.version}`;
      setState('idle');
      status('Ready: load annotations.');
      startFromParams();
      setTimeout(charts.warmUp, 0); // while the worker reads and computes
      break;
    case 'progress': {
      const p = $('progress');
      p.hidden = false;
      if (m.total) { p.max = m.total; p.value = m.done; } else p.removeAttribute('value');
      status(`${m.phase}…${m.total ? ` ${Math.round((100 * m.done) / m.total)}%` : ''}`);
      break;
    }
    case 'result':
      performance.mark('dashboard-result');
      $('progress').hidden = true;
      $('error').hidden = true;
      view = m.view;
      render();
      break;
    case 'error':
      $('progress').hidden = true;
      showError(m);
      break;
    case 'export':
      download(m);
      break;
    case 'confusion':
      if ($('confusion-annotator').value === m.id) {
        charts.confusionMatrix($('plot-confusion'), m.matrix, m.id, view?.dawid_skene.labels_order);
      }
      break;
    case 'cost':
      performance.mark('dashboard-cost');
      renderCost($('cost-out'), m.response, m.reason, view);
      break;
    case 'task':
      status(`Task ${m.task_id ?? ''}: ${m.examples} items with texts.`);
      // The task's overlap is the target unless the page was given one.
      if (!params.has('overlap') && Number($('overlap').value) !== m.overlap) {
        $('overlap').value = m.overlap;
        if (view) sendConfig();
      }
      break;
    case 'live-status':
      $('live-status').textContent = m.status;
      break;
    case 'live-tick':
      $('live-status').textContent = `live: ${m.annotations} annotations`;
      break;
    case 'live-progress': {
      const p = m.progress;
      const box = $('live-progress');
      box.hidden = false;
      box.textContent = `${p.complete} of ${p.items} items complete, ${p.leased} held by annotators, `
        + `${p.open} waiting; ${p.labels} labels, ${p.skips} skips`;
      box.dataset.complete = p.complete;
      break;
    }
  }
};

worker.onerror = (e) => showError({ context: 'worker', message: e.message || 'the worker failed to start (is www/pkg/ built?)' });

function showError(m) {
  setState('error');
  const box = $('error');
  box.hidden = false;
  $('error-text').textContent = m.context === 'load' || m.context === 'config'
    ? `Could not load the annotations: ${m.message}` : `${m.context}: ${m.message}`;
  $('skip-invalid').hidden = !(lastLoad && /line \d+/.test(m.message) && !lastLoad.skipInvalid);
  status('Error.');
}

// ---- loading ----

function load(source) {
  performance.mark('dashboard-load-start');
  lastLoad = { source, skipInvalid: false };
  setState('loading');
  status('Loading…');
  send({ type: 'load', source, skipInvalid: false, config: currentConfig(), calls: params.get('calls') });
}

$('skip-invalid').onclick = () => {
  if (!lastLoad) return;
  lastLoad.skipInvalid = true;
  $('error').hidden = true;
  setState('loading');
  send({ type: 'load', source: lastLoad.source, skipInvalid: true, config: currentConfig(), calls: params.get('calls') });
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
$('live-stop').onclick = () => send({ type: 'stop-live' });

function startLive(base, task, token) {
  if (!task) { showError({ context: 'live', message: 'give the task id to follow' }); return; }
  lastLoad = null;
  setState('loading');
  send({ type: 'live', base, task, token });
}

function startFromParams() {
  const abs = (u) => new URL(u, location.href).href;
  if (params.has('min_reliability')) $('min-rel').value = params.get('min_reliability');
  if (params.has('aggregation')) $('aggregation').value = params.get('aggregation');
  if (params.has('overlap')) $('overlap').value = params.get('overlap');
  $('min-rel-out').value = Number($('min-rel').value).toFixed(2);
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
  $('min-rel-out').value = Number($('min-rel').value).toFixed(2);
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    if (view) { setState('computing'); status('Recomputing…'); }
    sendConfig();
  }, 200);
}
$('min-rel').oninput = configChanged;
$('aggregation').onchange = configChanged;
$('overlap').onchange = configChanged;
$('alpha-metric').onchange = () => view && renderHeadline();
$('kappa-weighting').onchange = () => view && charts.kappaHeatmap($('plot-kappa'), view.heatmap, $('kappa-weighting').value);
$('confusion-annotator').onchange = drawConfusion;

// ---- exports ----

for (const b of document.querySelectorAll('[data-export]')) {
  b.onclick = () => {
    send({ type: 'export', kind: b.dataset.export, includeTies: $('include-ties').checked });
  };
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
  if (!m.panel) $('export-note').textContent = `${m.filename}${m.note ? `: ${m.note}` : ''}`;
}

// ---- cost ----

function requestCost() {
  send({ type: 'cost', request: {
    hourly_rate: Number($('hourly').value),
    target_pairs: Math.max(0, Math.round(Number($('target-pairs').value) || 0)),
    annotators: Math.max(1, Math.round(Number($('team').value) || 1)),
    hours_per_day: Number($('hours-day').value),
  } });
}
$('cost-form').oninput = () => { clearTimeout(requestCost.t); requestCost.t = setTimeout(requestCost, 200); };

// ---- rendering ----

function card(h) {
  const i = h.interpretation;
  const band = i?.band ? `<div class="band band-${esc(i.band)}">${esc(String(i.band).replace(/_/g, ' '))}${i.range ? ` <span class="muted">(${esc(i.range)})</span>` : ''}</div>` : '';
  const action = i?.action ? `<div class="action">${esc(i.action)}</div>` : '';
  const why = h.value === null && h.reason ? `<div class="muted">undefined: ${esc(h.reason)}</div>` : '';
  return `<div class="card" data-key="${esc(h.key)}"><div class="muted">${esc(h.title)}</div>
    <div class="value" data-value="${h.value ?? ''}">${fmt(h.value)}</div>${band}${action}${why}</div>`;
}

function renderHeadline() {
  const metric = `krippendorff_alpha.${$('alpha-metric').value}`;
  const shown = view.headline.filter((h) => !h.key.startsWith('krippendorff_alpha') || h.key === metric);
  $('cards').innerHTML = shown.map(card).join('');
}

function renderCounts() {
  const c = view.counts;
  const skipped = typeof c.skipped === 'number' ? c.skipped : Array.isArray(c.skipped) ? c.skipped.length : 0;
  const final = view.labelDist.final[view.aggregation];
  const entries = [
    ['annotations', c.annotations], ['items', c.items], ['annotators', c.annotators], ['skipped lines', skipped],
    [`final labels (${view.aggregation})`, final.count],
    ['annotators below min reliability', view.filtered.annotators_removed],
    ['items left without a label', view.filtered.items_without_label],
    [`items below ${view.overlap.target} labels`, view.overlap.lacking],
  ];
  $('counts').innerHTML = entries.map(([k, v]) =>
    `<div><dt>${esc(k)}</dt><dd data-count="${esc(k)}">${v ?? '—'}</dd></div>`).join('');
  const lk = $('lacking');
  lk.querySelector('summary').textContent =
    `${view.overlap.lacking} of ${view.overlap.items} items have fewer than ${view.overlap.target} labels` +
    (view.overlap.needed ? ` (${view.overlap.needed} labels still needed)` : '');
  lk.querySelector('ul').innerHTML = view.overlap.sample.map(([item, n]) => `<li>${esc(item)}: ${n}</li>`).join('') +
    (view.overlap.lacking > view.overlap.sample.length ? `<li>… ${view.overlap.lacking - view.overlap.sample.length} more</li>` : '');
  const sk = $('skipped');
  sk.hidden = !skipped;
  sk.querySelector('summary').textContent = `${skipped} bad lines skipped`;
  sk.querySelector('ul').innerHTML = view.skipped.map((s) =>
    `<li>${esc(typeof s === 'string' ? s : s.error ?? s.message ?? JSON.stringify(s))}</li>`).join('');
}

/** Asks the worker for the chosen annotator's confusion matrix (drawn on reply). */
function drawConfusion() {
  const id = $('confusion-annotator').value;
  if (id) send({ type: 'confusion', id });
  else charts.confusionMatrix($('plot-confusion'), null, '', view?.dawid_skene.labels_order);
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
let drawing = 0;

/** Draws every panel, yielding between panels so no main-thread task runs long. */
async function render() {
  const mine = ++drawing;
  const t0 = performance.now();
  const v = view;
  const steps = [
    () => { renderHeadline(); renderCounts(); },
    () => charts.timeline($('plot-timeline'), v.timeline),
    () => charts.labelDistribution($('plot-labels'), v.labelDist.raw, v.labelDist.final[v.aggregation], v.aggregation),
    () => charts.goldVsTime($('plot-scatter'), v.annotators),
    () => {
      charts.kappaHeatmap($('plot-kappa'), v.heatmap, $('kappa-weighting').value);
      $('kappa-note').textContent = v.heatmap.ids.length < v.annotators.length
        ? `a group of ${v.heatmap.ids.length} annotators who share the most items (${v.heatmap.total_pairs} pairs in all)` : '';
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
      drawConfusion();
    },
    () => table.set(v.annotators),
  ];
  const drawTimes = [];
  for (const step of steps) {
    const t = performance.now();
    performance.mark(`dashboard-step-${drawTimes.length}`);
    step();
    drawTimes.push(Math.round(performance.now() - t));
    await nextFrame();
    if (mine !== drawing) return; // a newer result arrived: draw that instead
  }
  requestCost();
  setState('ready');
  document.body.dataset.seq = String((Number(document.body.dataset.seq) || 0) + 1);
  const steps_ = Object.entries(v.timing.steps ?? {}).map(([k, ms]) => `${k} ${ms}`).join(', ');
  status(`Computed in ${fmt(v.timing.total_ms, 0)} ms (${steps_} ms); drawn in ${fmt(performance.now() - t0, 0)} ms (panels ${drawTimes.join(', ')} ms).`);
  performance.mark('dashboard-drawn');
}
