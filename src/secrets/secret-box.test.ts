import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKey, SecretBox, SecretBoxError } from './secret-box.ts';

describe('SecretBox', () => {
  const box = SecretBox.fromKey(randomBytes(32));

  it('round-trips text, including non-ASCII and empty strings', () => {
    for (const plain of ['s3cr3t', '', 'pässwörd ✓ 密码'])
      expect(box.decrypt(box.encrypt(plain))).toBe(plain);
  });

  it('seals the same text differently each time, and never in the clear', () => {
    const a = box.encrypt('s3cr3t');
    const b = box.encrypt('s3cr3t');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.')).toBe(true);
    expect(a).not.toContain('s3cr3t');
  });

  it('refuses a tampered box', () => {
    const sealed = box.encrypt('s3cr3t');
    const [v, iv, body, tag] = sealed.split('.') as [string, string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[0] = bytes[0]! ^ 1;
    const tampered = [v, iv, bytes.toString('base64url'), tag].join('.');
    expect(() => box.decrypt(tampered)).toThrow(SecretBoxError);
    expect(() => box.decrypt(tampered)).toThrow(/altered or sealed with another key/);
    expect(() => box.decrypt(`${v}.${iv}.${body}`)).toThrow(SecretBoxError);
    expect(() => box.decrypt('v0.abc')).toThrow(SecretBoxError);
  });

  it('refuses a box sealed with another key', () => {
    const other = SecretBox.fromKey(randomBytes(32));
    expect(() => other.decrypt(box.encrypt('s3cr3t'))).toThrow(SecretBoxError);
  });

  it('refuses keys of the wrong length', () => {
    expect(() => SecretBox.fromKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('loadOrCreateKey', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a 0600 key file once and reads the same key after', () => {
    dir = mkdtempSync(join(tmpdir(), 'provlog-key-'));
    const first = loadOrCreateKey(dir);
    expect(first).toHaveLength(32);
    const file = join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(loadOrCreateKey(dir).equals(first)).toBe(true);
  });

  it('prefers a given hex key and validates it', () => {
    dir = mkdtempSync(join(tmpdir(), 'provlog-key-'));
    const hex = randomBytes(32).toString('hex');
    expect(loadOrCreateKey(dir, hex).toString('hex')).toBe(hex);
    expect(() => loadOrCreateKey(dir!, 'abc')).toThrow(/64 hexadecimal digits/);
  });
});
