/**
 * Helpers for what Foxmail's registry values hold. The registry itself is read by the one reader
 * of the app (../windows-registry.ts), which policy uses too.
 */
import type { RegistryData } from '../windows-registry';

/**
 * `%NAME%` replaced from `env`, names compared case-insensitively as Windows does; unknown names stay.
 * @internal
 */
export function expandEnvironmentStrings(text: string, env: Readonly<Record<string, string | undefined>>): string {
  const byUpper = new Map(Object.entries(env).map(([k, v]) => [k.toUpperCase(), v]));
  return text.replace(/%([^%]+)%/g, (whole, name: string) => byUpper.get(name.toUpperCase()) ?? whole);
}

/** A value's data, expanded when it is REG_EXPAND_SZ; null for types that are not strings. */
export function registryString(value: RegistryData | undefined, env: Readonly<Record<string, string | undefined>>): string | null {
  if (value?.type === 'string') return value.data;
  if (value?.type === 'expand-string') return expandEnvironmentStrings(value.data, env);
  return null;
}

/**
 * The program a shell command line runs: the quoted first token, or (unquoted, as some installers
 * write it) everything up to the first ".exe", since the path itself may hold spaces.
 */
export function commandLineProgram(commandLine: string): string | null {
  const line = commandLine.trim();
  if (line.startsWith('"')) {
    const end = line.indexOf('"', 1);
    return end > 1 ? line.slice(1, end) : null;
  }
  const exe = /^(.+?\.exe)(?=\s|$)/i.exec(line);
  if (exe) return exe[1]!;
  const first = line.split(/\s+/)[0];
  return first ? first : null;
}
