/** Everything the overview reads, gathered from the existing channels in one go. */
import type { ClientPasswordView } from '../../../../../electron/shared/channels/client-passwords';
import type { TrustedDevice } from '../../../../../electron/shared/channels/devices';
import type { GrantGivenView, SharedMailboxView } from '../../../../../electron/shared/channels/grants';
import type { TwoFactorStatus } from '../../../../../electron/shared/channels/two-factor';
import type { Err } from '../../../../../electron/shared/result';
import { api } from '../../api/bridge';

export interface OverviewData {
  readonly mailbox: string;
  readonly twoFactor: TwoFactorStatus;
  readonly passwords: readonly ClientPasswordView[];
  readonly passwordLimit: number;
  readonly devices: readonly TrustedDevice[];
  readonly grantsGiven: readonly GrantGivenView[];
  readonly sharedWithMe: number;
  /** Shared with this person since they last looked at the shared-mailboxes page: announced here. */
  readonly newShares: readonly SharedMailboxView[];
  /** When it was read, for "expires within a day". */
  readonly at: number;
}

export async function loadOverview(): Promise<{ ok: true; data: OverviewData } | Err> {
  const [status, twoFactor, passwords, devices, given, withMe] = await Promise.all([
    api.auth.status({}),
    api.twoFactor.status({}),
    api.clientPasswords.list({}),
    api.devices.list({}),
    api.grants.listGiven({}),
    api.grants.listSharedWithMe({}),
  ]);
  if (!status.ok) return status;
  if (!twoFactor.ok) return twoFactor;
  if (!passwords.ok) return passwords;
  if (!devices.ok) return devices;
  if (!given.ok) return given;
  if (!withMe.ok) return withMe;
  if (!('mailbox' in status.data)) return { ok: false, code: 'not-signed-in' };
  return {
    ok: true,
    data: {
      mailbox: status.data.mailbox,
      twoFactor: twoFactor.data,
      passwords: passwords.data.passwords,
      passwordLimit: passwords.data.limit,
      devices: devices.data.devices,
      grantsGiven: given.data.grants,
      sharedWithMe: withMe.data.mailboxes.length,
      newShares: withMe.data.mailboxes.filter((mailbox) => mailbox.isNew),
      at: Date.now(),
    },
  };
}
