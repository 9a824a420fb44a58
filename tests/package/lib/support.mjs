// Shared set-up of the package and site tests: a plain static file server
// (what any static host does, nothing more), the system Chromium through
// playwright-core, and the small data both tests check.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.jsonl': 'application/jsonl',
  '.wasm': 'application/wasm', '.md': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml',
};

/** Serves the files under `dir` on a free loopback port: GET and HEAD only, 404 otherwise. */
export async function serveStatic(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A temporary directory removed when the process exits. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs a command; throws with its output when it fails. */
export function run(cmd, args, cwd, env = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Opens `url` in a fresh context; `errors` collects uncaught page errors, console errors and failed requests. */
export async function open(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  return { context, page, errors };
}

/** Waits until the <prefkit-annotator> on the page shows an item, and returns its prompt text. */
export async function shownPrompt(page) {
  await page.waitForSelector('prefkit-annotator:is([state="item"], [state="error"])', { timeout: 20_000 });
  const shown = await page.evaluate(() => {
    const el = document.querySelector('prefkit-annotator');
    const text = (id) => el.shadowRoot.getElementById(id)?.textContent.trim();
    return { state: el.getAttribute('state'), prompt: text('prompt'), message: `${text('message-text')} ${text('message-hint') || ''}` };
  });
  if (shown.state !== 'item') throw new Error(`the element shows an error, not an item: ${shown.message}`);
  return shown.prompt;
}

// Two annotators on four items. Fleiss' kappa by hand (Fleiss 1971):
// P̄ = (1 + 1 + 1 + 0) / 4 = 0.75; label shares A> 4/8, B> 3/8, = 1/8, so
// P̄e = 0.25 + 0.140625 + 0.015625 = 0.40625 and
// kappa = (0.75 - 0.40625) / (1 - 0.40625) = 11/19.
export const TINY_JSONL = [
  ['i1', 'w1', 'A>'], ['i1', 'w2', 'A>'],
  ['i2', 'w1', 'A>'], ['i2', 'w2', 'A>'],
  ['i3', 'w1', 'B>'], ['i3', 'w2', 'B>'],
  ['i4', 'w1', '='], ['i4', 'w2', 'B>'],
].map(([item, annotator, label]) => JSON.stringify({ item, annotator, label })).join('\n');
export const TINY_FLEISS_KAPPA = 11 / 19;

/** A task of one pair whose prompt the tests look for on screen. */
export const SAMPLE_PROMPT = 'Which answer names the capital of France?';
export const SAMPLE_TASK = {
  task_id: 'package-test',
  examples: [{ id: 'ex-1', prompt: SAMPLE_PROMPT, response_a: 'Paris.', response_b: 'Lyon.' }],
  config: { batch_size: 1, gold_fraction: 0 },
};
