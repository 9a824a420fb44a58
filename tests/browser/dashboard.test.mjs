// The dashboard in headless Chromium against a localhost server: the numbers
// it shows equal `prefkit report` (the native command, same core) on the
// same files; the slider and aggregation choice change them as the core
// says; exports parse and match the core; a bad line is named and the rest
// loads on request; the live stream updates the figures. Screenshots go to
// tests/browser/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openDashboard, waitDrawn, screenshot, ROOT, WWW } from './dashboard-support.mjs';
import { generate } from './gen-annotations.mjs';

const BIN = path.join(ROOT, 'target', 'debug', 'prefkit');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prefkit-dashboard-'));
const data = generate({ items: 60, perItem: 4, annotators: 8, gold: 12, seed: 7 });
const files = {
  annotations: path.join(tmp, 'annotations.jsonl'),
  gold: path.join(tmp, 'gold.jsonl'),
  task: path.join(tmp, 'task.json'),
  bad: path.join(tmp, 'bad.jsonl'),
  liveTask: path.join(tmp, 'live-task.json'),
  strictTask: path.join(tmp, 'strict-task.json'),
  strictConfig: path.join(tmp, 'strict-config.json'),
};
fs.writeFileSync(files.annotations, data.annotations);
fs.writeFileSync(files.gold, data.gold);
fs.writeFileSync(files.task, data.task);
// A task file that flags after 3 gold answers below 0.9 (the report's
// defaults: 5 below 0.6), and the same thresholds as a report config.
{
  const task = JSON.parse(data.task);
  task.config = { ...task.config, min_gold_for_flag: 3, min_gold_accuracy: 0.9 };
  fs.writeFileSync(files.strictTask, JSON.stringify(task));
  fs.writeFileSync(files.strictConfig, JSON.stringify({ reliability: { flag_min_gold: 3, flag_gold_accuracy_below: 0.9 } }));
}
// For the collector: the gold items as the task's gold answers, and flag
// thresholds stricter than the report's defaults (flagged after 3 gold
// answers below 0.9, not 5 below 0.6), which its /report follows.
{
  const task = JSON.parse(data.task);
  task.config = { ...task.config, min_gold_for_flag: 3, min_gold_accuracy: 0.9 };
  const gold = new Map(data.gold.trim().split('\n').map((l) => JSON.parse(l)).map((g) => [g.item, g.label]));
  task.gold = task.examples.filter((e) => gold.has(e.id)).map((e) => ({ ...e, label: gold.get(e.id) }));
  task.examples = task.examples.filter((e) => !gold.has(e.id));
  fs.writeFileSync(files.liveTask, JSON.stringify(task));
}
// Line 7 has a label the core does not know.
const badLines = data.annotations.trimEnd().split('\n');
badLines[6] = badLines[6].replace(/"label":"[^"]*"/, '"label":"A>>>"');
fs.writeFileSync(files.bad, badLines.join('\n') + '\n');
const asArray = '[' + data.annotations.trimEnd().split('\n').join(',\n') + ']';

/** Why the whole suite cannot run here, or null. */
function missing() {
  if (!fs.existsSync(path.join(WWW, 'pkg', 'prefkit_lab.js'))) return 'www/pkg/ is not built (scripts/build-wasm.sh)';
  const glue = fs.readFileSync(path.join(WWW, 'pkg', 'prefkit_lab.js'), 'utf8');
  if (!/export function report\b/.test(glue)) return 'the wasm module has no report() export yet';
  if (!fs.existsSync(BIN)) return 'target/debug/prefkit is not built';
  try {
    execFileSync(BIN, ['report', '--help'], { stdio: 'ignore' });
  } catch {
    return 'the prefkit command has no report subcommand yet';
  }
  return null;
}
const skip = missing() || false; // node:test reads a null skip as "skip"

function nativeReport(file, ...args) {
  const gold = args[0] === 'no-gold' ? [] : ['--gold', files.gold];
  if (args[0] === 'no-gold') args.shift();
  const out = execFileSync(BIN, ['report', file, ...gold, ...args], { encoding: 'utf8' });
  return JSON.parse(out);
}

const num = (v) => (typeof v === 'number' ? v : v && typeof v.value === 'number' ? v.value : null);
/** The annotators a report flags, sorted. */
const flaggedIn = (report) => report.annotators.filter((a) => a.flagged).map((a) => a.id).sort();
/** The annotators the page's table marks as flagged, sorted. */
const flaggedShown = (page) => page.$$eval('#annotator-table tbody tr.flagged', (trs) => trs.map((tr) => tr.dataset.id).sort());
const get = (obj, p) => p.split('.').reduce((o, k) => o?.[k], obj);

