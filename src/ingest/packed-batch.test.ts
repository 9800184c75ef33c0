import { describe, expect, it } from 'vitest';
import { entry, task } from '../../test/helpers/entries.ts';
import { normalizeEntry } from '../model/normalize.ts';
import { prepareEntry } from '../store/entry-codec.ts';
import { DOCS_PER_STRING, packBatch, unpackBatch } from './packed-batch.ts';
import type { PreparedBatch } from './prepare-records.ts';

describe('packing a prepared batch for a thread hand-off', () => {
  it('unpacks to exactly the batch it packed', () => {
    const entries = [
      entry('c1', { taskId: 't1', jobId: 'job.1', errorCode: 'EntryConflict', status: 'failure' }),
      entry('c2', {
        direction: 'inbound',
        sourceSystem: { id: 'hr', name: 'HR \u0000 «Workday» 人事' },
        sourceIdentity: { id: 'e1', displayName: 'Ærøskøbing 山田', type: 'Worker' },
      }),
      { ...entry('c3'), targetSystem: undefined, retryAt: '2026-11-20T13:00:00.000Z' },
      entry('c4', { reason: '' }),
    ].map((e) => prepareEntry(normalizeEntry(e)));
    const batch: PreparedBatch = {
      tasks: [task('t1')],
      entries,
      rejected: [{ index: 9, kind: 'entry', errors: [{ field: '/status', message: 'bad' }] }],
    };
    const copy = unpackBatch(structuredClone(packBatch(batch)));
    expect(copy).toStrictEqual(batch);
    expect(copy.entries[1]!.head.sourceSystem).toEqual({
      id: 'hr',
      name: 'HR \u0000 «Workday» 人事',
    });
  });

  it('joins the documents a few hundred to a string, and finds each again', () => {
    const n = DOCS_PER_STRING * 2 + 3;
    const entries = Array.from({ length: n }, (_, i) =>
      prepareEntry(normalizeEntry(entry(`c${i}`, { reason: 'é'.repeat(i % 7) }))),
    );
    const batch: PreparedBatch = { tasks: [], entries, rejected: [] };
    const packed = packBatch(batch);
    expect(packed.docs).toHaveLength(3);
    expect(packed.docs[0]).toBe(
      entries
        .slice(0, DOCS_PER_STRING)
        .map((e) => e.doc)
        .join(''),
    );
    expect(unpackBatch(structuredClone(packed))).toStrictEqual(batch);
  });

  it('packs an empty batch', () => {
    const empty: PreparedBatch = { tasks: [], entries: [], rejected: [] };
    expect(unpackBatch(packBatch(empty))).toStrictEqual(empty);
  });
});
