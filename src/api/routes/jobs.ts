import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { JOB_STATES, JobInput } from '../../model/job.ts';
import { Id, Nullable, StringEnum } from '../../model/schema-helpers.ts';
import type { ConfigStore, JobPatch as JobPatchType } from '../../store/config/config-store.ts';
import { ApiError } from '../api-errors.ts';
import { IdParams, problems } from './systems.ts';

const P = JobInput.properties;
const optional = <T extends TSchema>(s: T) => Type.Optional(s);
// Type.Optional(s, false) drops the input schema's own optional marker before wrapping.
const clearable = <T extends TSchema>(s: T) => Type.Optional(Nullable(Type.Optional(s, false)));

/** Given fields replace; `null` clears an optional field. The job is revalidated whole. */
export const JobPatch = Type.Object(
  {
    name: optional(P.name),
    systemId: optional(P.systemId),
    direction: optional(P.direction),
    objectTypes: optional(P.objectTypes),
    mappings: optional(P.mappings),
    scoping: clearable(P.scoping),
    matchingAttribute: optional(P.matchingAttribute),
    schedule: P.schedule,
    deprovision: clearable(P.deprovision),
    deletionThreshold: clearable(P.deletionThreshold),
    retry: clearable(P.retry),
  },
  { additionalProperties: false },
);

export const JobView = Type.Object({
  ...P,
  id: Type.String(),
  state: StringEnum(JOB_STATES),
  stateReason: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const jobRoutes: FastifyPluginAsync<{
  config: ConfigStore;
  /** Called when an operator resumes a quarantined job (the engine forgets its quarantine). */
  onResumeQuarantined?: (jobId: string) => Promise<void>;
}> = async (app, { config, onResumeQuarantined }) => {
  const notFound = (id: string) =>
    new ApiError('job_not_found', `No job with id ${JSON.stringify(id)}`);
  const tags = ['jobs'];
  const one = { 200: JobView, ...problems };

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List jobs, optionally of one system',
        querystring: Type.Object({ systemId: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(JobView) }), ...problems },
      },
    },
    async (req) => {
      const { systemId } = req.query as { systemId?: string };
      return { items: await config.listJobs(systemId ? { systemId } : {}) };
    },
  );
  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Create a job (state not_run); its id is `<system name>.<hex>`',
        body: JobInput,
        response: { 201: JobView, ...problems },
      },
    },
    async (req, reply) => reply.code(201).send(await config.createJob(req.body as JobInput)),
  );
  app.get(
    '/:id',
    { schema: { tags, summary: 'One job', params: IdParams, response: one } },
    async (req) => {
      const { id } = req.params as { id: string };
      const found = await config.getJob(id);
      if (!found) throw notFound(id);
      return found;
    },
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a job (null clears an optional field)',
        params: IdParams,
        body: JobPatch,
        response: one,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      return config.updateJob(id, req.body as JobPatchType);
    },
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete a job',
        params: IdParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      await config.deleteJob(id);
      return reply.code(204).send();
    },
  );
  app.post(
    '/:id/pause',
    {
      schema: {
        tags,
        summary: 'Pause a job: no scheduled runs until resumed',
        params: IdParams,
        response: one,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      return config.setJobState(id, 'paused');
    },
  );
  app.post(
    '/:id/resume',
    {
      schema: {
        tags,
        summary: 'Resume a paused or quarantined job (others are left as they are)',
        params: IdParams,
        response: one,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const job = await config.getJob(id);
      if (!job) throw notFound(id);
      if (job.state === 'quarantined') await onResumeQuarantined?.(id);
      return job.state === 'paused' || job.state === 'quarantined'
        ? config.setJobState(id, 'active')
        : job;
    },
  );
};
