// Tests of www/js/judge.js (the network half of AI-assisted labeling)
// against the local OpenAI-compatible test server. The network tests use a
// small stand-in for the wasm core (it only builds the prompt and reads the
// last VERDICT line); the last test uses the real wasm core when its judge
// exports are built into www/pkg.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startJudgeServer } from './judge-server.mjs';
import {
  JudgeRun, RateLimiter, backoffMs, chatCompletionsUrl, endpointCaller, loadKey, retryAfterMs, saveKey, toJsonl,
} from '../../www/js/judge.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A stand-in for the core's judge exports, enough for network tests. */
const standInCore = {
  buildJudgeRequest(spec) {
    const i = spec.swapped
      ? { prompt: spec.input.prompt, response_a: spec.input.response_b, response_b: spec.input.response_a }
      : spec.input;
    return {
      model: spec.model,
      messages: [
        { role: 'system', content: 'You are a judge.' },
        { role: 'user', content: `[User prompt]\n${i.prompt}\n\n[Response A]\n${i.response_a}\n\n[Response B]\n${i.response_b}\n\nWhich is better?` },
      ],
      temperature: 0,
    };
  },
  assessResponse(response) {
    const text = response.choices?.[0]?.message?.content ?? '';
    const m = [...text.matchAll(/VERDICT: (A>>B|A>B|A=B|B>A|B>>A)/g)].pop();
    return m ? { verdict: { status: 'parsed', label: m[1] }, confidence: 0.95 } : { verdict: { status: 'unparsed' }, confidence: 0 };
  },
  judgeResult(item, ab, ba) {
    return { item, label: ab.verdict.label ?? null, confidence: Math.min(ab.confidence, ba?.confidence ?? 1) };
  },
};

/** 200 items; tags chosen by index so some are slow, rate limited, failing, biased... */
function items(n = 200, extraTag = '') {
  return Array.from({ length: n }, (_, i) => {
    const tags = [
      i % 10 === 3 && '#429', i % 17 === 5 && '#500', i % 13 === 7 && '#slow', i % 11 === 2 && '#biased',
      i % 19 === 4 && '#noverdict', i % 23 === 6 && '#hedge', i % 29 === 8 && '#think', extraTag,
    ].filter(Boolean).join(' ');
    return {
      id: `item-${i}`,
      prompt: `Question ${i} ${tags}`.trim(),
      response_a: 'a'.repeat(10 + ((i * 7) % 40)),
      response_b: 'b'.repeat(10 + ((i * 13) % 40)),
    };
  });
}

const count = (list, pred) => list.filter(pred).length;

test('a run over 200 items completes, retrying every 429 and 500', async () => {
  const server = await startJudgeServer({ slowMs: 50 });
  try {
    const list = items();
    const progress = [];
    const run = new JudgeRun({
      core: standInCore, call: endpointCaller({ url: server.url }), model: 'judge-test',
      concurrency: 8, backoffMs: 5, onProgress: (p) => progress.push(p),
    });
    const out = await run.run(list);
    assert.equal(out.results.length, 200);
    assert.deepEqual(out.errors, {});
    assert.equal(out.cancelled, false);
    // Two orders per item. The server fails the first attempt of a #429
    // request with 429, and attempts up to 2 of a #500 request with 500
    // (so a #429 #500 request gets 429, then 500, then an answer).
    const n429 = count(list, (it) => it.prompt.includes('#429'));
    const n500 = count(list, (it) => it.prompt.includes('#500'));
    const both = count(list, (it) => it.prompt.includes('#429') && it.prompt.includes('#500'));
    assert.ok(both > 0 && n429 > both && n500 > both, 'the list mixes both failures');
    assert.equal(server.stats.status[429], 2 * n429);
    assert.equal(server.stats.status[500], 2 * (2 * (n500 - both) + both));
    const failures = server.stats.status[429] + server.stats.status[500];
    assert.equal(progress.at(-1).retries, failures);
    assert.equal(progress.at(-1).done, 200);
    assert.equal(server.stats.requests, 400 + failures);
    assert.ok(server.stats.maxInFlight <= 8, `max in flight ${server.stats.maxInFlight}`);
    const unparsed = count(out.results, (r) => r.label === null);
    assert.equal(unparsed, count(list, (it) => it.prompt.includes('#noverdict')));
  } finally {
    await server.close();
  }
});

