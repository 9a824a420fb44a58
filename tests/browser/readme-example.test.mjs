// The README's "Testing your page" example, run as written: its Playwright
// block is taken from README.md, saved beside these tests (so it finds
// playwright-core) and run with `node --test` against a real `prefkit
// serve` and a host page on another origin that embeds the README's
// <prefkit-annotator simulate="visual"> snippet (its task id and
// collector address filled in).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ROOT, ARTIFACTS, ADMIN_TOKEN, checkModuleBuilt, startBackend, tempDir, writeTask, exportAnnotations, exportSkips } from './lib/harness.mjs';

checkModuleBuilt();
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Testing your page'), readme.indexOf('\n## ', readme.indexOf('## Testing your page') + 1));
const block = (lang) => {
  const m = section.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
  assert.ok(m, `the README's "Testing your page" has a ${lang} block`);
  return m[1];
};

const dir = tempDir();
const { file } = writeTask(dir, { id: 'readme', n: 10, gold: 2, config: { batch_size: 6, gold_fraction: 0.3 } });
const backend = await startBackend({ tasks: [file] });
const collector = backend.direct;
const snippet = block('html').replaceAll('TASK_ID', 'readme').replaceAll('http://127.0.0.1:8080', collector);
const host = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><meta charset="utf-8"><title>my crowd page</title>
<script type="module" src="${collector}/js/prefkit-annotator.js"></script>
${snippet}`);
});
await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));

after(async () => {
  host.close();
  await backend.close();
});

function run(cmd, args, env) {
  return new Promise((resolve) => {
    // A clean test run of its own: without the runner's NODE_TEST_CONTEXT.
    const { NODE_TEST_CONTEXT, ...inherited } = process.env; // eslint-disable-line no-unused-vars
    const child = spawn(cmd, args, { env: { ...inherited, ...env }, cwd: path.dirname(args[1]) });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('the README example is under 40 lines and passes against prefkit serve and a page on another origin', async () => {
  const example = block('js');
  assert.ok(example.split('\n').length <= 40, `${example.split('\n').length} lines`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Not named *.test.mjs: a plain `node --test` of this folder must not find it.
  const saved = path.join(ARTIFACTS, 'readme-example.mjs');
  fs.writeFileSync(saved, example);
  const { code, out } = await run(process.execPath, ['--test', saved], {
    COLLECTOR: collector,
    PAGE: `http://127.0.0.1:${host.address().port}/`,
    ADMIN_TOKEN,
    CHROMIUM: process.env.CHROMIUM || '/usr/bin/chromium',
  });
  assert.equal(code, 0, out);
  assert.match(out, /# pass 1/);
  // What the example checked is really there: the simulated annotator's batch.
  const stored = [...(await exportAnnotations(collector, 'readme')), ...(await exportSkips(collector, 'readme'))];
  assert.ok(stored.length >= 6 && stored.every((r) => r.annotator === 'left-1' && r.simulated === true), JSON.stringify(stored[0]));
});
