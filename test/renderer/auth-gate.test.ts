/** Covers renderer/src/lib/state/gate.ts: which sections each sign-in state may open. */
import { describe, expect, it } from 'vitest';
import { gatedRoute, phaseOf, reachableRoutes } from '../../renderer/src/lib/state/gate';
import { routes } from '../../renderer/src/lib/state/routes';

describe('phaseOf', () => {
  it('is loading until the backend has answered, then its status', () => {
    expect(phaseOf(null)).toBe('loading');
    expect(phaseOf({ status: 'signed-out' })).toBe('signed-out');
    expect(phaseOf({ status: 'signed-in', mailbox: 'a@b.cn', displayName: 'a' })).toBe('signed-in');
    expect(phaseOf({ status: 'enrollment-required', mailbox: 'a@b.cn', displayName: 'a' })).toBe('enrollment-required');
    expect(phaseOf({ status: 'code-required', mailbox: 'a@b.cn', methods: ['sms'], trustDevice: false, expiresAt: 1 })).toBe('code-required');
  });
});

describe('reachableRoutes', () => {
  it('opens every section to a full session', () => {
    expect(reachableRoutes('signed-in')).toEqual(routes);
  });

  it('opens only the two-factor page while enrolment is enforced', () => {
    expect(reachableRoutes('enrollment-required')).toEqual(['two-factor']);
  });

  it.each(['loading', 'signed-out', 'code-required'] as const)('opens nothing while %s', (phase) => {
    expect(reachableRoutes(phase)).toEqual([]);
  });
});

describe('gatedRoute', () => {
  it('keeps the asked route when it is reachable', () => {
    for (const route of routes) expect(gatedRoute('signed-in', route)).toBe(route);
  });

  it('sends every other route to the two-factor page during enrolment', () => {
    for (const route of routes) expect(gatedRoute('enrollment-required', route)).toBe('two-factor');
  });

  it('has no route before sign-in: the sign-in screen shows instead', () => {
    expect(gatedRoute('signed-out', 'settings')).toBeNull();
    expect(gatedRoute('code-required', 'overview')).toBeNull();
    expect(gatedRoute('loading', 'overview')).toBeNull();
  });
});
