// Draws the core's cost answer (`costTable`, src/cost/): the three
// approaches priced from the form's numbers, the published reference rows,
// this collection's measured cost and the projection. Rendering only.

import { esc } from './format.js';

const money = (v) => {
  if (v == null) return '—';
  const d = v < 0.1 ? 3 : v < 10 ? 2 : 0;
  return `$${v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })}`;
};
const pairs = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}K` : String(n));
const NAMES = { human_only: 'People only (gold QA)', hybrid: 'AI judge + human review', ai_only: 'AI judge + spot checks' };

export function renderCost(el, r, view) {
  const sizes = r.table[0]?.totals.map((t) => t.pairs) ?? [];
  const u = r.used;
  let html = '';
  if (r.table.length) {
    const rows = r.table.map((t) => {
      const a = t.approach;
      return `<tr data-approach="${esc(a.name)}"><th scope="row">${esc(NAMES[a.name] ?? a.name)}<div class="muted small">${esc(a.basis)}</div></th>
        <td class="num" data-per-pair="${a.cost_per_pair}">${money(a.cost_per_pair)}</td>
        ${t.totals.map((s) => `<td class="num" data-pairs="${s.pairs}">${money(s.cost)}</td>`).join('')}
        <td class="num" data-kappa="${a.expected_kappa}" data-measured="${a.kappa_measured}">${a.expected_kappa.toFixed(2)}${a.kappa_measured ? '' : '*'}
          <div class="muted small">${esc(a.kappa_source)}</div></td></tr>`;
    }).join('');
    html += `<table class="cost-table"><thead><tr><th>Approach</th><th>per pair</th>
      ${sizes.map((s) => `<th>${pairs(s)} pairs</th>`).join('')}<th>expected agreement</th></tr></thead><tbody>${rows}</tbody></table>
      <p class="muted small">Priced at ${u.seconds_per_label.toFixed(1)} s a label (${esc(u.seconds_source)}), gold share
      ${(100 * u.gold_share).toFixed(1)}% (${esc(u.gold_source)}). * a planning assumption: no measured figure for it yet.</p>`;
  } else {
    html += `<p class="muted" data-cost="table-reason">Approaches not priced: ${esc(r.table_reason ?? '')}.</p>`;
  }
  html += `<h3>Reference</h3><table class="cost-table reference" id="cost-reference"><thead><tr><th>pairs</th><th>approach</th><th>cost</th><th>per pair</th><th>κ</th></tr></thead><tbody>
    ${r.reference.map((x) => `<tr data-reference="${x.pairs}"><td class="num">${pairs(x.pairs)}</td><td>${esc(x.approach)}</td><td class="num">${money(x.cost)}</td>
      <td class="num">${money(x.cost_per_pair)}</td><td class="num">${x.expected_kappa == null ? '—' : x.expected_kappa.toFixed(2)}</td></tr>`).join('')}
    </tbody></table><p class="muted small">Reference: ${esc(r.reference_source)}.</p>`;
  const m = r.measured;
  html += m
    ? `<h3>This collection</h3><dl class="counts">
      <div><dt>per label</dt><dd>${m.seconds_per_annotation.toFixed(1)} s</dd></div>
      <div><dt>total pay</dt><dd data-cost="total">${money(m.total_cost)}</dd></div>
      <div><dt>per pair</dt><dd data-cost="per-pair">${money(m.cost_per_pair)}</dd></div>
      <div><dt>pairs</dt><dd>${m.pairs}</dd></div>
      <div><dt>spent on gold</dt><dd data-cost="gold-share">${(100 * m.gold_share).toFixed(1)}% (${money(m.gold_cost)})</dd></div></dl>`
    : `<p class="muted">Measured cost: ${esc(r.measured_reason ?? '')}.</p>`;
  const p = r.projection;
  html += p
    ? `<h3>To ${p.target_pairs.toLocaleString('en-US')} pairs at this collection's rate</h3><dl class="counts">
      <div><dt>pairs left</dt><dd>${p.remaining_pairs.toLocaleString('en-US')}</dd></div>
      <div><dt>cost</dt><dd data-cost="projection">${money(p.cost)}</dd></div>
      <div><dt>annotation hours</dt><dd>${p.annotation_hours.toFixed(1)}</dd></div>
      <div><dt>calendar days</dt><dd data-cost="days">${p.days.toFixed(1)}</dd></div></dl>`
    : `<p class="muted">Projection: ${esc(r.projection_reason ?? '')}.</p>`;
  el.innerHTML = html;
  el.dataset.alpha = String(view?.kept?.find((h) => h.key === 'krippendorff_alpha.ordinal')?.value ?? '');
}
