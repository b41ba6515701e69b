/**
 * The one description of every policy key IT may set (docs/rules.md §10, issue 6). Everything else is
 * derived from this table: the core's `Policy` (electron/core/policy.ts converts to and from the
 * flat values here, and the compiler checks both directions), each platform reader's validation
 * (policy-check.ts),
 * the settings page's list, `mailwarden policy check`, and the ADMX/ADML, .mobileconfig and
 * policy.json templates (scripts in resources/policy/).
 *
 * Naming, one key in four places:
 * - **path** (the table's key): dotted, camelCase segments — `mailServer.imap.host`.
 * - **JSON** (/etc/mailwarden/policy.json, --policy FILE) and **plist** (macOS managed
 *   preferences): nested objects following the path — `{"mailServer": {"imap": {"host": …}}}`.
 * - **Windows registry** value name: the path's segments in PascalCase, joined —
 *   `MailServerImapHost` — directly under `Software\Policies\Mailwarden` (enforced) or its
 *   `Recommended` subkey. `registryNameOf(path)` computes it; each entry also spells it out, so
 *   a template generator and a reader need no rule, and a test checks the two agree.
 *
 * What an entry is made of is policy-spec.ts. These modules are pure (valibot only), so the
 * renderer, the CLI and build scripts can import them.
 */
import { hostSpec, integrationSpec, portSpec, providerSpec, securitySpec, type PolicyKeySpec } from './policy-spec';

/**
 * Every key. Order is the display order (settings page, templates, docs). Adding a key here and
 * to electron/core/policy.ts's conversion is all a new key needs; the compiler points at the rest.
 */
