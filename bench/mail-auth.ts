/**
 * Mail-server auth: one IMAP LOGIN (connect, authenticate, logout, as imapflow does it) through
 * the checkpassword bridge (Dovecot starts out/main/checkpassword.js per login, which asks
 * `mailwarden serve` over its socket, which runs verifyMailLogin: scrypt N=2^17) divided by the
 * same login against Dovecot's own passwd-file (SHA512-CRYPT, `doveadm pw`'s usual scheme), same
 * Dovecot, same run, 200 logins each, alternating. verifyMailLogin alone is timed in this process
 * too, to show the KDF's share. Needs root, /usr/sbin/dovecot and Dovecot's checkpassword-reply.
 *
 * Then the route that needs no process per login: a second Dovecot whose Lua passdb
 * (resources/dovecot/mailwarden-passdb.lua) asks the same serve over loopback HTTP. Its repeated
 * login (served from serve's cache of recent successes) ÷ the passwd-file login, 200 each,
 * alternating; and the first, uncached login of ten other mailboxes ÷ the same. Needs
 * dovecot-auth-lua.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ImapFlow } from 'imapflow';
import { verifyMailLogin } from '../electron/core/mail-login';
import { silentLogger } from '../electron/core/ports';
import { openBackend } from '../electron/platform/compose';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dovecotSkipReason, nobodyIds, startDovecot, type RunningDovecot } from '../test/factories/dovecot';
import { freeLoopbackPort } from '../test/factories/loopback';
import { median, ms, ratioFigure, report } from './lib';
import { projectRoot, scratchCopy } from './host';
import { benchAddress, benchPassword, seededFolder } from './seed';

const logins = 200;
const warmUps = 5;
const fileUser = 'file.user@cstnet.cn';
const filePassword = 'File-user-password-1';

const missing = dovecotSkipReason();
if (missing) {
  console.log(`mail-server auth: skipped, ${missing}`);
  process.exit(0);
}

const seeded = await seededFolder('mail-auth', { mailboxes: 49, activity: 0, others: 0, own: 0 }, console.log);

// verifyMailLogin alone, in this process, on a copy of the folder (serve locks the other),
// timed between the logins so both see the same load on the machine.
const kdfDir = await scratchCopy(seeded);
const kdfBackend = await openBackend(
  { productName: 'Mailwarden', version: 'bench', dataDir: kdfDir, shell: 'cli', demo: false, platform: process.platform },
  silentLogger,
);
async function timeVerify(): Promise<number> {
  const started = performance.now();
  const result = await verifyMailLogin(kdfBackend.core, { address: benchAddress, secret: benchPassword, protocol: 'imap', clientAddress: '127.0.0.1' });
  if (!result.ok) throw new Error('verifyMailLogin refused the bench password');
  return performance.now() - started;
}
/** The checkpassword program's start-up alone: with no credentials on fd 3 it exits 111 at once. */
function timeStartUp(): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(projectRoot, 'out/main/checkpassword.js'), '--socket=/nonexistent', '/bin/true'], { stdio: 'ignore' });
  if (run.status !== 111) throw new Error(`checkpassword without input exited ${run.status}`);
  return performance.now() - started;
}

const work = await mkdtemp(join(tmpdir(), 'mailwarden-bench-dovecot-'));
await chmod(work, 0o755);
const nobody = nobodyIds();
const dataDir = join(work, 'data');
await mkdir(dataDir);
await scratchCopyInto(seeded, dataDir);
const socketDir = join(work, 'bridge');
await mkdir(socketDir, { mode: 0o755 });
const socketPath = join(socketDir, 'mail-auth.sock');
let serve: ChildProcess | undefined;
let dovecot: RunningDovecot | undefined;
let luaDovecot: RunningDovecot | undefined;
const tokenFile = join(work, 'passdb.token');
await writeFile(tokenFile, `${'k'.repeat(64)}\n`, { mode: 0o644 });
let httpPort = 0;

async function scratchCopyInto(from: string, to: string): Promise<void> {
  const { cp } = await import('node:fs/promises');
  await cp(from, to, { recursive: true });
}

