/**
 * Handler latency at 10,000 records per collection: p50 and p95 of every channel but the
 * deliberately slow ones (scrypt), as the page calls them: HTTP to the built browser-mode host
 * (out/main/host.js, the real bridge: guard, JSON, dispatcher with schema validation, core,
 * sealed nedb store), timed around each request. The bench mailbox signs in once (scrypt,
 * untimed) and owns 100 client passwords, devices, grants and events; the other 10,000
 * records of each collection belong to 9,999 other mailboxes.
 *
 * Channels whose later calls are refused by a rule (SMS send limits, the 60 s resend wait) are
 * still timed: each line says which answers the samples got.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TOTP } from 'otpauth';
import { channelNames } from '../electron/shared/contract';
import { percentile, ms, report, type Figure } from './lib';
import { Connection, scratchCopy, startHost } from './host';
import { benchAddress, benchPassword, latencyPlan, seededFolder } from './seed';

const samplesPerChannel = 100;
const warmUps = 3;
const goalMs = 5;

/** Not timed, and why: each runs scrypt (N=2^17) on purpose, or waits on the network. */
const excluded: Record<string, string> = {
  'auth:register': 'scrypt hash of the new password',
  'auth:sign-in': 'scrypt check of the password',
  'account:change-password': 'scrypt check and hash',
  'client-passwords:create': 'scrypt hash of the new client password',
  'two-factor:recheck-password': 'scrypt check of the password',
  'two-factor:generate-backup-codes': 'scrypt hash of ten codes',
  'mail-clients:keychain-remember': 'scrypt check of the client password',
  'mail-clients:foxmail-apply': 'scrypt check of the client password',
  'mail-clients:thunderbird-apply': 'scrypt check of the client password',
  'mail-clients:test-connection': 'scrypt check, then IMAP and SMTP logins over the network',
  'phone-handoff:create': 'scrypt check of the client password (organisation server only)',
  'mail-clients:mac-profile-open': 'hands a file to the OS to open (System Settings on macOS); nothing to open it with here',
  'client-passwords:verify': 'scrypt check of the client password (asked by a server-backed desktop)',
  'client-passwords:classify': 'scrypt checks of each stored password (asked by a server-backed desktop)',
  'webmail:choose': 'closes this backend and opens the other (the web-mail mode)',
  'webmail:check-two-factor': 'IMAP login over the network (web-mail mode only)',
  'webmail:check-client-password': 'IMAP and SMTP logins over the network (web-mail mode only)',
};

const seeded = await seededFolder('latency', latencyPlan, console.log);
const dataDir = await scratchCopy(seeded);
const downloads = join(dataDir, 'downloads');
const foxmailRoot = join(dataDir, 'foxmail');
await mkdir(downloads);
await mkdir(foxmailRoot);
const host = await startHost({ dataDir, args: ['--downloads-dir', downloads, '--foxmail-root', foxmailRoot] });

const timings = new Map<string, { samples: number[]; answers: Map<string, number> }>();
function note(channel: string, sample: { answer: { ok: boolean; code?: string }; ms: number }, measured: boolean): void {
  if (!measured) return;
  let entry = timings.get(channel);
  if (!entry) timings.set(channel, (entry = { samples: [], answers: new Map() }));
  entry.samples.push(sample.ms);
  const key = sample.answer.ok ? 'ok' : (sample.answer.code ?? 'error');
  entry.answers.set(key, (entry.answers.get(key) ?? 0) + 1);
}

/** Calls `request(i)` warmUps + samplesPerChannel times, timing all but the warm-ups. */
async function time(user: Connection, channel: string, request: (i: number) => unknown = () => ({}), count = samplesPerChannel): Promise<void> {
  for (let i = 0; i < warmUps + count; i += 1) note(channel, await user.call(channel, request(i)), i >= warmUps);
}

