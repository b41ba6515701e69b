// Covers scripts/policy-templates/render.ts and its output in resources/policy/ and docs/it-deployment.md:
// every schema key in every template, well-formed ADMX/ADML whose references all resolve, a
// mobileconfig that parses, sample values the app accepts, and committed files equal to what
// the generator produces now (so the templates cannot drift from the schema).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { resolvePolicy, type PolicyLayer } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { parsePolicyJson } from '../../electron/platform/policy/json-file';
import { parseManagedPreferences } from '../../electron/platform/policy/managed-preferences';
import { checkPolicyValue } from '../../electron/shared/policy-check';
import { isPolicyPath, policyPaths, policySchema, type PolicyPath } from '../../electron/shared/policy-schema';
import {
  admlLanguages,
  docMarkers,
  policyTemplateFiles,
  preferenceDomain,
  recommendedRegistryKey,
  registryKey,
  renderAdml,
  renderAdmx,
  renderKeyTable,
  sampleValue,
  withKeyTables,
} from '../../scripts/policy-templates/render';

const root = join(import.meta.dirname, '../..');
const committed = (path: string) => readFileSync(join(root, path), 'utf8');

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ['policy', 'category', 'string', 'presentation', 'item'].includes(name),
});

type Node = Record<string, unknown> & { [key: string]: any };

function admxPolicies(text: string): Node[] {
  return parser.parse(text).policyDefinitions.policies.policy as Node[];
}

/** Every `$(string.…)` / `$(presentation.…)` the ADMX refers to that the ADML does not define. */
function unresolvedReferences(admx: string, adml: string): string[] {
  const resources = parser.parse(adml).policyDefinitionResources.resources as Node;
  const strings = new Set((resources.stringTable.string as Node[]).map((s) => s.id as string));
  const presentations = new Map((resources.presentationTable.presentation as Node[]).map((p) => [p.id as string, p]));
  const missing: string[] = [];
  for (const [, kind, id] of admx.matchAll(/\$\((string|presentation)\.([^)]+)\)/g)) {
    if (!(kind === 'string' ? strings.has(id!) : presentations.has(id!))) missing.push(`${kind}.${id}`);
  }
  // Each presentation's controls must point at elements of the policy that uses it.
  for (const policy of admxPolicies(admx)) {
    const ref = /^\$\(presentation\.(.+)\)$/.exec((policy.presentation as string | undefined) ?? '')?.[1];
    if (!ref || !presentations.has(ref)) continue;
    const elementIds = new Set(Object.values((policy.elements ?? {}) as Record<string, Node>).map((e) => e.id as string));
    for (const [control, value] of Object.entries(presentations.get(ref)!)) {
      if (control === 'id') continue;
      const refId = (value as Node).refId as string;
      if (!elementIds.has(refId)) missing.push(`presentation.${ref}/${control}@${refId}`);
    }
  }
  return missing;
}

/** The dotted paths a nested sample sets, and the values, split into enforced and recommended. */
function flatten(object: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, value] of Object.entries(object)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (!isPolicyPath(path) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [p, v] of flatten(value as Record<string, unknown>, path)) out.set(p, v);
    } else out.set(path, value);
  }
  return out;
}

/** A plist's layers: enforced keys at the top, recommended ones in `Recommended`. */
function plistLayers(document: Record<string, unknown>) {
  const { Recommended: recommended, ...enforced } = document;
  return { enforced: flatten(enforced), recommended: flatten((recommended ?? {}) as Record<string, unknown>) };
}

/** policy.json's layers: `{"enforced": {…}, "recommended": {…}}`. */
function jsonLayers(document: { enforced?: Record<string, unknown>; recommended?: Record<string, unknown> }) {
  expect(Object.keys(document).sort()).toEqual(['enforced', 'recommended']);
  return { enforced: flatten(document.enforced ?? {}), recommended: flatten(document.recommended ?? {}) };
}

/** What the app itself makes of a sample: each key's source, and any problem it would log. */
function asTheAppReadsIt(layers: readonly PolicyLayer[]) {
  const resolved = resolvePolicy(layers, silentLogger);
  return { problems: resolved.problems, sources: new Set(policyPaths.map((p) => resolved.sources[p].source)) };
}

/** Each key once: recommendable ones as recommended defaults, the others enforced; all valid. */
function expectEverySampleKey(layers: { enforced: Map<string, unknown>; recommended: Map<string, unknown> }): void {
  const expectedEnforced = policyPaths.filter((p) => !policySchema[p].recommendable);
  const expectedRecommended = policyPaths.filter((p) => policySchema[p].recommendable);
  expect([...layers.enforced.keys()].sort()).toEqual([...expectedEnforced].sort());
  expect([...layers.recommended.keys()].sort()).toEqual([...expectedRecommended].sort());
  for (const [path, value] of [...layers.enforced, ...layers.recommended]) {
    expect(checkPolicyValue(path as PolicyPath, value), path).toMatchObject({ ok: true });
  }
}

