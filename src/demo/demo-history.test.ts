import { describe, it, expect } from 'vitest';
import { ACTIONS, ENTRY_STATUSES, OBJECT_TYPES, SKIP_REASONS } from '../model/enums.ts';
import type { EntryInput } from '../model/entry.ts';
import { lookupErrorCode } from '../model/error-codes.ts';
import type { TaskInput } from '../model/task.ts';
import { validateEntry, validateTask } from '../model/validate-ingest.ts';
import {
  DEMO_HUB,
  DEMO_SYSTEMS,
  generateDemoHistory,
  type DemoBatch,
  type DemoOptions,
} from './demo-history.ts';

const NOW = Date.parse('2026-11-23T10:07:13.123Z');
const DAYS = 30;
const OPTS: DemoOptions = { now: NOW, days: DAYS, seed: 42, entries: 20_000 };

function collect(opts: DemoOptions): {
  batches: DemoBatch[];
  tasks: TaskInput[];
  entries: EntryInput[];
} {
  const batches = [...generateDemoHistory(opts)];
  return {
    batches,
    tasks: batches.flatMap((b) => b.tasks),
    entries: batches.flatMap((b) => b.entries),
  };
}

const run = collect(OPTS);
const { tasks, entries } = run;
const taskById = new Map(tasks.map((t) => [t.id, t]));
const ms = (iso: string) => Date.parse(iso);
const opOf = (e: EntryInput) => e.operationId ?? e.changeId;

/** Every entry of an operation, oldest first. */
const byOperation = new Map<string, EntryInput[]>();
for (const e of entries) {
  const list = byOperation.get(opOf(e)) ?? [];
  list.push(e);
  byOperation.set(opOf(e), list);
}

