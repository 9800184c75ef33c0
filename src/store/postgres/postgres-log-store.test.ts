import { randomBytes } from 'node:crypto';
import { describeLogStoreContract } from '../../../test/helpers/store-contract.ts';
import {
  dropSchema,
  postgresAvailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '../../../test/helpers/postgres.ts';
import { PostgresLogStore } from './postgres-log-store.ts';
import { describe, it } from 'vitest';

const available = await postgresAvailable();

if (available) {
  describeLogStoreContract('PostgreSQL', async () => {
    const schema = uniqueSchema('provlog_test');
    const store = await PostgresLogStore.connect({
      connectionString: TEST_DATABASE_URL,
      schema,
      poolSize: 2,
      // A key of the test's own: no key file is written into the working folder.
      secretKeyHex: randomBytes(32).toString('hex'),
    });
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      await dropSchema(schema);
    };
    return store;
  });
} else {
  describe.skip('PostgreSQL log store (no server reachable; see the message above)', () => {
    it('runs the store contract', () => {});
  });
}
