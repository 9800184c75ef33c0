import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FieldError } from '../model/validation-error.ts';
import { BodyError } from './parse-body.ts';
import { prepareBody, type BodyFormat, type PreparedBatch } from './prepare-records.ts';
import { unpackBatch, type PackedBatch } from './packed-batch.ts';

export interface PrepareJob {
  format: BodyFormat;
  /** The body's UTF-8 bytes (moved to the worker, not copied) or its text. */
  body: Uint8Array | string;
  now: number;
}
export interface PrepareRequest {
  id: number;
  job: PrepareJob;
}
export type PrepareReply =
  | { id: number; ok: true; batch: PackedBatch }
  | {
      id: number;
      ok: false;
      bodyError?: { message: string; errors: FieldError[]; malformed: boolean };
      error?: string;
    };

/** Below this size (bytes) a body is prepared in place: a worker round trip would cost more. */
const INLINE_BODY_BYTES = 256 * 1024;

/** One worker per core beyond the writer's own thread, at most 4; none on one core. */
export function defaultPrepareWorkers(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void }>;
}

/**
 * Worker threads that prepare ingest bodies (prepare-records.ts) while the store's single
 * writer thread stores the previous batch: parsing, validating and splitting entries is about
 * half of the CPU an ingest costs, and SQLite writes from one thread only. Only bodies still in
 * text form are sent: handing a thread parsed objects costs the sender as much as preparing
 * them itself, so in-process producers prepare in place (ingest-records.ts). Workers start on
 * first use, keep the process alive only while they have work, and are replaced if one dies.
 */
export class PreparePool {
  private readonly slots: Array<Slot | undefined>;
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size = defaultPrepareWorkers(),
    private readonly inlineBelowBytes = INLINE_BODY_BYTES,
  ) {
    this.slots = Array.from({ length: size });
  }

  /**
   * A whole ingest body, as UTF-8 bytes or text; rejects with BodyError when the body is
   * refused whole. Big bodies go to a worker as bytes, so this thread does not even decode them.
   */
  prepareBody(format: BodyFormat, body: Buffer | string, now = Date.now()): Promise<PreparedBatch> {
    const size = typeof body === 'string' ? body.length : body.byteLength;
    if (this.size === 0 || size < this.inlineBelowBytes) {
      try {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        return Promise.resolve(prepareBody(format, text, now));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    // A copy into a buffer of its own (a memcpy) can be moved to the worker without another.
    return this.dispatch({
      format,
      body: typeof body === 'string' ? body : new Uint8Array(body),
      now,
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot, i) => {
        this.slots[i] = undefined;
        if (slot) await slot.worker.terminate();
      }),
    );
  }

  private dispatch(job: PrepareJob): Promise<PreparedBatch> {
    if (this.closed) return Promise.reject(new Error('The prepare pool is closed'));
    const slot = this.leastBusy();
    const id = this.nextId++;
    return new Promise<PreparedBatch>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      const transfer = typeof job.body === 'string' ? [] : [job.body.buffer as ArrayBuffer];
      slot.worker.postMessage({ id, job } satisfies PrepareRequest, transfer);
    });
  }

  private leastBusy(): Slot {
    let best = -1;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      if (!slot) {
        this.slots[i] = this.spawn(i);
        return this.slots[i]!;
      }
      if (best === -1 || slot.pending.size < this.slots[best]!.pending.size) best = i;
    }
    return this.slots[best]!;
  }

  private spawn(index: number): Slot {
    const worker = new Worker(new URL('./prepare-worker.js', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: PrepareReply) => {
      const waiter = slot.pending.get(reply.id);
      if (!waiter) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) waiter.resolve(unpackBatch(reply.batch));
      else if (reply.bodyError) {
        const { message, errors, malformed } = reply.bodyError;
        waiter.reject(new BodyError(message, errors, malformed));
      } else waiter.reject(new Error(`ingest preparation failed: ${reply.error}`));
    });
    const fail = (err: Error) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const waiter of slot.pending.values()) waiter.reject(err);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`an ingest worker stopped (exit code ${code})`));
    });
    return slot;
  }
}
