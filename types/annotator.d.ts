// Types of `prefkit/annotator`: importing it registers <prefkit-annotator>.
// The element's attributes and events are described in the header of
// www/js/prefkit-annotator.js and in the README.

/** What `prefkit:done` carries once every answer has left the outbox. */
export interface PrefkitDoneDetail {
  task_id: string;
  annotator: string;
  /** Answers sent, or kept in the browser when no endpoint was given. */
  count: number;
  /** True when the core flagged the annotator (gold or speed checks). */
  flagged: boolean;
  /** Answers the server refused (`conflict`) or could not take (`error`), with its reason. */
  problems: Array<{ id: string; item: string; state: 'conflict' | 'error'; error: string }>;
}

/** The view's state, mirrored in the element's `state` attribute. */
export type PrefkitAnnotatorState =
  | 'loading' | 'preview' | 'item' | 'grace' | 'saving'
  | 'feedback' | 'done' | 'flagged' | 'error';

/**
 * `<prefkit-annotator task="task.json" endpoint="https://host/api/annotations"
 *  annotator="w1">`; attributes are read once, when it is first connected.
 */
export declare class PrefkitAnnotator extends HTMLElement {
  readonly state: PrefkitAnnotatorState;
}

declare global {
  interface HTMLElementTagNameMap {
    'prefkit-annotator': PrefkitAnnotator;
  }
  interface HTMLElementEventMap {
    'prefkit:done': CustomEvent<PrefkitDoneDetail>;
  }
}
