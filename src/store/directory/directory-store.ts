import { sql, type Compilable, type CompiledQuery, type Kysely } from 'kysely';
import type {
  HubChange,
  HubGroup,
  HubGroupInput,
  HubGroupPatch,
  HubObjectType,
  HubOperation,
  HubOrganization,
  HubOrganizationInput,
  HubOrganizationPatch,
  HubUser,
  HubUserInput,
  HubUserPatch,
} from '../../model/directory.ts';
import { foldText } from '../../model/fold-text.ts';
import { newId } from '../../model/ids.ts';
import type { CursorCodec } from '../../query/cursor.ts';
import type { Page, PageRequest } from '../log-store.ts';
import type { SqlRunner } from '../sql-runner.ts';
import type { DirectoryDatabase } from './directory-types.ts';
import { DirectoryError } from './directory-errors.ts';
import { diffAttributes, type AttributeChange } from './diff.ts';
import { WriteBehindRunner, type CompiledStatement, type RowsStatement } from './write-behind.ts';

export type Actor = HubChange['actor'];
/** Runs statements in one transaction of a connection of its own; resolves once committed. */
export type HubWriter = (statements: CompiledStatement[]) => Promise<void>;

/** Hub user attributes an inbound job may match source objects on. */
export const MATCHING_ATTRIBUTES = ['userName', 'email', 'employeeId'] as const;
export type MatchingAttribute = (typeof MATCHING_ATTRIBUTES)[number];
const MATCH_COLUMN = {
  userName: 'user_name_folded',
  email: 'email_folded',
  employeeId: 'employee_id_folded',
} as const satisfies Record<MatchingAttribute, string>;
type Table = 'hub_users' | 'hub_groups' | 'hub_organizations';
const TABLE: Record<HubObjectType, Table> = {
  user: 'hub_users',
  group: 'hub_groups',
  organization: 'hub_organizations',
};
const NOUN: Record<HubObjectType, string> = {
  user: 'User',
  group: 'Group',
  organization: 'Organization',
};

/**
 * provlog's own directory of users, groups (with members) and organizations. Every write
 * appends a change event (old → new) in the same transaction, which outbound jobs consume.
 */
export class DirectoryStore {
  constructor(
    private readonly runner: SqlRunner,
    private readonly qb: Kysely<DirectoryDatabase>,
    private readonly cursors: CursorCodec,
    private readonly now: () => number = Date.now,
    /**
     * Writes statements in a transaction of another connection (the embedded store's log
     * writer thread, which holds one to the hub's file): see withTransactionWrittenLater.
     */
    private readonly hubWriter?: HubWriter,
  ) {}

  /** Runs `fn` with a directory whose every write joins one transaction (batches of objects). */
  withTransaction<T>(fn: (directory: DirectoryStore) => Promise<T>): Promise<T> {
    return this.runner.transaction((tx) =>
      fn(new DirectoryStore(tx, this.qb, this.cursors, this.now)),
    );
  }

  /**
   * withTransaction, with write-behind: new users, their change events and anchors wait to be
   * written together, a few statements for the whole batch (write-behind.ts) — a third of an
   * import's statements when it creates every user; a write that fails then fails the
   * transaction, not its row. When the transaction wrote nothing else (a chunk of an import
   * that only creates users), the store's hub writer, if it has one, writes them after it
   * commits, on another thread: `written` settles once they are committed there (at once
   * where they were written in the transaction), and fails when they could not be — nothing of
   * them is then stored, and the caller runs the batch again. Until it settles, reads may not
   * see them.
   */
  async withTransactionWrittenLater<T>(
    fn: (directory: DirectoryStore) => Promise<T>,
  ): Promise<{ result: T; written: Promise<void> }> {
    let later: CompiledStatement[] | undefined;
    const result = await this.runner.transaction(async (tx) => {
      const behind = new WriteBehindRunner(tx, (key, rows, build) =>
        this.reuse(key, flatten(rows), () => build(rows)),
      );
      const out = await fn(new DirectoryStore(behind, this.qb, this.cursors, this.now));
      later = this.hubWriter ? behind.takeStatements() : undefined;
      if (!later) await behind.flush();
      return out;
    });
    return { result, written: later?.length ? this.hubWriter!(later) : Promise.resolve() };
  }

  // ---- users

