// Types of the <evrsnas-explorer> element (evrsnas-explorer.js): import the module once, then use
// the tag anywhere. Checked against the element's real properties by tests/types.test.mjs.
import type { Candidate, ExplorerState, Progress, SearchSettings } from './engine.js';

/** What the figure shows. */
export type FigureView = 'scatter' | 'front' | 'inspect' | 'table' | 'full';

/** The element's events: `progress` and `error` are the search's, not the DOM's of those names. */
export interface EvrsnasExplorerEventMap extends Omit<HTMLElementEventMap, 'progress' | 'error'> {
  progress: CustomEvent<Progress>;
  done: CustomEvent<{ best: Candidate | null }>;
  error: CustomEvent<{ message: string }>;
}

/**
 * A live search as a figure. Attributes: the explorer's URL settings by the same names (`space`,
 * `device`, `threshold`, `steps`, `population`, `mode`, …), plus `view` and `autorun`. It loads
 * nothing until it is scrolled into view; all figures of a page share one worker pool.
 */
export declare class EvrsnasExplorer extends HTMLElement {
  /** idle | running | paused | done | error (also the `data-state` attribute). */
  readonly state: ExplorerState;
  /** The settings the next search runs with, once loaded (a copy); null before. */
  readonly settings: SearchSettings | null;
  /** The last progress report, or null. */
  readonly progressReport: Progress | null;
  /** The search's results as the library writes them (`Explorer.results()`), or null. */
  results(): ReturnType<import('./engine.js').Explorer['results']>;
  /** Loads the figure now (it otherwise waits to be scrolled into view). */
  activate(): Promise<void>;
  /** Starts a search with the attributes' settings. */
  run(): void;
  reset(): void;
  /** Re-ranks at the budget `threshold`: nothing is retrained. */
  moveBudget(threshold: number): void;
  addEventListener<K extends keyof EvrsnasExplorerEventMap>(type: K, listener: (this: EvrsnasExplorer, ev: EvrsnasExplorerEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'evrsnas-explorer': EvrsnasExplorer;
  }
}
