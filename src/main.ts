import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/build-app.ts';
import { sqliteFile, type Config } from './config.ts';
import type { LogStore } from './store/log-store.ts';
import { SqliteLogStore } from './store/sqlite/sqlite-log-store.ts';
import { registerConsole } from './api/console.ts';
import type { DirectoryStore } from './store/directory/directory-store.ts';
import type { ConfigStore } from './store/config/config-store.ts';
import type { OutboundStore } from './store/outbound/outbound-store.ts';
import { JobRunner } from './engine/job-runner.ts';

/** A log store with the hub directory, systems and jobs in the same database. */
export type ProvlogStore = LogStore & {
  readonly directory: DirectoryStore;
  readonly config: ConfigStore;
  readonly outbound: OutboundStore;
};

/** The only wiring: config → store → API (+ console). */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'secretKeyHex'>,
): Promise<ProvlogStore> {
  const key = config.secretKeyHex ? { secretKeyHex: config.secretKeyHex } : {};
  if (config.databaseUrl) {
    const { PostgresLogStore } = await import('./store/postgres/postgres-log-store.ts');
    return PostgresLogStore.connect({
      connectionString: config.databaseUrl,
      keyDir: config.dataDir,
      ...key,
    });
  }
  return new SqliteLogStore({ file: sqliteFile(config), ...key });
}

/** The engine's job runner over a store. */
export function createRunner(store: ProvlogStore): JobRunner {
  return new JobRunner({ jobs: store.config, directory: store.directory, log: store });
}

export async function createServer(
  config: Config,
  store: ProvlogStore,
  runner = createRunner(store),
): Promise<FastifyInstance> {
  return buildApp({
    store,
    directory: store.directory,
    config: store.config,
    runner,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    extend: (app) => registerConsole(app),
  });
}
