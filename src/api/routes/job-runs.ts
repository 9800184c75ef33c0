import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { JobRunError, type JobRunner } from '../../engine/job-runner.ts';
import { ApiError } from '../api-errors.ts';
import { ProblemSchema } from '../schemas.ts';

export const jobRunRoutes: FastifyPluginAsync<{ runner: JobRunner }> = async (app, { runner }) => {
  app.post(
    '/jobs/:id/run',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Run a job now: a new task, answered at once with its id (follow it at /api/v1/tasks/{taskId})',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: Type.Optional(
          Type.Object(
            {
              file: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 4000,
                  description: 'CSV file path on the server',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          202: Type.Object({ taskId: Type.String() }),
          400: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { file?: string };
      try {
        const { taskId, done } = await runner.start({
          jobId: id,
          ...(body.file ? { file: body.file } : {}),
          triggerMethod: 'manual',
          trigger: 'manual_operation',
        });
        done.catch((err: unknown) =>
          request.log.error({ err, jobId: id, taskId }, 'job run failed'),
        );
        return reply.code(202).send({ taskId });
      } catch (err) {
        if (!(err instanceof JobRunError)) throw err;
        if (err.kind === 'not_found') throw new ApiError('job_not_found', err.message);
        if (err.kind === 'busy' || err.kind === 'paused')
          throw new ApiError('conflict', err.message);
        throw new ApiError('invalid_body', err.message);
      }
    },
  );
};
