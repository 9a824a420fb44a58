// Text formats of the dashboard's downloads: final labels JSONL, DPO JSONL
// and annotator statistics CSV. Pure functions of plain data, used by the
// worker (which holds the data) and by the tests.

/** One CSV field, quoted when it holds a comma, a quote, or a line break (RFC 4180). */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of objects as CSV with a header line; `columns` is a list of [header, row => value]. */
export function toCsv(rows, columns) {
  const lines = [columns.map(([h]) => csvField(h)).join(',')];
  for (const row of rows) lines.push(columns.map(([, get]) => csvField(get(row))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A column of the report's field `key`. */
const field = (key) => [key, (a) => a[key]];
/** A column `key_sub` of the field `sub` inside the report's `key` (null when there is no `key`). */
const inner = (key) => (sub) => [`${key}_${sub}`, (a) => a[key]?.[sub] ?? null];

/** The annotator table's columns, in the report's field names. */
export const ANNOTATOR_COLUMNS = [
  ...['id', 'total', 'skips', 'skip_rate', 'gold_total', 'gold_correct', 'gold_accuracy', 'majority_agreement',
    'avg_time_seconds', 'speed_penalty', 'composite', 'flagged'].map(field),
  ...['left', 'decided', 'share_left', 'p_value'].map(inner('position_bias')),
  ...['longest_run', 'top_label', 'top_share'].map(inner('straight_lining')),
];

/** A figure as a finite number, or null (the core sends null for undefined figures). */
export function number(x) {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export function annotatorsCsv(annotators) {
  return toCsv(annotators, ANNOTATOR_COLUMNS);
}

/**
 * Final labels, one JSON object a line:
 * {"item", "label", "method", "confidence", "min_reliability"}.
 * `labels` maps item -> label (Map or object); `confidence` maps item -> number.
 */
export function labelsJsonl(labels, confidence, method, minReliability) {
  const out = [];
  for (const [item, label] of entries(labels)) {
    const c = confidence?.get ? confidence.get(item) : confidence?.[item];
    out.push(JSON.stringify({
      item, label, method,
      confidence: typeof c === 'number' ? round(c) : null,
      min_reliability: minReliability,
    }));
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** Label strength: 2 for "much better", 1 for "better", 0 for a tie. */
export const STRENGTH = { 'A>>': 2, 'A>': 1, '=': 0, 'B>': 1, 'B>>': 2 };

/**
 * DPO pairs, one JSON object a line: {"prompt", "chosen", "rejected",
 * "margin", "weight", "item", "label"}. `margin` is the final label's
 * strength (1 = better, 2 = much better); `weight` the confidence in the
 * label. Ties have no chosen side and are left out unless `includeTies`,
 * when they are written with margin 0 in the task's A/B order.
 * Returns {text, written, ties, missing} (missing: labelled items the task
 * file has no texts for).
 */
export function dpoJsonl(labels, confidence, examples, includeTies) {
  const out = [];
  let ties = 0;
  let missing = 0;
  for (const [item, label] of entries(labels)) {
    const ex = examples.get(item);
    if (!ex) { missing++; continue; }
    if (label === '=') {
      ties++;
      if (!includeTies) continue;
    }
    const aWins = label === 'A>>' || label === 'A>' || label === '=';
    const c = confidence?.get ? confidence.get(item) : confidence?.[item];
    out.push(JSON.stringify({
      prompt: ex.prompt,
      chosen: aWins ? ex.response_a : ex.response_b,
      rejected: aWins ? ex.response_b : ex.response_a,
      margin: STRENGTH[label] ?? 0,
      weight: typeof c === 'number' ? round(c) : null,
      item,
      label,
    }));
  }
  return { text: out.length ? out.join('\n') + '\n' : '', written: out.length, ties, missing };
}

/** [item, label] pairs of a Map or a plain object. */
function entries(labels) {
  return labels instanceof Map ? labels.entries() : Object.entries(labels);
}

function round(x) {
  return Math.round(x * 1e6) / 1e6;
}
