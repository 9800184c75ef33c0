import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresLogStore } from '../../src/store/postgres/postgres-log-store.ts';
import type { MigrationProgress } from '../../src/store/log-store.ts';

/** The real PostgreSQL the tests use (trust auth, database `test`). */
export const TEST_DATABASE_URL =
  process.env.PROVLOG_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers. Outside CI a missing server skips its tests and says so;
 * in CI (`CI=true`) it is a failure, because nothing may be skipped there.
 */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    if (process.env.CI === 'true')
      throw new Error(
        `PostgreSQL is required in CI but not reachable at ${TEST_DATABASE_URL}: ${(err as Error).message}`,
      );
    process.stderr.write(
      `\n[provlog tests] SKIPPED PostgreSQL tests: no server at ${TEST_DATABASE_URL} (${(err as Error).message})\n`,
    );
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export const uniqueSchema = (prefix: string) =>
  `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/**
 * A store on the test server in a schema of its own (or the one given), sealing secrets with
 * a key of its own so no key file is written into the working folder; `close` also drops the
 * schema.
 */
export async function openTestPostgresStore(
  prefix: string,
  schema = uniqueSchema(prefix),
  onMigration?: MigrationProgress,
): Promise<{ store: PostgresLogStore; schema: string; close: () => Promise<void> }> {
  const store = await PostgresLogStore.connect({
    connectionString: TEST_DATABASE_URL,
    schema,
    poolSize: 2,
    secretKeyHex: randomBytes(32).toString('hex'),
    ...(onMigration ? { onMigration } : {}),
  });
  // Bound now: a caller may put `close` in the store's place.
  const closeStore = store.close.bind(store);
  return {
    store,
    schema,
    close: async () => {
      await closeStore();
      await dropSchema(schema);
    },
  };
}
