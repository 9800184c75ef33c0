import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { CONNECTOR_TYPES, SystemInput } from '../../model/job.ts';
import { Id, Name, Nullable, StringEnum } from '../../model/schema-helpers.ts';
import type {
  ConfigStore,
  SystemPatch as SystemPatchType,
} from '../../store/config/config-store.ts';
import { ApiError } from '../api-errors.ts';
import { ProblemSchema } from '../schemas.ts';

/** Given fields replace; `settings: null` clears them; a secret set to null is removed. */
export const SystemPatch = Type.Object(
  {
    name: Type.Optional(Name),
    type: Type.Optional(StringEnum(CONNECTOR_TYPES)),
    settings: Type.Optional(Nullable(SystemInput.properties.settings)),
    secrets: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Nullable(Type.String({ maxLength: 10_000 }))),
    ),
    traceLevel: SystemInput.properties.traceLevel,
  },
  { additionalProperties: false },
);

/**
 * A system as the API shows it. Declared field by field: the serializer drops anything else,
 * so a secret value could not reach a response even if a bug put one on the object.
 */
export const SystemView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  settings: SystemInput.properties.settings,
  secretNames: Type.Array(Type.String()),
  traceLevel: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const IdParams = Type.Object({ id: Id });
export const problems = {
  400: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
};

export const systemRoutes: FastifyPluginAsync<{ config: ConfigStore }> = async (
  app,
  { config },
) => {
  const notFound = (id: string) =>
    new ApiError('system_not_found', `No system with id ${JSON.stringify(id)}`);
  const tags = ['systems'];

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List systems (secret values are never returned, only their names)',
        response: { 200: Type.Object({ items: Type.Array(SystemView) }) },
      },
    },
    async () => ({ items: await config.listSystems() }),
  );
  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Connect a system; its secrets are encrypted at rest',
        body: SystemInput,
        response: { 201: SystemView, ...problems },
      },
    },
    async (req, reply) => reply.code(201).send(await config.createSystem(req.body as SystemInput)),
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One system',
        params: IdParams,
        response: { 200: SystemView, ...problems },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const found = await config.getSystem(id);
      if (!found) throw notFound(id);
      return found;
    },
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a system (secrets merge: a secret set to null is removed)',
        params: IdParams,
        body: SystemPatch,
        response: { 200: SystemView, ...problems },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      return config.updateSystem(id, req.body as SystemPatchType);
    },
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete a system that no job uses',
        params: IdParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      await config.deleteSystem(id);
      return reply.code(204).send();
    },
  );
};