try {
  // Signing out needs sessions to end: a few made first, on their own connections (scrypt, untimed).
  const leaving = [];
  for (let i = 0; i < 6; i += 1) {
    const other = new Connection(host);
    await other.must('auth:sign-in', { address: benchAddress, password: benchPassword });
    leaving.push(other);
  }
  for (const [i, other] of leaving.entries()) note('auth:sign-out', await other.call('auth:sign-out'), i >= 1);
  // And "sign out of all" in the switcher, each with a session to end.
  for (const [i, other] of leaving.entries()) {
    await other.must('auth:sign-in', { address: benchAddress, password: benchPassword });
    note('auth:sign-out-all', await other.call('auth:sign-out-all'), i >= 1);
  }

  const user = new Connection(host);
  await user.must('auth:sign-in', { address: benchAddress, password: benchPassword });

  await time(user, 'app:info');
  await time(user, 'app:policy');
  await time(user, 'app:secret-on-screen', (i) => ({ shown: i % 2 === 0 }));
  await time(user, 'settings:get');
  await time(user, 'settings:update', (i) => ({ theme: i % 2 === 0 ? 'dark' : 'light' }));
  await time(user, 'auth:status');
  await time(user, 'auth:directory');
  // Nobody is waiting for a code on this connection: the refusal path of each.
  await time(user, 'auth:verify-code', () => ({ code: '123456' }));
  await time(user, 'auth:resend-code');
  // The account switcher (docs/rules.md §7.4): listed, chosen (the one mailbox here), a sign-in dropped.
  await time(user, 'auth:mailboxes');
  await time(user, 'auth:switch', () => ({ mailbox: benchAddress }));
  await time(user, 'auth:cancel-sign-in');

  await time(user, 'account:password-change-preview');
  await time(user, 'activity:list');
  await time(user, 'activity:list', () => ({ kind: 'sign-in', limit: 20 }));
  await time(user, 'client-passwords:list');
  await time(user, 'client-passwords:mark-applied', (i) => ({ id: `own-cp-${i % 100}`, target: 'manual' }));
  await time(user, 'devices:list');
  await time(user, 'devices:sessions');
  await time(user, 'grants:list-given');
  await time(user, 'grants:list-shared-with-me');
  await time(user, 'grants:change', (i) => ({ id: `own-grant-${i % 100}`, level: i % 2 === 0 ? 'send-on-behalf' : 'read-only' }));
  await time(user, 'grants:add', (i) => ({ grantee: `user${String(5000 + i).padStart(5, '0')}@cstnet.cn`, level: 'read-only' }));
  // Asked at every window's start: which mode this desktop is in.
  await time(user, 'webmail:status');
  // Outside the web-mail mode: refused at once.
  await time(user, 'webmail:set-address', () => ({ address: 'zhang.wei@cstnet.cn' }));
  await time(user, 'mail-clients:settings');
  await time(user, 'mail-clients:keychain-list');
  await time(user, 'mail-clients:keychain-forget', () => ({ name: 'Nothing kept' }));
  await time(user, 'mail-clients:foxmail-scan');
  await time(user, 'mail-clients:thunderbird-scan');
  await time(user, 'phone-handoff:cancel');
  await time(user, 'mail-clients:what-will-break');
  // Saved and then deleted in turn, as a person does (the page offers the delete once the phone
  // has it): a hundred profiles left in one folder would time the search for a free file name
  // ("name (57).mobileconfig"), which stops at 100, not the save.
  for (let i = 0; i < warmUps + samplesPerChannel; i += 1) {
    const sample = await user.call('mail-clients:iphone-profile-save', { includePassword: false });
    note('mail-clients:iphone-profile-save', sample, i >= warmUps);
    if (!sample.answer.ok) continue;
    const removed = await user.call('mail-clients:iphone-profile-delete', { fileId: (sample.answer.data as { fileId: string }).fileId });
    note('mail-clients:iphone-profile-delete', removed, i >= warmUps);
  }

  const deviceIds = (await user.must<{ devices: { id: string }[] }>('devices:list')).devices.map((d) => d.id);
  console.log(`devices listed before removal: ${deviceIds.length}`);
  await time(user, 'devices:remove', (i) => ({ id: deviceIds[i] ?? 'gone' }), Math.min(samplesPerChannel, deviceIds.length - warmUps));
  // A binding's success path needs a mailbox without a phone each time: 41 others sign in
  // (scrypt, untimed; every seeded mailbox shares the bench password) and bind one each.
  for (let i = 0; i < 41; i += 1) {
    const other = new Connection(host);
    await other.must('auth:sign-in', { address: `user${String(i).padStart(5, '0')}@cstnet.cn`, password: benchPassword });
    note('two-factor:start-phone-binding', await other.call('two-factor:start-phone-binding', { phone: `1381234${String(5000 + i)}` }), i >= 1);
    const sent = /\b(\d{6})\b/.exec((await other.must<{ messages: { text: string }[] }>('two-factor:outbox')).messages[0]?.text ?? '')?.[1];
    note('two-factor:confirm-phone-binding', await other.call('two-factor:confirm-phone-binding', { code: sent }), i >= 1);
  }
  // Two-factor: the phone binding (the outbox holds the code), then TOTP set up and removed.
  await time(user, 'two-factor:status');
  await user.must('two-factor:start-phone-binding', { phone: '13912345678' });
  await time(user, 'two-factor:outbox');
  const code = /\b(\d{6})\b/.exec((await user.must<{ messages: { text: string }[] }>('two-factor:outbox')).messages[0]?.text ?? '')?.[1];
  await user.must('two-factor:confirm-phone-binding', { code });
  // Later sends are held by the 60 s wait and the daily limits: timed as refused.
  await time(user, 'two-factor:start-phone-binding', () => ({ phone: '13912345679' }), 10);
  await time(user, 'two-factor:confirm-phone-binding', () => ({ code: '000000' }), 10);
  await user.must('two-factor:recheck-password', { password: benchPassword });
  await time(user, 'two-factor:start-phone-change', (i) => ({ phone: `1391234${String(5680 + i).padStart(4, '0')}` }), 10);
  await time(user, 'two-factor:confirm-phone-change', () => ({ code: '000000' }), 10);
  // The phone is the one method bound here, so it is the one that can be the default.
  await time(user, 'two-factor:set-preferred-method', () => ({ method: 'sms' }));
  for (let i = 0; i < warmUps + samplesPerChannel; i += 1) {
    const started = await user.call('two-factor:start-totp');
    note('two-factor:start-totp', started, i >= warmUps);
    const secret = started.answer.ok ? (started.answer.data as { secret: string }).secret : '';
    const totp = new TOTP({ secret, digits: 6, period: 30 });
    note('two-factor:confirm-totp', await user.call('two-factor:confirm-totp', { code: totp.generate() }), i >= warmUps);
    note('two-factor:remove-totp', await user.call('two-factor:remove-totp'), i >= warmUps);
  }
  note('two-factor:unbind-phone', await user.call('two-factor:unbind-phone'), true);

  // Destructive ones last, on the bench mailbox's own records.
  await time(user, 'client-passwords:revoke', (i) => ({ id: `own-cp-${i}` }));
  await time(user, 'devices:remove-all', () => ({}), 10);
  // The sessions signed in above on other connections went with auth:sign-out: the look-up path.
  await time(user, 'devices:sign-out-session', () => ({ id: 'gone' }));
  await time(user, 'devices:sign-out-others', () => ({}), 10);
  await time(user, 'grants:revoke', (i) => ({ id: `own-grant-${i}` }));
  // The bench mailbox is nobody's grantee: both answer after looking the grant up.
  await time(user, 'grants:acknowledge', (i) => ({ ids: [`own-grant-${i}`] }));
  await time(user, 'grants:decline', () => ({ id: 'none' }));
} finally {
  await host.stop();
  await rm(dataDir, { recursive: true, force: true });
}

