/**
 * macOS: the managed preferences an MDM (Jamf, Intune, a .mobileconfig) installs for the bundle
 * id, `/Library/Managed Preferences/org.mailwarden.desktop.plist` (computer-wide) and
 * `/Library/Managed Preferences/<user>/org.mailwarden.desktop.plist` (per user).
 *
 * Managed preferences are forced, as Chrome and Edge treat them: every top-level key is
 * enforced. A recommended value goes in a `Recommended` dictionary in the same payload (keys
 * nested as in policy.json). Per-user managed preferences take precedence over computer-wide
 * ones, the order macOS itself searches them in.
 *
 * Both XML and binary (`bplist00`) plists are read with the `plist` package (5.x parses both),
 * so no `plutil` child process is needed and the same code runs in tests on any OS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseBinary } from 'plist';
import type { PolicyLayer } from '../../core/policy';
import type { PolicyOrigin } from '../../shared/contract';
import { layersOfDocument } from './layers';

/** @internal */
export const bundleId = 'org.mailwarden.desktop';
const managedPreferencesDir = '/Library/Managed Preferences';

const binaryMagic = 'bplist00';

/**
 * The layers of one managed-preferences plist's bytes.
 * @internal
 */
export function parseManagedPreferences(bytes: Uint8Array, origin: PolicyOrigin): { layers: PolicyLayer[]; problem?: string } {
  let document: unknown;
  try {
    const binary = Buffer.from(bytes.subarray(0, binaryMagic.length)).toString('latin1') === binaryMagic;
    document = binary ? parseBinary(bytes) : parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { layers: [], problem: 'not a property list' };
  }
  return layersOfDocument(document, origin, { recommended: 'Recommended' });
}

export interface ManagedPreferencesOptions {
  /** The folder holding the plists; tests pass a fixture folder. */
  readonly dir?: string;
  /** The signed-in user's short name, for the per-user plist. */
  readonly user: string;
}

/** Both places, lowest precedence first. A missing file is no policy; an unreadable one locks every key at its default. */
export async function managedPreferencesLayers(options: ManagedPreferencesOptions): Promise<PolicyLayer[]> {
  const dir = options.dir ?? managedPreferencesDir;
  const places: [string, PolicyOrigin][] = [
    [join(dir, `${bundleId}.plist`), 'managed-preferences'],
    // A user name with a path separator would point elsewhere: no per-user place then.
    ...(options.user !== '' && !/[/\\]|^\.\.?$/.test(options.user)
      ? [[join(dir, options.user, `${bundleId}.plist`), 'managed-preferences-user'] as [string, PolicyOrigin]]
      : []),
  ];
  const layers: PolicyLayer[] = [];
  for (const [path, origin] of places) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      layers.push({ level: 'enforced', origin, entries: [], unreadable: `${path}: cannot read (${(cause as NodeJS.ErrnoException).code ?? 'unknown'})` });
      continue;
    }
    const parsed = parseManagedPreferences(bytes, origin);
    if (parsed.problem) layers.push({ level: 'enforced', origin, entries: [], unreadable: `${path}: ${parsed.problem}` });
    else layers.push(...parsed.layers);
  }
  return layers;
}
