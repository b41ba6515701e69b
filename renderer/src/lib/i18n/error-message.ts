import type { Err, ErrorCode } from '../../../../electron/shared/result';
import { m } from '../paraglide/messages.js';
import { getLocale } from '../paraglide/runtime.js';
import { waitText } from './waits';

/** Typed as a full record so a new error code fails the type check until it has a message. */
const messages: Record<ErrorCode, () => string> = {
  'invalid-request': m.error_invalid_request,
  'unknown-channel': m.error_unknown_channel,
  'forbidden-sender': m.error_forbidden_sender,
  unauthorized: m.error_unauthorized,
  internal: m.error_internal,
  'storage-failed': m.error_storage_failed,
  'invalid-address': m.error_invalid_address,
  'password-too-short': m.error_password_too_short,
  'password-too-long': m.error_password_too_long,
  'password-same-as-address': m.error_password_same_as_address,
  'passwords-differ': m.error_passwords_differ,
  'password-unchanged': m.error_password_unchanged,
  'mailbox-exists': m.error_mailbox_exists,
  'sign-in-failed': m.error_sign_in_failed,
  'mailbox-locked': m.error_mailbox_locked,
  'not-signed-in': m.error_not_signed_in,
  'mailbox-already-signed-in': m.error_mailbox_already_signed_in,
  'mailbox-limit-reached': m.error_mailbox_limit_reached,
  'mailbox-not-signed-in': m.error_mailbox_not_signed_in,
  'session-ended': m.error_session_ended,
  'two-factor-required': m.error_two_factor_required,
  'sign-in-expired': m.error_sign_in_expired,
  'method-unavailable': m.error_method_unavailable,
  'device-not-found': m.error_device_not_found,
  'password-incorrect': m.error_password_incorrect,
  'phone-invalid': m.error_phone_invalid,
  'code-not-sent': m.error_code_not_sent,
  'code-invalid': m.error_code_invalid,
  'code-expired': m.error_code_expired,
  'code-used': m.error_code_used,
  'code-reused': m.error_code_reused,
  'code-attempts-exceeded': m.error_code_attempts_exceeded,
  'send-too-soon': m.error_send_too_soon,
  'send-limit-reached': m.error_send_limit_reached,
  'sms-delivery-failed': m.error_sms_delivery_failed,
  'phone-already-bound': m.error_phone_already_bound,
  'phone-not-bound': m.error_phone_not_bound,
  'phone-unchanged': m.error_phone_unchanged,
  'password-recheck-required': m.error_password_recheck_required,
  'enforcement-requires-method': m.error_enforcement_requires_method,
  'method-not-allowed': m.error_method_not_allowed,
  'totp-already-enabled': m.error_totp_already_enabled,
  'totp-not-enabled': m.error_totp_not_enabled,
  'totp-not-started': m.error_totp_not_started,
  'two-factor-not-enabled': m.error_two_factor_not_enabled,
  'name-invalid': m.error_name_invalid,
  'name-taken': m.error_name_taken,
  'limit-reached': m.error_limit_reached,
  'not-found': m.error_not_found,
  'mailbox-unknown': m.error_mailbox_unknown,
  'grant-self': m.error_grant_self,
  'grant-exists': m.error_grant_exists,
  'end-date-invalid': m.error_end_date_invalid,
  'grant-forbidden': m.error_grant_forbidden,
  'keychain-unavailable': m.error_keychain_unavailable,
  'password-mismatch': m.error_password_mismatch,
  'foxmail-running': m.error_foxmail_running,
  'foxmail-other-mailbox': m.error_foxmail_other_mailbox,
  'foxmail-unsupported': m.error_foxmail_unsupported,
  'foxmail-write-failed': m.error_foxmail_write_failed,
  'thunderbird-running': m.error_thunderbird_running,
  'thunderbird-primary-password': m.error_thunderbird_primary_password,
  'thunderbird-unsupported': m.error_thunderbird_unsupported,
  'thunderbird-write-failed': m.error_thunderbird_write_failed,
  'thunderbird-other-mailbox': m.error_thunderbird_other_mailbox,
  'save-cancelled': m.error_save_cancelled,
  'save-failed': m.error_save_failed,
  'delete-failed': m.error_delete_failed,
  'open-failed': m.error_open_failed,
  'integration-disabled': m.error_integration_disabled,
  'desktop-only': m.error_desktop_only,
  'too-many-requests': m.error_too_many_requests,
  'server-busy': m.error_server_busy,
  'registration-closed': m.error_registration_closed,
  'server-unreachable': m.error_server_unreachable,
  'server-untrusted': m.error_server_untrusted,
  'server-incompatible': m.error_server_incompatible,
  'not-webmail-mode': m.error_not_webmail_mode,
  'managed-by-webmail': m.error_managed_by_webmail,
  'client-password-shape': m.error_client_password_shape,
  'client-password-refused': m.error_client_password_refused,
  'policy-locked': m.error_policy_locked,
  'phone-handoff-unavailable': m.error_phone_handoff_unavailable,
};

/**
 * The translated message for an error in the current language, with when to retry if known, or
 * how many more wrong entries a code allows.
 */
export function errorMessage(error: Pick<Err, 'code' | 'retryAfter' | 'triesLeft'>): string {
  const message = (messages[error.code] ?? m.error_internal)();
  if (error.triesLeft !== undefined && error.triesLeft > 0) return m.message_with_retry({ message, retry: m.tries_left({ count: error.triesLeft }) });
  if (error.retryAfter === undefined || !(error.retryAfter > 0)) return message;
  const retry = m.retry_when({ wait: waitText(error.retryAfter, getLocale()) });
  return m.message_with_retry({ message, retry });
}
