import type { EntryInput } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import type { LogStore } from '../store/log-store.ts';
import { ingestRecords } from '../ingest/ingest-records.ts';

/**
 * The engine writes the log like any other engine, through the same validation. It builds its
 * own records, so one that fails validation is a bug, not data to drop: it throws.
 */
export function writeEngineRecords(
  log: LogStore,
  now: number,
  entries: EntryInput[],
  task?: TaskInput,
): Promise<void> {
  return writeBatch(log, now, entries, task);
}

/** Entries, or (for a store that takes text) entries already turned into their NDJSON lines. */
type Pending = Array<EntryInput | string>;

/**
 * Sends a batch. Not an async function: nothing here waits, so no suspended frame keeps the
 * batch's lines (hundreds of small strings) alive while the store works — kept, they would
 * outlive young-generation collections and be copied and promoted by each one.
 */
function writeBatch(log: LogStore, now: number, entries: Pending, task?: TaskInput): Promise<void> {
  const stored = log.ingestLines
    ? // Text costs this thread a fraction of validating and splitting the records itself.
      log.ingestLines(linesOf(entries, task), now)
    : ingestRecords(log, recordsOf(entries as EntryInput[], task), now);
  return stored.then((result) => {
    if (result.rejected.length)
      throw new Error(`engine produced an invalid record: ${JSON.stringify(result.rejected[0])}`);
  });
}

/** The batch as one NDJSON text, its task first. */
function linesOf(entries: Pending, task: TaskInput | undefined): string {
  const lines = entries.map((e) => (typeof e === 'string' ? e : recordLine('entry', e)));
  if (task) lines.unshift(recordLine('task', task));
  return lines.join('\n');
}

/** The batch as records, for a store that takes no text; lines are made only for one that does. */
function recordsOf(entries: EntryInput[], task: TaskInput | undefined) {
  return [
    ...(task ? [{ kind: 'task' as const, index: 0, value: task }] : []),
    ...entries.map((value, index) => ({ kind: 'entry' as const, index, value })),
  ];
}

/** One NDJSON record: the value's JSON with its kind spliced in first, without copying it. */
function recordLine(kind: 'task' | 'entry', value: object): string {
  const json = JSON.stringify(value);
  return json === '{}' ? `{"kind":"${kind}"}` : `{"kind":"${kind}",${json.slice(1)}`;
}

/**
 * When a batch goes out: once `sendAt` entries wait and fewer than `inFlight` batches are being
 * stored; otherwise entries gather up to `holdAt` before the cycle waits for the oldest batch.
 * Only a store that takes text keeps more than one batch in flight: its writer thread takes
 * them in the order sent and stores those that queued in one transaction.
 */
export interface PipeLimits {
  sendAt: number;
  holdAt: number;
  inFlight: number;
}
const LIMITS: PipeLimits = { sendAt: 500, holdAt: 10_000, inFlight: 4 };

/**
 * Waiting lines are joined this many to a string (of ~200 KB for inbound entries): a string that
 * big lives outside the young generation, so lines waiting for their batch are not copied and
 * promoted by young-generation collections one by one.
 */
const LINES_PER_STRING = 128;

/**
 * A cycle's log writes, sent while the cycle goes on with its next objects: the store writes
 * them meanwhile (on the embedded store's writer thread, at the same time). A batch goes out as
 * soon as it is full, so what waits is text in the writer's queue rather than objects on this
 * thread's heap; when the store falls behind, entries gather into larger batches, so the faster
 * the cycle runs ahead the fewer the transactions. Batches stay in order, and a failed write
 * fails the next call.
 */
export class EngineLogPipe {
  /** Batches sent and not yet stored, oldest first. */
  private readonly flying: Array<Promise<void>> = [];
  private failure: { error: unknown } | undefined;
  private pending: Pending = [];
  /** Entries waiting, in `pending` and `lines`. */
  private waiting = 0;
  /** Lines not yet joined into `pending` (see LINES_PER_STRING). */
  private lines: string[] = [];
  private readonly maxFlying: number;

  constructor(
    private readonly log: LogStore,
    private readonly now: () => number,
    private readonly limits: PipeLimits = LIMITS,
  ) {
    // Any other store may run two calls at once, and batches must stay in order.
    this.maxFlying = this.takesText ? limits.inFlight : 1;
  }

  /**
   * Adds one entry to the next batch; sends the batch once `sendAt` entries wait and the store
   * has room, and waits for the store only when `holdAt` entries wait.
   */
  async add(entry: EntryInput): Promise<void> {
    // As text at once where the store takes text: a waiting line is one flat string for the
    // garbage collector to move, not a tree of a dozen objects.
    if (this.takesText) return this.addLine(recordLine('entry', entry));
    this.pending.push(entry);
    this.waiting++;
    await this.sendIfDue();
  }

  /** Whether the store takes records as text: then `addLine` saves building entry objects. */
  get takesText(): boolean {
    return this.log.ingestLines !== undefined;
  }

  /** Adds an entry already written as its NDJSON line (with `"kind":"entry"`); see `add`. */
  async addLine(line: string): Promise<void> {
    if (!this.takesText) throw new Error('this store takes entries, not lines');
    this.lines.push(line);
    this.waiting++;
    if (this.lines.length === LINES_PER_STRING) this.joinLines();
    await this.sendIfDue();
  }

  /** The waiting lines as one string: see LINES_PER_STRING. */
  private joinLines(): void {
    this.pending.push(this.lines.join('\n'));
    this.lines = [];
  }

  private async sendIfDue(): Promise<void> {
    if (this.waiting < this.limits.sendAt) return;
    if (this.flying.length >= this.maxFlying && this.waiting < this.limits.holdAt) return;
    await this.write([]);
  }

  /**
   * Sends what waits, then `entries` and `task`, once the store has room for another batch;
   * resolves when it is sent, not stored.
   */
  async write(entries: EntryInput[], task?: TaskInput): Promise<void> {
    while (this.flying.length >= this.maxFlying) await this.flying[0];
    if (this.failure) throw this.failure.error;
    if (this.lines.length) this.joinLines();
    const batch = this.pending.length ? this.pending.concat(entries) : entries;
    this.pending = [];
    this.waiting = 0;
    const written: Promise<void> = writeBatch(this.log, this.now(), batch, task).then(
      () => this.land(written),
      (error: unknown) => {
        this.failure ??= { error };
        this.land(written);
      },
    );
    this.flying.push(written);
  }

  /** Sends what waits and waits until every batch sent is stored. */
  async flush(): Promise<void> {
    if (this.waiting) await this.write([]);
    while (this.flying.length) await this.flying[0];
    if (this.failure) throw this.failure.error;
  }

  private land(batch: Promise<void>): void {
    this.flying.splice(this.flying.indexOf(batch), 1);
  }
}
