/**
 * What a held client password may be used for, as the instructions need it: for both receiving
 * and sending, for receiving only, or for sending only. A password allowed for IMAP alone must not
 * be put into the outgoing server, where every send would fail (issue 16, item 7).
 */
import type { MailProtocol } from '../../../../../electron/shared/client-password-rules';
import { protocolLabels } from '../client-passwords/labels';

export type Reach = 'both' | 'receiving' | 'sending';

export function reachOf(scopes: readonly MailProtocol[] | undefined): Reach {
  if (!scopes) return 'both';
  const receives = scopes.includes('imap') || scopes.includes('pop3');
  const sends = scopes.includes('smtp');
  return receives && sends ? 'both' : sends ? 'sending' : 'receiving';
}

/** "IMAP · POP3": the receiving protocols it is allowed for. */
export function receivingProtocols(scopes: readonly MailProtocol[]): string {
  return scopes
    .filter((s) => s !== 'smtp')
    .map((s) => protocolLabels[s])
    .join(' · ');
}
