import { WorkerChannel } from '../../threads/worker-channel.ts';
import { packBatch, type PackedBatch } from '../../ingest/packed-batch.ts';
import type { TaskInput } from '../../model/task.ts';
import type { PreparedEntry } from '../entry-codec.ts';
import type { StoreIngestResult } from '../log-store.ts';
import type { Rejection } from '../../ingest/ingest-records.ts';

export type WriterReply =
  | {
      id: number;
      ok: true;
      result?: StoreIngestResult;
      renamed?: string[];
      rejected?: Rejection[];
    }
  | { id: number; ok: false; error: string };

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

  constructor(file: string) {
    this.channel = new WorkerChannel(
      new URL('./log-writer-worker.js', import.meta.url),
      'the log writer',
      { file },
    );
  }

  async ingest(
    tasks: TaskInput[],
    entries: PreparedEntry[],
  ): Promise<{ result: StoreIngestResult; renamed: string[] }> {
    return this.ingestPacked(packBatch({ tasks, entries, rejected: [] }));
  }

  /** A batch packed elsewhere (an ingest worker), sent on as it is. */
  async ingestPacked(
    batch: PackedBatch,
  ): Promise<{ result: StoreIngestResult; renamed: string[] }> {
    const reply = await this.send({ batch });
    return { result: reply.result!, renamed: reply.renamed ?? [] };
  }

  /**
   * Records as NDJSON lines, validated, normalised and split on the writer's thread before they
   * are stored: for a caller whose own thread is the busier one (an engine cycle), the text
   * costs it a fraction of preparing the records itself.
   */
  async ingestLines(
    lines: string,
    now: number,
  ): Promise<{ result: StoreIngestResult; rejected: Rejection[]; renamed: string[] }> {
    const reply = await this.send({ lines, now });
    return { result: reply.result!, rejected: reply.rejected ?? [], renamed: reply.renamed ?? [] };
  }

  /** Closes the writer's connection (optimising it first) and ends the thread. */
  async close(): Promise<void> {
    if (!this.channel.failed) await this.send({ close: true });
    await this.channel.terminate();
  }

  private async send(msg: object): Promise<WriterReply & { ok: true }> {
    const reply = await this.channel.request(msg);
    if (!reply.ok) throw new Error(`the log writer failed: ${reply.error}`);
    return reply;
  }
}
