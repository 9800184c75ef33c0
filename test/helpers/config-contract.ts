import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobInput } from '../../src/model/job.ts';
import { ConfigError, type ConfigStore } from '../../src/store/config/config-store.ts';

export interface OpenedConfig {
  config: ConfigStore;
  /** Every row of every table, as text: to prove no secret is stored in the clear. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

const job = (systemId: string, over: Partial<JobInput> = {}): JobInput => ({
  name: 'HR import',
  systemId,
  direction: 'inbound',
  objectTypes: ['user'],
  mappings: [
    { target: 'userName', source: 'mail' },
    { target: 'country', constant: 'FR' },
  ],
  matchingAttribute: 'userName',
  schedule: '*/15 * * * *',
  ...over,
});

/** Systems and jobs, run against each store on a real database. */
export function describeConfigContract(name: string, open: () => Promise<OpenedConfig>): void {
  describe(`${name} systems and jobs`, () => {
    let store: ConfigStore;
    let opened: OpenedConfig;
    beforeEach(async () => {
      opened = await open();
      store = opened.config;
    });
    afterEach(async () => opened.close());

    const failure = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) =>
          e instanceof ConfigError
            ? `${e.kind}${e.errors.map((f) => ` ${f.field}`).join('')}`
            : String(e),
      );

    it('creates, reads, updates and deletes systems, sealing their secrets', async () => {
      const hr = await store.createSystem({
        name: 'Workday HR',
        type: 'csv',
        settings: { path: '/in/hr.csv' },
        secrets: { token: 's3cr3t', password: 'pa55' },
      });
      expect(hr).toMatchObject({ name: 'Workday HR', traceLevel: 'all' });
      expect(hr.secretNames).toEqual(['password', 'token']);
      expect(JSON.stringify(hr)).not.toContain('s3cr3t');
      expect(await store.getSystem(hr.id)).toEqual(hr);
      expect(await store.getSystemSecrets(hr.id)).toEqual({ token: 's3cr3t', password: 'pa55' });
      const dumped = await opened.dump();
      expect(dumped).toContain('Workday HR');
      expect(dumped).not.toContain('s3cr3t');
      expect(dumped).not.toContain('pa55');

      const renamed = await store.updateSystem(hr.id, {
        name: 'Workday',
        traceLevel: 'failures',
        secrets: { token: null, apiKey: 'k3y' },
      });
      expect(renamed).toMatchObject({ name: 'Workday', traceLevel: 'failures' });
      expect(renamed.secretNames).toEqual(['apiKey', 'password']);
      expect(await store.getSystemSecrets(hr.id)).toEqual({ password: 'pa55', apiKey: 'k3y' });
      expect((await store.updateSystem(hr.id, { settings: null })).settings).toBeUndefined();

      const app = await store.createSystem({ name: 'ServiceNow', type: 'scim' });
      expect(app.secretNames).toEqual([]);
      expect(await store.getSystemSecrets(app.id)).toEqual({});
      expect((await store.listSystems()).map((s) => s.name)).toEqual(['Workday', 'ServiceNow']);
      await store.deleteSystem(app.id);
      expect(await store.getSystem(app.id)).toBeUndefined();
      expect(await failure(store.getSystemSecrets(app.id))).toBe('not_found');
    });

    it('refuses duplicate names (any case) and unknown systems, changing nothing', async () => {
      const a = await store.createSystem({ name: 'Active Directory', type: 'ldap' });
      const b = await store.createSystem({ name: 'Okta', type: 'external' });
      expect(await failure(store.createSystem({ name: 'active DIRECTORY', type: 'ldap' }))).toBe(
        'conflict /name',
      );
      expect(await failure(store.updateSystem(b.id, { name: 'ACTIVE directory' }))).toBe(
        'conflict /name',
      );
      expect(await failure(store.updateSystem('nope', { name: 'x' }))).toBe('not_found');
      expect(await failure(store.deleteSystem('nope'))).toBe('not_found');
      expect((await store.listSystems()).map((s) => s.name)).toEqual(['Active Directory', 'Okta']);
      expect(await store.getSystem(a.id)).toEqual(a);
    });

    it('creates jobs with readable ids, validates them, and lists them by system', async () => {
      const hr = await store.createSystem({ name: 'Workday HR', type: 'csv' });
      const sn = await store.createSystem({ name: 'ServiceNow', type: 'scim' });
      const inbound = await store.createJob(job(hr.id));
      expect(inbound.id).toMatch(/^WorkdayHR\.[0-9a-f]{16}$/);
      expect(inbound.state).toBe('not_run');
      expect(await store.getJob(inbound.id)).toEqual(inbound);
      const outbound = await store.createJob(
        job(sn.id, { name: 'To ServiceNow', direction: 'outbound', schedule: null }),
      );
      expect((await store.listJobs()).map((j) => j.id)).toEqual([inbound.id, outbound.id]);
      expect((await store.listJobs({ systemId: sn.id })).map((j) => j.id)).toEqual([outbound.id]);

      expect(await failure(store.createJob(job('ghost')))).toBe('invalid /systemId');
      expect(await failure(store.createJob(job(hr.id, { direction: 'outbound' })))).toBe(
        'invalid /direction',
      );
      expect(await failure(store.createJob(job(sn.id)))).toBe('invalid /direction');
      expect(await failure(store.createJob(job(hr.id, { schedule: '61 * * * *' })))).toBe(
        'invalid /schedule',
      );
      expect(await failure(store.createJob(job(hr.id, { schedule: 'every day' })))).toBe(
        'invalid /schedule',
      );
      expect(
        await failure(
          store.createJob(
            job(hr.id, {
              mappings: [
                { target: 'a', source: 'x' },
                { target: 'b', source: 'y', constant: 'z' },
                { target: 'c' },
              ],
            }),
          ),
        ),
      ).toBe('invalid /mappings/1 /mappings/2');
      expect(await store.listJobs()).toHaveLength(2);
    });

    it('updates, pauses, resumes and deletes jobs; a system in use cannot be deleted', async () => {
      const ext = await store.createSystem({ name: 'Okta', type: 'external' });
      const created = await store.createJob(job(ext.id));
      const updated = await store.updateJob(created.id, {
        name: 'Okta import',
        schedule: null,
        retry: {
          maxAttempts: 3,
          initialDelayMs: 1000,
          maxDelayMs: 60000,
          multiplier: 2,
          jitter: 0.1,
        },
      });
      expect(updated).toMatchObject({ name: 'Okta import', retry: { maxAttempts: 3 } });
      expect(updated.schedule).toBeUndefined();
      expect(await store.getJob(created.id)).toEqual(updated);
      expect(await failure(store.updateJob(created.id, { schedule: '* * *' }))).toBe(
        'invalid /schedule',
      );
      expect(await failure(store.updateJob('nope', { name: 'x' }))).toBe('not_found');

      // An external system's job may go either way; turning it into csv would strand outbound jobs.
      await store.updateJob(created.id, { direction: 'outbound' });
      expect(await failure(store.updateSystem(ext.id, { type: 'csv' }))).toBe('invalid /type');

      const paused = await store.setJobState(created.id, 'paused', 'maintenance window');
      expect(paused).toMatchObject({ state: 'paused', stateReason: 'maintenance window' });
      expect(await store.getJob(created.id)).toEqual(paused);
      const active = await store.setJobState(created.id, 'active');
      expect(active.state).toBe('active');
      expect(active.stateReason).toBeUndefined();

      expect(await failure(store.deleteSystem(ext.id))).toBe('conflict');
      await store.deleteJob(created.id);
      expect(await store.getJob(created.id)).toBeUndefined();
      expect(await failure(store.deleteJob(created.id))).toBe('not_found');
      await store.deleteSystem(ext.id);
      expect(await store.listSystems()).toEqual([]);
    });
  });
}
