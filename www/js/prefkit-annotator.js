// <prefkit-annotator task="task.json" endpoint="https://host/api/annotations"
//                    annotator="w1" sig="…" mode="blind" seed="7" grace="1.5"
//                    dimensions single-batch global-keys preview
//                    simulate="visual" simulate-speed="fast"
//                    simulate-crowd='{"seed": 7, "annotators": [...]}' simulate-seed="7">
//
// The annotator's view in a shadow root (host CSS neither leaks in nor out).
// It renders what the core's session hands it and posts what the core
// returns; it decides nothing itself. Attributes are read when loading
// starts. Events (bubbling, composed):
//   prefkit:done   {task_id, annotator, count, flagged, problems} once the
//                  batch is over (finished, flagged, or its time ran out)
//                  and every answer has left the outbox;
//   prefkit:error  {message, hint, status, url} when loading fails; the
//                  element shows the same message inside itself.
// Keys 1-5 choose, S skips, Enter saves, U undoes, Esc closes the skip
// reasons. They work whenever the focus is inside the element (clicking
// anywhere in it keeps them working); with `global-keys` also when nothing
// on the page has the focus. Typing in an input never chooses.
//
// Simulation (no person at the keyboard), for a host page's own tests:
//   simulate="data-only"  each item is answered through the same session and
//                         outbox, without rendering it;
//   simulate="visual"     the element renders and the simulated worker uses
//                         it through DOM events: it clicks the choice
//                         buttons, the skip reasons, "Continue" and "Start
//                         another batch", and presses S and Enter;
//   simulate-speed        how long the worker spends on an item in visual
//                         mode: `fast` (the default, no wait), `slow` (one
//                         second), `realtime` (the simulated seconds), or a
//                         number of milliseconds;
//   simulate-crowd        the worker's behaviour, in the crowd format of
//                         `prefkit simulate` (JSON text, or an object set on
//                         the `simulateCrowd` property before the element is
//                         connected): the crowd's annotator named like
//                         `annotator`, else its first; default one annotator
//                         of accuracy 0.8;
//   simulate-seed         replaces the crowd's seed.
// Every decision (choice, skip, seconds, walking away) is the core's
// SimulatedWorker, in the requester's module (pkg/prefkit_lab.js), which the
// element loads instead of the annotator's only when `simulate` is set; every record it makes says `"simulated": true`, and its
// `time_seconds` is the simulated time, not the wall clock. The worker goes
// on to further batches unless `single-batch` is set. The host's
// `simulation` attribute says `running`, `walked-away` (it left a batch
// unanswered, as a person closing the tab would) or `finished`.
//
// One view state (`this.view`), one render() that sets every text and
// `hidden` from it; handlers change the state and call render(). Whatever
// listens outside the element (keys, the shared outbox, page visibility)
// and the timers are set up in connectedCallback and removed in
// disconnectedCallback.

import { template, CHOICES, SHORT } from './annotator-view.js';
import { renderMarkdown } from './render.js';
import { ItemTimer } from './timer.js';
import { sharedOutbox } from './outbox.js';
import { loadCore, loadTask, AnnotatorSession, LoadError } from './session.js';
import { statusText, downloadLink } from './net-status.js';

const CSS = [new URL('../css/annotator.css', import.meta.url).href, new URL('../vendor/highlight/styles/github.min.css', import.meta.url).href];
const TEXT = Object.fromEntries(CHOICES.map((c) => [c.label, c.text]));
/** The lease countdown shows once less than this is left (seconds). */
const LEASE_WARNING = 300;
/** Phases after which the batch is over (prefkit:done may fire). */
const OVER = new Set(['done', 'exhausted', 'flagged', 'expired']);
/** Phases that show the pair. */
const ON_ITEM = new Set(['item', 'grace', 'saving', 'skipping']);
/** Phases in which a simulated worker acts. */
const SIMULATED = new Set(['item', 'grace', 'skipping', 'feedback', 'done', 'exhausted', 'flagged', 'expired', 'error']);

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

/** Whether a key pressed in `t` is typing (then it never chooses). */
function typing(t) {
  return Boolean(t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) || (t.tagName === 'INPUT' && t.type !== 'radio')));
}

/**
 * The milliseconds a simulated worker spends on an item in visual mode, as
 * a function of its act (see the header for `simulate-speed`).
 */
