/**
 * The organisation's policy, kept in the organisation's store (on the server: its PostgreSQL
 * database), so every server process applies the same rules and IT changes them in one place
 * (`mailwarden policy set FILE --database …`). Stored as the layers a policy file reads into
 * (enforced and recommended entries), already checked: a policy with any invalid key is refused
 * as a whole and the stored one stays as it was.
 */
import { resolvePolicy, type PolicyLayer, type PolicyProblem } from './policy';
import { silentLogger } from './ports';
import type { Store, StoredRecord } from './store';

const recordId = 'organisation-policy';

interface OrganisationPolicyRecord extends StoredRecord {
  readonly layers: readonly PolicyLayer[];
  readonly updatedAt: number;
  readonly updatedBy: string;
}

export interface StoredOrganisationPolicy {
  readonly layers: readonly PolicyLayer[];
  readonly updatedAt: number;
  readonly updatedBy: string;
}

export async function readOrganisationPolicy(store: Store): Promise<StoredOrganisationPolicy | null> {
  const record = await store.collection<OrganisationPolicyRecord>('meta').get(recordId);
  return record ? { layers: record.layers, updatedAt: record.updatedAt, updatedBy: record.updatedBy } : null;
}

/** Replaces the stored policy with `layers` (as read from a policy file), or names what is wrong and stores nothing. */
export async function writeOrganisationPolicy(
  store: Store,
  layers: readonly PolicyLayer[],
  by: string,
  now: number,
): Promise<{ ok: true; keys: number } | { ok: false; problems: readonly PolicyProblem[] }> {
  const stored = layers.map((layer) => ({
    level: layer.level,
    origin: 'organisation-server' as const,
    entries: layer.entries.map((e) => ({ path: e.path, value: e.value })),
  }));
  const { problems } = resolvePolicy(stored, silentLogger);
  if (problems.length > 0) return { ok: false, problems };
  const record: OrganisationPolicyRecord = { _id: recordId, layers: stored, updatedAt: now, updatedBy: by };
  const meta = store.collection<OrganisationPolicyRecord>('meta');
  await store.atomically(async () => {
    if (!(await meta.replace(record))) await meta.insert(record);
  });
  return { ok: true, keys: stored.reduce((sum, layer) => sum + layer.entries.length, 0) };
}
