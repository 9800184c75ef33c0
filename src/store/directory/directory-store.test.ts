import { describeDirectoryContract } from '../../../test/helpers/directory-contract.ts';
import { openTestPostgresStore, postgresAvailable } from '../../../test/helpers/postgres.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';

describeDirectoryContract('SQLite', async () => {
  const store = new SqliteLogStore({ file: ':memory:' });
  return { directory: store.directory, close: () => store.close() };
});

if (await postgresAvailable()) {
  describeDirectoryContract('PostgreSQL', async () => {
    const { store, close } = await openTestPostgresStore('provlog_dir');
    return { directory: store.directory, close };
  });
}
