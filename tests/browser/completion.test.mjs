// Flagging, gold feedback and the ways a finished annotator leaves the page:
// MTurk's external-question submit, Prolific's completion redirect, and the
// prefkit:done event and parent-frame message of an embedded page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkModuleBuilt, startBackend, launch, tempDir, writeTask, routeTasks, annotateUrl,
  openAnnotator, waitState, answerByKeyboard, waitAllSent, exportAnnotations, shownItem, FLIP,
} from './lib/harness.mjs';

let backend; let browser; let flag; let fb; let small;

before(async () => {
  checkModuleBuilt();
  const dir = tempDir();
  flag = writeTask(dir, { id: 'flag', n: 10, gold: 6, config: { batch_size: 12, gold_fraction: 0.5, min_gold_for_flag: 5, min_gold_accuracy: 0.6 } });
  fb = writeTask(dir, { id: 'feedback', n: 6, gold: 2, config: { batch_size: 6, gold_fraction: 0.34, gold_feedback: true } });
  small = writeTask(dir, { id: 'small', n: 12, config: { batch_size: 3 } });
  backend = await startBackend({ tasks: [flag.file, fb.file, small.file] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await backend?.close();
});

const open = (params, files, init) => openAnnotator(browser, backend.url, files, params, init);

/** The key that answers gold item `id` wrongly (the other side), as shown. */
function wrongKey(task, id, swapped) {
  const g = task.gold.find((x) => x.id === id);
  const wrongCanonical = g.label.startsWith('A') ? 'B>>' : 'A>>';
  const shown = swapped ? FLIP[wrongCanonical] : wrongCanonical;
  return shown === 'A>>' ? 1 : 5;
}

test('an annotator who fails five gold items is told politely and gets no more items, also after a reload', async () => {
  const { context, page } = await open({ task: 'test-tasks/flag.json', annotator: 'bad-1', seed: '9' }, [flag.file]);
  let golds = 0;
  const answered = [];
  for (;;) {
    const state = await waitState(page, ['item', 'flagged', 'done']);
    if (state !== 'item') break;
    const { id, left } = await shownItem(page);
    const isGold = flag.task.gold.some((g) => g.id === id);
    if (isGold) golds += 1;
    answered.push(...await answerByKeyboard(page, () => (isGold ? wrongKey(flag.task, id, left.includes('canonical B')) : 3), { limit: 1 }));
  }
  assert.equal(await waitState(page, 'flagged'), 'flagged');
  assert.equal(golds, 5, 'flagged right at the fifth wrong gold answer');
  assert.ok(answered.length < 12, 'the rest of the batch is withheld');
  const text = await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('message').textContent);
  assert.match(text, /Thank you/);
  assert.match(text, /not sending you more items/);
  await waitAllSent(page, answered.length);
  await page.reload();
  assert.equal(await waitState(page, 'flagged'), 'flagged', 'still flagged after a reload');
  assert.equal(await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.querySelectorAll('#message-actions button').length), 0, 'no way to ask for more');
  assert.equal((await exportAnnotations(backend.direct, 'flag')).length, answered.length);
  await context.close();
});

test('with gold feedback on, a gold answer is followed by the reference answer and its explanation', async () => {
  const { context, page } = await open({ task: 'test-tasks/feedback.json', annotator: 'fb-1', seed: '2' }, [fb.file]);
  let sawFeedback = false;
  for (;;) {
    const state = await waitState(page, ['item', 'feedback', 'done']);
    if (state === 'done') break;
    if (state === 'feedback') {
      const text = await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('feedback').textContent);
      assert.match(text, /Reference: /);
      assert.match(text, /has a known answer/);
      sawFeedback = true;
      await page.keyboard.press('Enter');
      continue;
    }
    await page.keyboard.press('3');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('prefkit-annotator').getAttribute('state') !== 'grace');
    await page.waitForFunction(() => document.querySelector('prefkit-annotator').getAttribute('state') !== 'saving');
  }
  assert.ok(sawFeedback);
  await context.close();
});

