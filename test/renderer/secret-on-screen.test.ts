// Covers renderer/src/lib/state/secret-on-screen.ts: while a secret shown once is on screen,
// leaving asks first and the shell is told to protect the window (issue 10, fault 4).
import { describe, expect, it } from 'vitest';
import { SecretScreen } from '../../renderer/src/lib/state/secret-on-screen';

function setUp() {
  const guards = new Set<(event: BeforeUnloadEvent) => void>();
  const told: boolean[] = [];
  const screen = new SecretScreen({ addUnloadGuard: (l) => guards.add(l), removeUnloadGuard: (l) => guards.delete(l), tellShell: (shown) => told.push(shown) });
  /** What the browser does on reload: true when the page objects. */
  const reloadObjected = () => {
    let objected = false;
    const event = { preventDefault: () => (objected = true), returnValue: undefined } as unknown as BeforeUnloadEvent;
    for (const guard of guards) guard(event);
    return objected;
  };
  return { screen, told, reloadObjected };
}

describe('a secret on screen', () => {
  it('makes a reload ask first, and tells the shell, for as long as it is shown', () => {
    const { screen, told, reloadObjected } = setUp();
    expect(reloadObjected()).toBe(false);
    const release = screen.claim();
    expect(reloadObjected()).toBe(true);
    expect(told).toEqual([true]);
    release();
    expect(reloadObjected()).toBe(false);
    expect(told).toEqual([true, false]);
  });

  it('stays guarded until the last of several secrets is gone; a release twice counts once', () => {
    const { screen, told, reloadObjected } = setUp();
    const password = screen.claim();
    const codes = screen.claim();
    password();
    password();
    expect(reloadObjected()).toBe(true);
    expect(screen.showing).toBe(true);
    codes();
    expect(reloadObjected()).toBe(false);
    expect(told).toEqual([true, false]);
  });
});
