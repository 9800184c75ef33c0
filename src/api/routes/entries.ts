import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ENTRY_FILTER_NAMES, parseEntryFilter } from '../../query/entry-filter.ts';
import type { LogStore } from '../../store/log-store.ts';
import { ApiError } from '../api-errors.ts';
import { EntryDetailSchema, EntrySchema, pageOf, ProblemSchema } from '../schemas.ts';
import { pageRequest, PAGE_PARAMS, queryStringSchema } from './paging.ts';

export interface EntriesRouteOptions {
  store: LogStore;
}

const FILTER_DOCS: Record<string, string> = {
  from: 'Earliest time, ISO 8601',
  to: 'Latest time, ISO 8601',
  window: 'Relative window ending now (or at `to`): 24h, 7d, 30d',
  identity: 'Display name or id in source or target: partial, case-insensitive, any script',
  application: 'System name contains (source or target)',
  q: 'Free text: entries in which each word begins a word they say (identities, steps, reasons, modified properties, payloads, error code), or the change id whole',
  sourceSystem: 'Source system id or name',
  targetSystem: 'Target system id or name',
};

export const entriesRoutes: FastifyPluginAsync<EntriesRouteOptions> = async (app, { store }) => {
  const querystring = queryStringSchema(ENTRY_FILTER_NAMES, FILTER_DOCS, true);

  app.get(
    '/entries',
    {
      schema: {
        summary: 'List entries, newest first',
        description:
          'Every filter accepts several values separated by commas (OR); filters combine with AND.',
        tags: ['entries'],
        querystring,
        response: { 200: pageOf(EntrySchema), 400: ProblemSchema },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      const filter = parseEntryFilter(query, { allowed: PAGE_PARAMS });
      return store.listEntries(filter, pageRequest(query));
    },
  );

  app.get(
    '/entries/facets',
    {
      schema: {
        summary: 'Values present and their counts per field, for the same filters',
        tags: ['entries'],
        querystring: queryStringSchema(ENTRY_FILTER_NAMES, FILTER_DOCS, false),
        response: {
          200: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
          400: ProblemSchema,
        },
      },
    },
    async (request) => store.facets(parseEntryFilter(request.query as Record<string, unknown>)),
  );

  app.get(
    '/entries/:changeId',
    {
      schema: {
        summary: 'One entry whole: steps, modified properties, payloads, related attempts',
        tags: ['entries'],
        params: Type.Object({ changeId: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: EntryDetailSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const { changeId } = request.params as { changeId: string };
      const entry = await store.getEntry(changeId);
      if (!entry)
        throw new ApiError('entry_not_found', `No entry with changeId ${JSON.stringify(changeId)}`);
      return entry;
    },
  );
};
