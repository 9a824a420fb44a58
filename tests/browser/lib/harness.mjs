// Shared set-up of the page tests: the collector (the real `prefkit serve`
// when it is built, else the stand-in of mini-collector.mjs), a fault proxy
// in front of it, Chromium through playwright-core, and small task files.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMiniCollector } from './mini-collector.mjs';
import { startProxy } from './proxy.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WWW = path.join(ROOT, 'www');
export const ARTIFACTS = path.join(ROOT, 'tests/browser/artifacts');
export const ADMIN_TOKEN = 'test-admin-token';
export const FLIP = { 'A>>': 'B>>', 'A>': 'B>', '=': '=', 'B>': 'A>', 'B>>': 'A>>' };
export const KEY_LABEL = { 1: 'A>>', 2: 'A>', 3: '=', 4: 'B>', 5: 'B>>' };

export function checkModuleBuilt() {
  if (!fs.existsSync(path.join(WWW, 'pkg/prefkit.js'))) {
    throw new Error('www/pkg/prefkit.js is missing: build the wasm module first (scripts/build-wasm.sh)');
  }
}

export function findPrefkit() {
  const candidates = [process.env.PREFKIT_BIN, path.join(ROOT, 'target/debug/prefkit'), path.join(ROOT, 'target/release/prefkit')].filter(Boolean);
  for (const bin of candidates) {
    if (!fs.existsSync(bin)) continue;
    const r = spawnSync(bin, ['serve', '--help'], { encoding: 'utf8' });
    if (r.status === 0) return bin;
  }
  return null;
}

/** A temporary directory removed when the process exits. */
export function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prefkit-page-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts the collector serving www/ with the given task files, and a fault
 * proxy in front of it. Returns {url (the proxy's), direct, kind, proxy, close},
 * or null for a blind gold mode or extra `args` (flags of `prefkit serve`)
 * when only the stand-in collector is at hand.
 */
export async function startBackend({ tasks, goldMode = 'open', args: extra = [] }) {
  const bin = findPrefkit();
  let backend;
  if ((goldMode !== 'open' || extra.length > 0) && !bin) return null; // only the real collector assembles blind batches
  if (bin && process.env.PREFKIT_STAND_IN !== '1') {
    const dir = tempDir();
    const args = ['serve', '--db', path.join(dir, 'test.sqlite'), '--www', WWW, '--addr', '127.0.0.1:0', '--admin-token', ADMIN_TOKEN];
    for (const t of tasks) args.push('--task', t);
    if (goldMode !== 'open') args.push('--gold-mode', goldMode);
    args.push(...extra);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`prefkit serve did not print its address in 15 s:\n${out}`)), 15000);
      const look = (chunk) => {
        out += chunk;
        const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); }
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`prefkit serve exited with ${code}:\n${out}`)); });
    });
    backend = { url, kind: 'prefkit serve', close: async () => { child.kill('SIGTERM'); await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r))); } };
  } else {
    backend = await startMiniCollector({ www: WWW, tasks, adminToken: ADMIN_TOKEN });
    backend.kind = 'stand-in collector (prefkit serve not built)';
  }
  const proxy = await startProxy(backend.url);
  return {
    url: proxy.url, direct: backend.url, kind: backend.kind, proxy,
    close: async () => { await proxy.close(); await backend.close(); },
  };
}

