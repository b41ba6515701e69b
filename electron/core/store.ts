/**
 * The store port: named collections of records with Mongo-style equality and range queries
 * (the subset @seald-io/nedb and any later backend both speak), and one way to make several
 * writes all-or-nothing. The core owns the records' shapes and says which fields are looked up.
 */

export interface StoredRecord {
  readonly _id: string;
}

/** Equality on fields, or `{ $lt, $lte, $gt, $gte, $in, $ne }` on one field. Dotted paths allowed. */
export type Query = Readonly<Record<string, unknown>>;

export interface FindOptions {
  readonly sort?: Readonly<Record<string, 1 | -1>>;
  readonly limit?: number;
  readonly skip?: number;
}

export interface Collection<T extends StoredRecord> {
  get(id: string): Promise<T | null>;
  findOne(query: Query): Promise<T | null>;
  find(query: Query, options?: FindOptions): Promise<T[]>;
  count(query: Query): Promise<number>;
  /** Fails if a record with the same `_id` exists. */
  insert(record: T): Promise<T>;
  /** Replaces the record with the same `_id`; false when there is none. */
  replace(record: T): Promise<boolean>;
  /** Removes every record matching the query; returns how many. */
  remove(query: Query): Promise<number>;
}

/** The collections and the fields each is searched by (the store indexes them). */
export const collectionSpecs = {
  /** One per mailbox; `_id` is the normalised address. */
  mailboxes: { indexes: [] },
  /** Verification codes sent by SMS, while they can still be used. */
  codes: { indexes: ['mailbox'] },
  /** Every SMS sent, kept for the per-phone and per-mailbox send limits. */
  smsSends: { indexes: ['phone', 'mailbox', 'at'] },
  clientPasswords: { indexes: ['mailbox', 'lookup'] },
  trustedDevices: { indexes: ['mailbox', 'tokenHash'] },
  grants: { indexes: ['owner', 'grantee', 'endsAt'] },
  /** Each grant's IMAP ACL on the mail server: what is wanted, what was applied, when to try again (mail-acl.ts). */
  mailAcls: { indexes: ['due'] },
  /** The security log; its own datastore so a long history never slows opening the app. */
  activity: { indexes: ['mailbox', 'at'] },
  /**
   * Sign-in sessions (a row each, several per connection) and challenges (a row per connection),
   * when they are kept in the store (sessions.ts: an organisation's processes share them; a
   * desktop keeps them in memory).
   */
  sessions: { indexes: ['mailbox', 'expiresAt'] },
  /** Failures at addresses with no mailbox, for the same lockout as real ones (sessions.ts). */
  signInFailures: { indexes: ['at'] },
  /** Profiles a phone may fetch once by QR, sealed under the link's token (phone-handoff.ts). */
  phoneHandoffs: { indexes: ['mailbox', 'expiresAt'] },
  /** Store bookkeeping: the schema version. */
  meta: { indexes: [] },
} as const satisfies Record<string, { indexes: readonly string[] }>;

export type CollectionName = keyof typeof collectionSpecs;

/**
 * What only several processes sharing one store need (StoredSessions): a desktop keeps it in
 * memory and never opens these collections.
 */
export const sharedStateCollections: readonly CollectionName[] = ['sessions', 'signInFailures', 'phoneHandoffs'];

export interface Store {
  collection<T extends StoredRecord>(name: CollectionName): Collection<T>;
  /**
   * Runs `work` with no other write in between. If it throws, every write it made is undone
   * before the error propagates, so a failure half-way leaves the store as it was. A block
   * started inside another joins it.
   */
  atomically<R>(work: () => Promise<R>): Promise<R>;
  close(): Promise<void>;
}
