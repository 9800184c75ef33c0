import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/build-app.ts';
import { sqliteFile, type Config } from './config.ts';
import type { LogStore, MigrationProgress } from './store/log-store.ts';
import { SqliteLogStore } from './store/sqlite/sqlite-log-store.ts';
import { registerConsole } from './api/console.ts';
import type { DirectoryStore } from './store/directory/directory-store.ts';
import type { ConfigStore } from './store/config/config-store.ts';
import type { OutboundStore } from './store/outbound/outbound-store.ts';
import { JobRunner } from './engine/job-runner.ts';
import { OutboundEngine } from './engine/outbound/outbound-engine.ts';
import { ScimClients } from './engine/outbound/scim-clients.ts';

/** A log store with the hub directory, systems and jobs in the same database. */
export type ProvlogStore = LogStore & {
  readonly directory: DirectoryStore;
  readonly config: ConfigStore;
  readonly outbound: OutboundStore;
};

/**
 * What an operator reads while an existing store's schema is upgraded: the start waits for it,
 * and rebuilding a large log's table takes a while.
 */
export const reportMigration: MigrationProgress = (step) => {
  const what = `${basename(step.store)} to schema version ${step.version} (${step.name})`;
  process.stderr.write(
    step.done
      ? `Upgraded ${what} in ${(step.seconds ?? 0).toFixed(1)} s.\n`
      : `Upgrading ${what}…\n`,
  );
};

/** The only wiring: config → store → API (+ console). */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'secretKeyHex'>,
  onMigration: MigrationProgress = reportMigration,
): Promise<ProvlogStore> {
  const key = config.secretKeyHex ? { secretKeyHex: config.secretKeyHex } : {};
  if (config.databaseUrl) {
    const { PostgresLogStore } = await import('./store/postgres/postgres-log-store.ts');
    return PostgresLogStore.connect({
      connectionString: config.databaseUrl,
      keyDir: config.dataDir,
      ...key,
      onMigration,
    });
  }
  // The log is written from a thread of its own: ingest prepares while it stores.
  return new SqliteLogStore({
    file: sqliteFile(config),
    ...key,
    writerThread: true,
    onMigration,
  });
}

/** The outbound engine over a store (cycles, push, retries, health). */
export function createOutbound(store: ProvlogStore): OutboundEngine {
  const clients = new ScimClients((id) => store.config.getSystemSecrets(id));
  return new OutboundEngine({
    jobs: store.config,
    directory: store.directory,
    log: store,
    outbound: store.outbound,
    clients,
  });
}

/** The engine's job runner over a store. */
export function createRunner(store: ProvlogStore, outbound = createOutbound(store)): JobRunner {
  return new JobRunner({ jobs: store.config, directory: store.directory, log: store, outbound });
}

export async function createServer(
  config: Config,
  store: ProvlogStore,
  outbound = createOutbound(store),
  runner = createRunner(store, outbound),
): Promise<FastifyInstance> {
  return buildApp({
    store,
    directory: store.directory,
    config: store.config,
    runner,
    outbound,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    extend: (app) => registerConsole(app),
  });
}
