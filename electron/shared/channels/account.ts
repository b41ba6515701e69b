/** The `account` namespace: changing the main password (docs/rules.md §6, last rule). */
import * as v from 'valibot';
import { channels } from '../channel';
import { PasswordInput } from './auth';

const NoFields = v.strictObject({});

export const accountChannels = channels({
  'account:password-change-preview': {
    session: 'full',
    request: NoFields,
    response: v.strictObject({
      /** Whether policy has a new main password revoke every client password. */
      revokesClientPasswords: v.boolean(),
      /** The client passwords that would stop working, by name, oldest first. */
      clientPasswords: v.array(v.string()),
      trustedDevices: v.number(),
    }),
    errors: ['not-signed-in', 'two-factor-required'],
  },
  'account:change-password': {
    session: 'full',
    request: v.strictObject({ current: PasswordInput, next: PasswordInput, confirmation: PasswordInput }),
    response: v.strictObject({
      /** Names of the client passwords revoked: those clients need a new one. */
      revokedClientPasswords: v.array(v.string()),
      revokedTrustedDevices: v.number(),
    }),
    errors: [
      'not-signed-in',
      'two-factor-required',
      'password-incorrect',
      'mailbox-locked',
      'password-too-short',
      'password-too-long',
      'password-same-as-address',
      'passwords-differ',
      'password-unchanged',
    ],
  },
});
