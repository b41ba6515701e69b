/**
 * A policy JSON file: /etc/mailwarden/policy.json on Linux, or any file given with
 * `--policy FILE` (tests and development, on every OS). Either a flat object, all enforced, or
 * `{ "enforced": {…}, "recommended": {…} }` (see ./layers.ts). A missing file is no policy; an
 * unreadable or malformed one is logged and gives no policy, and never stops the app.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyLayer } from '../../core/policy';
import type { Logger } from '../../core/ports';
import type { PolicyOrigin } from '../../shared/contract';
import { layersOfDocument } from './layers';

export const linuxPolicyPath = '/etc/mailwarden/policy.json';

export type JsonPolicyRead =
  { readonly ok: true; readonly layers: PolicyLayer[] } | { readonly ok: false; readonly missing: boolean; readonly problem: string };

/**
 * The layers of a policy JSON text.
 * @internal
 */
export function parsePolicyJson(text: string, origin: PolicyOrigin): JsonPolicyRead {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, missing: false, problem: 'not JSON' };
  }
  const { layers, problem } = layersOfDocument(document, origin, { enforced: 'enforced', recommended: 'recommended' });
  return problem ? { ok: false, missing: false, problem } : { ok: true, layers };
}

export async function readPolicyJsonFile(path: string, origin: PolicyOrigin): Promise<JsonPolicyRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown';
    return { ok: false, missing: code === 'ENOENT', problem: `cannot read (${code})` };
  }
  return parsePolicyJson(text, origin);
}

/**
 * Reads a policy JSON file for a shell, never throwing. Missing: no policy. Present but
 * unreadable or malformed: one enforced layer marked unreadable, which locks every key at its
 * default (IT meant to lock something, and a typo must not unlock it all).
 */
export async function policyJsonLayers(path: string, origin: PolicyOrigin, logger: Logger): Promise<PolicyLayer[]> {
  const read = await readPolicyJsonFile(path, origin);
  if (read.ok) return read.layers;
  if (read.missing) {
    if (origin === 'policy-file') logger.warn('policy file not found', { path });
    return [];
  }
  return [{ level: 'enforced', origin, entries: [], unreadable: `${path}: ${read.problem}` }];
}
