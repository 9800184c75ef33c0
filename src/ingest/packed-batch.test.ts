import { describe, expect, it } from 'vitest';
import { entry, task } from '../../test/helpers/entries.ts';
import { normalizeEntry } from '../model/normalize.ts';
import { prepareEntry } from '../store/entry-codec.ts';
import { DOC_CHARS_PER_STRING, packBatch, unpackBatch } from './packed-batch.ts';
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

  it('joins the documents a few dozen to a string, and finds each again', () => {
    const entries = Array.from({ length: 300 }, (_, i) =>
      prepareEntry(normalizeEntry(entry(`c${i}`, { reason: 'é'.repeat(i % 7) }))),
    );
    const batch: PreparedBatch = { tasks: [], entries, rejected: [] };
    const packed = packBatch(batch);
    expect(packed.docs.length).toBeGreaterThan(1);
    expect(packed.docCounts.reduce((a, b) => a + b, 0)).toBe(300);
    for (const s of packed.docs) expect(s.length).toBeLessThanOrEqual(DOC_CHARS_PER_STRING);
    expect(packed.docs[0]).toBe(
      entries
        .slice(0, packed.docCounts[0])
        .map((e) => e.doc)
        .join(''),
    );
    expect(unpackBatch(structuredClone(packed))).toStrictEqual(batch);
  });

  it('gives a document longer than a string holds a string of its own', () => {
    const long = 'x'.repeat(DOC_CHARS_PER_STRING + 10);
    const entries = ['short', long, 'after'].map((reason, i) =>
      prepareEntry(normalizeEntry(entry(`c${i}`, { reason }))),
    );
    const batch: PreparedBatch = { tasks: [], entries, rejected: [] };
    const packed = packBatch(batch);
    expect(packed.docCounts).toEqual([1, 1, 1]);
    expect(unpackBatch(structuredClone(packed))).toStrictEqual(batch);
  });

  it('packs an empty batch', () => {
    const empty: PreparedBatch = { tasks: [], entries: [], rejected: [] };
    expect(unpackBatch(packBatch(empty))).toStrictEqual(empty);
  });
});
