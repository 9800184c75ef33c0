import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { JobRunError, type JobRunner } from '../../engine/job-runner.ts';
import { OutboundActionError, type OutboundEngine } from '../../engine/outbound/outbound-engine.ts';
import { retriggerTask } from '../../engine/outbound/retrigger-task.ts';
import type { Actor } from '../../model/entry.ts';
import type { LogStore } from '../../store/log-store.ts';
import { ApiError } from '../api-errors.ts';
import { EntrySchema, ProblemSchema } from '../schemas.ts';

const ActorBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);
const ActionBody = Type.Union([
  Type.Object({ actor: Type.Optional(ActorBody) }, { additionalProperties: false }),
  Type.Null(),
]);
const ChangeIdParams = Type.Object({ changeId: Type.String({ minLength: 1, maxLength: 200 }) });
const errors = { 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };

/** Who acted: the person named in the body, else the API token. */
function actorOf(body: unknown): Actor {
  const given = (body as { actor?: { id: string; displayName?: string } } | null)?.actor;
  return given ? { type: 'user', ...given } : { type: 'token', id: 'api' };
}

function toApiError(err: unknown, what: 'entry' | 'job' | 'task'): unknown {
  if (err instanceof OutboundActionError) {
    if (err.kind === 'not_found')
      return new ApiError(
        what === 'entry' ? 'entry_not_found' : what === 'task' ? 'task_not_found' : 'job_not_found',
        err.message,
      );
    return new ApiError('conflict', err.message);
  }
  if (err instanceof JobRunError) {
    if (err.kind === 'not_found')
      return new ApiError(what === 'task' ? 'task_not_found' : 'job_not_found', err.message);
    return new ApiError('conflict', err.message);
  }
  return err;
}

/** Operators' actions on outbound work: retry, confirm, re-trigger, provision on demand. */
export const outboundActionRoutes: FastifyPluginAsync<{
  engine: OutboundEngine;
  runner: JobRunner;
  store: LogStore;
}> = async (app, { engine, runner, store }) => {
  app.post(
    '/entries/:changeId/retry',
    {
      schema: {
        tags: ['entries'],
        summary:
          'Retry a failed entry now: a new attempt of the same operation (matching first, so no duplicate)',
        params: ChangeIdParams,
        body: ActionBody,
        response: { 200: EntrySchema, ...errors },
      },
    },
    async (request) => {
      const { changeId } = request.params as { changeId: string };
      try {
        return await engine.retryEntry(changeId, { manual: true, actor: actorOf(request.body) });
      } catch (err) {
        throw toApiError(err, 'entry');
      }
    },
  );

  app.post(
    '/entries/:changeId/confirm',
    {
      schema: {
        tags: ['entries'],
        summary:
          'Confirm a failed entry was done by hand: it counts as resolved; a confirmed deletion also removes the hub user and its link',
        params: ChangeIdParams,
        body: ActionBody,
        response: { 200: EntrySchema, ...errors },
      },
    },
    async (request) => {
      const { changeId } = request.params as { changeId: string };
      try {
        return await engine.confirmEntry(changeId, actorOf(request.body));
      } catch (err) {
        throw toApiError(err, 'entry');
      }
    },
  );

  app.post(
    '/tasks/:id/retrigger',
    {
      schema: {
        tags: ['tasks'],
        summary: "Run a task's work again as a new task linked by parentTaskId",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 202: Type.Object({ taskId: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      try {
        return reply.code(202).send(await retriggerTask({ log: store, runner }, id));
      } catch (err) {
        throw toApiError(err, 'task');
      }
    },
  );

  app.post(
    '/jobs/:id/provision-on-demand',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Push one hub user (id or userName) or group (id or displayName; unlinked members go first) through the job now and return its entry; dryRun records what would be sent without sending it',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: Type.Object(
          {
            objectId: Type.String({ minLength: 1, maxLength: 320 }),
            dryRun: Type.Optional(Type.Boolean()),
            actor: Type.Optional(ActorBody),
          },
          { additionalProperties: false },
        ),
        response: { 200: EntrySchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { objectId: string; dryRun?: boolean };
      try {
        return await engine.provisionOnDemand(id, body.objectId, {
          dryRun: body.dryRun ?? false,
          actor: actorOf(request.body),
        });
      } catch (err) {
        throw toApiError(err, 'job');
      }
    },
  );
};
