// Benchmark (not part of the test run): 1,000,000 seeded annotations
// (250,000 items x 4 labels from 2,000 annotators) loaded into the dashboard
// in headless Chromium. Prints the time until every panel is drawn and
// every main-thread long task over 100 ms.
//
//   node tests/browser/bench-dashboard.mjs [count]
//
// Needs www/pkg/ built (scripts/build-wasm.sh).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, waitDrawn, screenshot } from './dashboard-support.mjs';
import { generateLarge } from './gen-annotations.mjs';

const count = Number(process.argv[2] ?? 1_000_000);
const file = path.join(os.tmpdir(), `prefkit-bench-${count}.jsonl`);
if (!fs.existsSync(file)) {
  const t = performance.now();
  const fd = fs.openSync(file + '.part', 'w');
  generateLarge((text) => fs.writeSync(fd, text), { count, perItem: 4, annotators: 2000, seed: 1 });
  fs.closeSync(fd);
  fs.renameSync(file + '.part', file);
  console.log(`generated ${count} annotations (${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const server = await serve(new Map([['/bench/annotations.jsonl', { path: file }]]));
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
await page.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
});
page.on('pageerror', (e) => console.error('page error:', e.message));
const wall = performance.now();
await page.goto(`${server.url}/dashboard.html?data=/bench/annotations.jsonl`);
await waitDrawn(page, 0, 300_000);
const wallMs = performance.now() - wall;
await page.waitForTimeout(300); // let the last long-task entries arrive
const r = await page.evaluate(() => {
  const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? null;
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('dashboard-'))
    .map((m) => `${m.name}@${m.startTime.toFixed(0)}`);
  return { marks, loadStart: mark('dashboard-load-start'), drawn: mark('dashboard-drawn'), status: document.getElementById('status').textContent,
    longTasks: window.__longTasks, counts: document.getElementById('counts').textContent };
});
console.log(`annotations: ${count}`);
console.log(`page: ${r.counts}`);
console.log(`worker: ${r.status}`);
console.log(`load start -> every panel drawn: ${(r.drawn - r.loadStart).toFixed(0)} ms (target: under 3000 ms)`);
console.log(`navigation -> every panel drawn: ${r.drawn.toFixed(0)} ms; wall clock from goto: ${wallMs.toFixed(0)} ms`);
const over = r.longTasks.filter((t) => t.duration > 100);
console.log(`main-thread long tasks: ${r.longTasks.length} over 50 ms, ${over.length} over 100 ms (target: none over 100 ms)`);
for (const t of over) console.log(`  long task at ${t.start.toFixed(0)} ms: ${t.duration.toFixed(0)} ms`);
console.log(`page marks: ${r.marks.join(' ')}`);
// A slider move: the worker recomputes the report (and final labels) on the loaded data.
const seq = await page.evaluate(() => Number(document.body.dataset.seq));
const t0 = performance.now();
await page.$eval('#min-rel', (el) => { el.value = '0.8'; el.dispatchEvent(new Event('input')); });
await waitDrawn(page, seq, 300_000);
console.log(`slider move to 0.8 -> every panel redrawn: ${(performance.now() - t0).toFixed(0)} ms (200 ms of it the debounce)`);
console.log(`worker: ${await page.textContent('#status')}`);
await screenshot(page, 'bench-dashboard');
await browser.close();
await server.close();
