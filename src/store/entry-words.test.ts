import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  beginsWords,
  entryBeginsWords,
  entryText,
  ftsWordsQuery,
  indexedWord,
  indexedWords,
  INDEXED_WORDS_PER_ENTRY,
  searchWords,
} from './entry-words.ts';

/** The words SQLite's index reads from `text` (the tokenizer of migration 11). */
function ftsWords(text: string): string[] {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, detail=none, tokenize='unicode61 remove_diacritics 0');
    CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');`);
  db.prepare('INSERT INTO t (x) VALUES (?)').run(text);
  const words = db.prepare('SELECT term FROM v').pluck().all() as string[];
  db.close();
  return words.sort();
}

describe('the words of an entry', () => {
  it('are the words SQLite indexes, read alike in JavaScript, in any script', () => {
    for (const s of [
      'Fang Zhou <zhou.fang@contoso.com>',
      'cafe\u0301 Ølga ŁUKASZ Żółć',
      'ΟΔΥΣΣΕΥΣ 山田太郎 محمد علي क्षत्रिय',
      'a_b-c.d 1½ ① x\u200by it’s',
      'Straße İstanbul ẞ',
    ]) {
      const text = entryText(JSON.stringify({ reason: s }), null);
      expect(searchWords(text).sort(), s).toEqual(ftsWords(text));
    }
  });

  it('are listed for a word index (PostgreSQL) as SQLite reads them, cut and counted', () => {
    for (const s of [
      'Fang Zhou <zhou.fang@contoso.com> fang',
      'cafe\u0301 Ølga ŁUKASZ Żółć 𝐀𝐁c 😀smile \ud800lone',
      'ΟΔΥΣΣΕΥΣ 山田太郎 محمد علي क्षत्रिय',
      'a_b-c.d 1½ ① x\u200by it’s',
      'Straße İstanbul ẞ',
    ]) {
      const doc = JSON.stringify({ reason: s });
      const listed = indexedWords(doc, 'EntryConflict');
      expect(listed?.sort(), s).toEqual(ftsWords(entryText(doc, 'EntryConflict')));
    }
    // Cut to 64 code units, a pair beyond the BMP never split; more than 10,000 words: none.
    const long = `${'x'.repeat(63)}𝐀tail`;
    expect(indexedWord(long)).toBe('x'.repeat(63));
    expect(indexedWords(JSON.stringify({ r: `${'y'.repeat(70)} ${long}` }), null)).toEqual([
      'y'.repeat(64),
      'x'.repeat(63),
    ]);
    const many = Array.from({ length: INDEXED_WORDS_PER_ENTRY + 1 }, (_, i) => `w${i}`);
    expect(indexedWords(JSON.stringify({ r: many.join(' ') }), null)).toBeNull();
    expect(indexedWords(JSON.stringify({ r: many.slice(1).join(' ') }), null)).toHaveLength(
      INDEXED_WORDS_PER_ENTRY,
    );
  });

  it('leave out JSON keys and escapes, and take the error code', () => {
    const doc = JSON.stringify({ displayName: 'Ann', note: 'line1\nline2 "quoted"' });
    const words = searchWords(entryText(doc, 'TooManyRequests'));
    expect(words).toEqual(['ann', 'line1', 'line2', 'quoted', 'toomanyrequests']);
  });

  it('match where each search word begins a word, not inside one', () => {
    const text = entryText(JSON.stringify({ reason: 'Timeout after 30s for Zoë-Smith' }), null);
    expect(beginsWords(text, searchWords('TIME zoë'))).toBe(true);
    expect(beginsWords(text, searchWords('smith 30'))).toBe(true);
    expect(beginsWords(text, searchWords('meout'))).toBe(false);
    expect(beginsWords(text, searchWords('timeout missing'))).toBe(false);
    expect(beginsWords(text, searchWords('zoe'))).toBe(false);
    // Read from the document as stored, the same answers.
    const doc = JSON.stringify({ reason: 'Timeout for Straße' });
    expect(entryBeginsWords(doc, null, searchWords('strasse time'))).toBe(true);
    expect(entryBeginsWords(doc, null, searchWords('reason'))).toBe(false);
    expect(entryBeginsWords(doc, 'Conflict', ['conf'])).toBe(true);
  });

  it('are read from a stored document as from its text, keys, escapes and all', () => {
    const docs = [
      { displayName: 'Ann Lee', reason: 'Timeout: reason unknown', n: 8, reasonCode: 'x' },
      { note: 'keys look: like this', nested: { deep: ['Déjà', 'ΟΔΥΣ'] } },
      { note: 'line1\nline2\ttab', q: 'quote " inside' },
      { who: 'Straße İstanbul', jobTitle: 'Manager' },
    ].map((d) => JSON.stringify(d));
    const tries = [
      'displayname',
      'nested',
      'ann',
      'lee',
      'reason',
      'reasoncode',
      'timeout',
      'unknown',
      'time',
      'n',
      '8',
      'x',
      'look',
      'like',
      'keys',
      'deep',
      'déjà',
      'οδυσ',
      'line2',
      'nline2',
      'tab',
      'inside',
      'strasse',
      'istanbul',
      'manager',
      'jobtitle',
      'who',
      'note',
      'conflict',
      'ee',
    ];
    for (const doc of docs) {
      for (const code of [null, 'Conflict']) {
        for (const word of tries) {
          const expected = beginsWords(entryText(doc, code), [word]);
          expect(entryBeginsWords(doc, code, [word]), `${word} in ${doc}`).toBe(expected);
        }
      }
    }
  });

  it('come from a search folded, once each, and none from punctuation alone', () => {
    expect(searchWords('  Fang, FANG zhou!')).toEqual(['fang', 'zhou']);
    expect(searchWords('ΟΔΥΣ')).toEqual(['οδυσ']);
    expect(searchWords('—!? ')).toEqual([]);
    expect(ftsWordsQuery(['a"b', 'c'])).toBe('"a""b"* AND "c"*');
  });

  it('are looked up as the whole words they begin where those are known', () => {
    const known: Record<string, string[]> = { us: ['user', 'users'], ti: ['timeout'], zz: [] };
    const expand = (w: string) => known[w];
    expect(ftsWordsQuery(['us', 'ti', 'ab'], expand)).toBe(
      '("user" OR "users") AND "timeout" AND "ab"*',
    );
    // A word no indexed word begins: nothing indexed can match.
    expect(ftsWordsQuery(['us', 'zz'], expand)).toBeNull();
  });
});
