/**
 * What a policy key's description is made of: its type, its texts, its category, whether it may
 * be recommended or holds a secret, and makers for the entries that come in families (a
 * protocol's host, port and security; a client integration; an SMS provider setting). The table
 * of every key is policy-schema.ts.
 *
 * Native value types, per `type`:
 * | type    | JSON / plist                 | registry                                | ADMX element             |
 * |---------|------------------------------|-----------------------------------------|--------------------------|
 * | boolean | true/false, <true/>/<false/> | REG_DWORD 1 / 0                         | boolean                  |
 * | integer | number, <integer>            | REG_DWORD                               | decimal (minValue/max)   |
 * | string  | string, <string>             | REG_SZ                                  | text                     |
 * | enum    | string, <string>             | REG_SZ, one of `values`                 | enum (string items)      |
 * | list    | array of strings, <array>    | REG_MULTI_SZ                            | multiText                |
 * | map     | object of strings, <dict>    | subkey `<RegistryName>`, one REG_SZ per | list explicitValue=true  |
 * |         |                              | entry (value name = map key)            |                          |
 *
 * `recommendable`: whether IT may set the key as a recommended default (Windows `Recommended`
 * subkey, macOS `Recommended` dict, `recommended` object in policy.json). Keys that decide
 * security (2FA, SMS gateway, limits, updates) are enforce-only: a recommended value for them is
 * ignored with a warning, because a default the user could change gives no guarantee at all.
 *
 * `secret`: the value may hold credentials (webhook URL tokens, header values, body template):
 * logs, `policy show` and the settings page name the key but never print its value.
 */
import { connectionSecurities } from './mail-server';

export interface PolicyText {
  readonly 'zh-CN': string;
  readonly en: string;
}

/** Groups for the ADMX categories and the settings page, in display order. */
export const policyCategories = {
  server: { 'zh-CN': '邮件服务器', en: 'Mail server' },
  twoFactor: { 'zh-CN': '二次验证', en: 'Two-factor authentication' },
  clientPasswords: { 'zh-CN': '客户端专用密码', en: 'Client-specific passwords' },
  sms: { 'zh-CN': '短信网关', en: 'SMS gateway' },
  clientIntegrations: { 'zh-CN': '邮件客户端集成', en: 'Mail client integrations' },
  updates: { 'zh-CN': '更新与崩溃报告', en: 'Updates and crash reports' },
  organisation: { 'zh-CN': '组织服务器', en: 'Organisation server' },
} as const satisfies Record<string, PolicyText>;
export type PolicyCategory = keyof typeof policyCategories;

interface PolicyKeyCommon {
  /** Value name in the Windows registry (and ADMX `valueName`): PascalCase of the path. */
  readonly registryName: string;
  readonly category: PolicyCategory;
  /** A short name: ADMX displayName, settings page label. */
  readonly title: PolicyText;
  /** What it does, the range and the default: ADML explainText, docs. */
  readonly description: PolicyText;
  readonly recommendable: boolean;
  readonly secret: boolean;
}

/** How a string is checked. */
type PolicyStringFormat =
  /** A DNS host name: letters, digits, dots and hyphens, 1–253 characters. */
  | 'host'
  /** An absolute https:// URL. */
  | 'https-url'
  /** An absolute https:// URL, or empty for "the built-in one". */
  | 'https-url-or-empty'
  /** JSON once {{phone}} and {{text}} are filled in (the SMS webhook body). */
  | 'json-template'
  /** A name people read, or empty for the default: no control characters, no colon (Key URI Format). */
  | 'display-name-or-empty'
  /** An identifier or key as a provider's console shows it (printable ASCII, no spaces), or empty. */
  | 'token-or-empty'
  /** The organisation server: an https:// URL, http:// only to this computer (loopback), or empty. */
  | 'server-url-or-empty'
  /** An absolute file path (Windows or POSIX), or empty. */
  | 'absolute-path-or-empty';

export type PolicyKeySpec =
  | (PolicyKeyCommon & { readonly type: 'boolean'; readonly default: boolean })
  | (PolicyKeyCommon & { readonly type: 'integer'; readonly default: number; readonly min: number; readonly max: number })
  | (PolicyKeyCommon & { readonly type: 'string'; readonly default: string; readonly format: PolicyStringFormat; readonly maxLength: number })
  | (PolicyKeyCommon & { readonly type: 'enum'; readonly default: string; readonly values: readonly string[] })
  /** A non-empty set of distinct items from `values`. */
  | (PolicyKeyCommon & { readonly type: 'list'; readonly default: readonly string[]; readonly values: readonly string[] })
  /** HTTP header name → value. */
  | (PolicyKeyCommon & { readonly type: 'map'; readonly default: Readonly<Record<string, string>> });

export const hostSpec = (registryName: string, proto: string) =>
  ({
    registryName,
    category: 'server',
    type: 'string',
    format: 'host',
    maxLength: 253,
    default: 'mail.cstnet.cn',
    title: { 'zh-CN': `${proto} 服务器地址`, en: `${proto} server host` },
    description: {
      'zh-CN': `邮件客户端连接的 ${proto} 服务器主机名（设置卡片、iPhone 描述文件、连接测试使用）。默认 mail.cstnet.cn。`,
      en: `Host name mail clients use for ${proto} (settings card, iPhone profile, connection test). Default: mail.cstnet.cn.`,
    },
    recommendable: true,
    secret: false,
  }) as const satisfies PolicyKeySpec;

export const portSpec = (registryName: string, proto: string, port: number) =>
  ({
    registryName,
    category: 'server',
    type: 'integer',
    min: 1,
    max: 65535,
    default: port,
    title: { 'zh-CN': `${proto} 端口`, en: `${proto} port` },
    description: {
      'zh-CN': `${proto} 服务器端口，1–65535。默认 ${port}。`,
      en: `${proto} server port, 1–65535. Default: ${port}.`,
    },
    recommendable: true,
    secret: false,
  }) as const satisfies PolicyKeySpec;

export const securitySpec = (registryName: string, proto: string) =>
  ({
    registryName,
    category: 'server',
    type: 'enum',
    values: connectionSecurities,
    default: 'tls',
    title: { 'zh-CN': `${proto} 加密方式`, en: `${proto} connection security` },
    description: {
      'zh-CN': `${proto} 连接的加密方式：tls（SSL/TLS）、starttls 或 none（不加密，不建议）。默认 tls。`,
      en: `How ${proto} connections are secured: tls (SSL/TLS), starttls, or none (not recommended). Default: tls.`,
    },
    recommendable: true,
    secret: false,
  }) as const satisfies PolicyKeySpec;

export const integrationSpec = (registryName: string, zh: string, en: string) =>
  ({
    registryName,
    category: 'clientIntegrations',
    type: 'boolean',
    default: true,
    title: { 'zh-CN': `提供“${zh}”`, en: `Offer "${en}"` },
    description: {
      'zh-CN': `是否在“放入邮件客户端”中提供“${zh}”。默认提供。`,
      en: `Whether "Put into mail clients" offers "${en}". Default: offered.`,
    },
    recommendable: true,
    secret: false,
  }) as const satisfies PolicyKeySpec;

export const providerSpec = (
  registryName: string,
  format: 'token-or-empty' | 'display-name-or-empty',
  maxLength: number,
  secret: boolean,
  title: PolicyText,
  description: PolicyText,
) =>
  ({
    registryName,
    category: 'sms',
    type: 'string',
    format,
    maxLength,
    default: '',
    title,
    description,
    recommendable: false,
    secret,
  }) as const satisfies PolicyKeySpec;
