import type { Entry } from '../model/entry.ts';
import type { EntryHead } from './entry-codec.ts';
import type { TaskInput } from '../model/task.ts';
import { DAY_MS, HOUR_MS } from './entry-columns.ts';

export const COUNTER_COLUMNS = [
  'processed',
  'created',
  'updated',
  'deleted',
  'disabled',
  'skipped',
  'failed',
  'resolved',
  'pending',
  'failed_user',
  'failed_group',
  'failed_organization',
  'failed_account',
  'failed_role',
] as const;
export type Counter = Record<(typeof COUNTER_COLUMNS)[number], number>;

const SUCCESS_ACTION_COLUMN: Partial<Record<Entry['action'], keyof Counter>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  disable: 'disabled',
};

export const ROLLUP_DIMENSIONS = [
  'direction',
  'status',
  'action',
  'object_type',
  'skip_reason',
  'error_code',
  'source_system_id',
  'target_system_id',
  'job_id',
] as const;

/**
 * The ROLLUP_DIMENSIONS of an entries row (columns prefixed by `alias`) in SQL, as rollups and
 * facet_combos keep them ('' for none); the first four are never NULL.
 */
export const rollupDimsSql = (alias: string): string[] =>
  ROLLUP_DIMENSIONS.map((d) =>
    ['direction', 'status', 'action', 'object_type'].includes(d)
      ? `${alias}${d}`
      : `coalesce(${alias}${d}, '')`,
  );

/** A rollup row: bucket start, the dimensions ('' = none), and the count to add. */
export type RollupRow = [bucket: number, ...dims: string[], n: number];

const UNTRACED_KINDS = ['created', 'updated', 'deleted', 'disabled', 'skipped', 'other'] as const;

/**
 * What a task's `untraced` figures add to its counters when the task is written again: the
 * difference from the figures already counted (`previous`, from the stored task), so writing
 * a task twice never counts its untraced objects twice. Undefined when nothing changes.
 */
export function untracedDelta(
  previous: TaskInput | undefined,
  next: TaskInput,
): Counter | undefined {
  const delta = Object.fromEntries(COUNTER_COLUMNS.map((k) => [k, 0])) as Counter;
  let changed = false;
  for (const kind of UNTRACED_KINDS) {
    const d = (next.untraced?.[kind] ?? 0) - (previous?.untraced?.[kind] ?? 0);
    if (d === 0) continue;
    changed = true;
    delta.processed += d;
    if (kind !== 'other') delta[kind] += d;
  }
  return changed ? delta : undefined;
}

/** Does this entry make earlier failures of its operation good? (Only then is a look-up needed.) */
export function mayResolve(e: EntryHead): boolean {
  return e.action === 'confirm' || (e.status === 'success' && e.operationId !== e.changeId);
}

/** An entry's rollup dimensions, in ROLLUP_DIMENSIONS' order ('' = none). */
type Dims = string[];

export const entryDims = (e: EntryHead): Dims => [
  e.direction,
  e.status,
  e.action,
  e.objectType,
  e.skipReason ?? '',
  e.errorCode ?? '',
  e.sourceSystem?.id ?? '',
  e.targetSystem?.id ?? '',
  e.jobId ?? '',
];

/** Whether `e` has the dimensions `d` (compared field by field: no array per entry). */
function hasDims(e: EntryHead, d: Dims): boolean {
  return (
    d[0] === e.direction &&
    d[1] === e.status &&
    d[2] === e.action &&
    d[3] === e.objectType &&
    d[4] === (e.skipReason ?? '') &&
    d[5] === (e.errorCode ?? '') &&
    d[6] === (e.sourceSystem?.id ?? '') &&
    d[7] === (e.targetSystem?.id ?? '') &&
    d[8] === (e.jobId ?? '')
  );
}

interface LastKey {
  bucket: number;
  /** The joined dimensions the key was built from. */
  dims: string;
  key: string;
}

