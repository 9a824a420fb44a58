// Small formatting helpers shared by the page's panels.

/** HTML-escapes text for innerHTML. */
export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** A number to `d` decimals, or an em dash for null/undefined. */
export const fmt = (v, d = 3) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
