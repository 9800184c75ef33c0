import { parentPort } from 'node:worker_threads';
import { BodyError } from './parse-body.ts';
import { prepareBodyPacked } from './prepare-records.ts';
import type { PrepareReply, PrepareRequest } from './prepare-pool.ts';

/** Prepares ingest bodies off the writer's thread: parse, validate, normalise, split. */
parentPort!.on('message', (req: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const { format, body, now } = req.job;
    // NDJSON bytes are decoded a line at a time (parse-body.ts), JSON as a whole.
    reply = { id: req.id, ok: true, batch: prepareBodyPacked(format, body, now) };
  } catch (err) {
    reply =
      err instanceof BodyError
        ? {
            id: req.id,
            ok: false,
            bodyError: { message: err.message, errors: err.errors, malformed: err.malformed },
          }
        : { id: req.id, ok: false, error: (err as Error).stack ?? String(err) };
  }
  // The body's memory goes back to the pool it came from (body-buffers.ts).
  const memory = typeof req.job.body === 'string' ? undefined : req.job.body.buffer;
  if (memory instanceof ArrayBuffer) {
    reply.memory = memory;
    parentPort!.postMessage(reply, [memory]);
  } else parentPort!.postMessage(reply);
});
