import { WorkerChannel } from '../../threads/worker-channel.ts';
import type { PackedBatch } from '../../ingest/packed-batch.ts';
import type { StoreIngestResult } from '../log-store.ts';
import type { CompiledStatement } from '../directory/write-behind.ts';

export type WriterReply =
  | {
      id: number;
      ok: true;
      result?: StoreIngestResult;
      renamed?: string[];
    }
  | { id: number; ok: false; error: string };

/**
 * When the thread gives new identities their trigrams (log-writer-main.ts): once batches pause
 * for `whenIdleMs`; at once when `maxWaiting` wait while people search, or `maxWaitingSearchIdle`
 * when no identity search ran for `searchIdleS` seconds.
 */
export interface IdentityIndexing {
  whenIdleMs: number;
  maxWaiting: number;
  maxWaitingSearchIdle: number;
  searchIdleS: number;
}

export const IDENTITY_INDEXING: IdentityIndexing = {
  whenIdleMs: 250,
  maxWaiting: 20_000,
  maxWaitingSearchIdle: 200_000,
  searchIdleS: 30,
};

/** What the writer thread stores: a batch packed by the caller. */
export interface WriterWork {
  batch: PackedBatch;
}

/** The writer's answer: an outcome per record stored, systems renamed. */
export interface WriterAnswer {
  result: StoreIngestResult;
  renamed: string[];
}

/**
 * The embedded store's log writer on a thread and connection of its own. SQLite writes from
 * one thread, and an ingest's other half — validating, redacting, serialising — runs on the
 * caller's: with the writing moved here, the caller prepares the next batch while this one
 * is stored. The log has a file of its own (open.ts, logFileOf), so the hub's transactions on
 * the main connection run at the same time; a store whose log shares the hub's file still
 * admits one writer at a time through the store's write lock.
 */
export class LogWriterThread {
  private readonly channel: WorkerChannel<WriterReply>;
  /** When an identity search last ran (searchClock; none yet: 0), shared with the thread. */
  private readonly lastSearch = new Int32Array(new SharedArrayBuffer(4));

  /** `hubFile`: the hub's database, checkpointed by the thread when the log rests. */
  constructor(file: string, hubFile?: string, indexing: Partial<IdentityIndexing> = {}) {
    this.channel = new WorkerChannel(
      new URL('./log-writer-worker.js', import.meta.url),
      'the log writer',
      {
        file,
        hubFile,
        searches: this.lastSearch.buffer,
        indexing: { ...IDENTITY_INDEXING, ...indexing },
      },
    );
  }

  /**
   * An identity search ran: it scanned the identities not yet in the trigram index, which the
   * thread therefore keeps few (IdentityIndexing).
   */
  noteSearch(): void {
    Atomics.store(this.lastSearch, 0, searchClock());
  }

  /**
   * Stores a batch packed by the caller. Not an async function: the work is posted at once and
   * nothing here keeps it while the thread stores it.
   */
  send(work: WriterWork): Promise<WriterAnswer> {
    return this.call(work).then((reply) => ({
      result: reply.result!,
      renamed: reply.renamed ?? [],
    }));
  }

  /**
   * Runs statements on the hub's file in one transaction of the thread's own connection to it
   * (the hub's file apart from the log's only): resolves once committed, rejects when they
   * were not (nothing of them stored).
   */
  writeHub(statements: CompiledStatement[]): Promise<void> {
    return this.call({ hub: statements }).then(() => undefined);
  }

  /** Closes the writer's connection (optimising it first) and ends the thread. */
  async close(): Promise<void> {
    if (!this.channel.failed) await this.call({ close: true });
    await this.channel.terminate();
  }

  private call(msg: object): Promise<WriterReply & { ok: true }> {
    return this.channel.request(msg).then((reply) => {
      if (!reply.ok) throw new Error(`the log writer failed: ${reply.error}`);
      return reply;
    });
  }
}

/** Seconds on the machine's clock since late 2023, as an Int32Array holds them. */
export const searchClock = (): number => Math.floor(Date.now() / 1000) - 1_700_000_000;
