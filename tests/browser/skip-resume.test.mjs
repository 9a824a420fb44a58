// Skips, reloads, leases and signed links against the real collector
// (`prefkit serve`): a skip goes through the session and the outbox like
// an answer; a reload resumes the batch the annotator holds without
// counting anything twice; the lease countdown shows in its last five
// minutes; a signed link's signature goes with every request.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import {
  ARTIFACTS, checkModuleBuilt, startBackend, launch, tempDir, writeTask, annotateUrl,
  openAnnotator, waitState, answerByKeyboard, waitAllSent, exportAnnotations, exportSkips, shownItem, signId,
} from './lib/harness.mjs';

checkModuleBuilt();
const dir = tempDir();
const SECRET = 'a-test-secret-of-32-characters!!';
const skips = writeTask(dir, { id: 'skips', n: 10, config: { batch_size: 4 } });
const held = writeTask(dir, { id: 'held', n: 14, gold: 2, config: { batch_size: 6, gold_fraction: 0.2 } });
const local = writeTask(dir, { id: 'local', n: 14, config: { batch_size: 6 } });
const soon = writeTask(dir, { id: 'soon', n: 12, config: { batch_size: 4, lease_seconds: 200 } });
const brief = writeTask(dir, { id: 'brief', n: 12, config: { batch_size: 4, lease_seconds: 6 } });
const open = await startBackend({ tasks: [skips.file, local.file] });
const blind = await startBackend({ tasks: [held.file, soon.file, brief.file], goldMode: 'blind' });
const signed = await startBackend({ tasks: [held.file], goldMode: 'blind', args: ['--annotator-secret', SECRET] });
let browser;

before(async () => {
  if (blind) browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const b of [open, blind, signed]) await b?.close();
});

const skip = () => (blind ? false : 'needs prefkit serve (leases, skips and signed links are the real collector\'s)');

const el = (page, fn, arg) => page.evaluate(([f, a]) => {
  const root = document.querySelector('prefkit-annotator').shadowRoot;
  return new Function('root', 'a', f)(root, a); // eslint-disable-line no-new-func
}, [fn, arg]);

test('a skip by key and one by mouse reach the collector once each and count as done', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(annotateUrl(open.url, { task: 'skips', endpoint: `${open.url}/api/annotations`, annotator: 'skipper', seed: '3', grace: '10' }));
  await waitState(page, 'item');
  assert.equal((await shownItem(page)).progress, '0 / 4');

  // By key: S opens the reasons with the first one focused, Enter takes it.
  const first = await shownItem(page);
  await page.keyboard.press('s');
  await waitState(page, 'skipping');
  const reasons = await el(page, "return [...root.querySelectorAll('#skip-reasons button')].map((b) => b.textContent)");
  assert.deepEqual(reasons, ["I can't judge this", 'The text is broken or missing']);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.querySelector('prefkit-annotator').shadowRoot.getElementById('item').dataset.item !== id, first.id);
  assert.equal(await waitState(page, 'item'), 'item');
  assert.equal((await shownItem(page)).progress, '1 / 4');

  // By mouse, with the worker's own words; keys typed in the box choose nothing.
  const second = await shownItem(page);
  await page.locator('prefkit-annotator #skip-open').click();
  await waitState(page, 'skipping');
  await page.locator('prefkit-annotator #skip-text').click();
  await page.keyboard.type('Both say 1 2 3 4 5 and stop');
  assert.equal(await page.evaluate(() => document.querySelector('prefkit-annotator').getAttribute('state')), 'skipping');
  assert.match(await el(page, "return root.getElementById('skip-count').textContent"), /27 \/ 200/);
  await page.locator('prefkit-annotator #skip-send').click();
  await page.waitForFunction((id) => document.querySelector('prefkit-annotator').shadowRoot.getElementById('item').dataset.item !== id, second.id);
  assert.equal((await shownItem(page)).progress, '2 / 4');

  const answered = await answerByKeyboard(page, () => 2);
  assert.equal(answered.length, 2);
  assert.equal(await waitState(page, 'done'), 'done');
  await waitAllSent(page, 4);
  const stored = await exportSkips(open.direct, 'skips');
  assert.deepEqual(stored.map((s) => [s.item, s.skip]).sort(), [[first.id, "I can't judge this"], [second.id, 'Both say 1 2 3 4 5 and stop']].sort());
  assert.equal(new Set(stored.map((s) => s.id)).size, 2);
  const labels = await exportAnnotations(open.direct, 'skips');
  assert.deepEqual(labels.map((a) => a.item).sort(), answered.map((a) => a.item).sort());

  await page.reload();
  assert.equal(await waitState(page, 'done'), 'done', 'the finished batch stays finished after a reload');
  assert.equal(await el(page, "return root.getElementById('progress-text').textContent"), '4 / 4');
  assert.equal((await exportSkips(open.direct, 'skips')).length, 2, 'nothing is posted again');
  await context.close();
});

