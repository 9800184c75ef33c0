import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/build-app.ts';
import { JobRunner } from '../src/engine/job-runner.ts';
import type { Entry } from '../src/model/entry.ts';
import type { Job, System } from '../src/model/job.ts';
import type { Task } from '../src/model/task.ts';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import {
  LIMITED_DN,
  LIMITED_PW,
  READER_DN,
  READER_PW,
  SUFFIX,
  slapdAvailable,
  startSlapd,
  type Slapd,
} from './helpers/slapd.ts';

const PEOPLE = `ou=people,${SUFFIX}`;
const GROUPS = `ou=groups,${SUFFIX}`;
// A tiny JPEG header: binary values reach the hub as base64, never as mangled text.
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);

const person = (
  uid: string,
  given: string,
  sn: string,
  dept: string,
  extra = '',
) => `dn: uid=${uid},${PEOPLE}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${given} ${sn}
givenName: ${given}
sn: ${sn}
mail: ${uid}@example.org
departmentNumber: ${dept}
${extra}`;

const SEED = [
  person(
    'ann',
    'Ann',
    'Lee',
    'Sales',
    `mail: ann.lee@example.org\njpegPhoto:: ${PHOTO.toString('base64')}\n`,
  ),
  person('bob', 'Bob', "O'Neil", 'IT'),
  person('cat', 'Cat', 'Ng', 'IT'),
  person('dan', 'Dan', 'Roe', 'Legal'),
  person('eve', 'Eve', 'Moss', 'Sales'),
  `dn: cn=staff,${GROUPS}
objectClass: groupOfNames
cn: staff
description: Everyone in the office
member: uid=ann,${PEOPLE}
member: UID=Bob, OU=People,${SUFFIX}
member: uid=ghost,${PEOPLE}
member: cn=admins,${GROUPS}
`,
  `dn: cn=admins,${GROUPS}
objectClass: groupOfNames
cn: admins
member: uid=cat,${PEOPLE}
`,
].join('\n');

const available = slapdAvailable();
let slapd: Slapd;
let admin: Client;
let dir: string;
let store: SqliteLogStore;
let runner: JobRunner;
let system: System;
let job: Job;

const settings = (over: Record<string, unknown> = {}) => ({
  url: slapd.url,
  bindDn: READER_DN,
  baseDn: SUFFIX,
  userBaseDn: PEOPLE,
  groupBaseDn: GROUPS,
  pageSize: 2,
  watermarkMarginSeconds: 0,
  ...over,
});

async function run(mode?: 'full' | 'incremental'): Promise<Task> {
  const { done } = await runner.start({
    jobId: job.id,
    ...(mode ? { mode } : {}),
    triggerMethod: 'manual',
    trigger: 'manual_operation',
  });
  return done;
}

async function entriesOf(task: Task): Promise<Entry[]> {
  return (await store.listEntries({ taskId: [task.id] }, { limit: 1000 })).items;
}

/** Everything the hub holds, to show a failed run changed nothing. */
async function hubState() {
  const users = (await store.directory.listUsers({}, { limit: 1000 })).items;
  const groups = (await store.directory.listGroups({}, { limit: 1000 })).items;
  const { lastSeq } = await store.directory.changesSince(0, 100_000);
  return { users, groups, lastSeq };
}

const user = (userName: string) => store.directory.findUserByUserName(userName);

/** LDAP timestamps have one-second precision: changes meant to be newer wait for the next second. */
async function nextSecond() {
  await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
}

