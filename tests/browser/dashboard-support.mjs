// Shared by the dashboard's browser tests and benchmark: a static server for
// www/ (plus in-memory fixture files) on localhost, Chromium, and a page of
// the dashboard to drive.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WWW = path.join(ROOT, 'www');
export const ARTIFACTS = path.join(ROOT, 'tests', 'browser', 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
  '.jsonl': 'application/x-ndjson', '.svg': 'image/svg+xml', '.ts': 'text/plain',
};

/**
 * Serves www/ and `files` (a Map of URL path -> string | {path}) on a free
 * localhost port. Returns {url, close, files}.
 */
export async function serve(files = new Map()) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const extra = files.get(url.pathname);
    if (extra !== undefined) {
      const type = TYPES[path.extname(url.pathname)] ?? 'text/plain';
      if (typeof extra === 'string') {
        res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(extra) });
        res.end(extra);
      } else {
        res.writeHead(200, { 'content-type': type, 'content-length': fs.statSync(extra.path).size });
        fs.createReadStream(extra.path).pipe(res);
      }
      return;
    }
    const file = path.join(WWW, decodeURIComponent(url.pathname));
    if (!file.startsWith(WWW) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, files, close: () => new Promise((r) => server.close(r)) };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Opens dashboard.html?`query` from the server at `url` in a new page of
 * `browser` (1300 x 900, downloads accepted); the page's uncaught errors
 * collect in `page.errors`.
 */
export async function openDashboard(browser, url, query) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  await page.goto(`${url}/dashboard.html?${query}`);
  return page;
}

/** Waits until the dashboard has drawn a result newer than `afterSeq` (or shows an error). */
export async function waitDrawn(page, afterSeq = 0, timeout = 60_000) {
  await page.waitForFunction((seq) => {
    const b = document.body;
    return b.dataset.state === 'error' || (b.dataset.state === 'ready' && Number(b.dataset.seq || 0) > seq);
  }, afterSeq, { timeout });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state === 'error') throw new Error(`dashboard error: ${await page.textContent('#error-text')}`);
  return page.evaluate(() => Number(document.body.dataset.seq));
}

export function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
