/**
 * The organisation's database: one table per collection of the core's store port, each record a
 * `jsonb` document beside real columns for every field the core looks records up by
 * (`collectionSpecs[name].indexes`), generated from the document and indexed, so a lookup is an
 * index scan and never a scan of JSON. Numbered migrations, applied in order, each once, under
 * an advisory lock so that several server processes starting together apply them once.
 */
import type { CollectionName } from '../core/store';

/** A looked-up field's column: its name and SQL type. Text columns use the C collation (code-unit order, as JavaScript compares). */
export interface LookupColumn {
  readonly column: string;
  readonly type: 'text' | 'bigint';
}

export const tables: Record<CollectionName, { readonly table: string; readonly lookups: Readonly<Record<string, LookupColumn>> }> = {
  mailboxes: { table: 'mailboxes', lookups: {} },
  codes: { table: 'codes', lookups: { mailbox: { column: 'mailbox', type: 'text' } } },
  smsSends: {
    table: 'sms_sends',
    lookups: { phone: { column: 'phone', type: 'text' }, mailbox: { column: 'mailbox', type: 'text' }, at: { column: 'at', type: 'bigint' } },
  },
  clientPasswords: { table: 'client_passwords', lookups: { mailbox: { column: 'mailbox', type: 'text' }, lookup: { column: 'lookup', type: 'text' } } },
  trustedDevices: { table: 'trusted_devices', lookups: { mailbox: { column: 'mailbox', type: 'text' }, tokenHash: { column: 'token_hash', type: 'text' } } },
  grants: {
    table: 'grants',
    lookups: { owner: { column: 'owner', type: 'text' }, grantee: { column: 'grantee', type: 'text' }, endsAt: { column: 'ends_at', type: 'bigint' } },
  },
  mailAcls: { table: 'mail_acls', lookups: { due: { column: 'due', type: 'bigint' } } },
  activity: { table: 'activity', lookups: { mailbox: { column: 'mailbox', type: 'text' }, at: { column: 'at', type: 'bigint' } } },
  sessions: { table: 'sessions', lookups: { mailbox: { column: 'mailbox', type: 'text' }, expiresAt: { column: 'expires_at', type: 'bigint' } } },
  signInFailures: { table: 'sign_in_failures', lookups: { at: { column: 'at', type: 'bigint' } } },
  phoneHandoffs: { table: 'phone_handoffs', lookups: { mailbox: { column: 'mailbox', type: 'text' }, expiresAt: { column: 'expires_at', type: 'bigint' } } },
  meta: { table: 'meta', lookups: {} },
};

/**
 * The secret fields, sealed with the server key (seal.ts): the phone a mailbox binds and every
 * phone a code went to, the authenticator's seed and the one being set up. Top-level fields only.
 */
export const sealedFields: Partial<Record<CollectionName, readonly string[]>> = {
  mailboxes: ['phone', 'totp', 'totpPending'],
  codes: ['phone'],
  smsSends: ['phone'],
};

/** Where a sealed looked-up field's blind index sits in the document (and its column is generated from). */
export function blindField(field: string): string {
  return `#${field}`;
}

function isSealed(name: CollectionName, field: string): boolean {
  return sealedFields[name]?.includes(field) ?? false;
}

export interface SqlMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

function generated(name: CollectionName, field: string, { column, type }: LookupColumn): string {
  // A sealed field's column holds its blind index, never the value.
  const source = isSealed(name, field) ? blindField(field) : field;
  return type === 'text'
    ? `${column} text COLLATE "C" GENERATED ALWAYS AS (doc->>'${source}') STORED`
    : `${column} bigint GENERATED ALWAYS AS ((doc->>'${source}')::bigint) STORED`;
}

/** `lookups`: the columns as of the migration that creates the table (later ones add their own). */
function createTable(name: CollectionName, lookups: Readonly<Record<string, LookupColumn>> = tables[name].lookups): string {
  const { table } = tables[name];
  const columns = ['id text COLLATE "C" PRIMARY KEY', 'doc jsonb NOT NULL', ...Object.entries(lookups).map(([field, c]) => generated(name, field, c))];
  // The security log has composite indexes of its own (below).
  const indexes = name === 'activity' ? [] : Object.values(lookups).map((c) => `CREATE INDEX ${table}_${c.column} ON ${table} (${c.column});`);
  return [`CREATE TABLE ${table} (\n  ${columns.join(',\n  ')}\n);`, ...indexes].join('\n');
}

/** Never edit a migration that has shipped: add the next number. */
export const sqlMigrations: readonly SqlMigration[] = [
  {
    version: 1,
    name: 'collections',
    sql: [
      // As shipped: sms_sends.at came with version 4, grants.ends_at with version 3.
      ...(['mailboxes', 'codes', 'smsSends', 'clientPasswords', 'trustedDevices', 'activity', 'meta'] as const).map((name) =>
        name === 'smsSends' ? createTable(name, { phone: { column: 'phone', type: 'text' }, mailbox: { column: 'mailbox', type: 'text' } }) : createTable(name),
      ),
      createTable('grants', { owner: { column: 'owner', type: 'text' }, grantee: { column: 'grantee', type: 'text' } }),
      // The security log is read newest first per mailbox and pruned by age across mailboxes.
      'CREATE INDEX activity_mailbox_at ON activity (mailbox, at, id);',
      'CREATE INDEX activity_at ON activity (at);',
    ].join('\n'),
  },
  {
    // Sessions and unknown-address failures shared by every process of the organisation (sessions.ts).
    version: 2,
    name: 'sessions',
    sql: (['sessions', 'signInFailures'] as const).map((name) => createTable(name)).join('\n'),
  },
  {
    // Grants become IMAP ACLs on the mail server (core/mail-acl.ts); lapsed grants are found by end date.
    version: 3,
    name: 'mail server ACLs',
    sql: [
      `ALTER TABLE grants ADD COLUMN ${generated('grants', 'endsAt', { column: 'ends_at', type: 'bigint' })};`,
      'CREATE INDEX grants_ends_at ON grants (ends_at);',
      createTable('mailAcls'),
    ].join('\n'),
  },
  {
    // Every send drops the sends older than the longest limit window (codes.ts): found by time, not by a scan.
    version: 4,
    name: 'sms sends by time',
    sql: [
      `ALTER TABLE sms_sends ADD COLUMN ${generated('smsSends', 'at', { column: 'at', type: 'bigint' })};`,
      'CREATE INDEX sms_sends_at ON sms_sends (at);',
    ].join('\n'),
  },
  {
    // One-time phone profiles, sealed under their link's token (core/phone-handoff.ts).
    version: 5,
    name: 'phone handoffs',
    sql: createTable('phoneHandoffs'),
  },
];
