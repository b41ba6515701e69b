/**
 * Thunderbird's autoconfiguration file (`config-v1.1.xml`) for the organisation's mail domain,
 * from the policy's servers, for IT to host where Thunderbird looks for it:
 * `https://autoconfig.<domain>/mail/config-v1.1.xml` or
 * `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`. A person then types their
 * address in Thunderbird and gets the right servers; the password they type there is a client
 * password. Format: Mozilla's "Thunderbird:Autoconfiguration:ConfigFileFormat" (clientConfig 1.1):
 * one emailProvider, the incoming servers in order of preference (IMAP, then POP3), one
 * outgoing SMTP server. fast-xml-parser's builder writes and escapes the XML.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { ConnectionSecurity, MailEndpoint, MailServerSettings } from '../../shared/mail-server';

export interface AutoconfigInput {
  /** The mail domain, the part after @ of the addresses it serves: `cstnet.cn`. */
  readonly domain: string;
  /** What Thunderbird shows for the provider: the organisation's name, or the domain. */
  readonly displayName: string;
  readonly server: MailServerSettings;
}

/** Thunderbird's words for a connection's security. */
const socketTypes: Record<ConnectionSecurity, string> = { tls: 'SSL', starttls: 'STARTTLS', none: 'plain' };

function serverEntry(endpoint: MailEndpoint) {
  return {
    hostname: endpoint.host,
    port: endpoint.port,
    socketType: socketTypes[endpoint.security],
    // Thunderbird fills in the address the person typed: every mailbox signs in with its address.
    username: '%EMAILADDRESS%',
    // The password as typed (a client password once 2FA is on), sent over the connection above.
    authentication: 'password-cleartext',
  };
}

/** A host name with at least one dot, as a mail domain is: `cstnet.cn`, `mail.example.edu.cn`. */
export function isMailDomain(domain: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domain);
}

export function thunderbirdAutoconfig(input: AutoconfigInput): string {
  const domain = input.domain.toLowerCase();
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    clientConfig: {
      '@_version': '1.1',
      emailProvider: {
        '@_id': domain,
        domain,
        displayName: input.displayName,
        displayShortName: input.displayName,
        incomingServer: [
          { '@_type': 'imap', ...serverEntry(input.server.imap) },
          { '@_type': 'pop3', ...serverEntry(input.server.pop3) },
        ],
        outgoingServer: { '@_type': 'smtp', ...serverEntry(input.server.smtp) },
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, indentBy: '  ', suppressEmptyNode: true }).build(document) as string;
}
