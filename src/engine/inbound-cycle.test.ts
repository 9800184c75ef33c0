import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import type { Job, System } from '../model/job.ts';
import { runInboundCycle } from './inbound-cycle.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { approveStagedDeletions } from './approve-deletions.ts';
import type { InboundSource, SourceRow } from './source-row.ts';

let store: SqliteLogStore;
beforeEach(() => {
  store = new SqliteLogStore({ file: ':memory:' });
});
afterEach(async () => store.close());

const system: System = {
  id: 'sys-hr',
  name: 'HR CSV',
  type: 'csv',
  secretNames: [],
  traceLevel: 'all',
  createdAt: '',
  updatedAt: '',
};
const job = (over: Partial<Job> = {}): Job => ({
  id: 'HRCSV.0011223344556677',
  name: 'HR import',
  systemId: system.id,
  direction: 'inbound',
  objectTypes: ['user'],
  matchingAttribute: 'userName',
  mappings: [
    { target: 'userName', source: 'email', required: true },
    { target: 'displayName', expression: 'first + " " + last' },
    { target: 'department', source: 'dept' },
    { target: 'costCenter', constant: 'CC-1' },
  ],
  scoping: [{ attribute: 'status', operator: 'equals', value: 'active' }],
  deprovision: 'disable',
  state: 'active',
  createdAt: '',
  updatedAt: '',
  ...over,
});
const rec = (line: number, email: string, dept = 'Sales', status = 'active'): SourceRow => ({
  kind: 'record',
  line,
  key: email,
  values: { email, first: email.split('@')[0]!, last: 'Doe', dept, status },
});
const source = (rows: SourceRow[]): InboundSource => ({
  connector: 'csv',
  attributes: ['email', 'first', 'last', 'dept', 'status'],
  rows: (async function* () {
    yield* rows;
  })(),
  full: true,
  parameters: { file: 'users.csv' },
});
const run = (rows: SourceRow[], j = job()) =>
  runInboundCycle(
    { directory: store.directory, log: store },
    { job: j, system, source: source(rows), triggerMethod: 'manual', trigger: 'manual_operation' },
  );
const entriesOf = async (taskId: string) =>
  (await store.listEntries({ taskId: [taskId] }, { limit: 1000 })).items;

