import type { Dispatcher } from 'undici';
import type { AttemptFailure, AttemptRecord } from './attempt-record.ts';
import { failure } from './classify-exchange.ts';
import { createDiscovery } from './discovery.ts';
import { pickMatch, pickMatches } from './match-resource.ts';
import {
  applyPatchLocally,
  memberPatch,
  patchFromChanges,
  patchRequest,
  type AttributeChange,
  type PatchRequest,
} from './patch-ops.ts';
import {
  GROUP_KIND,
  resourceOperations,
  USER_KIND,
  type QueryOptions,
  type ResourceKind,
  type ResourceOperations,
} from './resource-operations.ts';
import { equalityFilter, isAttributePath } from './scim-filter.ts';
import type { ResolvedScimOptions } from './scim-options.ts';
import { fail, succeed, type ScimResult } from './scim-result.ts';
import { isObject, type ScimListPage, type ScimResource } from './scim-schemas.ts';
import { createScimTransport } from './scim-transport.ts';
import type { ScimCapabilities } from './service-provider-config.ts';

/** A user to write: SCIM core attributes, extensions under their URN. `id` and `meta` are the target's. */
export type ScimUserInput = { userName: string } & Record<string, unknown>;
export type ScimGroupInput = { displayName: string } & Record<string, unknown>;

export interface MemberChanges {
  add?: readonly string[];
  remove?: readonly string[];
}

/**
 * The SCIM 2.0 outbound connector for one target system. Every call resolves — it never
 * rejects for anything the target or the network does — to a value or a classified
 * failure, with the redacted record of every HTTP attempt it made.
 */
export interface ScimClient {
  /** The target's ServiceProviderConfig, cached per client; PATCH or PUT is chosen from it. */
  discover(options?: { refresh?: boolean }): Promise<ScimResult<ScimCapabilities>>;

  findUsers(filter: string, query?: QueryOptions): Promise<ScimResult<ScimListPage>>;
  /** The user whose `attribute` equals `value`; `null` when none; DuplicateTargetEntries for several. */
  matchUser(attribute: string, value: string): Promise<ScimResult<ScimResource | null>>;
  /**
   * Many users matched by one `attribute eq v1 or …` request (see `pickMatches`): the values
   * decided, lower-cased. Fails when the target has no filtering or its answer cannot be
   * relied on; callers then match one by one.
   */
  matchUsers(
    attribute: string,
    values: readonly string[],
  ): Promise<ScimResult<Map<string, ScimResource | null>>>;
  getUser(id: string): Promise<ScimResult<ScimResource>>;
  createUser(user: ScimUserInput): Promise<ScimResult<ScimResource>>;
  replaceUser(id: string, user: ScimUserInput): Promise<ScimResult<ScimResource>>;
  /** PATCH of the changed attributes, or GET + PUT when the target has no PATCH. */
  patchUser(
    id: string,
    changes: readonly AttributeChange[],
  ): Promise<ScimResult<ScimResource | undefined>>;
  /** `active: false`, by PATCH or PUT as the target supports. */
  disableUser(id: string): Promise<ScimResult<ScimResource | undefined>>;
  /** A 404 fails with InvalidAnchor: the user is already gone, which the caller may accept. */
  deleteUser(id: string): Promise<ScimResult<void>>;

  findGroups(filter: string, query?: QueryOptions): Promise<ScimResult<ScimListPage>>;
  /** Matching leaves members out of the response: they can be many. */
  matchGroup(attribute: string, value: string): Promise<ScimResult<ScimResource | null>>;
  getGroup(id: string, query?: QueryOptions): Promise<ScimResult<ScimResource>>;
  createGroup(group: ScimGroupInput): Promise<ScimResult<ScimResource>>;
  replaceGroup(id: string, group: ScimGroupInput): Promise<ScimResult<ScimResource>>;
  patchGroup(
    id: string,
    changes: readonly AttributeChange[],
  ): Promise<ScimResult<ScimResource | undefined>>;
  /** Adds and removes members (by their ids in the target), by PATCH or GET + PUT. */
  changeGroupMembers(
    id: string,
    changes: MemberChanges,
  ): Promise<ScimResult<ScimResource | undefined>>;
  deleteGroup(id: string): Promise<ScimResult<void>>;

  /** Closes the system's connections. */
  close(): Promise<void>;
}

