/**
 * Turning a policy document (JSON, or a plist once parsed) into layers: nested objects follow the
 * schema's dotted paths (`{"mailServer": {"imap": {"host": …}}}` → `mailServer.imap.host`).
 * Nothing is validated here; `resolvePolicy` checks every key once, whatever the source.
 */
import type { PolicyLayer } from '../../core/policy';
import type { PolicyOrigin } from '../../shared/contract';
import { isPolicyPath } from '../../shared/policy-schema';

type Entry = PolicyLayer['entries'][number];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

/**
 * The entries of a nested object. A schema path stops the descent (a `map` key such as
 * `sms.webhook.headers` is an object value, not more paths); anything else that is not an
 * object is an entry under its unknown path, for the resolver to report.
 */
function flattenPolicyObject(object: Record<string, unknown>, prefix = ''): Entry[] {
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(object)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (!isPolicyPath(path) && isPlainObject(value)) entries.push(...flattenPolicyObject(value, path));
    else entries.push({ path, value });
  }
  return entries;
}

/**
 * The layers one document gives. Two shapes, one rule: an object with an `enforced` or a
 * `recommended` member is layered (`{"enforced": {…}, "recommended": {…}}`), and any other
 * top-level member is reported as unknown; otherwise the whole object is enforced (the flat
 * shape most files use). `recommendedKey` is the member name (`recommended` in JSON,
 * `Recommended` in a plist).
 */
export function layersOfDocument(
  document: unknown,
  origin: PolicyOrigin,
  names: { readonly enforced?: string; readonly recommended: string },
): { layers: PolicyLayer[]; problem?: string } {
  if (!isPlainObject(document)) return { layers: [], problem: 'not an object' };
  const enforcedName = names.enforced;
  const layered = (enforcedName !== undefined && Object.hasOwn(document, enforcedName)) || Object.hasOwn(document, names.recommended);
  const recommended = document[names.recommended];
  const layers: PolicyLayer[] = [];
  if (recommended !== undefined) {
    if (isPlainObject(recommended)) layers.push({ level: 'recommended', origin, entries: flattenPolicyObject(recommended) });
    else layers.push({ level: 'recommended', origin, entries: [{ path: names.recommended, value: recommended }] });
  }
  if (layered && enforcedName !== undefined) {
    const enforced = document[enforcedName];
    const rest = Object.entries(document).filter(([name]) => name !== enforcedName && name !== names.recommended);
    // Outside both members: reported (as an unknown key) rather than guessed to be enforced.
    const entries: Entry[] = rest.map(([name, value]) => ({ path: `${name} (outside "${enforcedName}")`, value }));
    if (isPlainObject(enforced)) entries.push(...flattenPolicyObject(enforced));
    else if (enforced !== undefined) entries.push({ path: enforcedName, value: enforced });
    layers.push({ level: 'enforced', origin, entries });
  } else {
    const rest = Object.fromEntries(Object.entries(document).filter(([name]) => name !== names.recommended));
    layers.push({ level: 'enforced', origin, entries: flattenPolicyObject(rest) });
  }
  return { layers };
}