describe('inbound cycle', () => {
  it('creates hub users, explains each row in four steps and reports the task', async () => {
    const { task } = await run([
      rec(2, 'ann@x.com'),
      rec(3, 'bob@x.com', 'IT', 'inactive'),
      { kind: 'row_error', line: 4, code: 'CsvMalformedRow', reason: 'Expected 5 columns, got 3' },
    ]);
    expect(task).toMatchObject({
      status: 'partially_succeeded',
      event: 'user_csv_processed_with_errors',
      counts: { processed: 3, created: 1, skipped: 1, failed: 1 },
    });
    const entries = await entriesOf(task.id);
    const created = entries.find((e) => e.action === 'create')!;
    expect(created.steps!.map((s) => `${s.name}:${s.status}`)).toEqual([
      'import:success',
      'scoping:success',
      'matching:success',
      'provision:success',
    ]);
    expect(created.modifiedProperties).toContainEqual({
      name: 'displayName',
      oldValue: null,
      newValue: 'ann Doe',
    });
    const skipped = entries.find((e) => e.status === 'skipped')!;
    expect(skipped.skipReason).toBe('out_of_scope');
    const failed = entries.find((e) => e.status === 'failure')!;
    expect(failed).toMatchObject({
      errorCode: 'CsvMalformedRow',
      reason: 'Expected 5 columns, got 3 (line 4)',
    });
    const user = await store.directory.findUserByUserName('ann@x.com');
    expect(user).toMatchObject({
      displayName: 'ann Doe',
      department: 'Sales',
      attributes: { costCenter: 'CC-1' },
    });
  });

  it('skips unchanged objects as "no change", updates changed ones with old → new, and disables those gone', async () => {
    await run([rec(2, 'ann@x.com'), rec(3, 'cat@x.com')]);
    const { task } = await run([rec(2, 'ann@x.com'), rec(3, 'dan@x.com', 'IT')]);
    const again = await run([rec(2, 'ann@x.com', 'Legal')]);
    expect(task.counts).toMatchObject({ created: 1, skipped: 1, disabled: 1 });
    const entries = await entriesOf(again.task.id);
    expect(entries.find((e) => e.action === 'update')!.modifiedProperties).toEqual([
      { name: 'department', oldValue: 'Sales', newValue: 'Legal' },
    ]);
    expect((await store.directory.findUserByUserName('cat@x.com'))!.active).toBe(false);
    expect((await store.directory.findUserByUserName('dan@x.com'))!.active).toBe(false);
    expect(again.task.status).toBe('succeeded');
  });

  it('updates a user whose only change is an extension attribute, and skips it when equal', async () => {
    await run([rec(2, 'ann@x.com')]);
    const moved = job({
      mappings: job().mappings.map((m) =>
        m.target === 'costCenter' ? { ...m, constant: 'CC-2' } : m,
      ),
    });
    const changed = await run([rec(2, 'ann@x.com')], moved);
    expect(changed.task.counts).toMatchObject({ updated: 1, skipped: 0 });
    const [entry] = await entriesOf(changed.task.id);
    expect(entry!.modifiedProperties).toEqual([
      { name: 'attributes.costCenter', oldValue: 'CC-1', newValue: 'CC-2' },
    ]);
    const same = await run([rec(2, 'ann@x.com')], moved);
    expect(same.task.counts).toMatchObject({ updated: 0, skipped: 1 });
    const user = await store.directory.findUserByUserName('ann@x.com');
    expect(user).toMatchObject({ attributes: { costCenter: 'CC-2' }, version: 2 });
  });

  it('lets a later row of the same chunk see what an earlier row created', async () => {
    const twin = (line: number, key: string, dept: string): SourceRow => ({
      kind: 'record',
      line,
      key,
      values: { email: 'same@x.com', first: 'Sam', last: 'Doe', dept, status: 'active' },
    });
    const { task } = await run([twin(2, 'k1', 'Sales'), twin(3, 'k2', 'IT')]);
    const entries = await entriesOf(task.id);
    expect(entries.map((e) => `${e.action}:${e.status}`).sort()).toEqual([
      'create:success',
      'update:success',
    ]);
    expect((await store.directory.findUserByUserName('same@x.com'))!.department).toBe('IT');
    expect((await store.directory.listUsers({}, { limit: 10 })).items).toHaveLength(1);
  });

  // The hub's writes of a chunk go out together, at its end or on the writer thread after it;
  // make that fail once (a full disk, a writer beside this one) and the chunk is applied again,
  // row by row, exactly once — its entries logged once, those of the failed try never.
  for (const where of ['in its transaction', 'after it, elsewhere'] as const) {
    it(`runs a chunk again row by row when its writes together fail ${where}`, async () => {
      const directory = store.directory;
      const modes: string[] = [];
      class Undone extends Error {
        constructor(readonly result: unknown) {
          super('undone');
        }
      }
      const flaky = new Proxy(directory, {
        get(target, prop, receiver) {
          if (prop === 'withTransaction')
            return (fn: never) => {
              modes.push('row by row');
              return directory.withTransaction(fn);
            };
          if (prop !== 'withTransactionWrittenLater')
            return Reflect.get(target, prop, receiver) as unknown;
          return async (fn: (d: DirectoryStore) => Promise<unknown>) => {
            modes.push('together');
            if (modes.length > 1) return directory.withTransactionWrittenLater(fn);
            // The chunk's work, then undone: as if its writes had failed.
            const result = await directory
              .withTransaction(async (tx) => {
                throw new Undone(await fn(tx));
              })
              .catch((e: unknown) => {
                if (!(e instanceof Undone)) throw e;
                return e.result;
              });
            if (where === 'in its transaction') throw new Error('disk I/O error');
            return { result, written: Promise.reject(new Error('disk I/O error')) };
          };
        },
      });
      const { task } = await runInboundCycle(
        { directory: flaky, log: store },
        {
          job: job(),
          system,
          source: source([rec(2, 'ann@x.com'), rec(3, 'bob@x.com'), rec(4, 'cy@x.com', 'IT')]),
          triggerMethod: 'manual',
          trigger: 'manual_operation',
        },
      );
      expect(modes).toEqual(['together', 'row by row']);
      expect(task).toMatchObject({ status: 'succeeded', counts: { processed: 3, created: 3 } });
      const users = (await directory.listUsers({}, { limit: 10 })).items;
      expect(users.map((u) => u.userName).sort()).toEqual(['ann@x.com', 'bob@x.com', 'cy@x.com']);
      expect((await directory.changesSince(0, 100)).items).toHaveLength(3);
      expect(await directory.anchor(job().id, 'cy@x.com')).toBe(
        users.find((u) => u.userName === 'cy@x.com')!.id,
      );
      const entries = await entriesOf(task.id);
      expect(entries.map((e) => e.targetIdentity?.id).sort()).toEqual(
        users.map((u) => u.id).sort(),
      );
    });
  }

  it('holds deprovisioning above the deletion threshold as staged_delete', async () => {
    await run([rec(2, 'a@x.com'), rec(3, 'b@x.com'), rec(4, 'c@x.com')]);
    const { task } = await run([], job({ deletionThreshold: 2 }));
    const entries = await entriesOf(task.id);
    expect(entries.map((e) => `${e.action}:${e.status}`)).toEqual([
      'staged_delete:pending',
      'staged_delete:pending',
      'staged_delete:pending',
    ]);
    expect(entries[0]!.reason).toContain('threshold of 2');
    expect((await store.directory.findUserByUserName('a@x.com'))!.active).toBe(true);

    // An operator approves: each held deletion is carried out as a new attempt of its operation.
    const jobs = {
      getJob: async () => job({ deletionThreshold: 2 }),
      getSystem: async () => system,
    };
    const admin = { type: 'user' as const, id: 'u-admin', displayName: 'Ada Admin' };
    const approval = await approveStagedDeletions(
      { jobs, directory: store.directory, log: store },
      'HRCSV.0011223344556677',
      admin,
    );
    expect(approval.approved).toBe(3);
    expect(approval.task).toMatchObject({
      status: 'succeeded',
      parentTaskId: task.id,
      counts: { disabled: 3 },
    });
    expect((await store.directory.findUserByUserName('a@x.com'))!.active).toBe(false);
    const detail = (await store.getEntry(entries[0]!.changeId))!;
    expect(detail.relatedAttempts.map((r) => `${r.action}:${r.status}`)).toEqual([
      'staged_delete:pending',
      'disable:success',
    ]);
    const done = (await store.listEntries({ taskId: [approval.task!.id] }, { limit: 10 })).items;
    expect(done.every((e) => e.approver?.displayName === 'Ada Admin')).toBe(true);
    expect(
      (
        await approveStagedDeletions(
          { jobs, directory: store.directory, log: store },
          'HRCSV.0011223344556677',
          admin,
        )
      ).approved,
    ).toBe(0);
  });

  it('fails a row missing a required value and a source that cannot be read, changing nothing', async () => {
    const { task } = await run([
      {
        kind: 'record',
        line: 2,
        key: 'k',
        values: { email: '', first: 'x', last: 'y', dept: '', status: 'active' },
      },
    ]);
    const [entry] = await entriesOf(task.id);
    expect(entry).toMatchObject({
      status: 'failure',
      errorCode: 'MandatoryFieldsMissing',
      reason: "Required attribute 'userName' is missing (line 2)",
    });
    const unreadable = await runInboundCycle(
      { directory: store.directory, log: store },
      {
        job: job(),
        system,
        source: { failed: { code: 'CsvUnreadable', reason: 'users.csv does not exist' } },
        triggerMethod: 'manual',
        trigger: 'manual_operation',
      },
    );
    expect(unreadable.task).toMatchObject({
      status: 'failed',
      event: 'user_csv_failed',
      errorCode: 'CsvUnreadable',
      statusDescription: 'users.csv does not exist',
    });
  });

  it('refuses a mapping that names an attribute the source does not have, before any change', async () => {
    const bad = job({ mappings: [{ target: 'userName', source: 'mail' }] });
    const { task } = await run([rec(2, 'ann@x.com')], bad);
    expect(task).toMatchObject({ status: 'failed', errorCode: 'MappingAttributeNotFound' });
    expect(task.reason).toContain("'mail'");
    expect(await store.directory.findUserByUserName('ann@x.com')).toBeUndefined();
    expect((await store.directory.changesSince(0, 10)).items).toEqual([]);
  });
});