export function createScimClient(
  options: ResolvedScimOptions,
  dispatcher?: Dispatcher,
): ScimClient {
  const transport = createScimTransport(options, dispatcher);
  const discovery = createDiscovery(transport, options.discoveryTtlMs);
  const users = resourceOperations(transport, USER_KIND);
  const groups = resourceOperations(transport, GROUP_KIND);

  /**
   * Applies a PatchOp the way the target can take it: as a PATCH, or as the PUT of the
   * resource read back and patched here. Attempts of discovery, GET and PUT are all kept.
   */
  async function update(
    ops: ResourceOperations,
    id: string,
    patch: PatchRequest | ((current: ScimResource) => ScimResource),
  ): Promise<ScimResult<ScimResource | undefined>> {
    const caps = await discovery.capabilities();
    if (!caps.ok) return caps;
    const before = caps.attempts;
    if (caps.value.patch && typeof patch !== 'function')
      return prepend(before, await ops.patch(id, patch));
    const current = await ops.get(id);
    if (!current.ok) return prepend(before, current);
    const next =
      typeof patch === 'function'
        ? { ok: true as const, value: patch(current.value) }
        : putBody(current.value, patch);
    if (!next.ok) return prepend(before, fail(next.failure, current.attempts));
    const put = await ops.replace(id, next.value);
    return prepend([...before, ...current.attempts], put);
  }

  async function match(
    ops: ResourceOperations,
    attribute: string,
    value: string,
    query?: QueryOptions,
  ): Promise<ScimResult<ScimResource | null>> {
    if (!isAttributePath(attribute)) {
      const reason = `The matching attribute ${JSON.stringify(attribute)} is not a SCIM attribute path`;
      return fail(failure('ConfigurationError', reason), []);
    }
    // Two are enough to tell one match from duplicates.
    const found = await ops.find(equalityFilter(attribute, value), { ...query, count: 2 });
    return found.ok ? pickMatch(found.value, attribute, value, found.attempts) : found;
  }

  async function matchMany(
    ops: ResourceOperations,
    attribute: string,
    values: readonly string[],
  ): Promise<ScimResult<Map<string, ScimResource | null>>> {
    if (!isAttributePath(attribute)) {
      const reason = `The matching attribute ${JSON.stringify(attribute)} is not a SCIM attribute path`;
      return fail(failure('ConfigurationError', reason), []);
    }
    const caps = await discovery.capabilities();
    if (!caps.ok) return caps;
    if (!caps.value.filter.supported)
      return fail(failure('NotImplemented', 'The target does not support filters'), caps.attempts);
    const unique = [...new Map(values.map((v) => [v.toLowerCase(), v])).values()];
    if (unique.length === 0) return succeed(new Map(), caps.attempts);
    const filter = unique.map((v) => equalityFilter(attribute, v)).join(' or ');
    // Room for a duplicate or two; an answer cut short (maxResults) is detected and refused.
    const count = Math.min(unique.length * 2, caps.value.filter.maxResults ?? Infinity);
    const found = await ops.find(filter, { count });
    if (!found.ok) return prepend(caps.attempts, found);
    return prepend(caps.attempts, pickMatches(found.value, attribute, unique, found.attempts));
  }

  /**
   * Adds and removes members: by PATCH, `maxMembersPerRequest` members at a time (targets
   * refuse very large requests), or by one GET + PUT. Stops at the first refusal.
   */
  async function changeMembers(
    id: string,
    changes: MemberChanges,
  ): Promise<ScimResult<ScimResource | undefined>> {
    const add = [...new Set(changes.add ?? [])];
    const removing = new Set(add);
    const remove = [...new Set(changes.remove ?? [])].filter((m) => !removing.has(m));
    if (add.length === 0 && remove.length === 0) return succeed(undefined, []);
    const caps = await discovery.capabilities();
    if (!caps.ok) return caps;
    if (!caps.value.patch)
      return prepend(caps.attempts, await update(groups, id, (g) => withMembers(g, add, remove)));
    const size = options.maxMembersPerRequest;
    const all = [...remove.map((m) => ({ m, add: false })), ...add.map((m) => ({ m, add: true }))];
    const patches: PatchRequest[] = [];
    for (let i = 0; i < all.length; i += size) {
      const chunk = all.slice(i, i + size);
      patches.push(
        memberPatch(
          chunk.filter((c) => c.add).map((c) => c.m),
          chunk.filter((c) => !c.add).map((c) => c.m),
        ),
      );
    }
    let attempts = caps.attempts;
    let last: ScimResult<ScimResource | undefined> = succeed(undefined, []);
    for (const patch of patches) {
      last = prepend(attempts, await groups.patch(id, patch));
      attempts = last.attempts;
      if (!last.ok) return last;
    }
    return last;
  }

  /** A group with more members than one request may carry is created, then filled. */
  async function createGroup(group: ScimGroupInput): Promise<ScimResult<ScimResource>> {
    const members = Array.isArray(group.members) ? (group.members as unknown[]) : [];
    const size = options.maxMembersPerRequest;
    if (members.length <= size) return groups.create(withSchemas(group, GROUP_KIND));
    const created = await groups.create(
      withSchemas({ ...group, members: members.slice(0, size) }, GROUP_KIND),
    );
    if (!created.ok) return created;
    const rest = members
      .slice(size)
      .map((m) => (isObject(m) && typeof m.value === 'string' ? m.value : undefined))
      .filter((m) => m !== undefined);
    const filled = await changeMembers(String(created.value.id), { add: rest });
    // Created but not filled: the caller's retry matches the group and adds what is missing.
    return filled.ok
      ? succeed(created.value, [...created.attempts, ...filled.attempts])
      : fail(filled.failure, [...created.attempts, ...filled.attempts]);
  }

  function patchOrFail(
    ops: ResourceOperations,
    id: string,
    changes: readonly AttributeChange[],
  ): Promise<ScimResult<ScimResource | undefined>> {
    if (changes.length === 0) return Promise.resolve(succeed(undefined, []));
    const patch = patchFromChanges(changes);
    // The paths come from the job's attribute mappings: nothing was sent.
    if (!patch.ok) return Promise.resolve(fail(failure('ConfigurationError', patch.reason), []));
    return update(ops, id, patch.value);
  }

  return {
    discover: (opts) => discovery.capabilities(opts),

    findUsers: (filter, query) => users.find(filter, query),
    matchUser: (attribute, value) => match(users, attribute, value),
    matchUsers: (attribute, values) => matchMany(users, attribute, values),
    getUser: (id) => users.get(id),
    createUser: (user) =>
      withInput(checkInput(user, 'userName'), () => users.create(withSchemas(user, USER_KIND))),
    replaceUser: (id, user) =>
      withInput(checkInput(user, 'userName'), () =>
        users.replace(id, withSchemas(user, USER_KIND)),
      ),
    patchUser: (id, changes) => patchOrFail(users, id, changes),
    disableUser: (id) =>
      update(users, id, patchRequest([{ op: 'replace', path: 'active', value: false }])),
    deleteUser: (id) => users.remove(id),

    findGroups: (filter, query) => groups.find(filter, query),
    matchGroup: (attribute, value) =>
      match(groups, attribute, value, { excludedAttributes: ['members'] }),
    getGroup: (id, query) => groups.get(id, query),
    createGroup: (group) => withInput(checkInput(group, 'displayName'), () => createGroup(group)),
    replaceGroup: (id, group) =>
      withInput(checkInput(group, 'displayName'), () =>
        groups.replace(id, withSchemas(group, GROUP_KIND)),
      ),
    patchGroup: (id, changes) => patchOrFail(groups, id, changes),
    changeGroupMembers: (id, changes) => changeMembers(id, changes),
    deleteGroup: (id) => groups.remove(id),

    close: () => transport.close(),
  };
}