let server;
let browser;
before(async () => {
  if (skip) return;
  server = await serve(new Map([
    ['/fixtures/annotations.jsonl', { path: files.annotations }],
    ['/fixtures/annotations.json', asArray],
    ['/fixtures/gold.jsonl', { path: files.gold }],
    ['/fixtures/task.json', { path: files.task }],
    ['/fixtures/strict-task.json', { path: files.strictTask }],
    ['/fixtures/bad.jsonl', { path: files.bad }],
  ]));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const open = (query) => openDashboard(browser, server.url, query);

/** The figures the page shows, at full precision. */
async function shown(page) {
  return page.evaluate(() => {
    const cards = {};
    for (const c of document.querySelectorAll('#cards .card')) {
      const v = c.querySelector('.value').dataset.value;
      cards[c.dataset.key] = v === '' ? null : Number(v);
    }
    const counts = {};
    for (const d of document.querySelectorAll('#counts dd')) counts[d.dataset.count] = d.textContent;
    return { cards, counts };
  });
}

async function showAllAlphas(page, expected) {
  const { cards } = await shown(page);
  for (const metric of ['ordinal', 'nominal', 'interval']) {
    const key = `krippendorff_alpha.${metric}`;
    const want = num(get(expected.agreement, key));
    if (want === null) assert.equal(cards[key], null, key);
    else assert.ok(Math.abs(cards[key] - want) < 1e-12, `${key}: page ${cards[key]} vs core ${want}`);
  }
}

function assertFigures(s, expected, method) {
  for (const key of ['pairwise', 'pairwise_directional', 'fleiss_kappa']) {
    const want = num(expected.agreement[key]);
    if (want === null) assert.equal(s.cards[key], null, key);
    else assert.ok(Math.abs(s.cards[key] - want) < 1e-12, `${key}: page ${s.cards[key]} vs core ${want}`);
  }
  assert.equal(Number(s.counts.annotations), expected.counts.annotations);
  assert.equal(Number(s.counts.items), expected.counts.items);
  assert.equal(Number(s.counts.annotators), expected.counts.annotators);
  assert.equal(Number(s.counts[`final labels (${method})`]), Object.keys(expected.labels[method]).length);
}

test('the figures shown equal prefkit report on the same file', { skip }, async () => {
  const expected = nativeReport(files.annotations);
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl&task=/fixtures/task.json');
  await waitDrawn(page);
  assertFigures(await shown(page), expected, 'majority');
  await showAllAlphas(page, expected);
  // Agreement over time ends at the figures of the whole file.
  const last = JSON.parse(await page.getAttribute('#plot-timeline', 'data-last'));
  assert.equal(last.annotations, expected.counts.annotations);
  assert.equal(last.pairwise, expected.agreement.pairwise);
  assert.equal(last.fleiss_kappa, expected.agreement.fleiss_kappa);
  assert.equal(last.alpha_ordinal, expected.agreement.krippendorff_alpha.ordinal);
  // Label distribution: raw labels counted here from the file (un-flipped), final ones from the core.
  const flip = { 'A>>': 'B>>', 'A>': 'B>', '=': '=', 'B>': 'A>', 'B>>': 'A>>' };
  const order = ['A>>', 'A>', '=', 'B>', 'B>>'];
  const raw = [0, 0, 0, 0, 0];
  for (const a of data.annotations.trim().split('\n').map((l) => JSON.parse(l))) raw[order.indexOf(a.swapped ? flip[a.label] : a.label)]++;
  assert.deepEqual(JSON.parse(await page.getAttribute('#plot-labels', 'data-raw')), raw);
  const final = [0, 0, 0, 0, 0];
  for (const l of Object.values(expected.labels.majority)) final[order.indexOf(l)]++;
  assert.deepEqual(JSON.parse(await page.getAttribute('#plot-labels', 'data-final')), final);
  // The annotator table: one row per annotator, flagged ones highlighted, composite as the core says.
  const rows = await page.$$eval('#annotator-table tbody tr', (trs) =>
    trs.map((tr) => ({ id: tr.dataset.id, flagged: tr.classList.contains('flagged'), cells: [...tr.cells].map((c) => c.textContent) })));
  assert.equal(rows.length, expected.annotators.length);
  const keys = await page.$$eval('#annotator-table thead th', (ths) => ths.map((th) => th.dataset.key));
  const at = (key) => { const i = keys.indexOf(key); assert.ok(i >= 0, `column ${key}`); return i; };
  for (const a of expected.annotators) {
    const row = rows.find((r) => r.id === a.id);
    assert.ok(row, `row for ${a.id}`);
    assert.equal(row.flagged, !!a.flagged, `${a.id} flagged`);
    const composite = row.cells[at('composite')];
    assert.ok(Math.abs(Number(composite) - a.composite) < 5e-4, `${a.id} composite ${composite} vs ${a.composite}`);
    assert.equal(Number(row.cells[at('skips')]), a.skips, `${a.id} skips`);
  }
  // Sorting by a column orders the rows by it.
  await page.click('#annotator-table th[data-key="total"] button');
  const totals = await page.$$eval('#annotator-table tbody tr', (trs, i) => trs.map((tr) => Number(tr.cells[i].textContent)), at('total'));
  assert.deepEqual(totals, [...totals].sort((x, y) => x - y));
  await screenshot(page, 'dashboard-loaded');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a task file\'s flag thresholds are the report\'s, as prefkit report with the same settings', { skip }, async () => {
  const expected = flaggedIn(nativeReport(files.annotations, '--config', files.strictConfig));
  assert.ok(expected.length > 0, 'the fixture has annotators these thresholds flag');
  assert.notDeepEqual(expected, flaggedIn(nativeReport(files.annotations)), 'the defaults flag others');
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl&task=/fixtures/strict-task.json');
  // The task may arrive after the first drawing: wait for its settings.
  await page.waitForFunction((n) => document.querySelectorAll('#annotator-table tbody tr.flagged').length === n,
    expected.length, { timeout: 10_000 });
  assert.deepEqual(await flaggedShown(page), expected);
  await page.close();
});

test('a JSON array gives the same figures as the JSONL file', { skip }, async () => {
  const expected = nativeReport(files.annotations);
  const page = await open('data=/fixtures/annotations.json&gold=/fixtures/gold.jsonl');
  await waitDrawn(page);
  assertFigures(await shown(page), expected, 'majority');
  await page.close();
});

test('files chosen in the pickers load like URLs', { skip }, async () => {
  const expected = nativeReport(files.annotations);
  const arrayFile = path.join(tmp, 'annotations.json');
  fs.writeFileSync(arrayFile, asArray);
  const page = await open('');
  await page.waitForFunction(() => document.body.dataset.state === 'idle');
  await page.setInputFiles('#gold-file', files.gold);
  await page.setInputFiles('#task-file', files.task);
  await page.setInputFiles('#file', arrayFile);
  await waitDrawn(page);
  assertFigures(await shown(page), expected, 'majority');
  // The task file gives the DPO texts.
  const dpo = (await download(page, 'dpo')).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(dpo.length > 0 && dpo.every((d) => d.prompt.startsWith('Question ')));
  await page.close();
});

test('the slider and aggregation choice change the figures as the core says', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl');
  let seq = await waitDrawn(page);
  for (const [threshold, method] of [['0.9', 'dawid_skene'], ['0.3', 'weighted'], ['0.75', 'majority']]) {
    await page.$eval('#min-rel', (el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }, threshold);
    await page.selectOption('#aggregation', method);
    // Drawn from exactly these settings (each drawn result names its own).
    await page.waitForFunction(([t, m]) => {
      const s = JSON.parse(document.body.dataset.settings ?? '{}');
      return document.body.dataset.state === 'ready' && s.min_reliability === Number(t) && s.aggregation === m;
    }, [threshold, method]);
    seq = await page.evaluate(() => Number(document.body.dataset.seq));
    const expected = nativeReport(files.annotations, '--min-reliability', threshold);
    const s = await shown(page);
    assertFigures(s, expected, method);
    assert.equal(Number(s.counts['annotators below min reliability']), expected.filtered.annotators_removed.length);
    assert.equal(Number(s.counts['items left without a label']), expected.filtered.items_without_label.length);
    // The final labels themselves, through the export.
    const labels = (await download(page, 'labels')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.fromEntries(labels.map((l) => [l.item, l.label])), expected.labels[method], `${method} at ${threshold}`);
    assert.ok(labels.every((l) => l.method === method && l.min_reliability === Number(threshold)));
  }
  await screenshot(page, 'dashboard-slider');
  await page.close();
});

async function download(page, kind) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${kind}"]`)]);
  return fs.readFileSync(await dl.path(), 'utf8');
}

/** RFC 4180 CSV to rows of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

test('exports parse and match the core', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl&task=/fixtures/task.json&min_reliability=0.5&aggregation=dawid_skene');
  await waitDrawn(page);
  const expected = nativeReport(files.annotations, '--min-reliability', '0.5');

  const labels = (await download(page, 'labels')).trim().split('\n').map((l) => JSON.parse(l));
  const byItem = Object.fromEntries(labels.map((l) => [l.item, l.label]));
  assert.deepEqual(byItem, expected.labels.dawid_skene);
  for (const l of labels) assert.ok(l.confidence === null || (l.confidence >= 0 && l.confidence <= 1));

  const task = JSON.parse(data.task);
  const texts = new Map(task.examples.map((e) => [e.id, e]));
  const dpo = (await download(page, 'dpo')).trim().split('\n').map((l) => JSON.parse(l));
  const decided = Object.entries(expected.labels.dawid_skene).filter(([item, l]) => l !== '=' && texts.has(item));
  assert.equal(dpo.length, decided.length);
  for (const d of dpo) {
    const want = expected.labels.dawid_skene[d.item];
    const ex = texts.get(d.item);
    assert.equal(d.prompt, ex.prompt);
    assert.equal(d.chosen, want.startsWith('A') ? ex.response_a : ex.response_b);
    assert.equal(d.rejected, want.startsWith('A') ? ex.response_b : ex.response_a);
    assert.equal(d.margin, want.endsWith('>>') ? 2 : 1);
    assert.ok(d.weight >= 0 && d.weight <= 1);
  }
  await page.check('#include-ties');
  const withTies = (await download(page, 'dpo')).trim().split('\n');
  const ties = Object.entries(expected.labels.dawid_skene).filter(([item, l]) => l === '=' && texts.has(item)).length;
  assert.equal(withTies.length, decided.length + ties);

  const csv = parseCsv(await download(page, 'csv'));
  const header = csv[0];
  assert.ok(header.includes('id') && header.includes('composite') && header.includes('position_bias_share_left'));
  assert.equal(csv.length - 1, expected.annotators.length);
  for (const a of expected.annotators) {
    const row = csv.find((r) => r[0] === a.id);
    assert.ok(row, `CSV row for ${a.id}`);
    assert.equal(Number(row[header.indexOf('total')]), a.total);
    assert.equal(Number(row[header.indexOf('composite')]), a.composite);
  }
  await page.close();
});

test('a bad line is named and the rest loads when asked', { skip }, async () => {
  const page = await open('data=/fixtures/bad.jsonl&gold=/fixtures/gold.jsonl');
  await page.waitForSelector('#error:not([hidden])');
  const message = await page.textContent('#error-text');
  assert.match(message, /line 7/);
  assert.match(message, /A>>>/);
  await screenshot(page, 'dashboard-bad-line');
  await page.click('#skip-invalid');
  await waitDrawn(page);
  const expected = nativeReport(files.bad, '--skip-invalid');
  const s = await shown(page);
  assertFigures(s, expected, 'majority');
  assert.equal(Number(s.counts['skipped lines']), 1);
  // The list of skipped lines names it.
  const listed = await page.$$eval('#skipped li', (lis) => lis.map((li) => li.textContent));
  assert.equal(listed.length, 1);
  assert.match(listed[0], /line 7/);
  await page.close();
});

test('items below the target overlap are counted', { skip }, async () => {
  // Every item has 4 labels: with a target of 5, every non-gold item lacks one.
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl&overlap=5');
  await waitDrawn(page);
  const goldItems = new Set(data.gold.trim().split('\n').map((l) => JSON.parse(l).item));
  const perItem = new Map();
  for (const a of data.annotations.trim().split('\n').map((l) => JSON.parse(l))) perItem.set(a.item, (perItem.get(a.item) ?? 0) + 1);
  const lacking = [...perItem].filter(([item, n]) => !goldItems.has(item) && n < 5).length;
  assert.equal(Number((await shown(page)).counts['items below 5 labels']), lacking);
  assert.ok(lacking > 0);
  await page.close();
});

test('the cost panel prices the approaches from the hourly rate and this collection, beside the reference', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl');
  await waitDrawn(page);
  await page.waitForSelector('#cost-out tr[data-approach="human_only"]');
  // Measured: every annotation has a time; paid at the default $15 an hour, over the non-gold items.
  const rows = data.annotations.trim().split('\n').map((l) => JSON.parse(l));
  const goldItems = new Set(data.gold.trim().split('\n').map((l) => JSON.parse(l).item));
  const seconds = rows.reduce((s, a) => s + a.time_seconds, 0);
  const pairs = new Set(rows.map((a) => a.item).filter((i) => !goldItems.has(i))).size;
  const perPair = (seconds / 3600) * 15 / pairs;
  assert.equal(await page.textContent('[data-cost="per-pair"]'), `$${perPair.toFixed(2)}`);
  const goldSeconds = rows.filter((a) => goldItems.has(a.item)).reduce((s, a) => s + a.time_seconds, 0);
  const goldShare = goldSeconds / seconds;
  assert.match(await page.textContent('[data-cost="gold-share"]'), new RegExp(`^${(100 * goldShare).toFixed(1)}%`));
  // People only: overlap x measured seconds a label x rate, over the labels not spent on gold.
  const perLabel = seconds / rows.length;
  const people = async () => Number(await page.getAttribute('tr[data-approach="human_only"] td[data-per-pair]', 'data-per-pair'));
  const want = (rate) => (3 * perLabel * rate) / 3600 / (1 - goldShare);
  assert.ok(Math.abs(await people() - want(15)) < 1e-9, `${await people()} vs ${want(15)}`);
  // Its expected agreement is this collection's ordinal alpha after the filter, marked as measured;
  // the judge's is an assumption until the judge panel has measured one.
  const alpha = Number(await page.getAttribute('#cards .card[data-key="krippendorff_alpha.ordinal"] .value.kept', 'data-kept'));
  const kappa = await page.$eval('tr[data-approach="human_only"] td[data-kappa]', (td) => [Number(td.dataset.kappa), td.dataset.measured]);
  assert.deepEqual(kappa, [alpha, 'true']);
  assert.equal(await page.getAttribute('tr[data-approach="ai_only"] td[data-kappa]', 'data-measured'), 'false');
  // The hourly rate moves the table.
  await page.fill('#hourly', '30');
  await page.waitForFunction((w) => Math.abs(Number(document.querySelector('tr[data-approach="human_only"] td[data-per-pair]')
    ?.dataset.perPair) - w) < 1e-9, want(30));
  // The published figures, labelled as such: 10K pairs for $20,000 at kappa 0.72.
  assert.match(await page.textContent('#cost-reference tr[data-reference="10000"]'), /\$20,000.*0\.72/s);
  assert.match(await page.textContent('#cost-out'), /published planning figures/);
  await screenshot(page, 'dashboard-cost');
  await page.close();
});

// ---- live, against the real collector ----

function collectorMissing() {
  if (skip) return skip;
  try {
    execFileSync(BIN, ['serve', '--help'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'the prefkit command has no serve subcommand yet';
  }
}

test('a failed load marks every panel as the previous data and keeps its figures', { skip }, async () => {
  const expected = nativeReport(files.annotations);
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl&task=/fixtures/task.json');
  const seq = await waitDrawn(page);
  const marks = () => page.$$eval('section.panel', (els) => els.map((el) => ({
    id: el.id, stale: el.classList.contains('stale'),
    note: el.querySelector('.stale-note').hidden ? null : el.querySelector('.stale-note').textContent,
  })));
  assert.ok((await marks()).every((m) => !m.stale && m.note === null));
  await page.fill('#url', `${server.url}/fixtures/missing.jsonl`);
  await page.click('#url-form button[type=submit]');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error-text'), /missing\.jsonl.*HTTP 404/);
  const after = await marks();
  assert.equal(after.length, 8);
  for (const m of after) {
    assert.ok(m.stale, `${m.id} is marked`);
    assert.match(m.note, /^Previous data: the annotations from .*missing\.jsonl could not be loaded; these figures are still those of .*annotations\.jsonl\.$/, m.id);
  }
  // The figures are the previous file's, and the inputs still name it.
  assertFigures(await shown(page), expected, 'majority');
  assert.match(await page.textContent('#source-annotations'), /fixtures\/annotations\.jsonl \(URL\)$/);
  // A bad file (a refused line) is the same: nothing of it replaces the previous data.
  await page.fill('#url', `${server.url}/fixtures/bad.jsonl`);
  await page.click('#url-form button[type=submit]');
  await page.waitForFunction(() => /line 7/.test(document.getElementById('error-text').textContent));
  assert.ok((await marks()).every((m) => m.stale));
  assertFigures(await shown(page), expected, 'majority');
  // Loading good data clears the marks.
  await page.fill('#url', `${server.url}/fixtures/annotations.json`);
  await page.click('#url-form button[type=submit]');
  await waitDrawn(page, seq);
  assert.ok((await marks()).every((m) => !m.stale && m.note === null));
  assert.match(await page.textContent('#source-annotations'), /fixtures\/annotations\.json \(URL\)$/);
  await page.close();
});

test('a computation in progress greys the panels it will replace', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl');
  const seq = await waitDrawn(page);
  // The slider's move greys every panel at once, before the worker answers.
  const pending = await page.evaluate(() => {
    const el = document.getElementById('min-rel');
    el.value = '0.8';
    el.dispatchEvent(new Event('input'));
    return [...document.querySelectorAll('section.panel')].map((s) => [s.id, s.classList.contains('pending'), s.getAttribute('aria-busy')]);
  });
  assert.equal(pending.length, 8);
  for (const [id, grey, busy] of pending) assert.ok(grey && busy === 'true', `${id} greyed while computing`);
  await waitDrawn(page, seq);
  assert.ok(await page.$$eval('section.panel', (els) => els.every((s) => !s.classList.contains('pending'))));
  await page.close();
});

/** The fixture without the annotations of `removed` annotators, as a file. */
function without(removed, name) {
  const out = path.join(tmp, name);
  const gone = new Set(removed);
  fs.writeFileSync(out, data.annotations.trim().split('\n').filter((l) => !gone.has(JSON.parse(l).annotator)).join('\n') + '\n');
  return out;
}

test('agreement after the reliability filter equals prefkit report on the kept annotators alone, card by card and over time', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl');
  let seq = await waitDrawn(page);
  for (const threshold of ['0.6', '0.9']) {
    if (threshold !== '0.6') {
      await page.$eval('#min-rel', (el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }, threshold);
      await page.waitForFunction((t) => JSON.parse(document.body.dataset.settings).min_reliability === Number(t), threshold);
      seq = await page.evaluate(() => Number(document.body.dataset.seq));
    }
    const all = nativeReport(files.annotations, '--min-reliability', threshold);
    assert.ok(all.filtered.annotators_removed.length > 0, `someone is below ${threshold}`);
    const kept = nativeReport(without(all.filtered.annotators_removed, `kept-${threshold}.jsonl`));
    const cards = await page.$$eval('#cards .card', (cs) => Object.fromEntries(cs.map((c) => [c.dataset.key,
      [c.querySelector('.value[data-value]').dataset.value, c.querySelector('.value.kept').dataset.kept]])));
    for (const key of ['pairwise', 'pairwise_directional', 'fleiss_kappa', 'krippendorff_alpha.ordinal', 'krippendorff_alpha.nominal']) {
      assert.equal(Number(cards[key][0]), num(get(all.agreement, key)), `${key} of all at ${threshold}`);
      assert.equal(Number(cards[key][1]), num(get(kept.agreement, key)), `${key} after the filter at ${threshold}`);
    }
    const last = JSON.parse(await page.getAttribute('#plot-timeline', 'data-last'));
    assert.equal(last.kept_alpha_ordinal, kept.agreement.krippendorff_alpha.ordinal);
    assert.equal(last.alpha_ordinal, all.agreement.krippendorff_alpha.ordinal);
  }
  await page.close();
});