  /**
   * `nameChecked`: the caller looked the folded userName up in this same transaction and found
   * no user (an import's chunk look-up, chunk-lookup.ts), so no query asks again; the unique
   * index still guards the insert.
   */
  async createUser(
    input: HubUserInput,
    actor?: Actor,
    opts: { nameChecked?: boolean } = {},
  ): Promise<HubUser> {
    return this.runner.transaction(async (tx) => {
      await this.checkUserRefs(tx, input);
      const time = this.now();
      const at = iso(time);
      // Object.assign rather than a spread with fields after it, here and below: Node 20's V8
      // adds each field after a spread that the spread object lacks on a slow path (~1 µs a
      // field; an import creates a user per row).
      const user: HubUser = Object.assign({}, input, {
        id: newId(time),
        displayName: input.displayName ?? input.userName,
        active: input.active ?? true,
        createdAt: at,
        updatedAt: at,
        version: 1,
      });
      if (!opts.nameChecked) await this.assertUnique(tx, 'user', user.userName, undefined);
      const row = Object.assign(this.userRow(user), { created_at: time });
      try {
        await this.insertRow(tx, 'user', 'hub_users', row);
      } catch (err) {
        // Taken after all (a writer beside this transaction): the conflict as the check would
        // report it where the transaction can still be read (SQLite), otherwise the error.
        if (opts.nameChecked)
          await this.assertUnique(tx, 'user', user.userName, undefined).catch((e: unknown) => {
            if (e instanceof DirectoryError) throw e;
          });
        throw err;
      }
      // The change keeps the user's document as stored (changesSince lists its attributes).
      await this.record(tx, 'user', user.id, 'create', row.doc, actor, time);
      return user;
    });
  }

  getUser(id: string): Promise<HubUser | undefined> {
    return this.getDoc<HubUser>(this.runner, 'user', id);
  }

  listUsers(filter: { q?: string; active?: boolean }, page: PageRequest): Promise<Page<HubUser>> {
    return this.list<HubUser>('user', filter.q, page, filter.active);
  }

  async updateUser(
    id: string,
    patch: HubUserPatch,
    actor?: Actor,
    ifVersion?: number,
    /** The user as just read in the same transaction: saves reading it again. */
    known?: HubUser,
  ): Promise<{ user: HubUser; changes: AttributeChange[] }> {
    return this.runner.transaction(async (tx) => {
      const current =
        known?.id === id && ifVersion === undefined
          ? known
          : await this.mustGet<HubUser>(tx, 'user', id, ifVersion);
      await this.checkUserRefs(tx, patch, id);
      const next = applyPatch(current, patch) as HubUser;
      if (patch.userName !== undefined) await this.assertUnique(tx, 'user', next.userName, id);
      const changes = diffAttributes(publicFields(current), publicFields(next));
      if (changes.length === 0) return { user: current, changes };
      const saved = await this.save(tx, 'user', next, 'update', changes, actor);
      return { user: saved as HubUser, changes };
    });
  }

  async setUserActive(id: string, active: boolean, actor?: Actor): Promise<HubUser> {
    return this.runner.transaction(async (tx) => {
      const current = await this.mustGet<HubUser>(tx, 'user', id);
      if (current.active === active) return current;
      const changes = [{ name: 'active', oldValue: current.active, newValue: active }];
      return (await this.save(
        tx,
        'user',
        { ...current, active },
        active ? 'enable' : 'disable',
        changes,
        actor,
      )) as HubUser;
    });
  }

  async deleteUser(id: string, actor?: Actor): Promise<void> {
    await this.runner.transaction(async (tx) => {
      const current = await this.mustGet<HubUser>(tx, 'user', id);
      const groups = await tx.all<{ group_id: string }>(
        this.qb.selectFrom('hub_group_members').select('group_id').where('user_id', '=', id),
      );
      for (const { group_id } of groups) {
        const group = await this.mustGet<HubGroup>(tx, 'group', group_id);
        const members = group.members.filter((m) => m !== id);
        await this.save(
          tx,
          'group',
          { ...group, members },
          'update',
          [{ name: 'members', oldValue: { removed: [id] }, newValue: null }],
          actor,
        );
      }
      await tx.all(this.qb.deleteFrom('hub_group_members').where('user_id', '=', id));
      await tx.all(this.qb.deleteFrom('hub_users').where('id', '=', id));
      await this.record(
        tx,
        'user',
        id,
        'delete',
        diffAttributes(publicFields(current), {}),
        actor,
        this.now(),
      );
    });
  }

  // ---- groups

