import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogStore } from '../../src/store/log-store.ts';
import type { EntryInput } from '../../src/model/entry.ts';
import type { TaskInput } from '../../src/model/task.ts';
import { normalizeEntry } from '../../src/model/normalize.ts';
import { validateEntry, validateTask } from '../../src/model/validate-ingest.ts';
import { deriveTaskStatus } from '../../src/model/task-status.ts';
import type { EntryFilter } from '../../src/query/entry-filter.ts';
import { BASE_TIME, entry, task } from './entries.ts';
import { pagedChangeIds } from './log-stores.ts';

/** The behaviour every LogStore must have; run against each implementation on a real database. */
export function describeLogStoreContract(name: string, open: () => Promise<LogStore>): void {
  describe(`${name} log store`, () => {
    let store: LogStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    async function put(entries: EntryInput[], tasks: TaskInput[] = []) {
      for (const e of entries) expect(validateEntry(e, BASE_TIME), e.changeId).toEqual([]);
      for (const t of tasks) expect(validateTask(t, BASE_TIME), t.id).toEqual([]);
      return store.ingest({ tasks, entries: entries.map((e) => normalizeEntry(e)) });
    }

    async function ids(filter: EntryFilter, limit = 1000): Promise<string[]> {
      const page = await store.listEntries(filter, { limit });
      return page.items.map((e) => e.changeId);
    }

    it('stores entries append-only and treats a repeated changeId as a duplicate', async () => {
      const first = await put([entry('a'), entry('b')]);
      expect(first.entries).toEqual(['accepted', 'accepted']);
      const again = await put([
        entry('a', { status: 'failure', errorCode: 'Timeout' }),
        entry('c'),
      ]);
      expect(again.entries).toEqual(['duplicate', 'accepted']);
      const a = await store.getEntry('a');
      expect(a?.status).toBe('success');
      expect((await ids({})).sort()).toEqual(['a', 'b', 'c']);
    });

    it('returns an entry whole, with steps, modified properties, payloads and systems', async () => {
      await put([
        entry('full', {
          taskId: 't1',
          jobId: 'ServiceNow.abc',
          cycleId: 'cyc-1',
          status: 'failure',
          errorCode: 'conflict',
          reason: 'userName already exists',
          attempt: 1,
          maxAttempts: 3,
          steps: [
            {
              name: 'import',
              status: 'success',
              description: 'Imported',
              details: { sourceId: 'x' },
            },
            { name: 'provision', status: 'failure', description: 'Conflict' },
          ],
          modifiedProperties: [
            { name: 'mail', oldValue: null, newValue: 'a@example.com' },
            { name: 'password', newValue: 'hunter2' },
          ],
          request: {
            method: 'POST',
            url: 'https://x.example/scim/Users?access_token=abc',
            headers: { Authorization: 'Bearer s3cret' },
            body: { userName: 'a', password: 'hunter2' },
          },
          response: { status: 409, body: { detail: 'exists' } },
        }),
      ]);
      const e = await store.getEntry('full');
      expect(e).toBeDefined();
      expect(e!.errorCode).toBe('EntryConflict');
      expect(e!.errorCategory).toBe('permanent');
      expect(e!.steps?.map((s) => s.name)).toEqual(['import', 'provision']);
      expect(e!.modifiedProperties?.[0]).toEqual({
        name: 'mail',
        oldValue: null,
        newValue: 'a@example.com',
      });
      expect(e!.targetSystem).toEqual({ id: 'servicenow', name: 'ServiceNow' });
      expect(e!.jobId).toBe('ServiceNow.abc');
      expect(e!.relatedAttempts.map((r) => r.changeId)).toEqual(['full']);
      const stored = JSON.stringify(e);
      expect(stored).not.toContain('hunter2');
      expect(stored).not.toContain('s3cret');
      expect(stored).not.toContain('access_token=abc');
      expect(await store.getEntry('nope')).toBeUndefined();
    });

    it('lists newest first and pages by cursor without gaps or repeats', async () => {
      const many = Array.from({ length: 57 }, (_, i) =>
        entry(`p${String(i).padStart(2, '0')}`, { minutes: i % 7 }),
      );
      await put(many);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listEntries({}, { limit: 10, cursor });
        seen.push(...page.items.map((e) => e.changeId));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(6);
      expect(new Set(seen).size).toBe(57);
      const times = (await store.listEntries({}, { limit: 100 })).items.map((e) =>
        Date.parse(e.time),
      );
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('applies every filter of the contract', async () => {
      await put([
        entry('e1', {
          minutes: -60 * 48,
          direction: 'inbound',
          status: 'success',
          action: 'update',
          objectType: 'group',
          taskId: 'T1',
          jobId: 'J1',
          cycleId: 'C1',
          sourceSystem: { id: 'ldap', name: 'Corp LDAP' },
          targetSystem: { id: 'hub', name: 'provlog hub' },
        }),
        entry('e2', {
          minutes: -30,
          status: 'failure',
          errorCode: 'TooManyRequests',
          taskId: 'T2',
          jobId: 'J2',
          cycleId: 'C2',
          operationId: 'op-9',
          targetSystem: { id: 'slack', name: 'Slack Enterprise' },
        }),
        entry('e3', {
          minutes: -10,
          status: 'skipped',
          skipReason: 'out_of_scope',
          action: 'other',
          objectType: 'account',
          taskId: 'T2',
          source: 'single_change',
        }),
        entry('e4', {
          minutes: 0,
          action: 'delete',
          sourceIdentity: { id: 'emp-77', displayName: 'Zoë Ångström' },
          targetSystem: { id: 'gh', name: 'GitHub' },
        }),
      ]);
      const now = BASE_TIME + 60_000;
      expect(await ids({ direction: ['inbound'] })).toEqual(['e1']);
      expect(await ids({ status: ['failure', 'skipped'] })).toEqual(['e3', 'e2']);
      expect(await ids({ action: ['delete'] })).toEqual(['e4']);
      expect(await ids({ objectType: ['group', 'account'] })).toEqual(['e3', 'e1']);
      expect(await ids({ skipReason: ['out_of_scope'] })).toEqual(['e3']);
      expect(await ids({ taskId: ['T2'] })).toEqual(['e3', 'e2']);
      expect(await ids({ jobId: ['J1'] })).toEqual(['e1']);
      expect(await ids({ cycleId: ['C2'] })).toEqual(['e2']);
      expect(await ids({ changeId: ['e4', 'e1'] })).toEqual(['e4', 'e1']);
      expect(await ids({ operationId: ['op-9'] })).toEqual(['e2']);
      expect(await ids({ errorCode: ['TooManyRequests'] })).toEqual(['e2']);
      expect(await ids({ source: ['single_change'] })).toEqual(['e3']);
      expect(await ids({ from: now - 24 * 3600_000 })).toEqual(['e4', 'e3', 'e2']);
      expect(await ids({ from: BASE_TIME - 20 * 60_000, to: BASE_TIME - 5 * 60_000 })).toEqual([
        'e3',
      ]);
      // systems by id or by name, case-insensitive; application by part of a name
      expect(await ids({ sourceSystem: ['ldap'] })).toEqual(['e1']);
      expect(await ids({ sourceSystem: ['corp ldap'] })).toEqual(['e1']);
      expect(await ids({ targetSystem: ['Slack Enterprise', 'gh'] })).toEqual(['e4', 'e2']);
      expect(await ids({ application: 'slack' })).toEqual(['e2']);
      expect(await ids({ application: 'LDAP' })).toEqual(['e1']);
      expect(await ids({ application: 'no such app' })).toEqual([]);
      // The application is the target of outbound work and the source of inbound work, never the hub.
      expect(await ids({ application: 'provlog' })).toEqual([]);
      expect((await store.facets({ application: 'provlog' })).status).toEqual({});
      expect((await store.facets({ application: 'ldap' })).status).toEqual({ success: 1 });
      // identity: display name or id, source or target, partial, any case and script
      expect(await ids({ identity: 'zoë å' })).toEqual(['e4']);
      expect(await ids({ identity: 'ZOË' })).toEqual(['e4']);
      expect(await ids({ identity: 'emp-77' })).toEqual(['e4']);
      expect(await ids({ identity: 'tgt-e2' })).toEqual(['e2']);
      expect(await ids({ identity: 'zz' })).toEqual([]);
      // combined filters are AND
      expect(await ids({ taskId: ['T2'], status: ['failure'] })).toEqual(['e2']);
      expect(await ids({ q: 'toomanyrequests' })).toEqual(['e2']);
    });

    it('finds identities in any script, partially', async () => {
      const names = ['山田 太郎', 'Ольга Иванова', 'محمد علي', 'Łukasz Żółć', 'ÅSA ÖBERG'];
      await put(
        names.map((n, i) =>
          entry(`n${i}`, { minutes: i, targetIdentity: { id: `t${i}`, displayName: n } }),
        ),
      );
      expect(await ids({ identity: '太郎' })).toEqual(['n0']);
      expect(await ids({ identity: 'ОЛЬГА' })).toEqual(['n1']);
      expect(await ids({ identity: 'علي' })).toEqual(['n2']);
      expect(await ids({ identity: 'łukasz żÓŁ' })).toEqual(['n3']);
      expect(await ids({ identity: 'åsa öb' })).toEqual(['n4']);
    });

    it('finds free text (q) in any script and case, in what an entry says', async () => {
      await put([
        entry('r1', { reason: 'Конфликт: пользователь ОЛЬГА уже существует' }),
        entry('r2', { minutes: 1, reason: 'Zugriff für MÜLLER verweigert' }),
        entry('r3', { minutes: 2, reason: 'Access DENIED for mueller' }),
      ]);
      expect(await ids({ q: 'ольга уже' })).toEqual(['r1']);
      expect(await ids({ q: 'MÜLLER' })).toEqual(['r2']);
      expect(await ids({ q: 'für müller' })).toEqual(['r2']);
      expect(await ids({ q: 'access denied' })).toEqual(['r3']);
      expect(await ids({ q: 'ölga' })).toEqual([]);
    });

    it('finds free text (q) by the words an entry says, each word beginning one', async () => {
      await put([
        entry('w1', {
          status: 'failure',
          errorCode: 'TooManyRequests',
          reason: 'Request throttled: retry after 30 seconds',
          targetIdentity: { id: 'zhou.fang@contoso.com', displayName: 'Fang Zhou' },
        }),
        entry('w2', {
          minutes: 1,
          steps: [{ name: 'provision', status: 'success', description: 'Timeout avoided' }],
          modifiedProperties: [{ name: 'jobTitle', oldValue: 'Analyst', newValue: 'Manager' }],
        }),
        entry('w3', { minutes: 2, reason: 'Déjà vu for Straße İstanbul' }),
      ]);
      // The start of a word, in any case; not the middle of one.
      expect(await ids({ q: 'THROTT' })).toEqual(['w1']);
      expect(await ids({ q: 'hrottled' })).toEqual([]);
      expect(await ids({ q: 'time' })).toEqual(['w2']);
      // Each word must begin a word: all of them, anywhere in the entry.
      expect(await ids({ q: 'fang retry' })).toEqual(['w1']);
      expect(await ids({ q: 'fang timeout' })).toEqual([]);
      // Identities split at their punctuation; the error code is a word; values of properties too.
      expect(await ids({ q: 'contoso' })).toEqual(['w1']);
      expect(await ids({ q: 'toomany' })).toEqual(['w1']);
      expect(await ids({ q: 'analyst' })).toEqual(['w2']);
      expect(await ids({ q: 'jobtitle' })).toEqual(['w2']);
      // A JSON key is not something the entry says.
      expect(await ids({ q: 'oldvalue' })).toEqual([]);
      expect(await ids({ q: 'displayname' })).toEqual([]);
      // Accents count; a sharp s is "ss" and a dotted capital I an "i", as in the identity filter.
      expect(await ids({ q: 'déjà' })).toEqual(['w3']);
      expect(await ids({ q: 'deja' })).toEqual([]);
      expect(await ids({ q: 'strasse istanbul' })).toEqual(['w3']);
      expect(await ids({ q: 'STRAẞE' })).toEqual(['w3']);
      // A change id, whole; text without a letter or digit finds nothing else.
      expect(await ids({ q: 'w2' })).toEqual(['w2']);
      expect(await ids({ q: '—!' })).toEqual([]);
      expect((await store.facets({ q: 'fang' })).status).toEqual({ failure: 1 });
    });

    it('finds a sharp s spelled "ss" and a dotted capital I spelled "i", both ways', async () => {
      await put([
        entry('s1', { targetIdentity: { id: 't-s1', displayName: 'Johann Strauß' } }),
        entry('s2', { minutes: 1, targetIdentity: { id: 't-s2', displayName: 'ANNA GROSS' } }),
        entry('s3', { minutes: 2, targetIdentity: { id: 't-s3', displayName: 'İbrahim Yılmaz' } }),
        entry('s4', {
          minutes: 3,
          targetSystem: { id: 'weiss-hr', name: 'Weiß HR' },
          targetIdentity: { id: 't-s4', displayName: 'Zeynep Kaya' },
        }),
      ]);
      expect(await ids({ identity: 'STRAUSS' })).toEqual(['s1']);
      expect(await ids({ identity: 'johann strauß' })).toEqual(['s1']);
      expect(await ids({ identity: 'groß' })).toEqual(['s2']);
      expect(await ids({ identity: 'ibrahim' })).toEqual(['s3']);
      expect(await ids({ identity: 'İBRAHİM Y' })).toEqual(['s3']);
      expect(await ids({ application: 'WEISS' })).toEqual(['s4']);
      expect(await ids({ targetSystem: ['weiss hr'] })).toEqual(['s4']);
    });

    it('pages through the entries of several identities, newest first, with other filters', async () => {
      // Three people named alike, their entries interleaved in time, plus one of another name.
      const list = Array.from({ length: 90 }, (_, i) =>
        entry(`p${i}`, {
          minutes: i * 7 - (i % 3) * 5,
          ...(i % 4 === 0 ? { status: 'failure', errorCode: 'Timeout' } : { status: 'success' }),
          targetIdentity: { id: `pat-${i % 3}`, displayName: `Pat Lee ${'ABC'[i % 3]}` },
        }),
      );
      await put([
        ...list,
        entry('other', { minutes: 50, status: 'failure', errorCode: 'Timeout' }),
      ]);
      const newest = (l: EntryInput[]) =>
        [...l].sort((a, b) => b.time.localeCompare(a.time)).map((e) => e.changeId);
      const pages = (filter: EntryFilter, limit: number) => pagedChangeIds(store, filter, limit);
      expect(await pages({ identity: 'pat lee' }, 7)).toEqual(newest(list));
      expect(await pages({ identity: 'PAT', status: ['failure'] }, 4)).toEqual(
        newest(list.filter((e) => e.status === 'failure')),
      );
      expect(await pages({ identity: 'lee b', status: ['success'] }, 5)).toEqual(
        newest(list.filter((e) => e.status === 'success' && e.targetIdentity?.id === 'pat-1')),
      );
    });

    it('finds a common name shared by more identities than the index path takes', async () => {
      // 620 distinct people share "Common": the search walks entries in time order instead.
      const many = Array.from({ length: 620 }, (_, i) =>
        entry(`m${i}`, {
          minutes: i,
          targetIdentity: { id: `t-${i}`, displayName: `Common Person ${i}` },
        }),
      );
      await put([...many, entry('other', { minutes: 700 })]);
      const page = await store.listEntries({ identity: 'common' }, { limit: 3 });
      expect(page.items.map((e) => e.changeId)).toEqual(['m619', 'm618', 'm617']);
      expect((await store.facets({ identity: 'COMMON' })).status).toEqual({ success: 620 });
      expect((await store.facets({ identity: 'co' })).status).toEqual({ success: 620 });
      expect(await ids({ identity: 'person 61' }, 100)).toHaveLength(11);
    });

    it('pages through a name thousands of identities hold, newest first', async () => {
      // More people than a page reads identity by identity: the entries are walked in order.
      const crowd = Array.from({ length: 1_600 }, (_, i) =>
        entry(`c${i}`, {
          minutes: -i,
          ...(i % 3 === 0 ? { status: 'failure', errorCode: 'Timeout' } : {}),
          targetIdentity: { id: `crowd-${i}`, displayName: `Crowd Person ${i}` },
        }),
      );
      await put([...crowd, entry('alone', { minutes: -5_000 })]);
      // c0 is the newest.
      const newest = (l: EntryInput[]) => l.map((e) => e.changeId);
      const first = await store.listEntries({ identity: 'crowd' }, { limit: 50 });
      expect(first.items.map((e) => e.changeId)).toEqual(newest(crowd).slice(0, 50));
      const next = await store.listEntries(
        { identity: 'crowd' },
        { limit: 50, cursor: first.nextCursor! },
      );
      expect(next.items.map((e) => e.changeId)).toEqual(newest(crowd).slice(50, 100));
      const failed = await store.listEntries(
        { identity: 'CROWD PERSON', status: ['failure'] },
        { limit: 40 },
      );
      expect(failed.items.map((e) => e.changeId)).toEqual(
        newest(crowd.filter((e) => e.status === 'failure')).slice(0, 40),
      );
    });

    it('counts facets for the same filters, rollups agreeing with the entries themselves', async () => {
      const list: EntryInput[] = [];
      const statuses = ['success', 'failure', 'skipped', 'pending'] as const;
      for (let i = 0; i < 400; i++) {
        const status = statuses[i % 4]!;
        list.push(
          entry(`f${i}`, {
            minutes: -i * 37,
            status,
            ...(status === 'failure'
              ? { errorCode: i % 8 === 1 ? 'Timeout' : 'EntryConflict' }
              : {}),
            ...(status === 'skipped' ? { skipReason: 'no_change' } : {}),
            action: i % 3 === 0 ? 'update' : 'create',
            jobId: `job-${i % 5}`,
            targetSystem:
              i % 2 ? { id: 'slack', name: 'Slack' } : { id: 'servicenow', name: 'ServiceNow' },
          }),
        );
      }
      await put(list);
      const ranges: Array<[number | undefined, number | undefined]> = [
        [undefined, undefined],
        [BASE_TIME - 3 * 86_400_000 + 1234, undefined],
        [BASE_TIME - 7 * 86_400_000 - 17 * 60_000, BASE_TIME - 86_400_000 + 5 * 60_000],
        [BASE_TIME - 3600_000 * 5 - 1, BASE_TIME - 3600_000 * 2 + 1],
        [BASE_TIME - 10 * 60_000, BASE_TIME - 9 * 60_000],
      ];
      for (const [from, to] of ranges) {
        for (const extra of [
          {},
          { status: ['failure' as const] },
          { application: 'slack' },
          { taskId: ['none'] },
        ]) {
          const filter: EntryFilter = {
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
            ...extra,
          };
          const facets = await store.facets(filter);
          const inRange = list.filter((e) => {
            const t = Date.parse(e.time);
            if ('taskId' in extra) return false;
            if ('status' in extra && e.status !== 'failure') return false;
            if ('application' in extra && e.targetSystem?.id !== 'slack') return false;
            return (from === undefined || t >= from) && (to === undefined || t <= to);
          });
          const expected: Record<string, number> = {};
          for (const e of inRange) expected[e.status] = (expected[e.status] ?? 0) + 1;
          expect(facets.status, JSON.stringify(filter)).toEqual(expected);
          const jobs: Record<string, number> = {};
          for (const e of inRange) jobs[e.jobId!] = (jobs[e.jobId!] ?? 0) + 1;
          expect(facets.jobId).toEqual(jobs);
          const targets: Record<string, number> = {};
          for (const e of inRange)
            targets[e.targetSystem!.name] = (targets[e.targetSystem!.name] ?? 0) + 1;
          expect(facets.targetSystem).toEqual(targets);
        }
      }
    });

    it('counts facets of free text as the entries it finds, in any range and with any filter', async () => {
      const list: EntryInput[] = [];
      const statuses = ['success', 'failure', 'skipped'] as const;
      for (let i = 0; i < 240; i++) {
        const status = statuses[i % 3]!;
        const said = [i % 2 ? 'Alpha' : 'Omega', i % 5 === 0 ? 'beta-test' : 'gamma', `n${i}`];
        list.push(
          entry(`ft${i}`, {
            minutes: -i * 53,
            status,
            ...(status === 'failure' ? { errorCode: i % 4 ? 'Timeout' : 'EntryConflict' } : {}),
            ...(status === 'skipped' ? { skipReason: 'no_change' } : {}),
            reason: said.join(' '),
            jobId: `job-${i % 4}`,
            targetSystem: i % 7 ? { id: 'slack', name: 'Slack' } : { id: 'zoom', name: 'Zoom' },
            targetIdentity: { id: `p${i % 6}`, displayName: `Person ${i % 6}` },
          }),
        );
      }
      // An entry of more words than an index keeps for one: read itself wherever it is counted.
      const members = Array.from({ length: 10_000 }, (_, i) => `cn=alpha${i},ou=people`);
      list.push(
        entry('ft-many', {
          minutes: -5,
          status: 'failure',
          errorCode: 'Timeout',
          reason: 'Alpha gamma',
          permissionChanges: { bound: members, unbound: [] },
          targetSystem: { id: 'slack', name: 'Slack' },
          targetIdentity: { id: 'p1', displayName: 'Person 1' },
        }),
      );
      await put(list);
      // Each word of q begins a word of the change id, the reason or the error code ("beta-te"
      // one of "beta-test"; "ft7" the change ids ft7, ft70 to ft79).
      const says = (e: EntryInput, q: string) =>
        q
          .split(' ')
          .every((w) =>
            new RegExp(`(^|[^a-z0-9])${w.replace('-', '\\-')}`).test(
              `${e.changeId} ${e.reason} ${e.errorCode ?? ''}`.toLowerCase(),
            ),
          );
      for (const q of ['alpha', 'alpha gamma', 'beta-te', 'ft7', 'n1', 'timeou alpha', 'zq']) {
        for (const [from, to] of [
          [undefined, undefined],
          [BASE_TIME - 3 * 86_400_000 + 1234, undefined],
          [BASE_TIME - 7 * 86_400_000, BASE_TIME - 86_400_000],
        ] as Array<[number | undefined, number | undefined]>) {
          for (const extra of [
            {},
            { status: ['failure' as const] },
            { application: 'zoom' },
            { jobId: ['job-1', 'job-2'] },
            { identity: 'person 1' },
          ]) {
            const filter: EntryFilter = {
              q,
              ...(from !== undefined ? { from } : {}),
              ...(to !== undefined ? { to } : {}),
              ...extra,
            };
            const found = list.filter((e) => {
              const t = Date.parse(e.time);
              if ('status' in extra && e.status !== 'failure') return false;
              if ('application' in extra && e.targetSystem?.id !== 'zoom') return false;
              if ('jobId' in extra && !['job-1', 'job-2'].includes(e.jobId!)) return false;
              if ('identity' in extra && e.targetIdentity?.id !== 'p1') return false;
              return (
                says(e, q) && (from === undefined || t >= from) && (to === undefined || t <= to)
              );
            });
            const facets = await store.facets(filter);
            const by = (key: (e: EntryInput) => string | undefined) => {
              const counts: Record<string, number> = {};
              for (const e of found) {
                const k = key(e);
                if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
              }
              return counts;
            };
            const what = JSON.stringify(filter);
            expect(facets.status, what).toEqual(by((e) => e.status));
            expect(facets.errorCode, what).toEqual(by((e) => e.errorCode));
            expect(facets.jobId, what).toEqual(by((e) => e.jobId));
            expect(facets.targetSystem, what).toEqual(by((e) => e.targetSystem?.name));
            expect((await ids(filter)).sort(), what).toEqual(found.map((e) => e.changeId).sort());
          }
        }
      }
    });

    it('derives task status, counts and description from the entries', async () => {
      await put(
        [
          entry('s1', { taskId: 'ok', action: 'create' }),
          entry('s2', { taskId: 'ok', action: 'update' }),
          entry('s3', {
            taskId: 'ok',
            status: 'skipped',
            skipReason: 'no_change',
            action: 'other',
          }),
          entry('p1', { taskId: 'partial', objectType: 'account' }),
          entry('p2', {
            taskId: 'partial',
            objectType: 'account',
            status: 'failure',
            errorCode: 'Timeout',
          }),
          entry('p3', {
            taskId: 'partial',
            objectType: 'account',
            status: 'failure',
            errorCode: 'Timeout',
          }),
          entry('p4', {
            taskId: 'partial',
            objectType: 'account',
            status: 'failure',
            errorCode: 'InvalidDomain',
          }),
          entry('p5', {
            taskId: 'partial',
            objectType: 'organization',
            status: 'failure',
            errorCode: 'InternalError',
          }),
          entry('f1', { taskId: 'bad', status: 'failure', errorCode: 'Unauthorized' }),
          entry('r1', { taskId: 'run' }),
        ],
        [
          task('ok'),
          task('partial'),
          task('bad'),
          task('run', { endedAt: null }),
          task('init', {
            status: 'initial',
            reason: 'The LDAP server refused the bind',
            endedAt: null,
          }),
          task('csv', { errorCode: 'CsvUnreadable', reason: 'users.csv is not UTF-8' }),
        ],
      );
      const get = async (id: string) => (await store.getTask(id))!;
      expect((await get('ok')).status).toBe('succeeded');
      expect((await get('ok')).counts).toMatchObject({
        processed: 3,
        created: 1,
        updated: 1,
        skipped: 1,
        failed: 0,
      });
      const partial = await get('partial');
      expect(partial.status).toBe('partially_succeeded');
      expect(partial.statusDescription).toBe('3 accounts and 1 organization failed');
      expect(partial.counts.failedByType).toEqual({ account: 3, organization: 1 });
      expect((await get('bad')).status).toBe('failed');
      expect((await get('run')).status).toBe('running');
      expect((await get('init')).status).toBe('initial');
      expect((await get('init')).statusDescription).toContain('refused the bind');
      expect((await get('csv')).status).toBe('failed');
      expect(await store.getTask('missing')).toBeUndefined();
      // The status filter in SQL agrees with the pure derivation for every task.
      const all = (await store.listTasks({}, { limit: 100 })).items;
      expect(all).toHaveLength(6);
      for (const t of all) {
        const derived = deriveTaskStatus({
          initial: t.status === 'initial',
          endedAt: t.endedAt,
          errorCode: t.errorCode,
          counts: t.counts,
        });
        expect(t.status).toBe(derived);
        const filtered = (await store.listTasks({ status: [t.status] }, { limit: 100 })).items.map(
          (x) => x.id,
        );
        expect(filtered).toContain(t.id);
      }
      expect(
        (await store.listTasks({ status: ['partially_succeeded'] }, { limit: 100 })).items.map(
          (t) => t.id,
        ),
      ).toEqual(['partial']);
    });

    it('resolves a failure by a later successful retry or a confirmation', async () => {
      await put(
        [
          entry('try1', {
            taskId: 'T',
            operationId: 'op-a',
            status: 'failure',
            errorCode: 'TooManyRequests',
            attempt: 1,
            maxAttempts: 3,
            retryAt: new Date(Date.now() + 3600_000).toISOString(),
            minutes: 0,
          }),
          entry('del1', {
            taskId: 'T',
            operationId: 'op-b',
            action: 'delete',
            status: 'failure',
            errorCode: 'InsufficientRights',
            minutes: 1,
          }),
        ],
        [task('T')],
      );
      expect((await store.getTask('T'))!.status).toBe('failed');
      expect((await store.getEntry('try1'))!.state).toBe('retrying');
      await put([
        entry('try2', { taskId: 'T', operationId: 'op-a', attempt: 2, maxAttempts: 3, minutes: 5 }),
      ]);
      const partly = (await store.getTask('T'))!;
      expect(partly.status).toBe('partially_succeeded');
      expect(partly.counts).toMatchObject({ failed: 1, resolved: 1, processed: 2 });
      const try1 = (await store.getEntry('try1'))!;
      expect(try1.resolvedBy).toBe('try2');
      expect(try1.state).toBe('resolved');
      expect(try1.status).toBe('failure'); // history is not rewritten
      expect(try1.relatedAttempts.map((r) => r.changeId)).toEqual(['try1', 'try2']);
      await put([
        entry('conf', {
          taskId: null,
          operationId: 'op-b',
          action: 'confirm',
          minutes: 9,
          actor: { type: 'user', id: 'u1', displayName: 'Ada Admin' },
        }),
      ]);
      const done = (await store.getTask('T'))!;
      expect(done.status).toBe('succeeded');
      expect(done.counts).toMatchObject({ failed: 0, resolved: 2 });
      expect((await store.getEntry('del1'))!.resolvedBy).toBe('conf');
    });

    it('resolves a failure that arrives after the retry or confirmation that made it good', async () => {
      const fail = (id: string, op: string, minutes: number) =>
        entry(id, {
          taskId: 'O',
          operationId: op,
          status: 'failure',
          errorCode: 'Timeout',
          minutes,
        });
      // Separate batches, the retry first.
      await put([entry('r2', { taskId: 'O', operationId: 'op-x', minutes: 5 })], [task('O')]);
      await put([fail('r1', 'op-x', 0)]);
      // One batch, the confirmation first; and one batch in order, for comparison.
      await put([
        entry('c2', { taskId: null, operationId: 'op-y', action: 'confirm', minutes: 7 }),
        fail('c1', 'op-y', 1),
      ]);
      await put([
        fail('s1', 'op-z', 2),
        entry('s2', { taskId: 'O', operationId: 'op-z', minutes: 3 }),
      ]);
      // A failure after an earlier success of its operation stays open.
      await put([fail('late', 'op-x', 9)]);
      expect((await store.getEntry('r1'))!.resolvedBy).toBe('r2');
      expect((await store.getEntry('c1'))!.resolvedBy).toBe('c2');
      expect((await store.getEntry('s1'))!.resolvedBy).toBe('s2');
      expect((await store.getEntry('late'))!.resolvedBy).toBeNull();
      const t = (await store.getTask('O'))!;
      // As if they had come in order: op-x twice (a failure, made good; a new one, open), op-y
      // and op-z once each.
      expect(t.counts).toMatchObject({ processed: 4, failed: 1, resolved: 3, created: 2 });
      expect(t.status).toBe('partially_succeeded');
    });

    it('lists tasks newest first with filters and cursor paging', async () => {
      await put(
        [],
        [
          task('a', {
            minutes: -300,
            direction: 'inbound',
            triggerModule: 'identity_provider',
            jobId: 'J1',
          }),
          task('b', { minutes: -200 }),
          task('c', { minutes: -100, jobId: 'J1' }),
        ],
      );
      const first = await store.listTasks({}, { limit: 2 });
      expect(first.items.map((t) => t.id)).toEqual(['c', 'b']);
      const second = await store.listTasks({}, { limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((t) => t.id)).toEqual(['a']);
      expect(second.nextCursor).toBeNull();
      expect(
        (await store.listTasks({ direction: ['inbound'] }, { limit: 10 })).items.map((t) => t.id),
      ).toEqual(['a']);
      expect(
        (await store.listTasks({ jobId: ['J1'] }, { limit: 10 })).items.map((t) => t.id),
      ).toEqual(['c', 'a']);
      expect(
        (await store.listTasks({ from: BASE_TIME - 250 * 60_000 }, { limit: 10 })).items.map(
          (t) => t.id,
        ),
      ).toEqual(['c', 'b']);
    });

    it('updates a task reported again and counts an identical report as a duplicate', async () => {
      const running = task('u', { endedAt: null });
      expect((await put([], [running])).tasks).toEqual(['accepted']);
      expect((await put([], [running])).tasks).toEqual(['duplicate']);
      expect((await store.getTask('u'))!.status).toBe('running');
      expect((await put([], [task('u', { event: 'account_synchronization' })])).tasks).toEqual([
        'accepted',
      ]);
      const ended = (await store.getTask('u'))!;
      expect(ended.status).toBe('succeeded');
      expect(ended.event).toBe('account_synchronization');
    });

    it('counts the objects a task reports as untraced once, however often it is sent', async () => {
      const running = task('q', { endedAt: null, untraced: { skipped: 5 } });
      await put([entry('q1', { taskId: 'q', action: 'update' })], [running]);
      expect((await store.getTask('q'))!.counts).toMatchObject({
        processed: 6,
        skipped: 5,
        updated: 1,
      });
      // The finished task carries the final figures: they replace the earlier ones.
      const ended = task('q', { untraced: { skipped: 40, updated: 2, other: 1 } });
      await put([], [ended]);
      await put([], [ended]);
      const t = (await store.getTask('q'))!;
      expect(t.counts).toMatchObject({ processed: 44, skipped: 40, updated: 3, failed: 0 });
      expect(t.status).toBe('succeeded');
      expect((await store.listTasks({ status: ['succeeded'] }, { limit: 10 })).items).toHaveLength(
        1,
      );
      // Invalid figures are refused before anything is stored.
      const bad = { ...task('q'), untraced: { skipped: -1 } } as TaskInput;
      expect(validateTask(bad, BASE_TIME).map((e) => e.field)).toEqual(['/untraced/skipped']);
    });

    it('refuses a cursor that was altered or comes from another list', async () => {
      await put(
        Array.from({ length: 5 }, (_, i) => entry(`c${i}`, { minutes: i })),
        [task('t1'), task('t2', { minutes: 1 })],
      );
      const page = await store.listEntries({}, { limit: 2 });
      const cursor = page.nextCursor!;
      const flipped = cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA');
      await expect(store.listEntries({}, { limit: 2, cursor: flipped })).rejects.toThrow(/cursor/);
      const taskCursor = (await store.listTasks({}, { limit: 1 })).nextCursor!;
      await expect(store.listEntries({}, { limit: 2, cursor: taskCursor })).rejects.toThrow(
        /another list/,
      );
    });
  });
}
