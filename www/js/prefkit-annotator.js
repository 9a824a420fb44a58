// <prefkit-annotator task="task.json" endpoint="https://host/api/annotations"
//                    annotator="w1" mode="blind" seed="7" grace="1.5"
//                    dimensions single-batch global-keys preview>
//
// The annotator's view in a shadow root (host CSS neither leaks in nor out).
// It renders what the core's session hands it and posts what the core
// returns; it decides nothing itself. Attributes are read once, when the
// element is first connected. Fires `prefkit:done` (bubbling,
// composed) with {task_id, annotator, count, flagged, problems} once the
// batch is finished (or the annotator flagged) and every annotation has
// left the outbox.

import { template, CHOICES, SHORT, FLIP } from './annotator-view.js';
import { renderMarkdown } from './render.js';
import { ItemTimer } from './timer.js';
import { sharedOutbox } from './outbox.js';
import { loadCore, loadTask, AnnotatorSession } from './session.js';
import { statusText, downloadLink } from './net-status.js';

const CSS = [new URL('../css/annotator.css', import.meta.url).href, new URL('../vendor/highlight/styles/github.min.css', import.meta.url).href];
const TEXT = Object.fromEntries(CHOICES.map((c) => [c.label, c.text]));

function randomAnnotator() {
  try {
    let id = localStorage.getItem('prefkit-annotator');
    if (!id) {
      id = `anon-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
      localStorage.setItem('prefkit-annotator', id);
    }
    return id;
  } catch {
    return `anon-${Math.floor(Math.random() * 1e9).toString(36)}`;
  }
}

export class PrefkitAnnotator extends HTMLElement {
  /** The view's state, mirrored in the host's `state` attribute for host CSS and tests:
   * loading, preview, item, grace, saving, feedback, done, flagged, error. */
  get state() { return this._state; }

  set state(value) {
    this._state = value;
    this.setAttribute('state', value);
  }

  connectedCallback() {
    this.keyTarget = this.hasAttribute('global-keys') ? document : this;
    if (this.onKey) this.keyTarget.addEventListener('keydown', this.onKey);
    if (this.started) return;
    this.started = true;
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.innerHTML = template(CSS);
    const $ = (id) => this.shadowRoot.getElementById(id);
    this.$ = $;
    this.timer = new ItemTimer();
    this.state = 'loading';
    for (const b of this.shadowRoot.querySelectorAll('button.choice')) {
      b.addEventListener('click', () => this.choose(b.dataset.choice));
    }
    $('undo').addEventListener('click', () => this.undo());
    $('confirm').addEventListener('click', () => this.commit());
    $('continue').addEventListener('click', () => this.advance());
    this.onKey = (e) => this.key(e);
    this.keyTarget.addEventListener('keydown', this.onKey);
    this.start().catch((e) => this.fail(e));
  }

  disconnectedCallback() {
    this.keyTarget?.removeEventListener('keydown', this.onKey);
  }

  async start() {
    this.message('Loading…', '');
    const attr = (n) => (this.getAttribute(n) || '').trim() || null;
    const seed = attr('seed') !== null && /^\d+$/.test(attr('seed')) ? Number(attr('seed')) : null;
    const grace = attr('grace') !== null ? Number(attr('grace')) : 1.5;
    this.graceMs = Number.isFinite(grace) ? Math.max(0, grace) * 1000 : 1500;
    this.endpoint = attr('endpoint') ? new URL(attr('endpoint'), document.baseURI).href : null;
    this.outbox = sharedOutbox();
    this.outbox.addEventListener('change', () => this.refreshNet());
    this.outbox.addEventListener('sent', (e) => this.onSent(e.detail));
    const [core, task] = await Promise.all([
      loadCore(),
      loadTask({ task: attr('task'), endpoint: this.endpoint, mode: attr('mode') }, document.baseURI),
    ]);
    this.run = new AnnotatorSession(core, task, {
      annotator: attr('annotator') || randomAnnotator(),
      endpoint: this.endpoint,
      mode: attr('mode') === 'blind' ? 'blind' : 'open',
      seed,
      outbox: this.outbox,
    });
    const t = this.run.task;
    if (t.guidelines) {
      renderMarkdown(this.$('guidelines-body'), t.guidelines);
      this.$('guidelines').hidden = false;
    }
    this.dimensions = this.wantsDimensions(t) ? Object.entries(t.rubric || {}) : [];
    this.tick = setInterval(() => this.refreshNet(), 1000);
    if (this.hasAttribute('preview')) {
      this.$('guidelines').open = true;
      this.state = 'preview';
      this.message('Preview', 'Accept the task to start annotating. Read the guidelines above meanwhile.');
      return;
    }
    const { batch, finished } = await this.run.resume();
    this.outbox.pump();
    if (this.run.flagged) return this.showFlagged();
    if (batch && finished.size < batch.items.length) return this.startBatch(batch, finished);
    if (batch) return this.showBatchDone();
    this.startBatch(await this.run.nextBatch());
  }

  /** Rubric ratings are asked for only when the host asks (attribute `dimensions`). */
  wantsDimensions(t) {
    return this.hasAttribute('dimensions') && t.rubric && Object.keys(t.rubric).length > 0;
  }

  startBatch(batch, finished = new Set()) {
    this.batch = batch;
    this.queue = batch.items.filter((i) => !finished.has(i.id));
    this.doneCount = batch.items.length - this.queue.length;
    this.$('progress-wrap').hidden = batch.items.length === 0;
    if (this.run.flagged || batch.flagged) return this.showFlagged();
    if (batch.items.length === 0) return this.showExhausted();
    this.showItem();
  }

  progress() {
    const total = this.batch.items.length;
    this.$('progress-text').textContent = `${this.doneCount} / ${total}`;
    this.$('progress-bar').max = Math.max(1, total);
    this.$('progress-bar').value = this.doneCount;
  }

  show(section) {
    for (const id of ['item', 'feedback', 'message']) this.$(id).hidden = id !== section;
  }

  showItem() {
    const item = this.queue[0];
    this.item = item;
    this.pending = null;
    this.$('item').dataset.item = item.id;
    renderMarkdown(this.$('prompt'), item.prompt);
    renderMarkdown(this.$('left'), item.response_left);
    renderMarkdown(this.$('right'), item.response_right);
    this.renderDimensions();
    for (const b of this.shadowRoot.querySelectorAll('button.choice')) b.setAttribute('aria-pressed', 'false');
    this.$('grace').hidden = true;
    this.progress();
    this.show('item');
    this.state = 'item';
    this.timer.restart();
    this.$('prompt-h').focus({ preventScroll: false });
    this.shadowRoot.querySelector('.root').scrollIntoView?.({ block: 'start' });
  }

  renderDimensions() {
    const rows = this.$('dims-rows');
    rows.replaceChildren();
    this.$('dims').hidden = this.dimensions.length === 0;
    for (const [name, spec] of this.dimensions) {
      const row = document.createElement('div');
      row.className = 'dim';
      row.setAttribute('role', 'radiogroup');
      const title = document.createElement('span');
      title.className = 'dim-name';
      title.textContent = name;
      if (spec && spec.description) title.title = spec.description;
      row.setAttribute('aria-label', spec && spec.description ? `${name}: ${spec.description}` : name);
      row.append(title);
      for (const c of CHOICES) {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'radio';
        input.name = `dim-${name}`;
        input.value = c.label;
        input.setAttribute('aria-label', `${name}: ${c.text}`);
        label.append(input, document.createTextNode(SHORT[c.label]));
        row.append(label);
      }
      rows.append(row);
    }
  }

  readDimensions() {
    const out = {};
    for (const [name] of this.dimensions) {
      const checked = [...this.$('dims-rows').querySelectorAll('input')].find((i) => i.name === `dim-${name}` && i.checked);
      if (checked) out[name] = checked.value;
    }
    return out;
  }

  key(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.composedPath()[0];
    if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) || (t.tagName === 'INPUT' && t.type !== 'radio'))) return;
    if ((this.state === 'item' || this.state === 'grace') && /^[1-5]$/.test(e.key)) {
      e.preventDefault();
      this.choose(CHOICES[Number(e.key) - 1].label);
    } else if (this.state === 'grace' && e.key === 'Enter') {
      e.preventDefault();
      this.commit();
    } else if (this.state === 'grace' && (e.key === 'u' || e.key === 'U' || e.key === 'Escape' || e.key === 'Backspace')) {
      e.preventDefault();
      this.undo();
    } else if (this.state === 'feedback' && e.key === 'Enter') {
      e.preventDefault();
      this.advance();
    }
  }

  choose(label) {
    if (this.state !== 'item' && this.state !== 'grace') return;
    this.pending = { choice: label, time_seconds: this.timer.seconds() };
    for (const b of this.shadowRoot.querySelectorAll('button.choice')) {
      b.setAttribute('aria-pressed', String(b.dataset.choice === label));
    }
    clearTimeout(this.graceTimer);
    if (this.graceMs <= 0) { this.state = 'grace'; this.commit(); return; }
    this.state = 'grace';
    this.$('grace-text').textContent = `Your choice: ${TEXT[label]}. Saving in ${(this.graceMs / 1000).toFixed(1)} s.`;
    const fill = this.$('grace-fill');
    fill.getAnimations?.().forEach((a) => a.cancel());
    fill.animate?.([{ transform: 'scaleX(0)' }, { transform: 'scaleX(1)' }], { duration: this.graceMs, easing: 'linear' });
    this.$('grace').hidden = false;
    this.$('grace').scrollIntoView?.({ block: 'nearest' }); // below the stacked buttons on a phone
    this.graceTimer = setTimeout(() => this.commit(), this.graceMs);
  }

  undo() {
    if (this.state !== 'grace') return;
    clearTimeout(this.graceTimer);
    this.pending = null;
    this.state = 'item';
    this.$('grace').hidden = true;
    for (const b of this.shadowRoot.querySelectorAll('button.choice')) b.setAttribute('aria-pressed', 'false');
    this.$('prompt-h').focus();
  }

  async commit() {
    if (this.state !== 'grace' || !this.pending) return;
    clearTimeout(this.graceTimer);
    this.state = 'saving';
    this.timer.stop();
    const { choice, time_seconds } = this.pending;
    let verdict;
    try {
      verdict = await this.run.submit({ item: this.item.id, choice, time_seconds, dimensions: this.readDimensions() });
    } catch (e) {
      this.state = 'item';
      this.timer.resume();
      this.$('grace').hidden = true;
      this.note(`This choice could not be saved: ${e.message}`);
      return;
    }
    this.queue.shift();
    this.doneCount += 1;
    this.progress();
    this.refreshNet();
    if (verdict.status === 'flagged') return this.showFlagged();
    this.note(verdict.too_fast ? 'That was quick. Please read both responses in full before choosing.' : '');
    if (verdict.gold) return this.showFeedback(verdict.gold, choice);
    this.advance();
  }

  note(text) {
    this.$('note').textContent = text;
    this.$('note').hidden = !text;
  }

  showFeedback(gold, choice) {
    this.state = 'feedback';
    const shown = gold.label_shown || (this.item.swapped && FLIP[gold.label] ? FLIP[gold.label] : gold.label);
    this.$('feedback-h').textContent = gold.correct ? 'Check item: you agreed with the reference' : 'Check item: the reference answer differs';
    this.$('feedback-label').textContent = `Reference: ${TEXT[shown] || shown}. Your choice: ${TEXT[choice]}.`;
    renderMarkdown(this.$('feedback-explanation'), gold.explanation || '');
    this.show('feedback');
    this.$('continue').focus();
  }

  advance() {
    if (this.state !== 'feedback' && this.state !== 'saving') return;
    if (this.queue.length > 0) this.showItem();
    else this.showBatchDone();
  }

  message(title, text, actions = []) {
    this.$('message-h').textContent = title;
    this.$('message-text').textContent = text;
    this.$('message-actions').replaceChildren(...actions);
    this.show('message');
  }

  button(label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  showBatchDone() {
    this.state = 'done';
    const actions = [];
    if (!this.hasAttribute('single-batch') && !this.batch?.exhausted) {
      actions.push(this.button('Start another batch', () => this.another()));
    }
    this.message('Batch finished. Thank you!', 'Your answers are saved in this browser and sent to the server; the line below shows their state.', actions);
    this.$('message-h').focus();
    this.refreshNet();
  }

  async another() {
    this.doneFired = false;
    try {
      this.startBatch(await this.run.nextBatch());
    } catch (e) {
      this.fail(e);
    }
  }

  showExhausted() {
    this.state = 'done';
    this.message('No more items', 'There is nothing left for you to annotate in this task. Thank you!');
    this.refreshNet();
  }

  showFlagged() {
    this.state = 'flagged';
    clearTimeout(this.graceTimer);
    this.message('Thank you for your work',
      'Some of your answers on check items differed from the reference answers, so we are not sending you more items in this task. Your answers so far are kept.');
    this.$('message-h').focus();
    this.refreshNet();
  }

  fail(e) {
    this.state = 'error';
    this.message('Something went wrong', e && e.message ? e.message : String(e));
  }

  onSent({ entry, response }) {
    if (!this.run || entry.key !== this.run.key || !response) return;
    const v = response.verdict || response;
    if (v && v.status === 'flagged' && this.run.mode === 'blind' && !this.run.flagged) {
      this.run.flagged = true;
      if (this.state === 'item' || this.state === 'grace' || this.state === 'feedback') this.showFlagged();
    }
  }

  async refreshNet() {
    if (!this.run || this.refreshing) return;
    this.refreshing = true;
    try {
      const c = await this.outbox.counts(this.run.key);
      const s = this.outbox.status();
      const net = this.$('net');
      net.dataset.pending = c.pending;
      net.dataset.sent = c.sent;
      net.dataset.problems = c.problems.length;
      const finished = this.state === 'done' || this.state === 'flagged';
      const text = statusText(c, s, { endpoint: this.endpoint, finished });
      if (this.$('net-text').textContent !== text) this.$('net-text').textContent = text;
      const want = `${c.problems.length > 0}|${!this.endpoint && c.local > 0}`;
      if (this.netActions !== want) {
        this.netActions = want;
        const actions = [];
        if (c.problems.length > 0) actions.push(this.button('Retry refused', () => this.outbox.retryRefused()));
        if (!this.endpoint && c.local > 0) {
          actions.push(downloadLink(() => this.outbox.entries(this.run.key), `${this.run.task.task_id}-${this.run.annotator}.jsonl`));
        }
        this.$('net-actions').replaceChildren(...actions);
      }
      if (finished && c.pending === 0 && !this.doneFired) {
        this.doneFired = true;
        const detail = { task_id: this.run.task.task_id, annotator: this.run.annotator, count: c.sent + c.local, flagged: this.run.flagged, problems: c.problems };
        this.dispatchEvent(new CustomEvent('prefkit:done', { detail, bubbles: true, composed: true }));
      }
    } finally {
      this.refreshing = false;
    }
  }
}

if (!customElements.get('prefkit-annotator')) customElements.define('prefkit-annotator', PrefkitAnnotator);