export const policySchema = {
  serverHost: {
    registryName: 'ServerHost',
    category: 'server',
    type: 'string',
    format: 'host',
    maxLength: 253,
    default: 'mail.cstnet.cn',
    title: { 'zh-CN': '邮件系统地址', en: 'Mail system host' },
    description: {
      'zh-CN': '网页邮箱和账户服务的主机名；应用中“打开网页邮箱”等链接只会打开此主机。默认 mail.cstnet.cn。',
      en: 'Host of the web mail and account service; the app\'s links (such as "Open web mail") open only this host. Default: mail.cstnet.cn.',
    },
    recommendable: false,
    secret: false,
  },
  'mailServer.imap.host': hostSpec('MailServerImapHost', 'IMAP'),
  'mailServer.imap.port': portSpec('MailServerImapPort', 'IMAP', 993),
  'mailServer.imap.security': securitySpec('MailServerImapSecurity', 'IMAP'),
  'mailServer.smtp.host': hostSpec('MailServerSmtpHost', 'SMTP'),
  'mailServer.smtp.port': portSpec('MailServerSmtpPort', 'SMTP', 994),
  'mailServer.smtp.security': securitySpec('MailServerSmtpSecurity', 'SMTP'),
  'mailServer.pop3.host': hostSpec('MailServerPop3Host', 'POP3'),
  'mailServer.pop3.port': portSpec('MailServerPop3Port', 'POP3', 995),
  'mailServer.pop3.security': securitySpec('MailServerPop3Security', 'POP3'),
  'mailServer.sharedMailboxes': {
    registryName: 'MailServerSharedMailboxes',
    category: 'server',
    type: 'boolean',
    default: false,
    title: { 'zh-CN': '邮件服务器打开共享邮箱', en: 'The mail server opens shared mailboxes' },
    description: {
      'zh-CN':
        '开启后，每项共享都由 mailwarden serve --imap-acl 写入邮件服务器（Dovecot 的 IMAP ACL），同事可在自己的邮件客户端中打开共享邮箱；共享页面显示邮件服务器是否已生效。仅在 IT 已按部署文档配置 Dovecot 后开启。默认关闭：共享只记录在 Mailwarden 中。',
      en: "When on, each grant is written to the mail server (Dovecot's IMAP ACLs) by mailwarden serve --imap-acl, so the colleague opens the shared mailbox in their own mail client, and the sharing page shows whether the mail server honours it yet. Turn on only once IT has set Dovecot up as the deployment guide says. Default: off (grants are recorded in Mailwarden only).",
    },
    recommendable: false,
    secret: false,
  },
  enforceTwoFactor: {
    registryName: 'EnforceTwoFactor',
    category: 'twoFactor',
    type: 'boolean',
    default: false,
    title: { 'zh-CN': '强制二次验证', en: 'Require two-factor authentication' },
    description: {
      'zh-CN': '开启后，未设置二次验证的邮箱在输入密码后必须先完成设置（可配合宽限期）。默认关闭。',
      en: 'When on, a mailbox without two-factor authentication must set it up after entering its password (see the grace period). Default: off.',
    },
    recommendable: false,
    secret: false,
  },
  twoFactorGraceDays: {
    registryName: 'TwoFactorGraceDays',
    category: 'twoFactor',
    type: 'integer',
    min: 0,
    max: 90,
    default: 0,
    title: { 'zh-CN': '二次验证宽限期（天）', en: 'Two-factor grace period (days)' },
    description: {
      'zh-CN': '强制二次验证时，每个邮箱从首次在该策略下登录起，可在此天数内暂不设置（页面显示剩余天数），之后必须设置。0–90，0 表示立即强制。默认 0。',
      en: 'With two-factor required, each mailbox may sign in without it for this many days, counted from its first sign-in under the requirement (a banner shows the days left); after that, setup is forced. 0–90; 0 forces it at once. Default: 0.',
    },
    recommendable: false,
    secret: false,
  },
  allowedMethods: {
    registryName: 'AllowedMethods',
    category: 'twoFactor',
    type: 'list',
    values: ['sms', 'totp'],
    default: ['sms', 'totp'],
    title: { 'zh-CN': '允许的二次验证方式', en: 'Allowed two-factor methods' },
    description: {
      'zh-CN': '用户可以设置的二次验证方式：sms（短信验证码）、totp（身份验证器应用），至少一项。默认两者都允许。',
      en: 'The two-factor methods users may set up: sms (text message codes), totp (authenticator app); at least one. Default: both.',
    },
    recommendable: false,
    secret: false,
  },
  totpIssuer: {
    registryName: 'TotpIssuer',
    category: 'twoFactor',
    type: 'string',
    format: 'display-name-or-empty',
    maxLength: 64,
    default: '',
    title: { 'zh-CN': '身份验证器中显示的名称', en: 'Name shown in authenticator apps' },
    description: {
      'zh-CN': '身份验证器应用中此邮件系统条目的名称（发行方），例如“院邮件系统”。留空使用邮件系统地址（serverHost）。不能包含冒号。',
      en: 'The name (issuer) authenticator apps show for this mail system\'s entry, e.g. "Institute Mail". Empty: the mail system host (serverHost). No colons.',
    },
    recommendable: false,
    secret: false,
  },
  trustedDeviceDays: {
    registryName: 'TrustedDeviceDays',
    category: 'twoFactor',
    type: 'integer',
    min: 1,
    max: 30,
    default: 7,
    title: { 'zh-CN': '可信设备有效期（天）', en: 'Trusted device lifetime (days)' },
    description: {
      'zh-CN': '“信任此设备”持续的天数，1–30。默认 7。',
      en: 'How many days "trust this device" lasts, 1–30. Default: 7.',
    },
    recommendable: false,
    secret: false,
  },
  clientPasswordLimit: {
    registryName: 'ClientPasswordLimit',
    category: 'clientPasswords',
    type: 'integer',
    min: 1,
    max: 100,
    default: 20,
    title: { 'zh-CN': '客户端专用密码数量上限', en: 'Client password limit' },
    description: {
      'zh-CN': '每个邮箱最多可有的客户端专用密码数量，1–100。默认 20。',
      en: 'How many client passwords a mailbox may have, 1–100. Default: 20.',
    },
    recommendable: false,
    secret: false,
  },
  clientPasswordDefaultExpiryDays: {
    registryName: 'ClientPasswordDefaultExpiryDays',
    category: 'clientPasswords',
    type: 'integer',
    min: 0,
    max: 365,
    default: 0,
    title: { 'zh-CN': '客户端专用密码默认有效期（天）', en: 'Client password default expiry (days)' },
    description: {
      'zh-CN': '新建客户端专用密码时预选的有效期，0–365，0 表示永不过期。用户新建时可以更改。默认 0。',
      en: 'The expiry preselected when a client password is created, 0–365; 0 means never. Users may change it when creating one. Default: 0.',
    },
    recommendable: true,
    secret: false,
  },
  passwordChangeRevokesClientPasswords: {
    registryName: 'PasswordChangeRevokesClientPasswords',
    category: 'clientPasswords',
    type: 'boolean',
    default: true,
    title: { 'zh-CN': '修改密码时撤销客户端专用密码', en: 'Password change revokes client passwords' },
    description: {
      'zh-CN': '修改邮箱主密码时是否同时撤销全部客户端专用密码。默认是。',
      en: "Whether changing a mailbox's main password also revokes all of its client passwords. Default: yes.",
    },
    recommendable: false,
    secret: false,
  },
  'sms.kind': {
    registryName: 'SmsKind',
    category: 'sms',
    type: 'enum',
    values: ['outbox', 'webhook', 'aliyun', 'tencent'],
    default: 'outbox',
    title: { 'zh-CN': '短信网关类型', en: 'SMS gateway' },
    description: {
      'zh-CN':
        'outbox：验证码写入本机测试发件箱（仅用于测试）；webhook：通过 HTTP 调用短信服务商（需设置 URL 和请求体模板）；aliyun：阿里云短信服务；tencent：腾讯云短信（两者都需设置 sms.provider.* 中的密钥、签名和模板）。默认 outbox。',
      en: 'outbox: codes go to a local test outbox (testing only); webhook: an HTTP call to an SMS provider (needs the URL and body template); aliyun: Alibaba Cloud SMS; tencent: Tencent Cloud SMS (both need the sms.provider.* key, sign name and template). Default: outbox.',
    },
    recommendable: false,
    secret: false,
  },
  'sms.webhook.url': {
    registryName: 'SmsWebhookUrl',
    category: 'sms',
    type: 'string',
    format: 'https-url',
    maxLength: 2048,
    default: '',
    title: { 'zh-CN': '短信 Webhook URL', en: 'SMS webhook URL' },
    description: {
      'zh-CN': '短信服务商接口的 https:// 地址，每条短信 POST 一次。sms.kind 为 webhook 时必填。',
      en: "The SMS provider's https:// endpoint; one POST per message. Required when the gateway is webhook.",
    },
    recommendable: false,
    secret: true,
  },
  'sms.webhook.headers': {
    registryName: 'SmsWebhookHeaders',
    category: 'sms',
    type: 'map',
    default: {},
    title: { 'zh-CN': '短信 Webhook 请求头', en: 'SMS webhook headers' },
    description: {
      'zh-CN': '随每次请求发送的 HTTP 请求头（名称 → 值），例如 Authorization。其值不会写入日志。默认无。',
      en: 'HTTP headers sent with each request (name → value), such as Authorization. Their values never reach a log. Default: none.',
    },
    recommendable: false,
    secret: true,
  },
  'sms.webhook.bodyTemplate': {
    registryName: 'SmsWebhookBodyTemplate',
    category: 'sms',
    type: 'string',
    format: 'json-template',
    maxLength: 4096,
    default: '',
    title: { 'zh-CN': '短信 Webhook 请求体模板', en: 'SMS webhook body template' },
    description: {
      'zh-CN': 'JSON 请求体，{{phone}} 和 {{text}} 会被替换为手机号和短信内容（按 JSON 转义）。sms.kind 为 webhook 时必填。',
      en: 'The JSON body; {{phone}} and {{text}} are replaced by the number and the message, JSON-escaped. Required when the gateway is webhook.',
    },
    recommendable: false,
    secret: true,
  },
  'sms.webhook.timeoutMs': {
    registryName: 'SmsWebhookTimeoutMs',
    category: 'sms',
    type: 'integer',
    min: 500,
    max: 60_000,
    default: 10_000,
    title: { 'zh-CN': '短信 Webhook 超时（毫秒）', en: 'SMS webhook timeout (ms)' },
    description: {
      'zh-CN': '等待短信服务商应答的时间，500–60000 毫秒。默认 10000。',
      en: 'How long to wait for the SMS provider, 500–60000 ms. Default: 10000.',
    },
    recommendable: false,
    secret: false,
  },
  'sms.provider.accessKeyId': providerSpec(
    'SmsProviderAccessKeyId',
    'token-or-empty',
    128,
    true,
    { 'zh-CN': '短信服务商 AccessKey ID / SecretId', en: 'SMS provider AccessKey ID / SecretId' },
    {
      'zh-CN': '阿里云的 AccessKey ID 或腾讯云的 SecretId。sms.kind 为 aliyun 或 tencent 时必填。请使用只授予发送短信权限的子账号。',
      en: "Alibaba Cloud's AccessKey ID or Tencent Cloud's SecretId. Required when the gateway is aliyun or tencent. Use a sub-account allowed to send SMS only.",
    },
  ),
  'sms.provider.accessKeySecret': providerSpec(
    'SmsProviderAccessKeySecret',
    'token-or-empty',
    128,
    true,
    { 'zh-CN': '短信服务商 AccessKey Secret / SecretKey', en: 'SMS provider AccessKey secret / SecretKey' },
    {
      'zh-CN':
        '阿里云的 AccessKey Secret 或腾讯云的 SecretKey，用于为每个请求签名，不会写入日志，也不会发送到桌面应用的页面。sms.kind 为 aliyun 或 tencent 时必填。',
      en: "Alibaba Cloud's AccessKey secret or Tencent Cloud's SecretKey; it signs every request and never reaches a log or the app's pages. Required when the gateway is aliyun or tencent.",
    },
  ),
  'sms.provider.signName': providerSpec(
    'SmsProviderSignName',
    'display-name-or-empty',
    64,
    false,
    { 'zh-CN': '短信签名', en: 'SMS sign name' },
    {
      'zh-CN': '在服务商控制台审核通过的短信签名（短信中【】内的名称）。sms.kind 为 aliyun 或 tencent 时必填。',
      en: "The sign name the provider's console approved (the name in 【】 in the text). Required when the gateway is aliyun or tencent.",
    },
  ),
  'sms.provider.templateId': providerSpec(
    'SmsProviderTemplateId',
    'token-or-empty',
    64,
    false,
    { 'zh-CN': '短信模板 ID', en: 'SMS template ID' },
    {
      'zh-CN': '审核通过的验证码模板：阿里云的模板 CODE（如 SMS_12345678），或腾讯云的模板 ID。sms.kind 为 aliyun 或 tencent 时必填。',
      en: "The approved verification-code template: Alibaba Cloud's template code (such as SMS_12345678) or Tencent Cloud's template ID. Required when the gateway is aliyun or tencent.",
    },
  ),
  'sms.provider.sdkAppId': providerSpec(
    'SmsProviderSdkAppId',
    'token-or-empty',
    64,
    false,
    { 'zh-CN': '腾讯云短信 SdkAppId', en: 'Tencent Cloud SMS SdkAppId' },
    {
      'zh-CN': '腾讯云短信应用的 SdkAppId。sms.kind 为 tencent 时必填。',
      en: 'The SdkAppId of the Tencent Cloud SMS application. Required when the gateway is tencent.',
    },
  ),
  'sms.provider.region': providerSpec(
    'SmsProviderRegion',
    'token-or-empty',
    64,
    false,
    { 'zh-CN': '短信服务地域', en: 'SMS provider region' },
    {
      'zh-CN': '服务商的地域。留空时阿里云为 cn-hangzhou，腾讯云为 ap-guangzhou。',
      en: "The provider's region. Empty: cn-hangzhou for Alibaba Cloud, ap-guangzhou for Tencent Cloud.",
    },
  ),
  'sms.provider.templateParams': {
    registryName: 'SmsProviderTemplateParams',
    category: 'sms',
    type: 'enum',
    values: ['code', 'code-minutes'],
    default: 'code',
    title: { 'zh-CN': '短信模板参数', en: 'SMS template parameters' },
    description: {
      'zh-CN':
        'code：模板只有验证码一个变量（阿里云 ${code}，腾讯云 {1}）；code-minutes：还有有效分钟数（阿里云 ${minutes}，腾讯云 {2}）。必须与审核通过的模板一致。默认 code。',
      en: 'code: the template has one variable, the code (Alibaba Cloud ${code}, Tencent Cloud {1}); code-minutes: also the minutes it stays valid (${minutes}, {2}). Must match the approved template. Default: code.',
    },
    recommendable: false,
    secret: false,
  },
  'clientIntegrations.keychain': integrationSpec('ClientIntegrationsKeychain', '保存到系统钥匙串', 'Remember in system keychain'),
  'clientIntegrations.foxmail': integrationSpec('ClientIntegrationsFoxmail', '写入 Foxmail', 'Put into Foxmail'),
  'clientIntegrations.thunderbird': integrationSpec('ClientIntegrationsThunderbird', '写入 Thunderbird', 'Put into Thunderbird'),
  'clientIntegrations.iphoneProfile': integrationSpec('ClientIntegrationsIphoneProfile', 'iPhone/iPad 描述文件', 'iPhone / iPad profile'),
  'clientIntegrations.outlook': integrationSpec('ClientIntegrationsOutlook', 'Outlook 填写步骤', 'Outlook steps'),
  'updates.enabled': {
    registryName: 'UpdatesEnabled',
    category: 'updates',
    type: 'boolean',
    default: true,
    title: { 'zh-CN': '自动更新', en: 'Automatic updates' },
    description: {
      'zh-CN': '关闭后应用不检查也不下载更新（由 IT 分发新版本）。默认开启。',
      en: 'When off, the app neither checks for nor downloads updates (IT distributes new versions). Default: on.',
    },
    recommendable: false,
    secret: false,
  },
  'updates.feedUrl': {
    registryName: 'UpdatesFeedUrl',
    category: 'updates',
    type: 'string',
    format: 'https-url-or-empty',
    maxLength: 2048,
    default: '',
    title: { 'zh-CN': '更新源地址', en: 'Update feed URL' },
    description: {
      'zh-CN': '更新源（electron-builder generic 提供方）的 https:// 地址，例如内网镜像。留空使用内置更新源。',
      en: 'The https:// address of the update feed (electron-builder generic provider), e.g. an internal mirror. Empty: the built-in feed.',
    },
    recommendable: false,
    secret: false,
  },
  'crashReports.uploadUrl': {
    registryName: 'CrashReportsUploadUrl',
    category: 'updates',
    type: 'string',
    format: 'https-url-or-empty',
    maxLength: 2048,
    default: '',
    title: { 'zh-CN': '崩溃报告上传地址', en: 'Crash report upload URL' },
    description: {
      'zh-CN':
        '应用崩溃时，把崩溃转储上传到此 https:// 地址（Crashpad/Breakpad 的 minidump 格式，例如组织自建的 Sentry 或 BugSplat 接收端）。留空则崩溃转储只保存在本机，从不上传。',
      en: "Where crash dumps are uploaded when the app crashes: an https:// address that accepts Crashpad/Breakpad minidumps (e.g. the organisation's own Sentry or BugSplat endpoint). Empty: dumps stay on the computer and are never uploaded.",
    },
    recommendable: false,
    secret: false,
  },
  'accounts.managedBy': {
    registryName: 'AccountsManagedBy',
    category: 'organisation',
    type: 'enum',
    values: ['mailwarden', 'webmail'],
    default: 'mailwarden',
    title: { 'zh-CN': '由谁管理二次验证和客户端专用密码', en: 'Who manages two-factor and client passwords' },
    description: {
      'zh-CN':
        'mailwarden：二次验证、客户端专用密码、设备和共享邮箱都在 Mailwarden 中管理（本机数据或组织服务器）。webmail：这些都在邮件系统自己的网页邮箱（serverHost）中管理，Mailwarden 一步步带用户在网页邮箱中完成，并把在那里生成的客户端专用密码经真实登录验证后放入邮件客户端。推荐值可由用户在登录页更改。默认 mailwarden。',
      en: "mailwarden: two-factor, client passwords, devices and shared mailboxes are managed in Mailwarden (this computer's data or the organisation server). webmail: they are managed on the mail system's own web mail (serverHost); Mailwarden walks the person through its pages and puts a client password made there into mail clients once a real login has verified it. A recommended value may be changed by the person on the sign-in screen. Default: mailwarden.",
    },
    recommendable: true,
    secret: false,
  },
  'server.url': {
    registryName: 'ServerUrl',
    category: 'organisation',
    type: 'string',
    format: 'server-url-or-empty',
    maxLength: 2048,
    default: '',
    title: { 'zh-CN': '组织服务器地址', en: 'Organisation server URL' },
    description: {
      'zh-CN':
        '设置后，桌面应用不再使用本机数据，而是由组织服务器（mailwarden server）保存二次验证、客户端专用密码、设备和共享邮箱；钥匙串、Foxmail、iPhone 描述文件和连接测试仍在本机进行。须为 https:// 地址。留空：只用本机数据（默认）。',
      en: "When set, the desktop app keeps no data of its own: two-factor, client passwords, devices and shared mailboxes live on the organisation server (mailwarden server); the keychain, Foxmail, the iPhone profile and the connection test still run on this computer. Must be an https:// address. Empty: this computer's own data (the default).",
    },
    recommendable: false,
    secret: false,
  },
  'server.caFile': {
    registryName: 'ServerCaFile',
    category: 'organisation',
    type: 'string',
    format: 'absolute-path-or-empty',
    maxLength: 1024,
    default: '',
    title: { 'zh-CN': '组织服务器的根证书', en: 'Organisation server CA certificate' },
    description: {
      'zh-CN': 'PEM 格式的 CA 证书文件的绝对路径。设置后，只信任由它签发的服务器证书（固定，系统证书不再适用）；留空：使用系统信任的证书。',
      en: "Absolute path of a CA certificate file (PEM). When set, only server certificates it issued are trusted (pinned; the system's CAs no longer apply). Empty: the certificates the system trusts.",
    },
    recommendable: false,
    secret: false,
  },
} as const satisfies Record<string, PolicyKeySpec>;

