// Seeded synthetic preference annotations for the dashboard's tests and
// benchmark: items with a hidden true label, annotators of varied accuracy
// and speed (a few fast, careless ones), some shown in B/A order (`swapped`,
// label as shown), gold answers and a task file with prompt/response texts.
// The same seed gives the same bytes.

const LABELS = ['A>>', 'A>', '=', 'B>', 'B>>'];
const FLIP = { 'A>>': 'B>>', 'A>': 'B>', '=': '=', 'B>': 'A>', 'B>>': 'A>>' };

/**
 * mulberry32: a small seeded generator returning floats in [0, 1). Also the
 * generator of scripts/make-sample-annotations.mjs (the dashboard's demo data).
 */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Returns {annotations: JSONL, gold: JSONL, task: JSON text, trueLabels}.
 * opts: {items, perItem, annotators, gold (items that are gold), seed}
 */
export function generate({ items = 60, perItem = 4, annotators = 8, gold = 10, seed = 7 } = {}) {
  const r = rng(seed);
  const pick = (arr) => arr[Math.floor(r() * arr.length)];
  const workers = Array.from({ length: annotators }, (_, w) => {
    const careless = w % 7 === 3;
    return {
      id: `w${String(w + 1).padStart(String(annotators).length, '0')}`,
      accuracy: careless ? 0.3 : 0.55 + 0.4 * r(),
      seconds: careless ? 1.5 + 2 * r() : 8 + 30 * r(),
    };
  });
  const truth = Array.from({ length: items }, () => pick([0, 1, 1, 2, 3, 3, 4]));
  const lines = [];
  let id = 0;
  let ts = 1764000000;
  for (let i = 0; i < items; i++) {
    const item = `ex-${i + 1}`;
    const start = Math.floor(r() * annotators);
    for (let k = 0; k < perItem; k++) {
      const w = workers[(start + k * 3) % annotators];
      let l = truth[i];
      if (r() > w.accuracy) {
        l = r() < 0.5 ? Math.max(0, Math.min(4, l + (r() < 0.5 ? -1 : 1))) : Math.floor(r() * 5);
      }
      const swapped = r() < 0.5;
      const label = swapped ? FLIP[LABELS[l]] : LABELS[l];
      ts += 1 + Math.floor(r() * 20);
      lines.push(`{"id":"a-${++id}","item":"${item}","annotator":"${w.id}","label":"${label}","time_seconds":${(w.seconds * (0.6 + 0.8 * r())).toFixed(2)},"swapped":${swapped},"timestamp":${ts}}`);
    }
  }
  const goldLines = [];
  for (let i = 0; i < Math.min(gold, items); i++) {
    goldLines.push(JSON.stringify({ item: `ex-${i + 1}`, label: LABELS[truth[i]] }));
  }
  const examples = truth.map((_, i) => ({
    id: `ex-${i + 1}`,
    prompt: `Question ${i + 1}: explain step ${i + 1} of the procedure, "briefly", please.`,
    response_a: `Answer A to question ${i + 1}.\nIt has two lines, a comma, and "quotes".`,
    response_b: `Answer B to question ${i + 1}.`,
  }));
  const task = { task_id: 'dashboard-test', examples, config: { overlap: 3 } };
  return {
    annotations: lines.join('\n') + '\n',
    gold: goldLines.join('\n') + '\n',
    task: JSON.stringify(task),
    trueLabels: truth.map((t) => LABELS[t]),
  };
}

/**
 * Writes `count` annotations as JSONL chunks to `write(text)` without holding
 * them all: items x `perItem` labels from `annotators` annotators.
 */
export function generateLarge(write, { count = 1_000_000, perItem = 4, annotators = 2000, seed = 1 } = {}) {
  const r = rng(seed);
  const acc = Array.from({ length: annotators }, (_, w) => (w % 7 === 3 ? 0.3 : 0.55 + 0.4 * r()));
  const secs = Array.from({ length: annotators }, (_, w) => (w % 7 === 3 ? 2 : 8 + 30 * r()));
  const items = Math.ceil(count / perItem);
  let n = 0;
  let ts = 1764000000;
  let buf = [];
  for (let i = 0; i < items && n < count; i++) {
    const t = Math.floor(r() * 5);
    const start = Math.floor(r() * annotators);
    for (let k = 0; k < perItem && n < count; k++) {
      const w = (start + k * 7) % annotators;
      const l = r() < acc[w] ? t : Math.floor(r() * 5);
      const swapped = r() < 0.5;
      const label = swapped ? FLIP[LABELS[l]] : LABELS[l];
      ts += 1;
      buf.push(`{"id":"a-${++n}","item":"ex-${i + 1}","annotator":"w${w + 1}","label":"${label}","time_seconds":${(secs[w] * (0.6 + 0.8 * r())).toFixed(2)},"swapped":${swapped},"timestamp":${ts}}`);
      if (buf.length === 50_000) {
        write(buf.join('\n') + '\n');
        buf = [];
      }
    }
  }
  if (buf.length) write(buf.join('\n') + '\n');
  return n;
}