test('the headline card is ordinal alpha, says why, and the others are marked as supporting', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl');
  await waitDrawn(page);
  assert.equal(await page.getAttribute('#hero', 'data-key'), 'krippendorff_alpha.ordinal');
  assert.match(await page.textContent('#hero .hero-title'), /Krippendorff's alpha \(ordinal\)\s*headline/i);
  const why = await page.textContent('#why');
  assert.match(why, /Headline for 5-point ordinal labels/);
  assert.match(why, /near miss/);
  const tags = await page.$$eval('#cards .card', (cs) => cs.map((c) => [c.dataset.key, c.querySelector('.tag').textContent]));
  for (const [key, tag] of tags) assert.equal(tag, key === 'krippendorff_alpha.ordinal' ? 'headline' : 'supporting', key);
  // The headline comes first on the page.
  const order = await page.$$eval('#hero, #cards, #plots', (els) => els.map((e) => e.getBoundingClientRect().top));
  assert.ok(order[0] < order[1] && order[1] < order[2]);
  await page.close();
});

test('the cards and the band show the bootstrap intervals of prefkit report --ci', { skip }, async () => {
  const page = await open('data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl');
  const seq = await waitDrawn(page);
  await page.waitForFunction((s) => document.body.dataset.band === String(s), seq);
  const cards = nativeReport(files.annotations, '--ci', '0.95', '--resamples', '1000', '--seed', '0');
  for (const key of ['pairwise', 'fleiss_kappa', 'krippendorff_alpha.ordinal']) {
    const ci = await page.getAttribute(`#cards .card[data-key="${key}"] .pair > div:first-child .ci-text`, 'data-ci');
    assert.deepEqual(ci.split(',').map(Number), get(cards.agreement.ci, key), key);
  }
  assert.match(await page.textContent('#ci-note'), /95% percentile bootstrap over items, 1000 resamples, seed 0/);
  // After the filter: the interval of the kept annotators' lines alone.
  const kept = nativeReport(without(cards.filtered.annotators_removed, 'kept-ci.jsonl'), '--ci', '0.95', '--resamples', '1000', '--seed', '0');
  const keptCi = await page.getAttribute('#cards .card[data-key="krippendorff_alpha.ordinal"] .pair > div:last-child .ci-text', 'data-ci');
  assert.deepEqual(keptCi.split(',').map(Number), kept.agreement.ci.krippendorff_alpha.ordinal);
  // The band's last point is the whole file's interval with the band's 200 resamples.
  const band = JSON.parse(await page.getAttribute('#plot-timeline', 'data-band'));
  const whole = nativeReport(files.annotations, '--ci', '0.95', '--resamples', '200', '--seed', '0');
  assert.deepEqual(band.last, whole.agreement.ci.krippendorff_alpha.ordinal);
  assert.equal(band.resamples, 200);
  assert.match(await page.textContent('#band-note'), /200 resamples each/);
  await page.close();
});

