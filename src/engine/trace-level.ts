import type { EntryInput } from '../model/entry.ts';
import type { System } from '../model/job.ts';
import type { UntracedCounts } from '../model/task.ts';

type Outcome = Pick<EntryInput, 'status' | 'action' | 'skipReason'>;

const SUCCESS_KIND: Partial<Record<EntryInput['action'], keyof UntracedCounts>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  disable: 'disabled',
};

/**
 * A system's trace level, applied as a cycle writes its entries: `all` keeps every entry,
 * `changes` drops routine "no change" skips, `failures` keeps only failures and what waits on
 * an operator (pending). What is dropped is still counted, and the task carries the counts
 * (`untraced`), so its figures and status are the same at every level.
 */
export class TraceFilter {
  readonly untraced: UntracedCounts = {};
  private dropped = 0;

  constructor(private readonly level: System['traceLevel']) {}

  /** Whether to store this outcome's entry; when not, it is counted. */
  keep(o: Outcome): boolean {
    if (this.keeps(o)) return true;
    const kind = o.status === 'skipped' ? 'skipped' : (SUCCESS_KIND[o.action] ?? 'other');
    this.untraced[kind] = (this.untraced[kind] ?? 0) + 1;
    this.dropped++;
    return false;
  }

  /** Whether this outcome's entry would be stored (`keep` without counting it). */
  keeps(o: Outcome): boolean {
    if (this.level === 'all') return true;
    const routine =
      this.level === 'changes'
        ? o.status === 'skipped' && o.skipReason === 'no_change'
        : o.status === 'success' || o.status === 'skipped';
    return !routine;
  }

  /** The task's `untraced` field: absent when nothing was dropped. */
  taskFields(): { untraced?: UntracedCounts } {
    return this.dropped ? { untraced: { ...this.untraced } } : {};
  }
}
