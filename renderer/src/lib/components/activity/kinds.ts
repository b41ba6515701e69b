/**
 * The activity kinds the filter offers, in the order a person thinks of them. The list lives in
 * the core (electron/core/activity.ts), which the renderer may not import; a unit test keeps this
 * copy equal to it (test/renderer/activity-describe.test.ts).
 */
import { m } from '../../paraglide/messages.js';

export const activityKindLabels = {
  'sign-in': m.act_kind_sign_in,
  'sign-in-failed': m.act_kind_sign_in_failed,
  'mailbox-locked': m.act_kind_mailbox_locked,
  'mailbox-registered': m.act_kind_mailbox_registered,
  'code-sent': m.act_kind_code_sent,
  'code-send-failed': m.act_kind_code_send_failed,
  'code-rejected': m.act_kind_code_rejected,
  'phone-bound': m.act_kind_phone_bound,
  'phone-changed': m.act_kind_phone_changed,
  'phone-unbound': m.act_kind_phone_unbound,
  'totp-enrolled': m.act_kind_totp_enrolled,
  'totp-removed': m.act_kind_totp_removed,
  'backup-codes-generated': m.act_kind_backup_codes_generated,
  'backup-code-used': m.act_kind_backup_code_used,
  'password-changed': m.act_kind_password_changed,
  'client-password-created': m.act_kind_client_password_created,
  'client-password-used': m.act_kind_client_password_used,
  'client-password-rejected': m.act_kind_client_password_rejected,
  'client-password-revoked': m.act_kind_client_password_revoked,
  'phone-profile-offered': m.act_kind_phone_profile_offered,
  'phone-profile-fetched': m.act_kind_phone_profile_fetched,
  'device-trusted': m.act_kind_device_trusted,
  'device-removed': m.act_kind_device_removed,
  'sessions-ended': m.act_kind_sessions_ended,
  'grant-added': m.act_kind_grant_added,
  'grant-changed': m.act_kind_grant_changed,
  'grant-removed': m.act_kind_grant_removed,
  'policy-applied': m.act_kind_policy_applied,
  'helpdesk-action': m.act_kind_helpdesk_action,
} as const satisfies Record<string, () => string>;

export type ActivityKindName = keyof typeof activityKindLabels;

export const activityKindNames = Object.keys(activityKindLabels) as ActivityKindName[];
