import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { FilterError } from '../../query/entry-filter.ts';

export const PAGE_PARAMS = ['limit', 'cursor'] as const;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/** Query-string schema for OpenAPI and for refusing unknown names; values are parsed by query/. */
export function queryStringSchema(
  names: readonly string[],
  docs: Record<string, string>,
  paged: boolean,
): TObject {
  const props: Record<string, TSchema> = {};
  for (const name of names)
    props[name] = Type.Optional(
      Type.String({ maxLength: 4000, ...(docs[name] ? { description: docs[name] } : {}) }),
    );
  if (paged) {
    props.limit = Type.Optional(
      Type.String({
        pattern: '^[0-9]+$',
        description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}`,
      }),
    );
    props.cursor = Type.Optional(
      Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }),
    );
  }
  return Type.Object(props, { additionalProperties: false });
}

export function pageRequest(query: Record<string, unknown>): { limit: number; cursor?: string } {
  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new FilterError([
        { field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` },
      ]);
    }
  }
  const cursor = typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : undefined;
  return cursor ? { limit, cursor } : { limit };
}
