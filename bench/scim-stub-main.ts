import { createServer } from 'node:http';

/**
 * A minimal in-memory SCIM 2.0 users endpoint for the bench: the engine's speed, not the
 * test server's (scimmy filters by scanning every user, which 100,000 users make quadratic).
 * Run as a child process; prints `{"port":n}`.
 */
const users = new Map<string, Record<string, unknown>>();
const byName = new Map<string, string>();
let next = 1;
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/scim\/v2/, '');
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/scim+json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const body = chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)
      : {};
    if (path === '/ServiceProviderConfig')
      return send(200, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        filter: { supported: true, maxResults: 200 },
        bulk: { supported: false },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: false },
        authenticationSchemes: [],
      });
    if (path === '/Users' && req.method === 'GET') {
      // `userName eq "a"`, or several joined by `or` (the engine's batch matching).
      const filter = url.searchParams.get('filter') ?? '';
      const found = [...filter.matchAll(/userName eq "([^"]*)"/g)]
        .map((m) => byName.get(m[1]!.toLowerCase()))
        .filter((id) => id !== undefined)
        .map((id) => users.get(id)!);
      return send(200, {
        schemas: [LIST],
        totalResults: found.length,
        startIndex: 1,
        itemsPerPage: found.length,
        Resources: found,
      });
    }
    if (path === '/Users' && req.method === 'POST') {
      const name = String(body.userName).toLowerCase();
      if (byName.has(name))
        return send(409, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '409',
          scimType: 'uniqueness',
        });
      const id = String(next++);
      const user = {
        ...body,
        id,
        meta: { resourceType: 'User', created: new Date().toISOString() },
      };
      users.set(id, user);
      byName.set(name, id);
      return send(201, user);
    }
    const one = /^\/Users\/([^/]+)$/.exec(path);
    const user = one ? users.get(decodeURIComponent(one[1]!)) : undefined;
    if (!user)
      return send(404, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    if (req.method === 'GET') return send(200, user);
    if (req.method === 'PATCH') {
      for (const op of (body.Operations ?? []) as Array<{
        op: string;
        path: string;
        value: unknown;
      }>)
        if (!op.path.includes('.') && !op.path.includes('[')) user[op.path] = op.value;
      return send(200, user);
    }
    if (req.method === 'DELETE') {
      users.delete(String(user.id));
      return send(204);
    }
    send(405);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`,
  );
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
