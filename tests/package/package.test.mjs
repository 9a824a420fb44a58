// The npm package as a user gets it: `npm pack` of the repository,
// installed from the tarball into a temporary folder, then used four ways:
// (a) unbundled from node_modules with an import map, (b) bundled by Vite,
// (c) bundled by webpack 5, each served by a plain static server and driven
// in Chromium; (d) under Node, where `report()` runs after `initSync`; and
// by TypeScript, which must find the declarations of every entry.
//
// The tarball is packed with --ignore-scripts: scripts/test.sh has just
// built www/pkg/ (with the size check) and `prepack` would build it again.
// The test refuses a www/pkg/ older than the Rust sources instead.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, serveStatic, launch, tempDir, run, open, shownPrompt,
  TINY_JSONL, TINY_FLEISS_KAPPA, SAMPLE_TASK, SAMPLE_PROMPT,
} from './lib/support.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const BIN = path.join(HERE, 'node_modules/.bin');
let app; let installed; let tarball; let server; let browser;

/** The newest modification time of the files under `p` (a file or a folder). */
function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

function checkModulesFresh() {
  const built = Math.min(...['prefkit_bg.wasm', 'prefkit_lab_bg.wasm'].map((f) => {
    const file = path.join(ROOT, 'www/pkg', f);
    if (!fs.existsSync(file)) throw new Error(`www/pkg/${f} is missing: run scripts/build-wasm.sh first`);
    return fs.statSync(file).mtimeMs;
  }));
  const sources = Math.max(...['src', 'Cargo.toml', 'Cargo.lock'].map((f) => newest(path.join(ROOT, f))));
  if (sources > built) throw new Error('www/pkg/ is older than src/: run scripts/build-wasm.sh first');
}

// What every page and the Node script do with the package: both modules
// initialised with no arguments (each finds its wasm beside its glue),
// a report of the tiny file, and the element showing the sample item.
const MAIN = `
import init, { version } from 'prefkit';
import initLab, { report, version as labVersion } from 'prefkit/lab';
import 'prefkit/annotator';

async function main() {
  await init();
  await initLab();
  const r = report(${JSON.stringify(TINY_JSONL)});
  const el = document.createElement('prefkit-annotator');
  el.setAttribute('task', new URL('task.json', document.baseURI).href);
  el.setAttribute('annotator', 'w1');
  document.body.append(el);
  window.prefkitResult = { version: version(), labVersion: labVersion(), kappa: r.agreement.fleiss_kappa };
}
main().catch((e) => { window.prefkitResult = { error: String(e && e.stack || e) }; });
`;

const NODE_SCRIPT = `
import { readFileSync } from 'node:fs';
import { initSync, parseLabel } from 'prefkit';
import { initSync as initLabSync, report, reportJson } from 'prefkit/lab';

initSync({ module: readFileSync(new URL(import.meta.resolve('prefkit/prefkit_bg.wasm'))) });
initLabSync({ module: readFileSync(new URL(import.meta.resolve('prefkit/prefkit_lab_bg.wasm'))) });
const jsonl = ${JSON.stringify(TINY_JSONL)};
console.log(JSON.stringify({
  label: parseLabel('A>>B'),
  kappa: report(jsonl).agreement.fleiss_kappa,
  labKappa: JSON.parse(reportJson(jsonl)).agreement.fleiss_kappa,
}));
`;

function page(dir, head = '') {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.js'), MAIN);
  fs.writeFileSync(path.join(dir, 'task.json'), JSON.stringify(SAMPLE_TASK));
  fs.writeFileSync(path.join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>prefkit package test</title>${head}\n<script type="module" src="./main.js"></script>\n`);
}

before(async () => {
  checkModulesFresh();
  app = tempDir('prefkit-package-');
  const out = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', app], ROOT));
  tarball = path.join(app, out[0].filename);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], app);
  installed = path.join(app, 'node_modules/prefkit');
  server = await serveStatic(app);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Loads a page of the app and checks the modules, the report and the element. */
async function checkPage(url) {
  const { context, page, errors } = await open(browser, url);
  try {
    const result = await page.waitForFunction(() => window.prefkitResult, null, { timeout: 20_000 }).then((h) => h.jsonValue());
    assert.equal(result.error, undefined, result.error);
    assert.match(result.version, /^\d+\.\d+\.\d+/);
    assert.equal(result.labVersion, result.version);
    assert.ok(Math.abs(result.kappa - TINY_FLEISS_KAPPA) < 1e-12, `Fleiss' kappa ${result.kappa}, expected 11/19`);
    assert.equal(await shownPrompt(page), SAMPLE_PROMPT);
    const css = await page.evaluate(() => [...document.querySelector('prefkit-annotator').shadowRoot.styleSheets].map((s) => s.cssRules.length));
    assert.ok(css.length >= 1 && css.every((n) => n > 0), `the element's style sheets loaded (rules: ${css})`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

test('the tarball holds both modules with glue and types, the element with every module it imports, its CSS and the vendored licences', () => {
  const files = run('tar', ['tzf', tarball], app).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const name of ['prefkit', 'prefkit_lab']) {
    for (const ext of ['.js', '.d.ts', '_bg.wasm', '_bg.wasm.d.ts']) assert.ok(files.includes(`www/pkg/${name}${ext}`), `www/pkg/${name}${ext}`);
  }
  for (const f of ['README.md', 'LICENSE', 'types/annotator.d.ts', 'www/css/annotator.css']) assert.ok(files.includes(f), f);
  // Every module reachable from the element by a relative static import or a
  // `new URL('…', import.meta.url)`, followed in the installed copy.
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    assert.ok(fs.existsSync(file), `${path.relative(installed, file)} is in the package`);
    if (!/\.m?js$/.test(file)) return;
    const text = fs.readFileSync(file, 'utf8');
    const refs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|^import\s*['"](\.{1,2}\/[^'"]+)['"]|new URL\(\s*['"](\.{0,2}\/?[^'":]+)['"],\s*import\.meta\.url\)|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm)];
    for (const m of refs) walk(path.resolve(path.dirname(file), m[1] || m[2] || m[3] || m[4]));
  };
  walk(path.join(installed, 'www/js/prefkit-annotator.js'));
  assert.ok(seen.has(path.join(installed, 'www/pkg/prefkit_bg.wasm')), 'the walk reached the wasm module');
  for (const lib of fs.readdirSync(path.join(installed, 'www/vendor')).filter((d) => fs.statSync(path.join(installed, 'www/vendor', d)).isDirectory())) {
    assert.ok(fs.readdirSync(path.join(installed, 'www/vendor', lib)).some((f) => /^LICEN[CS]E/.test(f)), `www/vendor/${lib} has its licence`);
  }
});

