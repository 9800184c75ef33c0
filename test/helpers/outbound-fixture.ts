import type { JobInput } from '../../src/model/job.ts';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.ts';
import { OutboundEngine } from '../../src/engine/outbound/outbound-engine.ts';
import { ScimClients } from '../../src/engine/outbound/scim-clients.ts';
import { JobRunner } from '../../src/engine/job-runner.ts';

export const MAPPINGS: JobInput['mappings'] = [
  { target: 'userName', source: 'userName' },
  { target: 'displayName', source: 'displayName' },
  { target: 'name.givenName', source: 'givenName' },
  { target: 'name.familyName', source: 'familyName' },
  { target: 'emails[type eq "work"].value', source: 'email' },
];

/** An embedded store with a SCIM system and an outbound job to `baseUrl`, and an engine over a movable clock. */
export async function outboundFixture(
  baseUrl: string,
  token: string,
  job: Partial<JobInput> = {},
  settings: Record<string, unknown> = {},
) {
  const store = new SqliteLogStore({ file: ':memory:' });
  let clock = Date.now();
  const now = () => clock;
  const system = await store.config.createSystem({
    name: 'Target App',
    type: 'scim',
    settings: {
      baseUrl,
      auth: { type: 'bearer' },
      maxThrottleHoldMs: 0,
      timeoutMs: 1000,
      ...settings,
    },
    secrets: { token },
  });
  const created = await store.config.createJob({
    name: 'Push to Target App',
    systemId: system.id,
    direction: 'outbound',
    objectTypes: ['user'],
    mappings: MAPPINGS,
    matchingAttribute: 'userName',
    retry: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: 0 },
    ...job,
  });
  await store.config.setJobState(created.id, 'active');
  const clients = new ScimClients((id) => store.config.getSystemSecrets(id));
  const engine = new OutboundEngine(
    {
      jobs: store.config,
      directory: store.directory,
      log: store,
      outbound: store.outbound,
      clients,
      now,
    },
    { concurrency: 8 },
  );
  const runner = new JobRunner({
    jobs: store.config,
    directory: store.directory,
    log: store,
    outbound: engine,
    now,
  });
  return {
    store,
    engine,
    runner,
    system,
    jobId: created.id,
    advance: (ms: number) => void (clock += ms),
    close: async () => {
      await clients.close();
      await store.close();
    },
  };
}
