/**
 * The institutional mail server users' clients talk to, and which client integrations the app
 * offers (SPEC.md §1, §8, §10). Plain data shared by the policy schema, the core and the pages.
 */
export const connectionSecurities = ['tls', 'starttls', 'none'] as const;
export type ConnectionSecurity = (typeof connectionSecurities)[number];

export interface MailEndpoint {
  readonly host: string;
  readonly port: number;
  readonly security: ConnectionSecurity;
}

export interface MailServerSettings {
  readonly imap: MailEndpoint;
  readonly smtp: MailEndpoint;
  readonly pop3: MailEndpoint;
}

export const defaultMailServer: MailServerSettings = {
  imap: { host: 'mail.cstnet.cn', port: 993, security: 'tls' },
  smtp: { host: 'mail.cstnet.cn', port: 994, security: 'tls' },
  pop3: { host: 'mail.cstnet.cn', port: 995, security: 'tls' },
};

export interface ClientIntegrations {
  readonly keychain: boolean;
  readonly foxmail: boolean;
  readonly iphoneProfile: boolean;
}

export const defaultClientIntegrations: ClientIntegrations = { keychain: true, foxmail: true, iphoneProfile: true };
