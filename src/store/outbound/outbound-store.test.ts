import { randomBytes } from 'node:crypto';
import { describeOutboundContract } from '../../../test/helpers/outbound-contract.ts';
import {
  dropSchema,
  postgresAvailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '../../../test/helpers/postgres.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';
import { PostgresLogStore } from '../postgres/postgres-log-store.ts';

describeOutboundContract('SQLite', async () => {
  const store = new SqliteLogStore({ file: ':memory:' });
  return {
    log: store,
    directory: store.directory,
    outbound: store.outbound,
    close: () => store.close(),
  };
});

if (await postgresAvailable()) {
  describeOutboundContract('PostgreSQL', async () => {
    const schema = uniqueSchema('provlog_out');
    const store = await PostgresLogStore.connect({
      connectionString: TEST_DATABASE_URL,
      schema,
      poolSize: 2,
      // A key of the test's own: no key file is written into the working folder.
      secretKeyHex: randomBytes(32).toString('hex'),
    });
    return {
      log: store,
      directory: store.directory,
      outbound: store.outbound,
      close: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });
}
