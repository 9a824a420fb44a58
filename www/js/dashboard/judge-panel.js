// The AI judge panel (page side): reads the form, posts to the worker, and
// draws what it sends back: progress, the routing counts and costs, the
// queues, judge-vs-human agreement and the calibration table. The requests
// to the endpoint and every wasm call happen in the worker
// (panels-worker.js); the key stays in memory unless "remember key" is on.
//
// A host page can judge with its own function instead of an endpoint: set
// `window.prefkitJudgeCall = async (body, {signal}) => chatCompletionsResponse`
// (or the answer's text) before the dashboard loads; "use this page's judge
// function" then appears and the worker sends each request body here.
// Throw an error with `status` 429 or 5xx (and optionally `retryAfterMs`)
// to have it retried with backoff.

import { loadKey, saveKey } from '../judge.js';
import { esc, fmt } from './format.js';

const $ = (id) => document.getElementById(id);
const money = (v) => (v === null || v === undefined ? '—' : `$${Number(v).toFixed(2)}`);

export class JudgePanel {
  constructor(send) {
    this.send = send;
    this.running = false;
    this.info = null;
    this.progress = null;
    this.calls = new Map();
    if (typeof window.prefkitJudgeCall === 'function') {
      $('judge-host-label').hidden = false;
      $('judge-host').checked = true;
    }
    const key = loadKey();
    if (key) {
      $('judge-key').value = key;
      $('judge-remember').checked = true;
    }
    const params = new URLSearchParams(location.search);
    if (params.has('judge_url')) $('judge-url').value = params.get('judge_url');
    if (params.has('judge_model')) $('judge-model').value = params.get('judge_model');
    $('judge-form').onsubmit = (e) => {
      e.preventDefault();
      this.start(false);
    };
    $('judge-resume').onclick = () => this.start(true);
    $('judge-cancel').onclick = () => {
      this.send({ type: 'judge-cancel' });
      $('judge-status').textContent = 'Cancelling…';
    };
    $('judge-remember').onchange = () => saveKey($('judge-key').value, { remember: $('judge-remember').checked });
    $('judge-results-file').onchange = async (e) => {
      const f = e.target.files[0];
      if (!f) return;
      this.sendRouting();
      this.send({ type: 'judge-load', text: await f.text() });
    };
    let t = null;
    $('routing-form').oninput = () => {
      clearTimeout(t);
      t = setTimeout(() => this.sendRouting(), 200);
    };
    for (const b of document.querySelectorAll('[data-judge-export]')) {
      b.onclick = () => this.send({ type: 'judge-export', kind: b.dataset.judgeExport });
    }
  }

  routing() {
    const num = (id, d) => (Number.isFinite(Number($(id).value)) && $(id).value !== '' ? Number($(id).value) : d);
    return {
      threshold: num('judge-threshold', 0.75),
      spot_check_share: num('judge-spot', 0.05),
      seed: Math.max(0, Math.round(num('judge-seed', 0))),
      cost_ai: num('judge-cost-ai', 0.02),
      cost_human: num('judge-cost-human', 1.5),
      cost_expert: num('judge-cost-expert', 5),
    };
  }

  sendRouting() {
    this.send({ type: 'judge-route', routing: this.routing(), bins: 10 });
  }

  start(resume) {
    const key = $('judge-key').value;
    saveKey(key, { remember: $('judge-remember').checked });
    const settings = {
      url: $('judge-url').value.trim(),
      model: $('judge-model').value.trim(),
      key,
      concurrency: Number($('judge-concurrency').value) || 1,
      rpm: Number($('judge-rpm').value) || 0,
      swap: $('judge-swap').checked,
      logprobs: $('judge-logprobs').checked,
      host: $('judge-host').checked && typeof window.prefkitJudgeCall === 'function',
    };
    const backoff = new URLSearchParams(location.search).get('judge_backoff_ms');
    if (backoff !== null) settings.backoffMs = Number(backoff);
    this.sendRouting();
    this.send({ type: 'judge-run', settings, resume });
    this.setRunning(true);
    $('judge-status').textContent = resume ? 'Resuming…' : 'Starting…';
  }

  setRunning(on) {
    this.running = on;
    document.getElementById('judge').dataset.running = on ? 'yes' : 'no';
    $('judge-start').disabled = on;
    $('judge-cancel').disabled = !on;
    const p = this.progress;
    $('judge-resume').disabled = on || !p || p.done >= p.total;
  }

