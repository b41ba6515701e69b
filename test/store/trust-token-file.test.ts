// Covers electron/store/trust-token-file.ts.
import { mkdtemp, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustTokenFile } from '../../electron/store/trust-token-file';

describe('TrustTokenFile', () => {
  it('keeps the token for this user only, and forgets it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailwarden-trust-'));
    try {
      const slot = new TrustTokenFile(dir);
      expect(await slot.get()).toBeUndefined();
      await slot.set('a'.repeat(43));
      expect(await new TrustTokenFile(dir).get()).toBe('a'.repeat(43));
      if (process.platform !== 'win32') expect((await stat(slot.path)).mode & 0o777).toBe(0o600);
      await slot.set(undefined);
      expect(await slot.get()).toBeUndefined();
      await mkdir(join(dir, 'client'), { recursive: true });
      await writeFile(slot.path, 'not a token!');
      expect(await slot.get()).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
