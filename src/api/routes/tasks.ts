import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { parseTaskFilter, TASK_FILTER_NAMES } from '../../query/task-filter.ts';
import type { LogStore } from '../../store/log-store.ts';
import { ApiError } from '../api-errors.ts';
import { pageOf, ProblemSchema, TaskSchema } from '../schemas.ts';
import { pageRequest, PAGE_PARAMS, queryStringSchema } from './paging.ts';

export const tasksRoutes: FastifyPluginAsync<{ store: LogStore }> = async (app, { store }) => {
  app.get(
    '/tasks',
    {
      schema: {
        summary: 'List tasks, newest first',
        tags: ['tasks'],
        querystring: queryStringSchema(
          TASK_FILTER_NAMES,
          { status: 'initial, running, succeeded, partially_succeeded, failed' },
          true,
        ),
        response: { 200: pageOf(TaskSchema), 400: ProblemSchema },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      return store.listTasks(parseTaskFilter(query, { allowed: PAGE_PARAMS }), pageRequest(query));
    },
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        summary: 'One task with counts and status description',
        tags: ['tasks'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: TaskSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const task = await store.getTask(id);
      if (!task) throw new ApiError('task_not_found', `No task with id ${JSON.stringify(id)}`);
      return task;
    },
  );
};
