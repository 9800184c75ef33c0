import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '../../src/store/directory/directory-store.ts';
import { DirectoryError } from '../../src/store/directory/directory-errors.ts';

/** The hub directory's behaviour, run against each store on a real database. */
export function describeDirectoryContract(
  name: string,
  open: () => Promise<{ directory: DirectoryStore; close(): Promise<void> }>,
): void {
  describe(`${name} hub directory`, () => {
    let dir: DirectoryStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      const opened = await open();
      dir = opened.directory;
      close = () => opened.close();
    });
    afterEach(async () => close());

    const kindOf = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof DirectoryError ? e.kind : String(e)),
      );

    it('creates, reads, updates, disables and deletes users, recording each change old → new', async () => {
      const org = await dir.createOrganization({ name: 'Sales' });
      const ada = await dir.createUser({
        userName: 'ada@example.com',
        displayName: 'Ada Lovelace',
        department: 'R&D',
        organizationId: org.id,
      });
      expect(ada).toMatchObject({ userName: 'ada@example.com', active: true, version: 1 });
      expect(await dir.getUser(ada.id)).toEqual(ada);
      const { user, changes } = await dir.updateUser(ada.id, {
        department: 'Sales',
        title: 'Lead',
        attributes: { costCenter: 'CC-7' },
      });
      expect(user.version).toBe(2);
      expect(changes).toEqual([
        { name: 'attributes.costCenter', oldValue: null, newValue: 'CC-7' },
        { name: 'department', oldValue: 'R&D', newValue: 'Sales' },
        { name: 'title', oldValue: null, newValue: 'Lead' },
      ]);
      const same = await dir.updateUser(ada.id, { department: 'Sales' });
      expect(same.changes).toEqual([]);
      expect(same.user.version).toBe(2);
      expect((await dir.setUserActive(ada.id, false, { type: 'token', id: 'admin' })).active).toBe(
        false,
      );
      await dir.deleteUser(ada.id);
      expect(await dir.getUser(ada.id)).toBeUndefined();
      const feed = await dir.changesSince(0, 100);
      expect(feed.items.map((c) => `${c.objectType}:${c.operation}`)).toEqual([
        'organization:create',
        'user:create',
        'user:update',
        'user:disable',
        'user:delete',
      ]);
      expect(feed.items[3]!.actor).toEqual({ type: 'token', id: 'admin' });
      // A creation lists every attribute the user was created with, by name, from nothing.
      expect(feed.items[1]!.changes).toEqual([
        { name: 'active', oldValue: null, newValue: true },
        { name: 'department', oldValue: null, newValue: 'R&D' },
        { name: 'displayName', oldValue: null, newValue: 'Ada Lovelace' },
        { name: 'organizationId', oldValue: null, newValue: org.id },
        { name: 'userName', oldValue: null, newValue: 'ada@example.com' },
      ]);
      expect(
        (await dir.changesSince(feed.items[2]!.seq, 100)).items.map((c) => c.operation),
      ).toEqual(['disable', 'delete']);
      const withAttributes = await dir.createUser({
        userName: 'grace@example.com',
        attributes: { costCenter: 'CC-1' },
      });
      const created = (await dir.changesSince(feed.lastSeq, 10)).items[0]!;
      expect(created).toMatchObject({ objectId: withAttributes.id, operation: 'create' });
      expect(created.changes.map((c) => c.name)).toEqual([
        'active',
        'attributes.costCenter',
        'displayName',
        'userName',
      ]);
    });

    it('refuses duplicates, dangling references and stale versions, changing nothing', async () => {
      const a = await dir.createUser({ userName: 'Zoë@example.com' });
      expect(await kindOf(dir.createUser({ userName: 'zoë@EXAMPLE.com' }))).toBe('conflict');
      expect(await kindOf(dir.createUser({ userName: 'b@example.com', managerId: 'nobody' }))).toBe(
        'invalid',
      );
      expect(await kindOf(dir.updateUser(a.id, { managerId: a.id }))).toBe('invalid');
      expect(await kindOf(dir.updateUser(a.id, { title: 'x' }, undefined, 7))).toBe(
        'version_mismatch',
      );
      expect(await kindOf(dir.updateUser('missing', { title: 'x' }))).toBe('not_found');
      expect(await kindOf(dir.createGroup({ displayName: 'G', members: [a.id, 'ghost'] }))).toBe(
        'invalid',
      );
      expect(await dir.getUser(a.id)).toEqual(a);
      expect((await dir.listGroups({}, { limit: 10 })).items).toEqual([]);
      expect((await dir.changesSince(0, 100)).items).toHaveLength(1);
    });

    it('refuses a taken userName to a caller that says it looked the name up, changing nothing', async () => {
      const a = await dir.createUser({ userName: 'Ann@example.com' });
      await expect(
        dir.createUser({ userName: 'ann@EXAMPLE.com' }, undefined, { nameChecked: true }),
      ).rejects.toThrow();
      expect((await dir.listUsers({}, { limit: 10 })).items).toEqual([a]);
      expect((await dir.changesSince(0, 100)).items).toHaveLength(1);
      // A free name goes in without the look-up.
      const b = await dir.createUser({ userName: 'bo@example.com' }, undefined, {
        nameChecked: true,
      });
      expect(await dir.getUser(b.id)).toEqual(b);
    });

    it('writes the new users, change events and anchors of a write-behind transaction together, in order', async () => {
      // 150 rows go out as statements of 64, 64, 16, 4, 1 and 1 rows.
      const names = Array.from({ length: 150 }, (_, i) => `wb${String(i).padStart(3, '0')}@x.com`);
      const actor = { type: 'job' as const, id: 'job-wb' };
      const { result, written } = await dir.withTransactionWrittenLater(async (tx) => {
        const made = [];
        for (const [i, userName] of names.entries()) {
          const u = await tx.createUser({ userName, department: `D${i % 3}` }, actor, {
            nameChecked: true,
          });
          await tx.setAnchor('job-wb', `E${i}`, 'user', u.id);
          made.push(u);
        }
        return made;
      });
      // Written in the transaction, or by the store's hub writer after it (a store whose log
      // has a writer thread): in the hub once `written` settles.
      await written;
      const created = result;
      const stored = await dir.usersByIds(created.map((u) => u.id));
      expect(stored.map((u) => u.userName).sort()).toEqual(names);
      expect(stored.find((u) => u.userName === names[7])).toEqual(created[7]);
      const anchors = await dir.anchorsFor(
        'job-wb',
        names.map((_, i) => `E${i}`),
      );
      expect(anchors.size).toBe(150);
      expect(anchors.get('E42')).toBe(created[42]!.id);
      const feed = await dir.changesSince(0, 500);
      expect(feed.items.map((c) => c.objectId)).toEqual(created.map((u) => u.id));
      expect(feed.items[5]).toMatchObject({ operation: 'create', actor });
      expect(feed.items[5]!.changes).toContainEqual({
        name: 'userName',
        oldValue: null,
        newValue: names[5],
      });
    });

    it('lets any read of a write-behind transaction see the rows waiting to be written', async () => {
      const { result, written } = await dir.withTransactionWrittenLater(async (tx) => {
        const made = [];
        for (const userName of ['r1@x.com', 'r2@x.com', 'r3@x.com'])
          made.push(await tx.createUser({ userName }, undefined, { nameChecked: true }));
        const seen = await tx.usersByIds(made.map((u) => u.id));
        // After the read, a later row waits again; it too is written.
        made.push(await tx.createUser({ userName: 'r4@x.com' }, undefined, { nameChecked: true }));
        return { made, seen: seen.map((u) => u.userName).sort() };
      });
      expect(result.seen).toEqual(['r1@x.com', 'r2@x.com', 'r3@x.com']);
      await written;
      expect((await dir.usersByIds(result.made.map((u) => u.id))).length).toBe(4);
    });

    it('fails a write-behind transaction whole when a waiting write fails, changing nothing', async () => {
      await dir.createUser({ userName: 'taken@x.com' });
      const before = await dir.changesSince(0, 100);
      await expect(
        dir
          .withTransactionWrittenLater(async (tx) => {
            for (const userName of ['free1@x.com', 'TAKEN@x.com', 'free2@x.com']) {
              const u = await tx.createUser({ userName }, undefined, { nameChecked: true });
              await tx.setAnchor('job-wb', userName, 'user', u.id);
            }
          })
          .then(({ written }) => written),
      ).rejects.toThrow();
      expect((await dir.listUsers({}, { limit: 10 })).items.map((u) => u.userName)).toEqual([
        'taken@x.com',
      ]);
      expect(await dir.anchors('job-wb')).toEqual([]);
      expect((await dir.changesSince(0, 100)).items).toEqual(before.items);
    });

    it('keeps group members and reports them added and removed', async () => {
      const u1 = await dir.createUser({ userName: 'u1' });
      const u2 = await dir.createUser({ userName: 'u2' });
      const g = await dir.createGroup({ displayName: 'Engineering', members: [u1.id] });
      const { group, changes } = await dir.updateGroup(g.id, { members: [u2.id] });
      expect(group.members).toEqual([u2.id]);
      expect(changes).toEqual([
        { name: 'members', oldValue: { removed: [u1.id] }, newValue: { added: [u2.id] } },
      ]);
      await dir.deleteUser(u2.id);
      expect((await dir.getGroup(g.id))!.members).toEqual([]);
      expect(await kindOf(dir.createGroup({ displayName: 'engineering' }))).toBe('conflict');
    });

    it('lists with a case-insensitive search and cursor paging', async () => {
      for (const n of ['Ольга', 'olga.b', 'Bob', 'Olgierd'])
        await dir.createUser({ userName: `${n}@example.com`, displayName: n });
      const first = await dir.listUsers({ q: 'OLG' }, { limit: 1 });
      expect(first.items.map((u) => u.displayName)).toEqual(['olga.b']);
      const rest = await dir.listUsers({ q: 'olg' }, { limit: 5, cursor: first.nextCursor! });
      expect(rest.items.map((u) => u.displayName)).toEqual(['Olgierd']);
      expect((await dir.listUsers({ q: 'ольга' }, { limit: 5 })).items).toHaveLength(1);
    });

    it('anchors a source key to one hub object, re-anchoring it and ending its absence', async () => {
      const a = await dir.createUser({ userName: 'a@example.com' });
      const b = await dir.createUser({ userName: 'b@example.com' });
      await dir.setAnchor('job-1', 'E1', 'user', a.id);
      await dir.setAnchor('job-2', 'E1', 'user', b.id);
      expect(await dir.anchor('job-1', 'E1')).toBe(a.id);
      await dir.markAnchorMissing('job-1', 'E1', Date.parse('2026-11-20T12:00:00Z'));
      expect((await dir.anchors('job-1'))[0]?.missingSince).not.toBeNull();
      // The key comes back pointing at another object: one anchor, present again.
      await dir.setAnchor('job-1', 'E1', 'user', b.id);
      expect(await dir.anchors('job-1')).toEqual([
        { sourceKey: 'E1', objectType: 'user', objectId: b.id, missingSince: null },
      ]);
      expect(await dir.anchor('job-2', 'E1')).toBe(b.id);
      expect(Object.fromEntries(await dir.anchorsFor('job-1', ['E1', 'E2']))).toEqual({
        E1: b.id,
      });
    });

    it('keeps the organization tree free of cycles', async () => {
      const root = await dir.createOrganization({ name: 'Root' });
      const child = await dir.createOrganization({ name: 'Child', parentId: root.id });
      expect(await kindOf(dir.updateOrganization(root.id, { parentId: child.id }))).toBe('invalid');
      expect(await kindOf(dir.deleteOrganization(root.id))).toBe('conflict');
      await dir.deleteOrganization(child.id);
      await dir.deleteOrganization(root.id);
      expect(await dir.getOrganization(root.id)).toBeUndefined();
    });
  });
}
