import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ScimServerOptions {
  /** Bearer tokens the server accepts. */
  tokens?: string[];
  basic?: { username: string; password: string };
  /** Whether the server supports (and advertises) PATCH; default true. */
  patch?: boolean;
}

/** A scimmy SCIM server in a child process, on a free loopback port. */
export interface ScimTestServer {
  /** The SCIM base URL, e.g. `http://127.0.0.1:5123/scim/v2`. */
  baseUrl: string;
  origin: string;
  setTokens(tokens: string[]): Promise<void>;
  /** Empties users, groups and the request log. */
  reset(): Promise<void>;
  /** The SCIM requests received, in order. */
  requests(): Promise<{ method: string; url: string }[]>;
  /** A stored user or group as the server keeps it (write-only attributes included). */
  raw(type: 'Users' | 'Groups', id: string): Promise<Record<string, unknown> | undefined>;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./scim-server-main.ts', import.meta.url));

export async function startScimServer(options: ScimServerOptions = {}): Promise<ScimTestServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      SCIM_SERVER_OPTIONS: JSON.stringify({
        tokens: options.tokens ?? [],
        basic: options.basic,
        patch: options.patch ?? true,
      }),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await readPort(child);
  const origin = `http://127.0.0.1:${port}`;
  const control = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${origin}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 500) throw new Error(`scim test server: ${method} ${path} → ${res.status}`);
    return res;
  };
  return {
    baseUrl: `${origin}/scim/v2`,
    origin,
    setTokens: async (tokens) => void (await control('PUT', '/tokens', { tokens })),
    reset: async () => void (await control('POST', '/reset')),
    requests: async () =>
      (await (await control('GET', '/requests')).json()) as { method: string; url: string }[],
    raw: async (type, id) => {
      const res = await control('GET', `/raw/${type}/${encodeURIComponent(id)}`);
      return res.status === 404 ? undefined : ((await res.json()) as Record<string, unknown>);
    },
    stop: () => stopChild(child),
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('scim test server did not start within 20 s'));
    }, 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve(port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scim test server exited with ${code} before listening`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // Closing stdin ends it cleanly; the signal is the fallback.
    child.stdin?.end();
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  });
}
