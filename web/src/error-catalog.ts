import { api } from './api.ts';
import type { ErrorCodeInfo } from './types.ts';

let catalog: Promise<Map<string, ErrorCodeInfo>> | undefined;

/** The error catalog, read once per page load; codes and aliases both resolve. */
export function errorCatalog(): Promise<Map<string, ErrorCodeInfo>> {
  catalog ??= api.get<{ items: ErrorCodeInfo[] }>('/error-codes').then(({ items }) => {
    const m = new Map<string, ErrorCodeInfo>();
    for (const c of items) {
      m.set(c.code.toLowerCase(), c);
      for (const a of c.aliases) m.set(a.toLowerCase(), c);
    }
    return m;
  });
  catalog.catch(() => (catalog = undefined));
  return catalog;
}
