/**
 * Words for the policy list: each schema key's label, each value in the reader's language, and
 * each place a value came from. The labels equal the schema's titles (a test keeps them so).
 */
import type { PolicyItem, PolicyOrigin } from '../../../../../electron/shared/contract';
import type { PolicyPath } from '../../../../../electron/shared/policy-schema';
import { m } from '../../paraglide/messages.js';

const keyLabels: Record<PolicyPath, () => string> = {
  serverHost: m.policy_key_server_host,
  'mailServer.imap.host': m.policy_key_mail_server_imap_host,
  'mailServer.imap.port': m.policy_key_mail_server_imap_port,
  'mailServer.imap.security': m.policy_key_mail_server_imap_security,
  'mailServer.smtp.host': m.policy_key_mail_server_smtp_host,
  'mailServer.smtp.port': m.policy_key_mail_server_smtp_port,
  'mailServer.smtp.security': m.policy_key_mail_server_smtp_security,
  'mailServer.pop3.host': m.policy_key_mail_server_pop3_host,
  'mailServer.pop3.port': m.policy_key_mail_server_pop3_port,
  'mailServer.pop3.security': m.policy_key_mail_server_pop3_security,
  'mailServer.sharedMailboxes': m.policy_key_mail_server_shared_mailboxes,
  enforceTwoFactor: m.policy_key_enforce_two_factor,
  twoFactorGraceDays: m.policy_key_two_factor_grace_days,
  allowedMethods: m.policy_key_allowed_methods,
  totpIssuer: m.policy_key_totp_issuer,
  trustedDeviceDays: m.policy_key_trusted_device_days,
  clientPasswordLimit: m.policy_key_client_password_limit,
  clientPasswordDefaultExpiryDays: m.policy_key_client_password_default_expiry_days,
  passwordChangeRevokesClientPasswords: m.policy_key_password_change_revokes_client_passwords,
  'sms.kind': m.policy_key_sms_kind,
  'sms.webhook.url': m.policy_key_sms_webhook_url,
  'sms.webhook.headers': m.policy_key_sms_webhook_headers,
  'sms.webhook.bodyTemplate': m.policy_key_sms_webhook_body_template,
  'sms.webhook.timeoutMs': m.policy_key_sms_webhook_timeout_ms,
  'sms.provider.accessKeyId': m.policy_key_sms_provider_access_key_id,
  'sms.provider.accessKeySecret': m.policy_key_sms_provider_access_key_secret,
  'sms.provider.signName': m.policy_key_sms_provider_sign_name,
  'sms.provider.templateId': m.policy_key_sms_provider_template_id,
  'sms.provider.sdkAppId': m.policy_key_sms_provider_sdk_app_id,
  'sms.provider.region': m.policy_key_sms_provider_region,
  'sms.provider.templateParams': m.policy_key_sms_provider_template_params,
  'clientIntegrations.keychain': m.policy_key_client_integrations_keychain,
  'clientIntegrations.foxmail': m.policy_key_client_integrations_foxmail,
  'clientIntegrations.thunderbird': m.policy_key_client_integrations_thunderbird,
  'clientIntegrations.iphoneProfile': m.policy_key_client_integrations_iphone_profile,
  'clientIntegrations.outlook': m.policy_key_client_integrations_outlook,
  'updates.enabled': m.policy_key_updates_enabled,
  'updates.feedUrl': m.policy_key_updates_feed_url,
  'crashReports.uploadUrl': m.policy_key_crash_reports_upload_url,
  'accounts.managedBy': m.policy_key_accounts_managed_by,
  'server.url': m.policy_key_server_url,
  'server.caFile': m.policy_key_server_ca_file,
};

const originLabels: Record<PolicyOrigin, () => string> = {
  'registry-hklm': m.policy_origin_registry_hklm,
  'registry-hkcu': m.policy_origin_registry_hkcu,
  'managed-preferences': m.policy_origin_managed_preferences,
  'managed-preferences-user': m.policy_origin_managed_preferences_user,
  'etc-file': m.policy_origin_etc_file,
  'policy-file': m.policy_origin_policy_file,
  'organisation-server': m.policy_origin_organisation_server,
};

const enumLabels: Record<string, () => string> = {
  tls: m.policy_security_tls,
  starttls: m.policy_security_starttls,
  none: m.policy_security_none,
  outbox: m.policy_gateway_outbox,
  webhook: m.policy_gateway_webhook,
  aliyun: m.policy_gateway_aliyun,
  tencent: m.policy_gateway_tencent,
  code: m.policy_template_params_code,
  'code-minutes': m.policy_template_params_code_minutes,
  sms: m.policy_method_sms,
  totp: m.policy_method_totp,
};

export function policyKeyLabel(key: PolicyPath): string {
  return keyLabels[key]();
}

export function policyOriginLabel(origin: PolicyOrigin): string {
  return originLabels[origin]();
}

/** One value as a reader sees it; secrets only say whether they are set. */
export function policyValueText(item: Pick<PolicyItem, 'key' | 'value' | 'secret' | 'set'>): string {
  if (item.secret) return item.set ? m.policy_secret_set() : m.policy_secret_unset();
  const value = item.value;
  if (typeof value === 'boolean') return value ? m.policy_yes() : m.policy_no();
  if (Array.isArray(value)) return value.map((entry) => enumLabels[entry]?.() ?? entry).join(m.ov_list_separator());
  if (item.key === 'clientPasswordDefaultExpiryDays' && value === 0) return m.policy_never();
  if (item.key === 'updates.feedUrl' && value === '') return m.policy_builtin_feed();
  if (item.key === 'server.url' && value === '') return m.policy_no_server();
  if (item.key === 'accounts.managedBy') return value === 'webmail' ? m.policy_managed_by_webmail() : m.policy_managed_by_mailwarden();
  if (item.key === 'server.caFile' && value === '') return m.policy_system_cas();
  if (typeof value === 'string')
    return item.key.endsWith('.security') || item.key === 'sms.kind' || item.key === 'sms.provider.templateParams' ? (enumLabels[value]?.() ?? value) : value;
  return String(value);
}
