// The annotator table: every column of the report's annotator stats plus
// position bias and straight-lining, sortable by any column, flagged rows
// highlighted. Rendering only.

export const COLUMNS = [
  ['id', 'annotator', 'text'],
  ['total', 'labels', 'int'],
  ['skips', 'skips', 'int'],
  ['skip_rate', 'skip rate', 'frac'],
  ['gold_total', 'gold', 'int'],
  ['gold_accuracy', 'gold accuracy', 'frac'],
  ['majority_agreement', 'majority agreement', 'frac'],
  ['avg_time_seconds', 'avg time (s)', 'sec'],
  ['speed_penalty', 'speed', 'frac'],
  ['composite', 'composite', 'frac'],
  ['position_share_left', 'left choices (position bias)', 'frac'],
  ['position_p_value', 'position bias p', 'frac'],
  ['straight_longest_run', 'longest same-label run', 'int'],
  ['straight_top_label', 'most used label', 'text'],
  ['straight_top_share', 'its share', 'frac'],
  ['flagged', 'flagged', 'bool'],
];

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function cell(v, kind) {
  if (v === null || v === undefined) return '<td class="na">—</td>';
  if (kind === 'text') return `<td>${esc(v)}</td>`;
  if (kind === 'bool') return `<td>${v ? 'yes' : ''}</td>`;
  if (kind === 'int') return `<td class="num">${v}</td>`;
  if (kind === 'sec') return `<td class="num">${v.toFixed(1)}</td>`;
  return `<td class="num">${typeof v === 'number' ? v.toFixed(3) : esc(v)}</td>`;
}

/** Compares with nulls last whatever the direction. */
function compare(key, dir) {
  return (x, y) => {
    const a = x[key];
    const b = y[key];
    const an = a === null || a === undefined;
    const bn = b === null || b === undefined;
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    if (typeof a === 'string' || typeof b === 'string') return dir * String(a).localeCompare(String(b), undefined, { numeric: true });
    return dir * ((a > b) - (a < b));
  };
}

const PAGE = 100;

export class AnnotatorTable {
  constructor(table, onSelect) {
    this.table = table;
    this.limit = PAGE;
    this.rows = [];
    this.sort = { key: 'composite', dir: 1 };
    this.onSelect = onSelect;
    const head = COLUMNS.map(([key, title]) =>
      `<th scope="col" data-key="${key}"><button type="button">${esc(title)}</button></th>`).join('');
    table.innerHTML = `<thead><tr>${head}</tr></thead><tbody></tbody><tfoot><tr><td colspan="${COLUMNS.length}"></td></tr></tfoot>`;
    table.tFoot.addEventListener('click', (e) => {
      if (!e.target.closest('button')) return;
      this.limit = Infinity;
      this.draw();
    });
    table.tHead.addEventListener('click', (e) => {
      const th = e.target.closest('th');
      if (!th) return;
      const key = th.dataset.key;
      this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : 1 };
      this.draw();
    });
    table.tBodies[0].addEventListener('click', (e) => {
      const tr = e.target.closest('tr');
      if (tr) this.onSelect?.(tr.dataset.id);
    });
  }

  set(rows) {
    this.rows = rows;
    this.draw();
  }

  draw() {
    const { key, dir } = this.sort;
    const sorted = [...this.rows].sort(compare(key, dir)).slice(0, this.limit);
    for (const th of this.table.tHead.rows[0].cells) {
      th.setAttribute('aria-sort', th.dataset.key === key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    this.table.tBodies[0].innerHTML = sorted.map((r) =>
      `<tr data-id="${esc(r.id)}"${r.flagged ? ' class="flagged"' : ''}>${COLUMNS.map(([k, , kind]) => cell(r[k], kind)).join('')}</tr>`).join('');
    // Long tables show the first rows in the chosen order; sorting still covers every row.
    const more = this.rows.length - sorted.length;
    this.table.tFoot.rows[0].cells[0].innerHTML = more > 0
      ? `${sorted.length} of ${this.rows.length} annotators shown in this order. <button type="button">Show all</button>` : '';
  }
}
