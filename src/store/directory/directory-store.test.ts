import { randomBytes } from 'node:crypto';
import { describeDirectoryContract } from '../../../test/helpers/directory-contract.ts';
import {
  dropSchema,
  postgresAvailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '../../../test/helpers/postgres.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';
import { PostgresLogStore } from '../postgres/postgres-log-store.ts';

describeDirectoryContract('SQLite', async () => {
  const store = new SqliteLogStore({ file: ':memory:' });
  return { directory: store.directory, close: () => store.close() };
});

if (await postgresAvailable()) {
  describeDirectoryContract('PostgreSQL', async () => {
    const schema = uniqueSchema('provlog_dir');
    const store = await PostgresLogStore.connect({
      connectionString: TEST_DATABASE_URL,
      schema,
      poolSize: 2,
      // A key of the test's own: no key file is written into the working folder.
      secretKeyHex: randomBytes(32).toString('hex'),
    });
    return {
      directory: store.directory,
      close: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });
}
