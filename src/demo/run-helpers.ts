import type { EntryStatus } from '../model/enums.ts';
import { APPS } from './demo-systems.ts';
import type { FailKind } from './failure-catalog.ts';
import type { Person } from './people.ts';
import type { Prng } from './prng.ts';

export function firstUnassigned(p: Person): number {
  for (let i = 0; i < APPS.length; i++) if ((p.assigned & (1 << i)) === 0) return i;
  return -1;
}

export function duration(
  rng: Prng,
  outbound: boolean,
  status: EntryStatus,
  kind: FailKind | undefined,
): number {
  if (kind?.code === 'Timeout') return 30_000 + rng.int(400);
  if (status === 'skipped') return 2 + rng.int(40);
  if (!outbound) return 5 + rng.int(80);
  return 80 + rng.int(rng.chance(0.1) ? 4000 : 900);
}

export function coprimeStep(n: number, h: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let s = (h % (n - 1)) + 1;
  while (gcd(s, n) !== 1) s++;
  return s;
}

/** The first `k` of `items` in a random order (a partial Fisher–Yates on a copy). */
export function shuffleFirst<T>(rng: Prng, items: readonly T[], k: number): T[] {
  const a = items.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    const x = a[i]!;
    a[i] = a[j]!;
    a[j] = x;
  }
  return a.slice(0, n);
}
