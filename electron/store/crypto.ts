/**
 * Encryption at rest: AES-256-GCM with a fresh 96-bit IV per record line. The collection name is
 * bound in as associated data, so a line moved from one file to another no longer opens.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const version = 'v1';

export function sealLine(key: Uint8Array, plaintext: string, associated: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${version}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** Throws on a line that is not ours, was altered, or was sealed with another key. */
export function openLine(key: Uint8Array, line: string, associated: string): string {
  if (!line.startsWith(`${version}:`)) throw new Error('not a sealed line');
  const raw = Buffer.from(line.slice(version.length + 1), 'base64');
  if (raw.length < 12 + 16) throw new Error('sealed line too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
}

/** Separate keys for separate jobs, all from the one data key. */
export function deriveKey(dataKey: Uint8Array, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', dataKey, new Uint8Array(0), `mailwarden ${purpose}`, 32));
}
