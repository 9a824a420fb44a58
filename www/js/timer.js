// Time spent on one item, counted only while the page is visible: switching
// tabs or minimising the window pauses it (visibilitychange). Its owner
// says how long it listens: listen(signal) until the signal aborts.

export class ItemTimer {
  constructor(doc = document) {
    this.doc = doc;
    this.elapsed = 0;
    this.since = null;
  }

  /** Follows the page's visibility until `signal` aborts. */
  listen(signal) {
    this.doc.addEventListener('visibilitychange', () => (this.doc.visibilityState === 'hidden' ? this.pause() : this.resume()), { signal });
  }

  /** Starts from zero (running when the page is visible). */
  restart() {
    this.elapsed = 0;
    this.since = null;
    this.running = true;
    if (this.doc.visibilityState !== 'hidden') this.since = performance.now();
  }

  pause() {
    if (this.since !== null) this.elapsed += performance.now() - this.since;
    this.since = null;
  }

  resume() {
    if (this.running && this.since === null && this.doc.visibilityState !== 'hidden') this.since = performance.now();
  }

  /** Stops counting; the value stays readable. */
  stop() {
    this.pause();
    this.running = false;
  }

  /** Seconds counted so far, rounded to milliseconds. */
  seconds() {
    const ms = this.elapsed + (this.since !== null ? performance.now() - this.since : 0);
    return Math.round(ms) / 1000;
  }
}
