// The sample task at 1280 and 360 px (screenshots kept as artifacts),
// accessible names and focus, and the custom element's style isolation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ARTIFACTS, WWW, checkModuleBuilt, startBackend, launch, annotateUrl, waitState, shownItem,
} from './lib/harness.mjs';

let backend; let browser;

before(async () => {
  checkModuleBuilt();
  backend = await startBackend({ tasks: [path.join(WWW, 'sample/task.json')] });
  browser = await launch();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

/** Opens the sample task (no endpoint: answers stay in the browser). */
async function openSample(width, height) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(annotateUrl(backend.url, { task: 'sample/task.json', annotator: `layout-${width}`, seed: '21', grace: '10' }));
  await waitState(page, 'item');
  return { context, page };
}

for (const [width, height] of [[1280, 900], [360, 740]]) {
  test(`the sample task renders at ${width} px without horizontal scrolling and is kept as a screenshot`, async () => {
    const { context, page } = await openSample(width, height);
    await page.keyboard.press('Tab'); // focus lands on a control and is visible
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (overflow ${overflow}px)`);
    const columns = await page.evaluate(() => getComputedStyle(document.querySelector('prefkit-annotator').shadowRoot.querySelector('.pair')).gridTemplateColumns.split(' ').length);
    assert.equal(columns, width >= 700 ? 2 : 1, 'side by side when wide, stacked when narrow');
    await page.screenshot({ path: path.join(ARTIFACTS, `annotate-${width}.png`), fullPage: true });
    await page.keyboard.press('2');
    await waitState(page, 'grace');
    await page.screenshot({ path: path.join(ARTIFACTS, `annotate-grace-${width}.png`), fullPage: false });
    // On to a pair with highlighted code blocks (answers stay in the browser: no endpoint).
    await page.keyboard.press('Enter');
    const hasCode = () => page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.querySelectorAll('#left pre code .hljs-keyword, #right pre code .hljs-keyword').length > 0);
    for (let i = 0; i < 48 && !(await waitState(page, ['item', 'done']) === 'item' && await hasCode()); i++) {
      await page.keyboard.press('3');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('prefkit-annotator').getAttribute('state') !== 'grace');
    }
    assert.ok(await hasCode(), 'a sample pair with highlighted code is shown');
    const overflowCode = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflowCode <= 0, `code blocks scroll inside their box (overflow ${overflowCode}px)`);
    await page.screenshot({ path: path.join(ARTIFACTS, `annotate-code-${width}.png`), fullPage: true });
    assert.match(await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').textContent), /saved in this browser only/);
    await context.close();
  });
}

test('every control has an accessible name and the choice keys are announced', async () => {
  const { context, page } = await openSample(1280, 900);
  for (const name of ['A is much better (key 1)', 'A is better (key 2)', 'About the same (key 3)', 'B is better (key 4)', 'B is much better (key 5)']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  }
  assert.equal(await page.getByRole('progressbar', { name: 'Items done' }).count(), 1);
  assert.equal(await page.getByRole('group', { name: /Overall, which response is better/ }).count(), 1);
  const unnamed = await page.evaluate(() => [...document.querySelector('prefkit-annotator').shadowRoot.querySelectorAll('button, input, summary')]
    .filter((el) => !el.hidden && el.offsetParent !== null && !(el.getAttribute('aria-label') || el.textContent.trim())).length);
  assert.equal(unnamed, 0);
  // Tab reaches the five choice buttons; the focused one has a visible outline.
  let outline = null;
  for (let i = 0; i < 12 && outline === null; i++) {
    await page.keyboard.press('Tab');
    outline = await page.evaluate(() => {
      const a = document.querySelector('prefkit-annotator').shadowRoot.activeElement;
      return a && a.classList.contains('choice') ? getComputedStyle(a).outlineStyle + ' ' + getComputedStyle(a).outlineWidth : null;
    });
  }
  assert.equal(outline, 'solid 3px');
  await page.keyboard.press('Enter'); // activates the focused choice button
  assert.equal(await waitState(page, 'grace'), 'grace');
  await context.close();
});

test('rubric dimensions are asked for when the page is told to, and posted as shown per dimension', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(annotateUrl(backend.url, { task: 'sample/task.json', annotator: 'dims-1', seed: '8', grace: '10', dimensions: '1' }));
  await waitState(page, 'item');
  const groups = await page.getByRole('radiogroup').count();
  assert.equal(groups, 4, 'helpfulness, correctness, harmlessness, conciseness');
  await page.getByRole('radio', { name: 'correctness: A is much better' }).check();
  const { id } = await shownItem(page);
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await page.waitForFunction((i) => document.querySelector('prefkit-annotator').shadowRoot.getElementById('item').dataset.item !== i, id);
  const rec = await page.evaluate(() => new Promise((resolve) => {
    const r = indexedDB.open('prefkit');
    r.onsuccess = () => { const g = r.result.transaction('annotations').objectStore('annotations').getAll(); g.onsuccess = () => resolve(g.result[0]); };
  }));
  assert.equal(rec.submission.dimensions.correctness, 'A>>');
  assert.equal(rec.record.dimensions.correctness, rec.record.swapped ? 'B>>' : 'A>>', 'un-flipped in the record');
  await context.close();
});

test('the custom element keeps host CSS out and its own CSS in', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route(`${backend.url}/test-host/element.html`, (route) => route.fulfill({
    status: 200,
    contentType: 'text/html',
    body: `<!doctype html><style>button { background: rgb(255, 0, 0) !important; } h2 { color: rgb(0, 255, 0); } .choice { display: none !important; }</style>
      <button id="host-button">host</button>
      <script type="module" src="/js/prefkit-annotator.js"></script>
      <prefkit-annotator task="/sample/task.json" annotator="host-1" seed="3"></prefkit-annotator>`,
  }));
  const page = await context.newPage();
  await page.goto(`${backend.url}/test-host/element.html`);
  await waitState(page, 'item');
  const styles = await page.evaluate(() => {
    const root = document.querySelector('prefkit-annotator').shadowRoot;
    const b = root.querySelector('button.choice');
    return {
      inner: getComputedStyle(b).backgroundColor,
      innerDisplay: getComputedStyle(b).display,
      heading: getComputedStyle(root.querySelector('h2')).color,
      host: getComputedStyle(document.getElementById('host-button')).backgroundColor,
      hostRadius: getComputedStyle(document.getElementById('host-button')).borderTopLeftRadius,
    };
  });
  assert.notEqual(styles.inner, 'rgb(255, 0, 0)', 'host button rule does not reach inside');
  assert.equal(styles.innerDisplay, 'flex');
  assert.notEqual(styles.heading, 'rgb(0, 255, 0)');
  assert.equal(styles.host, 'rgb(255, 0, 0)', 'host page keeps its own rules');
  assert.notEqual(styles.hostRadius, '6px', 'the element\'s button style does not leak out');
  await context.close();
});

test('the landing page links resolve relative to wherever www/ is served, and its first link starts annotating', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${backend.url}/index.html`);
  const hrefs = await page.evaluate(() => [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length >= 6);
  for (const href of hrefs) {
    assert.doesNotMatch(href, /^(\/|https?:)/, `${href} is relative`);
    const file = href.split('?')[0];
    if (file === 'dashboard.html' && !fs.existsSync(path.join(WWW, file))) continue; // written on another branch
    const res = await fetch(new URL(href, `${backend.direct}/index.html`));
    assert.equal(res.status, 200, href);
  }
  await page.click('a[href^="annotate.html"]');
  assert.equal(await waitState(page, 'item'), 'item');
  await page.screenshot({ path: path.join(ARTIFACTS, 'index-first-link-1280.png') });
  await context.close();
});