test('unbundled from node_modules with an import map, both modules find their wasm and the element renders an item', async () => {
  const map = { imports: {
    prefkit: './node_modules/prefkit/www/pkg/prefkit.js',
    'prefkit/lab': './node_modules/prefkit/www/pkg/prefkit_lab.js',
    'prefkit/annotator': './node_modules/prefkit/www/js/prefkit-annotator.js',
  } };
  page(app, `\n<script type="importmap">${JSON.stringify(map)}</script>`);
  await checkPage(`${server.url}/index.html`);
});

// The element imports its module by a literal path (www/js/session.js), so
// a bundler ships the glue with its wasm; a computed URL would not be
// followed (Vite copied the glue without its wasm, webpack failed).
test('bundled by Vite, both modules find their wasm and the element renders an item', async () => {
  const dir = path.join(app, 'vite');
  page(dir);
  fs.mkdirSync(path.join(dir, 'public'));
  fs.renameSync(path.join(dir, 'task.json'), path.join(dir, 'public/task.json'));
  run(path.join(BIN, 'vite'), ['build', '--base', './', '--logLevel', 'warn'], dir);
  await checkPage(`${server.url}/vite/dist/index.html`);
});

test('bundled by webpack 5, both modules find their wasm and the element renders an item', async () => {
  const dir = path.join(app, 'webpack');
  page(dir);
  fs.writeFileSync(path.join(dir, 'webpack.config.js'), `export default {
  mode: 'production',
  context: ${JSON.stringify(dir)},
  entry: './main.js',
  output: { path: ${JSON.stringify(path.join(dir, 'dist'))}, filename: 'main.js', publicPath: 'auto' },
  performance: { hints: false },
};\n`);
  run(path.join(BIN, 'webpack'), ['--config', 'webpack.config.js', '--no-color'], dir);
  fs.copyFileSync(path.join(dir, 'task.json'), path.join(dir, 'dist/task.json'));
  fs.writeFileSync(path.join(dir, 'dist/index.html'), '<!doctype html><meta charset="utf-8"><title>prefkit package test</title>\n<script src="main.js"></script>\n');
  await checkPage(`${server.url}/webpack/dist/index.html`);
});

test('under Node, report() runs from the installed package after initSync with the wasm bytes', () => {
  fs.writeFileSync(path.join(app, 'node-report.mjs'), NODE_SCRIPT);
  const out = JSON.parse(run(process.execPath, ['node-report.mjs'], app));
  assert.ok(Math.abs(out.kappa - TINY_FLEISS_KAPPA) < 1e-12, `Fleiss' kappa ${out.kappa}, expected 11/19`);
  assert.equal(out.labKappa, out.kappa);
  assert.equal(out.label, 'A>>');
});

test('TypeScript finds the declarations of prefkit, prefkit/lab and prefkit/annotator through exports', () => {
  const dir = path.join(app, 'ts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], strict: true, noEmit: true, types: [] },
    files: ['consumer.ts'],
  }));
  fs.writeFileSync(path.join(dir, 'consumer.ts'), `
import init, { initSync } from 'prefkit';
import { Collection, report } from 'prefkit/lab';
import type { PrefkitAnnotator, PrefkitDoneDetail } from 'prefkit/annotator';
import 'prefkit/annotator';

export async function use(bytes: Uint8Array): Promise<number | null> {
  initSync({ module: bytes });
  await init();
  const el: PrefkitAnnotator = document.createElement('prefkit-annotator');
  el.addEventListener('prefkit:done', (e) => { const d: PrefkitDoneDetail = e.detail; console.log(d.count, el.state); });
  console.log(typeof Collection);
  return report('').agreement.fleiss_kappa;
}
`);
  run(process.execPath, [path.join(HERE, 'node_modules/typescript/bin/tsc'), '-p', dir], dir);
});
