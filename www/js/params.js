// The page's URL parameters, read in one place.
//
//   task           URL of the task JSON (relative to the page), or a task id
//                  the collector serves as {base}/api/tasks/{id}
//   endpoint       URL each finished annotation is POSTed to as JSON
//                  (the collector's is {base}/api/annotations); without it,
//                  annotations stay in this browser and can be downloaded
//   annotator      the annotator id (default: MTurk workerId, Prolific
//                  PROLIFIC_PID, else a random id kept in this browser)
//   sig            the signature of a signed link (`prefkit sign`), sent with
//                  every batch request and annotation as X-Prefkit-Sig
//   mode=blind     the collector assembles the batches (for its blind gold
//                  mode, where gold answers never leave the server)
//   seed           integer seed for the session's random choices
//   grace          seconds a choice can still be undone (default 1.5)
//   dimensions=1   ask for rubric dimension ratings even if the task does not
//   MTurk:         workerId, assignmentId, hitId, turkSubmitTo
//   Prolific:      PROLIFIC_PID, STUDY_ID, SESSION_ID, and cc (completion
//                  code) and/or completion_url
//   parent_origin  origin the finished message is posted to (default "*")

const MTURK_PREVIEW = 'ASSIGNMENT_ID_NOT_AVAILABLE';

/** A URL string if it is http(s), else null (no javascript: or data: targets). */
export function safeHttpUrl(value, base) {
  if (!value) return null;
  try {
    const u = new URL(value, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Reads the parameters from a query string. */
export function readParams(search, base = location.href) {
  const q = new URLSearchParams(search);
  const get = (k) => {
    const v = q.get(k);
    return v === null || v.trim() === '' ? null : v.trim();
  };
  const seedText = get('seed');
  const seed = seedText !== null && /^\d{1,15}$/.test(seedText) ? Number(seedText) : null;
  const graceText = get('grace');
  const grace = graceText !== null && Number.isFinite(Number(graceText)) ? Math.min(10, Math.max(0, Number(graceText))) : 1.5;

  let platform = { kind: 'none' };
  if (get('assignmentId') || get('turkSubmitTo') || get('workerId')) {
    const assignmentId = get('assignmentId');
    platform = {
      kind: 'mturk',
      workerId: get('workerId'),
      assignmentId,
      hitId: get('hitId'),
      turkSubmitTo: safeHttpUrl(get('turkSubmitTo'), base),
      preview: !assignmentId || assignmentId === MTURK_PREVIEW,
    };
  } else if (get('PROLIFIC_PID')) {
    platform = {
      kind: 'prolific',
      pid: get('PROLIFIC_PID'),
      studyId: get('STUDY_ID'),
      sessionId: get('SESSION_ID'),
      code: get('cc'),
      completionUrl: safeHttpUrl(get('completion_url'), base),
    };
  }
  const annotator = get('annotator') || (platform.kind === 'mturk' ? platform.workerId : null)
    || (platform.kind === 'prolific' ? platform.pid : null);
  return {
    task: get('task'),
    endpoint: get('endpoint') ? safeHttpUrl(get('endpoint'), base) : null,
    annotator,
    sig: get('sig'),
    mode: get('mode') === 'blind' ? 'blind' : 'open',
    seed,
    grace,
    dimensions: get('dimensions') === '1' || get('dimensions') === 'true',
    parentOrigin: get('parent_origin') || '*',
    platform,
  };
}
