// <prefkit-annotator> embedded in a host page that has its own inputs:
// keys work wherever the worker clicks inside the element, typing in the
// host's inputs never labels, listeners go when the element leaves the
// page, and every load failure is shown inside the element and fired as
// `prefkit:error`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkModuleBuilt, startBackend, launch, tempDir, writeTask, routeTasks, waitState, shownItem,
} from './lib/harness.mjs';

let backend; let browser; let task;

before(async () => {
  checkModuleBuilt();
  const dir = tempDir();
  task = writeTask(dir, { id: 'embed', n: 10, config: { batch_size: 5 } });
  backend = await startBackend({ tasks: [task.file] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

/** A host page of its own, with inputs, around one element with `attrs`. */
function hostPage(attrs) {
  const a = Object.entries(attrs).map(([k, v]) => (v === true ? k : `${k}="${v}"`)).join(' ');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="/js/prefkit-annotator.js"></script></head>
<body style="margin:0;padding:20px;font:16px sans-serif">
<form id="host-form" onsubmit="event.preventDefault()"><label>Your name <input id="host-input"></label>
<textarea id="host-text"></textarea><div id="host-edit" contenteditable="true">edit me</div></form>
<p id="host-para">Some text of the host page.</p>
<prefkit-annotator ${a}></prefkit-annotator>
<script>
  window.prefkitErrors = [];
  addEventListener('prefkit:error', (e) => window.prefkitErrors.push(e.detail));
</script>
</body></html>`;
}

async function openHost(attrs, { route } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await routeTasks(context, backend.url, [task.file]);
  if (route) await route(context);
  await context.route(`${backend.url}/host.html`, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: hostPage(attrs) }));
  const page = await context.newPage();
  await page.goto(`${backend.url}/host.html`);
  return { context, page };
}

const state = (page) => page.evaluate(() => document.querySelector('prefkit-annotator').getAttribute('state'));

test('after a click on any part of the element, keys 1-5 choose and U undoes', async () => {
  const { context, page } = await openHost({ task: 'test-tasks/embed.json', endpoint: `${backend.url}/api/annotations`, annotator: 'emb-1', grace: '10' });
  await waitState(page, 'item');
  const parts = ['#title', '#progress-text', '#prompt', '#left', '#right', '#left-h', '.pair', '.choices legend', '#net', '.root'];
  for (const part of parts) {
    await page.locator(`prefkit-annotator ${part}`).first().click({ position: { x: 3, y: 3 } });
    await page.keyboard.press('2');
    assert.equal(await state(page), 'grace', `key 2 after a click on ${part}`);
    await page.keyboard.press('u');
    assert.equal(await state(page), 'item', `key U after a click on ${part}`);
  }
  // Selecting a response's text by dragging leaves the keys working too.
  const box = await page.locator('prefkit-annotator #right').boundingBox();
  await page.mouse.move(box.x + 5, box.y + 5);
  await page.mouse.down();
  await page.mouse.move(box.x + 120, box.y + 8);
  await page.mouse.up();
  await page.keyboard.press('4');
  assert.equal(await state(page), 'grace');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('progress-text').textContent === '1 / 5');
  await context.close();
});

test('typing in the host page\'s own inputs labels nothing, with and without global-keys', async () => {
  const { context, page } = await openHost({ task: 'test-tasks/embed.json', endpoint: `${backend.url}/api/annotations`, annotator: 'emb-2', grace: '10' });
  await waitState(page, 'item');
  const typeEverywhere = async () => {
    for (const sel of ['#host-input', '#host-text', '#host-edit']) {
      await page.click(sel);
      await page.keyboard.type('12345 su');
      await page.keyboard.press('Enter');
      assert.equal(await state(page), 'item', `typing in ${sel}`);
    }
  };
  await typeEverywhere();
  assert.equal(await page.inputValue('#host-input'), '12345 su');
  // A click on the host page's own text leaves the keys to the host.
  await page.click('#host-para');
  await page.keyboard.press('1');
  assert.equal(await state(page), 'item', 'without global-keys, keys outside the element are the host\'s');

  // global-keys (read when the element is connected): keys with the focus
  // nowhere choose; the host's inputs still never do.
  await page.evaluate(() => {
    const el = document.querySelector('prefkit-annotator');
    el.setAttribute('global-keys', '');
    document.body.append(el); // moved: disconnected and connected again
  });
  await page.click('#host-para');
  await page.keyboard.press('1');
  assert.equal(await state(page), 'grace', 'with global-keys, a key on the page chooses');
  await page.keyboard.press('u');
  await typeEverywhere();

  // Once the element has left the page its listeners are gone.
  const detached = await page.evaluate(() => {
    const el = document.querySelector('prefkit-annotator');
    el.remove();
    window.detached = el;
    return el.getAttribute('state');
  });
  await page.click('#host-para');
  await page.keyboard.press('3');
  await page.waitForTimeout(1200); // a tick of its timer, if it were still running
  assert.equal(await page.evaluate(() => window.detached.getAttribute('state')), detached);
  assert.equal(await page.evaluate(() => window.detached.shadowRoot.getElementById('grace').hidden), true);
  await context.close();
});

/** Opens a host page whose element fails to load; returns what it shows and fired. */
async function failure(attrs, route) {
  const { context, page } = await openHost(attrs, { route });
  assert.equal(await waitState(page, 'error'), 'error');
  const shown = await page.evaluate(() => {
    const root = document.querySelector('prefkit-annotator').shadowRoot;
    return { title: root.getElementById('message-h').textContent, text: root.getElementById('message-text').textContent, hint: root.getElementById('message-hint').textContent, visible: !root.getElementById('message').hidden };
  });
  const errors = await page.evaluate(() => window.prefkitErrors);
  await context.close();
  assert.equal(shown.visible, true);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].message, shown.text);
  assert.doesNotMatch(shown.text + shown.hint, /<\/?[a-z]/i, 'no raw HTML');
  return { ...shown, error: errors[0] };
}

test('every load failure is shown inside the element with what to check, and fired as prefkit:error', async () => {
  const endpoint = `${backend.url}/api/annotations`;
  const none = await failure({ endpoint, annotator: 'f' });
  assert.match(none.text, /No task given/);

  const unreachable = await failure({ task: 'embed', endpoint: 'http://127.0.0.1:9/api/annotations', annotator: 'f' });
  assert.match(unreachable.text, /Could not reach http:\/\/127\.0\.0\.1:9\/api\/tasks\/embed/);
  assert.match(unreachable.hint, /CORS/);
  assert.equal(unreachable.error.status, 0);

  const missing = await failure({ task: 'test-tasks/nope.json', endpoint, annotator: 'f' });
  assert.match(missing.text, /404/);

  // A static site with no collector answers a task id with its HTML 404 page.
  const staticSite = await failure({ task: 'embed', endpoint, annotator: 'f' }, (c) => c.route(`${backend.url}/api/tasks/*`, (r) => r.fulfill({ status: 404, contentType: 'text/html', body: '<!doctype html><h1>404 Not Found</h1>' })));
  assert.match(staticSite.hint, /needs the prefkit collector/);

  const broken = await failure({ task: 'embed', endpoint, annotator: 'f' }, (c) => c.route(`${backend.url}/api/tasks/*`, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"storage is unavailable"}' })));
  assert.match(broken.text, /\(500\): storage is unavailable/);
  assert.match(broken.hint, /try again/);
  assert.equal(broken.error.status, 500);

  const noId = await failure({ task: 'embed', annotator: 'f' });
  assert.match(noId.text, /looks like a task id/);
});

test('a 501 from a server without the annotations endpoint is shown as refused and not retried', async () => {
  let posts = 0;
  const { context, page } = await openHost({ task: 'test-tasks/embed.json', endpoint: `${backend.url}/api/annotations`, annotator: 'emb-501', grace: '0' }, {
    route: (c) => c.route(`${backend.url}/api/annotations`, (r) => {
      posts += 1;
      return r.fulfill({ status: 501, contentType: 'text/html', body: '<h1>Unsupported method</h1>' });
    }),
  });
  await waitState(page, 'item');
  await page.locator('prefkit-annotator #left').click();
  await page.keyboard.press('3');
  await page.waitForFunction(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').dataset.problems === '1');
  await page.waitForTimeout(3000);
  assert.equal(posts, 1);
  const net = await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('net').textContent);
  assert.match(net, /1 refused by the server .*501/);
  assert.equal((await shownItem(page)).progress, '1 / 5');
  await context.close();
});
