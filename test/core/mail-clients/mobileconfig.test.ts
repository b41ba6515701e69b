// Covers electron/core/mail-clients/mobileconfig.ts: the profile parses back (with the plist
// library, as iOS would read it) to the documented keys of Apple's com.apple.mail.managed payload.
import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { buildMobileconfig, profileFileName, randomUuid } from '../../../electron/core/mail-clients/mobileconfig';
import type { MailServerSettings } from '../../../electron/shared/mail-server';
import { defaultMailServer } from '../../factories/policy';
import { cryptoRandom } from '../../../electron/platform/system';

type Dict = Record<string, unknown>;

function build(overrides: Partial<Parameters<typeof buildMobileconfig>[0]> = {}): { top: Dict; mail: Dict; xml: string } {
  const xml = buildMobileconfig(
    {
      address: 'zhang.wei@cstnet.cn',
      displayName: '张伟',
      server: defaultMailServer,
      password: null,
      scopes: ['imap', 'smtp', 'pop3'],
      organisation: 'Mailwarden',
      ...overrides,
    },
    cryptoRandom,
  );
  const top = parse(xml) as Dict;
  return { top, mail: (top.PayloadContent as Dict[])[0]!, xml };
}

const uuid = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

describe('the iPhone / iPad profile', () => {
  it("is a Configuration profile holding one com.apple.mail.managed payload with the guide's IMAP and SMTP settings", () => {
    const { top, mail } = build();
    expect(top).toMatchObject({ PayloadType: 'Configuration', PayloadVersion: 1, PayloadRemovalDisallowed: false, PayloadOrganization: 'Mailwarden' });
    expect(top.PayloadContent).toHaveLength(1);
    expect(mail).toEqual({
      PayloadType: 'com.apple.mail.managed',
      PayloadVersion: 1,
      PayloadIdentifier: 'org.mailwarden.profile.zhang.wei-cstnet.cn.mail',
      PayloadUUID: expect.stringMatching(uuid),
      PayloadDisplayName: 'zhang.wei@cstnet.cn',
      PayloadDescription: 'IMAP + SMTP: zhang.wei@cstnet.cn',
      EmailAccountDescription: 'zhang.wei@cstnet.cn',
      EmailAccountName: '张伟',
      EmailAccountType: 'EmailTypeIMAP',
      EmailAddress: 'zhang.wei@cstnet.cn',
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      IncomingMailServerHostName: 'mail.cstnet.cn',
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: 'zhang.wei@cstnet.cn',
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: 'mail.cstnet.cn',
      OutgoingMailServerPortNumber: 994,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: 'zhang.wei@cstnet.cn',
      OutgoingPasswordSameAsIncomingPassword: true,
    });
  });

  it('holds the password only when given one', () => {
    expect(build().mail).not.toHaveProperty('IncomingPassword');
    expect(build().xml).not.toContain('Password</key>\n    <string>');
    const { mail } = build({ password: 'abcdefghijkmnpqr' });
    expect(mail.IncomingPassword).toBe('abcdefghijkmnpqr');
    expect(mail.OutgoingPasswordSameAsIncomingPassword).toBe(true);
  });

  it('sets an IMAP-only password for the incoming server only, so the device asks for the outgoing one', () => {
    const { mail, xml } = build({ password: 'abcdefghijkmnpqr', scopes: ['imap'] });
    expect(mail.IncomingPassword).toBe('abcdefghijkmnpqr');
    expect(mail).not.toHaveProperty('OutgoingPassword');
    expect(mail.OutgoingPasswordSameAsIncomingPassword).toBe(false);
    expect(xml.match(/abcdefghijkmnpqr/g)).toHaveLength(1);
  });

  it('sets an SMTP-only password for the outgoing server only', () => {
    const { mail } = build({ password: 'abcdefghijkmnpqr', scopes: ['smtp'] });
    expect(mail).not.toHaveProperty('IncomingPassword');
    expect(mail.OutgoingPassword).toBe('abcdefghijkmnpqr');
    expect(mail.OutgoingPasswordSameAsIncomingPassword).toBe(false);
  });

  it("follows the policy's servers, with SSL off only for a server without TLS", () => {
    const server: MailServerSettings = {
      imap: { host: 'imap.example.cn', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.cn', port: 25, security: 'none' },
      pop3: defaultMailServer.pop3,
    };
    const { mail } = build({ server });
    expect(mail).toMatchObject({
      IncomingMailServerHostName: 'imap.example.cn',
      IncomingMailServerPortNumber: 143,
      IncomingMailServerUseSSL: true,
      OutgoingMailServerHostName: 'smtp.example.cn',
      OutgoingMailServerPortNumber: 25,
      OutgoingMailServerUseSSL: false,
    });
  });

  it('gets fresh UUIDs every time, so a second profile never replaces the first by accident', () => {
    const first = build();
    const second = build();
    const ids = [first.top.PayloadUUID, first.mail.PayloadUUID, second.top.PayloadUUID, second.mail.PayloadUUID];
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(4);
  });

  it('escapes what would break the XML and keeps identifiers to reverse-DNS characters', () => {
    const { top, mail } = build({ address: 'a&b<c>@cstnet.cn', displayName: '</string><key>x</key>' });
    expect(mail.EmailAddress).toBe('a&b<c>@cstnet.cn');
    expect(mail.EmailAccountName).toBe('</string><key>x</key>');
    expect(top.PayloadIdentifier).toBe('org.mailwarden.profile.a-b-c--cstnet.cn');
  });

  it('draws UUIDs from the random port as version 4', () => {
    const zeros = { bytes: (n: number) => new Uint8Array(n), int: () => 0 };
    expect(randomUuid(zeros)).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('suggests a file name safe on every file system', () => {
    expect(profileFileName('zhang.wei@cstnet.cn')).toBe('zhang.wei@cstnet.cn.mobileconfig');
    expect(profileFileName('a/b\\c:d@x.cn')).toBe('a_b_c_d@x.cn.mobileconfig');
  });
});