/** The stored annotations of a task, through the collector's export endpoint. */
export async function exportAnnotations(base, taskId) {
  const res = await fetch(`${base}/api/tasks/${encodeURIComponent(taskId)}/annotations.jsonl`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!res.ok) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  return (await res.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** The stored skips of a task, through the collector's export endpoint. */
export async function exportSkips(base, taskId) {
  const res = await fetch(`${base}/api/tasks/${encodeURIComponent(taskId)}/skips.jsonl`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!res.ok) throw new Error(`skips export answered ${res.status}: ${await res.text()}`);
  return (await res.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** The signature of an annotator id, as `prefkit sign --secret SECRET ID` prints it. */
export function signId(secret, id) {
  const r = spawnSync(findPrefkit(), ['sign', '--secret', secret, id], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`prefkit sign failed: ${r.stderr}`);
  return r.stdout.trim().split('\t')[1];
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Writes a task file with `n` plain pairs (and `gold` gold pairs) whose
 * texts name their item and side, so a test can tell from the page which
 * response is shown on the left.
 */
export function writeTask(dir, { id, n, gold = 0, config = {}, extra = {} }) {
  const examples = Array.from({ length: n }, (_, i) => ({
    id: `${id}-item-${String(i + 1).padStart(2, '0')}`,
    prompt: `Question number ${i + 1} of task ${id}?`,
    response_a: `First answer (canonical A) to question ${i + 1}.`,
    response_b: `Second answer (canonical B) to question ${i + 1}.`,
  }));
  const golds = Array.from({ length: gold }, (_, i) => ({
    id: `${id}-item-g${String(i + 1).padStart(2, '0')}`,
    prompt: `Check question ${i + 1} of task ${id}?`,
    response_a: `First answer (canonical A) to check ${i + 1}.`,
    response_b: `Second answer (canonical B) to check ${i + 1}.`,
    label: i % 2 === 0 ? 'A>' : 'B>>',
    explanation: `Check ${i + 1} has a known answer.`,
  }));
  const task = { task_id: id, guidelines: `Guidelines of **${id}**.`, examples, gold: golds, config, ...extra };
  const file = path.join(dir, `${id}.json`);
  fs.writeFileSync(file, JSON.stringify(task, null, 2));
  return { file, task };
}

/** Serves task files to the page at {base}/test-tasks/<name> without putting them in www/. */
export async function routeTasks(context, base, files) {
  await context.route(`${base}/test-tasks/*`, (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop());
    const file = files.find((f) => path.basename(f) === name);
    if (!file) return route.fulfill({ status: 404, body: 'no such test task' });
    return route.fulfill({ status: 200, contentType: 'application/json', body: fs.readFileSync(file, 'utf8') });
  });
}

export function annotateUrl(base, params) {
  return `${base}/annotate.html?${new URLSearchParams(params)}`;
}

/**
 * Opens annotate.html from `base` in a new 1280 x 900 context of `browser`
 * that serves the task `files` (see routeTasks); the page posts to
 * `base`'s collector with a 10 s grace unless `params` says otherwise.
 * `init`, if given, runs in the page before its own scripts.
 * Returns {context, page}.
 */
export async function openAnnotator(browser, base, files, params, init) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (init) await context.addInitScript(init);
  await routeTasks(context, base, files);
  const page = await context.newPage();
  await page.goto(annotateUrl(base, { endpoint: `${base}/api/annotations`, grace: '10', ...params }));
  return { context, page };
}

/** Waits until the annotator element's state is one of `states`. */
export async function waitState(page, states, timeout = 15000) {
  const list = Array.isArray(states) ? states : [states];
  await page.waitForFunction((l) => l.includes(document.querySelector('prefkit-annotator')?.getAttribute('state')), list, { timeout });
  return page.evaluate(() => document.querySelector('prefkit-annotator').getAttribute('state'));
}

/** What the page shows now: item id and the left response's text. */
export async function shownItem(page) {
  return page.evaluate(() => {
    const root = document.querySelector('prefkit-annotator').shadowRoot;
    return { id: root.getElementById('item').dataset.item, left: root.getElementById('left').textContent, progress: root.getElementById('progress-text').textContent };
  });
}

/**
 * Answers items by keyboard until the batch ends (or `limit` items):
 * `keyFor(itemId, index)` gives the key 1-5; Enter saves at once.
 * Returns [{item, key, shown, swapped}] with `swapped` read from the texts.
 */
export async function answerByKeyboard(page, keyFor, { limit = Infinity, stopStates = ['done', 'flagged'] } = {}) {
  const answered = [];
  const keyboard = page.keyboard ?? page.page().keyboard; // a Page or a Frame
  for (let i = 0; i < limit; i++) {
    const state = await waitState(page, ['item', ...stopStates]);
    if (state !== 'item') break;
    const shown = await shownItem(page);
    const key = keyFor(shown.id, i);
    await keyboard.press(String(key));
    await keyboard.press('Enter');
    await page.waitForFunction((id) => {
      const el = document.querySelector('prefkit-annotator');
      const s = el.getAttribute('state');
      return s !== 'grace' && s !== 'saving' && (s !== 'item' || el.shadowRoot.getElementById('item').dataset.item !== id);
    }, shown.id, { timeout: 15000 });
    answered.push({ item: shown.id, key, shown: KEY_LABEL[key], swapped: shown.left.includes('canonical B') });
    const s = await page.evaluate(() => document.querySelector('prefkit-annotator').getAttribute('state'));
    if (s === 'feedback') await keyboard.press('Enter');
  }
  return answered;
}

/** Resolves when the page's outbox has nothing pending and at least `sent` sent. */
export async function waitAllSent(page, sent, timeout = 60000) {
  await page.waitForFunction((n) => {
    const net = document.querySelector('prefkit-annotator')?.shadowRoot?.getElementById('net');
    return net && net.dataset.pending === '0' && Number(net.dataset.sent) >= n;
  }, sent, { timeout, polling: 200 });
}

export function expectedLabel(a) {
  return a.swapped ? FLIP[a.shown] : a.shown;
}
