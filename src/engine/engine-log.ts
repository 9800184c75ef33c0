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

async function writeBatch(
  log: LogStore,
  now: number,
  entries: Pending,
  task?: TaskInput,
): Promise<void> {
  let result;
  if (log.ingestLines) {
    // Text costs this thread a fraction of validating and splitting the records itself.
    const lines = entries.map((e) => (typeof e === 'string' ? e : recordLine('entry', e)));
    if (task) lines.unshift(recordLine('task', task));
    result = await log.ingestLines(lines.join('\n'), now);
  } else {
    const records = [
      ...(task ? [{ kind: 'task' as const, index: 0, value: task }] : []),
      // Lines are made only for a store that takes text.
      ...(entries as EntryInput[]).map((value, index) => ({
        kind: 'entry' as const,
        index,
        value,
      })),
    ];
    result = await ingestRecords(log, records, now);
  }
  if (result.rejected.length)
    throw new Error(`engine produced an invalid record: ${JSON.stringify(result.rejected[0])}`);
}

/** One NDJSON record: the value's JSON with its kind spliced in first, without copying it. */
function recordLine(kind: 'task' | 'entry', value: object): string {
  const json = JSON.stringify(value);
  return json === '{}' ? `{"kind":"${kind}"}` : `{"kind":"${kind}",${json.slice(1)}`;
}

/**
 * When a batch goes out: once `sendAt` entries wait and none is being stored; while one is,
 * entries gather up to `holdAt` before the cycle waits for it.
 */
export interface PipeLimits {
  sendAt: number;
  holdAt: number;
}
const LIMITS: PipeLimits = { sendAt: 500, holdAt: 10_000 };

/**
 * A cycle's log writes, one batch in flight: the cycle goes on with its next objects while the
 * store writes the last ones (on the embedded store's writer thread, at the same time). What
 * the cycle adds meanwhile gathers into the next batch, so the faster the cycle runs ahead of
 * the store the fewer and larger the transactions (each commit rewrites the index pages its
 * batch touched; fewer commits rewrite them fewer times). Batches stay in order — each waits
 * for the one before — and a failed write fails the next call.
 */
export class EngineLogPipe {
  private inFlight: Promise<void> = Promise.resolve();
  private storing = false;
  private pending: Pending = [];

  constructor(
    private readonly log: LogStore,
    private readonly now: () => number,
    private readonly limits: PipeLimits = LIMITS,
  ) {}

  /**
   * Adds one entry to the next batch; sends the batch when enough wait and the store is free,
   * and waits for the store only when `holdAt` entries wait.
   */
  async add(entry: EntryInput): Promise<void> {
    // As text at once where the store takes text: a waiting line is one flat string for the
    // garbage collector to move, not a tree of a dozen objects.
    this.pending.push(this.log.ingestLines ? recordLine('entry', entry) : entry);
    const { sendAt, holdAt } = this.limits;
    if (this.pending.length < sendAt || (this.storing && this.pending.length < holdAt)) return;
    await this.write([]);
  }

  /**
   * Sends what waits, then `entries` and `task`, once the batch before is stored; resolves when
   * it is sent, not stored.
   */
  async write(entries: EntryInput[], task?: TaskInput): Promise<void> {
    await this.inFlight;
    const batch = this.pending.length ? this.pending.concat(entries) : entries;
    this.pending = [];
    this.storing = true;
    const written = writeBatch(this.log, this.now(), batch, task).finally(() => {
      this.storing = false;
    });
    // Rethrown by the next write or flush; until then it must not count as unhandled.
    written.catch(() => undefined);
    this.inFlight = written;
  }

  /** Sends what waits and waits until every batch sent is stored. */
  async flush(): Promise<void> {
    if (this.pending.length) await this.write([]);
    await this.inFlight;
  }
}
