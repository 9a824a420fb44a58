// The status line under the annotator: what is saved, sending, sent or
// refused, in words; and the JSONL download of answers kept in the browser.

/**
 * @param c       outbox counts of this task and annotator ({pending, sent, local, problems})
 * @param s       outbox status ({online, retry_in_ms, last_error})
 * @param options {endpoint, finished}
 */
export function statusText(c, s, { endpoint, finished }) {
  const parts = [];
  if (!endpoint) parts.push(`${c.local} saved in this browser only (no endpoint given).`);
  else if (c.pending === 0 && c.sent > 0) parts.push(`All sent ✓ (${c.sent}).`);
  else if (c.pending > 0 && !s.online) parts.push(`Offline: ${c.pending} saved here, sent when you are back online.`);
  else if (c.pending > 0 && s.retry_in_ms > 0) parts.push(`${c.pending} saved here, not sent yet (${s.last_error}); retrying in ${Math.ceil(s.retry_in_ms / 1000)} s.`);
  else if (c.pending > 0) parts.push(`Sending ${c.pending}…`);
  if (c.problems.length > 0) {
    const p = c.problems[0];
    parts.push(`${c.problems.length} refused by the server (item ${p.item}: ${p.error}). They are kept here.`);
  }
  if (finished && c.pending > 0) parts.push('Please keep this page open until everything is sent.');
  return parts.join(' ');
}

/** A link that downloads the stored records given by `entries()` as JSONL. */
export function downloadLink(entries, filename) {
  const a = document.createElement('a');
  a.textContent = 'Download (JSONL)';
  a.href = '#';
  a.addEventListener('click', async (e) => {
    e.preventDefault();
    const list = await entries();
    const blob = new Blob(list.map((x) => `${JSON.stringify(x.record)}\n`), { type: 'application/jsonl' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });
  return a;
}
