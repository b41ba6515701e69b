// Covers electron/core/mail-clients/autoconfig.ts: the file parses back to the keys of Mozilla's
// clientConfig 1.1 format (wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat), as
// Thunderbird would read it, with the policy's servers.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { isMailDomain, thunderbirdAutoconfig } from '../../../electron/core/mail-clients/autoconfig';
import type { MailServerSettings } from '../../../electron/shared/mail-server';
import { defaultMailServer } from '../../factories/policy';

function parsed(xml: string) {
  return new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'incomingServer' }).parse(xml) as {
    '?xml': Record<string, string>;
    clientConfig: {
      '@_version': string;
      emailProvider: Record<string, unknown> & { incomingServer: Record<string, unknown>[]; outgoingServer: Record<string, unknown> };
    };
  };
}

describe('the Thunderbird autoconfig file', () => {
  it("describes the guide's servers for the domain: IMAP first, then POP3, and SMTP, each over SSL", () => {
    const xml = thunderbirdAutoconfig({ domain: 'CSTNet.cn', displayName: '中国科技网邮件', server: defaultMailServer });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const { clientConfig } = parsed(xml);
    expect(clientConfig['@_version']).toBe('1.1');
    const provider = clientConfig.emailProvider;
    expect(provider).toMatchObject({ '@_id': 'cstnet.cn', domain: 'cstnet.cn', displayName: '中国科技网邮件', displayShortName: '中国科技网邮件' });
    const login = { username: '%EMAILADDRESS%', authentication: 'password-cleartext' };
    expect(provider.incomingServer).toEqual([
      { '@_type': 'imap', hostname: 'mail.cstnet.cn', port: 993, socketType: 'SSL', ...login },
      { '@_type': 'pop3', hostname: 'mail.cstnet.cn', port: 995, socketType: 'SSL', ...login },
    ]);
    expect(provider.outgoingServer).toEqual({ '@_type': 'smtp', hostname: 'mail.cstnet.cn', port: 994, socketType: 'SSL', ...login });
  });

  it("names STARTTLS and no encryption in Thunderbird's words, and follows the policy's hosts and ports", () => {
    const server: MailServerSettings = {
      imap: { host: 'imap.example.edu.cn', port: 143, security: 'starttls' },
      smtp: { host: 'smtp.example.edu.cn', port: 25, security: 'none' },
      pop3: { host: 'pop.example.edu.cn', port: 110, security: 'starttls' },
    };
    const provider = parsed(thunderbirdAutoconfig({ domain: 'example.edu.cn', displayName: 'Example', server })).clientConfig.emailProvider;
    expect(provider.incomingServer.map((s) => [s['@_type'], s.hostname, s.port, s.socketType])).toEqual([
      ['imap', 'imap.example.edu.cn', 143, 'STARTTLS'],
      ['pop3', 'pop.example.edu.cn', 110, 'STARTTLS'],
    ]);
    expect(provider.outgoingServer).toMatchObject({ hostname: 'smtp.example.edu.cn', port: 25, socketType: 'plain' });
  });

  it('escapes a display name, so the file stays well-formed', () => {
    const xml = thunderbirdAutoconfig({ domain: 'example.org', displayName: 'R&D <Mail> "Team"', server: defaultMailServer });
    expect(xml).toContain('R&amp;D &lt;Mail&gt;');
    expect(parsed(xml).clientConfig.emailProvider.displayName).toBe('R&D <Mail> "Team"');
  });

  it('takes a mail domain, not an address, a URL or a bare word', () => {
    expect(isMailDomain('cstnet.cn')).toBe(true);
    expect(isMailDomain('mail.example.edu.cn')).toBe(true);
    for (const wrong of ['', 'cstnet', 'zhang.wei@cstnet.cn', 'https://cstnet.cn', 'cst net.cn', '-a.cn', 'a..cn'])
      expect(isMailDomain(wrong), wrong).toBe(false);
  });
});
