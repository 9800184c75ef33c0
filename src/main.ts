import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/build-app.ts';
import { ConfigError, sqliteFile, type Config } from './config.ts';
import type { LogStore } from './store/log-store.ts';
import { SqliteLogStore } from './store/sqlite/sqlite-log-store.ts';
import { registerConsole } from './api/console.ts';

/** The only wiring: config → store → API (+ console). */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<LogStore> {
  if (config.databaseUrl) {
    throw new ConfigError('PROVLOG_DATABASE_URL is set, but this build has only the embedded SQLite store; unset it to use SQLite');
  }
  return new SqliteLogStore({ file: sqliteFile(config) });
}

export async function createServer(config: Config, store: LogStore): Promise<FastifyInstance> {
  return buildApp({
    store,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    extend: (app) => registerConsole(app),
  });
}
