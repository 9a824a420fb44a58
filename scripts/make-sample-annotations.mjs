#!/usr/bin/env node
// Writes the dashboard demo's data from www/sample/task.json, deterministically
// (a fixed seed; the same files on every run):
//   www/sample/annotations.jsonl  a simulated crowd of 12 annotators
//   www/sample/gold.jsonl         the task's gold answers ({item, label})
//
// The crowd: seven careful annotators of varied accuracy, a middling one, a
// noisy one, one who prefers whatever is shown on the left, a fast clicker
// who answers at random in a second or two, and a straight-liner who nearly
// always says "about the same". Each answers every gold item and a share of
// the regular items, shown in random A/B order; records are canonical
// (label un-flipped, `label_order: "canonical"`) like the page's.
//
// It also writes, into www/sample/task.json, each regular example's
// `metadata.model_a` / `model_b` (which of four made-up models wrote each
// response; the better response tends to come from the stronger model) and
// `metadata.score_a` / `score_b` (reward scores around the reference's gap),
// so the dashboard's leaderboard and "what to label next" panels have data.
// These come from their own seeded stream: the annotations do not change.
//
//   node scripts/make-sample-annotations.mjs [--seed 2024]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// mulberry32, the seeded generator of the dashboard tests' data too
// (deterministic across platforms).
import { rng } from '../tests/browser/gen-annotations.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TASK = path.join(ROOT, 'www/sample/task.json');
const seedArg = process.argv.indexOf('--seed');
const SEED = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 2024;

// What a careful expert would answer for each regular pair (canonical A/B);
// the simulated annotators err around these.
const REFERENCE = {
  'code-01': 'A>>', 'code-02': 'A>', 'code-03': 'A>>', 'code-04': 'A>', 'code-05': 'A>>', 'code-06': 'A>',
  'code-07': '=', 'code-08': 'A>>',
  'fact-01': 'A>>', 'fact-02': 'B>', 'fact-03': 'A>', 'fact-04': 'A>>', 'fact-05': '=', 'fact-06': 'A>>',
  'fact-07': '=', 'fact-08': 'A>>',
  'math-01': 'A>>', 'math-02': 'A>>', 'math-03': 'B>',
  'advice-01': 'A>>', 'advice-02': 'A>>', 'advice-03': 'A>>', 'advice-04': 'A>>', 'advice-05': '=',
  'advice-06': 'A>>', 'advice-07': 'A>>',
  'safety-01': 'A>>', 'safety-02': 'A>>', 'safety-03': 'A>>', 'safety-04': 'A>', 'safety-05': 'A>>', 'safety-06': 'A>>',
  'concise-01': 'A>', 'concise-02': 'A>', 'concise-03': 'B>', 'concise-04': 'A>', 'concise-05': '=',
  'write-01': 'A>', 'write-02': '=', 'write-03': 'A>>', 'write-04': '=',
  'subtle-01': 'B>>', 'subtle-02': 'B>>',
};

// The crowd: accuracy = chance of the reference's side; share = share of the
// regular items answered; seconds = median answer time.
const CROWD = [
  { id: 'w01', kind: 'careful', accuracy: 0.95, share: 0.9, seconds: 34 },
  { id: 'w02', kind: 'careful', accuracy: 0.93, share: 0.8, seconds: 28 },
  { id: 'w03', kind: 'careful', accuracy: 0.92, share: 0.7, seconds: 41 },
  { id: 'w04', kind: 'careful', accuracy: 0.9, share: 0.75, seconds: 25 },
  { id: 'w05', kind: 'careful', accuracy: 0.9, share: 0.6, seconds: 30 },
  { id: 'w06', kind: 'careful', accuracy: 0.88, share: 0.65, seconds: 22 },
  { id: 'w07', kind: 'careful', accuracy: 0.85, share: 0.55, seconds: 19 },
  { id: 'w08', kind: 'careful', accuracy: 0.78, share: 0.6, seconds: 15 },
  { id: 'w09', kind: 'noisy', accuracy: 0.55, share: 0.5, seconds: 12 },
  { id: 'w10', kind: 'left-biased', left: 0.85, share: 0.6, seconds: 14 },
  { id: 'w11', kind: 'fast-clicker', share: 0.8, seconds: 1.6 },
  { id: 'w12', kind: 'straight-liner', share: 0.5, seconds: 6 },
];

const LABELS = ['A>>', 'A>', '=', 'B>', 'B>>'];
const FLIP = { 'A>>': 'B>>', 'A>': 'B>', '=': '=', 'B>': 'A>', 'B>>': 'A>>' };

const rand = rng(SEED);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const shuffle = (xs) => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};
/** Log-normal time around `median` seconds (sigma 0.45), to 0.1 s. */
const time = (median) => {
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.round(median * Math.exp(0.45 * z) * 10) / 10;
};
const uuid = () => {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  h[12] = '4';
  h[16] = '89ab'[Math.floor(rand() * 4)];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
};

