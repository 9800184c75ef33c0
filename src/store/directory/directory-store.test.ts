import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDirectoryContract } from '../../../test/helpers/directory-contract.ts';
import { openTestPostgresStore, postgresAvailable } from '../../../test/helpers/postgres.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';

describeDirectoryContract('SQLite', async () => {
  const store = new SqliteLogStore({ file: ':memory:' });
  return { directory: store.directory, close: () => store.close() };
});

// A file-backed store with its log's writer thread: write-behind rows of a transaction that
// wrote nothing else are handed to that thread's connection to the hub.
describeDirectoryContract('SQLite with a log writer thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-dir-'));
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db'), writerThread: true });
  return {
    directory: store.directory,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (await postgresAvailable()) {
  describeDirectoryContract('PostgreSQL', async () => {
    const { store, close } = await openTestPostgresStore('provlog_dir');
    return { directory: store.directory, close };
  });
}
