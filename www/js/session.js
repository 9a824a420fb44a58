// One annotator working through one task in this page: loads the wasm core,
// asks it for batches and verdicts, and keeps a journal (the batches and the
// submissions, in IndexedDB) so that a reload replays the same state into a
// fresh core session and resumes at the first unfinished item.
// Every decision (batch, order, gold, speed, flagging) is the core's; this
// file only moves data between the core, the network and storage.

import { openDb, request, done } from './idb.js';

let corePromise = null;

/** Loads and initialises the wasm module once. */
export function loadCore() {
  if (!corePromise) {
    corePromise = (async () => {
      const mod = await import(new URL('../pkg/prefkit.js', import.meta.url).href);
      await mod.default();
      return mod;
    })();
    corePromise.catch(() => { corePromise = null; });
  }
  return corePromise;
}

/** The collector's base URL: the endpoint without its /api/annotations path. */
export function endpointBase(endpoint) {
  const u = new URL(endpoint);
  const path = u.pathname.replace(/\/api\/annotations\/?$/, '').replace(/\/+$/, '');
  return `${u.origin}${path}`;
}

async function fetchJson(url, what) {
  let res;
  try {
    res = await fetch(url, { cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new Error(`could not load ${what} from ${url}: the server could not be reached`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`could not load ${what} from ${url}: the server answered ${res.status} ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} from ${url} is not JSON`);
  }
}

/**
 * Fetches the task JSON from a URL, or, given a bare task id and an
 * endpoint, from the collector ({base}/api/tasks/{id}: the whole task in its
 * open gold mode, the public task without gold answers in blind mode).
 */
export function loadTask({ task, endpoint }, pageUrl) {
  if (!task) throw new Error('no task given: add ?task=URL-of-task.json (or a task id served by the collector) to the address');
  const looksLikeId = !/[/.:]/.test(task);
  if (looksLikeId && endpoint) {
    return fetchJson(`${endpointBase(endpoint)}/api/tasks/${encodeURIComponent(task)}`, 'the task');
  }
  if (looksLikeId) throw new Error(`"${task}" looks like a task id; give the collector's endpoint too, or the URL of the task JSON`);
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

/** `new Session(task, seed?)`; a u64 seed may be wanted as a BigInt by the binding. */
function newSession(core, task, seed) {
  if (seed === null || seed === undefined) return new core.Session(task);
  try {
    return new core.Session(task, seed);
  } catch (e) {
    if (e instanceof TypeError && /BigInt/i.test(e.message)) return new core.Session(task, BigInt(seed));
    throw e;
  }
}

export class AnnotatorSession {
  /**
   * @param core    the wasm module
   * @param task    the task JSON (full in open mode, public in blind mode)
   * @param options {annotator, endpoint, mode, seed, outbox}
   */
  constructor(core, task, { annotator, endpoint, mode, seed, outbox }) {
    this.core = core;
    this.session = newSession(core, task, seed);
    this.task = this.session.publicTask();
    this.annotator = annotator;
    this.endpoint = endpoint;
    this.mode = mode;
    this.outbox = outbox;
    this.key = `${this.task.task_id}|${annotator}`;
    this.clientVersion = `prefkit-page/${core.version()}`;
    this.flagged = false;
  }

  /**
   * Replays the journal into the core session. Returns the current batch
   * and the ids of its finished items (or batch null when none was started).
   */
  async resume() {
    const db = await openDb();
    const batches = await request(db.transaction('batches').objectStore('batches').index('key').getAll(this.key));
    const entries = await this.outbox.entries(this.key);
    const byItem = new Map(entries.map((e) => [e.submission.item, e]));
    let current = null;
    let finished = new Set();
    for (const { batch } of batches) {
      this.session.adoptBatch(batch);
      finished = new Set();
      for (const item of batch.items) {
        const e = byItem.get(item.id);
        if (!e) continue;
        try {
          const verdict = this.session.submit(e.submission);
          if (verdict.status === 'flagged') this.flagged = true;
        } catch (err) {
          console.warn(`prefkit: replaying ${e.id} failed: ${err.message}`);
        }
        finished.add(item.id);
      }
      current = batch;
      if (batch.flagged) this.flagged = true;
    }
    // In blind mode only the server knows the gold: its stored verdicts count.
    if (entries.some((e) => e.server_status === 'flagged')) this.flagged = true;
    return { batch: current, finished };
  }

  /** Asks for the next batch (the core's, or in blind mode the collector's) and journals it. */
  async nextBatch() {
    let batch;
    if (this.mode === 'blind') {
      const url = `${endpointBase(this.endpoint)}/api/tasks/${encodeURIComponent(this.task.task_id)}/batch?annotator=${encodeURIComponent(this.annotator)}`;
      batch = await fetchJson(url, 'the next batch');
      this.session.adoptBatch(batch);
    } else {
      batch = this.session.nextBatch(this.annotator);
    }
    if (batch.flagged) this.flagged = true;
    const db = await openDb();
    const tx = db.transaction('batches', 'readwrite');
    tx.objectStore('batches').add({ key: this.key, batch, created: Date.now() });
    await done(tx);
    return batch;
  }

  /**
   * Submits one choice (label as shown, A = left) to the core, stores the
   * canonical record in the outbox (durably) and returns the core's verdict.
   */
  async submit({ item, choice, time_seconds, dimensions }) {
    const submission = {
      id: uuid(),
      item,
      annotator: this.annotator,
      choice,
      time_seconds,
      timestamp: Math.floor(Date.now() / 1000),
      client_version: this.clientVersion,
      task_id: this.task.task_id,
    };
    if (dimensions && Object.keys(dimensions).length > 0) submission.dimensions = dimensions;
    const verdict = this.session.submit(submission);
    await this.outbox.add({ key: this.key, endpoint: this.endpoint, record: verdict.annotation, submission });
    if (verdict.status === 'flagged') this.flagged = true;
    return verdict;
  }
}
