/**
 * Data folders for the benchmarks, written through the store API (openEmbeddedStore and its
 * collections, so the lines are sealed exactly as the app seals them) rather than through the
 * channels: registering 10,000 mailboxes through `auth:register` would run scrypt 10,000 times.
 * One real scrypt hash is made per folder and shared by every seeded mailbox, so the bench
 * mailbox can still sign in with `benchPassword`.
 *
 * A folder is kept under node_modules/.cache/mailwarden-bench and reused while `seedVersion`
 * and the counts are unchanged, so a second `npm run bench` does not seed again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActivityRecord } from '../electron/core/activity';
import { activityKinds } from '../electron/core/activity';
import type { ClientPasswordRecord } from '../electron/core/client-password-record';
import type { CodeRecord, SmsSendRecord } from '../electron/core/codes';
import type { GrantRecord } from '../electron/core/grants';
import { keyedHash } from '../electron/core/keyed-hash';
import { newMailboxRecord } from '../electron/core/directory';
import type { MailboxRecord } from '../electron/core/mailbox';
import { owaspScrypt, PasswordHasher } from '../electron/core/password-hash';
import { silentLogger } from '../electron/core/ports';
import type { CollectionName, StoredRecord } from '../electron/core/store';
import type { TrustedDeviceRecord } from '../electron/core/trusted-devices';
import { cryptoRandom } from '../electron/platform/system';
import { openEmbeddedStore } from '../electron/store/open';

export const benchRoot = join(import.meta.dirname, '..', 'node_modules', '.cache', 'mailwarden-bench');
/** Raise when what a seed writes changes, so cached folders are made again. */
const seedVersion = 2;

/** The mailbox every bench signs in as (no factor bound: the bench binds one through the channels). */
export const benchAddress = 'bench.user@cstnet.cn';
export const benchPassword = 'Bench-password-2024';

const dayMs = 86_400_000;

export interface SeedPlan {
  /** Mailboxes besides the bench mailbox. */
  readonly mailboxes: number;
  readonly activity: number;
  /** Records in each of codes, smsSends, clientPasswords, trustedDevices, grants. */
  readonly others: number;
  /** The bench mailbox's own client passwords, trusted devices, grants given and events, besides. */
  readonly own: number;
}

/** 50 mailboxes and 100,000 security events: the store-open and memory benches. */
export const historyPlan: SeedPlan = { mailboxes: 49, activity: 100_000, others: 0, own: 0 };
/** The same 50 mailboxes with 100 events: what the long history is measured beside. */
export const shortHistoryPlan: SeedPlan = { mailboxes: 49, activity: 100, others: 0, own: 0 };
/** 10,000 records in every collection: the handler-latency bench. */
export const latencyPlan: SeedPlan = { mailboxes: 9_999, activity: 10_000, others: 10_000, own: 100 };

const id = () => randomBytes(16).toString('base64url');

/** Yields `count` records in the order they are written, spread over `owners`. */
function* spread<T>(count: number, owners: readonly string[], make: (owner: string, index: number) => T): Generator<T> {
  for (let index = 0; index < count; index += 1) yield make(owners[index % owners.length]!, index);
}

/**
 * A data folder seeded to `plan`, made on first use and reused after. The store's data key is
 * in the folder's key file (no keychain), as on a machine without a Secret Service.
 */