/** The resource to PUT: the one read, patched here, without the read-only `meta`. */
function putBody(
  current: ScimResource,
  patch: PatchRequest,
): { ok: true; value: ScimResource } | { ok: false; failure: AttemptFailure } {
  const patched = applyPatchLocally(current, patch);
  if (patched.ok) return patched;
  const reason = `The change cannot be applied to the resource read back: ${patched.reason}`;
  return { ok: false, failure: failure('ScimInvalidPath', reason) };
}

function withMembers(group: ScimResource, add: string[], remove: string[]): ScimResource {
  const { meta: _meta, ...rest } = group;
  const members = (Array.isArray(group.members) ? group.members : []).filter(
    (m) => !(isObject(m) && typeof m.value === 'string' && remove.includes(m.value)),
  );
  const present = new Set(members.map((m) => (isObject(m) ? m.value : undefined)));
  for (const value of add) if (!present.has(value)) members.push({ value });
  return { ...rest, members };
}

/** Core schema plus every extension present as a URN-named attribute. */
function withSchemas(
  resource: Record<string, unknown>,
  kind: ResourceKind,
): Record<string, unknown> {
  const { id: _id, meta: _meta, ...rest } = resource;
  const extensions = Object.keys(rest).filter((key) => key.startsWith('urn:'));
  return { ...rest, schemas: [kind.schema, ...extensions] };
}

function checkInput(resource: Record<string, unknown>, required: string): string | undefined {
  const value = resource[required];
  return typeof value === 'string' && value.trim() !== ''
    ? undefined
    : `"${required}" has no value`;
}

function withInput<T>(
  problem: string | undefined,
  send: () => Promise<ScimResult<T>>,
): Promise<ScimResult<T>> {
  return problem === undefined
    ? send()
    : Promise.resolve(fail(failure('MandatoryFieldsMissing', problem), []));
}

function prepend<T>(attempts: AttemptRecord[], result: ScimResult<T>): ScimResult<T> {
  return attempts.length === 0
    ? result
    : { ...result, attempts: [...attempts, ...result.attempts] };
}
