/**
 * A whole core for tests: the real nedb store in memory, a fake clock, the real CSPRNG, an SMS
 * gateway that keeps what it was asked to send, and the default policy unless told otherwise.
 */
import {
  createCoreContext,
  SmsDeliveryError,
  type CoreContext,
  type CorePorts,
  type SmsDelivery,
  type SmsGateway,
  type SmsMessage,
} from '../../electron/core/context';
import { testScrypt } from './scrypt';
import { defaultPolicy, type Policy } from '../../electron/core/policy';
import { silentLogger, type Logger } from '../../electron/core/ports';
import { cryptoRandom } from '../../electron/platform/system';
import type { Store } from '../../electron/core/store';
import { StoredSessions } from '../../electron/core/sessions';
import { PostgresStore } from '../../electron/postgres/pg-store';
import { openEmbeddedStore } from '../../electron/store/open';
import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { FakeClock } from './clock';

export class RecordingSms implements SmsGateway {
  readonly kind = 'outbox' as const;
  readonly sent: SmsMessage[] = [];
  /** Set to make the next sends fail as a provider outage would. */
  failing = false;
  async send(message: SmsMessage): Promise<void> {
    if (this.failing) throw new SmsDeliveryError('provider down');
    this.sent.push(message);
  }
  /** Like the local outbox: what a mailbox was sent, newest first. */
  async read(mailbox: string): Promise<SmsDelivery[]> {
    return this.sent
      .filter((m) => m.mailbox === mailbox)
      .map((m) => ({ ...m, at: 0 }))
      .reverse();
  }
  /** The six-digit code in the last message to a phone. */
  lastCode(phone?: string): string {
    const message = [...this.sent].reverse().find((m) => phone === undefined || m.phone === phone);
    const code = /\b(\d{6})\b/.exec(message?.text ?? '')?.[1];
    if (!code) throw new Error(`no code was sent${phone ? ` to ${phone}` : ''}`);
    return code;
  }
}

export interface TestCore {
  readonly core: CoreContext;
  readonly clock: FakeClock;
  readonly sms: RecordingSms;
  readonly store: Store;
  /** Changes the policy in force from now on. */
  setPolicy(change: Partial<Policy>): void;
}

export async function testCore(options: { policy?: Partial<Policy>; logger?: Logger } = {}): Promise<TestCore> {
  const clock = new FakeClock();
  const sms = new RecordingSms();
  const organisation = process.env.MAILWARDEN_TEST_STORE === 'postgres';
  const store = organisation ? await freshPostgresStore() : (await openEmbeddedStore(undefined, silentLogger)).store;
  let policy: Policy = { ...defaultPolicy, ...options.policy };
  const core = createCoreContext(
    {
      store,
      clock,
      random: cryptoRandom,
      sms,
      keys: { mac: cryptoRandom.bytes(32) },
      logger: options.logger ?? silentLogger,
      policy: () => policy,
    },
    {
      scrypt: testScrypt,
      // On the organisation's store, sessions live in it too, as every server process shares them;
      // a year, so the suites' long jumps of the clock (grace periods, trusted devices) keep them.
      ...(organisation
        ? { sessions: (ports: CorePorts) => new StoredSessions(ports.store, ports.keys.mac, ports.clock, { sessionLifetimeMs: 365 * 86_400_000 }) }
        : {}),
    },
  );
  return {
    core,
    clock,
    sms,
    store,
    setPolicy: (change) => {
      policy = { ...policy, ...change };
    },
  };
}

let databases = 0;

/** Under vitest.postgres.config.ts: an empty database of its own on the run's PostgreSQL cluster. */
async function freshPostgresStore(): Promise<Store> {
  const admin = new URL(inject('pgAdminUrl'));
  const name = `core_${process.pid}_${(databases += 1)}`;
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  admin.pathname = `/${name}`;
  // Connections close when idle, so the many test cores of a run never hold the server's slots.
  return PostgresStore.open({ url: admin.href, poolSize: 4, idleTimeoutMs: 200, serverKey: new Uint8Array(randomBytes(32)) });
}
