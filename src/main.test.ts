import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportMigration } from './main.ts';

describe('reportMigration', () => {
  afterEach(() => vi.restoreAllMocks());

  it("tells the operator which store's schema is upgraded, to what, and how long it took", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      lines.push(String(text));
      return true;
    });
    const step = { store: '/var/lib/provlog/provlog.log.db', version: 9, name: 'operation ids' };
    reportMigration({ ...step, done: false });
    reportMigration({ ...step, done: true, seconds: 12.345 });
    expect(lines).toEqual([
      'Upgrading provlog.log.db to schema version 9 (operation ids)…\n',
      'Upgraded provlog.log.db to schema version 9 (operation ids) in 12.3 s.\n',
    ]);
  });
});
