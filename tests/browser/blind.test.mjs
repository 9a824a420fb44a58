// Blind gold mode: the collector assembles the batches and keeps the gold
// answers; the page builds its session from the public task, adopts the
// server's batch, un-flips answers, and stops when the server's next batch
// says the annotator is flagged. Needs the real collector (`prefkit serve`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkModuleBuilt, startBackend, launch, tempDir, writeTask, annotateUrl,
  waitState, answerByKeyboard, waitAllSent, exportAnnotations, expectedLabel, shownItem, FLIP,
} from './lib/harness.mjs';

checkModuleBuilt();
const dir = tempDir();
const plain = writeTask(dir, { id: 'blind', n: 12, gold: 2, config: { batch_size: 8, gold_fraction: 0.25 } });
const strict = writeTask(dir, { id: 'blindflag', n: 10, gold: 6, config: { batch_size: 12, gold_fraction: 0.5, min_gold_for_flag: 5 } });
const backend = await startBackend({ tasks: [plain.file, strict.file], goldMode: 'blind' });
let browser;

before(async () => {
  if (backend) browser = await launch();
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

const skip = () => (backend ? false : 'needs prefkit serve (blind batches are assembled by the real collector)');

/** Records every JSON body the page receives from the API. */
function recordApi(page) {
  const bodies = [];
  page.on('response', async (r) => {
    if (!r.url().includes('/api/')) return;
    try { bodies.push({ url: r.url(), text: await r.text() }); } catch { /* navigation */ }
  });
  return bodies;
}

test('in blind mode the server assembles the batch, no gold answer reaches the page, labels arrive un-flipped', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const bodies = recordApi(page);
  await page.goto(annotateUrl(backend.url, { task: 'blind', mode: 'blind', endpoint: `${backend.url}/api/annotations`, annotator: 'blind-1', grace: '10' }));
  await waitState(page, 'item');
  assert.equal((await shownItem(page)).progress, '0 / 8');
  const answered = await answerByKeyboard(page, (_id, i) => (i % 5) + 1);
  assert.equal(answered.length, 8);
  await waitAllSent(page, 8);
  const stored = await exportAnnotations(backend.direct, 'blind');
  assert.equal(stored.length, 8);
  const byItem = new Map(stored.map((a) => [a.item, a]));
  // The page un-flips with the batch's sides; the server keeps its own
  // order: both agree on the label the worker meant, shown either way.
  assert.ok(answered.some((a) => a.swapped) && answered.some((a) => !a.swapped), 'swapped and unswapped pairs were answered');
  for (const a of answered) assert.equal(byItem.get(a.item)?.label, expectedLabel(a), a.item);
  for (const a of answered) assert.equal(byItem.get(a.item)?.swapped, a.swapped, a.item);
  const goldIds = plain.task.gold.map((g) => g.id);
  assert.ok(answered.some((a) => goldIds.includes(a.item)), 'the batch holds gold items');
  for (const b of bodies.filter((x) => !x.url.includes('/api/annotations'))) {
    assert.doesNotMatch(b.text, /"explanation"|has a known answer|"gold"\s*:\s*\[\s*\{/, `no gold answer in ${b.url}`);
  }
  await context.close();
});

test('in blind mode a flag shows when the annotator asks for the next batch, also after a reload', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const bodies = recordApi(page);
  await page.goto(annotateUrl(backend.url, { task: 'blindflag', mode: 'blind', endpoint: `${backend.url}/api/annotations`, annotator: 'blind-bad', grace: '10' }));
  let answered = 0;
  for (;;) {
    const state = await waitState(page, ['item', 'flagged', 'done']);
    if (state !== 'item') break;
    const { id, left } = await shownItem(page);
    const g = strict.task.gold.find((x) => x.id === id);
    let key = 3;
    if (g) {
      const wrong = g.label.startsWith('A') ? 'B>>' : 'A>>';
      key = (left.includes('canonical B') ? FLIP[wrong] : wrong) === 'A>>' ? 1 : 5;
    }
    await answerByKeyboard(page, () => key, { limit: 1 });
    answered += 1;
  }
  // A verdict says nothing that depends on gold (the worker cannot learn
  // which items were checks): the batch ends as any other.
  assert.equal(await waitState(page, 'done'), 'done');
  assert.equal(answered, 12);
  await waitAllSent(page, answered);
  for (const b of bodies.filter((x) => x.url.includes('/api/annotations'))) assert.doesNotMatch(b.text, /"flagged"|low_gold_accuracy/, b.url);
  await page.locator('prefkit-annotator button', { hasText: 'Start another batch' }).click();
  assert.equal(await waitState(page, 'flagged'), 'flagged');
  await page.reload();
  assert.equal(await waitState(page, 'flagged'), 'flagged', 'still flagged after a reload');
  await context.close();
});
