/** Covers renderer/src/lib/state/routes.ts: hash parsing for the hand-written router. */
import { describe, expect, it } from 'vitest';
import { defaultRoute, hrefOf, routeFromHash, routes } from '../../renderer/src/lib/state/routes';

describe('routeFromHash', () => {
  it('finds every route from its own href', () => {
    for (const route of routes) expect(routeFromHash(hrefOf(route))).toBe(route);
  });

  it.each(['', '#', '#/', '#/nope', '#settings', '#/settings/extra', '#token=abc', '#/__proto__', '#/toString'])('sends %j to the overview', (hash) => {
    expect(routeFromHash(hash)).toBe(defaultRoute);
  });
});
