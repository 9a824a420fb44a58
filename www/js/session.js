// One annotator working through one task in this page: loads the wasm core,
// asks it for batches and verdicts, and keeps a journal (the batches and the
// submissions, in IndexedDB) so that a reload replays the same state into a
// fresh core session and resumes at the first unfinished item.
// Every decision (batch, order, gold, speed, flagging) is the core's; this
// file only moves data between the core, the network and storage.

import { openDb, request, done } from './idb.js';

const loaded = new Map();

/**
 * Loads and initialises the wasm module once: the annotator's module, or
 * with `simulate` the requester's (`prefkit_lab.js`), which alone carries
 * the simulated worker, so a crowd page never ships simulation code. Both
 * hold the same `Session`.
 */
export function loadCore({ simulate = false } = {}) {
  const key = simulate ? 'lab' : 'annotator';
  if (!loaded.has(key)) {
    // Literal specifiers, so bundlers (Vite, webpack) see the modules and
    // ship their wasm beside them; the URL is only for the message.
    const [url, load] = simulate
      ? [new URL('../pkg/prefkit_lab.js', import.meta.url).href, () => import('../pkg/prefkit_lab.js')]
      : [new URL('../pkg/prefkit.js', import.meta.url).href, () => import('../pkg/prefkit.js')];
    const promise = (async () => {
      try {
        const mod = await load();
        await mod.default();
        return mod;
      } catch (e) {
        throw new LoadError(`Could not load the annotation module ${url}: ${e && e.message ? e.message : e}`, {
          url, hint: 'The site must serve www/pkg/ as built by scripts/build-wasm.sh, with .wasm files as application/wasm.',
        });
      }
    })();
    promise.catch(() => loaded.delete(key));
    loaded.set(key, promise);
  }
  return loaded.get(key);
}

/** The collector's base URL: the endpoint without its /api/annotations path. */
export function endpointBase(endpoint) {
  const u = new URL(endpoint);
  const path = u.pathname.replace(/\/api\/annotations\/?$/, '').replace(/\/+$/, '');
  return `${u.origin}${path}`;
}

/**
 * A load that failed, in words a worker or a requester can act on:
 * `message` says what happened, `hint` what to check; `status` is the HTTP
 * status (0 when the server could not be reached) and `url` what was asked.
 */
export class LoadError extends Error {
  constructor(message, { hint = '', status = 0, url = '' } = {}) {
    super(message);
    this.name = 'LoadError';
    this.hint = hint;
    this.status = status;
    this.url = url;
  }
}

const COLLECTOR_NEEDED = 'This link needs the prefkit collector (`prefkit serve`): check the endpoint parameter, or give the URL of a task JSON file instead of a task id.';

/** The error of an answer that is not the JSON asked for. */
function refusal(what, url, status, text) {
  let error = null;
  try { error = JSON.parse(text).error; } catch { /* not JSON */ }
  const page = /^\s*</.test(text);
  if (typeof error === 'string' && status === 403) {
    return new LoadError(`The collector refused this link (403): ${error}`, {
      status, url, hint: 'The link needs its `sig` parameter, made for this annotator id with `prefkit sign`; ask the requester for a new link.',
    });
  }
  if (typeof error === 'string') {
    return new LoadError(`Could not load ${what} (${status}): ${error}`, {
      status, url, hint: status >= 500 ? 'The server has a problem; try again in a moment.' : `Check the address: ${url}`,
    });
  }
  if (page || status === 404 || status === 405 || status === 501) {
    // A static site answers the collector's URLs with its own pages.
    const api = /\/api\//.test(new URL(url).pathname);
    return new LoadError(`Could not load ${what}: ${url} answered ${status === 200 ? 'with a web page' : status}, not with prefkit's JSON.`, {
      status, url, hint: api ? COLLECTOR_NEEDED : `Check the address: ${url}`,
    });
  }
  if (status >= 200 && status < 300) {
    return new LoadError(`Could not load ${what}: ${url} did not answer with JSON.`, { status, url, hint: `Check the address: ${url}` });
  }
  return new LoadError(`Could not load ${what}: the server answered ${status} ${text.slice(0, 200)}`, {
    status, url, hint: status >= 500 ? 'The server has a problem; try again in a moment.' : `Check the address: ${url}`,
  });
}

async function fetchJson(url, what, headers = {}) {
  let res;
  try {
    res = await fetch(url, { cache: 'no-store', credentials: 'omit', headers });
  } catch {
    throw new LoadError(`Could not reach ${url} for ${what}.`, {
      url, hint: 'Check the address, your network, that the server is running, and, when it is on another site, that it allows this page\'s origin (CORS).',
    });
  }
  const text = await res.text();
  if (!res.ok) throw refusal(what, url, res.status, text);
  try {
    return JSON.parse(text);
  } catch {
    throw refusal(what, url, res.status, text);
  }
}

/**
 * Fetches the task JSON from a URL, or, given a bare task id and an
 * endpoint, from the collector ({base}/api/tasks/{id}: the whole task in its
 * open gold mode, the public task without gold answers in blind mode).
 */
