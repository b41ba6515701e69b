/**
 * The organisation's store: the core's store port on PostgreSQL, through node-postgres (`pg`).
 *
 * `atomically` is a real SERIALIZABLE transaction: a rule that reads, decides and writes holds
 * when two server processes race, because PostgreSQL aborts one of them (SQLSTATE 40001, or
 * 40P01 for a deadlock) and the block runs again from the start on a fresh snapshot. A block
 * started inside another joins its transaction (the connection travels with the async context),
 * and so does every read and write made inside it. Outside a block each statement is its own
 * transaction. Nothing loads a whole collection: every query is SQL with its values as
 * parameters (query.ts), and the looked-up fields are indexed columns (schema.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { silentLogger, StorageError, type Logger } from '../core/ports';
import { collectionSpecs, type Collection, type CollectionName, type FindOptions, type Query, type Store, type StoredRecord } from '../core/store';
import { compileFind, compileWhere, QueryCompiler } from './query';
import { sqlMigrations, tables, type SqlMigration } from './schema';
import { FieldSealer } from './seal';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database (a password, if any, from PGPASSWORD or the URL). */
  readonly url: string;
  /** 32 bytes, the same for every server process of the organisation: seals the secret fields (seal.ts). */
  readonly serverKey: Uint8Array;
  /** Connections in this process's pool; default 10. */
  readonly poolSize?: number;
  /** How long an idle connection stays open; default 10 s. */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
  /** How many times a block aborted by a serialization failure or deadlock runs again; default 10. */
  readonly maxAttempts?: number;
  /** For tests: the migrations to apply instead of the shipped ones. */
  readonly migrations?: readonly SqlMigration[];
}

/** The key of the advisory lock that migrations run under ("mailwarden" in ASCII, folded). */
const migrationLockKey = 0x6d61696c;

/** The SQLSTATEs after which a transaction may simply run again. */
const retryable = new Set(['40001', '40P01']);

/** Thrown by `insert` when a record with that `_id` exists (the embedded store's error type, too). */
class DuplicateRecordError extends Error {
  override readonly name = 'DuplicateRecordError';
  readonly errorType = 'uniqueViolated';
}

