/** Plain ASCII: NFKC leaves it as it is, and no character of it folds specially. */
const ASCII = /^[^\u0080-\uffff]*$/;

/** Whether `s` is plain ASCII, which folds by lower-casing alone (foldText, foldForSearch). */
export function isAscii(s: string): boolean {
  return ASCII.test(s);
}

/**
 * Folds text for case-insensitive matching in any script; stored and searched text are folded
 * alike. Final sigma becomes sigma so "ΟΔΥΣ" (→ "οδυς") still finds "Οδυσσευς".
 */
export function foldText(s: string): string {
  // Most names and ids are ASCII: normalising them costs several times the lower-casing.
  if (ASCII.test(s)) return s.toLowerCase();
  return s.normalize('NFKC').toLowerCase().replaceAll('ς', 'σ');
}

/**
 * Folds text for search (identities, system names): foldText, plus the full case folding that
 * lower-casing leaves out — "ß" is "ss" ("STRAUSS" finds "Strauß") and the dotted capital I
 * lowers to a plain "i" ("ibrahim" finds "İbrahim", which lower-cases to "i" + a combining dot).
 * Identifiers compared for uniqueness (hub user names, job and system names) keep foldText.
 */
export function foldForSearch(s: string): string {
  const folded = foldText(s);
  if (!folded.includes('ß') && !folded.includes('\u0307')) return folded;
  return folded.replaceAll('ß', 'ss').replaceAll('i\u0307', 'i');
}
