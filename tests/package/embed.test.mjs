// The README's embedding snippet, as written, on a page of another origin:
// the element, its module, CSS and wasm, the task and the answers all come
// from or go to `prefkit serve` across origins (the collector answers CORS
// for the annotator's side from any origin by default).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, serveStatic, launch, tempDir, open, shownPrompt } from './lib/support.mjs';

const TOKEN = 'package-test-token';
let collector; let child; let host; let browser;

/** The first ```html block after the README's "Embedding in any page". */
function readmeSnippet() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('Embedding in any page');
  assert.ok(at >= 0, 'the README has its embedding snippet');
  const m = readme.slice(at).match(/```html\n([\s\S]*?)```/);
  return m[1];
}

before(async () => {
  const bin = path.join(ROOT, 'target/debug/prefkit');
  if (!fs.existsSync(bin)) throw new Error('target/debug/prefkit is missing: run cargo build --bin prefkit first');
  const dir = tempDir('prefkit-embed-');
  child = spawn(bin, ['serve', '--db', path.join(dir, 'embed.sqlite'), '--www', path.join(ROOT, 'www'),
    '--addr', '127.0.0.1:0', '--task', path.join(ROOT, 'www/sample/task.json'), '--admin-token', TOKEN],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  collector = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`prefkit serve printed no address in 15 s:\n${out}`)), 15_000);
    const look = (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`prefkit serve exited with ${code}:\n${out}`)); });
  });
  fs.mkdirSync(path.join(dir, 'host'));
  fs.writeFileSync(path.join(dir, 'host/index.html'),
    `<!doctype html><meta charset="utf-8"><title>another site</title>\n${readmeSnippet().replaceAll('https://your-host', collector)}`);
  host = await serveStatic(path.join(dir, 'host'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await host?.close();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

test('the README\'s embedding snippet works as written on a page of another origin', async () => {
  assert.notEqual(new URL(host.url).origin, new URL(collector).origin);
  const { context, page, errors } = await open(browser, host.url);
  try {
    assert.ok((await shownPrompt(page)).length > 0);
    await page.locator('prefkit-annotator button.choice[data-choice="A>"]').click();
    let records = [];
    for (let i = 0; i < 100 && records.length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(`${collector}/api/tasks/prefkit-sample/annotations.jsonl`, { headers: { authorization: `Bearer ${TOKEN}` } });
      records = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    }
    assert.equal(records.length, 1, 'the answer reached the collector');
    assert.equal(records[0].annotator, 'w1');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
