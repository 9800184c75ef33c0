import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { LogStore } from '../store/log-store.ts';
import { registerProblemHandlers } from './problem-handler.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { entriesRoutes } from './routes/entries.ts';
import { tasksRoutes } from './routes/tasks.ts';
import { ApiError } from './api-errors.ts';
import { hubRoutes } from './routes/hub.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import type { ConfigStore } from '../store/config/config-store.ts';
import type { JobRunner } from '../engine/job-runner.ts';
import { jobRunRoutes } from './routes/job-runs.ts';
import { systemRoutes } from './routes/systems.ts';
import { jobRoutes } from './routes/jobs.ts';
import { PreparePool } from '../ingest/prepare-pool.ts';
import type { OutboundEngine } from '../engine/outbound/outbound-engine.ts';
import { outboundActionRoutes } from './routes/outbound-actions.ts';
import { summaryRoutes } from './routes/summary.ts';
import { errorCodeRoutes } from './routes/error-codes.ts';

export interface AppOptions {
  store: LogStore;
  /** The hub directory; its routes are served when given. */
  directory?: DirectoryStore;
  /** Systems and jobs; their routes are served when given. */
  config?: ConfigStore;
  /** Runs jobs on request (`POST /api/v1/jobs/{id}/run`). */
  runner?: JobRunner;
  /** Retry, confirm, re-trigger and provision on demand for outbound jobs. */
  outbound?: OutboundEngine;
  logger?: FastifyServerOptions['logger'];
  /** Largest ingest body, bytes. */
  ingestBodyLimit?: number;
  /** Worker threads preparing big ingest bodies (default: one per spare core). */
  ingestWorkers?: number;
  /** Extra plugins (the console's static files) registered after the API. */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

/** The HTTP API without listening: `server.ts` listens, tests call `app.inject()`. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Unknown query names must reach validation to be refused, not be silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });
  registerProblemHandlers(app);
  const pool = new PreparePool(opts.ingestWorkers);
  app.addHook('onClose', () => pool.close());
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'provlog API',
        version: '1',
        description:
          'The provisioning log: ingest, query, facets, tasks. Errors are RFC 9457 problem+json.',
      },
      tags: [
        { name: 'ingest', description: 'Write tasks and entries' },
        { name: 'entries', description: 'The provisioning log' },
        { name: 'tasks', description: 'Groups of entries from one operation' },
        {
          name: 'hub',
          description: 'The hub directory: users, groups, organizations and their changes',
        },
        {
          name: 'systems',
          description: 'Connected sources and applications; secrets never returned',
        },
        { name: 'jobs', description: 'Provisioning configurations between the hub and a system' },
        { name: 'health', description: 'Liveness' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  await app.register(
    async (api) => {
      await api.register(ingestRoutes, {
        store: opts.store,
        bodyLimit: opts.ingestBodyLimit ?? 256 * 1024 * 1024,
        pool,
      });
      await api.register(entriesRoutes, { store: opts.store });
      await api.register(tasksRoutes, { store: opts.store });
      await api.register(summaryRoutes, { store: opts.store });
      await api.register(errorCodeRoutes);
      if (opts.directory)
        await api.register(hubRoutes, { prefix: '/hub', directory: opts.directory });
      if (opts.config) {
        await api.register(systemRoutes, { prefix: '/systems', config: opts.config });
        await api.register(jobRoutes, {
          prefix: '/jobs',
          config: opts.config,
          ...(opts.outbound
            ? { onResumeQuarantined: (id: string) => opts.outbound!.releaseQuarantine(id) }
            : {}),
        });
        if (opts.runner) await api.register(jobRunRoutes, { runner: opts.runner });
        if (opts.runner && opts.outbound)
          await api.register(outboundActionRoutes, {
            engine: opts.outbound,
            runner: opts.runner,
            store: opts.store,
          });
      }
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and the store’s reachability',
        tags: ['health'],
        response: {
          200: Type.Object({ status: Type.Literal('ok'), store: Type.String() }),
        },
      },
    },
    async () => {
      const ok = await opts.store.ping().catch(() => false);
      if (!ok)
        throw new ApiError('store_unavailable', `The ${opts.store.kind} store does not answer`);
      return { status: 'ok' as const, store: opts.store.kind };
    },
  );

  await opts.extend?.(app);
  return app;
}
