/**
 * A real SCIM 2.0 server for tests: scimmy + scimmy-routers on express, users and groups in
 * memory. scimmy is a process-wide singleton, so each server runs in its own process
 * (started by `scim-server.ts`). Options come as JSON in SCIM_SERVER_OPTIONS; the port it
 * listens on is printed as `{"port":n}` on the first line of stdout.
 *
 * `/_control/*` (no auth) lets a test change accepted tokens, read what the server stored
 * (passwords included, to prove they were sent) and which requests it received.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { filter as compileFilter, parse as parseFilter, type Filter } from 'scim2-parse-filter';

interface ServerOptions {
  tokens: string[];
  basic?: { username: string; password: string };
  patch: boolean;
}

type Stored = Record<string, unknown> & { id: string };

const options = JSON.parse(process.env.SCIM_SERVER_OPTIONS ?? '{}') as ServerOptions;
let tokens = new Set(options.tokens ?? []);
const users = new Map<string, Stored>();
const groups = new Map<string, Stored>();
const received: { method: string; url: string }[] = [];
/** Filters parsed here rather than by scimmy (see the /scim/v2 middleware). */
const filters = new WeakMap<express.Request, Filter>();

/**
 * What scimmy hands an ingress handler, as plain JSON without the server-owned parts. Its
 * JSON form leaves out attributes never returned (password), which a server does store.
 */
function plain(instance: unknown): Record<string, unknown> {
  const {
    schemas: _s,
    meta: _m,
    id: _i,
    ...rest
  } = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
  const password = (instance as { password?: unknown }).password;
  return password === undefined ? rest : { ...rest, password };
}

function folded(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

interface Handlers {
  ingress: (resource: { id?: string }, instance: unknown) => Stored;
  egress: (resource: { id?: string }, ctx?: { filter?: Filter }) => Stored[];
  degress: (resource: { id?: string }) => void;
}

/** In-memory handlers for one resource type; `unique` is checked case-insensitively. */
function handlers(store: Map<string, Stored>, unique: string | undefined): Handlers {
  const ingress = (resource: { id?: string }, instance: unknown): Stored => {
    const data = plain(instance);
    const id = resource.id ?? randomUUID();
    const existing = resource.id === undefined ? undefined : store.get(resource.id);
    if (resource.id !== undefined && !existing)
      throw new SCIMMY.Types.Error(404, '', `Resource ${resource.id} not found`);
    if (unique) {
      const key = folded(data[unique]);
      for (const other of store.values()) {
        if (other.id !== id && key !== undefined && folded(other[unique]) === key)
          throw new SCIMMY.Types.Error(409, 'uniqueness', `${unique} is already taken`);
      }
    }
    const now = new Date().toISOString();
    const created = (existing?.meta as { created?: string } | undefined)?.created ?? now;
    // scimmy hides the password on read, so a PATCH or PUT arrives without it: keep it.
    if (data.password === undefined && existing?.password !== undefined)
      data.password = existing.password;
    const record: Stored = { ...data, id, meta: { created, lastModified: now } };
    store.set(id, record);
    return record;
  };
  const egress = (resource: { id?: string }, ctx?: { filter?: Filter }): Stored[] => {
    if (resource.id !== undefined) {
      const found = store.get(resource.id);
      if (!found) throw new SCIMMY.Types.Error(404, '', `Resource ${resource.id} not found`);
      return [found];
    }
    const all = [...store.values()];
    return ctx?.filter ? all.filter(compileFilter(ctx.filter)) : all;
  };
  const degress = (resource: { id?: string }): void => {
    if (resource.id === undefined || !store.delete(resource.id))
      throw new SCIMMY.Types.Error(404, '', `Resource ${resource.id} not found`);
  };
  return { ingress, egress, degress };
}

// scimmy types each handler against its own schema class; these work on plain JSON.
const userHandlers = handlers(users, 'userName');
const groupHandlers = handlers(groups, undefined);
SCIMMY.Resources.User.ingress(userHandlers.ingress as never)
  .egress(userHandlers.egress as never)
  .degress(userHandlers.degress);
SCIMMY.Resources.Group.ingress(groupHandlers.ingress as never)
  .egress(groupHandlers.egress as never)
  .degress(groupHandlers.degress);
SCIMMY.Resources.declare(SCIMMY.Resources.User);
SCIMMY.Resources.declare(SCIMMY.Resources.Group);

function authenticate(req: express.Request): string {
  const header = req.header('authorization') ?? '';
  if (header.startsWith('Bearer ') && tokens.has(header.slice(7))) return 'bearer-client';
  if (header.startsWith('Basic ') && options.basic) {
    const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    if (user === options.basic.username && rest.join(':') === options.basic.password)
      return 'basic-client';
  }
  throw new Error('Authorization failed');
}

const app = express();
app.use(express.json({ type: ['application/json', 'application/scim+json'] }));

app.post('/_control/reset', (_req, res) => {
  users.clear();
  groups.clear();
  received.length = 0;
  res.status(204).end();
});
app.put('/_control/tokens', (req, res) => {
  tokens = new Set((req.body as { tokens: string[] }).tokens);
  res.status(204).end();
});
app.get('/_control/requests', (_req, res) => {
  res.json(received);
});
app.get('/_control/raw/:type/:id', (req, res) => {
  const store = req.params.type === 'Groups' ? groups : users;
  const found = store.get(req.params.id);
  if (found) res.json(found);
  else res.status(404).end();
});

app.use('/scim/v2', (req, res, next) => {
  received.push({ method: req.method, url: req.originalUrl });
  // scimmy-routers always serves PATCH; a server that says it has none must refuse it.
  if (!options.patch && req.method === 'PATCH') {
    res
      .status(501)
      .type('application/scim+json')
      .send({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '501',
        detail: 'PATCH not supported',
      });
    return;
  }
  // scimmy's filter lexer ends a string at an escaped quote (`"a\\"b"`), which RFC 7644
  // §3.4.2.2 allows; the filter is parsed with scim2-parse-filter instead and handed to
  // the egress handler, and the query reaches scimmy without it.
  const url = new URL(req.url, 'http://x');
  const expression = url.searchParams.get('filter');
  if (req.method === 'GET' && expression !== null) {
    try {
      filters.set(req, parseFilter(expression));
    } catch (error) {
      res
        .status(400)
        .type('application/scim+json')
        .send({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '400',
          scimType: 'invalidFilter',
          detail: String(error),
        });
      return;
    }
    url.searchParams.delete('filter');
    req.url = `${url.pathname}${url.search}`;
  }
  next();
});
app.use(
  '/scim/v2',
  new SCIMMYRouters({
    type: 'bearer',
    handler: authenticate,
    context: (req) => ({ filter: filters.get(req) }),
  }),
);
// The routers set the capabilities they serve; this server may then take PATCH away.
SCIMMY.Config.set({ patch: options.patch, bulk: false, etag: false });

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

// The parent owns this process: when it goes, so does the server.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
