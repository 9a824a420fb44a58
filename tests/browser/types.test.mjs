// The TypeScript declarations of the annotator's module describe what it
// really returns. Real results of its exports (a report, a live snapshot,
// batches, verdicts with gold feedback and a flag, stats, the public task)
// are written into a TS file as literals typed with the declared
// interfaces; `tsc --strict` must accept it. Its excess-property checks
// catch a field the declarations leave out, its type checks a field of the
// wrong type or one they claim but the module does not give. A consumer
// file (types/consumer.ts) uses each export as the README does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, ARTIFACTS, checkModuleBuilt } from './lib/harness.mjs';

const HERE = path.join(ROOT, 'tests/browser');

/** A task with many gold items, so a wrong-answering annotator is flagged. */
function flaggingTask() {
  const pair = (id) => ({ id, prompt: `Prompt ${id}`, response_a: `A of ${id}`, response_b: `B of ${id}` });
  return {
    task_id: 'types',
    guidelines: 'Pick the better response.',
    examples: Array.from({ length: 12 }, (_, i) => pair(`ex-${i}`)),
    gold: Array.from({ length: 8 }, (_, i) => ({ ...pair(`gd-${i}`), label: 'A>>', explanation: 'A is right.' })),
    config: { batch_size: 6, gold_fraction: 0.5, overlap: 2, gold_feedback: true, seed: 3 },
  };
}

async function realResults() {
  const pk = await import(pathToFileURL(path.join(ROOT, 'www/pkg/prefkit.js')).href);
  await pk.default({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/prefkit_bg.wasm')) });
  const out = {};
  const s = new pk.Session(flaggingTask(), 3);
  out.publicTask = ['PublicTask', s.publicTask()];
  const verdicts = [];
  let batch;
  for (let round = 0; round < 3; round++) {
    batch = s.nextBatch('w1');
    for (const item of batch.items) {
      // Always the right-hand response: wrong on every gold item (A>>).
      const choice = item.swapped ? 'A>>' : 'B>>';
      verdicts.push(s.submit({ id: `v-${item.id}`, item: item.id, annotator: 'w1', choice, time_seconds: 2 }));
    }
  }
  out.batch = ['Batch', batch];
  out.empty = ['Batch', s.nextBatch('w1')];
  out.verdicts = ['Verdict[]', verdicts];
  const b2 = s.nextBatch('w2');
  out.stats = ['SessionStats', (s.submit({ id: 'w2-0', item: b2.items[0].id, annotator: 'w2', choice: '=', time_seconds: 30 }), s.stats())];
  const jsonl = fs.readFileSync(path.join(ROOT, 'www/sample/annotations.jsonl'), 'utf8');
  const gold = fs.readFileSync(path.join(ROOT, 'www/sample/gold.jsonl'), 'utf8');
  // Reports are the requester's: the dashboard's module.
  const lab = await import(pathToFileURL(path.join(ROOT, 'www/pkg/prefkit_lab.js')).href);
  await lab.default({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/prefkit_lab_bg.wasm')) });
  out.report = ['Report', lab.report(jsonl + '{"item": 5}\n', gold, { skip_invalid: true, min_reliability: 0.9 })];
  const live = new lab.LiveAgreement();
  for (const line of jsonl.split('\n').slice(0, 40)) if (line.trim()) live.add(JSON.parse(line));
  out.snapshot = ['Report', live.snapshot()];
  // A simulated worker's acts (choices and skips) and a whole simulated
  // crowd, in the requester's module (which the element loads to simulate).
  const sim = new lab.Session(flaggingTask(), 5);
  const worker = new lab.SimulatedWorker({ seed: 2, annotators: [{ skip: 0.5 }] }, 'w3');
  const labOut = {
    acts: ['SimulatedAct[]', sim.nextBatch('w3').items.map((it) => worker.act(sim, it.id))],
    crowd: ['SimulatedCrowd', lab.simulateCrowd(flaggingTask(), { seed: 1, annotators: [{ count: 3, skip: 0.2 }] }, 1764000000)],
  };
  return { out, labOut, verdicts };
}

function tsc(files) {
  const bin = path.join(HERE, 'node_modules/typescript/bin/tsc');
  return spawnSync(process.execPath, [bin, '--strict', '--noEmit', '--target', 'es2022', '--module', 'esnext',
    '--moduleResolution', 'bundler', '--lib', 'esnext,dom', ...files], { encoding: 'utf8' });
}

test('the declarations describe every result the annotator module returns', async () => {
  checkModuleBuilt();
  const { out, labOut, verdicts } = await realResults();
  // The run reached the cases whose fields are easiest to get wrong.
  assert.ok(verdicts.some((v) => v.gold && v.gold.explanation === 'A is right.'), 'gold feedback');
  assert.ok(verdicts.some((v) => v.flag && v.flag.reason === 'low_gold_accuracy'), 'a flag');
  assert.ok(verdicts.some((v) => v.too_fast), 'too fast');
  assert.equal(out.empty[1].batch_id, null);
  assert.ok(out.report[1].skipped.length === 1 && out.report[1].dawid_skene !== null);
  assert.equal(out.snapshot[1].dawid_skene, null);
  assert.ok(labOut.acts[1].some((a) => a.skip) && labOut.acts[1].some((a) => a.choice), 'choices and skips');
  assert.ok(labOut.crowd[1].annotations.includes('"simulated":true'));
  const names = [...new Set(Object.values(out).map(([t]) => t.replace('[]', '')))];
  const lines = [`import type { ${names.join(', ')} } from '../../../www/pkg/prefkit.js';`];
  const labNames = [...new Set(Object.values(labOut).map(([t]) => t.replace('[]', '')))];
  lines.push(`import type { ${labNames.join(', ')} } from '../../../www/pkg/prefkit_lab.js';`);
  for (const [name, [type, value]] of [...Object.entries(out), ...Object.entries(labOut)]) {
    lines.push(`export const ${name}: ${type} = ${JSON.stringify(value, null, 1)};`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'results.ts');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  // The dashboard's module's declarations are checked too (they must at least compile).
  const r = tsc([file, path.join(HERE, 'types/consumer.ts'), path.join(ROOT, 'www/pkg/prefkit_lab.d.ts')]);
  assert.equal(r.status, 0, `tsc --strict refused the declarations:\n${r.stdout}${r.stderr}`);
});

test('a field the declarations do not have is caught', async () => {
  // The check above can fail: the same literal with one extra field is refused.
  checkModuleBuilt();
  const file = path.join(ARTIFACTS, 'results-extra.ts');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(file, `import type { Batch } from '../../../www/pkg/prefkit.js';
export const b: Batch = { annotator: "w1", batch_id: null, items: [], flagged: false, exhausted: true, gold_positions: [1] };
`);
  const r = tsc([file]);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /gold_positions/);
});