describe('committed templates equal what the schema generates now', () => {
  it.each(Object.entries(policyTemplateFiles()))('%s', (path, content) => {
    expect(committed(path), `${path} is stale: run npm run policy-templates`).toBe(content);
  });

  it('docs/it-deployment.md holds the current key tables', () => {
    const doc = committed('docs/it-deployment.md');
    expect(withKeyTables(doc), 'the key tables are stale: run npm run policy-templates').toBe(doc);
  });

  it('refuses a doc whose markers were lost instead of silently dropping the table', () => {
    expect(() => withKeyTables('# no markers here\n')).toThrow(/markers/);
  });
});

describe('Windows ADMX / ADML', () => {
  const admx = committed('resources/policy/windows/mailwarden.admx');
  const admls = Object.fromEntries(admlLanguages.map((l) => [l, committed(`resources/policy/windows/${l}/mailwarden.adml`)]));

  it('are well-formed XML', () => {
    expect(XMLValidator.validate(admx)).toBe(true);
    for (const adml of Object.values(admls)) expect(XMLValidator.validate(adml)).toBe(true);
  });

  it('the well-formedness check rejects a broken file', () => {
    const broken = admx.replace('</policies>', '');
    expect(XMLValidator.validate(broken)).not.toBe(true);
  });

  it.each(admlLanguages)('every string and presentation the ADMX names exists in the %s ADML', (language) => {
    expect(unresolvedReferences(admx, admls[language]!)).toEqual([]);
  });

  it('the reference check finds a string or a control the ADML lacks', () => {
    const adml = admls['en-US']!;
    expect(unresolvedReferences(admx, adml.replace(/<string id="TrustedDeviceDays">[^<]*<\/string>/, ''))).toEqual(['string.TrustedDeviceDays']);
    expect(unresolvedReferences(admx, adml.replace('<decimalTextBox refId="TrustedDeviceDays"', '<decimalTextBox refId="Typo"'))).toEqual([
      'presentation.TrustedDeviceDays/decimalTextBox@Typo',
    ]);
  });

  it('both languages define the same strings and presentations', () => {
    const ids = (adml: string) => {
      const r = parser.parse(adml).policyDefinitionResources.resources as Node;
      return [...(r.stringTable.string as Node[]).map((s) => `s:${s.id}`), ...(r.presentationTable.presentation as Node[]).map((p) => `p:${p.id}`)];
    };
    expect(ids(admls['zh-CN']!)).toEqual(ids(admls['en-US']!));
  });

  it('each key is a policy under Software\\Policies\\Mailwarden, with a Recommended twin only where the schema allows one', () => {
    const byName = new Map(admxPolicies(admx).map((p) => [p.name as string, p]));
    for (const path of policyPaths) {
      const spec = policySchema[path];
      expect(byName.get(spec.registryName)?.key, path).toBe(registryKey);
      if (spec.recommendable) expect(byName.get(`${spec.registryName}_Recommended`)?.key, path).toBe(recommendedRegistryKey);
      else expect(byName.has(`${spec.registryName}_Recommended`), path).toBe(false);
    }
    expect(byName.size).toBe(policyPaths.length + policyPaths.filter((p) => policySchema[p].recommendable).length);
  });

  it('each policy writes the value the readers look for, with the element its type calls for', () => {
    const byName = new Map(admxPolicies(admx).map((p) => [p.name as string, p]));
    for (const path of policyPaths) {
      const spec = policySchema[path];
      for (const name of [spec.registryName, `${spec.registryName}_Recommended`]) {
        const policy = byName.get(name);
        if (!policy) continue;
        const elements = (policy.elements ?? {}) as Record<string, Node>;
        switch (spec.type) {
          case 'boolean':
            expect(policy.valueName, path).toBe(spec.registryName);
            expect(policy.enabledValue.decimal.value).toBe('1');
            expect(policy.disabledValue.decimal.value).toBe('0');
            break;
          case 'integer':
            expect(elements.decimal, path).toMatchObject({ valueName: spec.registryName, minValue: String(spec.min), maxValue: String(spec.max) });
            break;
          case 'string':
            expect(elements.text, path).toMatchObject({ valueName: spec.registryName, maxLength: String(spec.maxLength) });
            break;
          case 'enum':
            expect(elements.enum?.valueName, path).toBe(spec.registryName);
            expect((elements.enum?.item as Node[]).map((i) => [i.value.string].flat()[0])).toEqual(spec.values);
            break;
          case 'list':
            expect(elements.multiText, path).toMatchObject({ valueName: spec.registryName });
            break;
          case 'map':
            expect(elements.list, path).toMatchObject({ key: `${policy.key}\\${spec.registryName}`, explicitValue: 'true' });
            break;
        }
      }
    }
  });

  it.each(admlLanguages)('the %s ADML shows each key by its title in that language and preselects the default', (language) => {
    const lang = language === 'en-US' ? 'en' : 'zh-CN';
    const resources = parser.parse(admls[language]!).policyDefinitionResources.resources as Node;
    const strings = new Map((resources.stringTable.string as Node[]).map((s) => [s.id as string, s['#text'] as string]));
    const presentations = new Map((resources.presentationTable.presentation as Node[]).map((p) => [p.id as string, p]));
    for (const path of policyPaths) {
      const spec = policySchema[path];
      expect(strings.get(spec.registryName), path).toBe(spec.title[lang]);
      expect(strings.get(`${spec.registryName}_Explain`), path).toContain(spec.description[lang]);
      if (spec.type === 'enum')
        expect(presentations.get(spec.registryName)?.dropdownList.defaultItem).toBe(String((spec.values as readonly string[]).indexOf(spec.default)));
      if (spec.type === 'integer') expect(presentations.get(spec.registryName)?.decimalTextBox.defaultValue).toBe(String(spec.default));
    }
  });

  it('renders the same as the files (the generator is deterministic)', () => {
    expect(renderAdmx()).toBe(admx);
    expect(renderAdml('zh-CN')).toBe(admls['zh-CN']);
  });
});

