import type { ScopingClause } from '../model/job.ts';

export type ScopeOutcome = { inScope: true } | { inScope: false; reason: string };

const IN_SCOPE: ScopeOutcome = Object.freeze({ inScope: true });

/**
 * Every clause must hold (AND); text comparisons ignore case, as directory filters usually do.
 * A clause reads `attrs` and, for a name `attrs` lacks, `fallback` (mapped attributes first,
 * then the source's own).
 */
export function evaluateScope(
  clauses: readonly ScopingClause[] | undefined,
  attrs: Record<string, string | undefined>,
  fallback?: Record<string, string | undefined>,
): ScopeOutcome {
  for (const c of clauses ?? []) {
    const raw = Object.hasOwn(attrs, c.attribute)
      ? attrs[c.attribute]
      : fallback && Object.hasOwn(fallback, c.attribute)
        ? fallback[c.attribute]
        : undefined;
    const v = raw?.toLowerCase();
    const values = (Array.isArray(c.value) ? c.value : c.value === undefined ? [] : [c.value]).map(
      (x) => x.toLowerCase(),
    );
    const first = values[0] ?? '';
    let ok: boolean;
    switch (c.operator) {
      case 'equals':
        ok = v === first;
        break;
      case 'not_equals':
        ok = v !== first;
        break;
      case 'contains':
        ok = v !== undefined && v.includes(first);
        break;
      case 'starts_with':
        ok = v !== undefined && v.startsWith(first);
        break;
      case 'ends_with':
        ok = v !== undefined && v.endsWith(first);
        break;
      case 'present':
        ok = v !== undefined && v !== '';
        break;
      case 'absent':
        ok = v === undefined || v === '';
        break;
      case 'in':
        ok = v !== undefined && values.includes(v);
        break;
    }
    if (!ok) {
      const shown = c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`;
      return {
        inScope: false,
        reason: `${c.attribute} ${JSON.stringify(raw ?? null)} does not satisfy ${c.operator.replace('_', ' ')}${shown}`,
      };
    }
  }
  return IN_SCOPE;
}
