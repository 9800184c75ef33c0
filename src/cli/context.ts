import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/build-app.ts';
import { ProvlogClient } from '../client/provlog-client.ts';
import { injectFetch } from '../client/inject-fetch.ts';
import { loadConfig, type Config } from '../config.ts';
import { createOutbound, createRunner, openStore, type ProvlogStore } from '../main.ts';

export interface ClientContext {
  client: ProvlogClient;
  /** Talking to a running provlog (else to an in-process API over the local store). */
  remote: boolean;
  close(): Promise<void>;
}

/**
 * The query commands talk to the API through the typed client: to a running provlog when
 * `--url`/PROVLOG_URL names one, otherwise to an in-process API over the local store.
 */
export async function openClient(opts: { url?: string; data?: string }): Promise<ClientContext> {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const url = opts.url ?? config.url;
  if (url)
    return {
      client: new ProvlogClient({ baseUrl: url, token: config.adminToken }),
      remote: true,
      close: async () => {},
    };
  const store = await openStore(config);
  // Retry, confirm, re-trigger and provision on demand run the engine here, on the local store.
  const outbound = createOutbound(store);
  const app: FastifyInstance = await buildApp({
    store,
    directory: store.directory,
    config: store.config,
    runner: createRunner(store, outbound),
    outbound,
  });
  return {
    client: new ProvlogClient({ baseUrl: 'http://provlog.local', fetch: injectFetch(app) }),
    remote: false,
    close: async () => {
      await app.close();
      await outbound.deps.clients.close();
      await store.close();
    },
  };
}

export async function withStore<T>(
  opts: { data?: string },
  fn: (store: ProvlogStore, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
  const store = await openStore(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
