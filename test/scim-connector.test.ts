import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScimClient } from '../src/connectors/scim/scim-client.ts';
import { failureOf, scimClientFor, valueOf } from './helpers/scim-client-for.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';

const TOKEN = 'test-bearer-token-0123456789';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('SCIM client against scimmy (PATCH supported)', () => {
  let server: ScimTestServer;
  let client: ScimClient;

  beforeAll(async () => {
    server = await startScimServer({
      tokens: [TOKEN],
      basic: { username: 'prov', password: 'b4sic-pw' },
    });
    client = scimClientFor({ baseUrl: server.baseUrl, auth: { type: 'bearer', token: TOKEN } });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
  });

  it('discovers PATCH and filter support from /ServiceProviderConfig, once', async () => {
    const first = await client.discover({ refresh: true });
    expect(valueOf(first)).toMatchObject({
      patch: true,
      filter: { supported: true },
      source: 'discovered',
    });
    expect(first.attempts).toHaveLength(1);
    expect(first.attempts[0]?.request.url).toBe(`${server.baseUrl}/ServiceProviderConfig`);
    const second = await client.discover();
    expect(second.attempts).toHaveLength(0);
  });

  it('creates, reads, replaces, patches, disables and deletes a user', async () => {
    const created = valueOf(
      await client.createUser({
        userName: 'alice@example.com',
        name: { givenName: 'Alice' },
        active: true,
      }),
    );
    expect(created.id).toBeTruthy();
    expect(created.schemas).toContain(USER_SCHEMA);

    const read = valueOf(await client.getUser(created.id));
    expect(read).toMatchObject({ userName: 'alice@example.com', name: { givenName: 'Alice' } });

    const replaced = valueOf(
      await client.replaceUser(created.id, {
        userName: 'alice@example.com',
        displayName: 'Alice A',
        active: true,
      }),
    );
    expect(replaced).toMatchObject({ displayName: 'Alice A' });
    expect(replaced.name).toBeUndefined();

    await client.discover({ refresh: true });
    const patched = await client.patchUser(created.id, [
      { path: 'displayName', value: 'Alice B' },
      { path: 'title', value: 'Engineer' },
    ]);
    expect(valueOf(patched)).toMatchObject({ displayName: 'Alice B', title: 'Engineer' });
    expect(patched.attempts.map((a) => a.request.method)).toEqual(['PATCH']);
    expect(patched.attempts[0]?.request.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Alice B' },
        { op: 'replace', path: 'title', value: 'Engineer' },
      ],
    });

    const removed = valueOf(await client.patchUser(created.id, [{ path: 'title', value: null }]));
    expect(removed?.title).toBeUndefined();

    const disabled = await client.disableUser(created.id);
    expect(valueOf(disabled)).toMatchObject({ active: false });
    expect((await server.raw('Users', created.id))?.active).toBe(false);

    const deleted = await client.deleteUser(created.id);
    expect(deleted.ok).toBe(true);
    expect(deleted.attempts[0]?.response?.status).toBe(204);
    expect(await server.raw('Users', created.id)).toBeUndefined();
  });

  it('matches a user by a filter on the matching attribute, a value with quotes included', async () => {
    // Backslashes are escaped too (see scim-filter.test.ts), but scim2-parse-filter, which
    // this test server parses filters with, keeps `\\` undecoded: quotes only here.
    const odd = 'o"brien "the third"@example.com';
    const created = valueOf(await client.createUser({ userName: odd }));
    valueOf(await client.createUser({ userName: 'o@example.com' }));

    const found = await client.matchUser('userName', odd);
    expect(valueOf(found)?.id).toBe(created.id);
    const url = new URL(found.attempts.at(-1)?.request.url ?? '');
    expect(url.searchParams.get('filter')).toBe(
      'userName eq "o\\"brien \\"the third\\"@example.com"',
    );

    expect(valueOf(await client.matchUser('userName', 'nobody@example.com'))).toBeNull();
    const injected = await client.matchUser('userName pr or userName', 'x');
    expect(failureOf(injected).code).toBe('ConfigurationError');
    expect(injected.attempts).toEqual([]);
  });

  it('fails a user whose userName is taken with EntryConflict (409 uniqueness)', async () => {
    valueOf(await client.createUser({ userName: 'bob@example.com' }));
    const again = await client.createUser({ userName: 'BOB@example.com' });
    expect(failureOf(again)).toMatchObject({ code: 'EntryConflict', transient: false });
    expect(failureOf(again).reason).toContain('uniqueness');
    expect(again.attempts[0]?.response?.status).toBe(409);
    expect(again.attempts[0]?.outcome).toEqual(failureOf(again));
  });

  it('maps a 404 on an update to InvalidAnchor, and a missing userName to MandatoryFieldsMissing', async () => {
    const gone = await client.patchUser('no-such-id', [{ path: 'displayName', value: 'x' }]);
    expect(failureOf(gone).code).toBe('InvalidAnchor');
    const replaced = await client.replaceUser('no-such-id', { userName: 'x@example.com' });
    expect(failureOf(replaced).code).toBe('InvalidAnchor');
    const noName = await client.createUser({ userName: '  ' });
    expect(failureOf(noName).code).toBe('MandatoryFieldsMissing');
    expect(noName.attempts).toHaveLength(0);
  });

  it('reports DuplicateTargetEntries when the target holds two objects with the value', async () => {
    // userName is unique on this server; externalId is not.
    valueOf(await client.createUser({ userName: 'c1@example.com', externalId: 'E-1' }));
    valueOf(await client.createUser({ userName: 'c2@example.com', externalId: 'E-1' }));
    const found = await client.matchUser('externalId', 'E-1');
    expect(failureOf(found)).toMatchObject({ code: 'DuplicateTargetEntries', transient: false });
  });

  it('keeps passwords and tokens out of every attempt record', async () => {
    const secret = 'Sup3r-Secret-Pw!';
    const created = await client.createUser({ userName: 'dora@example.com', password: secret });
    const id = valueOf(created).id;
    // The server did receive it: redaction is of the record, not of the request.
    expect((await server.raw('Users', id))?.password).toBe(secret);
    const patched = await client.patchUser(id, [{ path: 'password', value: 'N3w-Secret!' }]);
    expect(patched.ok).toBe(true);
    const text = JSON.stringify([created.attempts, patched.attempts]);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('N3w-Secret!');
    expect(text).not.toContain(TOKEN);
    expect(created.attempts[0]?.request.headers.authorization).toBe('[REDACTED]');
    expect(created.attempts[0]?.request.body).toMatchObject({ password: '[REDACTED]' });
  });

  it('manages groups and their members by PATCH', async () => {
    const a = valueOf(await client.createUser({ userName: 'ga@example.com' }));
    const b = valueOf(await client.createUser({ userName: 'gb@example.com' }));
    const group = valueOf(
      await client.createGroup({ displayName: 'Engineers', members: [{ value: a.id }] }),
    );
    expect(valueOf(await client.matchGroup('displayName', 'Engineers'))?.id).toBe(group.id);

    const changed = await client.changeGroupMembers(group.id, { add: [b.id], remove: [a.id] });
    expect(changed.ok).toBe(true);
    expect(changed.attempts.at(-1)?.request.method).toBe('PATCH');
    const members = (await server.raw('Groups', group.id))?.members as { value: string }[];
    expect(members.map((m) => m.value)).toEqual([b.id]);

    const renamed = valueOf(
      await client.patchGroup(group.id, [{ path: 'displayName', value: 'Eng' }]),
    );
    expect(renamed?.displayName).toBe('Eng');
    const replaced = valueOf(
      await client.replaceGroup(group.id, { displayName: 'Eng 2', members: [] }),
    );
    expect(replaced.displayName).toBe('Eng 2');
    expect(valueOf(await client.getGroup(group.id)).members ?? []).toEqual([]);
    expect(valueOf(await client.findGroups('displayName eq "Eng 2"')).totalResults).toBe(1);
    expect((await client.deleteGroup(group.id)).ok).toBe(true);
    expect(failureOf(await client.getGroup(group.id)).code).toBe('InvalidAnchor');
  });

  it('sends at most maxMembersPerRequest members per request, creating a large group then filling it', async () => {
    const small = scimClientFor({
      baseUrl: server.baseUrl,
      auth: { type: 'bearer', token: TOKEN },
      maxMembersPerRequest: 2,
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(valueOf(await small.createUser({ userName: `m${i}@example.com` })).id);
      const created = await small.createGroup({
        displayName: 'Big',
        members: ids.map((value) => ({ value })),
      });
      expect(created.ok).toBe(true);
      // A POST with two members, then PATCHes of two and one.
      expect(
        created.attempts
          .filter((a) => a.request.url.includes('/Groups'))
          .map((a) => a.request.method),
      ).toEqual(['POST', 'PATCH', 'PATCH']);
      const id = valueOf(created).id;
      const held = () =>
        (server.raw('Groups', id) as Promise<{ members: { value: string }[] }>).then((g) =>
          g.members.map((m) => m.value).sort(),
        );
      expect(await held()).toEqual([...ids].sort());
      const changed = await small.changeGroupMembers(id, { remove: ids.slice(0, 3) });
      expect(changed.attempts.map((a) => a.request.method)).toEqual(['PATCH', 'PATCH']);
      expect(await held()).toEqual(ids.slice(3).sort());
      // One add and one remove fit in one request.
      const both = await small.changeGroupMembers(id, { add: [ids[0]!], remove: [ids[3]!] });
      expect(both.attempts.map((a) => a.request.method)).toEqual(['PATCH']);
      expect(await held()).toEqual([ids[0]!, ids[4]!].sort());
    } finally {
      await small.close();
    }
  });

  it('authenticates with HTTP basic', async () => {
    const basic = scimClientFor({
      baseUrl: server.baseUrl,
      auth: { type: 'basic', username: 'prov', password: 'b4sic-pw' },
    });
    try {
      const created = await basic.createUser({ userName: 'basic@example.com' });
      expect(created.ok).toBe(true);
      expect(JSON.stringify(created.attempts)).not.toContain(
        Buffer.from('prov:b4sic-pw').toString('base64'),
      );
      const wrong = scimClientFor({
        baseUrl: server.baseUrl,
        auth: { type: 'basic', username: 'prov', password: 'wrong' },
      });
      expect(failureOf(await wrong.getUser(valueOf(created).id)).code).toBe('AuthenticationFailed');
      await wrong.close();
    } finally {
      await basic.close();
    }
  });
});

