import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec, CursorError } from './cursor.ts';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const codec = new CursorCodec(key);
const pos = { t: Date.parse('2026-11-20T12:00:00Z'), s: 4711 };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Signs an arbitrary body the way CursorCodec does: 12 bytes of HMAC-SHA256, then the body. */
function signed(body: string, signingKey = key): string {
  const bytes = Buffer.from(body);
  const sig = createHmac('sha256', signingKey).update(bytes).digest().subarray(0, 12);
  return Buffer.concat([sig, bytes]).toString('base64url');
}

function decodeError(cursor: string, kind = 'entries'): CursorError {
  try {
    codec.decode(kind, cursor);
  } catch (err) {
    expect(err).toBeInstanceOf(CursorError);
    return err as CursorError;
  }
  throw new Error(`expected ${JSON.stringify(cursor)} to be refused`);
}

describe('CursorCodec', () => {
  it('decodes what it encodes', () => {
    expect(codec.decode('entries', codec.encode('entries', pos))).toEqual(pos);
    expect(codec.decode('tasks', codec.encode('tasks', { t: 0, s: 0 }))).toEqual({ t: 0, s: 0 });
    const big = { t: Number.MAX_SAFE_INTEGER, s: Number.MAX_SAFE_INTEGER };
    expect(codec.decode('entries', codec.encode('entries', big))).toEqual(big);
  });

  it('produces an opaque base64url string', () => {
    const cursor = codec.encode('entries', pos);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('4711');
  });

  it('agrees with a hand-made signature, so the tests below forge nothing the codec would not', () => {
    expect(signed(JSON.stringify(['entries', pos.t, pos.s]))).toBe(codec.encode('entries', pos));
  });

  it('refuses a cursor with any one character changed', () => {
    const cursor = codec.encode('entries', pos);
    for (let i = 0; i < cursor.length; i++) {
      // Flip the high bit of the 6-bit group: it always lands in a decoded byte, even in the last
      // character, whose low bits base64 leaves unused.
      const flipped = ALPHABET[ALPHABET.indexOf(cursor[i] ?? '') ^ 32] ?? '';
      const altered = cursor.slice(0, i) + flipped + cursor.slice(i + 1);
      expect(decodeError(altered).message, `position ${i}`).toMatch(/altered|malformed/);
    }
  });

  it('refuses a cursor made with another key', () => {
    const other = new CursorCodec(Buffer.from('another key of another provlog store'));
    expect(decodeError(other.encode('entries', pos)).message).toBe(
      'cursor was altered or belongs to another provlog store',
    );
  });

  it('refuses a cursor of another list', () => {
    expect(decodeError(codec.encode('tasks', pos), 'entries').message).toBe(
      'cursor belongs to another list, not entries',
    );
    expect(() => codec.decode('tasks', codec.encode('entries', pos))).toThrow(CursorError);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/def'],
    ['padded', `${'A'.repeat(24)}==`],
    ['garbage', 'hello world'],
    ['too long', 'A'.repeat(201)],
    ['shorter than a signature', 'AAAA'],
    ['a signature with no body', Buffer.alloc(12).toString('base64url')],
  ])('refuses a cursor that is %s', (_label, cursor) => {
    decodeError(cursor);
  });

  it.each([
    ['a fractional time', JSON.stringify(['entries', 1.5, 2])],
    ['a string time', JSON.stringify(['entries', '1700000000000', 2])],
    ['a null sequence', JSON.stringify(['entries', 1, null])],
    ['a missing sequence', JSON.stringify(['entries', 1])],
    ['an unsafe integer', JSON.stringify(['entries', 2 ** 53, 1])],
    ['an infinite time', '["entries",1e400,1]'],
  ])('refuses a validly signed body with %s', (_label, body) => {
    expect(decodeError(signed(body)).message).toBe('cursor is malformed');
  });

  it('refuses a validly signed body that is not a [kind, t, s] array', () => {
    expect(decodeError(signed(JSON.stringify({ kind: 'entries', t: 1, s: 1 }))).message).toBe(
      'cursor belongs to another list, not entries',
    );
  });

  it('accepts a validly signed body with integer positions', () => {
    expect(codec.decode('entries', signed(JSON.stringify(['entries', 10, 20])))).toEqual({
      t: 10,
      s: 20,
    });
  });
});