  receive(m) {
    switch (m.type) {
      case 'panels-info': {
        this.info = m;
        if (!this.running && !this.progress) {
          $('judge-status').textContent = m.examples
            ? `${m.examples} examples in task ${m.task_id ?? ''} to judge.` : 'Load a task file to judge its examples.';
        }
        break;
      }
      case 'judge-progress': {
        this.progress = m;
        const bar = $('judge-progress');
        bar.max = Math.max(1, m.total);
        bar.value = m.done;
        const el = $('judge-status');
        el.dataset.done = m.done;
        el.dataset.total = m.total;
        el.dataset.retries = m.retries;
        el.dataset.requests = m.requests;
        el.textContent = `${m.done} of ${m.total} judged · ${m.requests} requests · ${m.retries} retries` +
          (m.failed ? ` · ${m.failed} failed` : '') + (m.in_flight ? ` · ${m.in_flight} in flight` : '') +
          (m.lastRetry ? ` (last retry: ${m.lastRetry})` : '');
        break;
      }
      case 'judge-done': {
        this.progress = { ...(this.progress ?? {}), done: m.results, total: m.total };
        this.setRunning(false);
        const el = $('judge-status');
        el.dataset.finished = m.cancelled ? 'cancelled' : m.fatal ? 'stopped' : 'done';
        const what = m.loaded !== undefined ? `Loaded ${m.loaded} judge results.`
          : m.fatal ? `Stopped: ${m.fatal}.` : m.cancelled ? 'Cancelled.' : 'Finished.';
        el.textContent = `${what} ${m.results} of ${m.total} judged` +
          (this.progress?.retries ? `, ${this.progress.retries} retries` : '') +
          (m.errors ? `; ${m.errors} failed (${m.errorSample.join('; ')}); Resume asks them again` : '') + '.';
        $('judge-progress').max = Math.max(1, m.total);
        $('judge-progress').value = m.results;
        this.results = m.results;
        this.setExports();
        break;
      }
      case 'judge-routing':
        this.renderRouting(m);
        break;
      case 'judge-call': this.hostCall(m); break;
      case 'judge-call-abort': this.calls.get(m.id)?.abort(); break;
      case 'panel-error':
        if (m.panel === 'judge') {
          $('judge-status').textContent = `Judge: ${m.message}`;
          if (m.run) this.setRunning(false);
        }
        break;
      case 'export':
        if (/^judge-results|-(human|expert)\.json$/.test(m.filename)) {
          $('judge-export-note').textContent = `${m.filename}${m.note ? `: ${m.note}` : ''}`;
        }
        break;
    }
  }

  /** Each export is enabled only when it would write something, else says why not. */
  setExports() {
    for (const b of document.querySelectorAll('[data-judge-export]')) {
      const kind = b.dataset.judgeExport;
      const why = !this.results ? 'no judge results yet'
        : kind === 'results' ? ''
          : !this.queues ? 'the results are not routed yet'
            : !this.queues[kind] ? `the ${kind.replace('-queue', '')} queue is empty` : '';
      b.disabled = !!why;
      b.title = why;
      b.dataset.why = why;
    }
    const off = [...document.querySelectorAll('[data-judge-export]')].filter((b) => b.dataset.why && this.results);
    $('judge-export-why').textContent = off.map((b) => `${b.textContent.replace(/ \(.*\)$/, '')}: ${b.dataset.why}.`).join(' ');
  }

  /** Runs one request through the host page's function and posts the answer back. */
  hostCall(m) {
    const ctl = new AbortController();
    this.calls.set(m.id, ctl);
    Promise.resolve()
      .then(() => window.prefkitJudgeCall(m.body, { signal: ctl.signal }))
      .then((value) => this.send({ type: 'judge-call-result', id: m.id, ok: true, value }))
      .catch((err) => this.send({ type: 'judge-call-result', id: m.id, ok: false,
        error: { message: String(err?.message ?? err), status: err?.status, retryAfterMs: err?.retryAfterMs } }))
      .finally(() => this.calls.delete(m.id));
  }

