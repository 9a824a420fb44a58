// A whole batch by keyboard, against the collector: it ends up holding
// exactly the batch's annotations, with labels un-flipped for swapped items.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ARTIFACTS, checkModuleBuilt, startBackend, launch, tempDir, writeTask, routeTasks, annotateUrl,
  openAnnotator, waitState, answerByKeyboard, waitAllSent, exportAnnotations, expectedLabel, shownItem,
} from './lib/harness.mjs';

let backend; let browser; let t1; let t2;

before(async () => {
  checkModuleBuilt();
  const dir = tempDir();
  t1 = writeTask(dir, { id: 'kbd', n: 14, gold: 2, config: { batch_size: 10, gold_fraction: 0.1 } });
  t2 = writeTask(dir, { id: 'undo', n: 6, config: { batch_size: 4 } });
  backend = await startBackend({ tasks: [t1.file, t2.file] });
  browser = await launch();
  console.log(`# backend: ${backend.kind}`);
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

test('a whole batch done by keyboard arrives at the collector exactly once with labels un-flipped', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await routeTasks(context, backend.url, [t1.file]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(annotateUrl(backend.url, { task: 'test-tasks/kbd.json', endpoint: `${backend.url}/api/annotations`, annotator: 'kb-1', seed: '11', grace: '10' }));
  await waitState(page, 'item');
  const first = await shownItem(page);
  assert.equal(first.progress, '0 / 10');
  const answered = await answerByKeyboard(page, (_id, i) => (i % 5) + 1);
  assert.equal(answered.length, 10, 'the batch has batch_size items');
  assert.equal(await waitState(page, 'done'), 'done');
  await waitAllSent(page, 10);
  const stored = await exportAnnotations(backend.direct, 'kbd');
  assert.equal(stored.length, 10, 'the collector holds exactly the batch');
  assert.equal(new Set(stored.map((a) => a.id)).size, 10, 'no annotation twice');
  const byItem = new Map(stored.map((a) => [a.item, a]));
  assert.deepEqual([...byItem.keys()].sort(), answered.map((a) => a.item).sort());
  const swappedCount = answered.filter((a) => a.swapped).length;
  assert.ok(swappedCount > 0 && swappedCount < 10, `some but not all items are shown swapped (${swappedCount})`);
  for (const a of answered) {
    const s = byItem.get(a.item);
    assert.equal(s.swapped, a.swapped, `${a.item}: swapped as shown`);
    assert.equal(s.label, expectedLabel(a), `${a.item}: shown ${a.shown}, swapped ${a.swapped}`);
    assert.equal(s.annotator, 'kb-1');
    assert.equal(s.task_id, 'kbd');
    assert.ok(s.time_seconds >= 0 && Number.isFinite(s.time_seconds));
    assert.match(s.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  assert.deepEqual(errors, []);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'batch-done-1280.png'), fullPage: true });
  await context.close();
});

test('a choice can be undone during the grace period and only the final choice is posted', async () => {
  const { context, page } = await openAnnotator(browser, backend.url, [t2.file], { task: 'test-tasks/undo.json', annotator: 'undo-1', seed: '3' });
  await waitState(page, 'item');
  const item = await shownItem(page);
  await page.keyboard.press('1');
  assert.equal(await waitState(page, 'grace'), 'grace');
  await page.keyboard.press('u');
  assert.equal(await waitState(page, 'item'), 'item');
  await page.keyboard.press('2');
  await waitState(page, 'grace');
  await page.keyboard.press('4');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.querySelector('prefkit-annotator').shadowRoot.getElementById('item').dataset.item !== id, item.id);
  await waitAllSent(page, 1);
  const stored = await exportAnnotations(backend.direct, 'undo');
  assert.equal(stored.length, 1);
  const swapped = item.left.includes('canonical B');
  assert.equal(stored[0].label, swapped ? 'A>' : 'B>', 'the last key pressed (4 = B better as shown) is what counts');
  await context.close();
});
