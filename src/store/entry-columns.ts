import type { Entry } from '../model/entry.ts';
import { foldForSearch, isAscii } from '../model/fold-text.ts';

/** Separates fields in the folded search text so a match cannot span two of them. */
const SEP = '\u241f';

/** The folded identity text the `identity` filter searches (both systems, ids and names). */
export function identityText(e: Entry): string {
  const a = e.sourceIdentity?.id;
  const b = e.sourceIdentity?.displayName;
  const c = e.targetIdentity?.id;
  const d = e.targetIdentity?.displayName;
  // The same name (or id) on both sides is searched once: fewer distinct identities, less to index.
  let text = a || '';
  if (b && b !== a) text = text ? text + SEP + b : b;
  if (c && c !== a && c !== b) text = text ? text + SEP + c : c;
  if (d && d !== a && d !== b && d !== c) text = text ? text + SEP + d : d;
  // ASCII parts and the separator are left alone by NFKC and fold by lower-casing alone.
  return asciiOrNone(a) && asciiOrNone(b) && asciiOrNone(c) && asciiOrNone(d)
    ? text.toLowerCase()
    : foldForSearch(text);
}

const asciiOrNone = (v: string | undefined) => !v || isAscii(v);

export const HOUR_MS = 3600_000;
export const DAY_MS = 86_400_000;

/** The application an entry concerns: the target of outbound work, the source of inbound work. */
export function applicationId(
  e: Pick<Entry, 'direction' | 'sourceSystem' | 'targetSystem'>,
): string | null {
  return (e.direction === 'outbound' ? e.targetSystem?.id : e.sourceSystem?.id) ?? null;
}