  renderRouting(m) {
    const s = m.summary;
    const c = s.counts;
    const routes = [
      ['accepted', 'AI label accepted', c.accepted],
      ['spot_check', 'accepted, spot-checked by a person', c.spot_check],
      ['human', 'sent to people (below the threshold)', c.human],
      ['expert', 'escalated to an expert (a person disagreed)', c.expert],
    ];
    const h = m.human;
    const humanNote = !h.annotations
      ? 'No annotations loaded: the human labels (and so the expert queue and the agreement) come from loaded annotations.'
      : `Human labels: each item's final ${h.method} label from the loaded annotations (the Agreement panel's settings); ${h.used} of the judged items have one.`;
    const a = m.agreement;
    const agreement = a.n
      ? `<table class="compact"><tr><th>items with both</th><th>exact</th><th>same side</th><th>Cohen's κ (5 labels)</th><th>quadratic κ</th><th>κ (3 sides)</th></tr>
        <tr><td class="num" data-agreement="n">${a.n}</td><td class="num">${fmt(a.exact_agreement)}</td><td class="num" data-agreement="directional">${fmt(a.directional_agreement)}</td>
        <td class="num" data-agreement="kappa_5">${fmt(a.kappa_5)}</td><td class="num">${fmt(a.kappa_5_quadratic)}</td><td class="num">${fmt(a.kappa_3)}</td></tr></table>
        ${a.reason ? `<p class="muted">${esc(a.reason)}</p>` : ''}`
      : `<p class="muted">No item has both an AI and a human label yet${a.reason ? ` (${esc(a.reason)})` : ''}.</p>`;
    const cal = m.calibration;
    const calibration = cal.n
      ? `<table class="compact" id="judge-calibration"><tr><th>confidence</th><th>items</th><th>mean confidence</th><th>agreement with people</th></tr>
        ${cal.bins.filter((b) => b.count).map((b) => `<tr><td>${fmt(b.lower, 1)}–${fmt(b.upper, 1)}</td><td class="num">${b.count}</td><td class="num">${fmt(b.mean_confidence)}</td><td class="num">${fmt(b.agreement)}</td></tr>`).join('')}
        </table><p class="muted">Expected calibration error ${fmt(cal.ece)}${cal.reason ? ` (${esc(cal.reason)})` : ''}.</p>`
      : '';
    const bias = s.position_bias;
    const queue = (q, name) => `<p><strong data-queue="${name}">${q.length}</strong> in the ${name} queue${q.length ? `: <span class="muted">${q.head.map(esc).join(', ')}${q.length > q.head.length ? ', …' : ''}</span>` : ''}</p>`;
    $('judge-out').innerHTML = `
      <div class="cols">
        <div><h3>Routes</h3>
          <table class="compact" id="judge-routes"><tr><th>route</th><th>items</th></tr>
          ${routes.map(([k, label, n]) => `<tr><td>${esc(label)}</td><td class="num" data-route="${k}">${n}</td></tr>`).join('')}
          <tr><th>judged</th><th class="num" data-route="judged">${c.judged}</th></tr></table>
          <p class="muted">${c.unparsed} without a readable verdict (sent to people).
            Swap check: ${bias.pairs ? `${bias.inconsistent} of ${bias.pairs} pairs inconsistent; first position won ${fmt(s.first_position_share)} of decided judgments` : 'not used'}.</p></div>
        <div><h3>Cost</h3>
          <table class="compact" id="judge-cost"><tr><th>route</th><th>labels</th><th>cost</th></tr>
          <tr><td>AI judgments</td><td class="num">${c.judged}</td><td class="num" data-cost="ai">${money(s.cost.ai)}</td></tr>
          <tr><td>human labels</td><td class="num">${s.human_labels_needed}</td><td class="num" data-cost="human">${money(s.cost.human)}</td></tr>
          <tr><td>expert labels</td><td class="num">${c.expert}</td><td class="num" data-cost="expert">${money(s.cost.expert)}</td></tr>
          <tr><th>total</th><th></th><th class="num" data-cost="total">${money(s.cost.total)}</th></tr></table>
          <p class="muted">${s.pending_human} human labels still to get; spot checks labelled ${s.spot_checks_labelled}, ${s.spot_check_disagreements} disagreeing.</p></div>
        <div><h3>Queues</h3>
          ${queue(m.humanQueue, 'human')}${queue(m.expertQueue, 'expert')}
          <p class="muted">${esc(humanNote)}</p></div>
      </div>
      <h3>Judge against people</h3>${agreement}${calibration}`;
    this.queues = { 'human-queue': m.humanQueue.length, 'expert-queue': m.expertQueue.length };
    this.setExports();
    document.getElementById('judge').dataset.routed = String((Number(document.getElementById('judge').dataset.routed) || 0) + 1);
  }
}
