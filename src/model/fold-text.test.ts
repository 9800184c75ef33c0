import { describe, expect, it } from 'vitest';
import { foldForSearch, foldText, isAscii } from './fold-text.ts';

/** The folding without its ASCII shortcut. */
const slowFold = (s: string) => s.normalize('NFKC').toLowerCase().replaceAll('ς', 'σ');

describe('foldText', () => {
  it('tells ASCII from the rest', () => {
    expect(isAscii('')).toBe(true);
    expect(isAscii('Plain ASCII 123 @.-_\u0000\u007f')).toBe(true);
    expect(isAscii('é')).toBe(false);
    expect(isAscii('a\u241fb')).toBe(false);
  });

  it('folds ASCII by lower-casing, exactly as the full folding does', () => {
    for (const s of ['MiXeD Case', 'user1@Example.COM', '\u0000\t~', ''])
      expect(foldText(s)).toBe(slowFold(s));
  });

  it('still normalises and folds text beyond ASCII', () => {
    expect(foldText('ΟΔΥΣ')).toBe('οδυσ');
    expect(foldText('ﬁle Ｆ')).toBe('file f');
    expect(foldText('e\u0301')).toBe('é');
    expect(foldForSearch('Strauß İbrahim')).toBe('strauss ibrahim');
  });
});
