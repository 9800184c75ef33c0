import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../api-errors.ts';
import { BodyError } from '../../ingest/parse-body.ts';
import { storePrepared } from '../../ingest/ingest-records.ts';
import type { PreparePool } from '../../ingest/prepare-pool.ts';
import type { LogStore } from '../../store/log-store.ts';
import { IngestResultSchema, ProblemSchema } from '../schemas.ts';
import { readBody } from './read-body.ts';

export interface IngestRouteOptions {
  store: LogStore;
  bodyLimit: number;
  /** Parses, validates and splits big bodies off the writer's thread. */
  pool: PreparePool;
}

const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/json-seq',
];

declare module 'fastify' {
  interface FastifyRequest {
    ingestFormat: 'json' | 'ndjson';
  }
}

export const ingestRoutes: FastifyPluginAsync<IngestRouteOptions> = async (app, opts) => {
  // Bodies stay bytes here: decoding and parsing are part of what a worker does (prepare-pool.ts).
  // This plugin's own JSON parser replaces Fastify's, for the ingest route only.
  app.removeContentTypeParser('application/json');
  // Bodies are read into memory the pool uses again (read-body.ts), given back once prepared.
  for (const type of ['application/json', ...NDJSON_TYPES]) {
    app.addContentTypeParser(type, { bodyLimit: opts.bodyLimit }, (req, payload, done) => {
      req.ingestFormat = type === 'application/json' ? 'json' : 'ndjson';
      readBody(payload, req.headers['content-length'], opts.bodyLimit, opts.pool.buffers).then(
        (body) => done(null, body),
        (err: Error) => done(err, undefined),
      );
    });
  }

  app.post(
    '/ingest',
    {
      bodyLimit: opts.bodyLimit,
      schema: {
        summary: 'Store tasks and entries from an engine',
        description:
          'JSON `{"tasks":[…],"entries":[…]}` or NDJSON lines `{"kind":"task"|"entry", …}`. Valid records are stored even when others are rejected; a repeated changeId is a duplicate.',
        tags: ['ingest'],
        response: {
          200: IngestResultSchema,
          400: ProblemSchema,
          413: ProblemSchema,
          415: ProblemSchema,
        },
      },
    },
    // A chain, not awaits: the handler's frame would keep the prepared batch alive until the
    // store answers (see storePrepared).
    (request) =>
      opts.pool
        .prepareBody(request.ingestFormat, request.body as Buffer, Date.now(), true)
        .then((batch) => storePrepared(opts.store, batch))
        .catch((err: unknown) => {
          if (err instanceof BodyError)
            throw new ApiError(
              err.malformed ? 'malformed_json' : 'invalid_body',
              err.message,
              err.errors,
            );
          throw err;
        }),
  );
};
