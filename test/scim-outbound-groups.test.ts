import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';
import { MAPPINGS, outboundFixture } from './helpers/outbound-fixture.ts';
import type { Entry } from '../src/model/entry.ts';
import type { HubUser } from '../src/model/directory.ts';

const TOKEN = 'outbound-groups-token-123456';

type Fixture = Awaited<ReturnType<typeof outboundFixture>>;
type ScimGroup = { id: string; displayName: string; members?: Array<{ value: string }> };

async function targetGroups(server: ScimTestServer): Promise<ScimGroup[]> {
  const res = await fetch(`${server.baseUrl}/Groups?count=1000`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await res.json()) as { Resources?: ScimGroup[] }).Resources ?? [];
}

async function targetUserCount(server: ScimTestServer): Promise<number> {
  const res = await fetch(`${server.baseUrl}/Users?count=1000`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await res.json()) as { totalResults: number }).totalResults;
}

async function entriesOf(f: Fixture, query: Record<string, string[]>): Promise<Entry[]> {
  return (await f.store.listEntries(query, { limit: 1000 })).items;
}

async function runJob(f: Fixture, mode?: 'full' | 'incremental') {
  const { done } = await f.runner.start({
    jobId: f.jobId,
    triggerMethod: 'manual',
    trigger: 'manual_operation',
    ...(mode ? { mode } : {}),
  });
  return done;
}

const memberIds = (g: Record<string, unknown> | undefined) =>
  ((g?.members ?? []) as Array<{ value: string }>).map((m) => m.value).sort();

