// Benchmarks of the wasm module in headless Chromium, printed beside the
// native times (a program that prints numbers, not a test):
//   1. the 1M-annotation report (issue 2's crowd) through reportJson(),
//   2. hybrid active-learning selection: 100,000 x 384 embeddings, budget 1,000.
// Needs `scripts/build-wasm.sh`, `cargo build --release --bin prefkit
// --example bench_active` and bench-data/ (`prefkit bench data`).
//   node tests/browser/bench-wasm.mjs
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, launch } from './lib/harness.mjs';

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.jsonl': 'text/plain' };

function serve() {
  const server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
      return;
    }
    const file = path.join(ROOT, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!file.startsWith(ROOT) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function nativeSeconds(cmd, args) {
  const t = process.hrtime.bigint();
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const exe = path.join(ROOT, 'target/release/prefkit');
const data = path.join(ROOT, 'bench-data/annotations.jsonl');
if (!fs.existsSync(exe)) throw new Error('build first: cargo build --release --bin prefkit');
if (!fs.existsSync(data)) execFileSync(exe, ['bench', 'data', '--dir', path.join(ROOT, 'bench-data')]);

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  const result = await page.evaluate(async () => {
    const m = await import('/www/pkg/prefkit_lab.js');
    await m.default();
    const bytes = new Uint8Array(await (await fetch('/bench-data/annotations.jsonl')).arrayBuffer());
    const gold = await (await fetch('/bench-data/gold.jsonl')).text();
    const times = [];
    let length = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      length = m.reportJson(bytes, gold, undefined).length;
      times.push((performance.now() - t) / 1000);
    }
    const active = m.benchActive(100000, 384, 1000, 7);
    return { times, length, active };
  });
  const native = [0, 1, 2].map(() =>
    nativeSeconds(exe, ['report', data, '--gold', path.join(ROOT, 'bench-data/gold.jsonl')]));
  const best = (xs) => Math.min(...xs);
  console.log('| workload | wasm in Chromium | native | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| report on 1M annotations (parse included; best of 3) | ${best(result.times).toFixed(2)} s | ${best(native).toFixed(2)} s | ${(best(result.times) / best(native)).toFixed(2)}x |`);
  let activeNative = null;
  const ex = path.join(ROOT, 'target/release/examples/bench_active');
  if (fs.existsSync(ex)) {
    const out = execFileSync(ex, [], { encoding: 'utf8' });
    const m = out.match(/hybrid, uniform[^\n]*? in ([0-9.]+) s wall/);
    activeNative = m ? Number(m[1]) : null;
    if (!m) console.log(out);
  }
  const a = result.active.milliseconds / 1000;
  console.log(`| hybrid selection, 100,000 x 384, budget 1,000 | ${a.toFixed(2)} s | ${activeNative === null ? 'n/a' : activeNative.toFixed(2) + ' s'} | ${activeNative ? (a / activeNative).toFixed(2) + 'x' : ''} |`);
} finally {
  await browser.close();
  server.close();
}
