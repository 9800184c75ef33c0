import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entry, task } from '../../../test/helpers/entries.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

const NOW = Date.parse('2026-11-21T00:00:00Z');
const line = (kind: 'task' | 'entry', value: object) => JSON.stringify({ kind, ...value });
const dirs: string[] = [];
const stores: SqliteLogStore[] = [];

function open(): SqliteLogStore {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-lines-'));
  dirs.push(dir);
  const store = new SqliteLogStore({
    file: join(dir, 'provlog.db'),
    secretKeyHex: '0'.repeat(64),
    writerThread: true,
  });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `n` entries of task t1, the system `app` named `name`, minutes apart. */
const entries = (prefix: string, n: number, name = 'App') =>
  Array.from({ length: n }, (_, i) =>
    line(
      'entry',
      entry(`${prefix}${i}`, { taskId: 't1', minutes: i, targetSystem: { id: 'app', name } }),
    ),
  );

describe('NDJSON lines on the writer thread (stored a chunk at a time)', () => {
  it('stores a body of several chunks as one, refusals in line order', async () => {
    const store = open();
    const lines = [line('task', task('t1')), ...entries('c', 1200)];
    // Refusals spread over the chunks: a bad status, a line without a kind, a duplicate.
    lines.splice(300, 0, line('entry', entry('bad1', { status: 'bogus' as 'success' })));
    lines.splice(800, 0, JSON.stringify({ changeId: 'x' }));
    lines.push(lines[5]!);
    const result = await store.ingestLines!(lines.join('\n'), NOW);
    expect(result.accepted).toBe(1201);
    expect(result.duplicates).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.changeId ?? null])).toEqual([
      [300, 'bad1'],
      [800, null],
    ]);
    const t = await store.getTask('t1');
    expect(t?.counts.processed).toBe(1200);
    expect((await store.facets({})).status).toEqual({ success: 1200 });
  });

  it('stores nothing of a body refused at a late line, and still reports a later rename', async () => {
    const store = open();
    await store.ingestLines!(entries('a', 1).join('\n'), NOW);
    const first = await store.listEntries({}, { limit: 1 });
    expect(first.items[0]?.targetSystem?.name).toBe('App');
    // Chunks of this body (for another system) are written before its last line is read: all
    // of them are undone, and the writer must still know the name it had for `app`.
    const other = entries('b', 1100).map((l) => l.replaceAll('"id":"app"', '"id":"crm"'));
    const refused = [...other, '{not json'].join('\n');
    await expect(store.ingestLines!(refused, NOW)).rejects.toThrow(/Line 1101 is not valid JSON/);
    expect((await store.facets({})).status).toEqual({ success: 1 });
    // Now `app` is renamed: readers must drop the name they cached.
    await store.ingestLines!(entries('c', 1, 'App 2').join('\n'), NOW);
    const page = await store.listEntries({}, { limit: 10 });
    expect(page.items.map((e) => e.targetSystem?.name)).toEqual(['App 2', 'App 2']);
  });
});
