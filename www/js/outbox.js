// The durable outbox: every finished annotation (a label or a skip) is
// written to IndexedDB first, then POSTed as JSON to its endpoint until the
// server has it. What each answer means for a queued record:
//
// - 2xx: done (state "sent"; the record stays as the journal of the batch).
//   The collector answers one record with {"id", "duplicate", "verdict"}.
// - 409: the server holds a different annotation with this id: state
//   "conflict", shown, never resent, never dropped.
// - 408, 425, 429, and 5xx but 501, network errors, timeouts: retried with
//   exponential backoff and full jitter; immediately again when the browser
//   comes online. These pass: the server is there and will take it later.
// - 501 and any other 4xx (404 and 405 from a static site with no
//   collector, 403 for a link without its signature, 422 refused): state
//   "error", shown with the server's message, kept, and sent again only on
//   "Retry refused" (retryRefused()). Resending cannot change these answers.
// - no endpoint: state "local", kept in this browser for download.
// A record from a signed link carries its signature (`sig`), sent as the
// X-Prefkit-Sig header. The annotation id makes every retry idempotent on
// the server, so a retry after a lost answer never stores anything twice.

import { openDb, request, done } from './idb.js';

const RETRYABLE = new Set([408, 425, 429]);

export class Outbox extends EventTarget {
  /**
   * @param {object} [options]
   * @param {number} [options.baseMs=500]  first retry delay (before jitter)
   * @param {number} [options.maxMs=15000] longest retry delay
   * @param {number} [options.timeoutMs=15000] one request's time limit
   */
  constructor({ baseMs = 500, maxMs = 15000, timeoutMs = 15000 } = {}) {
    super();
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.timeoutMs = timeoutMs;
    this.failures = 0;
    this.running = false;
    this.again = false;
    this.timer = null;
    this.nextAttemptAt = 0;
    this.lastError = '';
    this.sending = 0;
    this.seq = Date.now() * 1000;
    this.online = typeof navigator === 'undefined' ? true : navigator.onLine !== false;
    this._onOnline = () => { this.online = true; this.failures = 0; this.nextAttemptAt = 0; this.pump(); };
    this._onOffline = () => { this.online = false; this.emit(); };
    addEventListener('online', this._onOnline);
    addEventListener('offline', this._onOffline);
  }

  /**
   * Stores an annotation durably; resolves once it is committed to
   * IndexedDB, then starts sending it.
   * @param {{key: string, endpoint: string, sig?: string, record: object, submission: object}} entry
   */
  async add({ key, endpoint, sig = null, record, submission }) {
    if (!record || typeof record.id !== 'string') throw new Error('an annotation needs a string id');
    const db = await openDb();
    const tx = db.transaction('annotations', 'readwrite');
    const store = tx.objectStore('annotations');
    const existing = await request(store.get(record.id));
    if (!existing) {
      store.put({
        id: record.id, key, seq: this.seq++, endpoint, sig, record, submission,
        state: endpoint ? 'pending' : 'local', attempts: 0, error: '', created: Date.now(), sent_at: null,
      });
    }
    await done(tx);
    this.pump();
  }

  /** Every stored annotation of one task and annotator, in the order made. */
  async entries(key) {
    const db = await openDb();
    const all = await request(db.transaction('annotations').objectStore('annotations').index('key').getAll(key));
    return all.sort((a, b) => a.seq - b.seq);
  }

  /** Counts by state, for all keys or one. */
  async counts(key) {
    const db = await openDb();
    const store = db.transaction('annotations').objectStore('annotations');
    const all = key === undefined ? await request(store.getAll()) : await request(store.index('key').getAll(key));
    const c = { pending: 0, sent: 0, local: 0, conflict: 0, error: 0, problems: [] };
    for (const e of all) {
      c[e.state] = (c[e.state] || 0) + 1;
      if (e.state === 'conflict' || e.state === 'error') c.problems.push({ id: e.id, item: e.record.item, state: e.state, error: e.error });
    }
    return c;
  }

