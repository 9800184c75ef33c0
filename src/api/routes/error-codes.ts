import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ERROR_CODES } from '../../model/error-codes.ts';

const ErrorCodeView = Type.Object({
  code: Type.String(),
  aliases: Type.Array(Type.String()),
  title: Type.String(),
  description: Type.String(),
  recommendation: Type.String(),
  transient: Type.Boolean(),
  origin: Type.String(),
});

/** The provisioning error catalog, read-only: the console's troubleshooting tab reads it. */
export const errorCodeRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/error-codes',
    {
      schema: {
        summary: 'The provisioning error catalog: description, recommendation, transient',
        tags: ['entries'],
        response: { 200: Type.Object({ items: Type.Array(ErrorCodeView) }) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return { items: ERROR_CODES };
    },
  );
};
