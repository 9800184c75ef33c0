/**
 * Small, fast, seeded randomness for the demo generator: the same seed gives the same
 * history on every machine, which Math.random cannot.
 */

/** mulberry32: a 32-bit state PRNG, plenty for demo data and a few ns per draw. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by weight; `weights` must be as long as `items` and sum above 0. */
  weighted<T>(items: readonly T[], weights: readonly number[], total: number): T {
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** `n` hex digits (n ≤ 8). */
  hex(n = 8): string {
    return hex8(this.u32()).slice(8 - n);
  }

  /** A random version-4 UUID. */
  uuid(): string {
    return uuidFrom(this.u32(), this.u32(), this.u32(), this.u32());
  }
}

/** Stateless 32-bit mixing (murmur3 finaliser): derives stable attributes from indices. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function hash2(a: number, b: number): number {
  return mix32((a ^ mix32((b + 0x9e3779b9) | 0)) >>> 0);
}

export function hash3(a: number, b: number, c: number): number {
  return hash2(hash2(a, b), c);
}

// Table lookups: Number#toString(16) is several times slower, and ids are made per entry.
const HEX1 = '0123456789abcdef'.split('');
const HEX2 = Array.from({ length: 256 }, (_, i) => HEX1[i >>> 4]! + HEX1[i & 15]!);

export function hex8(u: number): string {
  return HEX2[u >>> 24]! + HEX2[(u >>> 16) & 255]! + HEX2[(u >>> 8) & 255]! + HEX2[u & 255]!;
}

/** The character code of one hex digit. */
const hc = (n: number): number => (n < 10 ? 48 + n : 87 + n);

/**
 * A version-4-shaped UUID from four 32-bit words. Built as one flat string: concatenating
 * pieces would leave a tree of rope nodes in every retained id (a few hundred bytes each).
 */
export function uuidFrom(a: number, b: number, c: number, d: number): string {
  return String.fromCharCode(
    hc(a >>> 28),
    hc((a >>> 24) & 15),
    hc((a >>> 20) & 15),
    hc((a >>> 16) & 15),
    hc((a >>> 12) & 15),
    hc((a >>> 8) & 15),
    hc((a >>> 4) & 15),
    hc(a & 15),
    45,
    hc(b >>> 28),
    hc((b >>> 24) & 15),
    hc((b >>> 20) & 15),
    hc((b >>> 16) & 15),
    45,
    52,
    hc((b >>> 8) & 15),
    hc((b >>> 4) & 15),
    hc(b & 15),
    45,
    hc(8 | ((c >>> 28) & 3)),
    hc((c >>> 24) & 15),
    hc((c >>> 20) & 15),
    hc((c >>> 16) & 15),
    45,
    hc((c >>> 12) & 15),
    hc((c >>> 8) & 15),
    hc((c >>> 4) & 15),
    hc(c & 15),
    hc(d >>> 28),
    hc((d >>> 24) & 15),
    hc((d >>> 20) & 15),
    hc((d >>> 16) & 15),
    hc((d >>> 12) & 15),
    hc((d >>> 8) & 15),
    hc((d >>> 4) & 15),
    hc(d & 15),
  );
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (Crockford base32, 10 time characters then 16 random ones) for the given time. */
export function ulidAt(timeMs: number, rng: Prng): string {
  let out = '';
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  for (let i = 0; i < 16; i++) out += CROCKFORD[rng.u32() & 31]!;
  return out;
}