test('controls that would do nothing are disabled and say why', { skip }, async () => {
  const page = await open('');
  await page.waitForFunction(() => document.body.dataset.state === 'idle');
  for (const kind of ['labels', 'dpo', 'csv']) {
    assert.ok(await page.isDisabled(`[data-export="${kind}"]`), `${kind} export without data`);
    assert.equal(await page.getAttribute(`[data-export="${kind}"]`, 'title'), 'load annotations first');
  }
  assert.ok(await page.isDisabled('#live-stop'));
  assert.ok(await page.isDisabled('#active-run'));
  assert.match(await page.getAttribute('#active-run', 'title'), /load a task file/);
  await page.fill('#url', `${server.url}/fixtures/annotations.jsonl`);
  await page.click('#url-form button[type=submit]');
  await waitDrawn(page);
  // With data but no task: DPO pairs cannot be written, and the page says so.
  assert.ok(!(await page.isDisabled('[data-export="labels"]')));
  assert.ok(await page.isDisabled('[data-export="dpo"]'));
  assert.match(await page.textContent('#export-why'), /DPO pairs: load the task file first/);
  await page.close();
});

test('the judge\'s human-queue export is disabled, with the reason, when every verdict is accepted', { skip }, async () => {
  // Confident verdicts on every example: at threshold 0.5 nothing goes to people.
  const examples = JSON.parse(data.task).examples;
  const results = path.join(tmp, 'confident-judge.jsonl');
  fs.writeFileSync(results, examples.map((e) => JSON.stringify({ item: e.id, label: 'A>', confidence: 0.95 })).join('\n') + '\n');
  const page = await open('data=/fixtures/annotations.jsonl&task=/fixtures/task.json');
  await waitDrawn(page);
  await page.fill('#judge-threshold', '0.5');
  await page.fill('#judge-spot', '0');
  await page.setInputFiles('#judge-results-file', results);
  await page.waitForFunction(() => Number(document.getElementById('judge').dataset.routed) > 0);
  assert.equal(await page.textContent('[data-queue="human"]'), '0');
  assert.ok(await page.isDisabled('[data-judge-export="human-queue"]'));
  assert.equal(await page.getAttribute('[data-judge-export="human-queue"]', 'title'), 'the human queue is empty');
  assert.match(await page.textContent('#judge-export-why'), /Human queue as a task: the human queue is empty\./);
  assert.ok(!(await page.isDisabled('[data-judge-export="results"]')));
  await page.close();
});

