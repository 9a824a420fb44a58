// The static markup of <prefkit-annotator>'s shadow root. It holds no data:
// everything from the task is put in later with textContent or through the
// sanitizing Markdown renderer.

export const CHOICES = [
  { key: '1', label: 'A>>', text: 'A is much better' },
  { key: '2', label: 'A>', text: 'A is better' },
  { key: '3', label: '=', text: 'About the same' },
  { key: '4', label: 'B>', text: 'B is better' },
  { key: '5', label: 'B>>', text: 'B is much better' },
];

export const SHORT = { 'A>>': 'A ≫', 'A>': 'A >', '=': '=', 'B>': 'B >', 'B>>': 'B ≫' };

export const FLIP = { 'A>>': 'B>>', 'A>': 'B>', '=': '=', 'B>': 'A>', 'B>>': 'A>>' };

const buttons = CHOICES.map((c) => `
        <button type="button" class="choice" data-choice="${c.label}" aria-pressed="false"
          aria-keyshortcuts="${c.key}" aria-label="${c.text} (key ${c.key})">
          <span class="key" aria-hidden="true">${c.key}</span><span class="txt">${c.text}</span>
        </button>`).join('');

export function template(cssHrefs) {
  const links = cssHrefs.map((h) => `<link rel="stylesheet" href="${h}">`).join('');
  return `${links}
<div class="root" part="root">
  <header class="top">
    <h1 id="title">Which response is better?</h1>
    <div class="progress" id="progress-wrap" hidden>
      <span id="progress-text" aria-live="polite" aria-atomic="true">0 / 0</span>
      <progress id="progress-bar" max="1" value="0" aria-label="Items done"></progress>
    </div>
  </header>
  <details id="guidelines" class="guidelines" hidden>
    <summary>Guidelines <span class="hint">(how to judge)</span></summary>
    <div class="md" id="guidelines-body"></div>
  </details>
  <section id="item" class="item" hidden aria-labelledby="prompt-h">
    <h2 id="prompt-h" tabindex="-1">Prompt</h2>
    <div class="md prompt" id="prompt"></div>
    <div class="pair">
      <article class="response" aria-labelledby="left-h">
        <h2 id="left-h"><span class="badge">A</span> Response A</h2>
        <div class="md" id="left"></div>
      </article>
      <article class="response" aria-labelledby="right-h">
        <h2 id="right-h"><span class="badge">B</span> Response B</h2>
        <div class="md" id="right"></div>
      </article>
    </div>
    <fieldset id="dims" class="dims" hidden>
      <legend>Rate each aspect (optional)</legend>
      <div id="dims-rows"></div>
    </fieldset>
    <fieldset class="choices">
      <legend>Overall, which response is better? <span class="hint">Keys 1–5</span></legend>
      <div class="buttons">${buttons}
      </div>
    </fieldset>
    <div id="grace" class="grace" hidden>
      <span id="grace-text" role="status"></span>
      <span class="grace-bar" aria-hidden="true"><span id="grace-fill"></span></span>
      <button type="button" id="undo">Undo <span class="key">U</span></button>
      <button type="button" id="confirm">Save now <span class="key">Enter</span></button>
    </div>
    <p id="note" class="note" role="status" hidden></p>
  </section>
  <section id="feedback" class="feedback" hidden aria-labelledby="feedback-h">
    <h2 id="feedback-h" tabindex="-1"></h2>
    <p id="feedback-label"></p>
    <div class="md" id="feedback-explanation"></div>
    <button type="button" id="continue">Continue <span class="key">Enter</span></button>
  </section>
  <section id="message" class="message" hidden aria-labelledby="message-h">
    <h2 id="message-h" tabindex="-1"></h2>
    <p id="message-text"></p>
    <div class="actions" id="message-actions"></div>
  </section>
  <footer class="net" id="net" data-pending="0" data-sent="0" data-problems="0">
    <span id="net-text" role="status" aria-live="polite"></span> <span id="net-actions"></span>
  </footer>
</div>`;
}
