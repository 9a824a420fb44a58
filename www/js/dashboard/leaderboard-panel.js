// The model leaderboard (page side): when the task's examples name their
// models, the worker turns every loaded annotation on such an item into one
// comparison and asks the core for the Bradley-Terry fit with bootstrap
// intervals; this draws the table and the intervals.

import { esc, fmt } from './format.js';

const $ = (id) => document.getElementById(id);

export class LeaderboardPanel {
  constructor(send) {
    this.send = send;
    this.info = null;
    let t = null;
    $('leaderboard-form').oninput = () => {
      clearTimeout(t);
      t = setTimeout(() => this.request(), 200);
    };
  }

  config() {
    const n = (id, d) => ($(id).value === '' || !Number.isFinite(Number($(id).value)) ? d : Number($(id).value));
    return {
      ties: $('lb-ties').value,
      bootstrap: Math.max(0, Math.round(n('lb-bootstrap', 200))),
      seed: Math.max(0, Math.round(n('lb-seed', 0))),
    };
  }

  request() {
    if (this.info?.withModels) this.send({ type: 'leaderboard', config: this.config() });
  }

  receive(m) {
    switch (m.type) {
      case 'panels-info': {
        // Only new annotations or a new task change the ranking (not the
        // Agreement panel's settings, which also send panels-info).
        const key = `${m.dataVersion}|${m.task_id}|${m.examples}|${m.withModels}|${m.annotations}`;
        this.info = m;
        document.getElementById('leaderboard').hidden = !m.withModels;
        if (m.withModels && key !== this.key) this.request();
        this.key = key;
        break;
      }
      case 'leaderboard':
        this.render(m);
        break;
      case 'panel-error':
        if (m.panel === 'leaderboard') $('leaderboard-note').textContent = `Could not rank the models: ${m.message}`;
        break;
    }
  }

  render(m) {
    const b = m.board;
    if (!b) {
      $('leaderboard-note').textContent = m.reason;
      $('leaderboard-table').innerHTML = '';
      return;
    }
    const lo = Math.min(...b.models.map((e) => e.ci_low ?? e.strength));
    const hi = Math.max(...b.models.map((e) => e.ci_high ?? e.strength));
    const span = hi - lo || 1;
    const x = (v) => `${(100 * (v - lo)) / span}%`;
    const bar = (e) => `<div class="ci"><span class="ci-range" style="left:${x(e.ci_low ?? e.strength)};width:calc(${x(e.ci_high ?? e.strength)} - ${x(e.ci_low ?? e.strength)})"></span><span class="ci-point" style="left:${x(e.strength)}"></span></div>`;
    $('leaderboard-note').textContent = `${b.comparisons} comparisons: every loaded annotation on an example that names its two models counts once` +
      `${m.leftOut ? ` (${m.leftOut} annotations on other items left out)` : ''}. Bradley-Terry, ties ${b.ties === 'davidson' ? `by Davidson (ν = ${fmt(b.tie_parameter)})` : 'as half a win each'}, ` +
      `"much better" as two wins; ${b.bootstrap ? `${Math.round(b.confidence * 100)}% percentile bootstrap intervals from ${b.bootstrap} resamples` : 'no intervals (bootstrap 0)'}` +
      `${b.converged ? '' : '; the fit did not converge'}.`;
    $('leaderboard-table').innerHTML = `<thead><tr><th>#</th><th>model</th><th>strength (log)</th><th>interval</th><th></th><th>rating</th><th>wins</th><th>losses</th><th>ties</th></tr></thead>
      <tbody>${b.models.map((e) => `<tr data-model="${esc(e.model)}"><td class="num">${e.rank}</td><td>${esc(e.model)}</td>
        <td class="num" data-strength="${e.strength}">${fmt(e.strength)}</td>
        <td class="num" data-ci="${e.ci_low ?? ''},${e.ci_high ?? ''}">${e.ci_low === null ? '—' : `${fmt(e.ci_low)} to ${fmt(e.ci_high)}`}</td>
        <td class="ci-cell">${bar(e)}</td><td class="num">${fmt(e.rating, 0)}</td>
        <td class="num">${e.wins}</td><td class="num">${e.losses}</td><td class="num">${e.ties}</td></tr>`).join('')}</tbody>`;
    document.getElementById('leaderboard').dataset.drawn = String((Number(document.getElementById('leaderboard').dataset.drawn) || 0) + 1);
  }
}