/**
 * The derived counts one ingest batch adds — task counters and facet rollups — gathered in
 * memory so each store writes them with one upsert per key. Pure bookkeeping, no SQL.
 */
export class BatchAccounting {
  private readonly day = new Map<string, number>();
  private readonly hour = new Map<string, number>();
  private readonly counts = new Map<string, Counter>();

  /**
   * The dimensions of the entry counted last, and its rollup key per map: the entries of a
   * batch mostly share their dimensions and bucket, and then share one key string (built once,
   * hashed once).
   */
  private lastDims: Dims = [];
  private lastDimsKey = '';
  private readonly dayKey: LastKey = { bucket: NaN, dims: '', key: '' };
  private readonly hourKey: LastKey = { bucket: NaN, dims: '', key: '' };

  private count(map: Map<string, number>, bucket: number, last: LastKey): void {
    // The same dimensions are the same string (lastDimsKey), compared by reference.
    if (bucket !== last.bucket || this.lastDimsKey !== last.dims) {
      last.bucket = bucket;
      last.dims = this.lastDimsKey;
      last.key = `${bucket}\u0000${this.lastDimsKey}`;
    }
    map.set(last.key, (map.get(last.key) ?? 0) + 1);
  }

  private counter(taskId: string): Counter {
    let c = this.counts.get(taskId);
    if (!c) {
      c = Object.fromEntries(COUNTER_COLUMNS.map((k) => [k, 0])) as Counter;
      this.counts.set(taskId, c);
    }
    return c;
  }

  /** A failure resolved by `by`; returns whether it was in the same task (a retry, not a new object). */
  resolved(failure: { task_id: string | null; object_type: string }, by: EntryHead): boolean {
    if (!failure.task_id) return false;
    const c = this.counter(failure.task_id);
    c.failed -= 1;
    c.resolved += 1;
    c[`failed_${failure.object_type}` as keyof Counter] -= 1;
    return failure.task_id === by.taskId;
  }

  /**
   * The rollup dimensions of `e` ('' = none), and them joined: the same string as for the entry
   * before while they are the same (a store keying something else by them shares the work).
   */
  dimsOf(e: EntryHead): { dims: readonly string[]; key: string } {
    if (!hasDims(e, this.lastDims)) {
      this.lastDims = entryDims(e);
      this.lastDimsKey = this.lastDims.join('\u0000');
    }
    return { dims: this.lastDims, key: this.lastDimsKey };
  }

  /** Counts an accepted entry; `retryInSameTask` when it resolved a failure of its own task. */
  add(e: EntryHead, time: number, retryInSameTask: boolean): void {
    this.dimsOf(e);
    this.count(this.day, Math.floor(time / DAY_MS) * DAY_MS, this.dayKey);
    this.count(this.hour, Math.floor(time / HOUR_MS) * HOUR_MS, this.hourKey);
    if (!e.taskId) return;
    const c = this.counter(e.taskId);
    if (e.action !== 'confirm' && !retryInSameTask) c.processed += 1;
    switch (e.status) {
      case 'success': {
        const column = SUCCESS_ACTION_COLUMN[e.action];
        if (column) c[column] += 1;
        break;
      }
      case 'skipped':
        c.skipped += 1;
        break;
      case 'failure':
        c.failed += 1;
        c[`failed_${e.objectType}` as keyof Counter] += 1;
        break;
      case 'pending':
      case 'committed':
      case 'not_verifiable':
        c.pending += 1;
        break;
    }
  }

  /** Rollup rows, sorted so concurrent writers take row locks in one order. */
  rollups(which: 'day' | 'hour'): RollupRow[] {
    const map = which === 'day' ? this.day : this.hour;
    return [...map.keys()].sort().map((key) => {
      const [bucket, ...dims] = key.split('\u0000');
      return [Number(bucket), ...dims, map.get(key)!] as RollupRow;
    });
  }

  /** Task counter deltas, sorted by task id. */
  taskCounts(): Array<[taskId: string, counter: Counter]> {
    return [...this.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
}
