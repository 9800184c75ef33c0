/**
 * The words of an entry, for free-text search (`q`): what the entry says — its identities,
 * steps, reasons, modified properties, payloads and error code — split into words. A search
 * finds the entries in which each of its words begins a word ("time" finds "Timeout", "fang
 * zhou" finds "Fang Zhou" and "zhou.fang@…"), in any case and script (accents count). The
 * embedded store indexes these words (SQLite FTS5, unicode61); this module is the same reading
 * in JavaScript, for the entries a search reads one by one (the newest, and those the index has
 * not reached yet). PostgreSQL reads them with a regular expression of the same shape.
 */

/** JSON keys and escapes: not words of the entry (what it says is in its values). */
const NOT_TEXT = /"[A-Za-z0-9_$]+":|\\(?:u[0-9a-fA-F]{4}|.)/g;
/** NOT_TEXT's pattern, for a store that reads the words in SQL (PostgreSQL's regexp_replace). */
export const NOT_TEXT_PATTERN = NOT_TEXT.source;

/**
 * Spelled as search folds them (fold-text.ts): a sharp s is "ss", a dotted capital I an "I" —
 * SQLite's unicode61 folds neither, and JavaScript lowers "İ" to two characters.
 */
const SPELLED = /[ßẞİ]/g;
export const SPELLING: Readonly<Record<string, string>> = { ß: 'ss', ẞ: 'ss', İ: 'I' };

/**
 * Characters of a word as unicode61 reads them: letters, numbers, private use and the combining
 * diacritics (U+0300–U+036F, which it keeps inside a word); other marks, such as an Indic
 * script's vowel signs, separate. entry-words.test.ts compares the two readings.
 */
const SEPARATORS = /[^\p{L}\p{N}\p{Co}\u0300-\u036f]+/u;
const WORD_CHAR = /[\p{L}\p{N}\p{Co}\u0300-\u036f]/u;

/** The text an entry's words are read from: its document's values and its error code. */
export function entryText(doc: string, errorCode: string | null | undefined): string {
  const text = doc.replace(NOT_TEXT, ' ').replace(SPELLED, (c) => SPELLING[c]!);
  return errorCode ? `${text} ${errorCode.replace(SPELLED, (c) => SPELLING[c]!)}` : text;
}

/** Lower case as unicode61 folds: one character for one, and sigma without its final form. */
function lower(s: string): string {
  return s.toLowerCase().replaceAll('ς', 'σ');
}

/** The words of a free-text search, folded, each once; none if it holds no letter or digit. */
export function searchWords(q: string): string[] {
  const words = lower(q.replace(SPELLED, (c) => SPELLING[c]!)).split(SEPARATORS);
  return [...new Set(words.filter((w) => w !== ''))];
}

/**
 * Whether each of `words` (searchWords) begins a word of the entry with this document and
 * error code: beginsWords(entryText(doc, errorCode), words), read where the words occur rather
 * than by rewriting the whole document — this runs for every entry a search reads one by one.
 */
export function entryBeginsWords(
  doc: string,
  errorCode: string | null,
  words: readonly string[],
): boolean {
  const all = errorCode ? `${doc} ${errorCode}` : doc;
  // Escapes and respelled letters change what precedes a word: the whole reading then.
  if (all.includes('\\') || SPELLED_TEST.test(all))
    return beginsWords(entryText(doc, errorCode), words);
  // Lower-casing keeps every position: "İ", the one letter it would lengthen, is read above.
  const folded = lower(all);
  return eachBegins(folded, words, (at) => !inKey(folded, at));
}
const SPELLED_TEST = /[ßẞİ]/;
const KEY_CHAR = /[a-z0-9_$]/;

/** Whether position `at` lies inside a JSON key (`"name":`), which entryText leaves out. */
function inKey(s: string, at: number): boolean {
  let start = at;
  while (start > 0 && KEY_CHAR.test(s[start - 1]!)) start--;
  if (s[start - 1] !== '"') return false;
  let end = at;
  while (end < s.length && KEY_CHAR.test(s[end]!)) end++;
  return s[end] === '"' && s[end + 1] === ':' && end > start;
}

