// The dashboard's plots: uPlot (vendored) for lines, bars and the scatter;
// plain canvas for the two heat maps. Drawing only.

import uPlot from '../../vendor/uplot/uPlot.esm.js';

const LABELS = ['A>>', 'A>', '=', 'B>', 'B>>'];
const COLORS = { pairwise: '#1f6feb', fleiss: '#8250df', alpha: '#cf222e', raw: '#8c959f', final: '#1f6feb', ok: '#1a7f37', flagged: '#cf222e' };
const charts = new WeakMap(); // element -> its uPlot, destroyed when redrawn

function width(el) {
  return Math.max(280, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 480) - 8);
}

function put(el, opts, data) {
  charts.get(el)?.destroy();
  el.replaceChildren();
  charts.set(el, new uPlot({ width: width(el), height: 240, ...opts }, data, el));
}

/** Replaces a chart with a sentence saying why there is none. */
function message(el, text) {
  charts.get(el)?.destroy();
  charts.delete(el);
  el.textContent = text;
}

const fmt = (v) => (v == null ? '—' : v.toFixed(3));

/**
 * Pairwise agreement, Fleiss' kappa and ordinal alpha as the collection
 * grew, for all annotators and (dashed) for those the reliability filter
 * keeps, against the share of the annotations made so far (point k of n is
 * k/n of each set); with `band`, the ordinal alpha interval of all
 * annotators shaded, drawn straight between the points where it was
 * computed.
 */
export function timeline(el, t, band) {
  const n = t.x.length;
  const share = (k, len) => (100 * (k + 1)) / len;
  const last = n - 1;
  const kept = t.kept;
  el.dataset.last = JSON.stringify(last < 0 ? null : {
    annotations: t.x[last], pairwise: t.pairwise[last], fleiss_kappa: t.fleiss[last], alpha_ordinal: t.alpha[last],
    kept_alpha_ordinal: kept.alpha[kept.alpha.length - 1] ?? null,
  });
  if (!n) {
    message(el, 'No annotations yet.');
    return;
  }
  // Every series on the grid of all annotations' points (the kept set has
  // as many points unless it is smaller).
  const xs = t.x.map((_, k) => share(k, n));
  const onGrid = (values, len) => xs.map((x) => {
    const k = Math.round((x * len) / 100) - 1;
    return k >= 0 && k < len && Math.abs(share(k, len) - x) < 1e-9 ? values[k] : null;
  });
  const keptAlpha = onGrid(kept.alpha, kept.alpha.length);
  const series = [
    { label: 'share of annotations (%)', value: (u, v) => (v == null ? '—' : `${v.toFixed(0)}%`) },
    { label: 'pairwise', stroke: COLORS.pairwise, width: 1.5, value: (u, v) => fmt(v) },
    { label: "Fleiss' κ", stroke: COLORS.fleiss, width: 1.5, value: (u, v) => fmt(v) },
    { label: 'α ordinal', stroke: COLORS.alpha, width: 2.5, value: (u, v) => fmt(v) },
    { label: 'α ordinal after filter', stroke: COLORS.alpha, dash: [6, 4], width: 2, spanGaps: true, value: (u, v) => fmt(v) },
  ];
  const data = [xs, t.pairwise, t.fleiss, t.alpha, keptAlpha];
  const opts = {
    scales: { x: { time: false, range: [0, 100] }, y: { range: [-0.2, 1] } },
    axes: [{ label: 'annotations made (%)' }, { label: 'agreement' }],
    series,
  };
  if (band && band.all.annotations.length) {
    // The band's points lie on the grid: point j of m is at (j+1)/m.
    const m = band.all.annotations.length;
    const at = (values) => {
      const pts = values.map((v, j) => [share(j, m), v]).filter(([, v]) => v != null);
      return xs.map((x) => {
        for (let i = 1; i < pts.length; i++) {
          if (x <= pts[i][0] + 1e-9 && x >= pts[i - 1][0] - 1e-9) {
            const [x0, y0] = pts[i - 1];
            const [x1, y1] = pts[i];
            return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
          }
        }
        return pts.length && Math.abs(x - pts[0][0]) < 1e-9 ? pts[0][1] : null;
      });
    };
    series.push(
      { label: 'α interval high', stroke: 'rgba(207,34,46,0.25)', width: 1, value: (u, v) => fmt(v) },
      { label: 'α interval low', stroke: 'rgba(207,34,46,0.25)', width: 1, value: (u, v) => fmt(v) },
    );
    data.push(at(band.all.hi), at(band.all.lo));
    opts.bands = [{ series: [5, 6], fill: 'rgba(207,34,46,0.12)' }];
    el.dataset.band = JSON.stringify({ points: m, resamples: band.all.resamples, level: band.all.level,
      last: [band.all.lo[m - 1], band.all.hi[m - 1]] });
  } else {
    delete el.dataset.band;
  }
  put(el, opts, data);
}

