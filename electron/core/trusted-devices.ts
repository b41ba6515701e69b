/**
 * Trusted devices (SPEC.md §7): one device and one client, trusted for the policy's days
 * (7 by default), not sliding. The token lives with the client; only its keyed hash is here.
 */
import type { CoreContext } from './context';
import type { StoredRecord } from './store';

export interface TrustedDeviceRecord extends StoredRecord {
  readonly mailbox: string;
  /** keyedHash(mac, 'trust-token', token). */
  readonly tokenHash: string;
  readonly label: string;
  readonly client: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
}

/**
 * Removes every trusted device of a mailbox: a changed or removed factor, or a new main
 * password, must not leave an old trust in place (ASVS 2.5.5). Call inside `store.atomically`.
 */
export async function revokeAllTrustedDevices(core: CoreContext, mailbox: string): Promise<number> {
  return core.store.collection<TrustedDeviceRecord>('trustedDevices').remove({ mailbox });
}
