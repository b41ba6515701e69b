/**
 * The policy templates IT imports, generated from electron/shared/policy-schema.ts so they cannot
 * disagree with what the app reads (`npm run policy-templates` writes them to resources/policy/
 * and the key tables into docs/it-deployment.md; test/build/policy-templates.test.ts fails when
 * the committed files differ from what this produces).
 *
 * - Windows: an ADMX with its ADML in en-US and zh-CN, for Group Policy and Intune (ADMX
 *   ingestion). Every key is a policy under `Software\Policies\Mailwarden`; keys the schema
 *   marks recommendable get a second policy under `...\Mailwarden\Recommended`, in a parallel
 *   "default settings" category tree (Chrome's and Edge's layout).
 * - macOS: a .mobileconfig whose payload type is the app's preference domain
 *   (org.mailwarden.desktop), and the bare preference plist. Jamf Pro ("Application & Custom
 *   Settings", upload) and Intune ("Preference file", or a custom profile) both take these and
 *   deliver them as /Library/Managed Preferences/org.mailwarden.desktop.plist, which the app
 *   reads. The older com.apple.ManagedClient.preferences (MCX) wrapper is not needed by either.
 * - Linux: a sample /etc/mailwarden/policy.json.
 *
 * The samples set every key, to its default where the default is a valid value and to an
 * example otherwise (the SMS webhook), so an administrator deletes what they do not manage.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { build as buildPlist, type PlistValue } from 'plist';
import { policyPaths, policySchema, type PolicyPath } from '../../electron/shared/policy-schema';
import { policyCategories, type PolicyCategory, type PolicyKeySpec, type PolicyText } from '../../electron/shared/policy-spec';

export const registryKey = 'Software\\Policies\\Mailwarden';
export const recommendedRegistryKey = `${registryKey}\\Recommended`;
export const preferenceDomain = 'org.mailwarden.desktop';

/** The first version that reads policy from the platform; shown as "Supported on" in the editor. */
const supportedOnId = 'SUPPORTED_Mailwarden_0_1';
const admxNamespace = 'Mailwarden.Policies.Mailwarden';
const gpNamespace = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';

/** Example values for keys whose default is not a usable value on its own. */
const examples: Partial<Record<PolicyPath, unknown>> = {
  'sms.webhook.url': 'https://sms.example.edu/api/send',
  'sms.webhook.headers': { Authorization: 'Bearer REPLACE-WITH-YOUR-TOKEN' },
  'sms.webhook.bodyTemplate': '{"to":"{{phone}}","message":"{{text}}"}',
};

/** What the sample files set a key to. */
export function sampleValue(path: PolicyPath): unknown {
  return Object.hasOwn(examples, path) ? examples[path] : policySchema[path].default;
}

const languages = { 'en-US': 'en', 'zh-CN': 'zh-CN' } as const satisfies Record<string, keyof PolicyText>;
export type AdmlLanguage = keyof typeof languages;
export const admlLanguages = Object.keys(languages) as AdmlLanguage[];

const fixedText = {
  product: { en: 'Mailwarden', 'zh-CN': '邮件安全助手 (Mailwarden)' },
  recommended: { en: 'Mailwarden - Default settings (users can override)', 'zh-CN': '邮件安全助手 - 默认设置（用户可以更改）' },
  supportedOn: { en: 'Mailwarden 0.1 or later', 'zh-CN': '邮件安全助手 0.1 或更高版本' },
  description: {
    en: 'Policies for Mailwarden, generated from its policy schema.',
    'zh-CN': '邮件安全助手的策略，由其策略架构生成。',
  },
  registry: { en: 'Registry', 'zh-CN': '注册表' },
  recommendedNote: {
    en: 'Sets the default; users can change it in the app.',
    'zh-CN': '设置默认值；用户可以在应用中更改。',
  },
  enforcedNote: {
    en: 'Enforced: the setting is locked in the app ("managed by your organisation").',
    'zh-CN': '强制：应用中该设置被锁定（“由你的组织管理”）。',
  },
  headersLabel: { en: 'Header name (value name) and value', 'zh-CN': '请求头名称（值名称）和值' },
} satisfies Record<string, PolicyText>;

const registryType = {
  boolean: 'REG_DWORD 1/0',
  integer: 'REG_DWORD',
  string: 'REG_SZ',
  enum: 'REG_SZ',
  list: 'REG_MULTI_SZ',
  map: 'subkey, one REG_SZ per entry',
} as const satisfies Record<PolicyKeySpec['type'], string>;

// --- Windows: ADMX -------------------------------------------------------------------------

