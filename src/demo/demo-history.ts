import type { EntryInput } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import { DemoRun } from './demo-run.ts';

export { DEMO_HUB, DEMO_SYSTEMS } from './demo-systems.ts';
export type { DemoSystem } from './demo-systems.ts';

/**
 * A deterministic generator of realistic provisioning history for `provlog demo`, `npm start`
 * and the benchmark: the same seed and `now` always give the same tasks and entries.
 */
export interface DemoOptions {
  /** The end of the history (epoch ms); nothing is dated after it except `retryAt`. */
  now: number;
  /** How many days of history, ending at `now`. Default 30. */
  days?: number;
  seed?: number;
  /** Approximate number of entries. Default 20,000. */
  entries?: number;
}

export interface DemoBatch {
  tasks: TaskInput[];
  entries: EntryInput[];
}

/** Yields batches (up to 5,000 entries each) in time order; memory stays flat for 10M entries. */
export function* generateDemoHistory(opts: DemoOptions): Generator<DemoBatch> {
  yield* new DemoRun(opts).run();
}
