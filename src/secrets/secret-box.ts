import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A secret that cannot be opened: altered, truncated, or sealed with another key. */
export class SecretBoxError extends Error {}

/**
 * Seals secrets with AES-256-GCM. A box is `v1.<iv>.<ciphertext>.<tag>` in base64url: the
 * version prefix lets a later format (or key rotation) coexist with boxes already stored.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES)
      throw new SecretBoxError(`the secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
    return new SecretBox(Buffer.from(key));
  }

  /** A box with a fresh random key: for in-memory stores whose secrets die with the process. */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(KEY_BYTES));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, body, tag]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(box: string): string {
    const parts = box.split('.');
    if (parts[0] !== VERSION || parts.length !== 4)
      throw new SecretBoxError(`not a ${VERSION} secret box`);
    const [iv, body, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !body || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
      throw new SecretBoxError('the secret box is truncated or malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      // GCM cannot tell a wrong key from an altered box: both fail authentication.
      throw new SecretBoxError(
        'the secret cannot be decrypted: it was altered or sealed with another key',
      );
    }
  }
}

/**
 * The key that seals stored secrets: `hexKey` (64 hex digits, e.g. from PROVLOG_SECRET_KEY,
 * read by config.ts) when given, else `<dataDir>/secret.key`, created (mode 0600) when missing.
 * Back the key file up apart from the database: without it the stored secrets are lost.
 */
export function loadOrCreateKey(dataDir: string, hexKey?: string): Buffer {
  if (hexKey !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(hexKey))
      throw new SecretBoxError('the secret key must be 64 hexadecimal digits (32 bytes)');
    return Buffer.from(hexKey, 'hex');
  }
  const file = join(dataDir, 'secret.key');
  mkdirSync(dataDir, { recursive: true });
  try {
    // `wx` fails when the file exists, so two processes starting together keep one key.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text))
    throw new SecretBoxError(`${file} does not hold a 64-hex-digit key`);
  return Buffer.from(text, 'hex');
}
