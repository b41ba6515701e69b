/**
 * One security event in plain words, in the current language: "在 Windows · LAB-PC-07 /
 * Chrome 131 上登录成功", "生成了客户端专用密码「Foxmail 办公室」". One message per kind (and,
 * where the detail says more, per variant); an unknown kind from a newer backend still reads.
 */
import { formatDateTime } from '../../i18n/dates';
import type { ActivityEventView } from '../../../../../electron/shared/channels/activity';
import { m } from '../../paraglide/messages.js';

type Detail = ActivityEventView['detail'];

function text(detail: Detail, key: string): string {
  const value = detail[key];
  return value === undefined ? '' : String(value);
}

function count(detail: Detail, key: string): number {
  const value = Number(detail[key]);
  return Number.isFinite(value) ? value : 0;
}

/** "IMAP from 203.0.113.5" is written by the backend in English; it reads in the user's language. */
export function describeDevice(device: string): string {
  const mail = /^(IMAP|SMTP|POP3) from (.+)$/.exec(device);
  if (mail) return m.act_device_mail_client({ protocol: mail[1]!, address: mail[2]! });
  if (device === 'Mailwarden') return m.act_device_app();
  if (device === 'Mailwarden demo') return m.act_device_demo();
  return device;
}

/** "The help desk (wang.it) reset two-factor authentication": who did what, for the person to check. */
function helpdesk(action: string, by: string, detail: Detail): string {
  switch (action) {
    case 'issue-access-pass':
      return m.act_helpdesk_issue_access_pass({ by, until: formatDateTime(count(detail, 'expiresAt')) });
    case 'reset-two-factor':
      return m.act_helpdesk_reset_two_factor({ by });
    case 'unlock':
      return m.act_helpdesk_unlock({ by });
    case 'revoke-client-passwords':
      return m.act_helpdesk_revoke_client_passwords({ by });
    case 'revoke-devices':
      return m.act_helpdesk_revoke_devices({ by });
    default:
      return m.act_helpdesk_other({ by, action });
  }
}

const protocolNames: Record<string, string> = { imap: 'IMAP', smtp: 'SMTP', pop3: 'POP3' };

function protocolOf(detail: Detail): string {
  const value = text(detail, 'protocol');
  return protocolNames[value] ?? value.toUpperCase();
}

function signInMethod(method: string): string {
  switch (method) {
    case 'password':
      return m.act_method_password();
    case 'trusted-device':
      return m.act_method_trusted_device();
    case 'sms':
      return m.act_method_sms();
    case 'totp':
      return m.act_method_totp();
    case 'backup':
      return m.act_method_backup();
    case 'access-pass':
      return m.act_method_access_pass();
    default:
      return method;
  }
}

function failedStep(step: string): string {
  switch (step) {
    case 'password':
      return m.act_step_password();
    case 'password-recheck':
      return m.act_step_password_recheck();
    case 'password-change':
      return m.act_step_password_change();
    case 'sms':
    case 'totp':
    case 'backup':
    case 'access-pass':
      return m.act_step_code({ method: signInMethod(step) });
    default:
      return step;
  }
}

function codePurpose(purpose: string): string {
  if (purpose === 'bind-phone') return m.act_purpose_bind_phone();
  if (purpose === 'sign-in') return m.act_purpose_sign_in();
  return purpose;
}

function levelName(level: string): string {
  switch (level) {
    case 'read-only':
      return m.act_level_read_only();
    case 'send-on-behalf':
      return m.act_level_send_on_behalf();
    case 'send-as':
      return m.act_level_send_as();
    default:
      return level;
  }
}

function registered(source: string): string {
  if (source === 'import') return m.act_mailbox_imported();
  if (source === 'demo') return m.act_mailbox_demo();
  return m.act_mailbox_registered();
}

function rejected(detail: Detail): string {
  const name = text(detail, 'name');
  const protocol = protocolOf(detail);
  switch (text(detail, 'reason')) {
    case 'main-password-with-2fa':
      return m.act_client_password_rejected_main_password({ protocol });
    case 'out-of-scope':
      return m.act_client_password_rejected_scope({ name, protocol });
    case 'expired':
      return m.act_client_password_rejected_expired({ name, protocol });
    case 'locked':
      return m.act_client_password_rejected_locked({ protocol });
    default:
      return m.act_client_password_rejected_wrong({ protocol });
  }
}