describe('matching on an attribute other than userName', () => {
  const byEmployeeId = job({
    matchingAttribute: 'employeeId',
    mappings: [
      { target: 'userName', source: 'email', required: true },
      { target: 'employeeId', source: 'id' },
      { target: 'displayName', expression: 'first + " " + last' },
    ],
    scoping: [],
  });
  const worker = (line: number, id: string, email: string): SourceRow => ({
    kind: 'record',
    line,
    key: `k-${line}`,
    values: { id, email, first: email.split('@')[0]!, last: 'Doe' },
  });
  const workers = (rows: SourceRow[], j = byEmployeeId) =>
    runInboundCycle(
      { directory: store.directory, log: store },
      {
        job: j,
        system,
        source: { ...source(rows), attributes: ['id', 'email', 'first', 'last'] },
        triggerMethod: 'manual',
        trigger: 'manual_operation',
      },
    );

  it('matches hub users by employeeId, case-insensitively, and their userName follows the source', async () => {
    const existing = await store.directory.createUser({
      userName: 'old@x.com',
      employeeId: 'e-100',
    });
    await store.directory.createUser({ userName: 'twin1@x.com', employeeId: 'E-200' });
    await store.directory.createUser({ userName: 'twin2@x.com', employeeId: 'e-200' });
    const { task } = await workers([
      worker(2, 'E-100', 'new@x.com'),
      worker(3, 'E-300', 'fresh@x.com'),
      worker(4, 'E-200', 'twin@x.com'),
      {
        kind: 'record',
        line: 5,
        key: 'k-5',
        values: { id: '', email: 'noid@x.com', first: 'No', last: 'Id' },
      },
    ]);
    expect(task.counts).toMatchObject({ processed: 4, updated: 1, created: 1, failed: 2 });
    const entries = await entriesOf(task.id);
    const byLine = (line: number) => entries.find((e) => e.steps?.[0]?.details?.line === line)!;
    expect(byLine(2)).toMatchObject({ action: 'update', status: 'success' });
    expect(byLine(2).steps![2]).toMatchObject({
      status: 'success',
      description: 'Matched hub user old@x.com by employeeId',
      details: { matchingAttribute: 'employeeId', sourceValue: 'E-100', hubId: existing.id },
    });
    expect((await store.directory.getUser(existing.id))!.userName).toBe('new@x.com');
    expect(byLine(3).steps![2]!.description).toBe('No hub user has employeeId E-300: will create');
    expect(byLine(4)).toMatchObject({ status: 'failure', errorCode: 'DuplicateTargetEntries' });
    expect(byLine(4).reason).toMatch(/2 hub users have employeeId E-200: twin1@x.com, twin2@x.com/);
    expect(byLine(5)).toMatchObject({ status: 'failure', errorCode: 'MandatoryFieldsMissing' });
    expect(await store.directory.findUserByUserName('twin@x.com')).toBeUndefined();

    // Again: the anchors hold, nothing changes.
    const again = await workers([
      worker(2, 'E-100', 'new@x.com'),
      worker(3, 'E-300', 'fresh@x.com'),
    ]);
    expect(again.task.counts).toMatchObject({ processed: 2, skipped: 2, failed: 0 });
  });

  it('refuses a matching attribute the hub cannot look up, changing nothing', async () => {
    const { task } = await workers(
      [worker(2, 'E-1', 'a@x.com')],
      job({ ...byEmployeeId, matchingAttribute: 'displayName' }),
    );
    expect(task).toMatchObject({ status: 'failed', errorCode: 'ConfigurationError' });
    expect(task.reason).toMatch(/userName, email, employeeId/);
    expect((await store.directory.listUsers({}, { limit: 10 })).items).toEqual([]);
  });
});