  /** Sends refused ("error") annotations again, e.g. after the server was fixed. */
  async retryRefused() {
    const db = await openDb();
    const tx = db.transaction('annotations', 'readwrite');
    const store = tx.objectStore('annotations');
    for (const e of await request(store.index('state').getAll('error'))) {
      e.state = 'pending';
      e.error = '';
      store.put(e);
    }
    await done(tx);
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.pump();
  }

  /** Sends whatever is pending, one request at a time, in order. */
  async pump() {
    if (this.running) { this.again = true; return; }
    this.running = true;
    clearTimeout(this.timer);
    this.timer = null;
    try {
      await this._drain();
    } catch (e) {
      this.lastError = `storage: ${e && e.message ? e.message : e}`;
    } finally {
      this.running = false;
      this.emit();
      if (this.again) { this.again = false; this.pump(); }
    }
  }

  async _drain() {
    for (;;) {
      this.again = false;
      if (!this.online) return;
      const wait = this.nextAttemptAt - Date.now();
      if (wait > 0) { this._schedule(wait); return; }
      const db = await openDb();
      const pending = (await request(db.transaction('annotations').objectStore('annotations').index('state').getAll('pending')))
        .sort((a, b) => a.seq - b.seq);
      if (pending.length === 0) return;
      this.emit();
      for (const entry of pending) {
        const outcome = await this._send(entry);
        if (outcome === 'retry') {
          this.failures += 1;
          const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 20));
          const delay = Math.max(100, Math.random() * cap); // full jitter
          this.nextAttemptAt = Date.now() + delay;
          this._schedule(delay);
          return;
        }
        this.failures = 0;
        this.lastError = '';
        this.emit();
      }
    }
  }

  _schedule(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; this.pump(); }, ms);
    this.emit();
  }

  /** One POST. Returns "done" or "retry"; stores the outcome. */
  async _send(entry) {
    this.sending = 1;
    this.emit();
    let response;
    let body = '';
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), this.timeoutMs);
    try {
      response = await fetch(entry.endpoint, {
        method: 'POST',
        headers: entry.sig ? { 'content-type': 'application/json', 'x-prefkit-sig': entry.sig } : { 'content-type': 'application/json' },
        body: JSON.stringify(entry.record),
        signal: ctl.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
      body = await response.text();
    } catch (e) {
      this.lastError = ctl.signal.aborted ? 'the server did not answer in time' : 'the server could not be reached';
      return 'retry';
    } finally {
      clearTimeout(t);
      this.sending = 0;
      entry.attempts += 1;
    }
    const status = response.status;
    if ((status >= 500 && status !== 501) || RETRYABLE.has(status)) {
      this.lastError = `the server answered ${status}`;
      await this._put(entry);
      return 'retry';
    }
    let json = null;
    try { json = body ? JSON.parse(body) : null; } catch { json = null; }
    if (status >= 200 && status < 300) {
      entry.state = 'sent';
      entry.sent_at = Date.now();
      entry.error = '';
    } else {
      entry.state = status === 409 ? 'conflict' : 'error';
      const msg = json && (json.error || json.message) ? (json.error || json.message) : body;
      entry.error = `${status}: ${String(msg).slice(0, 300)}`;
    }
    await this._put(entry);
    this.dispatchEvent(new CustomEvent('sent', { detail: { entry, status, response: json } }));
    return 'done';
  }

  async _put(entry) {
    const db = await openDb();
    const tx = db.transaction('annotations', 'readwrite');
    tx.objectStore('annotations').put(entry);
    await done(tx);
  }

  /** Status for display: {online, sending, retry_in_ms, last_error}. */
  status() {
    return {
      online: this.online,
      sending: this.sending > 0,
      retry_in_ms: this.timer ? Math.max(0, this.nextAttemptAt - Date.now()) : 0,
      last_error: this.lastError,
    };
  }

  emit() {
    this.dispatchEvent(new CustomEvent('change', { detail: this.status() }));
  }
}

let shared = null;

/** The page's one outbox (several elements on a page share it). */
export function sharedOutbox(options) {
  if (!shared) shared = new Outbox(options);
  return shared;
}