export function loadTask({ task, endpoint }, pageUrl) {
  if (!task) {
    throw new LoadError('No task given.', { hint: 'Add ?task=URL-of-task.json (or a task id served by the collector) to the address, or a task attribute to the element.' });
  }
  const looksLikeId = !/[/.:]/.test(task);
  if (looksLikeId && endpoint) {
    return fetchJson(`${endpointBase(endpoint)}/api/tasks/${encodeURIComponent(task)}`, 'the task');
  }
  if (looksLikeId) throw new LoadError(`"${task}" looks like a task id, and no collector endpoint is given.`, { hint: COLLECTOR_NEEDED });
  return fetchJson(new URL(task, pageUrl).href, 'the task');
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class AnnotatorSession {
  /**
   * @param core    the wasm module
   * @param task    the task JSON (full in open mode, public in blind mode)
   * @param options {annotator, endpoint, mode, seed, sig, outbox, simulated};
   *                `sig` is the signature of a signed link, sent with every
   *                batch request and annotation; `simulated` marks every
   *                record as a simulated worker's
   */
  constructor(core, task, { annotator, endpoint, mode, seed, sig, outbox, simulated = false }) {
    this.core = core;
    this.session = seed === null || seed === undefined ? new core.Session(task) : new core.Session(task, seed);
    this.task = this.session.publicTask();
    this.annotator = annotator;
    this.endpoint = endpoint;
    this.mode = mode;
    this.sig = sig || null;
    this.outbox = outbox;
    this.key = `${this.task.task_id}|${annotator}`;
    this.clientVersion = `prefkit-page/${core.version()}`;
    this.simulated = simulated;
    this.flagged = false;
    this.journaled = null; // batch_id of the last batch in the journal
  }

  /**
   * Replays the journal into the core session: every batch, then every
   * answer and skip in the order made. Returns the last batch (null when
   * none was started), the ids of its finished items and the core's
   * progress through it.
   */
  async resume() {
    const db = await openDb();
    const batches = await request(db.transaction('batches').objectStore('batches').index('key').getAll(this.key));
    const entries = await this.outbox.entries(this.key);
    // An item shown again (the task's repeat_fraction) has two entries:
    // the first belongs to its first batch, the next to its repeat.
    const byItem = new Map();
    for (const e of entries) {
      if (!byItem.has(e.submission.item)) byItem.set(e.submission.item, []);
      byItem.get(e.submission.item).push(e);
    }
    let current = null;
    let finished = new Set();
    let progress = null;
    for (const { batch } of batches) {
      this.session.adoptBatch(batch);
      finished = new Set();
      progress = { done: 0, total: batch.items.length };
      for (const item of batch.items) {
        const e = byItem.get(item.id)?.shift();
        if (!e) continue;
        try {
          const verdict = 'skip' in e.submission ? this.session.skip(e.submission) : this.session.submit(e.submission);
          if (verdict.status === 'flagged') this.flagged = true;
          progress = verdict.progress;
        } catch (err) {
          console.warn(`prefkit: replaying ${e.id} failed: ${err.message}`);
        }
        finished.add(item.id);
      }
      current = batch;
      if (batch.flagged) this.flagged = true;
    }
    this.journaled = current ? current.batch_id : null;
    return { batch: current, finished, progress };
  }

  /**
   * Asks for the next batch: the core's, or in blind mode the collector's.
   * Either answers `resumed: true` with the unanswered items of the batch
   * the annotator still holds (a reload); that batch is in the journal
   * already and is not stored again.
   */
  async nextBatch() {
    let batch;
    if (this.mode === 'blind') {
      if (!this.endpoint) throw new LoadError('Blind mode needs the collector\'s endpoint.', { hint: COLLECTOR_NEEDED });
      const url = `${endpointBase(this.endpoint)}/api/tasks/${encodeURIComponent(this.task.task_id)}/batch?annotator=${encodeURIComponent(this.annotator)}`;
      batch = await fetchJson(url, 'the next batch', this.sig ? { 'x-prefkit-sig': this.sig } : {});
      this.session.adoptBatch(batch);
    } else {
      batch = this.session.nextBatch(this.annotator);
    }
    if (batch.flagged) this.flagged = true;
    if (batch.batch_id === null || batch.batch_id !== this.journaled) {
      const db = await openDb();
      const tx = db.transaction('batches', 'readwrite');
      tx.objectStore('batches').add({ key: this.key, batch, created: Date.now() });
      await done(tx);
      if (batch.batch_id !== null) this.journaled = batch.batch_id;
    }
    return batch;
  }

  /** The fields every answer and skip carries. */
  record(item, time_seconds) {
    return {
      id: uuid(),
      item,
      annotator: this.annotator,
      time_seconds,
      timestamp: Math.floor(Date.now() / 1000),
      client_version: this.clientVersion,
      task_id: this.task.task_id,
      ...(this.simulated ? { simulated: true } : {}),
    };
  }

  /** Stores the record to post in the outbox (durably). */
  async keep(record, submission) {
    await this.outbox.add({ key: this.key, endpoint: this.endpoint, sig: this.sig, record, submission });
  }

  /**
   * Submits one choice (label as shown, A = left) to the core, stores the
   * canonical record in the outbox and returns the core's verdict.
   */
  async submit({ item, choice, time_seconds, dimensions }) {
    const submission = { ...this.record(item, time_seconds), choice };
    if (dimensions && Object.keys(dimensions).length > 0) submission.dimensions = dimensions;
    const verdict = this.session.submit(submission);
    await this.keep(verdict.annotation, submission);
    if (verdict.status === 'flagged') this.flagged = true;
    return verdict;
  }

  /**
   * Skips one item with a reason (one of the task's or the worker's own,
   * at most 200 characters): the core records it and the outbox posts it
   * like an answer. Returns the core's verdict.
   */
  async skip({ item, reason, time_seconds }) {
    const submission = { ...this.record(item, time_seconds), skip: reason };
    const verdict = this.session.skip(submission);
    await this.keep(verdict.skip, submission);
    if (verdict.status === 'flagged') this.flagged = true;
    return verdict;
  }
}
