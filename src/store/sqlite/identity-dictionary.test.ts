import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import { identityText } from '../entry-columns.ts';
import { textHash } from '../text-hash.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { openSqlite, PAGE_SIZE } from './open.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';
import { wordsUnindexed } from '../../../test/helpers/sqlite-legacy.ts';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-identities-'));
  dirs.push(dir);
  return join(dir, 'provlog.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const identityRows = (store: SqliteLogStore) =>
  store.logDb.prepare('SELECT id, text, hash FROM identities ORDER BY id').all() as Array<{
    id: number;
    text: string;
    hash: number;
  }>;

describe('the identity dictionary (SQLite)', () => {
  it('hashes to exact 53-bit integers that tell different texts apart', () => {
    const texts = ['', 'a', 'b', 'ab', 'ba', 'jürgen müller', '山田太郎', 'x'.repeat(10_000)];
    const hashes = texts.map((t) => textHash(t));
    for (const h of hashes) {
      expect(Number.isSafeInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(hashes).size).toBe(texts.length);
    expect(textHash('jürgen müller')).toBe(hashes[5]);
  });

  it('keeps one row per identity text, and finds it again after a restart', async () => {
    const file = tempFile();
    let store = new SqliteLogStore({ file });
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('c1'))] });
    await store.close();
    store = new SqliteLogStore({ file });
    // The same person again (new changeId, same ids and names): no second dictionary row.
    const again = entry('c2', {
      sourceIdentity: { id: 'src-c1', displayName: 'Person c1', type: 'User' },
      targetIdentity: { id: 'tgt-c1', displayName: 'Person c1', type: 'sys_user' },
    });
    await store.ingest({ tasks: [], entries: [normalizeEntry(again)] });
    const rows = identityRows(store);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toBe(textHash(rows[0]!.text));
    const page = await store.listEntries({ identity: 'person c1' }, { limit: 10 });
    expect(page.items.map((e) => e.changeId).sort()).toEqual(['c1', 'c2']);
    await store.close();
  });

  it('tells apart two texts with the same hash by their text', async () => {
    const store = new SqliteLogStore({ file: tempFile() });
    const e = normalizeEntry(entry('c1'));
    // A row squatting on the hash of the entry's identity, with another text.
    store.logDb
      .prepare('INSERT INTO identities (text, hash) VALUES (?, ?)')
      .run('someone else', textHash(identityText(e)));
    await store.ingest({ tasks: [], entries: [e] });
    const rows = identityRows(store);
    expect(rows.map((r) => r.text)).toEqual(['someone else', identityText(e)]);
    const found = await store.listEntries({ identity: 'person c1' }, { limit: 10 });
    expect(found.items.map((x) => x.changeId)).toEqual(['c1']);
    expect((await store.listEntries({ identity: 'someone' }, { limit: 10 })).items).toEqual([]);
    await store.close();
  });

  it('migrates a store written before identities were keyed by hash, search included', async () => {
    const file = tempFile();
    // A version-3 store, as the releases before migration 4 left it.
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(
      SQLITE_MIGRATIONS.filter((m) => m.version <= 3)
        .map((m) => m.sql)
        .join('\n'),
    );
    old.pragma('user_version = 3');
    old.prepare('INSERT INTO identities (text) VALUES (?), (?)').run('ada lovelace', 'alan turing');
    old.exec('INSERT INTO identities_text (rowid, text) SELECT id, text FROM identities');
    old.close();

    const store = new SqliteLogStore({ file });
    expect(store.logDb.pragma('user_version', { simple: true })).toBe(
      SQLITE_MIGRATIONS.at(-1)!.version,
    );
    expect(identityRows(store)).toEqual([
      { id: 1, text: 'ada lovelace', hash: textHash('ada lovelace') },
      { id: 2, text: 'alan turing', hash: textHash('alan turing') },
    ]);
    // The trigram index still answers from the rebuilt table.
    const ids = store.logDb
      .prepare("SELECT rowid FROM identities_text WHERE text GLOB '*turing*'")
      .pluck()
      .all();
    expect(ids).toEqual([2]);
    await store.close();
  });

  it('finds identities the trigram index has not reached yet, and indexes them later', async () => {
    const store = new SqliteLogStore({ file: tempFile() });
    await store.ingest({
      tasks: [],
      entries: ['c1', 'c2'].map((id) => normalizeEntry(entry(id))),
    });
    // As the writer thread leaves it between a batch and its idle time: nothing indexed.
    store.logDb.exec("INSERT INTO identities_text (identities_text) VALUES ('delete-all')");
    store.logDb.exec("UPDATE meta SET value = '0' WHERE key = 'identities_indexed'");
    const ids = async (identity: string) =>
      (await store.listEntries({ identity }, { limit: 10 })).items.map((e) => e.changeId).sort();
    const facets = async () => (await store.facets({ identity: 'person c' })).status;
    expect(await ids('person c1')).toEqual(['c1']);
    expect(await ids('person c')).toEqual(['c1', 'c2']);
    expect(await facets()).toEqual({ success: 2 });
    // Indexed now: the same answers, none twice.
    const writer = (store as unknown as { writer: { indexIdentities(): number } }).writer;
    expect(writer.indexIdentities()).toBe(2);
    expect(writer.indexIdentities()).toBe(0);
    expect(await ids('person c')).toEqual(['c1', 'c2']);
    expect(await facets()).toEqual({ success: 2 });
    await store.close();
  });

  it('indexes on the writer thread once batches stop, and first what a restart left waiting', async () => {
    const file = tempFile();
    let store = new SqliteLogStore({ file, writerThread: true });
    const indexedThrough = () =>
      Number(
        store.logDb
          .prepare("SELECT value FROM meta WHERE key = 'identities_indexed'")
          .pluck()
          .get(),
      );
    const maxId = () => store.logDb.prepare('SELECT max(id) FROM identities').pluck().get();
    const eventually = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
      return check();
    };
    await store.ingest({ tasks: [], entries: ['c1', 'c2'].map((id) => normalizeEntry(entry(id))) });
    // Searches find them before and after the writer indexes them.
    expect((await store.listEntries({ identity: 'person c2' }, { limit: 10 })).items).toHaveLength(
      1,
    );
    expect(await eventually(() => indexedThrough() === maxId())).toBe(true);
    // A restart finds identities waiting (as a stop between a batch and the idle time leaves
    // them) and indexes them without another batch.
    await store.close();
    const raw = openSqlite(join(file.replace(/\.db$/, '.log.db')));
    raw.exec("INSERT INTO identities_text (identities_text) VALUES ('delete-all')");
    raw.exec("UPDATE meta SET value = '0' WHERE key = 'identities_indexed'");
    raw.close();
    store = new SqliteLogStore({ file, writerThread: true });
    expect(indexedThrough()).toBe(0);
    expect(await eventually(() => indexedThrough() === maxId())).toBe(true);
    const hits = store.logDb
      .prepare("SELECT rowid FROM identities_text WHERE text GLOB '*person c*'")
      .pluck()
      .all();
    expect(hits).toHaveLength(2);
    await store.close();
  });

  it('finds two characters by the trigrams they begin and the texts they end, once each', async () => {
    const store = new SqliteLogStore({ file: tempFile() });
    const named = (id: string, displayName: string, status: 'success' | 'failure' = 'success') =>
      normalizeEntry(
        entry(id, {
          status,
          ...(status === 'failure' ? { errorCode: 'Timeout' } : {}),
          targetIdentity: { id: `t-${id}`, displayName, type: 'User' },
        }),
      );
    // The name comes last in each identity's text: "Văn Võ" ends it, so no trigram begins
    // with "võ" there; "Võ Minh Võ" holds it twice; "Vũ Õ" holds both letters, apart.
    const people = [
      named('c1', 'Võ Thị Lan'),
      named('c2', 'Nguyễn Văn Võ', 'failure'),
      named('c3', 'Võ Minh Võ', 'failure'),
      named('c4', 'Vũ Õ'),
      named('c5', 'Ad"b Quote'),
      named('c6', 'Ends With A"'),
      // Most identities hold neither: facets count the entries of those that do.
      ...['Ada', 'Bo', 'Cy', 'Di', 'Ed'].map((name, i) => named(`n${i}`, `${name} Other`)),
    ];
    const ids = async (identity: string) =>
      (await store.listEntries({ identity }, { limit: 10 })).items.map((e) => e.changeId).sort();
    const answers = async () => ({
      vo: await ids('VÕ'),
      facets: (await store.facets({ identity: 'võ' })).status,
      quoteFirst: await ids('"b'),
      quoteLast: await ids('a"'),
      none: await ids('õv'),
    });
    const expected = {
      vo: ['c1', 'c2', 'c3'],
      facets: { success: 1, failure: 2 },
      quoteFirst: ['c5'],
      quoteLast: ['c6'],
      none: [],
    };
    await store.ingest({ tasks: [], entries: people.slice(0, 2) });
    // As the writer thread leaves it between a batch and its idle time: the rest not indexed.
    const writer = (store as unknown as { writer: { indexIdentities(): number } }).writer;
    writer.indexIdentities();
    await store.ingest({ tasks: [], entries: people.slice(2) });
    store.logDb.exec(`DELETE FROM identities_text WHERE rowid > 2`);
    store.logDb.exec("UPDATE meta SET value = '2' WHERE key = 'identities_indexed'");
    expect(await answers()).toEqual(expected);
    // Indexed now: the same answers, none twice.
    expect(writer.indexIdentities()).toBeGreaterThan(0);
    expect(await answers()).toEqual(expected);
    await store.close();
  });

  it('finds exact substrings through trigrams without positions, after an upgrade too', async () => {
    const file = tempFile();
    let store = new SqliteLogStore({ file });
    const named = (id: string, displayName: string) =>
      normalizeEntry(entry(id, { targetIdentity: { id: `t-${id}`, displayName, type: 'User' } }));
    const people = [
      named('c1', 'Jürgen Abcxbcd'),
      named('c2', 'Zoë Abcdef'),
      named('c3', 'ops*admin[eu]?'),
      named('c4', 'ΣΟΦΊΑ Παπαδοπούλου'),
    ];
    await store.ingest({ tasks: [], entries: people });
    const ids = async (identity: string) =>
      (await store.listEntries({ identity }, { limit: 10 })).items.map((e) => e.changeId).sort();
    const answers = async () => ({
      // Both trigrams of "abcd" are in "abcxbcd", but not the term itself.
      abcd: await ids('ABCD'),
      star: await ids('s*adm'),
      bracket: await ids('admin[eu]?'),
      question: await ids('u]?'),
      greek: await ids('σοφία παπα'),
      jurgen: await ids('JÜRGEN'),
    });
    const expected = {
      abcd: ['c2'],
      star: ['c3'],
      bracket: ['c3'],
      question: ['c3'],
      greek: ['c4'],
      jurgen: ['c1'],
    };
    expect(await answers()).toEqual(expected);
    await store.close();

    // The same log as a release before migration 10 left it: trigrams with positions.
    const old = openSqlite(file.replace(/\.db$/, '.log.db'));
    wordsUnindexed(old);
    old.exec(`DROP TABLE identities_text;
      CREATE VIRTUAL TABLE identities_text USING fts5(
        text, content='identities', content_rowid='id', tokenize='trigram case_sensitive 1');
      INSERT INTO identities_text (rowid, text) SELECT id, text FROM identities;
      PRAGMA user_version = 9;`);
    old.close();
    store = new SqliteLogStore({ file });
    const ddl = store.logDb
      .prepare("SELECT sql FROM sqlite_master WHERE name = 'identities_text'")
      .pluck()
      .get() as string;
    expect(ddl).toMatch(/detail=none, columnsize=0/);
    const indexed = store.logDb
      .prepare("SELECT rowid FROM identities_text WHERE text GLOB '*abcdef*'")
      .pluck()
      .all();
    expect(indexed).toHaveLength(1);
    expect(await answers()).toEqual(expected);
    await store.close();
  });

  it('creates new stores with 16 KiB pages', async () => {
    const store = new SqliteLogStore({ file: tempFile() });
    expect(store.logDb.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    await store.close();
  });
});
