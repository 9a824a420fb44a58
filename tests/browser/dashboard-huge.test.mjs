// The dashboard's module on the shapes that once made the report's memory
// quadratic (issue: bounded cost on any input): 50,000 annotators on one
// item, and 1,000 items with 1,000 labels each. Generated here by seeded
// code; the page must finish the report and say why the Cohen listing is
// cut, without dying.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, waitDrawn, WWW } from './dashboard-support.mjs';
import { rng } from './gen-annotations.mjs';

const LABELS = ['A>>', 'A>', '=', 'B>', 'B>>'];
const skip = fs.existsSync(path.join(WWW, 'pkg', 'prefkit_lab.js')) ? false : 'www/pkg/ is not built (scripts/build-wasm.sh)';

/** `items` items, each labelled by `perItem` annotators w1..wN; labels drawn near a seeded truth. */
function shape({ items, perItem, seed }) {
  const r = rng(seed);
  const lines = [];
  for (let i = 0; i < items; i++) {
    const truth = Math.floor(r() * 5);
    for (let w = 0; w < perItem; w++) {
      const l = r() < 0.7 ? truth : Math.floor(r() * 5);
      lines.push(`{"item":"x${i}","annotator":"w${w}","label":"${LABELS[l]}","time_seconds":${(5 + 20 * r()).toFixed(1)}}`);
    }
  }
  return lines.join('\n') + '\n';
}

let server;
let browser;
before(async () => {
  if (skip) return;
  server = await serve(new Map([
    ['/fixtures/one-item.jsonl', shape({ items: 1, perItem: 50_000, seed: 1 })],
    ['/fixtures/dense.jsonl', shape({ items: 1_000, perItem: 1_000, seed: 2 })],
  ]));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function loadHuge(file) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('crash', () => errors.push('the page crashed'));
  await page.goto(`${server.url}/dashboard.html?data=/fixtures/${file}`);
  await waitDrawn(page, 0, 600_000);
  return { page, errors };
}

test('50,000 annotators on one item: the report completes in the page', { skip }, async () => {
  const { page, errors } = await loadHuge('one-item.jsonl');
  assert.equal(await page.textContent('#counts dd[data-count="annotations"]'), '50000');
  assert.equal(await page.textContent('#counts dd[data-count="annotators"]'), '50000');
  const alpha = await page.getAttribute('#cards .card[data-key="krippendorff_alpha.ordinal"] .value[data-value]', 'data-value');
  assert.ok(Number.isFinite(Number(alpha)) && alpha !== '', `alpha ${alpha}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('1,000 items with 1,000 labels each: the report completes and the Cohen listing says why it is cut', { skip }, async () => {
  const { page, errors } = await loadHuge('dense.jsonl');
  assert.equal(await page.textContent('#counts dd[data-count="annotations"]'), '1000000');
  // Every pair of the 1,000 annotators shares all 1,000 items: 499,500 pairs,
  // more than the listing holds or the work budget counts.
  const note = await page.textContent('#kappa-note');
  assert.match(note, /pairs in all; /, note);
  assert.ok(!/undefined|NaN/.test(note), note);
  assert.deepEqual(errors, []);
  await page.close();
});
