// Covers electron/core/organisation-policy.ts on either store (npm test runs the core's suites on
// both): the organisation's policy is stored whole or not at all, and read back as layers.
import { describe, expect, it } from 'vitest';
import { readOrganisationPolicy, writeOrganisationPolicy } from '../../electron/core/organisation-policy';
import { resolvePolicy } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { testCore } from '../factories/core';

const layer = (level: 'enforced' | 'recommended', entries: Record<string, unknown>) => ({
  level,
  origin: 'policy-file' as const,
  entries: Object.entries(entries).map(([path, value]) => ({ path, value })),
});

describe("the organisation's stored policy", () => {
  it('is stored as checked layers and read back, with who stored it and when', async () => {
    const { store } = await testCore();
    expect(await readOrganisationPolicy(store)).toBeNull();
    const written = await writeOrganisationPolicy(
      store,
      [layer('enforced', { enforceTwoFactor: true, clientPasswordLimit: 5 }), layer('recommended', { clientPasswordDefaultExpiryDays: 30 })],
      'wang.it',
      1_700_000_000_000,
    );
    expect(written).toEqual({ ok: true, keys: 3 });
    const stored = await readOrganisationPolicy(store);
    expect(stored).toMatchObject({ updatedAt: 1_700_000_000_000, updatedBy: 'wang.it' });
    const { policy, sources } = resolvePolicy(stored!.layers, silentLogger);
    expect([policy.enforceTwoFactor, policy.clientPasswordLimit, policy.clientPasswordDefaultExpiryDays]).toEqual([true, 5, 30]);
    expect(sources.clientPasswordLimit).toEqual({ source: 'enforced', origin: 'organisation-server' });
  });

  it('refuses a policy with any invalid key as a whole, keeping the one stored before', async () => {
    const { store } = await testCore();
    await writeOrganisationPolicy(store, [layer('enforced', { clientPasswordLimit: 5 })], 'wang.it', 1);
    const refused = await writeOrganisationPolicy(store, [layer('enforced', { clientPasswordLimit: 500, enforceTwoFactor: true, noSuchKey: 1 })], 'li.it', 2);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems.map((p) => p.path).sort()).toEqual(['clientPasswordLimit', 'noSuchKey']);
    expect(await readOrganisationPolicy(store)).toMatchObject({ updatedBy: 'wang.it', layers: [{ entries: [{ path: 'clientPasswordLimit', value: 5 }] }] });
  });

  it('replaces the stored policy whole: a key left out is no longer set', async () => {
    const { store } = await testCore();
    await writeOrganisationPolicy(store, [layer('enforced', { clientPasswordLimit: 5, enforceTwoFactor: true })], 'a', 1);
    await writeOrganisationPolicy(store, [layer('enforced', { enforceTwoFactor: false })], 'b', 2);
    const { policy } = resolvePolicy((await readOrganisationPolicy(store))!.layers, silentLogger);
    expect([policy.clientPasswordLimit, policy.enforceTwoFactor]).toEqual([20, false]);
  });
});
