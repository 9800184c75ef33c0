import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '../../src/store/directory/directory-store.ts';
import type { LogStore } from '../../src/store/log-store.ts';
import type { OutboundStore } from '../../src/store/outbound/outbound-store.ts';
import { writeEngineRecords } from '../../src/engine/engine-log.ts';
import { BASE_TIME, entry, iso } from './entries.ts';

interface Opened {
  log: LogStore;
  directory: DirectoryStore;
  outbound: OutboundStore;
  close(): Promise<void>;
}

/** Outbound job state and the due-retry query, run against each store on a real database. */
export function describeOutboundContract(name: string, open: () => Promise<Opened>): void {
  describe(`${name} outbound store`, () => {
    let s: Opened;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => s.close());

    it('keeps a watermark that only moves forward, and a quarantine that can be cleared', async () => {
      expect(await s.outbound.state('j1')).toMatchObject({ watermark: 0, fullDone: false });
      await s.outbound.advance('j1', 7, true);
      await s.outbound.advance('j1', 3);
      expect(await s.outbound.state('j1')).toMatchObject({ watermark: 7, fullDone: true });
      await s.outbound.setQuarantine('j1', { level: 2, until: 1000, reason: 'too many failures' });
      expect(await s.outbound.quarantineDue(999)).toEqual([]);
      expect((await s.outbound.quarantineDue(1000)).map((q) => q.jobId)).toEqual(['j1']);
      expect(await s.outbound.state('j1')).toMatchObject({
        watermark: 7,
        quarantineLevel: 2,
        quarantineReason: 'too many failures',
      });
      await s.outbound.setQuarantine('j1', { level: 0, until: null, reason: null });
      expect(await s.outbound.quarantineDue(10_000)).toEqual([]);
    });

    it('reads the newest hub change', async () => {
      expect(await s.outbound.latestChange()).toBe(0);
      await s.directory.createUser({ userName: 'a@example.com' });
      await s.directory.createUser({ userName: 'b@example.com' });
      const { lastSeq } = await s.directory.changesSince(0, 10);
      expect(await s.outbound.latestChange()).toBe(lastSeq);
    });

    it('lists due retries: the latest unresolved attempt of each operation, oldest due first', async () => {
      const fail = (id: string, op: string, minutes: number, retryAt?: string) =>
        entry(id, {
          jobId: 'j1',
          operationId: op,
          minutes,
          status: 'failure',
          errorCode: 'TooManyRequests',
          ...(retryAt ? { retryAt } : {}),
        });
      await writeEngineRecords(s.log, BASE_TIME, [
        // op A: attempt 1 superseded by attempt 2, which is due
        fail('a1', 'a1', 0, iso(1)),
        fail('a2', 'a1', 1, iso(3)),
        // op B: due earlier than A
        fail('b1', 'b1', 0, iso(2)),
        // op C: not due yet
        fail('c1', 'c1', 0, iso(60)),
        // op D: resolved by a confirmation
        fail('d1', 'd1', 0, iso(1)),
        entry('d2', { jobId: 'j1', operationId: 'd1', minutes: 2, action: 'confirm' }),
      ]);
      const due = await s.outbound.dueRetries(BASE_TIME + 10 * 60_000, 10);
      expect(due.map((d) => d.changeId)).toEqual(['b1', 'a2']);
      expect(due[0]).toMatchObject({ jobId: 'j1', retryAt: Date.parse(iso(2)) });
      expect(await s.outbound.dueRetries(BASE_TIME + 2 * 60_000, 10)).toHaveLength(1);
      expect(await s.outbound.latestAttempt('a1')).toBe('a2');
    });
  });
}
