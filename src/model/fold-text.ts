/**
 * Folds text for case-insensitive matching in any script; stored and searched text are folded
 * alike. Final sigma becomes sigma so "ΟΔΥΣ" (→ "οδυς") still finds "Οδυσσευς".
 */
export function foldText(s: string): string {
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
