// Covers electron/platform/desktop-backend.ts's choice of who manages accounts (docs/rules.md §15):
// IT's recommendation opens the web-mail guide, the person's choice switches the open desktop at
// once and is kept for the next start, and an enforced value cannot be switched.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyLayer } from '../../electron/core/policy';
import { silentLogger } from '../../electron/core/ports';
import { openDesktopBackend, type DesktopBackend } from '../../electron/platform/desktop-backend';
import { testCall } from '../factories/call';
import { testEnvironment } from '../factories/environment';

let dataDir = '';
const opened: DesktopBackend[] = [];
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function open(level: PolicyLayer['level']): Promise<DesktopBackend> {
  dataDir ||= await mkdtemp(join(tmpdir(), 'mailwarden-desktop-'));
  const layers: PolicyLayer[] = [{ level, origin: 'policy-file', entries: [{ path: 'accounts.managedBy', value: 'webmail' }] }];
  const backend = await openDesktopBackend(testEnvironment({ dataDir }), silentLogger, { layers });
  opened.push(backend);
  return backend;
}

const call = testCall();

describe('who manages accounts on a desktop', () => {
  it('is the web mail where IT recommends it, until the person chooses Mailwarden; the choice is kept', async () => {
    const backend = await open('recommended');
    expect(await backend.dispatch('webmail:status', {}, call)).toMatchObject({ ok: true, data: { mode: 'webmail', changeable: true } });
    expect(backend.environment.backend).toBe('webmail');
    expect(await backend.dispatch('client-passwords:list', {}, call)).toMatchObject({ ok: false, code: 'managed-by-webmail' });

    expect(await backend.dispatch('webmail:choose', { managedBy: 'mailwarden' }, call)).toEqual({ ok: true, data: { managedBy: 'mailwarden' } });
    // The next request is answered by this computer's own store.
    expect(await backend.dispatch('webmail:status', {}, call)).toMatchObject({ ok: true, data: { mode: 'mailwarden' } });
    expect(await backend.dispatch('client-passwords:list', {}, call)).toMatchObject({ ok: false, code: 'not-signed-in' });
    expect(backend.environment.backend ?? 'embedded').toBe('embedded');
    expect(JSON.parse(await readFile(join(dataDir, 'webmail-profile.json'), 'utf8'))).toMatchObject({ choice: 'mailwarden' });

    await opened.pop()!.close();
    const again = await open('recommended');
    expect(await again.dispatch('webmail:status', {}, call)).toMatchObject({ ok: true, data: { mode: 'mailwarden' } });
    // ...and back.
    expect(await again.dispatch('webmail:choose', { managedBy: 'webmail' }, call)).toMatchObject({ ok: true });
    expect(await again.dispatch('webmail:status', {}, call)).toMatchObject({ ok: true, data: { mode: 'webmail' } });
  });

  it('cannot be switched where IT enforces it', async () => {
    const backend = await open('enforced');
    expect(await backend.dispatch('webmail:status', {}, call)).toMatchObject({ ok: true, data: { mode: 'webmail', changeable: false } });
    expect(await backend.dispatch('webmail:choose', { managedBy: 'mailwarden' }, call)).toMatchObject({ ok: false, code: 'policy-locked' });
    expect(await backend.dispatch('webmail:status', {}, call)).toMatchObject({ ok: true, data: { mode: 'webmail' } });
  });
});