test('MTurk: the worker id is the annotator and the HIT is submitted to turkSubmitTo with the assignment id', async () => {
  const { context, page } = await open({ task: 'test-tasks/small.json', workerId: 'MTURKW1', assignmentId: 'ASSIGN1', hitId: 'HIT1', turkSubmitTo: `${backend.url}/turk`, seed: '1' }, [small.file]);
  let submitted = null;
  await context.route(`${backend.url}/turk/**`, async (route) => {
    submitted = { url: route.request().url(), method: route.request().method(), body: route.request().postData() };
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>submitted</p>' });
  });
  const answered = await answerByKeyboard(page, () => 2);
  assert.equal(answered.length, 3);
  await waitAllSent(page, 3);
  await page.waitForFunction(() => !document.getElementById('completion').hidden);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'completion-button', 'the submit button has the focus');
  assert.equal(await page.locator('#completion-button').textContent(), 'Submit the HIT');
  await Promise.all([page.waitForURL(`${backend.url}/turk/mturk/externalSubmit`), page.keyboard.press('Enter')]);
  assert.equal(submitted.method, 'POST');
  assert.equal(submitted.url, `${backend.url}/turk/mturk/externalSubmit`);
  const form = new URLSearchParams(submitted.body);
  assert.equal(form.get('assignmentId'), 'ASSIGN1');
  assert.equal(form.get('annotations'), '3');
  const stored = (await exportAnnotations(backend.direct, 'small')).filter((a) => a.annotator === 'MTURKW1');
  assert.equal(stored.length, 3);
  await context.close();
});

test('MTurk preview (no assignment yet) shows the guidelines and no items', async () => {
  const { context, page } = await open({ task: 'test-tasks/small.json', workerId: 'MTURKW2', assignmentId: 'ASSIGNMENT_ID_NOT_AVAILABLE', hitId: 'HIT1', turkSubmitTo: `${backend.url}/turk` }, [small.file]);
  assert.equal(await waitState(page, ['preview', 'item']), 'preview');
  assert.ok(await page.evaluate(() => document.querySelector('prefkit-annotator').shadowRoot.getElementById('guidelines').open));
  await context.close();
});

test('Prolific: the participant id is the annotator and the page returns with the completion code', async () => {
  const { context, page } = await open({ task: 'test-tasks/small.json', PROLIFIC_PID: 'PROLIFIC1', STUDY_ID: 'STUDY1', SESSION_ID: 'SESS1', cc: 'C0DE42', seed: '4' }, [small.file]);
  await context.route('https://app.prolific.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>complete</p>' }));
  await answerByKeyboard(page, () => 4);
  await waitAllSent(page, 3);
  await page.waitForFunction(() => !document.getElementById('completion').hidden);
  assert.equal(await page.locator('#completion-button').textContent(), 'Return to Prolific');
  await Promise.all([page.waitForURL('https://app.prolific.com/**'), page.keyboard.press('Enter')]);
  assert.equal(page.url(), 'https://app.prolific.com/submissions/complete?cc=C0DE42');
  const stored = (await exportAnnotations(backend.direct, 'small')).filter((a) => a.annotator === 'PROLIFIC1');
  assert.equal(stored.length, 3);
  await context.close();
});

test('embedded in a frame, the finished page posts prefkit:done to its parent', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await routeTasks(context, backend.url, [small.file]);
  const src = annotateUrl(backend.url, { task: 'test-tasks/small.json', endpoint: `${backend.url}/api/annotations`, annotator: 'framed-1', grace: '10', seed: '6' });
  await context.route(`${backend.url}/test-host/frame.html`, (route) => route.fulfill({
    status: 200,
    contentType: 'text/html',
    body: `<!doctype html><script>window.messages = []; addEventListener('message', (e) => window.messages.push(e.data));</script><iframe id="f" title="annotator" src="${src}" width="1200" height="800"></iframe>`,
  }));
  const page = await context.newPage();
  await page.goto(`${backend.url}/test-host/frame.html`);
  const frame = page.frames().find((f) => f.url().includes('annotate.html'));
  await frame.waitForFunction(() => document.querySelector('prefkit-annotator')?.getAttribute('state') === 'item');
  await page.focus('#f');
  const answered = await answerByKeyboard(frame, () => 5);
  assert.equal(answered.length, 3);
  await page.waitForFunction(() => window.messages.some((m) => m && m.type === 'prefkit:done'));
  const msg = (await page.evaluate(() => window.messages)).find((m) => m.type === 'prefkit:done');
  assert.equal(msg.annotator, 'framed-1');
  assert.equal(msg.task_id, 'small');
  assert.equal(msg.count, 3);
  assert.equal(msg.flagged, false);
  await context.close();
});
