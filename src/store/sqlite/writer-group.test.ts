import { describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import { prepareEntry, type PreparedEntry } from '../entry-codec.ts';
import { openSqlite } from './open.ts';
import { SqliteWriter } from './sqlite-writer.ts';

const prepared = (id: string) => prepareEntry(normalizeEntry(entry(id)));
/** An entry the table refuses (bytes for its JSON document): its batch fails in SQLite. */
const refused = (id: string): PreparedEntry => ({
  ...prepared(id),
  doc: Buffer.from('{}') as never,
});

function setup() {
  const db = openSqlite(':memory:');
  const writer = new SqliteWriter(db);
  const stored = () => db.prepare('SELECT change_id FROM entries ORDER BY seq').pluck().all();
  return { db, writer, stored };
}

describe('batches stored together (one commit for the calls that queued)', () => {
  it('stores every batch of the group, and undoes a failing one alone', () => {
    const { db, writer, stored } = setup();
    const outcomes = writer.together(() =>
      [[prepared('a1'), prepared('a2')], [prepared('b1'), refused('b2')], [prepared('c1')]].map(
        (batch) => {
          try {
            return writer.ingestBatch([], batch).entries;
          } catch (err) {
            return (err as Error).message;
          }
        },
      ),
    );
    expect(outcomes[0]).toEqual(['accepted', 'accepted']);
    expect(outcomes[1]).toMatch(/cannot store BLOB/);
    expect(outcomes[2]).toEqual(['accepted']);
    // b1 went with its batch; the others were committed.
    expect(stored()).toEqual(['a1', 'a2', 'c1']);
    // Derived counts follow the stored entries only.
    const days = db.prepare('SELECT sum(n) FROM rollup_day').pluck().get();
    expect(days).toBe(3);
  });

  it('stores nothing of the group when the shared commit fails', () => {
    const { db, writer, stored } = setup();
    db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
    expect(() =>
      writer.together(() => {
        writer.ingestBatch([], [prepared('x1')]);
        // Checked at commit: the commit fails, and with it the whole group.
        db.prepare('INSERT INTO child (parent) VALUES (42)').run();
        writer.ingestBatch([], [prepared('x2')]);
      }),
    ).toThrow(/FOREIGN KEY/);
    expect(stored()).toEqual([]);
    // The writer goes on: what it cached in the failed group is not trusted.
    expect(writer.ingestBatch([], [prepared('x1')]).entries).toEqual(['accepted']);
    expect(stored()).toEqual(['x1']);
  });
});
