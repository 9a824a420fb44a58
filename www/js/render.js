// Markdown to inert HTML: marked parses, highlight.js colours code blocks,
// DOMPurify sanitizes the result last. Raw HTML in the data is shown as
// text (it is never parsed as markup), images become a text note (no
// request leaves the page), links open in a new tab without a referrer and
// only with http(s) or mailto URLs.

import { Marked } from '../vendor/marked/marked.esm.js';
import DOMPurify from '../vendor/dompurify/purify.es.mjs';
import hljs from '../vendor/highlight/core.min.js';
import python from '../vendor/highlight/languages/python.min.js';
import javascript from '../vendor/highlight/languages/javascript.min.js';
import typescript from '../vendor/highlight/languages/typescript.min.js';
import rust from '../vendor/highlight/languages/rust.min.js';
import bash from '../vendor/highlight/languages/bash.min.js';
import shell from '../vendor/highlight/languages/shell.min.js';
import json from '../vendor/highlight/languages/json.min.js';
import sql from '../vendor/highlight/languages/sql.min.js';
import go from '../vendor/highlight/languages/go.min.js';
import java from '../vendor/highlight/languages/java.min.js';
import cpp from '../vendor/highlight/languages/cpp.min.js';
import xml from '../vendor/highlight/languages/xml.min.js';
import css from '../vendor/highlight/languages/css.min.js';
import yaml from '../vendor/highlight/languages/yaml.min.js';
import plaintext from '../vendor/highlight/languages/plaintext.min.js';

const LANGUAGES = { python, javascript, typescript, rust, bash, shell, json, sql, go, java, cpp, xml, css, yaml, plaintext };
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);
const ALIASES = { py: 'python', js: 'javascript', ts: 'typescript', rs: 'rust', sh: 'bash', zsh: 'bash', console: 'shell', html: 'xml', 'c++': 'cpp', c: 'cpp', golang: 'go', yml: 'yaml', text: 'plaintext', txt: 'plaintext' };

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Raw HTML blocks and inline tags from the data are shown as text.
    html({ text }) { return escapeHtml(text); },
    image({ text, href }) { return `<span class="image-note">[image: ${escapeHtml(text || href || '')}]</span>`; },
    code({ text, lang }) {
      const name = String(lang || '').trim().split(/\s+/)[0].toLowerCase();
      const language = ALIASES[name] || name;
      let body;
      if (language && hljs.getLanguage(language)) {
        body = hljs.highlight(text, { language, ignoreIllegals: true }).value;
      } else {
        body = escapeHtml(text);
      }
      const label = language ? `<span class="code-lang">${escapeHtml(language)}</span>` : '';
      return `<div class="code">${label}<pre><code class="hljs">${body}</code></pre></div>\n`;
    },
  },
});

const PURIFY = {
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  FORBID_TAGS: ['img', 'style', 'svg', 'math', 'form', 'input', 'button', 'textarea', 'select', 'option',
    'iframe', 'frame', 'frameset', 'object', 'embed', 'video', 'audio', 'source', 'track', 'picture',
    'link', 'meta', 'base', 'template', 'dialog', 'details', 'script', 'noscript'],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'action', 'formaction', 'xlink:href', 'ping', 'background'],
  ALLOW_DATA_ATTR: false,
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') || '';
    if (!/^(?:https?:|mailto:)/i.test(href)) node.removeAttribute('href');
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
    node.setAttribute('referrerpolicy', 'no-referrer');
  }
});

/**
 * Renders Markdown text into `target` (an element), replacing its content.
 * Never throws on odd input: a failure shows the text as plain text.
 */
export function renderMarkdown(target, text) {
  const source = typeof text === 'string' ? text : (text == null ? '' : JSON.stringify(text, null, 2));
  let frag;
  try {
    const html = marked.parse(source);
    frag = DOMPurify.sanitize(html, { ...PURIFY, RETURN_DOM_FRAGMENT: true });
  } catch {
    frag = document.createDocumentFragment();
    const pre = document.createElement('pre');
    pre.textContent = source;
    frag.append(pre);
  }
  target.replaceChildren(frag);
}

export { escapeHtml };