export type PolicyPath = keyof typeof policySchema;
export const policyPaths = Object.keys(policySchema) as PolicyPath[];

type ValueOf<S> = S extends { readonly type: 'boolean' }
  ? boolean
  : S extends { readonly type: 'integer' }
    ? number
    : S extends { readonly type: 'enum'; readonly values: readonly (infer E)[] }
      ? E
      : S extends { readonly type: 'list'; readonly values: readonly (infer E)[] }
        ? readonly E[]
        : S extends { readonly type: 'map' }
          ? Readonly<Record<string, string>>
          : string;

/** Every key's value, flat: what readers produce and what the core's `Policy` is built from. */
export type PolicyValues = { readonly [P in PolicyPath]: ValueOf<(typeof policySchema)[P]> };

export function isPolicyPath(path: string): path is PolicyPath {
  return Object.hasOwn(policySchema, path);
}

/**
 * `mailServer.imap.host` → `MailServerImapHost`: the Windows registry value name of a path.
 * @internal
 */
export function registryNameOf(path: string): string {
  return path
    .split('.')
    .map((segment) => segment.charAt(0).toUpperCase() + segment.slice(1))
    .join('');
}

const byRegistryName: ReadonlyMap<string, PolicyPath> = new Map(policyPaths.map((path) => [policySchema[path].registryName.toLowerCase(), path] as const));

/** The key a registry value name stands for (registry names are case-insensitive), or undefined. */
export function pathOfRegistryName(name: string): PolicyPath | undefined {
  return byRegistryName.get(name.toLowerCase());
}

/** Every key at its default. */
export function defaultPolicyValues(): PolicyValues {
  return Object.fromEntries(policyPaths.map((path) => [path, policySchema[path].default])) as unknown as PolicyValues;
}
