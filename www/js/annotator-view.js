// The static markup of <prefkit-annotator>'s shadow root. It holds no data:
// everything from the task is put in later with textContent or through the
// sanitizing Markdown renderer. The outer frame takes the focus when the
// worker clicks anywhere in the element that is not a control, so that
// the keys keep working.

export const CHOICES = [
  { key: '1', label: 'A>>', text: 'A is much better' },
  { key: '2', label: 'A>', text: 'A is better' },
  { key: '3', label: '=', text: 'About the same' },
  { key: '4', label: 'B>', text: 'B is better' },
  { key: '5', label: 'B>>', text: 'B is much better' },
];

export const SHORT = { 'A>>': 'A ≫', 'A>': 'A >', '=': '=', 'B>': 'B >', 'B>>': 'B ≫' };

const buttons = CHOICES.map((c) => `
        <button type="button" class="choice" data-choice="${c.label}" aria-pressed="false"
          aria-keyshortcuts="${c.key}" aria-label="${c.text} (key ${c.key})">
          <span class="key" aria-hidden="true">${c.key}</span><span class="txt">${c.text}</span>
        </button>`).join('');

export function template(cssHrefs) {
  const links = cssHrefs.map((h) => `<link rel="stylesheet" href="${h}">`).join('');
  return `${links}
<div class="frame" tabindex="-1">
<div class="root" part="root">
  <header class="top">
    <h1 id="title">Which response is better?</h1>
    <div class="progress" id="progress-wrap" hidden>
      <span id="progress-text" aria-live="polite" aria-atomic="true">0 / 0</span>
      <progress id="progress-bar" max="1" value="0" aria-label="Items done"></progress>
    </div>
  </header>
  <p id="lease" class="lease" role="timer" aria-live="off" hidden></p>
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
      <div class="skip-row">
        <button type="button" id="skip-open" class="skip-open" aria-keyshortcuts="S" aria-expanded="false" aria-controls="skip"
          aria-label="Skip this pair (key S)">
          Skip this pair <span class="key" aria-hidden="true">S</span></button>
        <span class="hint">when you cannot judge it</span>
      </div>
    </fieldset>
    <form id="skip" class="skip" hidden aria-labelledby="skip-h">
      <h3 id="skip-h" tabindex="-1">Why are you skipping this pair?</h3>
      <p class="hint skip-about">A skipped pair goes to other annotators and counts as done in your batch.</p>
      <div id="skip-reasons" class="skip-reasons"></div>
      <label for="skip-text" class="skip-label">Or in your own words <span class="hint" id="skip-count"></span></label>
      <div class="skip-own">
        <input id="skip-text" type="text" maxlength="200" autocomplete="off" spellcheck="true">
        <button type="submit" id="skip-send">Skip with this reason</button>
      </div>
      <button type="button" id="skip-cancel">Back to the pair <span class="key" aria-hidden="true">Esc</span></button>
    </form>
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
    <p id="message-hint" class="hint" hidden></p>
    <div class="actions" id="message-actions"></div>
  </section>
  <footer class="net" id="net" data-pending="0" data-sent="0" data-problems="0">
    <span id="net-text" role="status" aria-live="polite"></span> <span id="net-actions"></span>
  </footer>
</div>
</div>`;
}