  async createGroup(input: HubGroupInput, actor?: Actor): Promise<HubGroup> {
    return this.runner.transaction(async (tx) => {
      const time = this.now();
      const at = iso(time);
      const group: HubGroup = {
        ...input,
        members: input.members ?? [],
        id: newId(time),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      await this.assertUnique(tx, 'group', group.displayName, undefined);
      await this.checkMembers(tx, group.members);
      await tx.all(
        this.qb.insertInto('hub_groups').values({ ...this.groupRow(group), created_at: time }),
      );
      await this.writeMembers(tx, group.id, [], group.members);
      await this.record(tx, 'group', group.id, 'create', groupChanges({}, group), actor, time);
      return group;
    });
  }

  getGroup(id: string): Promise<HubGroup | undefined> {
    return this.getDoc<HubGroup>(this.runner, 'group', id);
  }

  listGroups(filter: { q?: string }, page: PageRequest): Promise<Page<HubGroup>> {
    return this.list<HubGroup>('group', filter.q, page);
  }

  async updateGroup(
    id: string,
    patch: HubGroupPatch,
    actor?: Actor,
    ifVersion?: number,
  ): Promise<{ group: HubGroup; changes: AttributeChange[] }> {
    return this.runner.transaction(async (tx) => {
      const current = await this.mustGet<HubGroup>(tx, 'group', id, ifVersion);
      const next = applyPatch(current, patch) as HubGroup;
      next.members = next.members ?? [];
      if (patch.displayName !== undefined)
        await this.assertUnique(tx, 'group', next.displayName, id);
      if (patch.members) await this.checkMembers(tx, patch.members);
      const changes = groupChanges(current, next);
      if (changes.length === 0) return { group: current, changes };
      await this.writeMembers(tx, id, current.members, next.members);
      return {
        group: (await this.save(tx, 'group', next, 'update', changes, actor)) as HubGroup,
        changes,
      };
    });
  }

  async deleteGroup(id: string, actor?: Actor): Promise<void> {
    await this.runner.transaction(async (tx) => {
      const current = await this.mustGet<HubGroup>(tx, 'group', id);
      await tx.all(this.qb.deleteFrom('hub_group_members').where('group_id', '=', id));
      await tx.all(this.qb.deleteFrom('hub_groups').where('id', '=', id));
      await this.record(tx, 'group', id, 'delete', groupChanges(current, {}), actor, this.now());
    });
  }

  // ---- organizations

  async createOrganization(input: HubOrganizationInput, actor?: Actor): Promise<HubOrganization> {
    return this.runner.transaction(async (tx) => {
      const time = this.now();
      const at = iso(time);
      const org: HubOrganization = {
        ...input,
        id: newId(time),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      if (org.parentId) await this.mustGet(tx, 'organization', org.parentId, undefined, 'parentId');
      await tx.all(
        this.qb.insertInto('hub_organizations').values({ ...this.orgRow(org), created_at: time }),
      );
      await this.record(
        tx,
        'organization',
        org.id,
        'create',
        diffAttributes({}, publicFields(org)),
        actor,
        time,
      );
      return org;
    });
  }

  getOrganization(id: string): Promise<HubOrganization | undefined> {
    return this.getDoc<HubOrganization>(this.runner, 'organization', id);
  }

  listOrganizations(filter: { q?: string }, page: PageRequest): Promise<Page<HubOrganization>> {
    return this.list<HubOrganization>('organization', filter.q, page);
  }

  async updateOrganization(
    id: string,
    patch: HubOrganizationPatch,
    actor?: Actor,
    ifVersion?: number,
  ): Promise<{ organization: HubOrganization; changes: AttributeChange[] }> {
    return this.runner.transaction(async (tx) => {
      const current = await this.mustGet<HubOrganization>(tx, 'organization', id, ifVersion);
      const next = applyPatch(current, patch) as HubOrganization;
      if (patch.parentId) {
        if (await this.isDescendant(tx, patch.parentId, id)) {
          throw new DirectoryError(
            'invalid',
            'An organization cannot be placed under itself or its descendants',
            [{ field: '/parentId', message: 'would create a cycle' }],
          );
        }
      }
      const changes = diffAttributes(publicFields(current), publicFields(next));
      if (changes.length === 0) return { organization: current, changes };
      return {
        organization: (await this.save(
          tx,
          'organization',
          next,
          'update',
          changes,
          actor,
        )) as HubOrganization,
        changes,
      };
    });
  }

  async deleteOrganization(id: string, actor?: Actor): Promise<void> {
    await this.runner.transaction(async (tx) => {
      const current = await this.mustGet<HubOrganization>(tx, 'organization', id);
      const children = await tx.all(
        this.qb.selectFrom('hub_organizations').select('id').where('parent_id', '=', id).limit(1),
      );
      if (children.length)
        throw new DirectoryError(
          'conflict',
          'The organization has child organizations; move or delete them first',
        );
      await tx.all(this.qb.deleteFrom('hub_organizations').where('id', '=', id));
      await this.record(
        tx,
        'organization',
        id,
        'delete',
        diffAttributes(publicFields(current), {}),
        actor,
        this.now(),
      );
    });
  }

  /** The user with this userName (case-insensitive), if any. */
  async findUserByUserName(userName: string): Promise<HubUser | undefined> {
    const [row] = await this.runner.all<{ doc: string }>(
      this.reuse('user-by-name', [foldText(userName)], (v) =>
        this.qb.selectFrom('hub_users').select('doc').where('user_name_folded', '=', v[0]!),
      ),
    );
    return row ? (JSON.parse(row.doc) as HubUser) : undefined;
  }

  /** The group with this displayName (case-insensitive), if any. */
  async findGroupByDisplayName(displayName: string): Promise<HubGroup | undefined> {
    const [row] = await this.runner.all<{ id: string }>(
      this.qb
        .selectFrom('hub_groups')
        .select('id')
        .where('display_name_folded', '=', foldText(displayName)),
    );
    return row ? this.getGroup(row.id) : undefined;
  }

  /** Users with these ids (a batch look-up; missing ids are simply absent). */
  async usersByIds(ids: string[]): Promise<HubUser[]> {
    const out: HubUser[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = await this.runner.all<{ doc: string }>(
        this.reuse(`usersByIds:${part.length}`, part, (v) =>
          this.qb.selectFrom('hub_users').select('doc').where('id', 'in', v),
        ),
      );
      for (const r of rows) out.push(JSON.parse(r.doc) as HubUser);
    }
    return out;
  }

  /** Users with these userNames, compared case-insensitively (a batch look-up). */
  usersByUserNames(userNames: string[]): Promise<HubUser[]> {
    return this.usersByAttribute('userName', userNames);
  }

  /**
   * Users whose matching attribute holds one of these values, compared case-insensitively
   * (a batch look-up; email and employeeId need not be unique, so a value may find several).
   */
  async usersByAttribute(attribute: MatchingAttribute, values: string[]): Promise<HubUser[]> {
    const column = MATCH_COLUMN[attribute];
    const out: HubUser[] = [];
    const folded = [...new Set(values.map(foldText))];
    for (let i = 0; i < folded.length; i += 500) {
      const part = folded.slice(i, i + 500);
      const rows = await this.runner.all<{ doc: string }>(
        this.reuse(`usersByAttribute:${column}:${part.length}`, part, (v) =>
          this.qb.selectFrom('hub_users').select('doc').where(column, 'in', v),
        ),
      );
      for (const r of rows) out.push(JSON.parse(r.doc) as HubUser);
    }
    return out;
  }

  // ---- anchors: source object ↔ hub object, per job

  /** Anchors of these source keys (a batch look-up): source key → hub object id. */
  async anchorsFor(jobId: string, sourceKeys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < sourceKeys.length; i += 500) {
      const part = sourceKeys.slice(i, i + 500);
      const rows = await this.runner.all<{ source_key: string; object_id: string }>(
        this.reuse(`anchorsFor:${part.length}`, [jobId, ...part], ([job, ...keys]) =>
          this.qb
            .selectFrom('hub_anchors')
            .select(['source_key', 'object_id'])
            .where('job_id', '=', job!)
            .where('source_key', 'in', keys),
        ),
      );
      for (const r of rows) out.set(r.source_key, r.object_id);
    }
    return out;
  }

  async anchor(jobId: string, sourceKey: string): Promise<string | undefined> {
    const [row] = await this.runner.all<{ object_id: string }>(
      this.reuse('anchor', [jobId, sourceKey], (v) =>
        this.qb
          .selectFrom('hub_anchors')
          .select('object_id')
          .where('job_id', '=', v[0]!)
          .where('source_key', '=', v[1]!),
      ),
    );
    return row?.object_id;
  }

  async setAnchor(
    jobId: string,
    sourceKey: string,
    objectType: HubObjectType,
    objectId: string,
  ): Promise<void> {
    // One statement: a re-anchored key points at its new object and is no longer missing.
    await this.writeRow(
      this.runner,
      'set-anchor',
      [jobId, sourceKey, objectType, objectId],
      (rows) =>
        this.qb
          .insertInto('hub_anchors')
          .values(
            rows.map((v) => ({
              job_id: v[0] as string,
              source_key: v[1] as string,
              object_type: v[2] as string,
              object_id: v[3] as string,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['job_id', 'source_key']).doUpdateSet((eb) => ({
              object_type: eb.ref('excluded.object_type'),
              object_id: eb.ref('excluded.object_id'),
              missing_since: sql<null>`NULL`,
            })),
          ),
    );
  }

  async removeAnchor(jobId: string, sourceKey: string): Promise<void> {
    await this.runner.all(
      this.qb
        .deleteFrom('hub_anchors')
        .where('job_id', '=', jobId)
        .where('source_key', '=', sourceKey),
    );
  }

  /** Every anchor of a job: a full cycle deprovisions those its source no longer has. */
  async anchors(jobId: string): Promise<
    Array<{
      sourceKey: string;
      objectType: HubObjectType;
      objectId: string;
      /** When a full cycle first found the object gone (a grace period runs from then). */
      missingSince: number | null;
    }>
  > {
    const rows = await this.runner.all<{
      source_key: string;
      object_type: string;
      object_id: string;
      missing_since: number | string | null;
    }>(
      this.qb
        .selectFrom('hub_anchors')
        .select(['source_key', 'object_type', 'object_id', 'missing_since'])
        .where('job_id', '=', jobId)
        .orderBy('source_key'),
    );
    return rows.map((r) => ({
      sourceKey: r.source_key,
      objectType: r.object_type as HubObjectType,
      objectId: r.object_id,
      missingSince: r.missing_since === null ? null : Number(r.missing_since),
    }));
  }

  /** Notes that a full cycle found the anchored object gone at `time`; returns the time. */
  async markAnchorMissing(jobId: string, sourceKey: string, time: number): Promise<number> {
    await this.runner.all(
      this.qb
        .updateTable('hub_anchors')
        .set({ missing_since: time })
        .where('job_id', '=', jobId)
        .where('source_key', '=', sourceKey),
    );
    return time;
  }

  async anchorMissingSince(jobId: string, sourceKey: string): Promise<number | null> {
    const [row] = await this.runner.all<{ missing_since: number | string | null }>(
      this.qb
        .selectFrom('hub_anchors')
        .select('missing_since')
        .where('job_id', '=', jobId)
        .where('source_key', '=', sourceKey),
    );
    return row?.missing_since == null ? null : Number(row.missing_since);
  }

  /** The objects of these source keys are back: their grace periods end. */
  async clearAnchorsMissing(jobId: string, sourceKeys: string[]): Promise<void> {
    for (let i = 0; i < sourceKeys.length; i += 500)
      await this.runner.all(
        this.qb
          .updateTable('hub_anchors')
          .set({ missing_since: null })
          .where('job_id', '=', jobId)
          .where('source_key', 'in', sourceKeys.slice(i, i + 500)),
      );
  }

  // ---- change feed

  /** Changes after a watermark, oldest first: what an outbound job has not pushed yet. */
  async changesSince(
    afterSeq: number,
    limit: number,
  ): Promise<{ items: HubChange[]; lastSeq: number }> {
    const rows = await this.runner.all<DirectoryDatabase['hub_changes']>(
      this.qb
        .selectFrom('hub_changes')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit),
    );
    const items = rows.map((r) => ({
      seq: Number(r.seq),
      time: iso(Number(r.time)),
      objectType: r.object_type as HubObjectType,
      objectId: r.object_id,
      operation: r.operation as HubOperation,
      changes: changeList(JSON.parse(r.changes) as unknown),
      ...(r.actor ? { actor: JSON.parse(r.actor) as HubChange['actor'] } : {}),
    }));
    return { items, lastSeq: items.at(-1)?.seq ?? afterSeq };
  }

  // ---- internals

  /**
   * The hottest look-ups are compiled once and reused with new values: compiling a query costs
   * more than running it on SQLite. `build` must use every value of `values`, in order.
   */
  private reuse<V extends unknown[]>(
    key: string,
    values: V,
    build: (v: V) => Compilable,
  ): Compilable {
    let cache = COMPILED.get(this.qb);
    if (!cache) COMPILED.set(this.qb, (cache = new Map()));
    let sqlText = cache.get(key);
    if (sqlText === undefined) {
      sqlText = build(values).compile().sql;
      cache.set(key, sqlText);
    }
    return new ReusedQuery(sqlText, values);
  }

  /** INSERT of a row whose columns are always the same for `key`, compiled once. */
  private insertRow(
    tx: SqlRunner,
    key: string,
    table: keyof DirectoryDatabase,
    row: Record<string, unknown>,
  ): Promise<void> {
    const columns = Object.keys(row);
    return this.writeRow(tx, `insert-${key}`, Object.values(row), (rows) =>
      this.qb
        .insertInto(table)
        .values(rows.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]]))) as never),
    );
  }

  /**
   * Writes a row: now, or in a write-behind transaction with the others of its `key` (whose
   * statement `build` makes for any number of rows, compiled once per count).
   */
  private async writeRow(
    tx: SqlRunner,
    key: string,
    row: unknown[],
    build: RowsStatement,
  ): Promise<void> {
    if (tx instanceof WriteBehindRunner) return tx.defer(key, row, build);
    await tx.all(this.reuse(`${key}:1`, row, () => build([row])));
  }

  private userRow(u: HubUser) {
    return {
      id: u.id,
      user_name: u.userName,
      user_name_folded: foldText(u.userName),
      email_folded: u.email ? foldText(u.email) : null,
      employee_id_folded: u.employeeId ? foldText(u.employeeId) : null,
      search: foldText(
        [u.userName, u.displayName, u.email, u.employeeId].filter(Boolean).join('\u241f'),
      ),
      active: u.active ? 1 : 0,
      doc: JSON.stringify(u),
      version: u.version,
      updated_at: Date.parse(u.updatedAt),
    };
  }

  private groupRow(g: HubGroup) {
    const { members: _m, ...rest } = g;
    return {
      id: g.id,
      display_name_folded: foldText(g.displayName),
      search: foldText(g.displayName),
      doc: JSON.stringify(rest),
      version: g.version,
      updated_at: Date.parse(g.updatedAt),
    };
  }

  private orgRow(o: HubOrganization) {
    return {
      id: o.id,
      parent_id: o.parentId ?? null,
      search: foldText(o.name),
      doc: JSON.stringify(o),
      version: o.version,
      updated_at: Date.parse(o.updatedAt),
    };
  }

  private async save(
    tx: SqlRunner,
    type: HubObjectType,
    obj: HubUser | HubGroup | HubOrganization,
    op: HubOperation,
    changes: AttributeChange[],
    actor: Actor,
  ) {
    const time = this.now();
    const next = Object.assign({}, obj, { version: obj.version + 1, updatedAt: iso(time) });
    const row =
      type === 'user'
        ? this.userRow(next as HubUser)
        : type === 'group'
          ? this.groupRow(next as HubGroup)
          : this.orgRow(next as HubOrganization);
    const columns = Object.keys(row);
    await tx.all(
      this.reuse(`update-${type}`, [...Object.values(row), obj.id], (v) =>
        this.qb
          .updateTable(TABLE[type])
          .set(Object.fromEntries(columns.map((c, i) => [c, v[i]])) as never)
          .where('id', '=', v[columns.length] as string),
      ),
    );
    await this.record(tx, type, obj.id, op, changes, actor, time);
    return next;
  }

  /**
   * Appends a change event. A creation may give the created object's stored document instead of
   * its list of attributes, which `changesSince` then makes from it: an import creating a user
   * per row serialises its attributes once, not twice.
   */
  private async record(
    tx: SqlRunner,
    type: HubObjectType,
    id: string,
    op: HubOperation,
    changes: AttributeChange[] | string,
    actor: Actor,
    time: number,
  ) {
    await this.insertRow(tx, 'change', 'hub_changes', {
      time,
      object_type: type,
      object_id: id,
      operation: op,
      changes: typeof changes === 'string' ? changes : JSON.stringify(changes),
      actor: actor ? JSON.stringify(actor) : null,
    });
  }

  private async getDoc<T>(
    runner: SqlRunner,
    type: HubObjectType,
    id: string,
  ): Promise<T | undefined> {
    const [row] = await runner.all<{ doc: string }>(
      this.reuse(`doc-${type}`, [id], (v) =>
        this.qb.selectFrom(TABLE[type]).select('doc').where('id', '=', v[0]!),
      ),
    );
    if (!row) return undefined;
    const doc = JSON.parse(row.doc) as T;
    if (type === 'group') (doc as HubGroup).members = await this.members(runner, id);
    return doc;
  }

  private async members(runner: SqlRunner, groupId: string): Promise<string[]> {
    const rows = await runner.all<{ user_id: string }>(
      this.qb
        .selectFrom('hub_group_members')
        .select('user_id')
        .where('group_id', '=', groupId)
        .orderBy('user_id'),
    );
    return rows.map((r) => r.user_id);
  }

  private async mustGet<T extends { version: number }>(
    tx: SqlRunner,
    type: HubObjectType,
    id: string,
    ifVersion?: number,
    field?: string,
  ): Promise<T> {
    const found = await this.getDoc<T>(tx, type, id);
    if (!found) {
      if (field)
        throw new DirectoryError('invalid', `${field} names no ${type}`, [
          { field: `/${field}`, message: `no ${type} with id ${JSON.stringify(id)}` },
        ]);
      throw new DirectoryError('not_found', `${NOUN[type]} ${JSON.stringify(id)} does not exist`);
    }
    if (ifVersion !== undefined && found.version !== ifVersion) {
      throw new DirectoryError(
        'version_mismatch',
        `${NOUN[type]} is at version ${found.version}, not ${ifVersion}`,
      );
    }
    return found;
  }

  private async assertUnique(
    tx: SqlRunner,
    type: 'user' | 'group',
    name: string,
    selfId: string | undefined,
  ) {
    const folded = foldText(name);
    const rows = await tx.all<{ id: string }>(
      type === 'user'
        ? this.reuse('unique-user', [folded], (v) =>
            this.qb.selectFrom('hub_users').select('id').where('user_name_folded', '=', v[0]!),
          )
        : this.reuse('unique-group', [folded], (v) =>
            this.qb.selectFrom('hub_groups').select('id').where('display_name_folded', '=', v[0]!),
          ),
    );
    const other = rows.find((r) => r.id !== selfId);
    if (other) {
      const field = type === 'user' ? 'userName' : 'displayName';
      throw new DirectoryError(
        'conflict',
        `A ${type} with ${field} ${JSON.stringify(name)} already exists (${other.id})`,
        [{ field: `/${field}`, message: 'is already taken' }],
      );
    }
  }

  private async checkUserRefs(tx: SqlRunner, u: HubUserPatch, selfId?: string) {
    if (u.managerId) {
      if (u.managerId === selfId)
        throw new DirectoryError('invalid', 'A user cannot be their own manager', [
          { field: '/managerId', message: 'is the user itself' },
        ]);
      await this.mustGet(tx, 'user', u.managerId, undefined, 'managerId');
    }
    if (u.organizationId)
      await this.mustGet(tx, 'organization', u.organizationId, undefined, 'organizationId');
  }

  private async checkMembers(tx: SqlRunner, members: string[]) {
    if (members.length === 0) return;
    const found = new Set<string>();
    for (let i = 0; i < members.length; i += 500) {
      const chunk = members.slice(i, i + 500);
      const rows = await tx.all<{ id: string }>(
        this.qb.selectFrom('hub_users').select('id').where('id', 'in', chunk),
      );
      for (const r of rows) found.add(r.id);
    }
    const missing = members.filter((m) => !found.has(m));
    if (missing.length) {
      throw new DirectoryError('invalid', `${missing.length} member(s) are not users of the hub`, [
        {
          field: '/members',
          message: `no user with id ${missing
            .slice(0, 5)
            .map((m) => JSON.stringify(m))
            .join(', ')}`,
        },
      ]);
    }
  }

  private async writeMembers(tx: SqlRunner, groupId: string, before: string[], after: string[]) {
    const had = new Set(before);
    const has = new Set(after);
    const removed = before.filter((m) => !has.has(m));
    const added = after.filter((m) => !had.has(m));
    if (removed.length)
      await tx.all(
        this.qb
          .deleteFrom('hub_group_members')
          .where('group_id', '=', groupId)
          .where('user_id', 'in', removed),
      );
    for (let i = 0; i < added.length; i += 500) {
      await tx.all(
        this.qb
          .insertInto('hub_group_members')
          .values(added.slice(i, i + 500).map((user_id) => ({ group_id: groupId, user_id }))),
      );
    }
  }

  private async isDescendant(tx: SqlRunner, candidate: string, ancestor: string): Promise<boolean> {
    let current: string | null | undefined = candidate;
    for (let depth = 0; current && depth < 1000; depth++) {
      if (current === ancestor) return true;
      const org: HubOrganization | undefined = await this.getDoc<HubOrganization>(
        tx,
        'organization',
        current,
      );
      if (!org)
        throw new DirectoryError('invalid', 'parentId names no organization', [
          { field: '/parentId', message: `no organization with id ${JSON.stringify(current)}` },
        ]);
      current = org.parentId;
    }
    return false;
  }

  private async list<T>(
    type: HubObjectType,
    q: string | undefined,
    page: PageRequest,
    active?: boolean,
  ): Promise<Page<T>> {
    const kind = `hub-${type}`;
    const pos = page.cursor ? this.cursors.decode(kind, page.cursor) : undefined;
    const table = TABLE[type];
    let query = this.qb
      .selectFrom(table)
      .select(['seq', 'id', 'doc'])
      .orderBy('seq')
      .limit(page.limit + 1);
    if (q)
      query = query.where(
        sql<boolean>`${sql.ref('search')} LIKE ${`%${foldText(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`,
      );
    if (active !== undefined && type === 'user')
      query = query.where(sql<boolean>`${sql.ref('active')} = ${active ? 1 : 0}`);
    if (pos) query = query.where('seq', '>', pos.s);
    const rows = await this.runner.all<{ seq: number; id: string; doc: string }>(query);
    const items = rows.slice(0, page.limit);
    const out: T[] = [];
    for (const r of items) {
      const doc = JSON.parse(r.doc) as T;
      if (type === 'group') (doc as HubGroup).members = await this.members(this.runner, r.id);
      out.push(doc);
    }
    const last = items.at(-1);
    return {
      items: out,
      nextCursor:
        rows.length > page.limit && last
          ? this.cursors.encode(kind, { t: 0, s: Number(last.seq) })
          : null,
    };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Compiled SQL with new values (a class, not an object literal: a statement per row). */
class ReusedQuery implements Compilable {
  constructor(
    private readonly sql: string,
    private readonly values: readonly unknown[],
  ) {}

  compile(): CompiledQuery {
    return {
      sql: this.sql,
      parameters: this.values,
      query: undefined as never,
      queryId: undefined as never,
    };
  }
}
// Compiled SQL per query builder (so per dialect), shared by a store's transaction-bound copies.
const COMPILED = new WeakMap<object, Map<string, string>>();

/**
 * A stored change's list of attributes: as stored, or — for a creation stored with the created
 * object's document (DirectoryStore.record) — every attribute of that document, old value null.
 */
function changeList(stored: unknown): HubChange['changes'] {
  if (Array.isArray(stored)) return stored as HubChange['changes'];
  return diffAttributes({}, publicFields(stored as object));
}

/** The attributes a change event compares (bookkeeping fields excluded). */
function publicFields(o: object): Record<string, unknown> {
  const {
    id: _i,
    createdAt: _c,
    updatedAt: _u,
    version: _v,
    ...rest
  } = o as Record<string, unknown>;
  return rest;
}

/** Applies a patch: given fields replace, `null` clears. */
function applyPatch<T extends object>(current: T, patch: object): T {
  const next: Record<string, unknown> = Object.assign({}, current as Record<string, unknown>);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as T;
}

function groupChanges(before: Partial<HubGroup>, after: Partial<HubGroup>): AttributeChange[] {
  const { members: m1 = [], ...a } = publicFields(before) as Partial<HubGroup>;
  const { members: m2 = [], ...b } = publicFields(after) as Partial<HubGroup>;
  const changes = diffAttributes(a, b);
  const had = new Set(m1);
  const has = new Set(m2);
  const added = m2.filter((m) => !had.has(m));
  const removed = m1.filter((m) => !has.has(m));
  if (added.length || removed.length)
    changes.push({
      name: 'members',
      oldValue: removed.length ? { removed } : null,
      newValue: added.length ? { added } : null,
    });
  return changes;
}

/** The rows' values one after another (Array.prototype.flat is several times slower here). */
function flatten(rows: unknown[][]): unknown[] {
  const out: unknown[] = [];
  for (const row of rows) for (const v of row) out.push(v);
  return out;
}