describe.skipIf(!available)('LDAP import from a real slapd', () => {
  beforeAll(async () => {
    slapd = await startSlapd({ ldif: SEED });
    admin = await slapd.admin();
    dir = mkdtempSync(join(tmpdir(), 'provlog-ldap-'));
    store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
    runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
    system = await store.config.createSystem({
      name: 'Corp LDAP',
      type: 'ldap',
      settings: settings(),
      secrets: { bindPassword: READER_PW },
    });
    job = await store.config.createJob({
      name: 'Corp people',
      systemId: system.id,
      direction: 'inbound',
      objectTypes: ['user', 'group'],
      matchingAttribute: 'userName',
      mappings: [
        { target: 'userName', source: 'uid', required: true },
        { target: 'displayName', source: 'cn' },
        { target: 'givenName', source: 'givenName' },
        { target: 'familyName', source: 'surname' }, // an alias of sn
        { target: 'email', source: 'Mail' }, // any case
        { target: 'department', source: 'departmentNumber' },
        { target: 'photo', source: 'jpegPhoto' },
        { target: 'displayName', source: 'cn', objectType: 'group', required: true },
        { target: 'description', source: 'description', objectType: 'group' },
      ],
      deprovision: 'disable',
    });
  });
  afterAll(async () => {
    await admin?.unbind().catch(() => {});
    await store?.close();
    await slapd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports users and groups over several pages, with member DNs resolved to hub users', async () => {
    const task = await run();
    expect(task).toMatchObject({ status: 'succeeded', event: 'account_synchronization' });
    expect(task.parameters).toMatchObject({ mode: 'full', pageSize: 2, baseDn: PEOPLE });
    // 5 users need 3 pages of 2, and the bind account may get only 4 entries without paging.
    expect(task.counts).toMatchObject({ processed: 7, created: 7, failed: 0 });
    const ann = (await user('ann'))!;
    expect(ann).toMatchObject({
      displayName: 'Ann Lee',
      givenName: 'Ann',
      familyName: 'Lee',
      email: expect.stringMatching(/^ann(\.lee)?@example\.org$/), // one of two values
      department: 'Sales',
      attributes: { photo: PHOTO.toString('base64') },
    });
    const groups = (await store.directory.listGroups({}, { limit: 10 })).items;
    const staff = groups.find((g) => g.displayName === 'staff')!;
    const bob = (await user('bob'))!;
    expect(staff.description).toBe('Everyone in the office');
    expect([...staff.members].sort()).toEqual([ann.id, bob.id].sort());
    const admins = groups.find((g) => g.displayName === 'admins')!;
    expect(admins.members).toEqual([(await user('cat'))!.id]);

    const entries = await entriesOf(task);
    expect(JSON.stringify([task, entries])).not.toContain(READER_PW);
    const staffEntry = entries.find(
      (e) => e.objectType === 'group' && e.sourceIdentity?.displayName === 'staff',
    )!;
    expect(staffEntry).toMatchObject({
      action: 'create',
      status: 'success',
      targetIdentity: { type: 'Group' },
    });
    expect(staffEntry.modifiedProperties).toContainEqual({
      name: 'members (added)',
      oldValue: null,
      newValue: expect.stringMatching(/^(ann, bob|bob, ann)$/),
    });
    // The ghost user and the nested group are named, not invented.
    const provision = staffEntry.steps!.find((s) => s.name === 'provision')!;
    expect(provision.description).toMatch(/2 member\(s\) are not users this job imported/);
    expect(String(provision.details?.unresolvedExamples)).toContain('uid=ghost');
    // The anchor is the entryUUID, stable across renames.
    const annEntry = entries.find((e) => e.sourceIdentity?.displayName === 'Ann Lee')!;
    expect(annEntry.sourceIdentity?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(annEntry.steps![0]!.details).toMatchObject({ dn: `uid=ann,${PEOPLE}` });
  });

  it('a second full run changes nothing and says so for every object', async () => {
    const before = await hubState();
    const task = await run('full');
    expect(task.counts).toMatchObject({ processed: 7, skipped: 7, created: 0, updated: 0 });
    expect((await entriesOf(task)).every((e) => e.skipReason === 'no_change')).toBe(true);
    expect((await hubState()).lastSeq).toBe(before.lastSeq);
    expect(task.parameters?.watermark).toMatch(/^\d{14}Z$/);
  });

  it('an incremental run reads only what changed, keeps anchors across a rename, and deprovisions nothing', async () => {
    await nextSecond();
    const cat = (await user('cat'))!;
    await admin.modify(`uid=cat,${PEOPLE}`, [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'departmentNumber', values: ['Finance'] }),
      }),
    ]);
    // Renamed: new DN, new uid, same entryUUID.
    await admin.modifyDN(`uid=dan,${PEOPLE}`, `uid=daniel`);
    await admin.add(`uid=fay,${PEOPLE}`, {
      objectClass: 'inetOrgPerson',
      uid: 'fay',
      cn: 'Fay Wu',
      sn: 'Wu',
      mail: 'fay@example.org',
    });
    await admin.modify(`cn=staff,${GROUPS}`, [
      new Change({
        operation: 'add',
        modification: new Attribute({
          type: 'member',
          values: [`uid=fay,${PEOPLE}`, `uid=daniel,${PEOPLE}`],
        }),
      }),
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [`uid=bob,${PEOPLE}`] }),
      }),
    ]);
    await admin.del(`uid=eve,${PEOPLE}`);
    const dan = (await user('dan'))!;

    const task = await run('incremental');
    expect(task.parameters).toMatchObject({
      mode: 'incremental',
      since: expect.stringMatching(/^\d{14}Z$/),
    });
    const entries = await entriesOf(task);
    const names = entries.map((e) => e.sourceIdentity?.displayName).sort();
    expect(names).toEqual(['Cat Ng', 'Dan Roe', 'Fay Wu', 'staff']);
    expect(task.counts).toMatchObject({ processed: 4, created: 1, updated: 3, failed: 0 });
    expect((await user('cat'))!.department).toBe('Finance');
    expect((await user('cat'))!.id).toBe(cat.id);
    const daniel = (await user('daniel'))!;
    expect(daniel.id).toBe(dan.id);
    expect(await user('dan')).toBeUndefined();
    // Group members: changed users resolve from this run, unchanged ones from the directory.
    const staff = (await store.directory.findGroupByDisplayName('staff'))!;
    const fay = (await user('fay'))!;
    expect([...staff.members].sort()).toEqual([(await user('ann'))!.id, daniel.id, fay.id].sort());
    const staffEntry = entries.find((e) => e.objectType === 'group')!;
    expect(staffEntry.modifiedProperties).toEqual(
      expect.arrayContaining([
        { name: 'members (removed)', oldValue: 'bob', newValue: null },
        { name: 'members (added)', oldValue: null, newValue: expect.stringContaining('fay') },
      ]),
    );
    // eve left the directory, but an incremental source cannot tell: she stays active.
    expect((await user('eve'))!.active).toBe(true);
  });

  it('an incremental run right after finds nothing new', async () => {
    await nextSecond();
    const task = await run('incremental');
    expect(task.counts.processed).toBe(0);
    expect(task.status).toBe('succeeded');
  });

  it('a full run deprovisions the user removed from the directory', async () => {
    const task = await run('full');
    const eve = (await user('eve'))!;
    expect(eve.active).toBe(false);
    const entry = (await entriesOf(task)).find((e) => e.targetIdentity?.id === eve.id)!;
    expect(entry).toMatchObject({ action: 'disable', status: 'success' });
    expect(task.counts).toMatchObject({ disabled: 1, failed: 0 });
  });

  describe('bad configuration fails the task with a catalog code and leaves the hub as it was', () => {
    async function failsWith(code: string, patch: Parameters<typeof store.config.updateSystem>[1]) {
      const before = await hubState();
      await store.config.updateSystem(system.id, patch);
      try {
        const task = await run('full');
        expect(task).toMatchObject({ status: 'failed', event: 'sync_error', errorCode: code });
        expect(await hubState()).toEqual(before);
        return task;
      } finally {
        await store.config.updateSystem(system.id, {
          settings: settings(),
          secrets: { bindPassword: READER_PW },
        });
      }
    }

    it('a wrong bind password → LdapBindFailed, and the password is nowhere in the log', async () => {
      const task = await failsWith('LdapBindFailed', {
        secrets: { bindPassword: 'not-the-password' },
      });
      expect(task.reason).toMatch(/invalid credentials \(result code 49\)/);
      expect(task.reason).toContain(READER_DN);
      expect(JSON.stringify(task)).not.toContain('not-the-password');
      expect(JSON.stringify(await entriesOf(task))).not.toContain('not-the-password');
    });

    it('an unreachable server (closed port) → LdapUnreachable', async () => {
      const task = await failsWith('LdapUnreachable', {
        settings: settings({ url: 'ldap://127.0.0.1:1' }),
      });
      expect(task.reason).toMatch(/connection refused/);
    });

    it('a server that accepts the connection but never answers → LdapTimeout', async () => {
      const sockets: Socket[] = [];
      const silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const { port } = silent.address() as { port: number };
      try {
        const task = await failsWith('LdapTimeout', {
          settings: settings({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 300 }),
        });
        expect(task.reason).toMatch(/did not answer bind in time/);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => silent.close(r));
      }
    });

    it('a base DN that does not exist → LdapNoSuchObject', async () => {
      const task = await failsWith('LdapNoSuchObject', {
        settings: settings({ userBaseDn: `ou=nobody,${SUFFIX}` }),
      });
      expect(task.reason).toContain(`ou=nobody,${SUFFIX}`);
    });

    it('a malformed filter → LdapInvalidFilter', async () => {
      await failsWith('LdapInvalidFilter', { settings: settings({ userFilter: '(uid=*))' }) });
    });

    it('an account over its size limit mid-way → LdapSizeLimitExceeded, and nothing is deprovisioned', async () => {
      const task = await failsWith('LdapSizeLimitExceeded', {
        settings: settings({ bindDn: LIMITED_DN }),
        secrets: { bindPassword: LIMITED_PW },
      });
      expect(task.reason).toMatch(/nothing was deprovisioned/);
    });

    it('a mapping naming an attribute the directory does not have → MappingAttributeNotFound', async () => {
      const before = await hubState();
      const mappings = job.mappings;
      await store.config.updateJob(job.id, {
        mappings: [...mappings, { target: 'title', source: 'jobTitel' }],
      });
      job = (await store.config.getJob(job.id))!;
      try {
        const task = await run('full');
        expect(task).toMatchObject({
          status: 'failed',
          event: 'sync_error',
          errorCode: 'MappingAttributeNotFound',
        });
        expect(task.reason).toMatch(/'jobTitel'/);
        expect(await hubState()).toEqual(before);
      } finally {
        await store.config.updateJob(job.id, { mappings });
        job = (await store.config.getJob(job.id))!;
      }
    });

    it('a mapping reading a password attribute is refused before connecting', async () => {
      const before = await hubState();
      const mappings = job.mappings;
      await store.config.updateJob(job.id, {
        mappings: [...mappings, { target: 'secret', source: 'userPassword' }],
      });
      try {
        const task = await run('full');
        expect(task).toMatchObject({ status: 'failed', errorCode: 'ConfigurationError' });
        expect(task.reason).toMatch(/never reads password attributes/);
        expect(await hubState()).toEqual(before);
      } finally {
        await store.config.updateJob(job.id, { mappings });
      }
    });

    it('settings are validated when saved', async () => {
      await expect(
        store.config.updateSystem(system.id, { settings: { url: 'http://x', baseDn: SUFFIX } }),
      ).rejects.toMatchObject({ kind: 'invalid', errors: [{ field: '/settings/url' }] });
      await expect(
        store.config.updateSystem(system.id, {
          settings: { url: 'ldap://admin:pw@host', baseDn: SUFFIX },
        }),
      ).rejects.toMatchObject({ kind: 'invalid' });
    });
  });

  describe('through the API', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await buildApp({ store, directory: store.directory, config: store.config, runner });
    });
    afterAll(() => app?.close());

    async function finished(taskId: string) {
      for (let i = 0; i < 200; i++) {
        const t = (await app.inject({ url: `/api/v1/tasks/${taskId}` })).json();
        if (t.status !== 'running') return t;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('task did not finish');
    }

    it('POST /jobs/{id}/run answers at once; the task tells a bad password from a good run', async () => {
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/systems/${system.id}`,
        payload: { secrets: { bindPassword: 'wrong' } },
      });
      const bad = await app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${job.id}/run`,
        payload: { mode: 'full' },
      });
      expect(bad.statusCode).toBe(202);
      const failed = await finished(bad.json().taskId);
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'LdapBindFailed' });
      expect(failed.statusDescription).toMatch(/invalid credentials/);

      await app.inject({
        method: 'PATCH',
        url: `/api/v1/systems/${system.id}`,
        payload: { secrets: { bindPassword: READER_PW } },
      });
      const good = await app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${job.id}/run`,
        payload: { mode: 'full' },
      });
      expect(await finished(good.json().taskId)).toMatchObject({ status: 'succeeded' });
      const wrongMode = await app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${job.id}/run`,
        payload: { mode: 'sometimes' },
      });
      expect(wrongMode.statusCode).toBe(400);
    });
  });

  it('two source groups with one name: the second fails as DuplicateSourceEntries, the first keeps the hub group', async () => {
    await admin.add(`ou=legacy,${GROUPS}`, { objectClass: 'organizationalUnit', ou: 'legacy' });
    await admin.add(`cn=admins,ou=legacy,${GROUPS}`, {
      objectClass: 'groupOfNames',
      cn: 'admins',
      member: `uid=ann,${PEOPLE}`,
    });
    const admins = (await store.directory.findGroupByDisplayName('admins'))!;
    const task = await run('full');
    const failed = (await entriesOf(task)).filter((e) => e.status === 'failure');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ objectType: 'group', errorCode: 'DuplicateSourceEntries' });
    expect((await store.directory.findGroupByDisplayName('admins'))!.members).toEqual(
      admins.members,
    );
  });

  it('with deprovision delete, groups gone from the directory are held above the threshold and deleted on approval', async () => {
    await store.config.updateJob(job.id, { deprovision: 'delete', deletionThreshold: 0 });
    job = (await store.config.getJob(job.id))!;
    await admin.del(`cn=admins,ou=legacy,${GROUPS}`);
    await admin.del(`cn=admins,${GROUPS}`);
    const admins = (await store.directory.findGroupByDisplayName('admins'))!;
    const task = await run('full');
    const held = (await entriesOf(task)).filter((e) => e.action === 'staged_delete');
    // eve (disabled earlier) and the admins group: more than the threshold of 0, so both wait.
    expect(held.map((e) => e.objectType).sort()).toEqual(['group', 'user']);
    expect(held.every((e) => e.status === 'pending')).toBe(true);
    expect(await store.directory.getGroup(admins.id)).toBeDefined();

    const { approved, task: approval } = await runner.approveDeletions(job.id, {
      type: 'user',
      id: 'u-1',
      displayName: 'Ada Admin',
    });
    expect(approved).toBe(2);
    expect(approval!.counts).toMatchObject({ deleted: 2, failed: 0 });
    expect(await store.directory.getGroup(admins.id)).toBeUndefined();
    expect(await user('eve')).toBeUndefined();
    const again = await run('full');
    expect(again.counts).toMatchObject({ failed: 0, deleted: 0, pending: 0 });
  });
});