/** Owner's log names the grantee; the grantee's mirror names the owner. */
function grant(kind: string, detail: Detail): string {
  const level = levelName(text(detail, 'level'));
  const grantee = text(detail, 'grantee');
  const owner = text(detail, 'owner');
  const given = grantee !== '';
  if (kind === 'grant-added') return given ? m.act_grant_added_given({ grantee, level }) : m.act_grant_added_received({ owner, level });
  if (kind === 'grant-changed') return given ? m.act_grant_changed_given({ grantee, level }) : m.act_grant_changed_received({ owner, level });
  if (text(detail, 'reason') === 'lapsed') return given ? m.act_grant_lapsed_given({ grantee }) : m.act_grant_lapsed_received({ owner });
  if (text(detail, 'reason') === 'declined') return given ? m.act_grant_declined_given({ grantee }) : m.act_grant_declined_received({ owner });
  return given ? m.act_grant_removed_given({ grantee }) : m.act_grant_removed_received({ owner });
}

/** "Windows · LAB-PC-07 / Chrome 131 (203.0.113.7)", as the core's deviceName writes it. */
function sessionName(detail: Detail): string {
  const address = detail['address'];
  return `${text(detail, 'label')} / ${text(detail, 'client')}${typeof address === 'string' && address ? ` (${address})` : ''}`;
}

export function describeEvent(event: Pick<ActivityEventView, 'kind' | 'outcome' | 'device' | 'detail'>): string {
  const { detail } = event;
  const device = describeDevice(event.device);
  switch (event.kind) {
    case 'sign-in':
      return m.act_sign_in({ device, method: signInMethod(text(detail, 'method')) });
    case 'sign-in-failed':
      return m.act_sign_in_failed({ device, reason: failedStep(text(detail, 'step')) });
    case 'mailbox-locked':
      return m.act_mailbox_locked({ minutes: count(detail, 'minutes') });
    case 'mailbox-registered':
      return registered(text(detail, 'source'));
    case 'code-sent':
      return m.act_code_sent({ phone: text(detail, 'phone'), purpose: codePurpose(text(detail, 'purpose')) });
    case 'code-send-failed':
      return m.act_code_send_failed({ phone: text(detail, 'phone'), purpose: codePurpose(text(detail, 'purpose')) });
    case 'code-rejected':
      return m.act_code_rejected({ purpose: codePurpose(text(detail, 'purpose')), count: count(detail, 'wrongEntries') });
    case 'phone-bound':
      return m.act_phone_bound({ phone: text(detail, 'phone') });
    case 'phone-changed':
      return m.act_phone_changed({ from: text(detail, 'from'), to: text(detail, 'to') });
    case 'phone-unbound':
      return m.act_phone_unbound({ phone: text(detail, 'phone') });
    case 'totp-enrolled':
      return m.act_totp_enrolled();
    case 'totp-removed':
      return m.act_totp_removed();
    case 'backup-codes-generated':
      return m.act_backup_codes_generated({ count: count(detail, 'count') });
    case 'backup-code-used':
      return m.act_backup_code_used({ left: count(detail, 'left') });
    case 'password-changed':
      return m.act_password_changed({
        passwords: count(detail, 'clientPasswordsRevoked'),
        devices: count(detail, 'trustedDevicesRevoked'),
      });
    case 'client-password-created':
      return m.act_client_password_created({ name: text(detail, 'name') });
    case 'client-password-used':
      return m.act_client_password_used({ name: text(detail, 'name'), protocol: protocolOf(detail) });
    case 'client-password-rejected':
      return rejected(detail);
    case 'client-password-revoked':
      return m.act_client_password_revoked({ name: text(detail, 'name') });
    case 'phone-profile-offered':
      return m.act_phone_profile_offered({ name: text(detail, 'name') });
    case 'phone-profile-fetched':
      return m.act_phone_profile_fetched({ name: text(detail, 'name') });
    case 'device-trusted':
      return m.act_device_trusted({ device });
    case 'device-removed':
      return detail['count'] !== undefined
        ? m.act_devices_removed_all({ count: count(detail, 'count') })
        : m.act_device_removed({ device: `${text(detail, 'label')} / ${text(detail, 'client')}` });
    case 'sessions-ended':
      return detail['count'] !== undefined
        ? m.act_sessions_ended_others({ count: count(detail, 'count') })
        : m.act_session_ended({ device: sessionName(detail) });
    case 'grant-added':
    case 'grant-changed':
    case 'grant-removed':
      return grant(event.kind, detail);
    case 'policy-applied':
      return m.act_policy_applied();
    case 'helpdesk-action':
      return helpdesk(text(detail, 'action'), text(detail, 'by'), detail);
    default:
      return event.outcome === 'failure' ? m.act_unknown_failure({ kind: event.kind }) : m.act_unknown({ kind: event.kind });
  }
}
