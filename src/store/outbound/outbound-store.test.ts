import { describeOutboundContract } from '../../../test/helpers/outbound-contract.ts';
import { openTestPostgresStore, postgresAvailable } from '../../../test/helpers/postgres.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';

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
    const { store, close } = await openTestPostgresStore('provlog_out');
    return { log: store, directory: store.directory, outbound: store.outbound, close };
  });
}
