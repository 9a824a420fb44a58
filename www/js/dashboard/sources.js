// Where the dashboard's data comes from: a dropped or picked file, a URL,
// pasted text, or the collector's server-sent event stream. Network and file
// I/O only; used inside the worker.

/**
 * Reads a source to bytes, reporting progress in bytes.
 * source: {kind: 'file', file} | {kind: 'url', url, headers?} | {kind: 'text', text}
 */
export async function readBytes(source, onProgress) {
  if (source.kind === 'text') return new TextEncoder().encode(source.text);
  let stream;
  let total = 0;
  if (source.kind === 'file') {
    stream = source.file.stream();
    total = source.file.size;
  } else if (source.kind === 'url') {
    let res;
    try {
      res = await fetch(source.url, { headers: source.headers ?? {} });
    } catch (err) {
      throw new Error(`${source.url}: could not fetch (${err.message})`);
    }
    if (!res.ok) throw new Error(`${source.url}: HTTP ${res.status} ${res.statusText}`);
    total = Number(res.headers.get('content-length')) || 0;
    stream = res.body;
  } else {
    throw new Error(`unknown source kind ${source.kind}`);
  }
  const reader = stream.getReader();
  // With a known size the chunks go straight into one buffer.
  let out = total ? new Uint8Array(total) : null;
  const parts = [];
  let done = 0;
  let lastReport = 0;
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    if (out && done + value.byteLength <= out.length) out.set(value, done);
    else parts.push(value);
    done += value.byteLength;
    if (done - lastReport > 4 << 20) {
      lastReport = done;
      onProgress(done, total);
    }
  }
  onProgress(done, total || done);
  if (out && !parts.length) return done === out.length ? out : out.subarray(0, done);
  // Unknown or wrong size: join what was read.
  const joined = new Uint8Array(done);
  let at = 0;
  if (out) {
    const head = out.subarray(0, Math.min(out.length, done - parts.reduce((n, p) => n + p.byteLength, 0)));
    joined.set(head, 0);
    at = head.length;
  }
  for (const p of parts) {
    joined.set(p, at);
    at += p.byteLength;
  }
  return joined;
}

/** Reads a source to text (UTF-8). */
export async function readSource(source, onProgress) {
  if (source.kind === 'text') return source.text;
  return new TextDecoder().decode(await readBytes(source, onProgress));
}

/** Whether the first non-blank byte opens a JSON array. */
export function isJsonArray(bytes) {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (b === 0xef || b === 0xbb || b === 0xbf) continue; // byte order mark
    return b === 0x5b;
  }
  return false;
}

/**
 * JSONL stays as it is; a JSON array becomes JSONL, one element a line, so
 * that "line N" in the core's messages is element N of the array.
 */
export function toJsonl(text) {
  const start = text.search(/\S/);
  if (start < 0 || text[start] !== '[') return text;
  let arr;
  try {
    arr = JSON.parse(text);
  } catch (err) {
    throw new Error(`the file starts with "[" but is not a valid JSON array: ${err.message}`);
  }
  if (!Array.isArray(arr)) throw new Error('expected a JSON array of annotations or JSONL');
  return arr.map((a) => JSON.stringify(a)).join('\n');
}

/** A refused token: following the stream again cannot help. */
export class AuthError extends Error {}

/**
 * Follows a server-sent event stream with fetch (so the bearer token goes
 * in a header), reconnecting with backoff and Last-Event-ID until `signal`
 * aborts. A 401/403 with the header is retried once with `?token=` (for
 * proxies that drop the header); a second one rejects with an AuthError
 * and stops: a wrong token does not become right by reconnecting.
 * `fromId` is sent as the first Last-Event-ID: the collector then replays
 * every stored annotation after it ("0": all of them) before new ones.
 * A `lagged` event (the server dropped events for a slow reader) makes it
 * reconnect from the last id seen, which replays what was missed.
 * handlers: {status(text), data(eventData)}
 */
export async function streamEvents(url, headers, signal, handlers, fromId = null) {
  let lastId = fromId;
  let delay = 500;
  let useQuery = false;
  while (!signal.aborted) {
    try {
      const h = { Accept: 'text/event-stream', ...(useQuery ? {} : headers) };
      if (lastId !== null) h['Last-Event-ID'] = lastId;
      let target = url;
      if (useQuery) {
        const token = (headers.Authorization ?? '').replace(/^Bearer /, '');
        target += (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
      }
      const res = await fetch(target, { headers: h, signal, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) {
        if (!useQuery) {
          useQuery = true;
          continue;
        }
        throw new AuthError(`the collector refused the admin token (HTTP ${res.status})`);
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      handlers.status('connected');
      delay = 500;
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let cut;
        let lagged = false;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev = parseEvent(block);
          if (ev.event === 'lagged') { lagged = true; break; }
          if (ev.id !== null) lastId = ev.id;
          if (ev.data !== null && (ev.event === 'message' || ev.event === 'annotation' || ev.event === 'skip')) {
            handlers.data(ev.data);
          }
        }
        if (lagged) {
          handlers.status('fell behind the stream; catching up');
          await reader.cancel();
          break;
        }
      }
      handlers.status('disconnected; reconnecting');
    } catch (err) {
      if (signal.aborted) break;
      if (err instanceof AuthError) throw err;
      handlers.status(`stream error (${err.message}); reconnecting`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
  handlers.status('stopped');
}

/** One SSE block (lines up to a blank line) -> {event, data, id}. */
export function parseEvent(block) {
  let event = 'message';
  let id = null;
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  return { event, data: data.length ? data.join('\n') : null, id };
}
