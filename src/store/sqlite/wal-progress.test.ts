import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, removeWalDatabases, walDatabase } from '../../../test/helpers/wal-database.ts';
import { WalProgressReader } from './wal-progress.ts';

afterEach(removeWalDatabases);

describe('WalProgressReader', () => {
  it('reads the frames in the WAL and those copied into the database, as SQLite counts them', () => {
    const { file, db } = walDatabase();
    fill(db, 40);
    const reader = new WalProgressReader(`${file}-shm`);
    const before = reader.read();
    expect(before).toBeDefined();
    expect(before!.frames).toBeGreaterThanOrEqual(40);
    expect(before!.backfilled).toBe(0);
    // SQLite's own count: a passive checkpoint answers with the frames in the WAL and copied.
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{
      log: number;
      checkpointed: number;
    }>;
    expect(r!.log).toBe(before!.frames);
    expect(reader.read()).toEqual({ frames: r!.log, backfilled: r!.checkpointed });
    expect(r!.checkpointed).toBe(r!.log);
    // The next commit finds the WAL copied whole and starts it over.
    fill(db, 5);
    const after = reader.read()!;
    expect(after.frames).toBeGreaterThanOrEqual(5);
    expect(after.frames).toBeLessThan(before!.frames);
    expect(after.backfilled).toBe(0);
    reader.close();
    db.close();
  });

  it('answers nothing for a database without a wal-index, or a file that is not one', () => {
    const { file, db } = walDatabase();
    db.close(); // the last connection removes the WAL and its index
    expect(new WalProgressReader(`${file}-shm`).read()).toBeUndefined();
    const other = `${file}.other-shm`;
    writeFileSync(other, Buffer.alloc(200, 7));
    expect(new WalProgressReader(other).read()).toBeUndefined();
    writeFileSync(other, Buffer.alloc(20));
    expect(new WalProgressReader(other).read()).toBeUndefined();
  });
});