/** Whether each of `words` (searchWords) begins a word of `text` (entryText). */
export function beginsWords(text: string, words: readonly string[]): boolean {
  return eachBegins(lower(text), words, () => true);
}

/** Whether each of `words` begins a word of `folded` somewhere `counts` accepts. */
function eachBegins(
  folded: string,
  words: readonly string[],
  counts: (at: number) => boolean,
): boolean {
  return words.every((word) => {
    for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + 1)) {
      if ((at === 0 || !WORD_CHAR.test(charBefore(folded, at))) && counts(at)) return true;
    }
    return false;
  });
}

function charBefore(s: string, at: number): string {
  const low = s.charCodeAt(at - 1);
  // A character beyond the BMP is two code units: read it whole.
  return low >= 0xdc00 && low <= 0xdfff && at >= 2 ? s.slice(at - 2, at) : s[at - 1]!;
}

/** Of an entry's words, the length kept in a word index (PostgreSQL's), and how many at most. */
export const INDEXED_WORD_LENGTH = 64;
export const INDEXED_WORDS_PER_ENTRY = 10_000;

/** A word as a word index keeps it: its first INDEXED_WORD_LENGTH code units, pairs kept whole. */
export function indexedWord(word: string): string {
  if (word.length <= INDEXED_WORD_LENGTH) return word;
  const high = word.charCodeAt(INDEXED_WORD_LENGTH - 1);
  return word.slice(
    0,
    high >= 0xd800 && high <= 0xdbff ? INDEXED_WORD_LENGTH - 1 : INDEXED_WORD_LENGTH,
  );
}

/**
 * The distinct words of an entry as its word index keeps them (entryText, lower-cased as
 * searches are, split as searchWords splits, each cut by indexedWord), or null for an entry of
 * more than INDEXED_WORDS_PER_ENTRY: a search then reads that entry itself.
 */
export function indexedWords(doc: string, errorCode: string | null | undefined): string[] | null {
  const words = new Set<string>();
  eachWord(lower(entryText(doc, errorCode)), (w) => words.add(indexedWord(w)));
  return words.size > INDEXED_WORDS_PER_ENTRY ? null : [...words];
}

/** ASCII letters and digits: the characters of most words, told apart without a regex. */
const ASCII_WORD = new Uint8Array(128).map((_, c) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 0,
);

/**
 * Each word of `text` as `text.split(SEPARATORS)` reads them, in order, by one pass over its
 * characters (a third of the time of the split on this kind of text).
 */
function eachWord(text: string, fn: (word: string) => void): void {
  let start = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // A character beyond the BMP is two code units: read whole.
    const wide = c >= 0xd800 && c <= 0xdbff && i + 1 < n;
    const isWord =
      c < 128 ? ASCII_WORD[c] === 1 : WORD_CHAR.test(wide ? text.slice(i, i + 2) : text[i]!);
    if (isWord) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      fn(text.slice(start, i));
      start = -1;
    }
    if (wide) i++;
  }
  if (start >= 0) fn(text.slice(start));
}

/** Quoted for an FTS5 query. */
const quoted = (w: string) => `"${w.replaceAll('"', '""')}"`;

/**
 * An FTS5 query for entries holding a word that each of `words` begins. `expand` may name every
 * indexed word a search word begins (or undefined, for too many): an OR of whole words reads
 * their lists of entries as they are, where a prefix query first copies and merges them — 3 to
 * 12 times the time. A search word no indexed word begins makes the query null: nothing indexed
 * matches.
 */
export function ftsWordsQuery(
  words: readonly string[],
  expand: (word: string) => string[] | undefined = () => undefined,
): string | null {
  const parts: string[] = [];
  for (const w of words) {
    const whole = expand(w);
    if (whole === undefined) parts.push(`${quoted(w)}*`);
    else if (whole.length === 0) return null;
    else parts.push(whole.length === 1 ? quoted(whole[0]!) : `(${whole.map(quoted).join(' OR ')})`);
  }
  return parts.join(' AND ');
}
