/**
 * The security check-up (issue 4, item 9): what a mailbox's owner should look at, worked out
 * from what the existing channels already answer. Pure, so it is tested without a page.
 */
import type { GrantLevel } from '../../../../../electron/shared/grant-rules';

export type CheckupKind = 'no-two-factor' | 'sms-only' | 'unused-passwords' | 'devices-expiring' | 'other-domains';

export interface CheckupItem {
  readonly kind: CheckupKind;
  /** What the item is about, named for the person: passwords, devices or addresses. */
  readonly names: readonly string[];
}

export interface CheckupInput {
  readonly mailbox: string;
  readonly methods: readonly ('sms' | 'totp')[];
  readonly allowedMethods: readonly ('sms' | 'totp')[];
  readonly passwords: readonly { readonly name: string; readonly unusedFor90Days: boolean; readonly expired: boolean }[];
  readonly devices: readonly { readonly label: string; readonly client: string; readonly expiresAt: number }[];
  readonly grantsGiven: readonly { readonly grantee: string; readonly level: GrantLevel }[];
  readonly now: number;
}

const dayMs = 86_400_000;

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** The items to show, most important first; empty means all clear. */
export function checkup(input: CheckupInput): CheckupItem[] {
  const items: CheckupItem[] = [];
  if (input.methods.length === 0) items.push({ kind: 'no-two-factor', names: [] });
  // Only worth suggesting when policy lets the person add an authenticator app at all.
  else if (input.methods.length === 1 && input.methods[0] === 'sms' && input.allowedMethods.includes('totp')) {
    items.push({ kind: 'sms-only', names: [] });
  }
  const unused = input.passwords.filter((p) => p.unusedFor90Days && !p.expired).map((p) => p.name);
  if (unused.length > 0) items.push({ kind: 'unused-passwords', names: unused });
  const expiring = input.devices.filter((d) => d.expiresAt > input.now && d.expiresAt - input.now <= dayMs).map((d) => `${d.label} / ${d.client}`);
  if (expiring.length > 0) items.push({ kind: 'devices-expiring', names: expiring });
  const ownDomain = domainOf(input.mailbox);
  const foreign = input.grantsGiven.filter((g) => domainOf(g.grantee) !== ownDomain).map((g) => g.grantee);
  if (foreign.length > 0) items.push({ kind: 'other-domains', names: foreign });
  return items;
}
