import { describeLogStoreContract } from '../../../test/helpers/store-contract.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

describeLogStoreContract('SQLite', async () => new SqliteLogStore({ file: ':memory:' }));
