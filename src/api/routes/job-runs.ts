import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { JobRunError, type JobRunner } from '../../engine/job-runner.ts';
import { ApiError } from '../api-errors.ts';
import { ProblemSchema } from '../schemas.ts';

function toApiError(err: JobRunError): ApiError {
  if (err.kind === 'not_found') return new ApiError('job_not_found', err.message);
  if (err.kind === 'busy' || err.kind === 'paused') return new ApiError('conflict', err.message);
  return new ApiError('invalid_body', err.message);
}

export const jobRunRoutes: FastifyPluginAsync<{ runner: JobRunner }> = async (app, { runner }) => {
  app.post(
    '/jobs/:id/approve-deletions',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Approve the deletions deletion protection held: each staged_delete is carried out now, in one task',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: Type.Object(
          {
            approver: Type.Object(
              {
                id: Type.String({ minLength: 1, maxLength: 200 }),
                displayName: Type.Optional(Type.String({ maxLength: 500 })),
              },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            approved: Type.Integer(),
            taskId: Type.Union([Type.String(), Type.Null()]),
          }),
          400: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { approver } = request.body as { approver: { id: string; displayName?: string } };
      try {
        const { approved, task } = await runner.approveDeletions(id, { type: 'user', ...approver });
        return { approved, taskId: task?.id ?? null };
      } catch (err) {
        if (err instanceof JobRunError) throw toApiError(err);
        throw err;
      }
    },
  );

  app.post(
    '/jobs/:id/run',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Run a job now: a new task, answered at once with its id (follow it at /api/v1/tasks/{taskId})',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
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
      // An empty POST runs the job as configured; a body may name the CSV file to read.
      const body = (request.body ?? {}) as { file?: unknown; mode?: unknown };
      if (
        typeof body !== 'object' ||
        Array.isArray(body) ||
        Object.keys(body).some((k) => k !== 'file' && k !== 'mode')
      ) {
        throw new ApiError(
          'invalid_body',
          'The body may only hold {"file": "<path>"} or {"mode": "full"|"incremental"}',
          [{ field: '/', message: 'only "file" and "mode" are allowed' }],
        );
      }
      if (body.mode !== undefined && body.mode !== 'full' && body.mode !== 'incremental') {
        throw new ApiError('invalid_body', 'mode is full or incremental', [
          { field: '/mode', message: 'must be "full" or "incremental"' },
        ]);
      }
      if (
        body.file !== undefined &&
        (typeof body.file !== 'string' || body.file.length === 0 || body.file.length > 4000)
      ) {
        throw new ApiError('invalid_body', 'file must be a path', [
          { field: '/file', message: 'must be a non-empty string of at most 4000 characters' },
        ]);
      }
      try {
        const { taskId, done } = await runner.start({
          jobId: id,
          ...(typeof body.file === 'string' ? { file: body.file } : {}),
          ...(body.mode === 'full' || body.mode === 'incremental' ? { mode: body.mode } : {}),
          triggerMethod: 'manual',
          trigger: 'manual_operation',
        });
        done.catch((err: unknown) =>
          request.log.error({ err, jobId: id, taskId }, 'job run failed'),
        );
        return reply.code(202).send({ taskId });
      } catch (err) {
        if (err instanceof JobRunError) throw toApiError(err);
        throw err;
      }
    },
  );
};
