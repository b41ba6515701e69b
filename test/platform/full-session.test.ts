/**
 * Covers electron/platform/compose.ts end to end: a scripted full session through the real
 * dispatcher over a real data folder (encrypted nedb files, the sealed SMS outbox, the real
 * scrypt cost), then a scan of every file in the folder and every log line for each secret the
 * session produced. None may appear in plaintext.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/call';
import { createConsoleLogger } from '../../electron/platform/logger';
import { openBackend, type Backend } from '../../electron/platform/compose';
import { testCall } from '../factories/call';
import { FakeClock } from '../factories/clock';
import { testEnvironment } from '../factories/environment';

let dataDir: string;
let backend: Backend;
const logLines: string[] = [];
const clock = new FakeClock();
const secrets = new Set<string>();

async function call<T = unknown>(channel: string, request: unknown, who: CallContext): Promise<T> {
  const result = await backend.dispatch(channel, request, who);
  if (!result.ok) throw new Error(`${channel} answered ${JSON.stringify(result)}`);
  return result.data as T;
}

/** What the local outbox delivered last to a mailbox, read as the app's notification would. */
async function latestCode(mailbox: string): Promise<string> {
  const messages = (await backend.core.sms.read?.(mailbox)) ?? [];
  const code = /\b(\d{6})\b/.exec(messages[0]?.text ?? '')?.[1];
  if (!code) throw new Error('no code in the outbox');
  return code;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mailwarden-session-'));
  backend = await openBackend(
    testEnvironment({ dataDir }),
    createConsoleLogger('test', (line) => logLines.push(line)),
    { clock },
  );
}, 60_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('a full session', () => {
  it('leaves no password, code, seed or token in plaintext in the data folder or the log', async () => {
    const alice = testCall({ connection: 'alice' });
    const bob = testCall({ connection: 'bob' });
    const alicePassword = 'Alice-main-password-1';
    const bobPassword = 'Bob-main-password-22';
    secrets.add(alicePassword).add(bobPassword);

    await call('auth:register', { address: 'alice@example.cn', password: alicePassword, confirmation: alicePassword }, alice);
    await call('auth:register', { address: 'bob@example.cn', password: bobPassword, confirmation: bobPassword }, bob);

    // Bind a phone with the code from the (sealed) local outbox.
    await call('two-factor:start-phone-binding', { phone: '+86 139 1234 5678' }, alice);
    const bindCode = await latestCode('alice@example.cn');
    secrets.add(bindCode);
    await call('two-factor:confirm-phone-binding', { code: bindCode }, alice);

    // An authenticator app as a second method, and backup codes.
    const enrolment = await call<{ secret: string; uri: string }>('two-factor:start-totp', {}, alice);
    secrets.add(enrolment.secret);
    const totp = new TOTP({ secret: Secret.fromBase32(enrolment.secret), digits: 6, period: 30 });
    await call('two-factor:confirm-totp', { code: totp.generate({ timestamp: clock.now() }) }, alice);
    const backup = await call<{ codes: string[] }>('two-factor:generate-backup-codes', {}, alice);
    for (const code of backup.codes) secrets.add(code).add(code.replace(/-/g, ''));

    // Client passwords, shown once.
    for (const name of ['Foxmail 办公室', 'iPhone']) {
      const created = await call<{ password: string; grouped: string }>('client-passwords:create', { name }, alice);
      secrets.add(created.password).add(created.grouped);
    }

    // Share the mailbox with a colleague, then sign in again trusting this device.
    const grant = await call<{ id: string }>('grants:add', { grantee: 'bob@example.cn', level: 'send-on-behalf' }, alice);
    await call('auth:sign-out', {}, alice);
    clock.advanceSeconds(61);
    const outcome = await call<{ status: string }>('auth:sign-in', { address: 'alice@example.cn', password: alicePassword, trustDevice: true }, alice);
    expect(outcome.status).toBe('code-required');
    const signInCode = await latestCode('alice@example.cn');
    secrets.add(signInCode);
    await call('auth:verify-code', { code: signInCode, method: 'sms', trustDevice: true }, alice);
    const trustToken = await alice.trust.get();
    expect(trustToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secrets.add(trustToken!);

    // Revoke what was given.
    const list = await call<{ passwords: { id: string }[] } | { id: string }[]>('client-passwords:list', {}, alice);
    const passwords = Array.isArray(list) ? list : list.passwords;
    await call('client-passwords:revoke', { id: passwords[0]!.id }, alice);
    await call('grants:revoke', { id: grant.id }, alice);

    await backend.close();

    const files = await filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('mailboxes.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('sms-outbox.log'))).toBe(true);
    const texts = await Promise.all(files.map(async (f) => [f, await readFile(f, 'latin1')] as const));
    const hits: string[] = [];
    for (const secret of secrets) {
      for (const [file, text] of texts) if (text.includes(secret)) hits.push(`${secret} in ${file}`);
      for (const line of logLines) if (line.includes(secret)) hits.push(`${secret} in the log`);
    }
    expect(hits).toEqual([]);
    expect(secrets.size).toBeGreaterThanOrEqual(28);
  }, 120_000);
});
