/**
 * Windows: Group Policy and Intune write `HKLM\Software\Policies\Mailwarden` (machine) and
 * `HKCU\Software\Policies\Mailwarden` (user), each with a `Recommended` subkey, as Chrome and
 * Edge lay theirs out. Machine policy wins over user policy (Chrome's rule), and enforced over
 * recommended.
 *
 * Read through the registry API (../windows-registry.ts), never reg.exe's localised text: a
 * missing key is no policy on every Windows language, an unreadable one locks every key at its
 * default. Value names are the schema's `registryName`s (`MailServerImapHost`); a `map` key
 * (webhook headers) is a subkey of that name holding one REG_SZ per entry, which is what an ADMX
 * `<list explicitValue="true">` writes.
 */
import type { PolicyLayer } from '../../core/policy';
import type { PolicyOrigin } from '../../shared/contract';
import { pathOfRegistryName, policySchema, type PolicyPath } from '../../shared/policy-schema';
import { RegistryUnreadableError, type RegistryData, type RegistryKey, type RegistryReader } from '../windows-registry';

const registryPolicyKeys = [
  // Lowest precedence first.
  { hive: 'HKCU', path: 'Software\\Policies\\Mailwarden', origin: 'registry-hkcu' },
  { hive: 'HKLM', path: 'Software\\Policies\\Mailwarden', origin: 'registry-hklm' },
] as const satisfies readonly { hive: 'HKCU' | 'HKLM'; path: string; origin: PolicyOrigin }[];

/** The JSON-shaped value a registry value stands for, by the key's schema type; mismatches pass through for the check to refuse. */
function registryValueToJson(path: PolicyPath, value: RegistryData): unknown {
  const spec = policySchema[path];
  const number = value.type === 'number' ? value.data : undefined;
  switch (spec.type) {
    case 'boolean':
      if (number === 1) return true;
      if (number === 0) return false;
      return value.data;
    case 'integer':
      return value.data;
    case 'string':
    case 'enum':
      return value.data;
    case 'list':
      return value.type === 'multi-string' ? value.data.filter((item) => item !== '') : value.data;
    case 'map':
      return value.data;
  }
}

const mapPaths = new Set(Object.entries(policySchema).flatMap(([, spec]) => (spec.type === 'map' ? [spec.registryName.toLowerCase()] : [])));

/**
 * The two layers (recommended, enforced) under one policy key.
 * @internal
 */
export function registryLayers(root: RegistryKey, origin: PolicyOrigin): PolicyLayer[] {
  const recommended: PolicyLayer['entries'][number][] = [];
  const enforced: PolicyLayer['entries'][number][] = [];
  const valuesOf = (key: RegistryKey, target: PolicyLayer['entries'][number][]) => {
    for (const [name, value] of key.values) {
      if (name === '') continue; // the key's default value
      const path = pathOfRegistryName(name);
      target.push(path ? { path, value: registryValueToJson(path, value) } : { path: name, value: value.data });
    }
  };
  const subkeysOf = (key: RegistryKey, target: PolicyLayer['entries'][number][], prefix: string) => {
    for (const [name, subkey] of key.subkeys) {
      if (prefix === '' && name.toLowerCase() === 'recommended') continue;
      if (mapPaths.has(name.toLowerCase())) {
        const map: Record<string, string> = {};
        for (const [entry, value] of subkey.values) if (entry !== '') map[entry] = value.type === 'string' ? value.data : String(value.data);
        target.push({ path: pathOfRegistryName(name)!, value: map });
      } else if (subkey.values.size > 0 || subkey.subkeys.size > 0) {
        // Unknown subkeys are reported by name, as unknown keys are.
        target.push({ path: `${prefix}${name}`, value: null });
      }
    }
  };
  valuesOf(root, enforced);
  subkeysOf(root, enforced, '');
  const recommendedKey = [...root.subkeys].find(([name]) => name.toLowerCase() === 'recommended')?.[1];
  if (recommendedKey) {
    valuesOf(recommendedKey, recommended);
    subkeysOf(recommendedKey, recommended, 'Recommended\\');
  }
  const layers: PolicyLayer[] = [];
  if (recommended.length > 0) layers.push({ level: 'recommended', origin, entries: recommended });
  if (enforced.length > 0) layers.push({ level: 'enforced', origin, entries: enforced });
  return layers;
}

/** Machine and user policy, lowest precedence first. A missing key is no policy; an unreadable one locks every key at its default. */
export function registryPolicyLayers(reader: RegistryReader): PolicyLayer[] {
  const layers: PolicyLayer[] = [];
  for (const { hive, path, origin } of registryPolicyKeys) {
    let root: RegistryKey | null;
    try {
      root = reader.read(hive, path, 2);
    } catch (cause) {
      const reason = cause instanceof RegistryUnreadableError ? cause.message : String(cause);
      layers.push({ level: 'enforced', origin, entries: [], unreadable: `${hive}\\${path} could not be read (${reason})` });
      continue;
    }
    if (root) layers.push(...registryLayers(root, origin));
  }
  return layers;
}
