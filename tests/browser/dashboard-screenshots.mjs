// Screenshots of the dashboard on the sample data, for the README: headless
// Chromium at 1280 and 800 px wide, after the figures, the intervals and
// the interval band are drawn. Writes docs/dashboard-1280.png and
// docs/dashboard-800.png.
//
//   node tests/browser/dashboard-screenshots.mjs

import path from 'node:path';
import { serve, launch, ROOT } from './dashboard-support.mjs';

const server = await serve();
const browser = await launch();
try {
  for (const width of [1280, 800]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on('pageerror', (e) => { throw e; });
    await page.goto(`${server.url}/dashboard.html?data=sample/annotations.jsonl&task=sample/task.json&gold=sample/gold.jsonl`);
    await page.waitForFunction(() => document.body.dataset.band && document.body.dataset.band === document.body.dataset.seq,
      null, { timeout: 120_000 });
    const out = path.join(ROOT, 'docs', `dashboard-${width}.png`);
    // The top of the page: the headline, its verdict and the supporting figures.
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width, height: 1500 }, fullPage: true });
    console.log(out);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
