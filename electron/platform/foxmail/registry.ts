/**
 * Reading the Windows registry through `reg query`'s text output rather than a native module:
 * nothing to build per Electron version, and the output is stable and easy to record for tests.
 */

export interface RegistryValue {
  readonly key: string;
  /** The value's name as printed; the default value prints a localized "(Default)". */
  readonly name: string;
  readonly type: string;
  readonly data: string;
}

/**
 * Values in `reg query` output: a line naming the key, then one indented line per value,
 * `    <name>    <REG_TYPE>    <data>` (data may be empty). Anything else (blank lines, "ERROR:"
 * from a missing key, subkey lines) is skipped, so a missing key yields nothing.
 */
export function parseRegQuery(output: string): RegistryValue[] {
  const values: RegistryValue[] = [];
  let key = '';
  for (const line of output.split(/\r?\n/)) {
    if (/^HKEY_[A-Z_]+(\\|$)/.test(line)) {
      key = line.trim();
      continue;
    }
    const match = /^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (match && key) values.push({ key, name: match[1]!, type: match[2]!, data: match[3] ?? '' });
  }
  return values;
}

/** `%NAME%` replaced from `env`, names compared case-insensitively as Windows does; unknown names stay. */
export function expandEnvironmentStrings(text: string, env: Readonly<Record<string, string | undefined>>): string {
  const byUpper = new Map(Object.entries(env).map(([k, v]) => [k.toUpperCase(), v]));
  return text.replace(/%([^%]+)%/g, (whole, name: string) => byUpper.get(name.toUpperCase()) ?? whole);
}

/** A value's data, expanded when it is REG_EXPAND_SZ; null for types that are not strings. */
export function registryString(value: RegistryValue, env: Readonly<Record<string, string | undefined>>): string | null {
  if (value.type === 'REG_SZ') return value.data;
  if (value.type === 'REG_EXPAND_SZ') return expandEnvironmentStrings(value.data, env);
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