describe('macOS profile and preference file', () => {
  it('the .mobileconfig parses and carries the preference-domain payload with every key', () => {
    const profile = parsePlist(committed('resources/policy/macos/mailwarden.mobileconfig')) as Record<string, any>;
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadScope: 'System' });
    expect(profile.PayloadUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(profile.PayloadContent).toHaveLength(1);
    const payload = profile.PayloadContent[0] as Record<string, unknown>;
    expect(payload.PayloadType).toBe(preferenceDomain);
    expect(payload.PayloadUUID).not.toBe(profile.PayloadUUID);
    const settings = Object.fromEntries(Object.entries(payload).filter(([name]) => !name.startsWith('Payload')));
    expectEverySampleKey(plistLayers(settings));
  });

  it('the bare preference plist (for Jamf or Intune uploads) has every key', () => {
    const prefs = parsePlist(committed(`resources/policy/macos/${preferenceDomain}.plist`)) as Record<string, unknown>;
    expectEverySampleKey(plistLayers(prefs));
  });
});

describe('Linux policy.json', () => {
  it('parses and has every key, with values the app accepts', () => {
    expectEverySampleKey(jsonLayers(JSON.parse(committed('resources/policy/linux/policy.json'))));
  });

  it('the sample check notices a key that is missing or invalid', () => {
    const sample = JSON.parse(committed('resources/policy/linux/policy.json'));
    delete sample.enforced.enforceTwoFactor;
    expect(() => expectEverySampleKey(jsonLayers(sample))).toThrow();
    const invalid = JSON.parse(committed('resources/policy/linux/policy.json'));
    invalid.enforced.trustedDeviceDays = 31;
    expect(() => expectEverySampleKey(jsonLayers(invalid))).toThrow(/trustedDeviceDays/);
  });

  it('uses an example, not an unusable default, where the default is empty', () => {
    expect(sampleValue('sms.webhook.url')).toMatch(/^https:\/\//);
    expect(checkPolicyValue('sms.webhook.bodyTemplate', sampleValue('sms.webhook.bodyTemplate'))).toMatchObject({ ok: true });
  });
});

describe('the app reads each sample as IT would deploy it', () => {
  it('policy.json at /etc/mailwarden: no problem, every key enforced or recommended', () => {
    const read = parsePolicyJson(committed('resources/policy/linux/policy.json'), 'etc-file');
    if (!read.ok) throw new Error(read.problem);
    expect(asTheAppReadsIt(read.layers)).toEqual({ problems: [], sources: new Set(['enforced', 'recommended']) });
  });

  it('the preference plist as managed preferences: no problem, every key enforced or recommended', () => {
    const read = parseManagedPreferences(readFileSync(join(root, `resources/policy/macos/${preferenceDomain}.plist`)), 'managed-preferences');
    expect(read.problem).toBeUndefined();
    expect(asTheAppReadsIt(read.layers)).toEqual({ problems: [], sources: new Set(['enforced', 'recommended']) });
  });

  it('a sample with a bad value would be reported, naming the key', () => {
    const sample = JSON.parse(committed('resources/policy/linux/policy.json'));
    sample.enforced.mailServer = { imap: { port: 70000 } };
    const read = parsePolicyJson(JSON.stringify(sample), 'etc-file');
    if (!read.ok) throw new Error(read.problem);
    expect(asTheAppReadsIt(read.layers).problems.map((p) => p.path)).toEqual(['mailServer.imap.port']);
  });
});

describe('docs/it-deployment.md key tables', () => {
  const doc = committed('docs/it-deployment.md');
  it.each(['en', 'zh-CN'] as const)('the %s table lists every key with its registry value name', (lang) => {
    const { start, end } = docMarkers(lang);
    const table = doc.slice(doc.indexOf(start), doc.indexOf(end));
    expect(table).toContain(renderKeyTable(lang));
    for (const path of policyPaths) {
      expect(table, path).toContain(`| \`${path}\` |`);
      expect(table, path).toContain(policySchema[path].registryName);
    }
  });
});
