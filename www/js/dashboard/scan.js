// One pass over the annotations in the worker for what the report does not
// carry: labels per item (for the overlap count and vote shares), the raw
// label distribution, recorded time for the cost model, and agreement over
// time. Agreement figures all come from the wasm core (LiveAgreement
// snapshots, or agreementTimeline when the module has it); this file only
// counts and feeds.

import { number } from './exports.js';

const LABELS = ['A>>', 'A>', '=', 'B>', 'B>>'];
const SIDE = [0, 0, 1, 2, 2]; // A, A, tie, B, B
export const TIMELINE_POINTS = 120;

/** Reads a figure from a snapshot whatever its exact nesting. */
export function pick(obj, ...paths) {
  for (const path of paths) {
    let v = obj;
    for (const k of path.split('.')) v = v?.[k];
    if (v !== undefined) return number(v);
  }
  return null;
}

function timelinePoint(snap) {
  return {
    pairwise: pick(snap, 'pairwise', 'agreement.pairwise'),
    fleiss: pick(snap, 'fleiss_kappa', 'agreement.fleiss_kappa'),
    alpha: pick(snap, 'krippendorff_alpha.ordinal', 'agreement.krippendorff_alpha.ordinal',
      'krippendorff_alpha_ordinal'),
  };
}

/**
 * Scans JSONL `text`. Returns {n, items, itemNames, counts, raw, measured,
 * timeline, voteShare(report, method, config)}.
 */
export function scan(wasm, text, goldText, { progress, skipInvalid, timeline: wantTimeline = true }) {
  const goldItems = new Set();
  for (const line of (goldText ?? '').split('\n')) {
    if (!line.trim()) continue;
    try {
      const g = JSON.parse(line);
      if (g && typeof g.item === 'string') goldItems.add(g.item);
    } catch { /* the core reports bad gold lines */ }
  }
  const itemIndex = new Map();
  const annIndex = new Map();
  const itemNames = [];
  const annNames = [];
  let cap = 1 << 16;
  let item = new Uint32Array(cap);
  let ann = new Uint32Array(cap);
  let lab = new Uint8Array(cap);
  let n = 0;
  const raw = [0, 0, 0, 0, 0];
  const measured = {
    annotations: 0, gold_annotations: 0, seconds: 0, gold_seconds: 0,
    timed_annotations: 0, timed_gold_annotations: 0, pairs: 0,
  };
  const canonical = canonicalizer(wasm);
  const useLive = wantTimeline && typeof wasm.LiveAgreement === 'function';
  const live = useLive ? new wasm.LiveAgreement() : null;
  const total = countLines(text);
  const every = Math.max(1, Math.floor(total / TIMELINE_POINTS));
  const timeline = { x: [], pairwise: [], fleiss: [], alpha: [], source: 'none' };
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (!line.trim()) continue;
    let a;
    let li;
    try {
      a = JSON.parse(line);
      li = LABELS.indexOf(canonical(a));
      if (li < 0 || typeof a.item !== 'string' || typeof a.annotator !== 'string') continue;
    } catch (err) {
      if (skipInvalid) continue;
      throw new Error(`line ${lineNo}: ${err.message}`);
    }
    if (n === cap) {
      cap *= 2;
      item = grow(item, cap);
      ann = grow(ann, cap);
      lab = grow(lab, cap);
    }
    let i = itemIndex.get(a.item);
    if (i === undefined) { i = itemNames.length; itemIndex.set(a.item, i); itemNames.push(a.item); }
    let w = annIndex.get(a.annotator);
    if (w === undefined) { w = annNames.length; annIndex.set(a.annotator, w); annNames.push(a.annotator); }
    item[n] = i; ann[n] = w; lab[n] = li; n++;
    raw[li]++;
    const gold = goldItems.has(a.item);
    measured.annotations++;
    if (gold) measured.gold_annotations++;
    const t = a.time_seconds;
    if (typeof t === 'number' && Number.isFinite(t) && t >= 0) {
      measured.timed_annotations++;
      measured.seconds += t;
      if (gold) { measured.timed_gold_annotations++; measured.gold_seconds += t; }
    }
    if (live) {
      try {
        live.add(a);
      } catch (err) {
        if (!skipInvalid) throw new Error(`line ${lineNo}: ${err.message}`);
      }
      if (n % every === 0) {
        const p = timelinePoint(live.snapshot());
        timeline.x.push(n); timeline.pairwise.push(p.pairwise);
        timeline.fleiss.push(p.fleiss); timeline.alpha.push(p.alpha);
        if (timeline.x.length % 10 === 0) progress(n, total);
      }
    }
  }
  if (live) {
    if (timeline.x[timeline.x.length - 1] !== n) {
      const p = timelinePoint(live.snapshot());
      timeline.x.push(n); timeline.pairwise.push(p.pairwise);
      timeline.fleiss.push(p.fleiss); timeline.alpha.push(p.alpha);
    }
    timeline.source = 'LiveAgreement snapshots';
    live.free?.();
  }
  const counts = new Uint16Array(itemNames.length);
  for (let k = 0; k < n; k++) counts[item[k]]++;
  for (let i = 0; i < itemNames.length; i++) if (counts[i] && !goldItems.has(itemNames[i])) measured.pairs++;
  return {
    n, itemNames, annNames, counts, raw, measured, timeline, goldItems,
    voteShare: (report, labels, config) => voteShare(report, labels, config,
      { n, item, ann, lab, itemNames, annNames }),
  };
}