async function imapLogin(port: number, user: string, pass: string): Promise<number> {
  const started = performance.now();
  const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false, connectionTimeout: 20_000 });
  client.on('error', () => undefined);
  await client.connect();
  await client.logout();
  return performance.now() - started;
}

try {
  serve = spawn(
    process.execPath,
    [join(projectRoot, 'out/main/cli.js'), 'serve', '--data', dataDir, '--socket', socketPath, '--http', '127.0.0.1:0', '--http-token-file', tokenFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    serve!.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: serve!.stdout! }).on('line', (line) => {
      const http = /on http:\/\/127\.0\.0\.1:(\d+)\/mail-login/.exec(line);
      if (http) httpPort = Number(http[1]);
      if (line.startsWith('Data folder')) resolve();
    });
  });
  // serve runs as the auth user in production; here Dovecot's auth process is nobody.
  await chown(socketPath, nobody.uid, nobody.gid);

  const hash = spawnSync('doveadm', ['pw', '-s', 'SHA512-CRYPT', '-p', filePassword], { encoding: 'utf8' }).stdout.trim();
  await writeFile(join(work, 'passwd'), `${fileUser}:${hash}\n`, { mode: 0o644 });
  const mail = join(work, 'mail');
  await mkdir(mail);
  await chown(mail, nobody.uid, nobody.gid);
  const imapPort = await freeLoopbackPort();
  // No auth cache: every login is checked, as the 200 logins are meant to measure.
  dovecot = await startDovecot({
    work,
    imapPort,
    checkpassword: join(projectRoot, 'out/main/checkpassword.js'),
    socketPath,
    mail,
    passwdFile: join(work, 'passwd'),
    extra: ['auth_cache_size = 0'],
  });

  const bridge: number[] = [];
  const file: number[] = [];
  const kdf: number[] = [];
  const startUp: number[] = [];
  for (let i = 0; i < warmUps + logins; i += 1) {
    const b = await imapLogin(imapPort, benchAddress, benchPassword);
    const f = await imapLogin(imapPort, fileUser, filePassword);
    // Every fourth round: 50 samples of each part, taken between the same logins.
    const k = i % 4 === 0 ? await timeVerify() : null;
    const s = i % 4 === 0 ? timeStartUp() : null;
    if (i >= warmUps) {
      bridge.push(b);
      file.push(f);
      if (k !== null) kdf.push(k);
      if (s !== null) startUp.push(s);
    }
  }
  report(
    ratioFigure(
      'mail-server auth',
      { label: 'IMAP login via checkpassword bridge', samples: bridge },
      { label: 'IMAP login via passwd-file', samples: file },
      3,
      'connect + LOGIN + LOGOUT with imapflow against one Dovecot: an address in its passwd-file (SHA512-CRYPT) ÷ an address it hands to checkpassword → mailwarden serve → verifyMailLogin (scrypt N=2^17)',
    ),
  );
  const kdfMedian = median(kdf);
  const bridgeMedian = median(bridge);
  report({
    name: "mail-server auth: the KDF's share",
    value: `verifyMailLogin alone median ${ms(kdfMedian)} (${kdf.length} runs) = ${((kdfMedian / bridgeMedian) * 100).toFixed(0)}% of the bridge login's ${ms(bridgeMedian)}; checkpassword start-up alone median ${ms(median(startUp))} (${startUp.length} runs); passwd-file login ${ms(median(file))}`,
    goal: '',
    verdict: '',
    note: 'verifyMailLogin on the same mailbox in the bench process (one scrypt N=2^17, r=8, p=1 check and a store read), ÷ the bridge login median',
  });

  if (!existsSync('/usr/lib/dovecot/modules/auth/libauthdb_lua.so')) {
    console.log('mail-server auth through the Lua passdb: skipped, dovecot-auth-lua is not installed');
  } else {
    const luaWork = join(work, 'lua');
    await mkdir(luaWork, { mode: 0o755 });
    const settings = join(luaWork, 'passdb.conf');
    await writeFile(settings, `url = http://127.0.0.1:${httpPort}/mail-login\ntoken_file = ${tokenFile}\n`, { mode: 0o644 });
    const shipped = await readFile(join(projectRoot, 'resources/dovecot/mailwarden-passdb.lua'), 'utf8');
    const script = join(luaWork, 'mailwarden-passdb.lua');
    await writeFile(script, shipped.replace('local config_path = "/etc/dovecot/mailwarden-passdb.conf"', `local config_path = "${settings}"`), { mode: 0o644 });
    const luaPort = await freeLoopbackPort();
    luaDovecot = await startDovecot({
      work: luaWork,
      imapPort: luaPort,
      luaPassdb: script,
      mail,
      passwdFile: join(work, 'passwd'),
      extra: ['auth_cache_size = 0'],
    });
    // The first login of ten mailboxes that have not logged in: scrypt, then remembered.
    const first: number[] = [];
    for (let n = 1; n <= 10; n += 1) first.push(await imapLogin(luaPort, `user${String(n).padStart(5, '0')}@cstnet.cn`, benchPassword));
    const lua: number[] = [];
    const luaFile: number[] = [];
    for (let i = 0; i < warmUps + logins; i += 1) {
      const l = await imapLogin(luaPort, benchAddress, benchPassword);
      const f = await imapLogin(luaPort, fileUser, filePassword);
      if (i >= warmUps) {
        lua.push(l);
        luaFile.push(f);
      }
    }
    report(
      ratioFigure(
        'mail-server auth, Lua passdb',
        { label: 'IMAP login via the Lua passdb (repeated)', samples: lua },
        { label: 'IMAP login via passwd-file', samples: luaFile },
        1.5,
        'connect + LOGIN + LOGOUT against one Dovecot whose Lua passdb asks mailwarden serve over loopback HTTP (a client logging in again: served from the cache of recent successes) ÷ an address in its passwd-file',
      ),
    );
    report({
      name: 'mail-server auth, Lua passdb, first login',
      value: `${(median(first) / median(luaFile)).toFixed(2)}× (first login of 10 mailboxes median ${ms(median(first))} ÷ passwd-file ${ms(median(luaFile))})`,
      goal: '',
      verdict: '',
      note: 'the first login of a client password (one scrypt N=2^17 check in serve), ÷ the passwd-file login of the same run',
    });

    // 200 logins at once (40 mailboxes × 5 connections, under Dovecot's 10 per user and address),
    // their checks remembered beforehand as a busy morning's are: none may fail, and the next
    // login afterwards must be answered as quickly as before (no auth worker left hung).
    const crowd = Array.from({ length: 40 }, (_, n) => `user${String(n + 1).padStart(5, '0')}@cstnet.cn`);
    for (const address of crowd.slice(10)) await imapLogin(luaPort, address, benchPassword);
    const burstStarted = performance.now();
    const burst = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => imapLogin(luaPort, crowd[i % crowd.length]!, benchPassword)));
    const burstMs = performance.now() - burstStarted;
    const failures = burst.filter((outcome) => outcome.status === 'rejected');
    const after = await imapLogin(luaPort, benchAddress, benchPassword);
    report({
      name: 'mail-server auth, Lua passdb, 200 at once',
      value: `${200 - failures.length}/200 logged in (${failures.length} failed${failures[0] ? `: ${String((failures[0] as PromiseRejectedResult).reason).slice(0, 80)}` : ''}) in ${ms(burstMs)}; the next login ${ms(after)} (repeated login median ${ms(median(lua))})`,
      goal: '200/200, and the next login answered as before',
      verdict: failures.length === 0 && after < Math.max(1_000, median(lua) * 20) ? 'met' : 'missed',
      note: '200 concurrent connect + LOGIN + LOGOUT through the Lua passdb (40 mailboxes × 5 connections, checks already remembered), then one more login',
    });
  }
} finally {
  await luaDovecot?.stop();
  await kdfBackend.close();
  await rm(kdfDir, { recursive: true, force: true });
  await dovecot?.stop();
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await rm(work, { recursive: true, force: true });
}
