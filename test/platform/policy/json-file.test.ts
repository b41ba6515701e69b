// Covers electron/platform/policy/json-file.ts, ./layers.ts and ./index.ts (the Linux place, --policy FILE, precedence).
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../electron/core/policy';
import { silentLogger, type Logger } from '../../../electron/core/ports';
import { parsePolicyJson, policyJsonLayers } from '../../../electron/platform/policy/json-file';
import { fixedRegistryReader, registryKeyOf } from '../../factories/registry';
import { readPolicy } from '../../../electron/platform/policy';

const fixtures = join(import.meta.dirname, '../fixtures/policy');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-policy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policy.json', () => {
  it('reads the layered shape: enforced and recommended, nested keys by path', async () => {
    const { policy, sources } = resolvePolicy(await policyJsonLayers(join(fixtures, 'policy-layered.json'), 'etc-file', silentLogger), silentLogger);
    expect(policy.enforceTwoFactor).toBe(true);
    expect(policy.twoFactorGraceDays).toBe(14);
    expect(policy.mailServer.smtp).toEqual({ host: 'mail.cstnet.cn', port: 465, security: 'tls' });
    expect(policy.sms).toMatchObject({ kind: 'webhook', headers: { Authorization: 'Bearer s3cr3t-token' } });
    expect(policy.clientIntegrations.iphoneProfile).toBe(false);
    expect(sources['clientIntegrations.iphoneProfile']).toEqual({ source: 'recommended', origin: 'etc-file' });
    expect(sources['mailServer.smtp.port']).toEqual({ source: 'enforced', origin: 'etc-file' });
  });

  it('takes a flat object as all enforced', () => {
    const read = parsePolicyJson('{"enforceTwoFactor": true, "mailServer": {"imap": {"port": 143}}}', 'etc-file');
    expect(read).toEqual({
      ok: true,
      layers: [
        {
          level: 'enforced',
          origin: 'etc-file',
          entries: [
            { path: 'enforceTwoFactor', value: true },
            { path: 'mailServer.imap.port', value: 143 },
          ],
        },
      ],
    });
  });

  it('reports other top-level members of a layered file as unknown keys', () => {
    const read = parsePolicyJson('{"enforced": {}, "enforceTwoFactor": true}', 'etc-file');
    if (!read.ok) throw new Error(read.problem);
    expect(resolvePolicy(read.layers, silentLogger).problems.map((p) => [p.path, p.reason])).toEqual([
      ['enforceTwoFactor (outside "enforced")', 'unknown key'],
    ]);
  });

  it('refuses a file that is not a JSON object, as a whole', () => {
    expect(parsePolicyJson('{"enforceTwoFactor": tru', 'etc-file')).toEqual({ ok: false, missing: false, problem: 'not JSON' });
    expect(parsePolicyJson('[]', 'etc-file')).toEqual({ ok: false, missing: false, problem: 'not an object' });
  });

  it('is no policy when /etc/mailwarden/policy.json does not exist, and locks everything when it is malformed', async () => {
    expect(await policyJsonLayers(join(dir, 'policy.json'), 'etc-file', silentLogger)).toEqual([]);
    await writeFile(join(dir, 'policy.json'), 'enforceTwoFactor=true');
    const { sources, policy } = resolvePolicy(await policyJsonLayers(join(dir, 'policy.json'), 'etc-file', silentLogger), silentLogger);
    expect(policy.enforceTwoFactor).toBe(false);
    expect(sources.enforceTwoFactor).toEqual({ source: 'enforced', origin: 'etc-file' });
  });
});

describe('readPolicy', () => {
  it('reads /etc/mailwarden/policy.json on Linux, and a --policy file below it', async () => {
    await copyFile(join(fixtures, 'policy-flat.json'), join(dir, 'etc.json'));
    await writeFile(join(dir, 'dev.json'), JSON.stringify({ enforceTwoFactor: false, clientPasswordLimit: 3, updates: { enabled: true } }));
    const warnings: unknown[] = [];
    const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push({ message, ...fields }) };
    const { policy, sources } = await readPolicy({ platform: 'linux', linuxPolicyPath: join(dir, 'etc.json'), policyFile: join(dir, 'dev.json') }, logger);
    // The /etc file wins where both set a key: a flag cannot lift IT's rule.
    expect(policy.enforceTwoFactor).toBe(true);
    expect(sources.enforceTwoFactor).toEqual({ source: 'enforced', origin: 'etc-file' });
    expect(policy.updates.enabled).toBe(false);
    expect(policy.clientPasswordLimit).toBe(3);
    expect(sources.clientPasswordLimit).toEqual({ source: 'enforced', origin: 'policy-file' });
    // trustedDeviceDays 0 in the /etc file: locked at 7.
    expect(policy.trustedDeviceDays).toBe(7);
    expect(warnings).toEqual([
      { message: 'policy value ignored', key: 'trustedDeviceDays', origin: 'etc-file', level: 'enforced', reason: 'below 1 (allowed 1–30)' },
    ]);
  });

  it('reads the registry on Windows through the reader, and managed preferences on macOS', async () => {
    const registry = fixedRegistryReader({ 'HKLM\\Software\\Policies\\Mailwarden': registryKeyOf({ EnforceTwoFactor: 1 }) });
    const windows = await readPolicy({ platform: 'win32', registry }, silentLogger);
    expect(windows.sources.enforceTwoFactor).toEqual({ source: 'enforced', origin: 'registry-hklm' });
    const mac = await readPolicy({ platform: 'darwin', managedPreferences: { dir, user: 'li.na' } }, silentLogger);
    expect(mac.policy.enforceTwoFactor).toBe(false);
  });
});
