// A fault-injecting HTTP proxy in front of the collector. Faults apply only
// to POSTs of annotations; pages and assets pass through untouched (except
// while the proxy is "down", when it listens to nobody at all).
//
//   proxy.fail(n, status)   answer the next n annotation POSTs with `status`
//   proxy.dropBefore(n)     destroy the next n POST connections before forwarding
//   proxy.dropAfter(n)      forward the next n POSTs (the collector stores them),
//                           then destroy the connection instead of answering
//   proxy.down() / up()     stop listening (connections refused) / listen again
//   proxy.posts             every annotation POST seen: {id, outcome}

import http from 'node:http';

export async function startProxy(target) {
  const t = new URL(target);
  const faults = { fail: 0, status: 500, dropBefore: 0, dropAfter: 0 };
  const posts = [];
  const sockets = new Set();
  let port = 0;

  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isPost = req.method === 'POST' && req.url.startsWith('/api/annotations');
      let id = null;
      if (isPost) { try { id = JSON.parse(body.toString()).id ?? null; } catch { id = null; } }
      if (isPost && faults.dropBefore > 0) {
        faults.dropBefore -= 1;
        posts.push({ id, outcome: 'dropped-before' });
        req.socket.destroy();
        return;
      }
      if (isPost && faults.fail > 0) {
        faults.fail -= 1;
        posts.push({ id, outcome: `status-${faults.status}` });
        res.writeHead(faults.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'injected failure' }));
        return;
      }
      const dropAfter = isPost && faults.dropAfter > 0;
      if (dropAfter) faults.dropAfter -= 1;
      const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (ur) => {
        const parts = [];
        ur.on('data', (c) => parts.push(c));
        ur.on('end', () => {
          if (isPost) posts.push({ id, outcome: dropAfter ? `dropped-after-${ur.statusCode}` : `status-${ur.statusCode}` });
          if (dropAfter) { req.socket.destroy(); return; }
          res.writeHead(ur.statusCode, ur.headers);
          res.end(Buffer.concat(parts));
        });
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      up.end(body);
    });
  };

  let server = null;
  const listen = () => new Promise((resolve, reject) => {
    server = http.createServer(handler);
    server.keepAliveTimeout = 1000;
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { port = server.address().port; resolve(); });
  });
  await listen();

  return {
    get url() { return `http://127.0.0.1:${port}`; },
    posts,
    fail(n, status = 500) { faults.fail = n; faults.status = status; },
    dropBefore(n) { faults.dropBefore = n; },
    dropAfter(n) { faults.dropAfter = n; },
    async down() {
      await new Promise((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); });
    },
    async up() { await listen(); },
    async close() { await new Promise((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); }); },
  };
}