for (const patch of [true, false])
  describe(`outbound SCIM groups against a real SCIM server (${patch ? 'PATCH' : 'PUT only'})`, () => {
    let server: ScimTestServer;
    let proxy: FaultProxy;
    let f: Fixture;

    beforeAll(async () => {
      server = await startScimServer({ tokens: [TOKEN], patch });
      proxy = await startFaultProxy(server.origin);
    });
    afterAll(async () => {
      await proxy?.close();
      await server?.stop();
    });
    beforeEach(async () => {
      await server.reset();
      proxy.clear();
      f = await outboundFixture(`${proxy.origin}/scim/v2`, TOKEN, {
        objectTypes: ['user', 'group'],
        // Only engineers are in scope; groups are all in scope.
        scoping: [{ attribute: 'department', operator: 'equals', value: 'Eng' }],
        deprovision: 'delete',
        mappings: [
          ...MAPPINGS,
          { target: 'displayName', source: 'displayName', objectType: 'group' },
        ],
      });
    });
    afterEach(async () => f.close());

    const addUser = (name: string, department = 'Eng'): Promise<HubUser> =>
      f.store.directory.createUser({
        userName: `${name}@example.com`,
        displayName: name,
        department,
      });
    const anchorOf = async (hubId: string) => (await f.store.directory.anchor(f.jobId, hubId))!;

    it('full and incremental cycles create groups with members, then add, remove, rename and delete', async () => {
      const [ada, bob, cyd] = [await addUser('ada'), await addUser('bob'), await addUser('cyd')];
      const eng = await f.store.directory.createGroup({
        displayName: 'Engineering',
        members: [ada.id, bob.id],
      });
      const empty = await f.store.directory.createGroup({ displayName: 'Empty' });
      const first = await runJob(f);
      expect(first.counts).toMatchObject({ processed: 5, created: 5, failed: 0 });
      const groupEntries = await entriesOf(f, { taskId: [first.id], objectType: ['group'] });
      expect(groupEntries).toHaveLength(2);
      const created = (await f.store.getEntry(
        groupEntries.find((e) => e.sourceIdentity?.id === eng.id)!.changeId,
      ))!;
      expect(created).toMatchObject({
        action: 'create',
        status: 'success',
        objectType: 'group',
        request: { method: 'POST' },
        response: { status: 201 },
      });
      expect(created.steps?.map((s) => `${s.name}:${s.status}`)).toEqual([
        'import:success',
        'scoping:success',
        'matching:success',
        'provision:success',
      ]);
      expect(created.modifiedProperties).toContainEqual({
        name: 'members.added',
        oldValue: null,
        newValue: 'ada@example.com, bob@example.com',
      });
      const engId = await anchorOf(eng.id);
      expect(memberIds(await server.raw('Groups', engId))).toEqual(
        [await anchorOf(ada.id), await anchorOf(bob.id)].sort(),
      );
      expect(await server.raw('Groups', await anchorOf(empty.id))).toMatchObject({
        displayName: 'Empty',
      });

      // One membership change out, one in, and a rename: one update entry for the group.
      await f.store.directory.updateGroup(eng.id, {
        displayName: 'Engineering Team',
        members: [bob.id, cyd.id],
      });
      const second = await runJob(f);
      expect(second.parameters).toMatchObject({ mode: 'incremental' });
      const [update] = await entriesOf(f, { taskId: [second.id], objectType: ['group'] });
      expect(update).toMatchObject({ action: 'update', status: 'success' });
      const detail = (await f.store.getEntry(update!.changeId))!;
      expect(detail.modifiedProperties).toEqual(
        expect.arrayContaining([
          { name: 'displayName', oldValue: 'Engineering', newValue: 'Engineering Team' },
          { name: 'members.added', oldValue: null, newValue: 'cyd@example.com' },
          expect.objectContaining({ name: 'members.removed', newValue: null }),
        ]),
      );
      expect(detail.request).toMatchObject({ method: patch ? 'PATCH' : 'PUT' });
      const raw = await server.raw('Groups', engId);
      expect(raw).toMatchObject({ displayName: 'Engineering Team' });
      expect(memberIds(raw)).toEqual([await anchorOf(bob.id), await anchorOf(cyd.id)].sort());

      // A user deleted from the hub leaves its groups; the group is deleted with it.
      await f.store.directory.deleteUser(bob.id);
      await f.store.directory.deleteGroup(empty.id);
      const emptyId = await anchorOf(empty.id);
      const third = await runJob(f);
      const after = await entriesOf(f, { taskId: [third.id] });
      expect(after.find((e) => e.sourceIdentity?.id === empty.id)).toMatchObject({
        objectType: 'group',
        action: 'delete',
        status: 'success',
      });
      expect(after.find((e) => e.sourceIdentity?.id === eng.id)).toMatchObject({
        action: 'update',
        status: 'success',
      });
      expect(await server.raw('Groups', emptyId)).toBeUndefined();
      expect(memberIds(await server.raw('Groups', engId))).toEqual([await anchorOf(cyd.id)]);
      expect(await f.store.directory.anchor(f.jobId, empty.id)).toBeUndefined();

      // A repeated full cycle changes nothing and duplicates nothing.
      const full = await runJob(f, 'full');
      expect(full.counts).toMatchObject({ failed: 0, created: 0 });
      expect((await targetGroups(server)).map((g) => g.displayName)).toEqual(['Engineering Team']);
    });

    it('matches a group the target already has by displayName, and reports members out of scope', async () => {
      const ada = await addUser('ada');
      const sam = await addUser('sam', 'Sales');
      await fetch(`${server.baseUrl}/Groups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: 'Everyone',
        }),
      });
      const everyone = await f.store.directory.createGroup({
        displayName: 'Everyone',
        members: [ada.id, sam.id],
      });
      const task = await runJob(f);
      const [g] = await entriesOf(f, { taskId: [task.id], objectType: ['group'] });
      expect(g).toMatchObject({ action: 'update', status: 'success' });
      expect(g!.reason).toMatch(
        /1 member\(s\) not in Target App: sam@example\.com \(.*[Oo]ut of scope/,
      );
      const groups = await targetGroups(server);
      expect(groups).toHaveLength(1);
      expect(memberIds(await server.raw('Groups', groups[0]!.id))).toEqual([
        await anchorOf(ada.id),
      ]);
      expect(await anchorOf(everyone.id)).toBe(groups[0]!.id);
    });

    it('provision on demand of a group provisions its unlinked members first; a dry run sends nothing', async () => {
      const ada = await addUser('ada');
      const ops = await f.store.directory.createGroup({ displayName: 'Ops', members: [ada.id] });
      const dry = await f.engine.provisionOnDemand(f.jobId, 'Ops', { dryRun: true });
      expect(dry).toMatchObject({
        objectType: 'group',
        action: 'create',
        status: 'skipped',
        request: { method: 'POST' },
      });
      expect(dry.reason).toMatch(/Dry run/);
      expect(await targetUserCount(server)).toBe(0);
      expect(await targetGroups(server)).toHaveLength(0);

      const real = await f.engine.provisionOnDemand(f.jobId, ops.id, { dryRun: false });
      expect(real).toMatchObject({ objectType: 'group', action: 'create', status: 'success' });
      expect(real.steps?.map((s) => s.description).join('\n')).toMatch(
        /Provisioned 1 member\(s\) first: ada@example\.com/,
      );
      const userEntries = await entriesOf(f, { jobId: [f.jobId], objectType: ['user'] });
      expect(userEntries).toMatchObject([{ action: 'create', status: 'success', taskId: null }]);
      expect(memberIds(await server.raw('Groups', real.targetIdentity!.id!))).toEqual([
        await anchorOf(ada.id),
      ]);
    });

    it('a member that fails to provision fails the group (transient); the retry adds it without duplicates', async () => {
      const ada = await addUser('ada');
      const bob = await addUser('bob');
      await runJob(f);
      const carl = await addUser('carl');
      const team = await f.store.directory.createGroup({
        displayName: 'Team',
        members: [ada.id, bob.id, carl.id],
      });
      // carl is pushed in this run's user pass and fails; his group is pushed without him.
      proxy.inject({
        method: 'POST',
        path: '/Users',
        times: 1,
        fault: { kind: 'respond', status: 503 },
      });
      const task = await runJob(f);
      const [g] = await entriesOf(f, { taskId: [task.id], objectType: ['group'] });
      expect(g).toMatchObject({
        status: 'failure',
        errorCode: 'GroupMemberNotProvisioned',
        errorCategory: 'transient',
      });
      expect(g!.reason).toMatch(/carl@example\.com/);
      const teamId = await anchorOf(team.id);
      expect(memberIds(await server.raw('Groups', teamId))).toHaveLength(2);

      proxy.clear();
      f.advance(120_000);
      await f.engine.retryDue();
      expect(memberIds(await server.raw('Groups', teamId))).toEqual(
        [await anchorOf(ada.id), await anchorOf(bob.id), await anchorOf(carl.id)].sort(),
      );
      expect(await targetUserCount(server)).toBe(3);
      expect(await targetGroups(server)).toHaveLength(1);
      expect((await f.store.getTask(task.id))!.status).toBe('succeeded');
    });

    it('a job that pushes only groups finds members in the target and never creates users', async () => {
      await f.close();
      f = await outboundFixture(`${proxy.origin}/scim/v2`, TOKEN, { objectTypes: ['group'] });
      const ada = await addUser('ada');
      const bob = await addUser('bob');
      const made = await fetch(`${server.baseUrl}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'ada@example.com',
        }),
      });
      const adaTarget = ((await made.json()) as { id: string }).id;
      await f.store.directory.createGroup({ displayName: 'Only', members: [ada.id, bob.id] });
      const task = await runJob(f);
      expect(task.counts).toMatchObject({ processed: 1, created: 1, failed: 0 });
      const [g] = await entriesOf(f, { taskId: [task.id] });
      expect(g).toMatchObject({ objectType: 'group', action: 'create', status: 'success' });
      expect(g!.reason).toMatch(/bob@example\.com \(no user in Target App has userName/);
      expect(memberIds(await server.raw('Groups', g!.targetIdentity!.id!))).toEqual([adaTarget]);
      expect(await targetUserCount(server)).toBe(1);
    });

    it('single changes to a membership are pushed at once', async () => {
      const ada = await addUser('ada');
      const bob = await addUser('bob');
      const g = await f.store.directory.createGroup({ displayName: 'Pushed', members: [ada.id] });
      await runJob(f);
      await f.store.directory.updateGroup(g.id, { members: [ada.id, bob.id] });
      expect(await f.engine.pushChanges()).toBe(1);
      const [latest] = await entriesOf(f, { jobId: [f.jobId], objectType: ['group'] });
      expect(latest).toMatchObject({
        taskId: null,
        source: 'single_change',
        action: 'update',
        status: 'success',
        modifiedProperties: [
          { name: 'members.added', oldValue: null, newValue: 'bob@example.com' },
        ],
      });
      expect(memberIds(await server.raw('Groups', await anchorOf(g.id)))).toEqual(
        [await anchorOf(ada.id), await anchorOf(bob.id)].sort(),
      );
    });
  });
