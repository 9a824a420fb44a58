// The element's simulation mode against the real collector (`prefkit
// serve`): a host page embeds <prefkit-annotator simulate=...> and the
// collector ends up with exactly the records the session's batch and the
// core's simulated worker call for. The expected records are computed in
// the same browser from the module the page ships with: a session with the
// same seed hands out the same batch, and a SimulatedWorker of the same
// crowd makes the same acts in the same order (walking away first, then
// one act per item).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ARTIFACTS, FLIP, checkModuleBuilt, startBackend, launch, tempDir, writeTask, routeTasks, exportAnnotations, exportSkips } from './lib/harness.mjs';

checkModuleBuilt();
const dir = tempDir();
const CROWD = { seed: 9, annotators: [{ id_prefix: 'unsure', count: 2, accuracy: 0.7, skip: 0.25, seconds: { mean: 11, sd: 3 } }] };
const visual = writeTask(dir, { id: 'sim-visual', n: 12, gold: 2, config: { batch_size: 8, gold_fraction: 0.25, gold_feedback: true } });
const dataOnly = writeTask(dir, { id: 'sim-data', n: 12, gold: 2, config: { batch_size: 8, gold_fraction: 0.25 } });
const backend = await startBackend({ tasks: [visual.file, dataOnly.file] });
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

/** A host page at {base}/host/<name>.html embedding the element with `attrs`. */
async function hostPage(context, base, name, attrs) {
  const html = `<!doctype html><meta charset="utf-8"><title>host</title>
<script type="module" src="/js/prefkit-annotator.js"></script>
<prefkit-annotator ${Object.entries(attrs).map(([k, v]) => `${k}='${v}'`).join(' ')}></prefkit-annotator>
<script>
  window.clicks = 0; window.keys = 0; window.done = null; window.failed = null;
  const el = document.querySelector('prefkit-annotator');
  addEventListener('prefkit:done', (e) => { window.done = e.detail; });
  addEventListener('prefkit:error', (e) => { window.failed = e.detail; });
  customElements.whenDefined('prefkit-annotator').then(() => {
    el.shadowRoot.addEventListener('click', (e) => { if (e.target.closest('button')) window.clicks++; });
    el.addEventListener('keydown', () => { window.keys++; });
  });
</script>`;
  await context.route(`${base}/host/${name}.html`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  const page = await context.newPage();
  await page.goto(`${base}/host/${name}.html`);
  return page;
}

/**
 * What the element should post: the batch a session of `seed` hands to
 * `annotator`, and for each item the act of the crowd's worker, as
 * canonical labels and skips.
 */
async function expected(page, task, seed, annotator) {
  return page.evaluate(async ([task, seed, annotator, crowd]) => {
    const core = await import('/pkg/prefkit_lab.js');
    await core.default();
    const session = new core.Session(task, seed);
    const batch = session.nextBatch(annotator);
    const worker = new core.SimulatedWorker(crowd, annotator);
    if (worker.abandons()) return { walkedAway: true };
    return {
      items: batch.items.map((it) => ({ item: it.id, swapped: it.swapped, ...worker.act(session, it.id) })),
    };
  }, [task, seed, annotator, CROWD]);
}

function compare(want, labels, skips, annotator) {
  assert.ok(!want.walkedAway, 'this seed walks away: pick another');
  const wantLabels = want.items.filter((a) => a.choice).map((a) => [a.item, a.swapped ? FLIP[a.choice] : a.choice, a.swapped, a.seconds]);
  const wantSkips = want.items.filter((a) => a.skip).map((a) => [a.item, a.skip, a.seconds]);
  assert.ok(wantLabels.length > 0 && wantSkips.length > 0, `${wantLabels.length} labels, ${wantSkips.length} skips: the crowd should do both`);
  const mine = (r) => r.annotator === annotator;
  assert.deepEqual(labels.filter(mine).map((r) => [r.item, r.label, r.swapped, r.time_seconds]).sort(), wantLabels.sort());
  assert.deepEqual(skips.filter(mine).map((r) => [r.item, r.skip, r.time_seconds]).sort(), wantSkips.sort());
  for (const r of [...labels, ...skips].filter(mine)) assert.equal(r.simulated, true, JSON.stringify(r));
  return wantLabels.length + wantSkips.length;
}

test('a visual simulation clicks through one batch and the collector stores exactly what the session handed out', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await routeTasks(context, backend.url, [visual.file]);
  const page = await hostPage(context, backend.url, 'visual', {
    task: '/test-tasks/sim-visual.json', endpoint: `${backend.url}/api/annotations`, annotator: 'unsure-1',
    seed: '4', simulate: 'visual', 'simulate-crowd': JSON.stringify(CROWD), 'single-batch': '',
  });
  await page.waitForFunction(() => window.done !== null, null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => document.querySelector('prefkit-annotator').getAttribute('simulation')), 'finished');
  await page.screenshot({ path: path.join(ARTIFACTS, 'simulate-visual.png') });
  const want = await expected(page, visual.task, 4, 'unsure-1');
  const n = compare(want, await exportAnnotations(backend.direct, 'sim-visual'), await exportSkips(backend.direct, 'sim-visual'), 'unsure-1');
  const { done, clicks, keys } = await page.evaluate(() => ({ done: window.done, clicks: window.clicks, keys: window.keys }));
  assert.equal(done.count, n);
  // Through the controls: a click per choice, skip reason and gold "Continue"; keys S and Enter.
  assert.ok(clicks >= n, `${clicks} clicks for ${n} items`);
  assert.ok(keys >= n, `${keys} key presses for ${n} items`);
  await context.close();
});

test('a data-only simulation answers through the session and the outbox without drawing an item', async () => {
  const context = await browser.newContext();
  await routeTasks(context, backend.url, [dataOnly.file]);
  const page = await hostPage(context, backend.url, 'data', {
    task: '/test-tasks/sim-data.json', endpoint: `${backend.url}/api/annotations`, annotator: 'unsure-2',
    seed: '6', simulate: 'data-only', 'simulate-crowd': JSON.stringify(CROWD), 'single-batch': '',
  });
  await page.waitForFunction(() => window.done !== null, null, { timeout: 60000 });
  const want = await expected(page, dataOnly.task, 6, 'unsure-2');
  const n = compare(want, await exportAnnotations(backend.direct, 'sim-data'), await exportSkips(backend.direct, 'sim-data'), 'unsure-2');
  const seen = await page.evaluate(() => {
    const root = document.querySelector('prefkit-annotator').shadowRoot;
    return { hidden: root.querySelector('.root').hidden, prompt: root.getElementById('prompt').textContent, count: window.done.count, clicks: window.clicks };
  });
  assert.deepEqual(seen, { hidden: true, prompt: '', count: n, clicks: 0 });
  await context.close();
});

test('a crowd with a wrong field stops the element with a message that names the field', async () => {
  const context = await browser.newContext();
  await routeTasks(context, backend.url, [dataOnly.file]);
  const page = await hostPage(context, backend.url, 'bad', {
    task: '/test-tasks/sim-data.json', annotator: 'w9', simulate: 'visual',
    'simulate-crowd': JSON.stringify({ annotators: [{ accuracy: 1.5 }] }),
  });
  await page.waitForFunction(() => window.failed !== null, null, { timeout: 30000 });
  assert.match(await page.evaluate(() => window.failed.message), /annotators\[0\]\.accuracy/);
  assert.equal(await page.evaluate(() => document.querySelector('prefkit-annotator').getAttribute('state')), 'error');
  await context.close();
});