test('what to label next picks items with its defaults, and a task with scores loaded after the annotations switches to hybrid', { skip }, async () => {
  const sample = path.join(WWW, 'sample');
  const page = await open('');
  await page.waitForFunction(() => document.body.dataset.state === 'idle');
  await page.setInputFiles('#file', path.join(sample, 'annotations.jsonl'));
  await waitDrawn(page);
  assert.equal(await page.inputValue('#active-strategy'), 'diversity', 'no task: no scores');
  await page.setInputFiles('#task-file', path.join(sample, 'task.json'));
  await page.waitForFunction(() => document.getElementById('active-strategy').value === 'hybrid');
  assert.match(await page.textContent('#source-task'), /^task\.json \(file\)$/);
  assert.ok(!(await page.isDisabled('#active-run')));
  await page.click('#active-run');
  await page.waitForFunction(() => document.getElementById('active').dataset.selected !== undefined);
  const picked = Number(await page.getAttribute('#active', 'data-selected'));
  assert.ok(picked > 0, `picked ${picked}`);
  await page.close();
});

test('at 800 px the page does not scroll sideways and the headline comes first', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  await page.goto(`${server.url}/dashboard.html?data=/fixtures/annotations.jsonl&gold=/fixtures/gold.jsonl&task=/fixtures/task.json`);
  await waitDrawn(page);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 800);
  const top = await page.$$eval('#hero, #cards, #plots', (els) => els.map((e) => e.getBoundingClientRect().top));
  assert.ok(top[0] < top[1] && top[1] < top[2]);
  await page.close();
});

