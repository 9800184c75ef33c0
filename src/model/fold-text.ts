/**
 * Folds text for case-insensitive matching in any script; stored and searched text are folded
 * alike. Final sigma becomes sigma so "ΟΔΥΣ" (→ "οδυς") still finds "Οδυσσευς".
 */
export function foldText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replaceAll('ς', 'σ');
}
