/**
 * The words the mail-clients screens put to the backend's vocabularies: connection security,
 * connection outcomes, what a Foxmail account stores. Full records, so a new value fails the
 * type check until it has its words in both languages.
 */
import type { FoxmailAccountView } from '../../../../../electron/shared/channels/mail-clients';
import type { ConnectionOutcome, ConnectionSecurity, MailEndpoint } from '../../../../../electron/shared/mail-server';
import { m } from '../../paraglide/messages.js';

export const securityLabels: Record<ConnectionSecurity, () => string> = {
  tls: m.cp_mc_ssl,
  starttls: m.mc_security_starttls,
  none: m.mc_security_none,
};

/** `mail.cstnet.cn:993，SSL/TLS`: what a person types into a client's server fields. */
export function endpointText(endpoint: MailEndpoint): string {
  return m.mc_endpoint({ host: endpoint.host, port: endpoint.port, security: securityLabels[endpoint.security]() });
}

/** One plain sentence per outcome of a connection test (docs/rules.md §8). */
export const outcomeMessages: Record<ConnectionOutcome, () => string> = {
  ok: m.mc_outcome_ok,
  'name-not-found': m.mc_outcome_name_not_found,
  'cannot-connect': m.mc_outcome_cannot_connect,
  'tls-mismatch': m.mc_outcome_tls_mismatch,
  'wrong-port': m.mc_outcome_wrong_port,
  'auth-refused': m.mc_outcome_auth_refused,
  'main-password': m.mc_outcome_main_password,
  timeout: m.mc_outcome_timeout,
};

export const storedPasswordLabels: Record<FoxmailAccountView['storedPassword'], () => string> = {
  'main-password': m.mc_stored_main_password,
  'client-password': m.mc_stored_client_password,
  other: m.mc_stored_other,
  none: m.mc_stored_none,
  unknown: m.mc_stored_unknown,
  'not-this-mailbox': m.mc_stored_not_this_mailbox,
};

export const protocolNames: Record<FoxmailAccountView['protocol'], string> = { imap: 'IMAP', pop3: 'POP3' };
