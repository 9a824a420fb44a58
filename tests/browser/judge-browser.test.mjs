// www/js/judge.js in a real browser: Chromium (through playwright-core)
// loads the module from one local origin and calls the test judge server on
// another (so CORS, fetch and AbortController are the browser's own). The
// core is the wasm module when it carries the judge exports, else a small
// stand-in that only builds the prompt and reads the last VERDICT line.
// Skipped when playwright-core or Chromium is not installed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJudgeServer } from './judge-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WWW = path.join(ROOT, 'www');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const playwright = await import('playwright-core').catch(() => null);
const skip = !playwright ? 'playwright-core is not installed' : !fs.existsSync(CHROMIUM) ? `no browser at ${CHROMIUM}` : false;

const STAND_IN_CORE = `
export function buildJudgeRequest(spec) {
  const i = spec.swapped
    ? { prompt: spec.input.prompt, response_a: spec.input.response_b, response_b: spec.input.response_a }
    : spec.input;
  return { model: spec.model, temperature: 0, messages: [
    { role: 'system', content: 'You are a judge.' },
    { role: 'user', content: '[User prompt]\\n' + i.prompt + '\\n\\n[Response A]\\n' + i.response_a + '\\n\\n[Response B]\\n' + i.response_b + '\\n\\nWhich is better?' },
  ] };
}
export function assessResponse(r) {
  const text = r.choices?.[0]?.message?.content ?? '';
  const m = [...text.matchAll(/VERDICT: (A>>B|A>B|A=B|B>A|B>>A)/g)].pop();
  return m ? { verdict: { status: 'parsed', label: m[1] }, confidence: 0.95 } : { verdict: { status: 'unparsed' }, confidence: 0 };
}
export function judgeResult(item, ab, ba) {
  return { item, label: ab.verdict.label ?? null, confidence: Math.min(ab.confidence, ba?.confidence ?? 1) };
}
`;

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Serves www/ plus a blank page and the stand-in core. */
async function startStatic() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/judge-test.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>judge test</title>');
    }
    if (url.pathname === '/stand-in-core.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(STAND_IN_CORE);
    }
    const file = path.join(WWW, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(WWW) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

test('in Chromium, a 200-item run retries, cancels, resumes and routes like the core', { skip }, async (t) => {
  const judge = await startJudgeServer({ slowMs: 60 });
  const site = await startStatic();
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${site.url}/judge-test.html`);
    const out = await page.evaluate(async (endpoint) => {
      const { JudgeRun, endpointCaller } = await import('/js/judge.js');
      let core = await import('/stand-in-core.js');
      let coreKind = 'stand-in';
      try {
        const pkg = await import('/pkg/prefkit_lab.js');
        if (['buildJudgeRequest', 'assessResponse', 'judgeResult', 'Router'].every((k) => k in pkg)) {
          await pkg.default();
          core = pkg;
          coreKind = 'wasm';
        }
      } catch { /* no wasm module built: keep the stand-in */ }
      const items = Array.from({ length: 200 }, (_, i) => {
        const tags = [i % 10 === 3 && '#429', i % 17 === 5 && '#500', i % 13 === 7 && '#slow', i % 11 === 2 && '#biased',
          i % 19 === 4 && '#noverdict', i % 23 === 6 && '#hedge'].filter(Boolean).join(' ');
        return { id: `item-${i}`, prompt: `Question ${i} ${tags}`.trim(), response_a: 'a'.repeat(10 + ((i * 7) % 40)), response_b: 'b'.repeat(10 + ((i * 13) % 40)) };
      });
      const call = endpointCaller({ url: endpoint, key: 'sk-browser-test' });
      // First run: cancelled after 20 results.
      let seen = 0;
      let run;
      run = new JudgeRun({ core, call, model: 'judge-test', concurrency: 6, backoffMs: 5, onResult: () => { if (++seen === 20) run.cancel(); } });
      const first = await run.run(items);
      const state = JSON.parse(JSON.stringify(run.state()));
      await new Promise((r) => setTimeout(r, 300));
      // Resume in a new run from the saved state.
      let last = null;
      const resumed = new JudgeRun({ core, call, model: 'judge-test', concurrency: 6, backoffMs: 5, state, onProgress: (p) => { last = p; } });
      const second = await resumed.run(items);
      let counts = null;
      if (coreKind === 'wasm') {
        const router = new core.Router({ spot_check_share: 0 });
        for (const r of second.results) router.addJudgment(r);
        counts = router.summary().counts;
      }
      const stored = Object.keys(localStorage).length;
      return { coreKind, first: { n: first.results.length, cancelled: first.cancelled }, second: { n: second.results.length, errors: second.errors, cancelled: second.cancelled }, retries: last.retries, counts, stored, prompts: items.map((it) => it.prompt) };
    }, judge.url);

    t.diagnostic(`core: ${out.coreKind}`);
    assert.equal(out.first.cancelled, true);
    assert.ok(out.first.n >= 20 && out.first.n < 200, `${out.first.n} results before the cancel`);
    assert.equal(out.second.n, 200);
    assert.deepEqual(out.second.errors, {});
    assert.ok(out.retries > 0, 'retries show in the progress');
    assert.ok(judge.stats.status[429] > 0 && judge.stats.status[500] > 0);
    assert.ok(judge.stats.aborted >= 1, 'the cancel aborted requests in flight');
    assert.ok(judge.stats.status[200] >= 400 && judge.stats.status[200] <= 406, `${judge.stats.status[200]} answers`);
    assert.equal(judge.stats.lastAuthorization, 'Bearer sk-browser-test');
    assert.equal(out.stored, 0, 'nothing (and no key) stored in localStorage');
    if (out.coreKind === 'wasm') {
      const low = out.prompts.filter((p) => /#noverdict|#hedge|#biased/.test(p)).length;
      assert.equal(out.counts.human, low);
      assert.equal(out.counts.accepted, 200 - low);
    }
  } finally {
    await browser.close();
    await site.close();
    await judge.close();
  }
});