const xml = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  // fast-xml-parser would write required="true" as a bare `required`, which is not XML.
  suppressBooleanAttributes: false,
});
const declaration = { '@_version': '1.0', '@_encoding': 'utf-8' };
const xmlNamespaces = {
  '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
  '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  '@_revision': '1.0',
  '@_schemaVersion': '1.0',
  '@_xmlns': gpNamespace,
};

interface Variant {
  readonly recommended: boolean;
  /** Policy and presentation name: the registry name, with `_Recommended` for the second one. */
  readonly name: string;
  readonly key: string;
  readonly category: string;
}

function variantsOf(path: PolicyPath): Variant[] {
  const spec = policySchema[path];
  const enforced: Variant = { recommended: false, name: spec.registryName, key: registryKey, category: spec.category };
  if (!spec.recommendable) return [enforced];
  return [enforced, { recommended: true, name: `${spec.registryName}_Recommended`, key: recommendedRegistryKey, category: `${spec.category}_Recommended` }];
}

const stringRef = (id: string) => `$(string.${id})`;
const enumItemId = (spec: PolicyKeySpec, value: string) => `${spec.registryName}_${value.replace(/[^A-Za-z0-9]/g, '_')}`;

function admxElement(spec: PolicyKeySpec, variant: Variant): Record<string, unknown> {
  const id = spec.registryName;
  switch (spec.type) {
    case 'boolean':
      throw new Error('booleans are policy-level values');
    case 'integer':
      return { decimal: { '@_id': id, '@_valueName': id, '@_minValue': spec.min, '@_maxValue': spec.max, '@_required': 'true' } };
    case 'string':
      return {
        text: { '@_id': id, '@_valueName': id, '@_maxLength': spec.maxLength, '@_required': spec.format === 'https-url-or-empty' ? 'false' : 'true' },
      };
    case 'enum':
      return {
        enum: {
          '@_id': id,
          '@_valueName': id,
          '@_required': 'true',
          item: spec.values.map((value) => ({ '@_displayName': stringRef(enumItemId(spec, value)), value: { string: value } })),
        },
      };
    case 'list':
      return { multiText: { '@_id': id, '@_valueName': id, '@_required': 'true', '@_maxStrings': spec.values.length } };
    case 'map':
      // Value name = header name, data = header value, in a subkey of its own.
      return { list: { '@_id': id, '@_key': `${variant.key}\\${spec.registryName}`, '@_explicitValue': 'true' } };
  }
}

function admxPolicy(path: PolicyPath, variant: Variant): Record<string, unknown> {
  const spec = policySchema[path];
  const common = {
    '@_name': variant.name,
    '@_class': 'Both',
    '@_displayName': stringRef(spec.registryName),
    '@_explainText': stringRef(`${variant.name}_Explain`),
  };
  if (spec.type === 'boolean') {
    // Chrome's, Edge's and VS Code's shape: Enabled writes 1, Disabled writes 0, Not configured
    // writes nothing. A checkbox element would make "Disabled" mean "not set" instead of "off".
    return {
      ...common,
      '@_key': variant.key,
      '@_valueName': spec.registryName,
      parentCategory: { '@_ref': variant.category },
      supportedOn: { '@_ref': supportedOnId },
      enabledValue: { decimal: { '@_value': 1 } },
      disabledValue: { decimal: { '@_value': 0 } },
    };
  }
  return {
    ...common,
    '@_presentation': `$(presentation.${variant.name})`,
    '@_key': variant.key,
    parentCategory: { '@_ref': variant.category },
    supportedOn: { '@_ref': supportedOnId },
    elements: admxElement(spec, variant),
  };
}

const categoryNames = Object.keys(policyCategories) as PolicyCategory[];
const hasRecommendable = (category: PolicyCategory) => policyPaths.some((p) => policySchema[p].category === category && policySchema[p].recommendable);

export function renderAdmx(): string {
  const categories = [
    { '@_name': 'Mailwarden', '@_displayName': stringRef('Mailwarden') },
    { '@_name': 'Mailwarden_Recommended', '@_displayName': stringRef('Mailwarden_Recommended') },
    ...categoryNames.map((c) => ({ '@_name': c, '@_displayName': stringRef(`Category_${c}`), parentCategory: { '@_ref': 'Mailwarden' } })),
    ...categoryNames
      .filter(hasRecommendable)
      .map((c) => ({ '@_name': `${c}_Recommended`, '@_displayName': stringRef(`Category_${c}`), parentCategory: { '@_ref': 'Mailwarden_Recommended' } })),
  ];
  const policies = policyPaths.flatMap((path) => variantsOf(path).map((variant) => admxPolicy(path, variant)));
  return xml.build({
    '?xml': declaration,
    policyDefinitions: {
      ...xmlNamespaces,
      policyNamespaces: {
        target: { '@_prefix': 'mailwarden', '@_namespace': admxNamespace },
        using: { '@_prefix': 'windows', '@_namespace': 'Microsoft.Policies.Windows' },
      },
      resources: { '@_minRequiredRevision': '1.0' },
      supportedOn: { definitions: { definition: { '@_name': supportedOnId, '@_displayName': stringRef(supportedOnId) } } },
      categories: { category: categories },
      policies: { policy: policies },
    },
  });
}

