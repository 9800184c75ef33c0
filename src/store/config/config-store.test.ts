import pg from 'pg';
import { describeConfigContract } from '../../../test/helpers/config-contract.ts';
import {
  TEST_DATABASE_URL,
  openTestPostgresStore,
  postgresAvailable,
} from '../../../test/helpers/postgres.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';
import { describe, expect, it } from 'vitest';
import { cronProblem } from './cron-check.ts';

describeConfigContract('SQLite', async () => {
  const store = new SqliteLogStore({ file: ':memory:' });
  return {
    config: store.config,
    dump: async () => {
      const tables = store.db
        // The log's free-text index keeps no text to read back (its shadow tables are read).
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'entries_words'")
        .pluck()
        .all() as string[];
      return tables
        .map((t) => JSON.stringify(store.db.prepare(`SELECT * FROM "${t}"`).all()))
        .join('\n');
    },
    close: () => store.close(),
  };
});

if (await postgresAvailable()) {
  describeConfigContract('PostgreSQL', async () => {
    const { store, schema, close } = await openTestPostgresStore('provlog_cfg');
    return {
      config: store.config,
      dump: async () => {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        try {
          const tables = await client.query<{ table_name: string }>(
            'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
            [schema],
          );
          const out: string[] = [];
          for (const { table_name } of tables.rows)
            out.push(
              JSON.stringify((await client.query(`SELECT * FROM ${schema}."${table_name}"`)).rows),
            );
          return out.join('\n');
        } finally {
          await client.end();
        }
      },
      close,
    };
  });
}

describe('cronProblem', () => {
  it('accepts 5- and 6-field expressions, names, lists, ranges, steps and nicknames', () => {
    for (const ok of [
      '* * * * *',
      '*/15 * * * *',
      '0 9-17 * * mon-fri',
      '0 0 1,15 * *',
      '30 2 * jan,jul sun',
      '0 */5 * * * *',
      '0 0 L * ?',
      '0 0 * * 5#3',
      '@daily',
    ])
      expect(cronProblem(ok), ok).toBeUndefined();
  });

  it('says what is wrong', () => {
    expect(cronProblem('* * *')).toMatch(/3 field/);
    expect(cronProblem('60 * * * *')).toMatch(/minute field allows 0-59/);
    expect(cronProblem('* 24 * * *')).toMatch(/hour/);
    expect(cronProblem('* * 0 * *')).toMatch(/day of month/);
    expect(cronProblem('* * * 13 *')).toMatch(/month/);
    expect(cronProblem('*/0 * * * *')).toMatch(/step of 0/);
    expect(cronProblem('x * * * *')).toMatch(/not valid/);
    expect(cronProblem('* * * * * * *')).toMatch(/7 field/);
  });
});
