// The static site: scripts/build-site.sh writes dist/, a plain static file
// server (no collector, no API) serves it, and Chromium follows the index's
// links to the annotator page with the sample task and to the dashboard
// with the sample crowd.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, serveStatic, launch, run, open, shownPrompt } from './lib/support.mjs';

const DIST = path.join(ROOT, 'dist');
let server; let browser;

before(async () => {
  run(path.join(ROOT, 'scripts/build-site.sh'), [], ROOT);
  server = await serveStatic(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('with no endpoint the annotator page keeps the answers in the browser and downloads them as JSONL', async () => {
  const { context, page, errors } = await open(browser, `${server.url}/index.html`);
  try {
    await page.click('a:text("Annotate the sample task")');
    const prompt = await shownPrompt(page);
    const task = JSON.parse(fs.readFileSync(path.join(DIST, 'sample/task.json'), 'utf8'));
    const shownId = await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('item').dataset.item);
    const item = [...task.examples, ...(task.gold || [])].find((x) => x.id === shownId);
    assert.ok(item, `the item shown (${shownId}) is in the sample task`);
    assert.ok(prompt.length > 0);
    await page.keyboard.press('2'); // "A is better", A being the left response
    await page.keyboard.press('Enter');
    await page.getByText('1 saved in this browser only').waitFor({ timeout: 10_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Download (JSONL)').click()]);
    const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].item, shownId);
    assert.equal(lines[0].annotator, 'demo-annotator');
    assert.equal(lines[0].label, lines[0].swapped ? 'B>' : 'A>');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the dashboard loads the sample crowd of twelve annotators from static files', async () => {
  const { context, page, errors } = await open(browser, `${server.url}/index.html`);
  try {
    await page.click('a:text("Dashboard with the sample annotations")');
    // `ready` is set when the figures are computed; `data-seq` once every
    // panel is drawn (the dashboard draws them a frame at a time).
    await page.waitForFunction(() => document.body.dataset.state === 'error'
      || (document.body.dataset.state === 'ready' && Number(document.body.dataset.seq || 0) > 0), null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#error-text'));
    assert.equal(await page.locator('#annotator-table tbody tr').count(), 12);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
