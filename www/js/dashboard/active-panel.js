// "What to label next" (page side): reads strategy, budget, weights and
// seed, posts them to the worker (which asks the core's selectNext over the
// task's examples, leaving out items already labelled), and draws the
// selection with the core's reason for each pick.

import { esc, fmt } from './format.js';

const $ = (id) => document.getElementById(id);

export class ActivePanel {
  constructor(send) {
    this.send = send;
    this.info = null;
    this.chosen = false; // whether the user picked the strategy (else the panel picks by the task)
    $('active-strategy').onchange = () => { this.chosen = true; };
    $('active-form').onsubmit = (e) => {
      e.preventDefault();
      this.choose();
    };
    $('active-export').onclick = () => this.send({ type: 'active-export' });
  }

  request() {
    const n = (id, d) => ($(id).value === '' || !Number.isFinite(Number($(id).value)) ? d : Number($(id).value));
    return {
      strategy: $('active-strategy').value,
      budget: Math.max(1, Math.round(n('active-budget', 10))),
      weights: { uncertainty: n('active-wu', 0.6), distance: n('active-wd', 0.4) },
      seed: Math.max(0, Math.round(n('active-seed', 0))),
      // Empty: the worker counts an item as labelled at the target overlap.
      min_labels: $('active-min-labels').value === '' ? null : Math.max(1, Math.round(n('active-min-labels', 1))),
      overlap: Math.max(1, Number($('overlap').value) || 3),
    };
  }

  choose() {
    $('active-note').textContent = 'Choosing…';
    const r = this.request();
    this.send({ type: 'active-select', request: r });
  }

  receive(m) {
    switch (m.type) {
      case 'panels-info': {
        this.info = m;
        const unc = $('active-strategy').querySelector('option[value="uncertainty"]');
        const scored = m.examples > 0 && m.withScores === m.examples;
        unc.disabled = !scored;
        unc.title = scored ? '' : 'needs reward scores (metadata.score_a and score_b) on every example';
        if (!scored && $('active-strategy').value !== 'diversity') {
          $('active-strategy').value = 'diversity';
        } else if (scored && !this.chosen) {
          // A task with reward scores (loaded before or after the annotations): use them.
          $('active-strategy').value = 'hybrid';
        }
        $('active-run').disabled = !m.examples;
        $('active-run').title = m.examples ? '' : 'load a task file: its examples are the candidates';
        $('active-note').textContent = !m.examples ? 'Load a task file: its examples are the candidates.'
          : scored ? `${m.examples} examples with reward scores; items with annotations are left out.`
            : `${m.withScores} of ${m.examples} examples have reward scores (metadata.score_a and score_b): uncertainty needs them on every example, and hybrid needs them unless its uncertainty weight is 0. Diversity works on the prompts alone.`;
        break;
      }
      case 'active-selection':
        this.render(m);
        break;
      case 'panel-error':
        if (m.panel === 'active') $('active-note').textContent = `Could not choose: ${m.message}`;
        break;
      case 'export':
        if (/-next\.json$/.test(m.filename)) $('active-note').textContent = `${m.filename}: ${m.note}`;
        break;
    }
  }

  render(m) {
    const s = m.selection;
    const emb = { supplied: 'embeddings from the task', hashed: 'hashed n-gram embeddings of the prompts', none: 'no embeddings needed' }[s.embedding] ?? s.embedding;
    const least = m.request.min_labels;
    $('active-note').textContent = `${s.selected.length} chosen by ${s.strategy} from ${s.candidates} candidate examples ` +
      `(${s.labelled_excluded} with ${least > 1 ? `${least} or more labels` : 'a label'} left out${m.auto ? `: ${m.auto}` : ''}; ${emb}; ${m.ms} ms in the core).` +
      (s.candidates ? '' : ' Every example has enough labels: raise "Labelled at" to choose among the items with the fewest.');
    $('active-export').title = s.selected.length ? '' : 'nothing chosen to export';
    $('active-table').innerHTML = `<thead><tr><th>#</th><th>item</th><th>prompt</th><th>score</th><th>uncertainty</th><th>distance</th><th>why</th></tr></thead>
      <tbody>${s.selected.map((x) => `<tr data-id="${esc(x.id)}"><td class="num">${x.rank}</td><td>${esc(x.id)}</td><td>${esc(x.prompt)}</td>
        <td class="num">${fmt(x.score)}</td><td class="num">${fmt(x.uncertainty)}</td><td class="num">${fmt(x.distance)}</td>
        <td class="reason">${esc(x.reason)}</td></tr>`).join('')}</tbody>`;
    $('active-export').disabled = !s.selected.length;
    document.getElementById('active').dataset.selected = String(s.selected.length);
    this.lastRequest = m.request;
  }
}
