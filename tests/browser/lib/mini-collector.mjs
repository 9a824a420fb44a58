// A small stand-in collector for the page tests, used only when the real
// one (`prefkit serve`) is not built: serves www/, stores POSTed annotations
// in memory idempotently by id (201 stored, 200 for a repeat, 409 for the
// same id with other content; 415 for a body not sent as JSON), answers
// in the collector's shape ({"id", "duplicate", "verdict"}, here with no
// verdict) and exports labels and skips with the admin token. It does not re-check
// gold or assemble blind batches; the real collector does.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.jsonl': 'application/jsonl', '.md': 'text/plain', '.svg': 'image/svg+xml' };

export function startMiniCollector({ www, tasks = [], adminToken }) {
  const stored = new Map(); // id -> {json, record}
  const taskIds = new Set(tasks.map((t) => JSON.parse(fs.readFileSync(t, 'utf8')).task_id));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, body, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, authorization, x-prefkit-sig' });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/api/annotations') {
      // As the real collector: only JSON posts (a page elsewhere can send
      // text/plain or a form without asking first).
      const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') return send(415, { error: 'send the body as JSON with `Content-Type: application/json`' });
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        let v;
        try { v = JSON.parse(body); } catch { return send(400, { error: 'body is not JSON' }); }
        const list = Array.isArray(v) ? v : [v];
        for (const a of list) {
          if (!a || typeof a.id !== 'string' || typeof a.item !== 'string' || (typeof a.label !== 'string' && typeof a.skip !== 'string')) return send(400, { error: 'annotation needs string id, item and label (or skip)' });
          if (a.task_id && taskIds.size && !taskIds.has(a.task_id)) return send(400, { error: `unknown task "${a.task_id}"` });
        }
        for (const a of list) {
          const json = JSON.stringify(a);
          const old = stored.get(a.id);
          if (old && old.json !== json) return send(409, { error: `annotation id ${a.id} already stored with other content` });
        }
        const results = list.map((a) => ({ id: a.id, duplicate: stored.has(a.id), verdict: null }));
        for (const a of list) if (!stored.has(a.id)) stored.set(a.id, { json: JSON.stringify(a), record: a });
        if (Array.isArray(v)) {
          const duplicates = results.filter((r) => r.duplicate).length;
          return send(200, { stored: results.length - duplicates, duplicates, refused: 0, results });
        }
        send(results[0].duplicate ? 200 : 201, results[0]);
      });
      return;
    }
    const m = url.pathname.match(/^\/api\/tasks\/([^/]+)\/(annotations|skips)\.jsonl$/);
    if (m && req.method === 'GET') {
      if (req.headers.authorization !== `Bearer ${adminToken}`) return send(401, { error: 'admin token required' });
      const lines = [...stored.values()]
        .filter((s) => s.record.task_id === decodeURIComponent(m[1]) && (m[2] === 'skips') === (typeof s.record.skip === 'string'))
        .map((s) => s.json);
      return send(200, lines.map((l) => `${l}\n`).join(''), 'application/jsonl');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(www, rel);
    if (!file.startsWith(path.resolve(www))) return send(403, { error: 'forbidden' });
    fs.readFile(file, (err, data) => {
      if (err) return send(404, { error: 'not found' });
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, kind: 'mini', close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) });
    });
  });
}
