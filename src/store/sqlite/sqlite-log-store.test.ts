import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLogStoreContract } from '../../../test/helpers/store-contract.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

describeLogStoreContract('SQLite', async () => new SqliteLogStore({ file: ':memory:' }));

// The same behaviour with the log written from its own thread and connection.
describeLogStoreContract('SQLite with a writer thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-writer-'));
  const store = new SqliteLogStore({
    file: join(dir, 'provlog.db'),
    secretKeyHex: '0'.repeat(64),
    writerThread: true,
  });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  return store;
});