// --- Windows: ADML -------------------------------------------------------------------------

function explainText(path: PolicyPath, variant: Variant, lang: keyof PolicyText): string {
  const spec = policySchema[path];
  const where =
    spec.type === 'map' ? `${variant.key}\\${spec.registryName} (${registryType.map})` : `${variant.key}\\${spec.registryName} (${registryType[spec.type]})`;
  const note = variant.recommended ? fixedText.recommendedNote[lang] : fixedText.enforcedNote[lang];
  return `${spec.description[lang]}\n\n${note}\n\n${fixedText.registry[lang]}: HKLM|HKCU\\${where}`;
}

function presentation(path: PolicyPath, variant: Variant, lang: keyof PolicyText): Record<string, unknown> | null {
  const spec = policySchema[path];
  const id = spec.registryName;
  const label = spec.title[lang];
  switch (spec.type) {
    case 'boolean':
      return null;
    case 'integer':
      return { '@_id': variant.name, decimalTextBox: { '@_refId': id, '@_defaultValue': spec.default, '@_spin': 'true', '#text': label } };
    case 'string':
      return { '@_id': variant.name, textBox: { '@_refId': id, label, ...(spec.default === '' ? {} : { defaultValue: spec.default }) } };
    case 'enum':
      return {
        '@_id': variant.name,
        dropdownList: { '@_refId': id, '@_noSort': 'true', '@_defaultItem': (spec.values as readonly string[]).indexOf(spec.default), '#text': label },
      };
    case 'list':
      return { '@_id': variant.name, multiTextBox: { '@_refId': id, '#text': `${label} (${spec.values.join(', ')})` } };
    case 'map':
      return { '@_id': variant.name, listBox: { '@_refId': id, '#text': `${label}: ${fixedText.headersLabel[lang]}` } };
  }
}

export function renderAdml(language: AdmlLanguage): string {
  const lang = languages[language];
  const strings: { '@_id': string; '#text': string }[] = [];
  const add = (id: string, text: string) => strings.push({ '@_id': id, '#text': text });
  add('Mailwarden', fixedText.product[lang]);
  add('Mailwarden_Recommended', fixedText.recommended[lang]);
  add(supportedOnId, fixedText.supportedOn[lang]);
  for (const c of categoryNames) add(`Category_${c}`, policyCategories[c][lang]);
  const presentations: Record<string, unknown>[] = [];
  for (const path of policyPaths) {
    const spec = policySchema[path];
    add(spec.registryName, spec.title[lang]);
    if (spec.type === 'enum') for (const value of spec.values) add(enumItemId(spec, value), value);
    for (const variant of variantsOf(path)) {
      add(`${variant.name}_Explain`, explainText(path, variant, lang));
      const shown = presentation(path, variant, lang);
      if (shown) presentations.push(shown);
    }
  }
  return xml.build({
    '?xml': declaration,
    policyDefinitionResources: {
      ...xmlNamespaces,
      displayName: fixedText.product[lang],
      description: fixedText.description[lang],
      resources: { stringTable: { string: strings }, presentationTable: { presentation: presentations } },
    },
  });
}

// --- macOS and Linux -----------------------------------------------------------------------

/** Sets `value` at a dotted path in a nested object (the JSON/plist shape of a key). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) node = (node[segment] ??= {}) as Record<string, unknown>;
  node[segments.at(-1)!] = value;
}

/**
 * Every key at its sample value, nested, split into the enforced and the recommended part. Each
 * recommendable key appears once, as a recommended default (a sample should not lock what IT
 * may prefer to leave to users); the others are enforced.
 */
export function samplePolicy(): { enforced: Record<string, unknown>; recommended: Record<string, unknown> } {
  const enforced: Record<string, unknown> = {};
  const recommended: Record<string, unknown> = {};
  for (const path of policyPaths) {
    const value = sampleValue(path);
    setPath(policySchema[path].recommendable ? recommended : enforced, path, Array.isArray(value) ? [...value] : value);
  }
  return { enforced, recommended };
}

/** The plist shape: enforced keys at the top, recommended ones in a `Recommended` dictionary. */
function plistSettings(): Record<string, unknown> {
  const { enforced, recommended } = samplePolicy();
  return { ...enforced, Recommended: recommended };
}

/** Constant identifiers: a profile keeps its UUIDs across regenerations, so MDMs see one profile. */
const profileUuid = 'b6f0a2e4-3f7c-4f55-9a0e-6d2a8c1e5b71';
const payloadUuid = '0c9d7e3a-8b21-4e6f-a5d4-2f1b9c7e8a60';

