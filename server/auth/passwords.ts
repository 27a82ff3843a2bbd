import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Secret hashing with scrypt (RFC 7914), built into Node: memory-hard, so a
 * stolen credentials file is expensive to brute-force. Device secrets are
 * machine-generated (192 random bits), so the cost only guards against reuse of
 * the file, not against guessing: N=2^14, r=8, p=1 is the scrypt paper's
 * interactive-login setting (Percival 2009), about 50 ms and 16 MiB per check,
 * which keeps a reconnect storm of a whole building under a second. The encoded
 * form carries its parameters so they can be raised later without a migration.
 */
const N = 2 ** 14;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAX_MEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LEN, { N: n, r, p, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new random password: 24 bytes, URL-safe base64 (192 bits). */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}
