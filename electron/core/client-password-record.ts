/** The stored form of a client password (docs/rules.md §6); the plaintext is shown once and never kept. */
import type { ApplyTarget, MailProtocol } from '../shared/client-password-rules';
import type { CoreContext } from './context';
import type { StoredRecord } from './store';

export interface ClientPasswordRecord extends StoredRecord {
  readonly mailbox: string;
  readonly name: string;
  /** scrypt hash (password-hash.ts) of the normalised password. */
  readonly hash: string;
  /** keyedHash(mac, 'client-password', normalised password): finds the one record to verify. */
  readonly lookup: string;
  readonly scopes: readonly MailProtocol[];
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly lastUsedFrom: string | null;
  /** Where the user put it, each place once, in the order it was applied. */
  readonly appliedTo: readonly ApplyTarget[];
}

/** Revokes every client password of a mailbox and returns their names. Call inside `store.atomically`. */
export async function revokeAllClientPasswords(core: CoreContext, mailbox: string): Promise<string[]> {
  const passwords = core.store.collection<ClientPasswordRecord>('clientPasswords');
  const names = (await passwords.find({ mailbox }, { sort: { createdAt: 1 } })).map((p) => p.name);
  await passwords.remove({ mailbox });
  return names;
}
