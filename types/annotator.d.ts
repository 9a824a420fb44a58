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
 * The `simulation` attribute of an element with `simulate`: `running`,
 * `walked-away` (the simulated worker left a batch unanswered) or `finished`.
 */
export type PrefkitSimulationState = 'running' | 'walked-away' | 'finished';

/**
 * `<prefkit-annotator task="task.json" endpoint="https://host/api/annotations"
 *  annotator="w1">`; attributes are read once, when it is first connected.
 * `simulate="data-only" | "visual"`, `simulate-speed="fast" | "slow" |
 * "realtime" | <milliseconds>`, `simulate-crowd` (JSON) and `simulate-seed`
 * let a simulated worker answer (see the README's "Testing your page").
 */
export declare class PrefkitAnnotator extends HTMLElement {
  readonly state: PrefkitAnnotatorState;
  /**
   * The simulated worker's crowd (the `prefkit simulate` crowd format),
   * read instead of the `simulate-crowd` attribute; set it before the
   * element is connected.
   */
  simulateCrowd?: {
    seed?: number;
    annotators: Array<{
      id_prefix?: string; count?: number; accuracy?: number; left_bias?: number; straight_line?: number;
      seconds?: { mean?: number; sd?: number }; abandon?: number; skip?: number;
    }>;
  } | string;
}

declare global {
  interface HTMLElementTagNameMap {
    'prefkit-annotator': PrefkitAnnotator;
  }
  interface HTMLElementEventMap {
    'prefkit:done': CustomEvent<PrefkitDoneDetail>;
  }
}
