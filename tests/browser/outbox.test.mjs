// The outbox against a misbehaving collector: 500s, connections dropped
// before and after the server stored the annotation, the server down for a
// while, and a page reload mid-batch with annotations still unsent.
// Afterwards the collector holds exactly the batch: none missing, none twice.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkModuleBuilt, startBackend, launch, tempDir, writeTask, routeTasks, annotateUrl,
  openAnnotator, waitState, answerByKeyboard, waitAllSent, exportAnnotations, expectedLabel, shownItem,
} from './lib/harness.mjs';

let backend; let browser; let t;

before(async () => {
  checkModuleBuilt();
  t = writeTask(tempDir(), { id: 'faults', n: 20, config: { batch_size: 12 } });
  backend = await startBackend({ tasks: [t.file] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

const netText = (page) => page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').textContent);
const pending = (page) => page.evaluate(() => Number(document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').dataset.pending));

test('500s, dropped connections, a server outage and a reload mid-batch lose nothing and store nothing twice', async () => {
  const { proxy } = backend;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    document.addEventListener('prefkit:done', (e) => { window.__done = e.detail; });
  });
  await routeTasks(context, backend.url, [t.file]);
  const page = await context.newPage();
  const url = annotateUrl(backend.url, { task: 'test-tasks/faults.json', endpoint: `${backend.url}/api/annotations`, annotator: 'flaky-1', seed: '5', grace: '10' });
  await page.goto(url);
  const key = (_id, i) => (i % 5) + 1;
  const answered = [];

  proxy.fail(3, 500);
  answered.push(...await answerByKeyboard(page, key, { limit: 2 }));
  proxy.dropBefore(2);
  answered.push(...await answerByKeyboard(page, key, { limit: 2 }));
  proxy.dropAfter(2);
  answered.push(...await answerByKeyboard(page, key, { limit: 2 }));
  await waitAllSent(page, 6);

  // Every POST fails while two more are made; then the page is reloaded.
  proxy.fail(1e9, 503);
  answered.push(...await answerByKeyboard(page, key, { limit: 2 }));
  await page.waitForFunction(() => /retrying/.test(document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').textContent));
  assert.equal(await pending(page), 2);
  await page.reload();
  await waitState(page, 'item');
  const resumed = await shownItem(page);
  assert.equal(resumed.progress, '8 / 12', 'the reload resumes the same batch after the 8 answered items');
  assert.ok(!answered.some((a) => a.item === resumed.id), 'an answered item is not shown again');
  assert.equal(await pending(page), 2, 'the unsent annotations survived the reload');
  proxy.fail(0);
  answered.push(...await answerByKeyboard(page, key, { limit: 2 }));
  await waitAllSent(page, 10);

  // The server goes down; the batch is finished meanwhile.
  await proxy.down();
  answered.push(...await answerByKeyboard(page, key));
  assert.equal(await waitState(page, 'done'), 'done');
  await page.waitForFunction(() => /keep this page open/.test(document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').textContent));
  assert.equal(await page.evaluate(() => window.__done), undefined, 'not finished while annotations are unsent');
  await new Promise((r) => setTimeout(r, 1500));
  await proxy.up();
  await waitAllSent(page, 12);
  await page.waitForFunction(() => window.__done !== undefined);
  assert.equal((await page.evaluate(() => window.__done)).count, 12);
  assert.match(await netText(page), /All sent/);

  assert.equal(answered.length, 12);
  const stored = await exportAnnotations(backend.direct, 'faults');
  assert.equal(stored.length, 12, 'exactly the batch is stored');
  assert.equal(new Set(stored.map((a) => a.id)).size, 12, 'no id twice');
  assert.equal(new Set(stored.map((a) => a.item)).size, 12, 'no item twice');
  const byItem = new Map(stored.map((a) => [a.item, a]));
  for (const a of answered) assert.equal(byItem.get(a.item)?.label, expectedLabel(a), `${a.item}`);

  const outcomes = proxy.posts.map((p) => p.outcome);
  assert.ok(outcomes.filter((o) => o === 'status-500').length === 3, 'three 500s were answered');
  assert.ok(outcomes.includes('dropped-before'));
  assert.equal(outcomes.filter((o) => o.startsWith('dropped-after')).length, 2, 'two answers were lost after the server stored');
  const postsById = new Map();
  for (const p of proxy.posts) postsById.set(p.id, (postsById.get(p.id) || 0) + 1);
  assert.ok([...postsById.values()].some((n) => n > 1), 'some annotations were posted more than once (retries)');
  await context.close();
});

test('offline, answers wait in the outbox and go out when the browser is back online', async () => {
  const { context, page } = await openAnnotator(browser, backend.url, [t.file], { task: 'test-tasks/faults.json', annotator: 'offline-1', seed: '8' });
  await waitState(page, 'item');
  await context.setOffline(true);
  const answered = await answerByKeyboard(page, () => 2, { limit: 3 });
  await page.waitForFunction(() => /Offline: 3 saved here/.test(document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').textContent));
  assert.equal((await exportAnnotations(backend.direct, 'faults')).filter((a) => a.annotator === 'offline-1').length, 0);
  await context.setOffline(false);
  await waitAllSent(page, 3, 10000);
  const stored = (await exportAnnotations(backend.direct, 'faults')).filter((a) => a.annotator === 'offline-1');
  assert.deepEqual(stored.map((a) => a.item).sort(), answered.map((a) => a.item).sort());
  await context.close();
});

test('the item timer stops while the tab is hidden', async () => {
  const { context, page } = await openAnnotator(browser, backend.url, [t.file], { task: 'test-tasks/faults.json', annotator: 'hidden-1', seed: '12' });
  await waitState(page, 'item');
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await new Promise((r) => setTimeout(r, 2500));
  await setHidden(false);
  await new Promise((r) => setTimeout(r, 500));
  await answerByKeyboard(page, () => 3, { limit: 1 });
  await waitAllSent(page, 1);
  const [rec] = (await exportAnnotations(backend.direct, 'faults')).filter((a) => a.annotator === 'hidden-1');
  assert.ok(rec.time_seconds >= 0.4 && rec.time_seconds < 2.0, `the 2.5 s hidden are not counted (time_seconds ${rec.time_seconds})`);
  await context.close();
});

test('a refused annotation is shown and kept, and goes out on "Retry refused"; a conflict is reported', async () => {
  const { proxy } = backend;
  const { context, page } = await openAnnotator(browser, backend.url, [t.file], { task: 'test-tasks/faults.json', annotator: 'refused-1', seed: '13' });
  await waitState(page, 'item');
  proxy.fail(1, 422);
  const [first] = await answerByKeyboard(page, () => 1, { limit: 1 });
  await page.waitForFunction(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').dataset.problems === '1');
  assert.match(await netText(page), /1 refused by the server \(item [^:]+: 422: injected failure\)/);
  assert.equal(await pending(page), 0, 'a refused annotation is not retried on its own');
  await page.getByRole('button', { name: 'Retry refused' }).click();
  await page.waitForFunction(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').dataset.problems === '0');
  await waitAllSent(page, 1);
  proxy.fail(1, 409);
  await answerByKeyboard(page, () => 5, { limit: 1 });
  await page.waitForFunction(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').dataset.problems === '1');
  assert.match(await netText(page), /409/);
  const stored = (await exportAnnotations(backend.direct, 'faults')).filter((a) => a.annotator === 'refused-1');
  assert.deepEqual(stored.map((a) => a.item), [first.item], 'the conflicting one was not stored; the retried one was');
  await context.close();
});
