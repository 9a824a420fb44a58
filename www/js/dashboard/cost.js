// Draws the core's cost answer (`costTable`): the tier table, this
// collection's measured cost and the projection. Rendering only.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const money = (v) => (v == null ? '—' : `$${v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : 0, minimumFractionDigits: v < 10 ? 2 : 0 })}`);
const pairs = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}K` : String(n));
const NAMES = { human_only: 'Human only (gold QA)', hybrid: 'Hybrid: AI + human review', ai_only: 'AI only' };

export function renderCost(el, r, reason, view) {
  if (!r) {
    el.innerHTML = `<p class="muted">Cost model unavailable: ${esc(reason ?? 'no answer')}.</p>`;
    return;
  }
  const sizes = r.table[0]?.totals.map((t) => t.pairs) ?? [];
  const measuredAlpha = view?.headline?.find((h) => h.key === 'krippendorff_alpha.ordinal')?.value;
  const rows = r.table.map((t) => `<tr data-tier="${esc(t.tier.name)}"><th scope="row">${esc(NAMES[t.tier.name] ?? t.tier.name)}</th>
    <td class="num">${money(t.tier.cost_per_pair)}</td>
    ${t.totals.map((s) => `<td class="num" data-pairs="${s.pairs}">${money(s.cost)}</td>`).join('')}
    <td class="num">${t.tier.expected_kappa.toFixed(2)}*</td></tr>`).join('');
  const sources = [...new Set(r.table.map((t) => t.tier.kappa_source))];
  let html = `<table class="cost-table"><thead><tr><th>Approach</th><th>per pair</th>
    ${sizes.map((s) => `<th>${pairs(s)} pairs</th>`).join('')}<th>expected κ</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="muted">* Expected kappas are ${esc(sources.join('; '))}.
    ${measuredAlpha == null ? '' : `This collection's measured ordinal alpha: <strong>${measuredAlpha.toFixed(3)}</strong>.`}</p>`;
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
    ? `<h3>To ${p.target_pairs.toLocaleString('en-US')} pairs</h3><dl class="counts">
      <div><dt>pairs left</dt><dd>${p.remaining_pairs.toLocaleString('en-US')}</dd></div>
      <div><dt>cost</dt><dd data-cost="projection">${money(p.cost)}</dd></div>
      <div><dt>annotation hours</dt><dd>${p.annotation_hours.toFixed(1)}</dd></div>
      <div><dt>calendar days</dt><dd data-cost="days">${p.days.toFixed(1)}</dd></div></dl>`
    : `<p class="muted">Projection: ${esc(r.projection_reason ?? '')}.</p>`;
  el.innerHTML = html;
}
