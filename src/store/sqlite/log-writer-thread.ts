import { Worker } from 'node:worker_threads';
import { packBatch } from '../../ingest/packed-batch.ts';
import type { TaskInput } from '../../model/task.ts';
import type { PreparedEntry } from '../entry-codec.ts';
import type { StoreIngestResult } from '../log-store.ts';

export type WriterReply =
  | { id: number; ok: true; result?: StoreIngestResult; renamed?: string[] }
  | { id: number; ok: false; error: string };

/**
 * The embedded store's log writer on a thread and connection of its own. SQLite writes from
 * one thread, and an ingest's other half — validating, redacting, serialising — runs on the
 * caller's: with the writing moved here, the caller prepares the next batch while this one
 * is stored. The store's write lock still admits one writer at a time (the directory's
 * transactions run on the main connection), so the two connections never contend.
 */
export class LogWriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (r: WriterReply & { ok: true }) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private failed: Error | undefined;

  constructor(file: string) {
    this.worker = new Worker(new URL('./log-writer-worker.js', import.meta.url), {
      workerData: { file },
    });
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new Error(`the log writer failed: ${reply.error}`));
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the log writer stopped (exit code ${code})`)));
  }

  async ingest(
    tasks: TaskInput[],
    entries: PreparedEntry[],
  ): Promise<{ result: StoreIngestResult; renamed: string[] }> {
    const reply = await this.send({ batch: packBatch({ tasks, entries, rejected: [] }) });
    return { result: reply.result!, renamed: reply.renamed ?? [] };
  }

  /** Closes the writer's connection (optimising it first) and ends the thread. */
  async close(): Promise<void> {
    if (!this.failed) await this.send({ close: true });
    await this.worker.terminate();
  }

  private send(msg: object): Promise<WriterReply & { ok: true }> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg });
    });
  }
}
