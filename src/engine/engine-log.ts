import type { EntryInput } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import type { LogStore } from '../store/log-store.ts';
import { ingestRecords, storePrepared } from '../ingest/ingest-records.ts';
import { PackedRecords } from '../ingest/prepare-records.ts';
import type { PackedBatch } from '../ingest/packed-batch.ts';

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

/**
 * Sends a batch: records, or (for a store with a writer thread) a batch already packed. Not an
 * async function: nothing here waits, so no suspended frame keeps the batch alive while the
 * store works — kept, it would outlive young-generation collections and be copied and
 * promoted by each one.
 */
function writeBatch(
  log: LogStore,
  now: number,
  entries: EntryInput[] | PackedBatch,
  task?: TaskInput,
): Promise<void> {
  const stored = Array.isArray(entries)
    ? ingestRecords(log, recordsOf(entries, task), now)
    : storePrepared(log, entries);
  return stored.then((result) => {
    if (result.rejected.length)
      throw new Error(`engine produced an invalid record: ${JSON.stringify(result.rejected[0])}`);
  });
}

function recordsOf(entries: EntryInput[], task: TaskInput | undefined) {
  return [
    ...(task ? [{ kind: 'task' as const, index: 0, value: task }] : []),
    ...entries.map((value, index) => ({ kind: 'entry' as const, index, value })),
  ];
}

/**
 * When a batch goes out: once `sendAt` entries wait and fewer than `inFlight` batches are being
 * stored; otherwise entries gather up to `holdAt` before the cycle waits for the oldest batch.
 * Only a store with a writer thread keeps more than one batch in flight: the thread takes them
 * in the order sent and stores those that queued in one transaction.
 */
export interface PipeLimits {
  sendAt: number;
  holdAt: number;
  inFlight: number;
}
const LIMITS: PipeLimits = { sendAt: 500, holdAt: 10_000, inFlight: 4 };

/** Entries held back (EngineLogPipe.holder): packed (a store with a writer thread) or as they are. */
export type HeldEntries = { batch: PackedBatch } | { entries: EntryInput[] };

/**
 * A cycle's log writes, sent while the cycle goes on with its next objects: the store writes
 * them meanwhile (on the embedded store's writer thread, at the same time). For such a store
 * each entry is validated, normalised and packed as it is added (PackedRecords), so what waits
 * is a few arrays of strings rather than entry objects, and the writer thread only stores: a
 * 100,000-user CSV re-import took 7–8 s of CPU this way against 9.5–12.7 s when entries went to
 * the thread as NDJSON to be parsed and prepared there. A batch goes out as soon as it is full;
 * when the store falls behind, entries gather into larger batches, so the faster the cycle runs
 * ahead the fewer the transactions. Batches stay in order, and a failed write fails the next call.
 */
export class EngineLogPipe {
  /** Batches sent and not yet stored, oldest first. */
  private readonly flying: Array<Promise<void>> = [];
  private failure: { error: unknown } | undefined;
  /** Entries waiting, as objects (a store without a writer thread) or packed. */
  private pending: EntryInput[] = [];
  private readonly packed: PackedRecords | undefined;
  /** How many entries wait. */
  private waiting = 0;
  private readonly maxFlying: number;

  constructor(
    private readonly log: LogStore,
    private readonly now: () => number,
    private readonly limits: PipeLimits = LIMITS,
  ) {
    if (log.ingestPacked) this.packed = new PackedRecords();
    // Any other store may run two calls at once, and batches must stay in order.
    this.maxFlying = this.packed ? limits.inFlight : 1;
  }

  /**
   * Adds one entry to the next batch; sends the batch once `sendAt` entries wait and the store
   * has room, and waits for the store only when `holdAt` entries wait.
   */
  async add(entry: EntryInput): Promise<void> {
    if (this.packed) this.packed.add('entry', entry, this.now());
    else this.pending.push(entry);
    this.waiting++;
    if (this.waiting < this.limits.sendAt) return;
    if (this.flying.length >= this.maxFlying && this.waiting < this.limits.holdAt) return;
    await this.write([]);
  }

  /**
   * Sends what waits, then `entries` and `task`, once the store has room for another batch;
   * resolves when it is sent, not stored.
   */
  async write(entries: EntryInput[], task?: TaskInput): Promise<void> {
    await this.room();
    const now = this.now();
    let batch: EntryInput[] | PackedBatch;
    if (this.packed) {
      for (const e of entries) this.packed.add('entry', e, now);
      if (task) this.packed.add('task', task, now);
      batch = this.packed.take();
    } else {
      batch = this.pending.length ? this.pending.concat(entries) : entries;
      this.pending = [];
    }
    this.waiting = 0;
    this.dispatch(batch, now, task);
  }

  /** Waits until the store has room for another batch; throws once a write failed. */
  private async room(): Promise<void> {
    while (this.flying.length >= this.maxFlying) await this.flying[0];
    if (this.failure) throw this.failure.error;
  }

  private dispatch(batch: EntryInput[] | PackedBatch, now: number, task?: TaskInput): void {
    const written: Promise<void> = writeBatch(this.log, now, batch, task).then(
      () => this.land(written),
      (error: unknown) => {
        this.failure ??= { error };
        this.land(written);
      },
    );
    this.flying.push(written);
  }

  /**
   * Entries validated and packed as they are added, to be sent later (`release`) or never: a
   * chunk of a cycle whose hub writes are still to be committed, whose entries must not reach
   * the log should they fail (the chunk then runs again and logs what that run did). Packed as
   * each object is done with, no chunk of entry objects outlives a young-generation collection.
   */
  holder(): { add(entry: EntryInput): void; take(): HeldEntries } {
    if (!this.packed) {
      const entries: EntryInput[] = [];
      return { add: (e) => void entries.push(e), take: () => ({ entries }) };
    }
    const packed = new PackedRecords();
    return {
      add: (e) => packed.add('entry', e, this.now()),
      take: () => ({ batch: packed.take() }),
    };
  }

  /** Sends held entries, after whatever waits; resolves when sent, as `write` does. */
  async release(held: HeldEntries): Promise<void> {
    if ('entries' in held) {
      for (const e of held.entries) await this.add(e);
      return;
    }
    if (this.waiting) await this.write([]);
    await this.room();
    this.dispatch(held.batch, this.now());
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