test('cancel aborts the requests in flight and resume asks only what is missing', async () => {
  const server = await startJudgeServer({ slowMs: 100 });
  try {
    const list = items(60, '#slow');
    let run;
    let seen = 0;
    run = new JudgeRun({
      core: standInCore, call: endpointCaller({ url: server.url }), model: 'judge-test', concurrency: 4, backoffMs: 5,
      onResult: () => { if (++seen === 6) run.cancel(); },
    });
    const first = await run.run(list);
    assert.equal(first.cancelled, true);
    assert.ok(first.results.length >= 6 && first.results.length < 60, `${first.results.length} results`);
    await new Promise((r) => setTimeout(r, 50));
    const afterCancel = server.stats.requests;
    assert.ok(server.stats.aborted >= 1, 'requests in flight were aborted');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.stats.requests, afterCancel, 'no request after cancel');

    // Resume from saved state in a new run, as after a page reload.
    const saved = JSON.parse(JSON.stringify(run.state()));
    const resumed = new JudgeRun({ core: standInCore, call: endpointCaller({ url: server.url }), model: 'judge-test', concurrency: 4, backoffMs: 5, state: saved });
    const second = await resumed.run(list);
    assert.equal(second.results.length, 60);
    assert.equal(second.cancelled, false);
    // Each (item, order) is answered once, except answers that arrived
    // while the cancel was under way (at most one per worker).
    const st = server.stats.status;
    assert.ok(st[200] >= 120 && st[200] <= 124, `${st[200]} answers`);
    assert.equal(server.stats.requests, st[200] + (st[429] ?? 0) + (st[500] ?? 0) + server.stats.aborted);
  } finally {
    await server.close();
  }
});

test('a wrong key stops the whole run with the HTTP status', async () => {
  const server = await startJudgeServer({ key: 'right-key' });
  try {
    const run = new JudgeRun({ core: standInCore, call: endpointCaller({ url: server.url, key: 'wrong-key' }), model: 'm', concurrency: 2 });
    const out = await run.run(items(50));
    assert.match(out.fatal, /HTTP 401/);
    assert.equal(out.cancelled, false);
    assert.ok(server.stats.requests <= 2, `${server.stats.requests} requests`);
    assert.equal(server.stats.lastAuthorization, 'Bearer wrong-key');
  } finally {
    await server.close();
  }
});

test('a request with no answer times out, is retried, and then fails only its item', async () => {
  let calls = 0;
  const never = () => { calls++; return new Promise(() => {}); }; // ignores its signal
  const run = new JudgeRun({ core: standInCore, call: never, model: 'm', swap: false, timeoutMs: 30, maxRetries: 1, backoffMs: 1 });
  const out = await run.run(items(2));
  assert.equal(out.results.length, 0);
  assert.match(out.errors['item-0'], /no answer within 30 ms/);
  assert.equal(calls, 4, 'two items, two attempts each');
  assert.equal(out.cancelled, false);
});