/** A careful annotator's canonical label: the reference's side with probability `accuracy`. */
function careful(reference, accuracy) {
  const side = reference[0];
  if (rand() < accuracy) {
    if (side === '=') return '=';
    return rand() < 0.8 ? reference : (reference.length === 3 ? `${side}>` : `${side}>>`);
  }
  const others = side === '=' ? ['A>', 'B>', 'A>>', 'B>>'] : ['=', '=', FLIP[reference], FLIP[reference].slice(0, 2)];
  return pick(others);
}

/** The label as the annotator saw it, for one kind of annotator. */
function answer(w, reference, swapped) {
  switch (w.kind) {
    case 'careful':
    case 'noisy': {
      const canonical = careful(reference, w.accuracy);
      return swapped ? FLIP[canonical] : canonical;
    }
    case 'left-biased':
      if (rand() < w.left) return rand() < 0.5 ? 'A>' : 'A>>';
      return pick(['=', 'B>', 'B>>']);
    case 'fast-clicker':
      return pick(LABELS);
    case 'straight-liner':
      return rand() < 0.9 ? '=' : pick(LABELS);
    default:
      throw new Error(`unknown annotator kind ${w.kind}`);
  }
}

// Made-up models with log-strengths: the leaderboard should recover this order.
const MODELS = [['cedar-70b', 1.2], ['birch-13b', 0.5], ['atlas-7b', 0], ['dune-3b', -0.8]];

/**
 * Sets metadata.model_a/model_b/score_a/score_b on each regular example:
 * two distinct models, the stronger one on the reference's side with
 * probability from their strengths (Bradley-Terry), and reward scores whose
 * gap follows the reference (A>> about +2, A> +1, = 0) plus noise.
 */
function addModelsAndScores(task, r) {
  const gap = { 'A>>': 2, 'A>': 1, '=': 0, 'B>': -1, 'B>>': -2 };
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  for (const e of task.examples) {
    const i = Math.floor(r() * MODELS.length);
    const j = (i + 1 + Math.floor(r() * (MODELS.length - 1))) % MODELS.length;
    const [strong, weak] = MODELS[i][1] >= MODELS[j][1] ? [MODELS[i], MODELS[j]] : [MODELS[j], MODELS[i]];
    const pStrong = 1 / (1 + Math.exp(weak[1] - strong[1]));
    const side = REFERENCE[e.id][0];
    const strongOnA = side === '=' ? r() < 0.5 : (side === 'A') === (r() < pStrong);
    const base = 0.5 + r();
    const d = gap[REFERENCE[e.id]] + 0.6 * normal();
    e.metadata = {
      ...e.metadata,
      model_a: strongOnA ? strong[0] : weak[0],
      model_b: strongOnA ? weak[0] : strong[0],
      score_a: Math.round((base + d / 2) * 1000) / 1000,
      score_b: Math.round((base - d / 2) * 1000) / 1000,
    };
  }
}

const task = JSON.parse(fs.readFileSync(TASK, 'utf8'));
for (const e of task.examples) {
  if (!REFERENCE[e.id]) throw new Error(`no reference label for example ${e.id}: add it to REFERENCE`);
}
const goldLabel = Object.fromEntries(task.gold.map((g) => [g.id, g.label]));

addModelsAndScores(task, rng(SEED ^ 0x5eed));
fs.writeFileSync(TASK, `${JSON.stringify(task, null, 2)}\n`);

const records = [];
let clock = 1764000000;
for (const w of CROWD) {
  const regular = shuffle(task.examples).slice(0, Math.round(task.examples.length * w.share));
  const items = shuffle([...regular.map((e) => e.id), ...task.gold.map((g) => g.id)]);
  let t = clock + Math.floor(rand() * 3600);
  for (const item of items) {
    const swapped = rand() < 0.5;
    const reference = goldLabel[item] ?? REFERENCE[item];
    const shown = answer(w, reference, swapped);
    const seconds = Math.max(0.4, time(w.seconds));
    t += Math.ceil(seconds) + Math.floor(rand() * 5);
    records.push({
      id: uuid(),
      task_id: task.task_id,
      item,
      annotator: w.id,
      label: swapped ? FLIP[shown] : shown,
      swapped,
      time_seconds: seconds,
      timestamp: t,
      client_version: 'prefkit-sample-generator',
      label_order: 'canonical',
    });
  }
  clock += 1800;
}
records.sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id));

const out = path.join(ROOT, 'www/sample/annotations.jsonl');
fs.writeFileSync(out, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
const gold = path.join(ROOT, 'www/sample/gold.jsonl');
fs.writeFileSync(gold, task.gold.map((g) => `${JSON.stringify({ item: g.id, label: g.label })}\n`).join(''));
console.log(`${path.relative(ROOT, out)}: ${records.length} annotations by ${CROWD.length} annotators on ${new Set(records.map((r) => r.item)).size} items (seed ${SEED})`);
console.log(`${path.relative(ROOT, gold)}: ${task.gold.length} gold answers`);