export function renderPreferencePlist(): string {
  return `${buildPlist(plistSettings() as PlistValue)}\n`;
}

export function renderMobileconfig(): string {
  const payload = {
    PayloadType: preferenceDomain,
    PayloadIdentifier: `${preferenceDomain}.policy.settings`,
    PayloadUUID: payloadUuid,
    PayloadVersion: 1,
    PayloadEnabled: true,
    PayloadDisplayName: 'Mailwarden',
    ...plistSettings(),
  };
  const profile = {
    PayloadContent: [payload],
    PayloadDisplayName: 'Mailwarden policy / 邮件安全助手策略',
    PayloadDescription: 'Managed settings for Mailwarden (org.mailwarden.desktop). Remove the keys you do not manage.',
    PayloadIdentifier: `${preferenceDomain}.policy`,
    PayloadOrganization: 'Your organisation',
    PayloadScope: 'System',
    PayloadType: 'Configuration',
    PayloadUUID: profileUuid,
    PayloadVersion: 1,
  };
  return `${buildPlist(profile as PlistValue)}\n`;
}

/** The layered policy.json shape, `{"enforced": {…}, "recommended": {…}}`. */
export function renderPolicyJson(): string {
  return `${JSON.stringify(samplePolicy(), null, 2)}\n`;
}

// --- docs/it-deployment.md tables ------------------------------------------------------------

const docText = {
  en: {
    head: ['Key (JSON / plist path)', 'Windows value', 'Type and range', 'Default', 'Recommended?', 'What it does'],
    yes: 'yes',
    no: 'enforced only',
    secret: 'Secret: never logged or printed.',
    none: '(none)',
    empty: '(empty)',
  },
  'zh-CN': {
    head: ['键（JSON / plist 路径）', 'Windows 值', '类型与范围', '默认值', '可作推荐值？', '说明'],
    yes: '可以',
    no: '仅强制',
    secret: '机密：不写入日志，也不显示。',
    none: '（无）',
    empty: '（空）',
  },
} as const satisfies Record<keyof PolicyText, unknown>;

function typeAndRange(spec: PolicyKeySpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return `integer ${spec.min}–${spec.max}`;
    case 'string':
      return `string (${spec.format}, ≤ ${spec.maxLength})`;
    case 'enum':
      return `one of ${spec.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'list':
      return `list of ${spec.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'map':
      return 'name → value';
  }
}

function defaultText(spec: PolicyKeySpec, lang: keyof PolicyText): string {
  const value = spec.default as unknown;
  if (value === '') return docText[lang].empty;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return docText[lang].none;
  return `\`${Array.isArray(value) ? value.join(', ') : String(value)}\``;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderKeyTable(lang: keyof PolicyText): string {
  const t = docText[lang];
  const rows = policyPaths.map((path) => {
    const spec = policySchema[path];
    const windows = spec.type === 'map' ? `\`${spec.registryName}\\\` (${registryType.map})` : `\`${spec.registryName}\` (${registryType[spec.type]})`;
    const description = spec.secret ? `${spec.description[lang]} ${t.secret}` : spec.description[lang];
    return [`\`${path}\``, windows, typeAndRange(spec), defaultText(spec, lang), spec.recommendable ? t.yes : t.no, description].map(cell);
  });
  return [t.head, t.head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

export const docMarkers = (lang: keyof PolicyText) => ({
  start: `<!-- policy-keys:${lang}:start (generated by npm run policy-templates; do not edit) -->`,
  end: `<!-- policy-keys:${lang}:end -->`,
});

/** The doc with each language's table replaced between its markers; throws when markers are missing. */
export function withKeyTables(doc: string): string {
  let out = doc;
  for (const lang of ['en', 'zh-CN'] as const) {
    const { start, end } = docMarkers(lang);
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/it-deployment.md: markers for ${lang} missing`);
    out = `${out.slice(0, from + start.length)}\n\n${renderKeyTable(lang)}\n\n${out.slice(to)}`;
  }
  return out;
}

/** Every generated file, by its path from the repository root. */
export function policyTemplateFiles(): Record<string, string> {
  return {
    'resources/policy/windows/mailwarden.admx': renderAdmx(),
    'resources/policy/windows/en-US/mailwarden.adml': renderAdml('en-US'),
    'resources/policy/windows/zh-CN/mailwarden.adml': renderAdml('zh-CN'),
    'resources/policy/macos/mailwarden.mobileconfig': renderMobileconfig(),
    [`resources/policy/macos/${preferenceDomain}.plist`]: renderPreferencePlist(),
    'resources/policy/linux/policy.json': renderPolicyJson(),
  };
}