/** Share of each label: all raw labels beside the final labels of the chosen method. */
export function labelDistribution(el, raw, final, method) {
  el.dataset.raw = JSON.stringify(raw);
  el.dataset.final = JSON.stringify(final.dist);
  const share = (d) => { const s = d.reduce((a, b) => a + b, 0); return d.map((v) => (s ? v / s : null)); };
  const bars = uPlot.paths.bars;
  put(el, {
    scales: { x: { time: false, range: [-0.5, 4.5] }, y: { range: [0, 1] } },
    axes: [
      { splits: () => [0, 1, 2, 3, 4], values: (u, splits) => splits.map((i) => LABELS[i] ?? '') },
      { label: 'share' },
    ],
    series: [
      { label: 'label', value: (u, i) => LABELS[i] ?? '' },
      { label: `raw labels (${raw.reduce((a, b) => a + b, 0)})`, fill: COLORS.raw, stroke: COLORS.raw,
        paths: bars({ size: [0.35], align: -1 }), points: { show: false }, value: (u, v) => fmt(v) },
      { label: `final: ${method} (${final.count})`, fill: COLORS.final, stroke: COLORS.final,
        paths: bars({ size: [0.35], align: 1 }), points: { show: false }, value: (u, v) => fmt(v) },
    ],
  }, [[0, 1, 2, 3, 4], share(raw), share(final.dist)]);
}

/** Gold accuracy against average time, one point per annotator; flagged in red. */
export function goldVsTime(el, annotators) {
  const pts = annotators.filter((a) => typeof a.gold_accuracy === 'number' && typeof a.avg_time_seconds === 'number')
    .sort((x, y) => x.avg_time_seconds - y.avg_time_seconds);
  if (!pts.length) {
    message(el, 'No annotator has both gold answers and recorded times (load a gold file).');
    return;
  }
  const xs = pts.map((a) => a.avg_time_seconds);
  const ok = pts.map((a) => (a.flagged ? null : a.gold_accuracy));
  const bad = pts.map((a) => (a.flagged ? a.gold_accuracy : null));
  const dots = (color) => ({ stroke: color, fill: color, paths: () => null, points: { show: true, size: 7, fill: color } });
  put(el, {
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'average seconds per label' }, { label: 'gold accuracy' }],
    cursor: { points: { size: 9 } },
    series: [
      { label: 'avg time (s)', value: (u, v) => (v == null ? '—' : v.toFixed(1)) },
      { label: 'annotator', ...dots(COLORS.ok), value: (u, v, s, i) => (v == null || i == null ? '—' : `${pts[i].id}: ${v.toFixed(2)}`) },
      { label: 'flagged', ...dots(COLORS.flagged), value: (u, v, s, i) => (v == null || i == null ? '—' : `${pts[i].id}: ${v.toFixed(2)}`) },
    ],
  }, [xs, ok, bad]);
}

/** Diverging colour for a kappa in [-1, 1]: red below 0, white at 0, blue at 1. */
function kappaColor(k) {
  if (k == null) return '#eaeef2';
  const t = Math.max(-1, Math.min(1, k));
  if (t >= 0) {
    const c = Math.round(255 - t * 200);
    return `rgb(${c},${Math.round(255 - t * 140)},255)`;
  }
  const c = Math.round(255 + t * 160);
  return `rgb(255,${c},${c})`;
}