console.log(`\nchannel                                   n    p50       p95       answers`);
let worst = { channel: '', p95: 0 };
for (const [channel, { samples, answers }] of [...timings].sort(([a], [b]) => a.localeCompare(b))) {
  const p95 = percentile(samples, 95);
  if (p95 > worst.p95) worst = { channel, p95 };
  const told = [...answers].map(([k, n]) => `${k}×${n}`).join(', ');
  console.log(`${channel.padEnd(40)} ${String(samples.length).padStart(3)}  ${ms(percentile(samples, 50)).padEnd(9)} ${ms(p95).padEnd(9)} ${told}`);
  console.log(`BENCH-CHANNEL ${JSON.stringify({ channel, n: samples.length, p50: percentile(samples, 50), p95, answers: told })}`);
}
for (const [channel, why] of Object.entries(excluded)) console.log(`${channel.padEnd(40)} not timed: ${why}`);
const all = [...timings.values()].flatMap((t) => t.samples);
const figure: Figure = {
  name: 'handler latency at 10k records',
  value: `worst p95 ${ms(worst.p95)} (${worst.channel}); all ${timings.size} timed channels pooled: p50 ${ms(percentile(all, 50))}, p95 ${ms(percentile(all, 95))}`,
  goal: `p95 ≤ ${goalMs} ms`,
  verdict: worst.p95 <= goalMs ? 'met' : 'missed',
  note: 'HTTP round trip to the built browser-mode host per channel (token, cookie, schema check, core, sealed nedb), 10k records in every collection; scrypt channels excluded',
};
report(figure);
const missing = channelNames.filter((c) => !timings.has(c) && !excluded[c]);
if (missing.length > 0) throw new Error(`channels neither timed nor excluded: ${missing.join(', ')}`);
