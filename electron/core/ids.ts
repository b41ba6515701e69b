import type { Random } from './ports';

/** A random identifier: 16 bytes from the CSPRNG, base64url (22 characters). */
export function randomId(random: Random, bytes = 16): string {
  return Buffer.from(random.bytes(bytes)).toString('base64url');
}
