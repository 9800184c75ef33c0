import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer } from './checkpointer.ts';
import { WalProgressReader } from './wal-progress.ts';
import { fill, removeWalDatabases, walDatabase } from '../../../test/helpers/wal-database.ts';

const open: Checkpointer[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  removeWalDatabases();
});
const checkpointer = (files: Array<{ file: string; frames: number }>) => {
  const c = new Checkpointer(files);
  open.push(c);
  return c;
};

describe('Checkpointer', () => {
  it('copies a WAL into its database once a commit leaves it past its limit, and not before', async () => {
    const { file, db } = walDatabase();
    const progress = new WalProgressReader(`${file}-shm`);
    fill(db, 30);
    const c = checkpointer([{ file, frames: 50 }]);
    expect(await c.notify('committed')).toBe(0);
    expect(progress.read()!.backfilled).toBe(0);
    fill(db, 30);
    expect(await c.notify('committed')).toBeGreaterThan(0);
    const p = progress.read()!;
    expect(p.frames).toBeGreaterThanOrEqual(60);
    expect(p.backfilled).toBe(p.frames);
    // The writer's next transaction starts the WAL over, as after a checkpoint of its own.
    fill(db, 1);
    expect(progress.read()!.frames).toBeLessThan(p.frames);
    progress.close();
    db.close();
  });

  it('copies whatever waits when the writers rest, for every database it watches', async () => {
    const a = walDatabase();
    const b = walDatabase();
    fill(a.db, 3);
    fill(b.db, 2);
    const c = checkpointer([
      { file: a.file, frames: 1000 },
      { file: b.file, frames: 1000 },
    ]);
    expect(await c.notify('committed')).toBe(0);
    expect(await c.notify('rested')).toBe(2);
    for (const { file, db } of [a, b]) {
      const p = new WalProgressReader(`${file}-shm`).read()!;
      expect(p.backfilled).toBe(p.frames);
      db.close();
    }
  });

  it('says it failed when it cannot open a database, and refuses calls once closed', async () => {
    const { file, db } = walDatabase();
    const missing = checkpointer([{ file: join(file, '..', 'absent.db'), frames: 10 }]);
    await expect(missing.notify('rested')).rejects.toThrow(/checkpointer/);
    expect(missing.failed).toBeDefined();
    const c = checkpointer([{ file, frames: 10 }]);
    await c.close();
    await expect(c.notify('rested')).rejects.toThrow(/checkpointer/);
    db.close();
  });
});
