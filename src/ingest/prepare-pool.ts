import { availableParallelism } from 'node:os';
import { WorkerChannel } from '../threads/worker-channel.ts';
import type { FieldError } from '../model/validation-error.ts';
import { BodyError } from './parse-body.ts';
import { prepareBody, type BodyFormat, type PreparedBatch } from './prepare-records.ts';
import type { PackedBatch } from './packed-batch.ts';
import { BodyBuffers } from './body-buffers.ts';

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
export type PrepareReply = (
  | { id: number; ok: true; batch: PackedBatch }
  | {
      id: number;
      ok: false;
      bodyError?: { message: string; errors: FieldError[]; malformed: boolean };
      error?: string;
    }
) & {
  /** The body's memory, moved back once read (for the pool's buffers). */
  memory?: ArrayBuffer;
};

/** Below this size (bytes) a body is prepared in place: a worker round trip would cost more. */
const INLINE_BODY_BYTES = 256 * 1024;

/** One worker per core beyond the writer's own thread, at most 4; none on one core. */
export function defaultPrepareWorkers(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
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
  /** Memory for request bodies, used again (read-body.ts reads bodies into it). */
  readonly buffers = new BodyBuffers();
  private readonly slots: Array<WorkerChannel<PrepareReply> | undefined>;
  private closed = false;

  constructor(
    readonly size = defaultPrepareWorkers(),
    private readonly inlineBelowBytes = INLINE_BODY_BYTES,
  ) {
    this.slots = Array.from({ length: size });
  }

  /**
   * A whole ingest body, as UTF-8 bytes or text; rejects with BodyError when the body is
   * refused whole. Big bodies go to a worker as bytes, so this thread does not even decode them,
   * and come back packed as the worker made them: a store with a writer thread takes them as
   * they are (ingest-records.ts, storePrepared), so this thread never rebuilds their entries.
   */
  prepareBody(
    format: BodyFormat,
    body: Buffer | string,
    now = Date.now(),
    /** The body is a view of memory from `buffers`, given back once read. */
    pooled = false,
  ): Promise<PreparedBatch | PackedBatch> {
    const size = typeof body === 'string' ? body.length : body.byteLength;
    if (this.size === 0 || size < this.inlineBelowBytes) {
      try {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        if (pooled && typeof body !== 'string') this.buffers.give(body.buffer as ArrayBuffer);
        return Promise.resolve(prepareBody(format, text, now));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    if (typeof body === 'string') return this.dispatch({ format, body, now });
    // A pooled body's memory is moved to the worker and back; another is copied (a memcpy) into
    // memory of the pool's own, moved the same way. Either comes back to `buffers`.
    return this.dispatch({ format, body: pooled ? body : new Uint8Array(body), now });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot, i) => {
        this.slots[i] = undefined;
        await slot?.terminate();
      }),
    );
  }

  private async dispatch(job: PrepareJob): Promise<PackedBatch> {
    if (this.closed) throw new Error('The prepare pool is closed');
    const transfer = typeof job.body === 'string' ? [] : [job.body.buffer as ArrayBuffer];
    const reply = await this.leastBusy().request({ job }, transfer);
    if (reply.memory) this.buffers.give(reply.memory);
    if (reply.ok) return reply.batch;
    if (reply.bodyError) {
      const { message, errors, malformed } = reply.bodyError;
      throw new BodyError(message, errors, malformed);
    }
    throw new Error(`ingest preparation failed: ${reply.error}`);
  }

  /** The worker with the fewest waiting requests; one that died is replaced. */
  private leastBusy(): WorkerChannel<PrepareReply> {
    let best: WorkerChannel<PrepareReply> | undefined;
    for (let i = 0; i < this.slots.length; i++) {
      let slot = this.slots[i];
      if (!slot || slot.failed) {
        slot = new WorkerChannel<PrepareReply>(
          new URL('./prepare-worker.js', import.meta.url),
          'an ingest worker',
        );
        this.slots[i] = slot;
        return slot;
      }
      if (!best || slot.waiting < best.waiting) best = slot;
    }
    return best!;
  }
}