function sqlState(cause: unknown): string | undefined {
  for (let c: unknown = cause; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The store's errors as the core knows them; a database error's text may quote a value, so only its SQLSTATE is kept. */
function storageError(operation: string, cause: unknown): Error {
  if (cause instanceof StorageError || cause instanceof DuplicateRecordError) return cause;
  const code = sqlState(cause) ?? (cause as NodeJS.ErrnoException | undefined)?.code;
  return new StorageError(`${operation} failed${code ? `: ${code}` : ''}`, { cause: code ? { code } : undefined });
}

type Runner = { query: pg.Pool['query'] };

class PostgresCollection<T extends StoredRecord> implements Collection<T> {
  private readonly compiler: QueryCompiler;
  private readonly table: string;

  constructor(
    private readonly name: CollectionName,
    private readonly runner: () => Runner,
    private readonly sealer: FieldSealer,
  ) {
    this.table = tables[name].table;
    this.compiler = new QueryCompiler(tables[name].lookups, { fields: sealer.sealed(name), blind: (field, value) => sealer.blind(name, field, value) });
  }

  private record(row: { doc: Record<string, unknown> } | undefined): T | null {
    if (!row) return null;
    try {
      return this.sealer.open<T>(this.name, row.doc);
    } catch {
      // Altered, moved between rows, or sealed under another server key: say which row, never its value.
      throw new StorageError(`read failed: a sealed field of ${this.table} ${JSON.stringify(String(row.doc._id))} does not open with this server key`);
    }
  }

  private document(record: T): string {
    return JSON.stringify(this.sealer.seal(this.name, record));
  }

  private async run(operation: string, sql: string, params: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.runner().query(sql, params);
    } catch (cause) {
      if (sqlState(cause) === '23505') throw new DuplicateRecordError(`a record with this id is already in ${this.table}`);
      throw storageError(operation, cause);
    }
  }

  async get(id: string): Promise<T | null> {
    const result = await this.run('read', `SELECT doc FROM ${this.table} WHERE id = $1`, [id]);
    return this.record(result.rows[0]);
  }

  async findOne(query: Query): Promise<T | null> {
    return (await this.find(query, { limit: 1 }))[0] ?? null;
  }

  async find(query: Query, options: FindOptions = {}): Promise<T[]> {
    const { sql, params } = compileFind(this.compiler, this.table, query, options);
    return (await this.run('read', sql, params)).rows.map((row) => this.record(row)!);
  }

  async count(query: Query): Promise<number> {
    const { sql, params } = compileWhere(this.compiler, query);
    const result = await this.run('read', `SELECT count(*)::int AS n FROM ${this.table} WHERE ${sql}`, params);
    return result.rows[0].n as number;
  }

  async insert(record: T): Promise<T> {
    if (typeof record._id !== 'string' || record._id === '') throw new StorageError('insert failed: a record needs an _id');
    const result = await this.run('write', `INSERT INTO ${this.table} (id, doc) VALUES ($1, $2::jsonb) RETURNING doc`, [record._id, this.document(record)]);
    return this.record(result.rows[0])!;
  }

  async replace(record: T): Promise<boolean> {
    const result = await this.run('write', `UPDATE ${this.table} SET doc = $2::jsonb WHERE id = $1`, [record._id, this.document(record)]);
    return (result.rowCount ?? 0) > 0;
  }

  async remove(query: Query): Promise<number> {
    const { sql, params } = compileWhere(this.compiler, query);
    const result = await this.run('write', `DELETE FROM ${this.table} WHERE ${sql}`, params);
    return result.rowCount ?? 0;
  }
}

export class PostgresStore implements Store {
  private readonly transactions = new AsyncLocalStorage<pg.PoolClient>();
  private readonly collections = new Map<CollectionName, PostgresCollection<StoredRecord>>();
  private readonly logger: Logger;
  private readonly sealer: FieldSealer;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresStoreOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.sealer = new FieldSealer(options.serverKey);
  }

  /** Connects, applies the migrations this version has and the database lacks, and answers the store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    if (options.serverKey.length !== 32) throw new StorageError('opening the database failed: the server key must be 32 bytes');
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
      application_name: 'mailwarden',
    });
    // An idle connection the server dropped must not take the process down.
    pool.on('error', (cause) => (options.logger ?? silentLogger).warn('a database connection failed while idle', { code: sqlState(cause) ?? 'unknown' }));
    const store = new PostgresStore(pool, options);
    try {
      await applyMigrations(pool, options.migrations ?? sqlMigrations, store.logger);
    } catch (cause) {
      await pool.end().catch(() => undefined);
      throw storageError('opening the database', cause);
    }
    return store;
  }

  collection<T extends StoredRecord>(name: CollectionName): Collection<T> {
    if (!(name in collectionSpecs)) throw new StorageError(`no collection ${String(name)}`);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new PostgresCollection(name, () => this.transactions.getStore() ?? this.pool, this.sealer);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  async atomically<R>(work: () => Promise<R>): Promise<R> {
    if (this.transactions.getStore()) return work();
    const maxAttempts = this.options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt += 1) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (cause) {
        throw storageError('connecting to the database', cause);
      }
      let broken = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await this.transactions.run(client, work);
        await client.query('COMMIT');
        return result;
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        const state = sqlState(cause);
        if (state !== undefined && retryable.has(state) && attempt < maxAttempts) {
          // Another transaction won the race: run again on a fresh snapshot, after a short random pause.
          await new Promise((resolve) => setTimeout(resolve, randomInt(0, 5 * attempt + 1)));
          continue;
        }
        if (state !== undefined && retryable.has(state)) this.logger.error('a transaction kept losing races and was given up', { attempts: attempt });
        // The block's own error (a rule's, or a store error already named) goes on as it was.
        throw cause instanceof pg.DatabaseError ? storageError('transaction', cause) : cause;
      } finally {
        client.release(broken);
      }
    }
  }

  /** true when the database answers a query within `timeoutMs` (the server's health check). */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const asked = this.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Applies what is missing, each migration in its own transaction, all under one advisory lock:
 * a second process starting at the same moment waits, then finds them applied.
 * @internal
 */
export async function applyMigrations(pool: pg.Pool, migrations: readonly SqlMigration[], logger: Logger): Promise<number[]> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" is numbered ${m.version}, expected ${i + 1}`);
  });
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
      const newest = Math.max(0, ...done);
      if (newest > migrations.length) {
        throw new StorageError(`this database was migrated by a newer version of Mailwarden (schema ${newest}; this version knows up to ${migrations.length})`);
      }
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (cause) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw cause;
        }
        applied.push(migration.version);
        logger.info('database migration applied', { version: migration.version, name: migration.name });
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return applied;
}