describe('SCIM client against scimmy without PATCH', () => {
  let server: ScimTestServer;
  let client: ScimClient;

  beforeAll(async () => {
    server = await startScimServer({ tokens: [TOKEN], patch: false });
    client = scimClientFor({ baseUrl: server.baseUrl, auth: { type: 'bearer', token: TOKEN } });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('learns that PATCH is unsupported and updates users by GET + PUT', async () => {
    expect(valueOf(await client.discover()).patch).toBe(false);
    const user = valueOf(
      await client.createUser({
        userName: 'put@example.com',
        name: { givenName: 'P', familyName: 'Q' },
        active: true,
      }),
    );
    const patched = await client.patchUser(user.id, [
      { path: 'name.familyName', value: 'R' },
      { path: 'displayName', value: 'P R' },
    ]);
    expect(patched.attempts.map((a) => a.request.method)).toEqual(['GET', 'PUT']);
    expect(valueOf(patched)).toMatchObject({
      name: { givenName: 'P', familyName: 'R' },
      displayName: 'P R',
    });
    const put = patched.attempts[1]?.request.body as Record<string, unknown>;
    expect(put.meta).toBeUndefined();

    const disabled = await client.disableUser(user.id);
    expect(disabled.attempts.map((a) => a.request.method)).toEqual(['GET', 'PUT']);
    expect((await server.raw('Users', user.id))?.active).toBe(false);
    const received = await server.requests();
    expect(received.some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('applies filtered paths locally before the PUT, and refuses unusable paths before sending', async () => {
    const user = valueOf(
      await client.createUser({
        userName: 'paths@example.com',
        title: 'T',
        emails: [{ type: 'work', value: 'w@example.com' }],
      }),
    );
    const changed = await client.patchUser(user.id, [
      { path: 'emails[type eq "work"].value', value: 'w2@example.com' },
      { path: 'emails[type eq "home"].value', value: 'h@example.com' },
      // Already absent: nothing to remove, and no reason to fail.
      { path: 'phoneNumbers[type eq "work"].value', value: null },
    ]);
    expect(changed.attempts.map((a) => a.request.method)).toEqual(['GET', 'PUT']);
    expect(valueOf(changed)?.emails).toEqual([
      { type: 'work', value: 'w2@example.com' },
      { type: 'home', value: 'h@example.com' },
    ]);

    // A filter on a single-valued attribute: what the target makes of the PUT decides.
    const refused = await client.patchUser(user.id, [
      { path: 'title[type eq "x"].value', value: 'y' },
    ]);
    expect(failureOf(refused).code).toBe('ScimInvalidValue');
    expect(refused.attempts.map((a) => a.response?.status)).toEqual([200, 400]);

    const bad = await client.patchUser(user.id, [{ path: 'emails[type eq ].value', value: 'x' }]);
    expect(failureOf(bad).code).toBe('ConfigurationError');
    expect(bad.attempts).toEqual([]);
  });

  it('changes group members by GET + PUT', async () => {
    const a = valueOf(await client.createUser({ userName: 'pa@example.com' }));
    const b = valueOf(await client.createUser({ userName: 'pb@example.com' }));
    const group = valueOf(
      await client.createGroup({ displayName: 'Put group', members: [{ value: a.id }] }),
    );
    const changed = await client.changeGroupMembers(group.id, { add: [b.id], remove: [a.id] });
    expect(changed.attempts.map((r) => r.request.method)).toEqual(['GET', 'PUT']);
    const members = (await server.raw('Groups', group.id))?.members as { value: string }[];
    expect(members.map((m) => m.value)).toEqual([b.id]);
  });
});