function simulatePace(text) {
  if (text === null || text === 'fast') return () => 0;
  if (text === 'slow') return () => 1000;
  if (text === 'realtime') return (act) => act.seconds * 1000;
  const ms = Number(text);
  if (/^\d+(\.\d+)?$/.test(text) && Number.isFinite(ms)) return () => ms;
  throw new LoadError(`simulate-speed="${text}" is not a speed.`, { hint: 'Use fast, slow, realtime or a number of milliseconds per item.' });
}

function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The view state. phase: loading, preview, item, grace (a choice can still
 * be undone), saving, skipping (the reasons are open), feedback (a gold
 * item's reference answer), done, exhausted, flagged, expired (the lease
 * ran out), error.
 */
function initialView() {
  return {
    phase: 'loading',
    guidelines: '',
    previewOpen: false,
    dims: [], // [name, spec] of the rubric dimensions asked for
    reasons: [], // the task's suggested skip reasons
    queue: [], // items of the batch still to do; queue[0] is shown
    progress: null, // the core's {done, total} through the batch
    leaseUntil: null, // Unix seconds
    now: Date.now() / 1000,
    exhausted: false,
    choice: null, // the choice in its grace period
    note: '',
    feedback: null, // {correct, shown, choice, explanation}
    skipText: '',
    expiredLeft: 0,
    error: null, // {message, hint}
    net: null, // {text, pending, sent, problems, retry, download}
    simulation: null, // null (a person), running, walked-away, finished
  };
}

export class PrefkitAnnotator extends HTMLElement {
  constructor() {
    super();
    this.view = initialView();
    this.shown = {}; // what render() last put on screen, to touch only what changed
    this.timer = new ItemTimer();
    this.outbox = sharedOutbox();
    this.run = null;
    this.sim = null; // {worker, visual, pace, act} while simulating
  }

  /** The view's phase, mirrored in the host's `state` attribute for host CSS and tests. */
  get state() { return this.view.phase; }

  connectedCallback() {
    if (!this.shadowRoot) this.build();
    const signal = (this.live = new AbortController()).signal;
    const keys = this.hasAttribute('global-keys') ? document : this;
    keys.addEventListener('keydown', (e) => this.key(e), { signal });
    this.outbox.addEventListener('change', () => this.refreshNet(), { signal });
    this.timer.listen(signal);
    this.tick = setInterval(() => this.onTick(), 1000);
    if (this.view.phase === 'grace') this.armGrace();
    this.simulateSoon();
    if (!this.started) {
      this.started = true;
      this.start();
    }
  }

  disconnectedCallback() {
    this.live.abort();
    clearInterval(this.tick);
    clearTimeout(this.graceTimer);
    clearTimeout(this.simTimer);
    this.simTimer = null;
  }

