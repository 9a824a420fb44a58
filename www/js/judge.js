// The network half of AI-assisted labeling. The core (wasm) builds each
// request, reads each answer and decides what to trust; this module only
// sends requests to an OpenAI-compatible chat-completions endpoint (or to any
// async function the host page passes), with a concurrency limit, a rate
// limit, retries with backoff on 429 and 5xx, cancel and resume.
//
//   import init, * as core from '../pkg/prefkit_lab.js';
//   import { JudgeRun, endpointCaller } from './js/judge.js';
//   await init();
//   const run = new JudgeRun({
//     core,                                   // buildJudgeRequest, assessResponse, judgeResult
//     call: endpointCaller({ url, key }),     // or: async (body, { signal }) => response JSON or text
//     model, swap: true, concurrency: 4, requestsPerMinute: 120,
//     onProgress: p => bar.value = p.done / p.total,
//   });
//   const { results, errors, cancelled } = await run.run(items);  // items: {id, prompt, response_a, response_b}
//   results.forEach(r => router.addJudgment(r));
//
// The key is kept in memory only; `saveKey` writes it to storage only when
// the user asks to remember it.

/** HTTP statuses worth retrying. */
export const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
/** HTTP statuses that stop the whole run (a wrong key fails every request). */
export const FATAL_STATUS = new Set([401, 403]);

const KEY_STORAGE = 'prefkit.judge.key';

/** A failed request: `status` is the HTTP status (0 for a network error). */
export class JudgeRequestError extends Error {
  constructor(message, { status = 0, retryAfterMs = null, body = '' } = {}) {
    super(message);
    this.name = 'JudgeRequestError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.body = body;
  }
  get retryable() {
    return this.status === 0 || RETRYABLE_STATUS.has(this.status);
  }
  get fatal() {
    return FATAL_STATUS.has(this.status);
  }
}

function abortError() {
  const e = new Error('the judge run was cancelled');
  e.name = 'AbortError';
  return e;
}

/** A promise that rejects with an AbortError when `signal` aborts. */
function rejectOnAbort(signal) {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(abortError());
    else signal.addEventListener('abort', () => reject(abortError()), { once: true });
  });
}

/** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The chat-completions URL for a base URL (`http://host:8080`, `.../v1` or the full path). */
export function chatCompletionsUrl(url) {
  const u = String(url || '').trim().replace(/\/+$/, '');
  if (!u) throw new Error('the endpoint URL is empty');
  if (/\/chat\/completions$/.test(u)) return u;
  if (/\/v\d+$/.test(u)) return `${u}/chat/completions`;
  return `${u}/v1/chat/completions`;
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date), or null. */
export function retryAfterMs(header, now = Date.now()) {
  if (header == null || header === '') return null;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(header);
  return Number.isFinite(t) ? Math.max(0, t - now) : null;
}

/**
 * A `call` function for an OpenAI-compatible endpoint (llama.cpp server,
 * vLLM, Ollama, a hosted API). `key` is sent as a Bearer token and kept in
 * this closure only.
 */
