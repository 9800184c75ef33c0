import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does to one request instead of (or before) forwarding it. */
export type Fault =
  /** Answer this, without asking upstream. A string body is sent as is, anything else as JSON. */
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then forward. */
  | { kind: 'delay'; ms: number }
  /** Close the connection without answering. */
  | { kind: 'drop' }
  /** Send the headers and part of a body, then close the connection. */
  | { kind: 'drop-mid-body' }
  /** A 200 whose JSON body never ends. */
  | { kind: 'endless' };

export interface FaultRule {
  fault: Fault;
  /** How many matching requests it applies to; default 1. */
  times?: number;
  method?: string;
  /** Applies when the request path contains this. */
  path?: string;
}

/** An HTTP proxy in front of a test server that misbehaves on command. */
export interface FaultProxy {
  origin: string;
  inject(rule: FaultRule): void;
  clear(): void;
  /** Requests the proxy received, with their headers, in order. */
  seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamOrigin: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamOrigin);
  const rules: (FaultRule & { left: number })[] = [];
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const rule = rules.find(
      (r) =>
        r.left > 0 &&
        (r.method === undefined || r.method === req.method) &&
        (r.path === undefined || (req.url ?? '').includes(r.path)),
    );
    if (rule) rule.left -= 1;
    const fault = rule?.fault;
    switch (fault?.kind) {
      case undefined:
        return pass(req, res);
      case 'respond':
        return respond(res, fault);
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          pass(req, res);
        }, fault.ms);
        timers.add(timer);
        return;
      }
      case 'drop':
        return void req.socket.destroy();
      case 'drop-mid-body':
        res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '1000' });
        res.write('{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resou');
        return void setTimeout(() => req.socket.destroy(), 20);
      case 'endless':
        return endless(res);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function pass(req: IncomingMessage, res: ServerResponse): void {
    const out = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    inject: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    clear: () => {
      rules.length = 0;
      seen.length = 0;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function respond(res: ServerResponse, fault: Extract<Fault, { kind: 'respond' }>): void {
  const text =
    fault.body === undefined
      ? ''
      : typeof fault.body === 'string'
        ? fault.body
        : JSON.stringify(fault.body);
  const type = typeof fault.body === 'string' ? 'text/html' : 'application/scim+json';
  res.writeHead(fault.status, { 'content-type': type, ...fault.headers });
  res.end(text);
}

/** Writes JSON-looking chunks as fast as the client reads, until it hangs up. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/scim+json' });
  res.write('{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[');
  const chunk = `${JSON.stringify({ id: 'x', userName: 'y'.repeat(1000) })},`.repeat(16);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      /* keep writing while the socket takes it */
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}
