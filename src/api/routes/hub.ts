import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  HubGroupInput,
  HubGroupPatch,
  HubOrganizationInput,
  HubOrganizationPatch,
  HubUserInput,
  HubUserPatch,
} from '../../model/directory.ts';
import type { Actor, DirectoryStore } from '../../store/directory/directory-store.ts';
import { ApiError } from '../api-errors.ts';
import { ProblemSchema } from '../schemas.ts';
import { pageRequest } from './paging.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const ListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'name contains (case-insensitive)' }),
    ),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const UserListQuery = Type.Object(
  {
    ...ListQuery.properties,
    active: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  },
  { additionalProperties: false },
);
const errors = {
  200: Type.Unknown(),
  201: Type.Unknown(),
  204: Type.Null(),
  400: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  412: ProblemSchema,
};

/** `If-Match: 3` (or `"3"`) makes an update conditional on the object's version. */
function ifVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const v = Number(String(header).replaceAll('"', ''));
  if (!Number.isInteger(v) || v < 1)
    throw new ApiError('invalid_query', 'If-Match must be a version number', [
      { field: 'If-Match', message: 'must be a version number' },
    ]);
  return v;
}

/** Until access control lands, the bearer token's presence is recorded as the actor. */
function actorOf(request: FastifyRequest): Actor {
  return request.headers.authorization ? { type: 'token', id: 'bearer' } : undefined;
}

export const hubRoutes: FastifyPluginAsync<{ directory: DirectoryStore }> = async (
  app,
  { directory },
) => {
  const crud = <T>(
    path: string,
    tag: string,
    schemas: { create: TSchema; patch: TSchema; list: TSchema },
    ops: {
      list(
        q: Record<string, string | undefined>,
        page: { limit: number; cursor?: string },
      ): Promise<unknown>;
      create(body: never, actor: Actor): Promise<T>;
      get(id: string): Promise<T | undefined>;
      update(id: string, body: never, actor: Actor, version?: number): Promise<unknown>;
      remove(id: string, actor: Actor): Promise<void>;
    },
  ) => {
    const notFound = (id: string) =>
      new ApiError('hub_object_not_found', `No ${tag} with id ${JSON.stringify(id)}`);
    app.get(
      path,
      {
        schema: {
          tags: ['hub'],
          summary: `List hub ${tag}s`,
          querystring: schemas.list,
          response: errors,
        },
      },
      async (req) => {
        const q = req.query as Record<string, string | undefined>;
        return ops.list(q, pageRequest(q));
      },
    );
    app.post(
      path,
      {
        schema: {
          tags: ['hub'],
          summary: `Create a hub ${tag}`,
          body: schemas.create,
          response: errors,
        },
      },
      async (req, reply) => {
        const created = await ops.create(req.body as never, actorOf(req));
        return reply.code(201).send(created);
      },
    );
    app.get(
      `${path}/:id`,
      { schema: { tags: ['hub'], summary: `One hub ${tag}`, params: IdParams, response: errors } },
      async (req) => {
        const { id } = req.params as { id: string };
        const found = await ops.get(id);
        if (!found) throw notFound(id);
        return found;
      },
    );
    app.patch(
      `${path}/:id`,
      {
        schema: {
          tags: ['hub'],
          summary: `Change a hub ${tag} (null clears a field)`,
          params: IdParams,
          body: schemas.patch,
          response: errors,
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        return ops.update(id, req.body as never, actorOf(req), ifVersion(req));
      },
    );
    app.delete(
      `${path}/:id`,
      {
        schema: {
          tags: ['hub'],
          summary: `Delete a hub ${tag}`,
          params: IdParams,
          response: errors,
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        await ops.remove(id, actorOf(req));
        return reply.code(204).send();
      },
    );
  };

  crud(
    '/users',
    'user',
    { create: HubUserInput, patch: HubUserPatch, list: UserListQuery },
    {
      list: (q, page) =>
        directory.listUsers(
          { ...(q.q ? { q: q.q } : {}), ...(q.active ? { active: q.active === 'true' } : {}) },
          page,
        ),
      create: (body, actor) => directory.createUser(body, actor),
      get: (id) => directory.getUser(id),
      update: (id, body, actor, v) => directory.updateUser(id, body, actor, v),
      remove: (id, actor) => directory.deleteUser(id, actor),
    },
  );
  for (const [verb, active] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(
      `/users/:id/${verb}`,
      {
        schema: {
          tags: ['hub'],
          summary: `${verb} a hub user`,
          params: IdParams,
          response: errors,
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        return directory.setUserActive(id, active, actorOf(req));
      },
    );
  }
  crud(
    '/groups',
    'group',
    { create: HubGroupInput, patch: HubGroupPatch, list: ListQuery },
    {
      list: (q, page) => directory.listGroups(q.q ? { q: q.q } : {}, page),
      create: (body, actor) => directory.createGroup(body, actor),
      get: (id) => directory.getGroup(id),
      update: (id, body, actor, v) => directory.updateGroup(id, body, actor, v),
      remove: (id, actor) => directory.deleteGroup(id, actor),
    },
  );
  crud(
    '/organizations',
    'organization',
    { create: HubOrganizationInput, patch: HubOrganizationPatch, list: ListQuery },
    {
      list: (q, page) => directory.listOrganizations(q.q ? { q: q.q } : {}, page),
      create: (body, actor) => directory.createOrganization(body, actor),
      get: (id) => directory.getOrganization(id),
      update: (id, body, actor, v) => directory.updateOrganization(id, body, actor, v),
      remove: (id, actor) => directory.deleteOrganization(id, actor),
    },
  );

  app.get(
    '/changes',
    {
      schema: {
        tags: ['hub'],
        summary:
          'Changes in the hub after a sequence number, oldest first (what outbound jobs consume)',
        querystring: Type.Object(
          {
            after: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
          },
          { additionalProperties: false },
        ),
        response: errors,
      },
    },
    async (req) => {
      const q = req.query as { after?: string; limit?: string };
      return directory.changesSince(Number(q.after ?? 0), pageRequest({ limit: q.limit }).limit);
    },
  );
};