describe('an import of several chunks on a store with a log writer thread', () => {
  it("writes each chunk's new users on the writer thread and logs every entry once", async () => {
    // Chunks of 500: the hub rows of each are handed to the writer thread, the entries held
    // until they are in the hub and sent after the next chunk's rows were handed over.
    const dir = mkdtempSync(join(tmpdir(), 'provlog-cycle-'));
    const fileStore = new SqliteLogStore({ file: join(dir, 'provlog.db'), writerThread: true });
    try {
      const rows = Array.from({ length: 1_234 }, (_, i) => rec(i + 2, `u${i}@x.com`));
      const { task } = await runInboundCycle(
        { directory: fileStore.directory, log: fileStore },
        {
          job: job(),
          system,
          source: source(rows),
          triggerMethod: 'manual',
          trigger: 'manual_operation',
        },
      );
      expect(task).toMatchObject({
        status: 'succeeded',
        counts: { processed: 1_234, created: 1_234, failed: 0 },
      });
      const users = await fileStore.directory.listUsers({}, { limit: 2_000 });
      expect(users.items).toHaveLength(1_234);
      const entries = await fileStore.listEntries({ taskId: [task.id] }, { limit: 2_000 });
      expect(new Set(entries.items.map((e) => e.targetIdentity?.id))).toEqual(
        new Set(users.items.map((u) => u.id)),
      );
      expect(entries.items).toHaveLength(1_234);
      expect((await fileStore.directory.changesSince(0, 2_000)).items).toHaveLength(1_234);
      expect(await fileStore.directory.anchor(job().id, 'u1000@x.com')).toBe(
        users.items.find((u) => u.userName === 'u1000@x.com')!.id,
      );
    } finally {
      await fileStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a deprovisioning grace period', () => {
  it('disables what left the source at once and deletes it only when still gone after the grace', async () => {
    let now = Date.parse('2026-11-01T08:00:00Z');
    const day = 86_400_000;
    const graceJob = job({ deprovision: 'delete', deprovisionGraceDays: 7, deletionThreshold: 5 });
    const cycle = (rows: SourceRow[]) =>
      runInboundCycle(
        { directory: store.directory, log: store, now: () => now },
        {
          job: graceJob,
          system,
          source: source(rows),
          triggerMethod: 'automatic',
          trigger: 'scheduled_sync',
        },
      );
    const bobEntry = async (taskId: string) =>
      (await entriesOf(taskId)).find((e) => e.sourceIdentity?.id === 'bob@x.com')!;
    await cycle([rec(2, 'ann@x.com'), rec(3, 'bob@x.com')]);
    const bob = (await store.directory.findUserByUserName('bob@x.com'))!;

    // Day 0: bob is gone — disabled, with the date he will be deleted.
    let { task } = await cycle([rec(2, 'ann@x.com')]);
    expect(await bobEntry(task.id)).toMatchObject({ action: 'disable', status: 'success' });
    expect((await bobEntry(task.id)).reason).toMatch(/deleted on 2026-11-08 if it is still gone/);
    expect((await store.directory.getUser(bob.id))!.active).toBe(false);

    // Day 2: back in the source — enabled, and the grace period ends.
    now += 2 * day;
    ({ task } = await cycle([rec(2, 'ann@x.com'), rec(3, 'bob@x.com')]));
    expect(await bobEntry(task.id)).toMatchObject({ action: 'enable', status: 'success' });

    // Day 5: gone again — the grace period starts afresh.
    now += 3 * day;
    ({ task } = await cycle([rec(2, 'ann@x.com')]));
    expect((await bobEntry(task.id)).reason).toMatch(/deleted on 2026-11-13/);

    // Day 9: still within it — nothing changes, and the entry says when.
    now += 4 * day;
    ({ task } = await cycle([rec(2, 'ann@x.com')]));
    expect(await bobEntry(task.id)).toMatchObject({
      action: 'disable',
      status: 'skipped',
      skipReason: 'no_change',
    });
    expect(await store.directory.getUser(bob.id)).toBeDefined();

    // Day 13: the grace is over — deleted, and the anchor forgotten.
    now += 4 * day;
    ({ task } = await cycle([rec(2, 'ann@x.com')]));
    expect(await bobEntry(task.id)).toMatchObject({ action: 'delete', status: 'success' });
    expect(await store.directory.getUser(bob.id)).toBeUndefined();
    expect((await store.directory.anchors(graceJob.id)).map((a) => a.sourceKey)).toEqual([
      'ann@x.com',
    ]);
  });
});