  /** The shadow root and the listeners of its own controls (they go with it). */
  build() {
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.innerHTML = template(CSS);
    const $ = (this.$ = (id) => this.shadowRoot.getElementById(id));
    for (const b of this.shadowRoot.querySelectorAll('button.choice')) {
      b.addEventListener('click', () => this.choose(b.dataset.choice));
    }
    $('undo').addEventListener('click', () => this.undo());
    $('confirm').addEventListener('click', () => this.commit());
    $('continue').addEventListener('click', () => this.advance());
    $('skip-open').addEventListener('click', () => this.openSkip());
    $('skip-cancel').addEventListener('click', () => this.closeSkip());
    $('skip-reasons').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-reason]');
      if (b) this.sendSkip(b.dataset.reason);
    });
    $('skip').addEventListener('submit', (e) => {
      e.preventDefault();
      this.sendSkip(this.view.skipText);
    });
    $('skip-text').addEventListener('input', (e) => this.set({ skipText: e.target.value }));
  }

  /** Changes the view state and renders it. */
  set(changes) {
    Object.assign(this.view, changes);
    this.render();
    this.simulateSoon();
  }

  // ---- loading ----

  async start() {
    try {
      await this.load();
    } catch (e) {
      this.fail(e);
    }
  }

  async load() {
    this.view = initialView();
    this.render();
    const attr = (n) => (this.getAttribute(n) || '').trim() || null;
    const seed = attr('seed') !== null && /^\d+$/.test(attr('seed')) ? Number(attr('seed')) : null;
    const grace = attr('grace') !== null ? Number(attr('grace')) : 1.5;
    this.graceMs = Number.isFinite(grace) ? Math.max(0, grace) * 1000 : 1500;
    this.endpoint = attr('endpoint') ? new URL(attr('endpoint'), document.baseURI).href : null;
    const mode = attr('mode') === 'blind' ? 'blind' : 'open';
    const simulate = attr('simulate');
    if (simulate !== null && simulate !== 'data-only' && simulate !== 'visual') {
      throw new LoadError(`simulate="${simulate}" is not a simulation mode.`, { hint: 'Use simulate="data-only" or simulate="visual", or leave the attribute out.' });
    }
    const pace = simulatePace(attr('simulate-speed'));
    const [core, task] = await Promise.all([loadCore({ simulate: simulate !== null }), loadTask({ task: attr('task'), endpoint: this.endpoint }, document.baseURI)]);
    const annotator = attr('annotator') || randomAnnotator();
    this.run = new AnnotatorSession(core, task, {
      annotator,
      endpoint: this.endpoint,
      mode,
      seed,
      sig: attr('sig'),
      outbox: this.outbox,
      simulated: simulate !== null,
    });
    if (simulate !== null) {
      const simSeed = /^\d+$/.test(attr('simulate-seed') || '') ? Number(attr('simulate-seed')) : undefined;
      const worker = new core.SimulatedWorker(this.simulateCrowd ?? attr('simulate-crowd'), annotator, simSeed);
      this.sim = { worker, visual: simulate === 'visual', pace, act: null };
      this.view.simulation = 'running';
    }
    const t = this.run.task;
    const wantsDims = this.hasAttribute('dimensions') && t.rubric && Object.keys(t.rubric).length > 0;
    Object.assign(this.view, {
      guidelines: t.guidelines || '',
      dims: wantsDims ? Object.entries(t.rubric) : [],
      reasons: t.config.skip_reasons,
    });
    if (this.hasAttribute('preview')) {
      this.set({ phase: 'preview', previewOpen: true });
      return;
    }
    const journal = await this.run.resume();
    this.outbox.pump();
    const b = journal.batch;
    if (this.run.flagged) {
      this.set({ phase: 'flagged' });
    } else if (b && journal.finished.size >= b.items.length) {
      this.set({ phase: b.items.length === 0 ? 'exhausted' : 'done', progress: journal.progress, exhausted: b.exhausted });
    } else if (b && this.leaseOver(b.lease_until)) {
      this.set({ phase: 'expired', progress: journal.progress, expiredLeft: b.items.length - journal.finished.size });
    } else {
      this.begin(await this.run.nextBatch(), journal);
    }
  }

  /**
   * Starts a batch. When it is the journal's batch again (`resumed` after a
   * reload) the items finished here are left out and the core's progress
   * through it is kept, so nothing counts twice.
   */
  begin(batch, journal = null) {
    const same = Boolean(journal?.batch && batch.batch_id !== null && batch.batch_id === journal.batch.batch_id);
    const finished = same ? journal.finished : new Set();
    const queue = batch.items.filter((i) => !finished.has(i.id));
    let phase = 'item';
    if (this.run.flagged || batch.flagged) phase = 'flagged';
    else if (batch.items.length === 0) phase = 'exhausted';
    else if (queue.length === 0) phase = 'done';
    this.doneFired = false;
    if (phase === 'item') this.timer.restart();
    // A simulated worker may walk away from a batch as it starts (the core decides).
    const walkedAway = phase === 'item' && this.sim !== null && this.sim.worker.abandons();
    this.set({
      ...(walkedAway ? { simulation: 'walked-away' } : {}),
      phase,
      queue,
      progress: same && journal.progress ? journal.progress : { done: 0, total: batch.items.length },
      leaseUntil: batch.lease_until ?? (same ? journal.batch.lease_until : null),
      now: Date.now() / 1000,
      exhausted: batch.exhausted,
      choice: null,
      note: '',
      feedback: null,
    });
  }

  async another() {
    this.set({ phase: 'loading' });
    try {
      this.begin(await this.run.nextBatch());
    } catch (e) {
      this.fail(e);
    }
  }

  fail(e) {
    const message = e && e.message ? e.message : String(e);
    const hint = (e && e.hint) || '';
    clearTimeout(this.graceTimer);
    this.set({ phase: 'error', error: { message, hint } });
    const detail = { message, hint, status: (e && e.status) || 0, url: (e && e.url) || '' };
    this.dispatchEvent(new CustomEvent('prefkit:error', { detail, bubbles: true, composed: true }));
  }

  // ---- answering ----

  key(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const phase = this.view.phase;
    if (phase === 'skipping' && e.key === 'Escape') {
      e.preventDefault();
      this.closeSkip();
      return;
    }
    if (typing(e.composedPath()[0])) return;
    const choosing = phase === 'item' || phase === 'grace';
    if (choosing && /^[1-5]$/.test(e.key)) {
      e.preventDefault();
      this.choose(CHOICES[Number(e.key) - 1].label);
    } else if (choosing && (e.key === 's' || e.key === 'S')) {
      e.preventDefault();
      this.openSkip();
    } else if (phase === 'grace' && e.key === 'Enter') {
      e.preventDefault();
      this.commit();
    } else if (phase === 'grace' && (e.key === 'u' || e.key === 'U' || e.key === 'Escape' || e.key === 'Backspace')) {
      e.preventDefault();
      this.undo();
    } else if (phase === 'feedback' && e.key === 'Enter') {
      e.preventDefault();
      this.advance();
    }
  }

  choose(label) {
    if (this.view.phase !== 'item' && this.view.phase !== 'grace') return;
    this.choiceSeconds = this.sim ? this.simulatedAct().seconds : this.timer.seconds();
    this.set({ phase: 'grace', choice: label });
    if (this.graceMs <= 0) {
      this.commit();
      return;
    }
    this.armGrace();
    const fill = this.$('grace-fill');
    fill.getAnimations?.().forEach((a) => a.cancel());
    fill.animate?.([{ transform: 'scaleX(0)' }, { transform: 'scaleX(1)' }], { duration: this.graceMs, easing: 'linear' });
    this.$('grace').scrollIntoView?.({ block: 'nearest' }); // below the stacked buttons on a phone
  }

  armGrace() {
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this.commit(), this.graceMs);
  }

  undo() {
    if (this.view.phase !== 'grace') return;
    clearTimeout(this.graceTimer);
    this.set({ phase: 'item', choice: null });
  }

  async commit() {
    const { phase, choice, queue } = this.view;
    if (phase !== 'grace' || !choice) return;
    clearTimeout(this.graceTimer);
    this.set({ phase: 'saving' });
    this.timer.stop();
    let verdict;
    try {
      verdict = await this.run.submit({ item: queue[0].id, choice, time_seconds: this.choiceSeconds, dimensions: this.readDimensions() });
    } catch (e) {
      this.timer.resume();
      this.set({ phase: 'item', choice: null, note: `This choice could not be saved: ${e.message}` });
      return;
    }
    this.answered(verdict, verdict.too_fast ? 'That was quick. Please read both responses in full before choosing.' : '');
    if (this.view.phase !== 'saving') return;
    if (verdict.gold) {
      const { correct, label_shown: shown, explanation } = verdict.gold;
      this.set({ phase: 'feedback', feedback: { correct, shown, choice, explanation: explanation || '' } });
    } else {
      this.advance();
    }
  }

  /** After the core took an answer or a skip: the item is done. */
  answered(verdict, note) {
    this.view.queue = this.view.queue.slice(1);
    this.view.progress = verdict.progress;
    this.view.note = note;
    this.view.choice = null;
    if (verdict.status === 'flagged') {
      clearTimeout(this.graceTimer);
      this.set({ phase: 'flagged' });
    }
    this.refreshNet();
  }

  advance() {
    const { phase, queue } = this.view;
    if (phase !== 'feedback' && phase !== 'saving') return;
    if (queue.length === 0) {
      this.set({ phase: 'done', feedback: null });
    } else if (this.leaseOver(this.view.leaseUntil)) {
      this.expire();
    } else {
      this.timer.restart();
      this.set({ phase: 'item', feedback: null });
    }
  }

  openSkip() {
    if (this.view.phase !== 'item' && this.view.phase !== 'grace') return;
    clearTimeout(this.graceTimer);
    this.set({ phase: 'skipping', choice: null, skipText: '', note: '' });
  }

  closeSkip() {
    if (this.view.phase === 'skipping') this.set({ phase: 'item', skipText: '' });
  }

  async sendSkip(text) {
    const reason = String(text || '').trim();
    if (this.view.phase !== 'skipping' || !reason) return;
    this.set({ phase: 'saving' });
    this.timer.stop();
    let verdict;
    try {
      const time_seconds = this.sim ? this.simulatedAct().seconds : this.timer.seconds();
      verdict = await this.run.skip({ item: this.view.queue[0].id, reason, time_seconds });
    } catch (e) {
      this.timer.resume();
      this.set({ phase: 'skipping', note: `This skip could not be saved: ${e.message}` });
      return;
    }
    this.answered(verdict, '');
    this.view.skipText = '';
    this.advance();
  }

  readDimensions() {
    const out = {};
    for (const input of this.$('dims-rows').querySelectorAll('input:checked')) out[input.dataset.dim] = input.value;
    return out;
  }

  // ---- simulation ----

  /** The simulated worker's act on the item shown, asked of the core once per item. */
  simulatedAct() {
    const item = this.view.queue[0];
    if (this.sim.act?.item !== item.id) this.sim.act = { item: item.id, ...this.sim.worker.act(this.run.session, item.id) };
    return this.sim.act;
  }

  /** Schedules the simulated worker's next step, if it has one (one timer at a time). */
  simulateSoon() {
    const v = this.view;
    if (!this.sim || this.simTimer || v.simulation !== 'running' || !this.isConnected || !SIMULATED.has(v.phase)) return;
    const wait = this.sim.visual && v.phase === 'item' ? this.sim.pace(this.simulatedAct()) : 0;
    this.simTimer = setTimeout(() => {
      this.simTimer = null;
      this.simulateStep();
    }, wait);
  }

  /**
   * One step of the simulated worker in the current phase: in visual mode
   * through the controls a person uses, in data-only mode through the
   * same handlers directly.
   */
  simulateStep() {
    const v = this.view;
    const sim = this.sim;
    const $ = this.$;
    const press = (key) => (this.shadowRoot.activeElement || this).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
    switch (v.phase) {
      case 'item': {
        const act = this.simulatedAct();
        if (act.skip !== undefined) {
          if (sim.visual) press('s');
          else this.openSkip();
        } else if (sim.visual) {
          [...this.shadowRoot.querySelectorAll('button.choice')].find((b) => b.dataset.choice === act.choice).click();
        } else {
          this.choose(act.choice);
        }
        break;
      }
      case 'grace':
        if (sim.visual) press('Enter');
        else this.commit();
        break;
      case 'skipping': {
        const reason = this.simulatedAct().skip;
        const button = [...$('skip-reasons').querySelectorAll('button')].find((b) => b.dataset.reason === reason);
        if (!sim.visual) {
          this.sendSkip(reason);
        } else if (button) {
          button.click();
        } else {
          $('skip-text').value = reason;
          $('skip-text').dispatchEvent(new Event('input', { bubbles: true }));
          $('skip-send').click();
        }
        break;
      }
      case 'feedback':
        if (sim.visual) $('continue').click();
        else this.advance();
        break;
      case 'done':
        if (!this.hasAttribute('single-batch') && !v.exhausted) {
          if (sim.visual) $('message-actions').querySelector('button').click();
          else this.another();
          break;
        }
        this.set({ simulation: 'finished' });
        break;
      default: // exhausted, flagged, expired, error
        this.set({ simulation: 'finished' });
    }
  }

  // ---- time ----

  leaseOver(until) {
    return typeof until === 'number' && until <= Date.now() / 1000;
  }

  expire() {
    clearTimeout(this.graceTimer);
    this.timer.stop();
    this.set({ phase: 'expired', expiredLeft: this.view.queue.length, queue: [], choice: null, feedback: null });
    this.refreshNet();
  }

  onTick() {
    this.view.now = Date.now() / 1000;
    const { phase, leaseUntil } = this.view;
    // A choice in its grace period is saved first; advance() then expires.
    if ((phase === 'item' || phase === 'skipping' || phase === 'feedback') && this.leaseOver(leaseUntil)) this.expire();
    else this.render();
    this.refreshNet();
  }

  // ---- the outbox ----

  async refreshNet() {
    if (!this.run || this.refreshing) return;
    this.refreshing = true;
    try {
      const c = await this.outbox.counts(this.run.key);
      const over = OVER.has(this.view.phase);
      this.set({
        net: {
          text: statusText(c, this.outbox.status(), { endpoint: this.endpoint, finished: over }),
          pending: c.pending, sent: c.sent, problems: c.problems.length,
          retry: c.problems.length > 0, download: !this.endpoint && c.local > 0,
        },
      });
      if (over && c.pending === 0 && !this.doneFired) {
        this.doneFired = true;
        const detail = { task_id: this.run.task.task_id, annotator: this.run.annotator, count: c.sent + c.local, flagged: this.run.flagged, problems: c.problems };
        this.dispatchEvent(new CustomEvent('prefkit:done', { detail, bubbles: true, composed: true }));
      }
    } finally {
      this.refreshing = false;
    }
  }

  // ---- rendering ----

  button(label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  /** The message section's title, text and actions for a phase without a pair. */
  message() {
    const v = this.view;
    const more = !this.hasAttribute('single-batch');
    switch (v.phase) {
      case 'loading': return { title: 'Loading…', text: '' };
      case 'preview': return { title: 'Preview', text: 'Accept the task to start annotating. Read the guidelines above meanwhile.' };
      case 'done': return {
        title: 'Batch finished. Thank you!',
        text: 'Your answers are saved in this browser and sent to the server; the line below shows their state.',
        actions: more && !v.exhausted ? [['Start another batch', () => this.another()]] : [],
      };
      case 'exhausted': return { title: 'No more items', text: 'There is nothing left for you to annotate in this task. Thank you!' };
      case 'flagged': return {
        title: 'Thank you for your work',
        text: 'Some of your answers on check items differed from the reference answers, so we are not sending you more items in this task. Your answers so far are kept.',
      };
      case 'expired': return {
        title: 'The time for this batch ran out',
        text: `Its ${v.expiredLeft === 1 ? 'unanswered item went' : `${v.expiredLeft} unanswered items went`} back to other annotators. Your answers so far are kept.`,
        actions: more ? [['Load a new batch', () => this.another()]] : [],
      };
      case 'error': return {
        title: 'Something went wrong',
        text: v.error.message,
        hint: v.error.hint,
        actions: [['Try again', () => this.start()]],
      };
      default: return null;
    }
  }

  render() {
    if (!this.shadowRoot) return;
    const v = this.view;
    const $ = this.$;
    const was = this.shown;
    const item = ON_ITEM.has(v.phase) ? v.queue[0] : null;
    if (this.getAttribute('state') !== v.phase) this.setAttribute('state', v.phase);
    if (v.simulation === null) this.removeAttribute('simulation');
    else if (this.getAttribute('simulation') !== v.simulation) this.setAttribute('simulation', v.simulation);
    const root = this.shadowRoot.querySelector('.root');
    root.hidden = Boolean(this.sim && !this.sim.visual);
    if (root.hidden) return; // data-only: the state attributes, nothing drawn

    if (was.guidelines !== v.guidelines) renderMarkdown($('guidelines-body'), v.guidelines);
    $('guidelines').hidden = !v.guidelines;
    if (v.previewOpen && was.phase !== v.phase) $('guidelines').open = true;

    $('progress-wrap').hidden = !v.progress || v.progress.total === 0;
    if (v.progress) {
      $('progress-text').textContent = `${v.progress.done} / ${v.progress.total}`;
      $('progress-bar').max = Math.max(1, v.progress.total);
      $('progress-bar').value = v.progress.done;
    }

    const left = v.leaseUntil === null ? Infinity : v.leaseUntil - v.now;
    $('lease').hidden = !(item || v.phase === 'feedback') || !(left < LEASE_WARNING);
    $('lease').textContent = Number.isFinite(left) ? `${clock(left)} left on this batch` : '';

    $('item').hidden = !item;
    if (item && was.item !== item.id) {
      $('item').dataset.item = item.id;
      renderMarkdown($('prompt'), item.prompt);
      renderMarkdown($('left'), item.response_left);
      renderMarkdown($('right'), item.response_right);
      this.renderDimensions();
    }
    for (const b of this.shadowRoot.querySelectorAll('button.choice')) b.setAttribute('aria-pressed', String(b.dataset.choice === v.choice));
    $('dims').hidden = v.dims.length === 0;
    $('grace').hidden = v.phase !== 'grace';
    if (v.choice) $('grace-text').textContent = `Your choice: ${TEXT[v.choice]}. Saving in ${(this.graceMs / 1000).toFixed(1)} s.`;
    $('note').textContent = v.note;
    $('note').hidden = !v.note;

    const skipping = v.phase === 'skipping';
    $('skip').hidden = !skipping;
    this.shadowRoot.querySelector('.choices').hidden = skipping;
    $('skip-open').setAttribute('aria-expanded', String(skipping));
    if (was.reasons !== v.reasons) {
      $('skip-reasons').replaceChildren(...v.reasons.map((r) => {
        const b = this.button(r, () => {});
        b.dataset.reason = r;
        return b;
      }));
    }
    if ($('skip-text').value !== v.skipText) $('skip-text').value = v.skipText;
    $('skip-count').textContent = `(${v.skipText.length} / 200 characters)`;
    $('skip-send').disabled = !v.skipText.trim();

    $('feedback').hidden = v.phase !== 'feedback';
    if (v.feedback) {
      $('feedback-h').textContent = v.feedback.correct ? 'Check item: you agreed with the reference' : 'Check item: the reference answer differs';
      $('feedback-label').textContent = `Reference: ${TEXT[v.feedback.shown] || v.feedback.shown}. Your choice: ${TEXT[v.feedback.choice]}.`;
      if (was.feedback !== v.feedback) renderMarkdown($('feedback-explanation'), v.feedback.explanation);
    }

    const m = this.message();
    $('message').hidden = !m;
    if (m) {
      $('message-h').textContent = m.title;
      $('message-text').textContent = m.text;
      $('message-hint').textContent = m.hint ? `What to check: ${m.hint}` : '';
      $('message-hint').hidden = !m.hint;
      if (was.phase !== v.phase) $('message-actions').replaceChildren(...(m.actions || []).map(([label, run]) => this.button(label, run)));
    }

    if (v.net) {
      const net = $('net');
      net.dataset.pending = v.net.pending;
      net.dataset.sent = v.net.sent;
      net.dataset.problems = v.net.problems;
      if ($('net-text').textContent !== v.net.text) $('net-text').textContent = v.net.text;
      const want = `${v.net.retry}|${v.net.download}`;
      if (was.netActions !== want) {
        const actions = [];
        if (v.net.retry) actions.push(this.button('Retry refused', () => this.outbox.retryRefused()));
        if (v.net.download) actions.push(downloadLink(() => this.outbox.entries(this.run.key), `${this.run.task.task_id}-${this.run.annotator}.jsonl`));
        $('net-actions').replaceChildren(...actions);
      }
    }

    this.moveFocus(was, item);
    this.shown = {
      phase: v.phase, item: item?.id, guidelines: v.guidelines, reasons: v.reasons, feedback: v.feedback,
      netActions: v.net ? `${v.net.retry}|${v.net.download}` : was.netActions,
    };
  }

  /**
   * Moves the focus to what the new phase asks of the worker, but only when
   * the focus is in the element (or nowhere): never away from the host
   * page's own inputs.
   */
  moveFocus(was, item) {
    const v = this.view;
    if (was.phase === v.phase && was.item === item?.id) return;
    const active = document.activeElement;
    if (active && active !== document.body && active !== this && !this.contains(active)) return;
    const $ = this.$;
    if (v.phase === 'item' && (was.item !== item.id || was.phase !== 'grace')) {
      $('prompt-h').focus();
      if (was.item !== item.id) this.shadowRoot.querySelector('.root').scrollIntoView?.({ block: 'start' });
    } else if (v.phase === 'skipping') {
      (this.shadowRoot.querySelector('#skip-reasons button') || $('skip-text')).focus();
    } else if (v.phase === 'feedback') {
      $('continue').focus();
    } else if (this.message() && v.phase !== 'loading' && v.phase !== 'preview') {
      $('message-h').focus();
    }
  }

  renderDimensions() {
    const rows = this.$('dims-rows');
    rows.replaceChildren();
    for (const [name, spec] of this.view.dims) {
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
        input.dataset.dim = name;
        input.value = c.label;
        input.setAttribute('aria-label', `${name}: ${c.text}`);
        label.append(input, document.createTextNode(SHORT[c.label]));
        row.append(label);
      }
      rows.append(row);
    }
  }
}

if (!customElements.get('prefkit-annotator')) customElements.define('prefkit-annotator', PrefkitAnnotator);