export function endpointCaller({ url, key = '', headers = {}, fetch: fetchFn = globalThis.fetch }) {
  const target = chatCompletionsUrl(url);
  return async (body, { signal } = {}) => {
    let res;
    try {
      res = await fetchFn(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...headers,
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new JudgeRequestError(`could not reach ${target}: ${e?.message ?? e}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new JudgeRequestError(
        `${target} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        { status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after')), body: text },
      );
    }
    try {
      return await res.json();
    } catch (e) {
      throw new JudgeRequestError(`${target} did not answer JSON: ${e?.message ?? e}`, { status: res.status });
    }
  };
}

/** A response from a host function: a chat-completions object, or its text. */
function asChatResponse(value) {
  if (typeof value === 'string') return { choices: [{ message: { role: 'assistant', content: value } }] };
  return value;
}

/**
 * Spaces request starts at least `60000 / requestsPerMinute` ms apart
 * (0 or less: no limit). `now` and `wait` can be replaced in tests.
 */
export class RateLimiter {
  constructor(requestsPerMinute, { now = () => Date.now(), wait = sleep } = {}) {
    this.interval = requestsPerMinute > 0 ? 60000 / requestsPerMinute : 0;
    this.next = -Infinity;
    this.now = now;
    this.wait = wait;
  }
  async acquire(signal) {
    if (this.interval <= 0) return;
    const t = this.now();
    const start = Math.max(t, this.next);
    this.next = start + this.interval;
    if (start > t) await this.wait(start - t, signal);
  }
}

/** Delay before retry number `attempt` (0-based): Retry-After when given, else base × 2^attempt, capped. */
export function backoffMs(attempt, { baseMs = 500, maxMs = 20000, retryAfter = null } = {}) {
  if (retryAfter != null) return Math.min(retryAfter, maxMs);
  return Math.min(maxMs, baseMs * 2 ** attempt);
}

/** Remembers the key in `storage` only when `remember` is true; otherwise removes any stored key. */
export function saveKey(key, { remember = false, storage = globalThis.localStorage } = {}) {
  if (!storage) return;
  if (remember && key) storage.setItem(KEY_STORAGE, key);
  else storage.removeItem(KEY_STORAGE);
}

/** The remembered key, or ''. */
export function loadKey(storage = globalThis.localStorage) {
  return storage?.getItem(KEY_STORAGE) ?? '';
}

/** Results as JSON Lines, one judge result per line. */
export function toJsonl(results) {
  return results.map((r) => JSON.stringify(r)).join('\n') + (results.length ? '\n' : '');
}

/**
 * One judge run over a list of items. Create it once; call `run(items)`,
 * `cancel()` to stop (in-flight requests are aborted), and `run(items)` again
 * to resume: finished items and finished orders are not asked again.
 * `state()` / `options.state` carry the progress across page reloads.
 */
export class JudgeRun {
  constructor(options) {
    const o = { concurrency: 4, requestsPerMinute: 0, maxRetries: 4, backoffMs: 500, maxBackoffMs: 20000,
      timeoutMs: 120000, swap: true, logprobs: false, promptConfig: null, ...options };
    if (!o.core) throw new Error('JudgeRun needs the prefkit core (buildJudgeRequest, assessResponse, judgeResult)');
    if (typeof o.call !== 'function') throw new Error('JudgeRun needs `call`: endpointCaller({url, key}) or an async function');
    if (!o.model && !o.allowNoModel) throw new Error('JudgeRun needs the model name');
    this.o = o;
    this.limiter = new RateLimiter(o.requestsPerMinute, { now: o.now, wait: o.wait });
    const s = o.state ?? {};
    this.judgments = new Map(Object.entries(s.judgments ?? {}));
    this.results = new Map(Object.entries(s.results ?? {}));
    this.errors = new Map();
    this.controller = null;
    this.counters = { requests: 0, retries: 0 };
  }

  /** What to keep to resume later (plain JSON). */
  state() {
    return { judgments: Object.fromEntries(this.judgments), results: Object.fromEntries(this.results) };
  }

  /** Stops the run: pending requests are aborted and `run` resolves with `cancelled: true`. */
  cancel() {
    this.controller?.abort();
  }

  progress(total, inFlight) {
    this.o.onProgress?.({
      total,
      done: this.results.size,
      failed: this.errors.size,
      in_flight: inFlight,
      requests: this.counters.requests,
      retries: this.counters.retries,
    });
  }

  async request(item, order, signal) {
    const body = this.o.core.buildJudgeRequest({
      model: this.o.model,
      input: { prompt: item.prompt, response_a: item.response_a, response_b: item.response_b },
      config: this.o.promptConfig ?? undefined,
      logprobs: !!this.o.logprobs,
      swapped: order === 'ba',
    });
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire(signal);
      this.counters.requests++;
      // Each attempt has its own controller: aborted by the run's cancel or
      // by the per-request timeout (a timeout is retried like a 5xx).
      const attemptCtl = new AbortController();
      const onCancel = () => attemptCtl.abort();
      signal.addEventListener('abort', onCancel, { once: true });
      let timedOut = false;
      const timer = this.o.timeoutMs > 0 ? setTimeout(() => { timedOut = true; attemptCtl.abort(); }, this.o.timeoutMs) : null;
      try {
        // The race also stops a host function that ignores its signal.
        const answer = await Promise.race([
          this.o.call(body, { signal: attemptCtl.signal, item: item.id, order }),
          rejectOnAbort(attemptCtl.signal),
        ]);
        if (timedOut) throw new JudgeRequestError(`no answer within ${this.o.timeoutMs} ms`);
        return this.o.core.assessResponse(asChatResponse(answer));
      } catch (caught) {
        let e = caught;
        if (timedOut && !signal.aborted) e = new JudgeRequestError(`no answer within ${this.o.timeoutMs} ms`);
        if (signal.aborted || e?.name === 'AbortError') throw abortError();
        const retryable = e instanceof JudgeRequestError ? e.retryable : false;
        if (!retryable || attempt >= this.o.maxRetries) throw e;
        this.counters.retries++;
        this.o.onRetry?.({ item: item.id, order, attempt: attempt + 1, error: e.message });
        await sleep(backoffMs(attempt, { baseMs: this.o.backoffMs, maxMs: this.o.maxBackoffMs,
          retryAfter: e.retryAfterMs }), signal);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onCancel);
      }
    }
  }

  /** Judges every item not judged yet. Resolves `{results, errors, cancelled, fatal}`. */
  async run(items) {
    if (this.controller && !this.controller.signal.aborted) throw new Error('this judge run is already running');
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    this.errors.clear();
    const orders = this.o.swap ? ['ab', 'ba'] : ['ab'];
    const byId = new Map(items.map((it) => [String(it.id), it]));
    const jobs = [];
    for (const it of items) {
      const id = String(it.id);
      if (this.results.has(id)) continue;
      for (const order of orders) if (!this.judgments.has(`${id}|${order}`)) jobs.push({ id, order });
      // Both orders already judged (state saved mid-item): finish it now.
      if (orders.every((ord) => this.judgments.has(`${id}|${ord}`))) this.finish(id, orders);
    }
    let inFlight = 0;
    let fatal = null;
    this.progress(byId.size, 0);
    const worker = async () => {
      while (jobs.length && !signal.aborted) {
        const { id, order } = jobs.shift();
        if (this.errors.has(id)) continue;
        inFlight++;
        this.progress(byId.size, inFlight);
        try {
          const judgment = await this.request(byId.get(id), order, signal);
          this.judgments.set(`${id}|${order}`, judgment);
          if (orders.every((ord) => this.judgments.has(`${id}|${ord}`))) this.finish(id, orders);
        } catch (e) {
          if (e?.name !== 'AbortError') {
            this.errors.set(id, e?.message ?? String(e));
            if (e instanceof JudgeRequestError && e.fatal) {
              fatal = e.message;
              controller.abort();
            }
          }
        } finally {
          inFlight--;
          this.progress(byId.size, inFlight);
        }
      }
    };
    const n = Math.max(1, Math.min(this.o.concurrency | 0 || 1, jobs.length || 1));
    await Promise.all(Array.from({ length: n }, worker));
    const cancelled = signal.aborted;
    this.controller = null;
    return {
      results: items.map((it) => this.results.get(String(it.id))).filter(Boolean),
      errors: Object.fromEntries(this.errors),
      cancelled: cancelled && !fatal,
      fatal,
    };
  }

  finish(id, orders) {
    const ab = this.judgments.get(`${id}|ab`);
    const ba = orders.includes('ba') ? this.judgments.get(`${id}|ba`) : undefined;
    const result = this.o.core.judgeResult(id, ab, ba);
    this.results.set(id, result);
    this.o.onResult?.(result);
  }
}
