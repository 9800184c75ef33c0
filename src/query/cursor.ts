import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One opaque cursor for every list (API, CLI, export, live tail, console): the sort key of the
 * last row seen, signed so a client cannot forge positions or feed one list's cursor to another.
 */
export interface CursorPosition {
  /** Sort time of the last row, epoch ms. */
  t: number;
  /** Tie-breaker: the store's insertion sequence of that row. */
  s: number;
}

export class CursorError extends Error {}

const SIG_BYTES = 12;

export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(kind: string, pos: CursorPosition): string {
    const body = Buffer.from(JSON.stringify([kind, pos.t, pos.s]));
    return Buffer.concat([this.sign(body), body]).toString('base64url');
  }

  decode(kind: string, cursor: string): CursorPosition {
    if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor))
      throw new CursorError('cursor is malformed');
    const raw = Buffer.from(cursor, 'base64url');
    const sig = raw.subarray(0, SIG_BYTES);
    const body = raw.subarray(SIG_BYTES);
    const expected = this.sign(body);
    if (sig.length !== SIG_BYTES || !timingSafeEqual(sig, expected)) {
      throw new CursorError('cursor was altered or belongs to another provlog store');
    }
    const parsed: unknown = JSON.parse(body.toString());
    if (!Array.isArray(parsed) || parsed[0] !== kind) {
      throw new CursorError(`cursor belongs to another list, not ${kind}`);
    }
    const [, t, s] = parsed as [string, unknown, unknown];
    if (!Number.isSafeInteger(t) || !Number.isSafeInteger(s))
      throw new CursorError('cursor is malformed');
    return { t: t as number, s: s as number };
  }

  private sign(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, SIG_BYTES);
  }
}
