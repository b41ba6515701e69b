/**
 * The iPhone / iPad configuration profile (docs/rules.md §8): one `com.apple.mail.managed` payload
 * (Apple's "Mail" payload in the Configuration Profile Reference / Device Management docs)
 * inside a `Configuration` profile, as XML plist. plist's builder escapes the text and writes the
 * types; we only choose the keys. UUIDs are random (v4 from the CSPRNG port), fresh per profile,
 * so installing a second profile replaces nothing by accident.
 */
import { build } from 'plist';
import type { MailProtocol } from '../../shared/client-password-rules';
import type { MailServerSettings } from '../../shared/mail-server';
import type { Random } from '../ports';

export interface ProfileInput {
  readonly address: string;
  readonly displayName: string;
  readonly server: MailServerSettings;
  /** The client password, or null for a profile that asks for it on the device. */
  readonly password: string | null;
  /**
   * What the password is allowed for: it is set only for those servers, and the device asks for
   * the other's (an IMAP-only password in the outgoing server would fail every send).
   */
  readonly scopes: readonly MailProtocol[];
  /** The product name, shown as the profile's organisation and in its description. */
  readonly organisation: string;
}

/** @internal */
export function randomUuid(random: Random): string {
  const bytes = random.bytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toUpperCase();
}

/** Reverse-DNS identifiers may hold letters, digits, dots and hyphens only. */
function identifierPart(address: string): string {
  return address.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
}

export function buildMobileconfig(input: ProfileInput, random: Random): string {
  const { address, server, password } = input;
  const base = `org.mailwarden.profile.${identifierPart(address)}`;
  const mail: Record<string, string | number | boolean> = {
    PayloadType: 'com.apple.mail.managed',
    PayloadVersion: 1,
    PayloadIdentifier: `${base}.mail`,
    PayloadUUID: randomUuid(random),
    PayloadDisplayName: address,
    PayloadDescription: `IMAP + SMTP: ${address}`,
    EmailAccountDescription: address,
    EmailAccountName: input.displayName,
    EmailAccountType: 'EmailTypeIMAP',
    EmailAddress: address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: server.imap.host,
    IncomingMailServerPortNumber: server.imap.port,
    IncomingMailServerUseSSL: server.imap.security !== 'none',
    IncomingMailServerUsername: address,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: server.smtp.host,
    OutgoingMailServerPortNumber: server.smtp.port,
    OutgoingMailServerUseSSL: server.smtp.security !== 'none',
    OutgoingMailServerUsername: address,
    OutgoingPasswordSameAsIncomingPassword: true,
  };
  const incoming = input.scopes.includes('imap');
  const outgoing = input.scopes.includes('smtp');
  if (password !== null) {
    if (incoming) mail.IncomingPassword = password;
    if (outgoing && !incoming) mail.OutgoingPassword = password;
  }
  // One password for both only when it is allowed for both; otherwise the device asks for each.
  if (!(incoming && outgoing)) mail.OutgoingPasswordSameAsIncomingPassword = false;
  const profile = {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: base,
    PayloadUUID: randomUuid(random),
    PayloadDisplayName: `${input.organisation}: ${address}`,
    PayloadDescription: `${input.organisation} — ${address}`,
    PayloadOrganization: input.organisation,
    PayloadRemovalDisallowed: false,
    PayloadContent: [mail],
  };
  return build(profile);
}

/** A file name the save dialog suggests: the address, safe on every file system. */
export function profileFileName(address: string): string {
  return `${address.replace(/[^A-Za-z0-9.@_-]/g, '_')}.mobileconfig`;
}
