import type { ApplyTarget, MailProtocol } from '../../../../../electron/shared/client-password-rules';
import { m } from '../../paraglide/messages.js';

export const protocolLabels: Record<MailProtocol, string> = { imap: 'IMAP', smtp: 'SMTP', pop3: 'POP3' };

export const applyTargetLabels: Record<ApplyTarget, () => string> = {
  keychain: m.cp_applied_keychain,
  foxmail: m.cp_applied_foxmail,
  thunderbird: m.cp_applied_thunderbird,
  'iphone-profile': m.cp_applied_iphone_profile,
  'android-card': m.cp_applied_android_card,
  manual: m.cp_applied_manual,
};

/** The name rule of docs/rules.md §6, as the form checks it before asking: 1–32 characters once trimmed. */
export const nameMaxLength = 32;

export function nameLength(name: string): number {
  return [...name.normalize('NFC').trim()].length;
}
