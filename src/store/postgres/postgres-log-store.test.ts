import { describeLogStoreContract } from '../../../test/helpers/store-contract.ts';
import { openTestPostgresStore, postgresAvailable } from '../../../test/helpers/postgres.ts';
import { describe, it } from 'vitest';

const available = await postgresAvailable();

if (available) {
  describeLogStoreContract('PostgreSQL', async () => {
    const { store, close } = await openTestPostgresStore('provlog_test');
    store.close = close;
    return store;
  });
} else {
  describe.skip('PostgreSQL log store (no server reachable; see the message above)', () => {
    it('runs the store contract', () => {});
  });
}
