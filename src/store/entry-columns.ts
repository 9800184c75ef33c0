import type { Entry } from '../model/entry.ts';
import { foldForSearch } from '../model/fold-text.ts';

/** Separates fields in the folded search text so a match cannot span two of them. */
const SEP = '\u241f';

/** The folded identity text the `identity` filter searches (both systems, ids and names). */
export function identityText(e: Entry): string {
  const parts = [
    e.sourceIdentity?.id,
    e.sourceIdentity?.displayName,
    e.targetIdentity?.id,
    e.targetIdentity?.displayName,
  ];
  // The same name (or id) on both sides is searched once: fewer distinct identities, less to index.
  return foldForSearch([...new Set(parts.filter((v): v is string => !!v))].join(SEP));
}

export const HOUR_MS = 3600_000;
export const DAY_MS = 86_400_000;

/** The application an entry concerns: the target of outbound work, the source of inbound work. */
export function applicationId(
  e: Pick<Entry, 'direction' | 'sourceSystem' | 'targetSystem'>,
): string | null {
  return (e.direction === 'outbound' ? e.targetSystem?.id : e.sourceSystem?.id) ?? null;
}