test('the test server answers CORS preflights so a page on another origin can call it', async () => {
  const server = await startJudgeServer();
  try {
    const pre = await fetch(`${server.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:1', 'access-control-request-headers': 'authorization' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers'), /authorization/);
    assert.equal(server.stats.requests, 0, 'preflights are not counted as requests');
  } finally {
    await server.close();
  }
});

test('the key is stored only when the user asks', () => {
  const store = new Map();
  const storage = { setItem: (k, v) => store.set(k, v), getItem: (k) => store.get(k) ?? null, removeItem: (k) => store.delete(k) };
  saveKey('sk-test', { storage });
  assert.equal(store.size, 0);
  saveKey('sk-test', { remember: true, storage });
  assert.equal(loadKey(storage), 'sk-test');
  saveKey('sk-test', { remember: false, storage });
  assert.equal(loadKey(storage), '');
});

test('a host function can stand in for the endpoint and may return plain text', async () => {
  const bodies = [];
  const call = async (body) => {
    bodies.push(body);
    return 'B is longer.\nVERDICT: B>A';
  };
  const run = new JudgeRun({ core: standInCore, call, model: 'host', swap: false });
  const out = await run.run(items(3));
  assert.equal(out.results.length, 3);
  assert.equal(bodies.length, 3);
  assert.equal(out.results[0].label, 'B>A');
});

test('the rate limiter spaces request starts by 60000 / requests per minute', async () => {
  let t = 0;
  const waits = [];
  const limiter = new RateLimiter(120, { now: () => t, wait: async (ms) => { waits.push(ms); t += ms; } });
  for (let i = 0; i < 4; i++) await limiter.acquire();
  assert.deepEqual(waits, [500, 500, 500]);
  t += 2000; // idle: the next request starts at once
  await limiter.acquire();
  assert.equal(waits.length, 3);
  const open = new RateLimiter(0, { now: () => t, wait: async () => assert.fail('no wait without a limit') });
  await open.acquire();
});

test('backoff doubles, is capped and honours Retry-After', () => {
  assert.deepEqual([0, 1, 2, 3].map((a) => backoffMs(a, { baseMs: 100, maxMs: 500 })), [100, 200, 400, 500]);
  assert.equal(backoffMs(3, { retryAfter: 1500 }), 1500);
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs('soon'), null);
});

test('endpoint URLs are completed to the chat-completions path', () => {
  assert.equal(chatCompletionsUrl('http://localhost:8080'), 'http://localhost:8080/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://localhost:11434/v1/'), 'http://localhost:11434/v1/chat/completions');
  assert.equal(chatCompletionsUrl('https://x.test/v1/chat/completions'), 'https://x.test/v1/chat/completions');
  assert.throws(() => chatCompletionsUrl(' '), /empty/);
  assert.equal(toJsonl([{ item: 'a' }]), '{"item":"a"}\n');
});

// The real core, once the lead's wasm binding exports the judge functions.
const pkg = path.join(here, '../../www/pkg/prefkit_lab.js');
const wasmCore = existsSync(pkg) ? await import(pkg) : null;
const hasJudgeExports = wasmCore && ['buildJudgeRequest', 'assessResponse', 'judgeResult', 'Router'].every((k) => k in wasmCore);

test('routing counts of a 200-item run match the core rules, with and without logprobs', { skip: !hasJudgeExports && 'www/pkg has no judge exports yet' }, async () => {
  await wasmCore.default({ module_or_path: readFileSync(path.join(here, '../../www/pkg/prefkit_lab_bg.wasm')) });
  const server = await startJudgeServer({ slowMs: 20 });
  try {
    const list = items();
    // By the server's rules: no verdict, a position-biased verdict that
    // flips under the swap check, or a hedged answer (three hedging phrases:
    // 0.95 x 0.8^3 = 0.49; with logprobs 0.55 on the verdict) go to people;
    // the rest (0.95, or 0.8 with logprobs) are accepted.
    const low = count(list, (it) => /#noverdict|#hedge|#biased/.test(it.prompt));
    for (const logprobs of [false, true]) {
      const run = new JudgeRun({ core: wasmCore, call: endpointCaller({ url: server.url }), model: 'judge-test', concurrency: 8, backoffMs: 5, logprobs });
      const out = await run.run(list);
      assert.equal(out.results.length, 200);
      const sources = new Set([...run.judgments.values()].filter((j) => j.verdict.status === 'parsed').map((j) => j.confidence_source));
      assert.deepEqual([...sources], [logprobs ? 'logprobs' : 'hedging']);
      const router = new wasmCore.Router({ spot_check_share: 0 });
      for (const r of out.results) router.addJudgment(r);
      const s = router.summary();
      assert.equal(s.counts.human, low, `logprobs ${logprobs}`);
      assert.equal(s.counts.accepted, 200 - low);
      assert.equal(s.counts.unparsed, count(list, (it) => it.prompt.includes('#noverdict')));
      assert.deepEqual(router.humanQueue().length, low);
      // Position bias: a #biased item wins the first position in both
      // orders, a consistent non-tie in one of its two; ties and items
      // without a verdict decide nothing.
      let wins = 0;
      let decided = 0;
      for (const it of list) {
        if (it.prompt.includes('#noverdict')) continue;
        if (it.prompt.includes('#biased')) { wins += 2; decided += 2; } else if (it.response_a.length !== it.response_b.length) { wins += 1; decided += 2; }
      }
      assert.ok(Math.abs(s.first_position_share - wins / decided) < 1e-12, `${s.first_position_share} vs ${wins / decided}`);
      // Costs: 200 AI judgments at 0.02 and the low-confidence items at 1.50.
      assert.ok(Math.abs(s.cost.total - (200 * 0.02 + low * 1.5)) < 1e-9);
    }
  } finally {
    await server.close();
  }
});
