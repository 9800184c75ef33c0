import { describe, expect, it } from 'vitest';
import type { Entry } from '../model/entry.ts';
import { foldForSearch } from '../model/fold-text.ts';
import { identityText } from './entry-columns.ts';

const SEP = '\u241f';
const withIdentities = (src?: Entry['sourceIdentity'], tgt?: Entry['targetIdentity']) =>
  ({ sourceIdentity: src, targetIdentity: tgt }) as Entry;

/** What identityText computed before its ASCII shortcut: distinct parts, joined, folded. */
const reference = (e: Entry) =>
  foldForSearch(
    [
      ...new Set(
        [
          e.sourceIdentity?.id,
          e.sourceIdentity?.displayName,
          e.targetIdentity?.id,
          e.targetIdentity?.displayName,
        ].filter((v): v is string => !!v),
      ),
    ].join(SEP),
  );

describe('identityText', () => {
  it('joins the distinct ids and names of both sides, folded', () => {
    const e = withIdentities(
      { id: 'Ann@Example.com', displayName: 'Ann Lee' },
      { id: 'HUB-1', displayName: 'Ann Lee' },
    );
    expect(identityText(e)).toBe(['ann@example.com', 'ann lee', 'hub-1'].join(SEP));
  });

  it('leaves out missing and empty parts', () => {
    expect(identityText(withIdentities(undefined, { id: 'X' }))).toBe('x');
    expect(identityText(withIdentities({ id: '', displayName: 'A' }, { displayName: 'B' }))).toBe(
      `a${SEP}b`,
    );
    expect(identityText(withIdentities())).toBe('');
  });

  it('gives what the general folding gives, ASCII or not', () => {
    const values = [undefined, '', 'a', 'A', 'Strauß', 'STRAUSS', 'İbrahim', 'ΟΔΥΣ', 'ﬁ', 'x y'];
    for (const a of values)
      for (const b of values)
        for (const c of values.slice(0, 5))
          for (const d of values.slice(3)) {
            const e = withIdentities({ id: a, displayName: b }, { id: c, displayName: d });
            expect(identityText(e)).toBe(reference(e));
          }
  });
});
