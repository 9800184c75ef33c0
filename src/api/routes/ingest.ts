import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../api-errors.ts';
import { BodyError, recordsFromJson, recordsFromNdjson } from '../../ingest/parse-body.ts';
import { ingestRecords, type IngestResult } from '../../ingest/ingest-records.ts';
import type { LogStore } from '../../store/log-store.ts';
import { IngestResultSchema, ProblemSchema } from '../schemas.ts';

export interface IngestRouteOptions {
  store: LogStore;
  bodyLimit: number;
}

const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/json-seq',
];

export const ingestRoutes: FastifyPluginAsync<IngestRouteOptions> = async (app, opts) => {
  for (const type of NDJSON_TYPES) {
    app.addContentTypeParser(
      type,
      { parseAs: 'string', bodyLimit: opts.bodyLimit },
      (_req, body, done) => done(null, body),
    );
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
    async (request) => {
      try {
        if (typeof request.body === 'string') {
          const { records, rejected } = recordsFromNdjson(request.body);
          const result: IngestResult = await ingestRecords(opts.store, records);
          result.rejected = [...rejected, ...result.rejected].sort((a, b) => a.index - b.index);
          return result;
        }
        return await ingestRecords(opts.store, recordsFromJson(request.body));
      } catch (err) {
        if (err instanceof BodyError)
          throw new ApiError(
            err.malformed ? 'malformed_json' : 'invalid_body',
            err.message,
            err.errors,
          );
        throw err;
      }
    },
  );
};