test('the skip reasons read well (screenshot of the open dialog)', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(annotateUrl(open.url, { task: 'skips', endpoint: `${open.url}/api/annotations`, annotator: 'skip-shot', grace: '10' }));
  await waitState(page, 'item');
  await page.keyboard.press('s');
  await waitState(page, 'skipping');
  await page.locator('prefkit-annotator #skip-text').fill('The second answer is cut off mid-sentence');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator('prefkit-annotator #skip').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'skip-dialog.png'), fullPage: true });
  await page.keyboard.press('Escape');
  assert.equal(await waitState(page, 'item'), 'item', 'Esc goes back to the pair');
  await context.close();
});

/** Records the batches the collector hands the page. */
function recordBatches(page) {
  const batches = [];
  page.on('response', async (r) => {
    if (!/\/api\/tasks\/[^/]+\/batch\?/.test(r.url())) return;
    try { batches.push(JSON.parse(await r.text())); } catch { /* navigation */ }
  });
  return batches;
}

test('in blind mode a reload resumes the held batch: same items in the same order, answered ones not shown again, progress counted once', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const batches = recordBatches(page);
  const url = annotateUrl(blind.url, { task: 'held', mode: 'blind', endpoint: `${blind.url}/api/annotations`, annotator: 'reloader', grace: '10' });
  await page.goto(url);
  await waitState(page, 'item');
  const before = await answerByKeyboard(page, () => 1, { limit: 2 });
  await waitAllSent(page, 2);
  await page.reload();
  await waitState(page, 'item');
  assert.equal((await shownItem(page)).progress, '2 / 6');
  const after = await answerByKeyboard(page, () => 5);
  assert.equal(after.length, 4);
  const [given, again] = batches;
  assert.equal(again.resumed, true);
  assert.equal(again.batch_id, given.batch_id);
  assert.deepEqual(again.items.map((i) => i.id), given.items.slice(2).map((i) => i.id));
  assert.deepEqual([...before, ...after].map((a) => a.item), given.items.map((i) => i.id), 'the same items in the same order');
  await waitAllSent(page, 6);
  assert.equal((await exportAnnotations(blind.direct, 'held')).filter((a) => a.annotator === 'reloader').length, 6);
  assert.equal((await shownItem(page)).progress, '6 / 6');
  await context.close();
});

test('in open mode a reload resumes the batch the local session holds, without counting answers twice', { skip: skip() }, async () => {
  const { context, page } = await openAnnotator(browser, open.url, [local.file], { task: 'test-tasks/local.json', annotator: 'local-1' });
  await waitState(page, 'item');
  const before = await answerByKeyboard(page, () => 4, { limit: 3 });
  await page.reload();
  await waitState(page, 'item');
  assert.equal((await shownItem(page)).progress, '3 / 6');
  const after = await answerByKeyboard(page, () => 2);
  assert.equal(after.length, 3);
  const ids = [...before, ...after].map((a) => a.item);
  assert.equal(new Set(ids).size, 6, 'no item shown twice');
  await waitAllSent(page, 6);
  assert.equal((await exportAnnotations(open.direct, 'local')).filter((a) => a.annotator === 'local-1').length, 6);
  await context.close();
});