export async function seededFolder(name: string, plan: SeedPlan, log: (line: string) => void = () => undefined): Promise<string> {
  const dataDir = join(benchRoot, name);
  const stamp = join(benchRoot, `${name}.seeded.json`);
  const wanted = JSON.stringify({ seedVersion, plan });
  if (existsSync(stamp) && (await readFile(stamp, 'utf8')) === wanted && existsSync(dataDir)) return dataDir;
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const started = performance.now();
  await seed(dataDir, plan);
  await writeFile(stamp, wanted);
  log(
    `seeded ${name} (${plan.mailboxes + 1} mailboxes, ${plan.activity} events, ${plan.others} of each other record) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return dataDir;
}

async function seed(dataDir: string, plan: SeedPlan): Promise<void> {
  const opened = await openEmbeddedStore(dataDir, silentLogger);
  const { store, keys } = opened;
  try {
    const now = Date.now();
    const passwordHash = await new PasswordHasher(cryptoRandom, owaspScrypt).hash(benchPassword);
    const others = Array.from({ length: plan.mailboxes }, (_, i) => `user${String(i).padStart(5, '0')}@cstnet.cn`);
    const everyone = [benchAddress, ...others];
    const write = async <T extends StoredRecord>(name: CollectionName, records: Iterable<T>) => {
      const collection = store.collection<T>(name);
      // One `atomically` per batch: the records land as the app writes them, one line each.
      let batch: T[] = [];
      const flush = () =>
        store.atomically(async () => {
          for (const record of batch) await collection.insert(record);
        });
      for (const record of records) {
        batch.push(record);
        if (batch.length === 1000) {
          await flush();
          batch = [];
        }
      }
      if (batch.length > 0) await flush();
    };
    // The bench mailbox's own records and the other mailboxes' differ only in these arguments.
    const clientPassword = (mailbox: string, _id: string, name: string, secret: string, createdAt: number): ClientPasswordRecord => ({
      _id,
      mailbox,
      name,
      hash: passwordHash,
      lookup: keyedHash(keys.mac, 'client-password', secret),
      scopes: ['imap', 'smtp'],
      createdAt,
      expiresAt: null,
      lastUsedAt: null,
      lastUsedFrom: null,
      appliedTo: [],
    });
    const trustedDevice = (mailbox: string, _id: string, label: string, token: string): TrustedDeviceRecord => ({
      _id,
      mailbox,
      tokenHash: keyedHash(keys.mac, 'trust-token', token),
      label,
      client: 'Chrome 131',
      createdAt: now - dayMs,
      lastUsedAt: now - dayMs,
      expiresAt: now + 20 * dayMs,
    });
    const grant = (owner: string, _id: string, grantee: string): GrantRecord => ({
      _id,
      owner,
      grantee,
      level: 'read-only',
      createdAt: now - dayMs,
      changedAt: now - dayMs,
      endsAt: null,
    });

    await write<MailboxRecord>(
      'mailboxes',
      everyone.map((address, i) => newMailboxRecord(address, address.slice(0, address.indexOf('@')), passwordHash, now - ((i % 300) * dayMs) / 2)),
    );
    // Within the 180-day retention and under 10,000 per mailbox, so nothing is pruned on reading.
    await write<ActivityRecord>(
      'activity',
      spread(plan.activity, everyone, (mailbox, i) => ({
        _id: `${i.toString(36).padStart(8, '0')}${id().slice(0, 16)}`,
        mailbox,
        kind: activityKinds[i % activityKinds.length]!,
        outcome: i % 7 === 0 ? 'failure' : 'success',
        at: now - 170 * dayMs + Math.floor((i / plan.activity) * 169 * dayMs),
        device: i % 3 === 0 ? `IMAP from 203.0.113.${i % 250}` : 'Windows · LAB-PC-07 / Chrome 131',
        detail: (i % 2 === 0 ? { name: 'Foxmail 办公室' } : { phone: '139****5678' }) as Record<string, string>,
      })),
    );
    if (plan.own > 0) {
      await write<ActivityRecord>(
        'activity',
        spread(
          plan.own,
          [benchAddress],
          (mailbox, i) =>
            ({
              _id: `own${i.toString(36).padStart(8, '0')}${id().slice(0, 12)}`,
              mailbox,
              kind: 'sign-in',
              outcome: 'success',
              at: now - dayMs + i * 1000,
              device: 'Windows · LAB-PC-07 / Chrome 131',
              detail: {},
            }) as ActivityRecord,
        ),
      );
      await write<ClientPasswordRecord>(
        'clientPasswords',
        spread(plan.own, [benchAddress], (mailbox, i) => clientPassword(mailbox, `own-cp-${i}`, `Own client ${i}`, `own-${i}`, now - dayMs + i)),
      );
      await write<TrustedDeviceRecord>(
        'trustedDevices',
        spread(plan.own, [benchAddress], (mailbox, i) => trustedDevice(mailbox, `own-dev-${i}`, `Own PC ${i}`, `own-${i}`)),
      );
      await write<GrantRecord>(
        'grants',
        spread(plan.own, [benchAddress], (owner, i) => grant(owner, `own-grant-${i}`, others[i % others.length]!)),
      );
    }
    if (plan.others === 0) return;
    // The rest go to the other mailboxes: the bench mailbox's own lists are made by the bench.
    await write<CodeRecord>(
      'codes',
      spread(
        plan.others,
        others,
        (mailbox, i) =>
          ({
            _id: id(),
            mailbox,
            purpose: 'bind-phone',
            phone: `+86139${String(i).padStart(8, '0')}`,
            hash: keyedHash(keys.mac, 'sms-code:bind-phone', String(100000 + i)),
            sentAt: now - dayMs,
            windowStartedAt: now - dayMs,
            expiresAt: now - dayMs + 300_000,
            wrongEntries: 0,
            usedAt: null,
          }) as CodeRecord,
      ),
    );
    await write<SmsSendRecord>(
      'smsSends',
      spread(
        plan.others,
        others,
        (mailbox, i) =>
          ({ _id: id(), mailbox, phone: `+86139${String(i).padStart(8, '0')}`, purpose: 'bind-phone', at: now - (i % 30) * dayMs }) as SmsSendRecord,
      ),
    );
    await write<ClientPasswordRecord>(
      'clientPasswords',
      spread(plan.others, others, (mailbox, i) => clientPassword(mailbox, id(), `Client ${i}`, `seeded-${i}`, now - dayMs)),
    );
    await write<TrustedDeviceRecord>(
      'trustedDevices',
      spread(plan.others, others, (mailbox, i) => trustedDevice(mailbox, id(), `PC-${i}`, `seeded-${i}`)),
    );
    await write<GrantRecord>(
      'grants',
      spread(plan.others, others, (owner, i) => grant(owner, id(), others[(i + 1) % others.length]!)),
    );
  } finally {
    await store.close();
  }
}