/** A square canvas heat map with row/column names and a hover readout. */
function heat(el, names, value, title, color, format) {
  el.replaceChildren();
  const n = names.length;
  const cell = Math.max(10, Math.min(36, Math.floor((width(el) - 90) / Math.max(n, 1))));
  const margin = 90;
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  const size = margin + cell * n + 4;
  canvas.width = size * dpr;
  canvas.height = size * dpr;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', title);
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = '#24292f';
    ctx.textAlign = 'right';
    ctx.fillText(names[i].slice(0, 12), margin - 4, margin + i * cell + cell / 2);
    ctx.save();
    ctx.translate(margin + i * cell + cell / 2, margin - 4);
    ctx.rotate(-Math.PI / 3);
    ctx.textAlign = 'left';
    ctx.fillText(names[i].slice(0, 12), 0, 0);
    ctx.restore();
    for (let j = 0; j < n; j++) {
      const v = value(i, j);
      ctx.fillStyle = color(v);
      ctx.fillRect(margin + j * cell, margin + i * cell, cell - 1, cell - 1);
      if (cell >= 28 && v != null) {
        ctx.fillStyle = '#24292f';
        ctx.textAlign = 'center';
        ctx.fillText(format(v), margin + j * cell + cell / 2, margin + i * cell + cell / 2);
      }
    }
  }
  const readout = document.createElement('div');
  readout.className = 'readout';
  readout.textContent = 'Hover a cell.';
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const j = Math.floor((e.clientX - r.left - margin) / cell);
    const i = Math.floor((e.clientY - r.top - margin) / cell);
    if (i >= 0 && j >= 0 && i < n && j < n) readout.textContent = `${names[i]} × ${names[j]}: ${value(i, j) == null ? 'no shared items' : format(value(i, j))}`;
  });
  el.append(canvas, readout);
}

/** Cohen's kappa between annotator pairs (the `weighting` variant). */
export function kappaHeatmap(el, heatmap, weighting) {
  const { ids, pairs } = heatmap;
  if (!pairs.length) {
    el.textContent = 'No annotator pair shares enough items for a Cohen kappa.';
    return;
  }
  const index = new Map(ids.map((id, i) => [id, i]));
  const m = ids.map(() => ids.map(() => null));
  for (const p of pairs) {
    const i = index.get(p.a);
    const j = index.get(p.b);
    m[i][j] = p[weighting];
    m[j][i] = p[weighting];
  }
  ids.forEach((_, i) => { m[i][i] = 1; });
  heat(el, ids, (i, j) => m[i][j], `Cohen's kappa (${weighting}) between annotator pairs`, kappaColor, (v) => v.toFixed(2));
}

/** One annotator's Dawid-Skene confusion matrix: rows true label, columns given label. */
export function confusionMatrix(el, matrix, id, order = LABELS) {
  if (!matrix) {
    el.textContent = 'No Dawid-Skene confusion matrix in the report for this annotator.';
    return;
  }
  const shade = (p) => (p == null ? '#eaeef2' : `rgb(${Math.round(255 - p * 224)},${Math.round(255 - p * 144)},${Math.round(255 - p * 20)})`);
  const names = [...order];
  heat(el, names, (i, j) => number(matrix[i]?.[j]), `Dawid-Skene confusion of ${id}: rows true label, columns given label`, shade, (v) => v.toFixed(2));
}

function number(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Draws each chart kind once off screen and throws it away, so the first
 * real drawing does not pay for compiling uPlot's code paths in one long
 * main-thread task. Called while the worker computes.
 */
export async function warmUp() {
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:-10000px;top:0;width:600px';
  box.setAttribute('aria-hidden', 'true');
  document.body.append(box);
  const made = [];
  const el = () => {
    const e = box.appendChild(document.createElement('div'));
    made.push(e);
    return e;
  };
  const steps = [
    () => timeline(el(), { x: [1, 2], pairwise: [0.5, 0.6], fleiss: [0.4, 0.5], alpha: [0.3, 0.4], kept: { alpha: [0.4, 0.5] } }),
    () => labelDistribution(el(), [1, 2, 3, 2, 1], { dist: [1, 1, 1, 1, 1], count: 5 }, 'majority'),
    () => goldVsTime(el(), [{ id: 'a', gold_accuracy: 0.5, avg_time_seconds: 3, flagged: false }]),
  ];
  for (const step of steps) { // one task each, so none runs long
    step();
    await new Promise((r) => setTimeout(r, 0));
  }
  for (const e of made) charts.get(e)?.destroy();
  box.remove();
}
