/**
 * Windows: Group Policy and Intune write `HKLM\Software\Policies\Mailwarden` (machine) and
 * `HKCU\Software\Policies\Mailwarden` (user), each with a `Recommended` subkey, as Chrome and
 * Edge lay theirs out. Machine policy wins over user policy (Chrome's rule), and enforced over
 * recommended.
 *
 * Read by parsing `reg query <key> /s` rather than a native module: reg.exe ships with every
 * Windows, and the parser is tested on recorded output. Value names are the schema's
 * `registryName`s (`MailServerImapHost`); a `map` key (webhook headers) is a subkey of that name
 * holding one REG_SZ per entry, which is what an ADMX `<list explicitValue="true">` writes.
 */
import { execFile } from 'node:child_process';
import type { PolicyLayer } from '../../core/policy';
import type { PolicyOrigin } from '../../shared/contract';
import { pathOfRegistryName, policySchema, type PolicyPath } from '../../shared/policy-schema';

export const registryPolicyKeys = [
  // Lowest precedence first.
  { key: 'HKCU\\Software\\Policies\\Mailwarden', origin: 'registry-hkcu' },
  { key: 'HKLM\\Software\\Policies\\Mailwarden', origin: 'registry-hklm' },
] as const satisfies readonly { key: string; origin: PolicyOrigin }[];

export interface CommandOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program without a shell; injectable so tests replay recorded `reg query` output. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandOutput>;

export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { encoding: 'utf8', windowsHide: true, timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error && typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : error ? -1 : 0;
      resolve({ exitCode: code, stdout, stderr });
    });
  });

export interface RegistryValue {
  readonly name: string;
  readonly type: string;
  readonly data: string;
}

/** `reg query /s` output: each key's full path with its values. */
export function parseRegQuery(output: string): Map<string, RegistryValue[]> {
  const keys = new Map<string, RegistryValue[]>();
  let current: RegistryValue[] | null = null;
  for (const line of output.split(/\r?\n/)) {
    if (/^HKEY_[A-Z_]+/.test(line)) {
      current = [];
      keys.set(line.trim(), current);
      continue;
    }
    // "    Name    REG_TYPE    data": four spaces around the type; names may hold single spaces.
    const match = /^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (match && current) current.push({ name: match[1]!, type: match[2]!, data: match[3] ?? '' });
  }
  return keys;
}

/** The JSON-shaped value a registry value stands for, by the key's schema type; mismatches pass through for the check to refuse. */
export function registryValueToJson(path: PolicyPath, value: RegistryValue): unknown {
  const spec = policySchema[path];
  const dword = value.type === 'REG_DWORD' || value.type === 'REG_QWORD' ? Number.parseInt(value.data, 16) : undefined;
  switch (spec.type) {
    case 'boolean':
      if (dword === 1) return true;
      if (dword === 0) return false;
      return dword ?? value.data;
    case 'integer':
      return dword ?? value.data;
    case 'string':
    case 'enum':
      return value.type === 'REG_SZ' || value.type === 'REG_EXPAND_SZ' ? value.data : (dword ?? value.data);
    case 'list':
      // reg.exe shows REG_MULTI_SZ items separated by a literal "\0".
      return value.type === 'REG_MULTI_SZ' ? value.data.split('\\0').filter((item) => item !== '') : value.data;
    case 'map':
      return value.data;
  }
}

const mapPaths = new Set(Object.entries(policySchema).flatMap(([path, spec]) => (spec.type === 'map' ? [spec.registryName.toLowerCase()] : [])));

/** The two layers (recommended, enforced) under one policy key, from its `reg query /s` output. */
export function registryLayers(output: string, origin: PolicyOrigin): PolicyLayer[] {
  const keys = parseRegQuery(output);
  const root = [...keys.keys()].reduce<string | null>((shortest, key) => (shortest === null || key.length < shortest.length ? key : shortest), null);
  if (root === null) return [];
  const recommended: PolicyLayer['entries'][number][] = [];
  const enforced: PolicyLayer['entries'][number][] = [];
  for (const [key, values] of keys) {
    const relative = key.slice(root.length).split('\\').filter((part) => part !== '');
    const isRecommended = relative[0]?.toLowerCase() === 'recommended';
    const below = isRecommended ? relative.slice(1) : relative;
    const target = isRecommended ? recommended : enforced;
    if (below.length === 0) {
      for (const value of values) {
        if (value.name === '(Default)') continue;
        const path = pathOfRegistryName(value.name);
        target.push(path ? { path, value: registryValueToJson(path, value) } : { path: value.name, value: value.data });
      }
    } else if (below.length === 1 && mapPaths.has(below[0]!.toLowerCase())) {
      const path = pathOfRegistryName(below[0]!)!;
      const map: Record<string, string> = {};
      for (const value of values) if (value.name !== '(Default)') map[value.name] = value.data;
      target.push({ path, value: map });
    } else if (values.length > 0) {
      target.push({ path: below.join('\\'), value: null });
    }
  }
  const layers: PolicyLayer[] = [];
  if (recommended.length > 0) layers.push({ level: 'recommended', origin, entries: recommended });
  if (enforced.length > 0) layers.push({ level: 'enforced', origin, entries: enforced });
  return layers;
}

const missingKey = /unable to find the specified registry key/i;

/** Machine and user policy, lowest precedence first. A missing key is no policy; a failing reg.exe locks every key at its default. */
export async function registryPolicyLayers(run: CommandRunner = execFileRunner): Promise<PolicyLayer[]> {
  const layers: PolicyLayer[] = [];
  for (const { key, origin } of registryPolicyKeys) {
    const result = await run('reg', ['query', key, '/s']);
    if (result.exitCode === 0) layers.push(...registryLayers(result.stdout, origin));
    else if (!(result.exitCode === 1 && missingKey.test(`${result.stderr}\n${result.stdout}`))) {
      layers.push({ level: 'enforced', origin, entries: [], unreadable: `reg query ${key} failed (exit ${result.exitCode})` });
    }
  }
  return layers;
}
