import { Worker, type TransferListItem } from 'node:worker_threads';

/**
 * A worker thread that answers requests by id. It holds the process open only while a request
 * waits; when the thread fails or stops, every waiting request fails with the reason, and so
 * does every later one (`failed` says so, for a pool to start another).
 */
export class WorkerChannel<Reply extends { id: number }> {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (r: Reply) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private stopped: Error | undefined;

  /** `entry` runs in the thread; `what` names it in errors ("the log writer"). */
  constructor(
    entry: URL,
    private readonly what: string,
    workerData?: unknown,
  ) {
    this.worker = new Worker(entry, workerData === undefined ? {} : { workerData });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      waiter.resolve(reply);
    });
    const fail = (err: Error) => {
      this.stopped ??= err;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    // An error thrown in the thread arrives cloned: a library's error class arrives as a plain
    // object (better-sqlite3's as { code }), which is named here.
    this.worker.on('error', (err: unknown) =>
      fail(
        err instanceof Error && err.message
          ? err
          : new Error(`${what} failed: ${JSON.stringify(err) ?? String(err)}`),
      ),
    );
    this.worker.on('exit', (code) => fail(new Error(`${what} stopped (exit code ${code})`)));
  }

  /** Requests waiting for their answer. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Why the thread can take no more requests, if it cannot. */
  get failed(): Error | undefined {
    return this.stopped;
  }

  /** Sends `msg` with a fresh id (items in `transfer` are moved, not copied). */
  request(msg: object, transfer: TransferListItem[] = []): Promise<Reply> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.stopped ??= new Error(`${this.what} was closed`);
    await this.worker.terminate();
  }
}
