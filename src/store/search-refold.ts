/**
 * In SQL: what model/fold-text.ts foldForSearch adds to text that foldText folded already
 * ('ß' → 'ss', 'i' + combining dot → 'i'). Migration 8 of both stores refolds stored search
 * text with it.
 */
export const refoldForSearch = (column: string) =>
  `replace(replace(${column}, 'ß', 'ss'), 'i\u0307', 'i')`;

/** Whether stored folded text needs refolding. */
export const needsRefold = (column: string) =>
  `(${column} LIKE '%ß%' OR ${column} LIKE '%i\u0307%')`;
