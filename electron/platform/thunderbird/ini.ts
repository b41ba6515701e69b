/**
 * profiles.ini and installs.ini, as Mozilla's own nsINIParser reads them (xpcom/glue/
 * nsINIParser.cpp): `[Section]` lines, `Key=Value` lines (split at the first '='; key and value
 * trimmed; no quoting, no escapes), lines starting with ';' or '#' are comments, and a key's last
 * value wins. A careful 30-line parser rather than the `ini` package: that package gives dotted
 * section names meaning (nesting), turns "true"/"false" into booleans and unquotes values —
 * readings nsINIParser does not make, for a file whose paths are taken literally.
 */

export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) {
        current = null;
        continue;
      }
      const name = line.slice(1, end);
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) continue;
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

export interface ListedProfile {
  readonly name: string;
  /** As written in profiles.ini. */
  readonly path: string;
  readonly isRelative: boolean;
  readonly isDefault: boolean;
}

/**
 * The profiles profiles.ini lists (`[ProfileN]` with Name, IsRelative, Path, Default), in order.
 * A profile counts as default when its own section says Default=1 (before Thunderbird 68) or an
 * install names it: `[Install<hash>]` sections of profiles.ini or of installs.ini, `Default=<path>`.
 */
export function listProfiles(profilesIni: IniSections, installsIni: IniSections | null): ListedProfile[] {
  const installDefaults = new Set<string>();
  for (const [name, section] of profilesIni) {
    if (name.startsWith('Install') && section.get('Default')) installDefaults.add(section.get('Default')!);
  }
  for (const section of installsIni?.values() ?? []) {
    if (section.get('Default')) installDefaults.add(section.get('Default')!);
  }
  const profiles: ListedProfile[] = [];
  const numbered = [...profilesIni].filter(([name]) => /^Profile\d+$/.test(name)).sort(([a], [b]) => Number(a.slice(7)) - Number(b.slice(7)));
  for (const [, section] of numbered) {
    const path = section.get('Path');
    if (!path) continue;
    profiles.push({
      name: section.get('Name') ?? path,
      path,
      // nsToolkitProfileService: IsRelative=1 means relative to the folder of profiles.ini; anything else absolute.
      isRelative: section.get('IsRelative') === '1',
      isDefault: section.get('Default') === '1' || installDefaults.has(path),
    });
  }
  return profiles;
}