describe('generateDemoHistory', () => {
  it('yields about the number of entries asked for, in batches of at most 5,000', () => {
    expect(entries.length).toBeGreaterThan(OPTS.entries! * 0.8);
    expect(entries.length).toBeLessThan(OPTS.entries! * 1.25);
    for (const b of run.batches) expect(b.entries.length).toBeLessThanOrEqual(5000);
  });

  it('produces only tasks and entries that pass ingestion validation', () => {
    const badTasks = tasks
      .map((t) => ({ id: t.id, errors: validateTask(t, NOW) }))
      .filter((x) => x.errors.length > 0);
    expect(badTasks.slice(0, 3), `${badTasks.length} invalid tasks`).toEqual([]);
    const badEntries = entries
      .map((e) => ({ changeId: e.changeId, errors: validateEntry(e, NOW) }))
      .filter((x) => x.errors.length > 0);
    expect(badEntries.slice(0, 3), `${badEntries.length} invalid entries`).toEqual([]);
  });

  it('is deterministic for a seed and a now, and differs for another seed', () => {
    const again = collect(OPTS);
    expect(JSON.stringify(again.batches)).toBe(JSON.stringify(run.batches));
    const other = collect({ ...OPTS, seed: 43 });
    expect(other.entries.slice(0, 50).map((e) => e.changeId)).not.toEqual(
      entries.slice(0, 50).map((e) => e.changeId),
    );
    expect(JSON.stringify(other.entries.slice(0, 200))).not.toBe(
      JSON.stringify(entries.slice(0, 200)),
    );
  });

  it('uses at least 5 applications and 2 identity providers, with the hub on the other side', () => {
    const apps = new Set(
      entries.filter((e) => e.direction === 'outbound').map((e) => e.targetSystem?.name),
    );
    const idps = new Set(
      entries.filter((e) => e.direction === 'inbound').map((e) => e.sourceSystem?.name),
    );
    expect(apps.size).toBeGreaterThanOrEqual(5);
    expect(idps.size).toBeGreaterThanOrEqual(2);
    for (const e of entries) {
      expect(e.direction === 'outbound' ? e.sourceSystem : e.targetSystem).toEqual(DEMO_HUB);
    }
    expect(DEMO_SYSTEMS.filter((s) => s.kind === 'application').length).toBeGreaterThanOrEqual(5);
    expect(
      DEMO_SYSTEMS.filter((s) => s.kind === 'identity_provider').length,
    ).toBeGreaterThanOrEqual(2);
    for (const s of DEMO_SYSTEMS) expect(s.jobId).toMatch(/^[A-Za-z]+\.[0-9a-f]{32}$/);
    const jobIds = new Set(DEMO_SYSTEMS.map((s) => s.jobId));
    for (const e of entries) expect(jobIds.has(e.jobId!)).toBe(true);
  });

  it('covers every status, skip reason, action, object type and both directions', () => {
    const present = (f: (e: EntryInput) => string | undefined) => new Set(entries.map(f));
    for (const s of ENTRY_STATUSES)
      expect(
        present((e) => e.status),
        s,
      ).toContain(s);
    for (const r of SKIP_REASONS)
      expect(
        present((e) => e.skipReason),
        r,
      ).toContain(r);
    for (const a of ACTIONS)
      expect(
        present((e) => e.action),
        a,
      ).toContain(a);
    for (const t of OBJECT_TYPES)
      expect(
        present((e) => e.objectType),
        t,
      ).toContain(t);
    expect(present((e) => e.direction)).toEqual(new Set(['inbound', 'outbound']));
    const sources = present((e) => e.source);
    for (const s of [
      'scheduled_sync',
      'single_change',
      'manual_operation',
      're_trigger',
      'retry_after_modification',
      'access_request',
      'provisioning_policy',
      'permission_change',
    ]) {
      expect(sources, s).toContain(s);
    }
  });

  it('has a realistic mix: mostly successes and skips, a few percent failures', () => {
    const share = (s: string) => entries.filter((e) => e.status === s).length / entries.length;
    expect(share('failure')).toBeGreaterThan(0.02);
    expect(share('failure')).toBeLessThan(0.08);
    expect(share('success')).toBeGreaterThan(0.5);
    expect(share('skipped')).toBeGreaterThan(0.1);
  });

  it('has tasks of every kind: initial, running, failed as a whole, re-triggered, CSV and LDAP events', () => {
    const initial = tasks.filter((t) => t.status === 'initial');
    expect(initial.length).toBeGreaterThan(0);
    for (const t of initial) expect(t.reason).toBeTruthy();

    const running = tasks.filter((t) => t.status !== 'initial' && !t.endedAt);
    expect(running.length).toBeGreaterThan(0);
    expect(running.some((t) => ms(t.startedAt) > NOW - 15 * 60_000)).toBe(true);

    const csvFailed = tasks.filter((t) => t.event === 'user_csv_failed');
    expect(csvFailed.length).toBeGreaterThan(0);
    for (const t of csvFailed) {
      expect(t.errorCode).toBe('CsvUnreadable');
      expect(t.reason).toBeTruthy();
      expect(entries.some((e) => e.taskId === t.id)).toBe(false);
    }
    for (const t of tasks.filter((x) => x.errorCode))
      expect(lookupErrorCode(t.errorCode!), t.errorCode).toBeDefined();

    const retriggered = tasks.filter((t) => t.parentTaskId);
    expect(retriggered.length).toBeGreaterThan(0);
    for (const t of retriggered) {
      expect(t.source).toBe('re_trigger');
      expect(taskById.has(t.parentTaskId!), `parent of ${t.id}`).toBe(true);
      expect(ms(taskById.get(t.parentTaskId!)!.startedAt)).toBeLessThan(ms(t.startedAt));
    }
    // A re-trigger of a partly failed task repeats its failed operations.
    expect(
      retriggered.some((t) =>
        entries.some(
          (e) =>
            e.taskId === t.id &&
            byOperation
              .get(opOf(e))!
              .some((x) => x.taskId === t.parentTaskId && x.status === 'failure'),
        ),
      ),
    ).toBe(true);

    const events = new Set(tasks.map((t) => t.event));
    for (const ev of [
      'account_synchronization',
      'user_csv_processed',
      'user_csv_processed_with_errors',
      'user_csv_failed',
      'account_provisioning',
    ]) {
      expect(events, ev).toContain(ev);
    }
    expect(new Set(tasks.map((t) => t.triggerModule))).toEqual(
      new Set(['identity_provider', 'application', 'account']),
    );
    expect(tasks.some((t) => t.parameters && typeof t.parameters.fileName === 'string')).toBe(true);
    for (const t of tasks) {
      expect(t.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(t.triggerModule).toBe(
        t.direction === 'inbound'
          ? 'identity_provider'
          : t.triggerModule === 'account'
            ? 'account'
            : 'application',
      );
    }
  });

  it('keeps entries of a task inside its start and end, with the task’s trigger', () => {
    const withTask = entries.filter((e) => e.taskId);
    expect(withTask.length).toBeGreaterThan(entries.length * 0.3);
    for (const e of withTask) {
      const t = taskById.get(e.taskId!);
      expect(t, `task ${e.taskId} of ${e.changeId}`).toBeDefined();
      expect(ms(e.time)).toBeGreaterThanOrEqual(ms(t!.startedAt));
      if (t!.endedAt) expect(ms(e.time)).toBeLessThanOrEqual(ms(t!.endedAt));
      expect(e.direction).toBe(t!.direction);
      expect(e.triggerModule).toBe(t!.triggerModule);
      expect(e.triggerMethod).toBe(t!.triggerMethod);
    }
  });

  it('links retries by operationId: a transient failure, then a later attempt that succeeds', () => {
    const retried = entries.filter(
      (e) =>
        e.status === 'failure' && e.attempt === 1 && e.retryAt && e.errorCategory === 'transient',
    );
    expect(retried.length).toBeGreaterThan(0);
    const resolved = retried.filter((f) =>
      byOperation
        .get(opOf(f))!
        .some(
          (x) =>
            x.attempt === 2 &&
            x.status === 'success' &&
            x.changeId !== f.changeId &&
            ms(x.time) >= ms(f.retryAt!),
        ),
    );
    expect(resolved.length).toBeGreaterThan(0);
    // Some are still retrying: the next attempt is due after now.
    expect(entries.some((e) => e.status === 'failure' && e.retryAt && ms(e.retryAt) > NOW)).toBe(
      true,
    );
    expect(
      entries.some(
        (e) =>
          e.source === 'retry_after_modification' &&
          e.status === 'success' &&
          e.actor?.type === 'user',
      ),
    ).toBe(true);

    for (const e of entries.filter((x) => (x.attempt ?? 1) > 1 || x.action === 'confirm')) {
      // A confirmation may also follow an entry that could not be verified (no callback came).
      const earlier = byOperation
        .get(opOf(e))!
        .filter(
          (x) =>
            (x.status === 'failure' || x.status === 'not_verifiable') &&
            ms(x.time) <= ms(e.time) &&
            x.changeId !== e.changeId,
        );
      expect(earlier.length, `entry ${e.changeId} follows no failure`).toBeGreaterThan(0);
      if (e.attempt) expect(earlier.some((x) => (x.attempt ?? 1) < e.attempt!)).toBe(true);
    }
    for (const e of entries.filter((x) => x.attempt && x.maxAttempts))
      expect(e.attempt).toBeLessThanOrEqual(e.maxAttempts!);
  });

  it('confirms failed deletions by hand, as the IAM seed describes', () => {
    const confirms = entries.filter((e) => e.action === 'confirm');
    expect(confirms.length).toBeGreaterThan(0);
    for (const c of confirms) {
      expect(c.status).toBe('success');
      expect(c.actor?.type).toBe('user');
      expect(c.actor?.displayName).toBeTruthy();
      expect(c.triggerMethod).toBe('manual');
    }
    expect(
      confirms.some((c) =>
        byOperation
          .get(opOf(c))!
          .some((x) => x.action === 'delete' && x.status === 'failure' && ms(x.time) < ms(c.time)),
      ),
    ).toBe(true);
  });

  it('has single-change entries without a task', () => {
    const single = entries.filter((e) => e.taskId === null && e.source === 'single_change');
    expect(single.length).toBeGreaterThan(entries.length * 0.2);
    for (const e of single) expect(e.triggerMethod).toBe('automatic');
  });

  it('keeps every time within [now - days, now] and in order across batches', () => {
    const from = NOW - DAYS * 86_400_000;
    let prev = -Infinity;
    for (const e of entries) {
      const t = ms(e.time);
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThanOrEqual(NOW);
      expect(t, `${e.changeId} out of order`).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
    for (const t of tasks) {
      expect(ms(t.startedAt)).toBeGreaterThanOrEqual(from);
      expect(ms(t.startedAt)).toBeLessThanOrEqual(NOW);
      if (t.endedAt) expect(ms(t.endedAt)).toBeLessThanOrEqual(NOW);
    }
    // A task arrives no later than the batch of its first entry.
    const seen = new Set<string>();
    for (const b of run.batches) {
      for (const t of b.tasks) seen.add(t.id);
      for (const e of b.entries)
        if (e.taskId)
          expect(seen.has(e.taskId), `task of ${e.changeId} not yet yielded`).toBe(true);
    }
  });

  it('gives every entry a unique changeId', () => {
    expect(new Set(entries.map((e) => e.changeId)).size).toBe(entries.length);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  });

  it('uses only catalog error codes, with the catalog’s category, and real reasons', () => {
    const codes = new Set<string>();
    for (const e of entries.filter((x) => x.errorCode)) {
      const info = lookupErrorCode(e.errorCode!);
      expect(info, e.errorCode).toBeDefined();
      expect(e.errorCategory).toBe(info!.transient ? 'transient' : 'permanent');
      expect(e.reason).toBeTruthy();
      codes.add(e.errorCode!);
    }
    for (const c of [
      'EntryConflict',
      'TooManyRequests',
      'InternalServerError',
      'InvalidAnchor',
      'MandatoryFieldsMissing',
      'DuplicateTargetEntries',
      'Timeout',
    ]) {
      expect(codes, c).toContain(c);
    }
    expect(
      entries.some(
        (e) =>
          e.errorCode === 'EntryConflict' && /^userName '.+@.+' already exists in /.test(e.reason!),
      ),
    ).toBe(true);
    expect(entries.some((e) => e.reason === "Required attribute 'email' is missing")).toBe(true);
  });

  it('has people in many scripts, each with several entries', () => {
    const names = new Set(
      entries.flatMap((e) => [e.sourceIdentity?.displayName, e.targetIdentity?.displayName]),
    );
    for (const n of ['Zoë Ångström', 'Łukasz Żółć', '山田 太郎', 'Ольга Иванова', 'محمد علي'])
      expect(names, n).toContain(n);
    const scripts = [
      /\p{Script=Han}/u,
      /\p{Script=Cyrillic}/u,
      /\p{Script=Arabic}/u,
      /\p{Script=Greek}/u,
      /\p{Script=Hebrew}/u,
      /\p{Script=Hangul}/u,
    ];
    for (const s of scripts)
      expect(
        [...names].some((n) => n && s.test(n)),
        String(s),
      ).toBe(true);
    const perPerson = new Map<string, number>();
    for (const e of entries) {
      const id = e.direction === 'outbound' ? e.sourceIdentity?.id : e.targetIdentity?.id;
      if (id && e.objectType === 'user') perPerson.set(id, (perPerson.get(id) ?? 0) + 1);
    }
    expect(perPerson.size).toBeGreaterThanOrEqual(200);
    const counts = [...perPerson.values()].sort((a, b) => a - b);
    expect(counts[Math.floor(counts.length / 2)]).toBeGreaterThanOrEqual(3);
  });

  it('explains entries: steps, modified properties, payloads, permissions', () => {
    for (const e of entries) {
      expect(e.steps?.length, e.changeId).toBeGreaterThan(0);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
    const createOut = entries.find(
      (e) =>
        e.direction === 'outbound' &&
        e.action === 'create' &&
        e.objectType === 'user' &&
        e.status === 'success' &&
        e.request?.method === 'POST' &&
        e.request.url?.endsWith('/scim/v2/Users') === true,
    );
    expect(createOut).toBeDefined();
    expect(createOut!.steps!.map((s) => s.name)).toEqual([
      'import',
      'scoping',
      'matching',
      'provision',
    ]);
    expect(createOut!.modifiedProperties!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['displayName', 'mail', 'department']),
    );
    expect(createOut!.request!.headers!.Authorization).toMatch(/^Bearer /);
    expect(createOut!.response!.status).toBe(201);
    expect(
      entries.some((e) =>
        e.request?.url?.startsWith('https://contoso.service-now.com/scim/v2/Users/'),
      ),
    ).toBe(true);
    expect(
      entries.some((e) =>
        e.steps!.some(
          (s) =>
            s.details?.matchingAttribute === 'userName' &&
            String(s.details.sourceValue).includes('@'),
        ),
      ),
    ).toBe(true);
    expect(
      entries.some((e) =>
        e.modifiedProperties?.some((p) => p.name === 'manager' && p.oldValue && p.newValue),
      ),
    ).toBe(true);
    expect(
      entries.some(
        (e) =>
          e.objectType === 'account' &&
          e.permissionChanges &&
          e.permissionChanges.bound.length > 0 &&
          e.status === 'success',
      ),
    ).toBe(true);
    expect(
      entries.some(
        (e) =>
          e.skipReason === 'out_of_scope' &&
          e.steps!.some((s) => s.description === 'User is not assigned to the application'),
      ),
    ).toBe(true);
    expect(
      entries.some((e) => e.response?.status === 429 && e.response.headers?.['Retry-After']),
    ).toBe(true);
    expect(entries.some((e) => e.approver?.type === 'user')).toBe(true);
  });

  it('streams: batches stay bounded and a larger history keeps the same shape', () => {
    let n = 0;
    let max = 0;
    for (const b of generateDemoHistory({ now: NOW, entries: 60_000, seed: 7 })) {
      n += b.entries.length;
      max = Math.max(max, b.entries.length);
    }
    expect(n).toBeGreaterThan(48_000);
    expect(max).toBeLessThanOrEqual(5000);
  });
});
