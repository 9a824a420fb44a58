// A local OpenAI-compatible chat-completions server for the judge page
// tests. It answers like a judge model, deterministically by rule:
//
//  * the longer response wins (A>B or B>A), twice as long or more wins
//    strongly (>>), equal lengths tie; so its verdicts survive the swap check;
//  * tags in the user prompt change the behaviour of that item:
//      #biased    always prefers the response shown first (fails the swap check)
//      #noverdict answers without a verdict line
//      #hedge     hedges ("slightly", "might") and puts less mass on its verdict
//      #think     thinks first, mentioning the opposite verdict inside <think>
//      #slow      answers after `slowMs`
//      #429       the first attempt of each request gets 429 (Retry-After: 0)
//      #500       the first two attempts of each request get 500
//      #401       always 401
//  * CORS is open (any origin, Authorization allowed, Retry-After exposed),
//    so a page on another local port can call it;
//  * `logprobs: true` in the body adds OpenAI-style token log-probabilities,
//    the verdict as one token with the other four verdicts as alternatives.
//
// Usage in tests: `const s = await startJudgeServer(); ... s.url ... await s.close()`.
// By hand: `node tests/browser/judge-server.mjs 8089`.

import http from 'node:http';

const VERDICTS = ['A>>B', 'A>B', 'A=B', 'B>A', 'B>>A'];
const FLIP = { 'A>>B': 'B>>A', 'A>B': 'B>A', 'A=B': 'A=B', 'B>A': 'A>B', 'B>>A': 'A>>B' };

/** The rule-based verdict for a request's messages: {content, verdict, tags}. */
export function judgeByRule(messages) {
  const user = (messages || []).filter((m) => m.role === 'user').map((m) => m.content).join('\n');
  const m = /\[User prompt\]\n([\s\S]*?)\n\n\[Response A\]\n([\s\S]*?)\n\n\[Response B\]\n([\s\S]*?)\n\n/.exec(user + '\n\n');
  if (!m) return { content: 'I cannot find the two responses in this prompt.', verdict: null, tags: new Set() };
  const [, prompt, a, b] = m;
  const tags = new Set((prompt.match(/#\w+/g) || []).map((t) => t.slice(1)));
  let verdict;
  if (tags.has('biased')) verdict = 'A>B';
  else if (a.length === b.length) verdict = 'A=B';
  else if (a.length >= 2 * b.length) verdict = 'A>>B';
  else if (b.length >= 2 * a.length) verdict = 'B>>A';
  else verdict = a.length > b.length ? 'A>B' : 'B>A';
  let reasoning = `Response A has ${a.length} characters and Response B has ${b.length}; the more complete one is better.`;
  if (tags.has('hedge')) reasoning += ' It is slightly unclear, and the other might be fine too.';
  if (tags.has('noverdict')) return { content: reasoning + ' I will leave the decision to you.', verdict: null, tags };
  let content = `${reasoning}\n\nVERDICT: ${verdict}`;
  if (tags.has('think')) content = `<think>\nFirst impression: VERDICT: ${FLIP[verdict] === verdict ? 'A>B' : FLIP[verdict]}. Let me check lengths.\n</think>\n${content}`;
  return { content, verdict, tags };
}

function logprobsFor(content, verdict, hedged) {
  const cut = content.lastIndexOf(verdict);
  const head = content.slice(0, cut - ' '.length);
  const words = head.split(/(?<=\s)/);
  const plain = (token) => ({ token, logprob: -0.01, top_logprobs: [{ token, logprob: -0.01 }] });
  const p = hedged ? 0.55 : 0.8;
  const rest = [0.1, 0.05, 0.03, 0.02].map((x) => (x * (1 - p)) / 0.2);
  const others = VERDICTS.filter((v) => v !== verdict);
  const top = [{ token: ` ${verdict}`, logprob: Math.log(p) }, ...others.map((v, i) => ({ token: ` ${v}`, logprob: Math.log(rest[i]) }))];
  return { content: [...words.map(plain), { token: ` ${verdict}`, logprob: Math.log(p), top_logprobs: top }] };
}

/** Starts the server on `port` (0: any free port). */
export async function startJudgeServer({ port = 0, slowMs = 400, key = '' } = {}) {
  const attempts = new Map();
  const stats = { requests: 0, status: {}, inFlight: 0, maxInFlight: 0, aborted: 0, lastAuthorization: null, byPrompt: {} };
  const count = (code) => { stats.status[code] = (stats.status[code] || 0) + 1; };
  const server = http.createServer((req, res) => {
    // Pages served from another origin call this server: allow it, and let
    // them read Retry-After.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      stats.requests++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      let done = false;
      res.on('close', () => {
        stats.inFlight--;
        if (!done) stats.aborted++;
      });
      const send = (code, body, headers = {}) => {
        if (res.destroyed) return;
        done = true;
        count(code);
        res.writeHead(code, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      stats.lastAuthorization = req.headers.authorization ?? null;
      if (key && req.headers.authorization !== `Bearer ${key}`) {
        return send(401, { error: { message: 'invalid API key' } });
      }
      let body;
      try { body = JSON.parse(raw); } catch { return send(400, { error: { message: 'body is not JSON' } }); }
      const { content, verdict, tags } = judgeByRule(body.messages);
      const userPrompt = /\[User prompt\]\n([^\n]*)/.exec(body.messages?.[1]?.content ?? '')?.[1] ?? '';
      stats.byPrompt[userPrompt] = (stats.byPrompt[userPrompt] || 0) + 1;
      const attemptKey = JSON.stringify(body.messages);
      const attempt = (attempts.get(attemptKey) || 0) + 1;
      attempts.set(attemptKey, attempt);
      if (tags.has('401')) return send(401, { error: { message: 'invalid API key' } });
      if (tags.has('429') && attempt === 1) return send(429, { error: { message: 'rate limited' } }, { 'retry-after': '0' });
      if (tags.has('500') && attempt <= 2) return send(500, { error: { message: 'internal error' } });
      const answer = () => send(200, {
        id: `chatcmpl-${stats.requests}`,
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [{
          index: 0,
          message: { role: 'assistant', content },
          logprobs: body.logprobs && verdict ? logprobsFor(content, verdict, tags.has('hedge')) : null,
          finish_reason: 'stop',
        }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      });
      if (tags.has('slow')) setTimeout(answer, slowMs);
      else setImmediate(answer);
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    stats,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startJudgeServer({ port: Number(process.argv[2] || 8089) });
  console.log(`judge test server on ${s.url}/v1/chat/completions`);
}
