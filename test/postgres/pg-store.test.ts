// Covers electron/postgres/pg-store.ts (with query.ts and schema.ts) against a real PostgreSQL 15.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionSpecs, type CollectionName } from '../../electron/core/store';
import { applyMigrations, PostgresStore } from '../../electron/postgres/pg-store';
import { sqlMigrations, tables } from '../../electron/postgres/schema';
import { postgresSkipReason, startPostgres, type RunningPostgres } from '../factories/postgres';
import { recordingLogger } from '../factories/store';
import { storeContract } from '../store/store-contract';

const skip = postgresSkipReason();
const serverKey = new Uint8Array(randomBytes(32));
let server: RunningPostgres | undefined;

if (skip) {
  describe('PostgresStore', () => {
    // CI installs PostgreSQL (.ci/run): there a missing server is a failure, not a skip.
    if (process.env.CI) it('has PostgreSQL to run against', () => expect.fail(skip));
    else it.skip(`not run: ${skip}`, () => undefined);
  });
} else {
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  storeContract('PostgreSQL', async () => PostgresStore.open({ url: await server!.freshDatabase(), poolSize: 8, serverKey }));

  describe('PostgresStore', () => {
    it('has an indexed column for every field the core looks records up by', () => {
      for (const name of Object.keys(collectionSpecs) as CollectionName[]) {
        expect(Object.keys(tables[name].lookups).sort(), name).toEqual([...collectionSpecs[name].indexes].sort());
      }
    });

    it('answers a lookup by an index, not by reading the documents', async () => {
      const url = await server!.freshDatabase();
      const store = await PostgresStore.open({ url, serverKey });
      const passwords = store.collection<{ _id: string; mailbox: string; lookup: string }>('clientPasswords');
      for (let i = 0; i < 2_000; i += 1) await passwords.insert({ _id: `p${i}`, mailbox: `m${i % 100}@cstnet.cn`, lookup: `l${i}` });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('ANALYZE client_passwords');
      const plan = (await client.query("EXPLAIN SELECT doc FROM client_passwords WHERE mailbox = 'm1@cstnet.cn' AND lookup = 'l101'")).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      await client.end();
      expect(plan).toMatch(/Index Scan|Bitmap Index Scan/);
      expect(plan).not.toMatch(/Seq Scan/);
      await store.close();
    });

    it('applies each migration once when several processes start together', async () => {
      const url = await server!.freshDatabase();
      const logger = recordingLogger();
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 2 }));
      const applied = await Promise.all(pools.map((pool) => applyMigrations(pool, sqlMigrations, logger)));
      expect(applied.flat().sort()).toEqual(sqlMigrations.map((m) => m.version));
      const rows = (await pools[0]!.query('SELECT version FROM schema_migrations ORDER BY version')).rows;
      expect(rows.map((r) => r.version)).toEqual(sqlMigrations.map((m) => m.version));
      await Promise.all(pools.map((pool) => pool.end()));
    });

    it('refuses a database a newer version migrated, and leaves it as it was', async () => {
      const url = await server!.freshDatabase();
      (await PostgresStore.open({ url, serverKey })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
      await expect(PostgresStore.open({ url, serverKey })).rejects.toThrow(/newer version of Mailwarden/);
      expect((await client.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(sqlMigrations.length + 1);
      await client.end();
    });

    it('rolls a failed migration back whole', async () => {
      const url = await server!.freshDatabase();
      const broken = [...sqlMigrations, { version: sqlMigrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x int); SELECT no_such_function();' }];
      await expect(PostgresStore.open({ url, serverKey, migrations: broken })).rejects.toThrow();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      expect((await client.query("SELECT to_regclass('half') AS t")).rows[0].t).toBeNull();
      expect((await client.query('SELECT max(version) AS v FROM schema_migrations')).rows[0].v).toBe(sqlMigrations.length);
      await client.end();
    });

    describe('secret fields sealed with the server key', () => {
      const phone = '+8613912345678';
      const seed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      async function withSecrets() {
        const url = await server!.freshDatabase();
        const store = await PostgresStore.open({ url, serverKey });
        const mailboxes = store.collection<{ _id: string; phone: unknown; totp: unknown; totpPending: unknown }>('mailboxes');
        await mailboxes.insert({ _id: 'alice@cstnet.cn', phone: { e164: phone, boundAt: 1 }, totp: { secret: seed, addedAt: 2 }, totpPending: null });
        await mailboxes.insert({ _id: 'bob@cstnet.cn', phone: null, totp: null, totpPending: null });
        const sends = store.collection<{ _id: string; mailbox: string; phone: string; at: number }>('smsSends');
        await sends.insert({ _id: 's1', mailbox: 'alice@cstnet.cn', phone, at: 10 });
        await sends.insert({ _id: 's2', mailbox: 'carol@cstnet.cn', phone: '+8613800000000', at: 11 });
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        return { url, store, mailboxes, sends, client };
      }

      it('keeps no phone number or authenticator seed readable in the database', async () => {
        const { store, mailboxes, client } = await withSecrets();
        const dump = JSON.stringify((await client.query('SELECT * FROM mailboxes UNION ALL SELECT id, doc FROM sms_sends')).rows);
        expect(dump).not.toContain('13912345678');
        expect(dump).not.toContain(seed);
        expect(dump).toContain('alice@cstnet.cn');
        // The core reads them back as it wrote them.
        expect(await mailboxes.get('alice@cstnet.cn')).toEqual({
          _id: 'alice@cstnet.cn',
          phone: { e164: phone, boundAt: 1 },
          totp: { secret: seed, addedAt: 2 },
          totpPending: null,
        });
        expect((await mailboxes.get('bob@cstnet.cn'))!.phone).toBeNull();
        await client.end();
        await store.close();
      });

      it('finds SMS sends by phone through a blind index, and refuses to compare or sort a sealed field', async () => {
        const { store, sends, client } = await withSecrets();
        expect((await sends.find({ phone })).map((r) => r._id)).toEqual(['s1']);
        expect(await sends.count({ phone: { $in: [phone, '+8613800000000'] } })).toBe(2);
        expect(await sends.count({ phone: { $ne: phone } })).toBe(1);
        expect(await sends.remove({ phone: '+8610000000000' })).toBe(0);
        await expect(sends.find({ phone: { $gt: '+86' } })).rejects.toThrow(/sealed/);
        await expect(sends.find({}, { sort: { phone: 1 } })).rejects.toThrow(/sealed/);
        await expect(store.collection('mailboxes').find({ 'totp.secret': seed })).rejects.toThrow(/sealed/);
        const plan = (await client.query('EXPLAIN SELECT doc FROM sms_sends WHERE phone = $1', ['x'])).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index|Bitmap/);
        await client.end();
        await store.close();
      });

      it('refuses a sealed value moved to another row, or read with another server key', async () => {
        const { url, store, mailboxes, client } = await withSecrets();
        await client.query(
          `UPDATE mailboxes SET doc = jsonb_set(doc, '{phone}', (SELECT doc->'phone' FROM mailboxes WHERE id = 'alice@cstnet.cn')) WHERE id = 'bob@cstnet.cn'`,
        );
        const moved = await mailboxes.get('bob@cstnet.cn').catch((e: unknown) => e);
        expect(moved).toMatchObject({ name: 'StorageError' });
        expect(String((moved as Error).message)).not.toContain('139');
        const other = await PostgresStore.open({ url, serverKey: new Uint8Array(randomBytes(32)) });
        await expect(other.collection('mailboxes').get('alice@cstnet.cn')).rejects.toMatchObject({ name: 'StorageError' });
        await other.close();
        await expect(PostgresStore.open({ url, serverKey: new Uint8Array(16) })).rejects.toThrow(/32 bytes/);
        await client.end();
        await store.close();
      });
    });

    it('says "storage failed" with no value from the query when the database is gone', async () => {
      const store = await PostgresStore.open({ url: await server!.freshDatabase(), serverKey });
      await store.close();
      const error = await store
        .collection('mailboxes')
        .get('secret-address@cstnet.cn')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StorageError' });
      expect(String((error as Error).message)).not.toContain('secret-address');
    });
  });
}
