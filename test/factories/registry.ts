/** Windows registries given as data, for the policy and Foxmail tests (electron/platform/windows-registry.ts). */
import { RegistryUnreadableError, type RegistryData, type RegistryKey, type RegistryReader } from '../../electron/platform/windows-registry';

/** A registry given as data; a key given as an Error cannot be read. */
export function fixedRegistryReader(keys: Readonly<Record<string, RegistryKey | Error>>): RegistryReader {
  return {
    read(hive, path) {
      const found = Object.entries(keys).find(([key]) => key.toLowerCase() === `${hive}\\${path}`.toLowerCase())?.[1];
      if (found instanceof Error) throw new RegistryUnreadableError(found.message, { cause: found });
      return found ?? null;
    },
  };
}

/** Builds a RegistryKey from plain data (tests and fixtures): strings, numbers, string arrays, nested objects as subkeys. */
export function registryKeyOf(
  spec: Readonly<Record<string, string | number | readonly string[] | { expand: string } | Readonly<Record<string, unknown>>>>,
): RegistryKey {
  const values = new Map<string, RegistryData>();
  const subkeys = new Map<string, RegistryKey>();
  for (const [name, value] of Object.entries(spec)) {
    if (typeof value === 'string') values.set(name, { type: 'string', data: value });
    else if (typeof value === 'number') values.set(name, { type: 'number', data: value });
    else if (Array.isArray(value)) values.set(name, { type: 'multi-string', data: value as readonly string[] });
    else if (typeof (value as { expand?: unknown }).expand === 'string')
      values.set(name, { type: 'expand-string', data: (value as { expand: string }).expand });
    else subkeys.set(name, registryKeyOf(value as Record<string, string>));
  }
  return { values, subkeys };
}
