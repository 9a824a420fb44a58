// What happens when the annotator is finished (every annotation sent):
// - MTurk: the ExternalQuestion form POST to {turkSubmitTo}/mturk/externalSubmit
//   with assignmentId (and a summary), which ends the assignment;
// - Prolific: a redirect to the completion URL with the completion code;
// - anywhere else: the `prefkit:done` event the element already fired, and
//   a postMessage to the parent frame when the page is embedded.

const PROLIFIC_COMPLETE = 'https://app.prolific.com/submissions/complete';

/** The Prolific completion URL for the parameters, or null. */
export function prolificUrl(platform) {
  if (platform.completionUrl) {
    const u = new URL(platform.completionUrl);
    if (platform.code && !u.searchParams.has('cc')) u.searchParams.set('cc', platform.code);
    return u.href;
  }
  if (platform.code) return `${PROLIFIC_COMPLETE}?cc=${encodeURIComponent(platform.code)}`;
  return null;
}

/** Builds and submits the MTurk external-question form. */
export function submitMturk(platform, detail, doc = document) {
  const form = doc.createElement('form');
  form.method = 'POST';
  form.action = `${platform.turkSubmitTo.replace(/\/+$/, '')}/mturk/externalSubmit`;
  const fields = {
    assignmentId: platform.assignmentId,
    task_id: detail.task_id,
    annotations: String(detail.count),
    flagged: String(Boolean(detail.flagged)),
  };
  for (const [name, value] of Object.entries(fields)) {
    const input = doc.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value ?? '';
    form.append(input);
  }
  doc.body.append(form);
  form.submit();
}

/**
 * What finishing means here: {label, run()} or null when there is nothing
 * to do beyond the event (the embedded case posts a message at once).
 */
export function completionAction(params, detail, win = window) {
  const p = params.platform;
  if (p.kind === 'mturk') {
    if (p.preview || !p.turkSubmitTo) return null;
    return { label: 'Submit the HIT', run: () => submitMturk(p, detail, win.document) };
  }
  if (p.kind === 'prolific') {
    const url = prolificUrl(p);
    if (!url) return null;
    return { label: 'Return to Prolific', run: () => win.location.assign(url) };
  }
  if (win.parent && win.parent !== win) {
    win.parent.postMessage({ type: 'prefkit:done', ...detail }, params.parentOrigin);
  }
  return null;
}