const token = 'dashboard-test-token';

/** A real collector serving www/ and the fixture task; {base, proc}. */
async function startCollector(db) {
  // Port 0: the collector picks a free port and prints "listening on URL" first.
  const proc = spawn(BIN, ['serve', '--db', path.join(tmp, db), '--www', WWW,
    '--addr', '127.0.0.1:0', '--admin-token', token, '--task', files.liveTask], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (\S+)/);
      if (m) resolve(m[1].replace(/\/+$/, ''));
    });
    proc.on('exit', (code) => reject(new Error(`prefkit serve exited with ${code}: ${out}`)));
  });
  return { base, proc };
}

test('the live stream from the collector updates the figures and flags as its report does', { skip: collectorMissing() }, async () => {
  const task = JSON.parse(data.task);
  const { base, proc } = await startCollector('live.sqlite');
  try {
    const lines = data.annotations.trim().split('\n').map((l) => ({ ...JSON.parse(l), task_id: task.task_id }));
    const post = (batch) => fetch(`${base}/api/annotations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    assert.ok((await post(lines.slice(0, 100))).ok);
    const page = await browser.newPage();
    await page.goto(`${base}/dashboard.html?live=${encodeURIComponent(base)}&task_id=${task.task_id}&token=${token}`);
    let seq = await waitDrawn(page);
    assert.equal(Number((await shown(page)).counts.annotations), 100);
    assert.ok((await post(lines.slice(100))).ok);
    await page.waitForFunction((n) => document.querySelector('#counts dd[data-count="annotations"]')?.textContent === String(n),
      lines.length, { timeout: 20_000 });
    seq = await page.evaluate(() => Number(document.body.dataset.seq));
    const all = path.join(tmp, 'live.jsonl');
    fs.writeFileSync(all, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    assertFigures(await shown(page), nativeReport(all), 'majority');
    // A skip comes over the stream too, and counts in its annotator's row.
    const skip = { id: 'live-skip', task_id: task.task_id, item: lines[0].item, annotator: 'w-skipper', skip: 'I can\'t judge this' };
    const skipped = await post([skip]);
    assert.ok(skipped.ok, await skipped.text());
    await page.waitForSelector('#annotator-table tbody tr[data-id="w-skipper"]', { timeout: 20_000 });
    // The job's progress comes from the collector's progress endpoint.
    const progress = await (await fetch(`${base}/api/tasks/${task.task_id}/progress`,
      { headers: { authorization: `Bearer ${token}` } })).json();
    await page.waitForFunction((p) => document.querySelector('#live-progress')?.textContent
      === `${p.complete} of ${p.items} items complete, ${p.leased} held by annotators, `
        + `${p.open} waiting; ${p.labels} labels, ${p.skips} skips`, progress, { timeout: 10_000 });
    assert.ok(progress.labels > 0);
    // The gold answers come from the collector, so the flags are the collector's report's.
    assert.equal(await page.getAttribute('#source-gold', 'data-from'), 'collector');
    const report = await (await fetch(`${base}/api/tasks/${task.task_id}/report`,
      { headers: { authorization: `Bearer ${token}` } })).json();
    const flagged = flaggedIn(report);
    assert.ok(flagged.length > 0, 'the fixture has annotators the collector flags');
    assert.notDeepEqual(flagged, flaggedIn(nativeReport(all)), 'the task\'s thresholds flag others than the defaults');
    assert.deepEqual(await flaggedShown(page), flagged);
    const keys = await page.$$eval('#annotator-table thead th', (ths) => ths.map((th) => th.dataset.key));
    const skipsShown = await page.$eval('#annotator-table tbody tr[data-id="w-skipper"]', (tr, i) => tr.cells[i].textContent, keys.indexOf('skips'));
    assert.equal(Number(skipsShown), report.annotators.find((a) => a.id === 'w-skipper').skips);
    assert.equal(report.annotators.find((a) => a.id === 'w-skipper').skips, 1);
    await screenshot(page, 'dashboard-live');
    await page.close();
  } finally {
    proc.kill('SIGTERM');
  }
});

test('a wrong admin token stops the live view and says the token is wrong', { skip: collectorMissing() }, async () => {
  const task = JSON.parse(data.task);
  const { base, proc } = await startCollector('wrong-token.sqlite');
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/dashboard.html?live=${encodeURIComponent(base)}&task_id=${task.task_id}&token=not-the-token`);
    await page.waitForFunction(() => /stopped/.test(document.getElementById('live-status').textContent));
    assert.match(await page.textContent('#live-status'), /refused the admin token \(HTTP 401\); check the token/);
    assert.ok(await page.$eval('#live-status', (el) => el.classList.contains('bad')));
    assert.ok(await page.isDisabled('#live-stop'), 'nothing left to stop');
    await page.close();
    // Over data already shown, the refused stream marks it as the previous data's.
    const shownFirst = await browser.newPage();
    await shownFirst.goto(`${base}/dashboard.html?data=sample/annotations.jsonl`);
    await waitDrawn(shownFirst);
    await shownFirst.fill('#live-base', base);
    await shownFirst.fill('#live-task', task.task_id);
    await shownFirst.fill('#live-token', 'not-the-token');
    await shownFirst.click('#live-start');
    await shownFirst.waitForFunction(() => /stopped/.test(document.getElementById('live-status').textContent));
    const notes = await shownFirst.$$eval('section.panel .stale-note', (ps) => ps.map((p) => (p.hidden ? null : p.textContent)));
    assert.equal(notes.length, 8);
    for (const n of notes) assert.match(n, /^Previous data: following the collector stopped .*sample\/annotations\.jsonl\.$/);
    assert.equal(await shownFirst.evaluate(() => document.body.dataset.state), 'ready');
    await shownFirst.close();
  } finally {
    proc.kill('SIGTERM');
  }
});
