// annotate.html: reads the URL parameters (see params.js), puts one
// <prefkit-annotator> on the page and, once it is finished, completes the
// assignment on the crowd platform (see completion.js).

import './prefkit-annotator.js';
import { readParams } from './params.js';
import { completionAction } from './completion.js';

const params = readParams(location.search, location.href);
const el = document.createElement('prefkit-annotator');
if (params.task) el.setAttribute('task', params.task);
if (params.endpoint) el.setAttribute('endpoint', params.endpoint);
if (params.annotator) el.setAttribute('annotator', params.annotator);
if (params.sig) el.setAttribute('sig', params.sig);
if (params.mode === 'blind') el.setAttribute('mode', 'blind');
if (params.seed !== null) el.setAttribute('seed', String(params.seed));
el.setAttribute('grace', String(params.grace));
if (params.dimensions) el.setAttribute('dimensions', '');
el.setAttribute('global-keys', '');
if (params.platform.kind !== 'none') el.setAttribute('single-batch', '');
if (params.platform.kind === 'mturk' && params.platform.preview) el.setAttribute('preview', '');

el.addEventListener('prefkit:done', (e) => {
  const action = completionAction(params, e.detail, window);
  if (!action) return;
  const box = document.getElementById('completion');
  const problems = e.detail.problems.length;
  document.getElementById('completion-text').textContent = problems > 0
    ? `${problems} of your answers were refused by the server (shown above). You can still finish.`
    : 'All your answers are sent.';
  const button = document.getElementById('completion-button');
  button.textContent = action.label;
  button.onclick = () => { button.disabled = true; action.run(); };
  box.hidden = false;
  button.focus();
});

document.getElementById('app').replaceChildren(el);
