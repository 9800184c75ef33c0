import { parentPort } from 'node:worker_threads';
import { BodyError } from './parse-body.ts';
import { prepareBodyPacked } from './prepare-records.ts';
import type { PrepareReply, PrepareRequest } from './prepare-pool.ts';

const decoder = new TextDecoder();

/** Prepares ingest bodies off the writer's thread: parse, validate, normalise, split. */
parentPort!.on('message', (req: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const { format, body, now } = req.job;
    const text = typeof body === 'string' ? body : decoder.decode(body);
    reply = { id: req.id, ok: true, batch: prepareBodyPacked(format, text, now) };
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
  parentPort!.postMessage(reply);
});