test('the lease countdown shows only in the last five minutes, and when it runs out a new batch can be loaded', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(annotateUrl(blind.url, { task: 'held', mode: 'blind', endpoint: `${blind.url}/api/annotations`, annotator: 'no-rush', grace: '10' }));
  await waitState(page, 'item');
  assert.equal(await el(page, "return root.getElementById('lease').hidden"), true, 'thirty minutes left: no countdown');

  await page.goto(annotateUrl(blind.url, { task: 'soon', mode: 'blind', endpoint: `${blind.url}/api/annotations`, annotator: 'hurry', grace: '10' }));
  await waitState(page, 'item');
  const text = await el(page, "const l = root.getElementById('lease'); return l.hidden ? null : l.textContent");
  assert.match(text, /^3:(1\d|20) left on this batch$/);

  const batches = recordBatches(page);
  await page.goto(annotateUrl(blind.url, { task: 'brief', mode: 'blind', endpoint: `${blind.url}/api/annotations`, annotator: 'slow', grace: '10' }));
  await waitState(page, 'item');
  await answerByKeyboard(page, () => 3, { limit: 1 });
  assert.equal(await waitState(page, 'expired', 15000), 'expired');
  assert.match(await el(page, "return root.getElementById('message-text').textContent"), /3 unanswered items went back to other annotators/);
  await page.locator('prefkit-annotator button', { hasText: 'Load a new batch' }).click();
  await waitState(page, 'item');
  const [first, second] = batches;
  assert.notEqual(second.batch_id, first.batch_id);
  const old = new Set(first.items.map((i) => i.id));
  assert.ok(second.items.every((i) => !old.has(i.id)), 'the new batch holds other items');
  assert.equal((await shownItem(page)).progress, '0 / 4');
  await context.close();
});

test('a signed link sends its signature with every batch request and answer; without it the collector\'s 403 is shown', { skip: skip() }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const seen = [];
  page.on('request', (r) => {
    if (/\/api\/(annotations|tasks\/[^/]+\/batch)/.test(r.url()) && r.method() !== 'OPTIONS') seen.push({ url: r.url(), sig: r.headers()['x-prefkit-sig'] });
  });
  const sig = signId(SECRET, 'signed-1');
  await page.goto(annotateUrl(signed.url, { task: 'held', mode: 'blind', endpoint: `${signed.url}/api/annotations`, annotator: 'signed-1', sig, grace: '10' }));
  await waitState(page, 'item');
  await answerByKeyboard(page, () => 1, { limit: 2 });
  await waitAllSent(page, 2);
  assert.equal((await exportAnnotations(signed.direct, 'held')).length, 2);
  assert.ok(seen.some((s) => s.url.includes('/batch')) && seen.some((s) => s.url.includes('/api/annotations')));
  for (const s of seen) assert.equal(s.sig, sig, s.url);

  const errors = [];
  await page.exposeFunction('reportError', (d) => errors.push(d));
  await page.addInitScript(() => addEventListener('prefkit:error', (e) => window.reportError(e.detail)));
  await page.goto(annotateUrl(signed.url, { task: 'held', mode: 'blind', endpoint: `${signed.url}/api/annotations`, annotator: 'signed-2', sig, grace: '10' }));
  assert.equal(await waitState(page, 'error'), 'error');
  const shown = await el(page, "return root.getElementById('message').textContent");
  assert.match(shown, /refused this link \(403\): the signature does not match annotator "signed-2"/);
  assert.match(shown, /sig/);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].status, 403);
  await context.close();
});
