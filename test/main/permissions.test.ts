// Covers electron/main/permissions.ts.
import { describe, expect, it } from 'vitest';
import { isPermissionAllowed } from '../../electron/main/permissions';

describe('isPermissionAllowed', () => {
  it('lets our own page write to the clipboard', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://mailwarden/index.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://mailwarden')).toBe(true);
  });
  it('refuses the clipboard to any other origin', () => {
    for (const origin of ['https://evil.example', 'app://other/', 'file:///', undefined, 'nonsense']) {
      expect(isPermissionAllowed('clipboard-sanitized-write', origin)).toBe(false);
    }
  });
  it.each(['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fullscreen'])('refuses %s even to our page', (permission) => {
    expect(isPermissionAllowed(permission, 'app://mailwarden/index.html')).toBe(false);
  });
});
