import { describe, expect, it } from 'vitest';
import { entry, task } from '../../test/helpers/entries.ts';
import {
  prepareBody,
  prepareBodyPacked,
  PackedRecords,
  prepareRecords,
  prepareRecordsPacked,
} from './prepare-records.ts';
import { packBatch } from './packed-batch.ts';
import type { IngestRecord } from './ingest-records.ts';

const NOW = Date.parse('2026-11-21T00:00:00Z');
const line = (kind: string, value: object) => JSON.stringify({ kind, ...value });

const body = [
  line('task', task('t1')),
  ...Array.from({ length: 7 }, (_, i) => line('entry', entry(`c${i}`, { taskId: 't1' }))),
  line('entry', entry('bad', { status: 'bogus' as 'success' })),
  line('task', task('t2')),
  '[]',
  line('entry', entry('c7')),
].join('\n');

describe('PackedRecords', () => {
  it('packs the records added one at a time as prepareRecordsPacked packs them together', () => {
    const records: IngestRecord[] = body.split('\n').map((text, index) => {
      const { kind, ...value } = JSON.parse(text) as { kind: 'task' | 'entry' };
      return { kind, index, value };
    });
    const packing = new PackedRecords();
    for (const r of records) packing.add(r.kind, r.value, NOW);
    const packed = packing.take();
    expect(packed).toEqual(prepareRecordsPacked(records, NOW));
    expect(packed.rejected.map((r) => r.index)).toEqual([8, 10]);
    // Taking starts the next batch: its records are counted from 0.
    packing.add('entry', { ...entry('late'), status: 'bogus' }, NOW);
    packing.add('entry', entry('c9'), NOW);
    const next = packing.take();
    expect(next.docEnds).toHaveLength(1);
    expect(next.rejected.map((r) => [r.index, r.changeId])).toEqual([[0, 'late']]);
    expect(packing.take()).toEqual(prepareRecordsPacked([], NOW));
  });
});

describe('prepareRecordsPacked', () => {
  it('packs as it prepares exactly what packing the prepared batch gives', () => {
    const records: IngestRecord[] = body.split('\n').map((text, index) => {
      const { kind, ...value } = JSON.parse(text) as { kind: 'task' | 'entry' };
      return { kind, index, value };
    });
    const packed = prepareRecordsPacked(records, NOW);
    expect(packed).toEqual(packBatch(prepareRecords(records, NOW)));
    expect(packed.docEnds).toHaveLength(8);
    expect(packed.tasks.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(packed.rejected.map((r) => r.index)).toEqual([8, 10]);
  });

  it('packs whole bodies of either format as packing their prepared batch does', () => {
    expect(prepareBodyPacked('ndjson', body, NOW)).toEqual(
      packBatch(prepareBody('ndjson', body, NOW)),
    );
    const json = JSON.stringify({ tasks: [task('t1')], entries: [entry('c1'), entry('c2')] });
    expect(prepareBodyPacked('json', json, NOW)).toEqual(packBatch(prepareBody('json', json, NOW)));
    expect(() => prepareBodyPacked('json', '{oops', NOW)).toThrow(/not valid JSON/);
    expect(() => prepareBodyPacked('ndjson', '{"kind":"entry"}\n{oops', NOW)).toThrow(
      /line 2|JSON/,
    );
  });
});