/** The core's Summary shape (src/summary.rs) from a scan. */
export function summaryFromScan(s, overlap) {
  const below = [];
  let items = 0;
  let needed = 0;
  for (let i = 0; i < s.itemNames.length; i++) {
    if (!s.counts[i] || s.goldItems.has(s.itemNames[i])) continue;
    items++;
    if (s.counts[i] < overlap) {
      needed += overlap - s.counts[i];
      below.push({ item: s.itemNames[i], labels: s.counts[i] });
    }
  }
  below.sort((a, b) => a.labels - b.labels || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
  return {
    label_counts: s.raw, overlap, items, items_below_overlap: below.length,
    labels_needed: needed, below_overlap: below.slice(0, 50), time: s.measured,
  };
}

/**
 * Confidence of each final label as the share of the reliable annotators'
 * labels on the item that are on the label's side (A, tie or B). Reliable:
 * composite >= min_reliability in the report. Used when the core does not
 * send per-item confidences (`labels.confidence`).
 */
function voteShare(report, labels, config, d) {
  const labelOf = labels instanceof Map ? (name) => labels.get(name) : (name) => labels[name];
  const reliable = new Uint8Array(d.annNames.length);
  const composite = new Map((report.annotators ?? []).map((a) => [a.id, a.composite]));
  d.annNames.forEach((name, w) => {
    const c = composite.get(name);
    reliable[w] = typeof c === 'number' && c >= config.min_reliability ? 1 : 0;
  });
  const side = new Uint8Array(d.itemNames.length).fill(255);
  d.itemNames.forEach((name, i) => {
    const l = LABELS.indexOf(labelOf(name));
    if (l >= 0) side[i] = SIDE[l];
  });
  const agree = new Uint32Array(d.itemNames.length);
  const all = new Uint32Array(d.itemNames.length);
  for (let k = 0; k < d.n; k++) {
    if (!reliable[d.ann[k]]) continue;
    const i = d.item[k];
    all[i]++;
    if (SIDE[d.lab[k]] === side[i]) agree[i]++;
  }
  const out = new Map();
  d.itemNames.forEach((name, i) => {
    if (side[i] !== 255 && all[i]) out.set(name, agree[i] / all[i]);
  });
  return out;
}

/** The canonical label of an annotation, by the core's own rule (cached per form). */
function canonicalizer(wasm) {
  const cache = new Map();
  return (a) => {
    const key = `${a.label}\u0000${a.swapped === true}\u0000${a.label_order ?? ''}`;
    let c = cache.get(key);
    if (c === undefined) {
      const probe = { item: 'x', annotator: 'x', label: a.label, swapped: a.swapped === true };
      if (a.label_order !== undefined) probe.label_order = a.label_order;
      c = wasm.checkAnnotation(probe).label;
      cache.set(key, c);
    }
    return c;
  };
}

function grow(arr, cap) {
  const out = new arr.constructor(cap);
  out.set(arr);
  return out;
}

function countLines(text) {
  let c = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) c++;
  return c + 1;
}

export { LABELS, canonicalizer };
