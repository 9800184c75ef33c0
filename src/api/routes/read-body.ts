import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';
import type { BodyBuffers } from '../../ingest/body-buffers.ts';

/**
 * A request body read whole into memory from `buffers` (what Fastify's own reader does, with
 * the same errors: 413 past `limit`, declared or received; 400 when fewer or more bytes came
 * than Content-Length said). The Buffer answered is a view of a buffer of the pool: whoever
 * ends up holding it gives the memory back (prepare-pool.ts).
 */
export function readBody(
  payload: Readable,
  declaredLength: string | undefined,
  limit: number,
  buffers: BodyBuffers,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = declaredLength === undefined ? NaN : Number(declaredLength);
    if (declared > limit) {
      reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    let memory = buffers.take(Number.isNaN(declared) ? FIRST_GUESS : declared);
    let view = new Uint8Array(memory);
    let length = 0;
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    };
    const fail = (err: Error) => {
      stop();
      buffers.give(memory);
      reject(err);
    };
    function onData(chunk: Buffer | string) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (length + bytes.length > limit) {
        fail(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      if (length + bytes.length > view.length) {
        // No length declared (chunked), or more than declared: a bigger buffer.
        const bigger = buffers.take(Math.max(view.length * 2, length + bytes.length));
        new Uint8Array(bigger).set(view.subarray(0, length));
        buffers.give(memory);
        memory = bigger;
        view = new Uint8Array(bigger);
      }
      view.set(bytes, length);
      length += bytes.length;
    }
    function onEnd(err?: Error & { statusCode?: number }) {
      if (err) {
        if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
        fail(err);
        return;
      }
      if (!Number.isNaN(declared) && length !== declared) {
        fail(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      stop();
      resolve(Buffer.from(memory, 0, length));
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  });
}

/** Room for a body of unknown length to start with. */
const FIRST_GUESS = 1024 * 1024;
