import { describe, expect, it } from 'vitest';
import { entry, task } from '../../test/helpers/entries.ts';
import {
  prepareBody,
  prepareBodyPacked,
  prepareNdjson,
  prepareRecords,
  prepareRecordsPacked,
  type PreparedBatch,
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

describe('prepareNdjson', () => {
  it('hands on chunks of the given size, the rest last, together what prepareBody gives', () => {
    const chunks: PreparedBatch[] = [];
    prepareNdjson(body, NOW, 3, (b) => chunks.push(b));
    expect(chunks.map((c) => c.entries.length)).toEqual([3, 3, 2]);
    expect(chunks.map((c) => c.tasks.map((t) => t.id))).toEqual([['t1'], [], ['t2']]);
    const whole = prepareBody('ndjson', body, NOW);
    expect({
      tasks: chunks.flatMap((c) => c.tasks),
      entries: chunks.flatMap((c) => c.entries),
      rejected: chunks.flatMap((c) => c.rejected),
    }).toEqual(whole);
    expect(whole.rejected.map((r) => r.index)).toEqual([8, 10]);
  });

  it('hands on one (empty) chunk for an empty body', () => {
    const chunks: PreparedBatch[] = [];
    prepareNdjson('', NOW, 3, (b) => chunks.push(b));
    expect(chunks).toEqual([{ tasks: [], entries: [], rejected: [] }]);
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
