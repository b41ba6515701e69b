/**
 * Client-specific passwords (客户端专用密码, docs/rules.md §6): once 2FA is on, mail clients log in
 * with these instead of the main password. Each is 16 random characters, shown once, stored as a
 * salted scrypt hash plus a keyed lookup, named, optionally limited to some protocols and dated.
 */
import type { ClientPasswordView, StoredSecretVerdict } from '../shared/channels/client-passwords';
import { mailProtocols, type ApplyTarget, type MailProtocol } from '../shared/client-password-rules';
import type { RequestOf, ResponseOf } from '../shared/contract';
import { err, ok, type Err, type Result } from '../shared/result';
import { deviceName, type CallContext } from './call';
import type { ClientPasswordRecord } from './client-password-record';
import type { CoreContext } from './context';
import type { LevelledHandlersOf } from './handler-types';
import { randomId } from './ids';
import { keyedHash } from './keyed-hash';
import { hasTwoFactor, type MailboxRecord } from './mailbox';
import type { Random } from './ports';

/**
 * 24 letters without l and o, 8 digits without 0 and 1: nothing a person can misread when typing
 * it into a phone, and 32 symbols, so each is exactly 5 bits and 16 of them are 80.
 * @internal
 */
export const clientPasswordAlphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
/** @internal */
export const clientPasswordLength = 16;
/** @internal */
export const clientPasswordNameMax = 32;
/**
 * The security check-up flags a password nobody has used for this long.
 * @internal
 */
export const unusedFlagDays = 90;

const dayMs = 86_400_000;
const shape = new RegExp(`^[${clientPasswordAlphabet}]{${clientPasswordLength}}$`);
// Control characters and line breaks would break the list and the log; bidi overrides could make
// one name read as another ("Foxmail" spelled backwards), so a name can never disguise itself.
const forbiddenInName = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Uniform over the alphabet: `random.int` draws without modulo bias. */
export function generateClientPassword(random: Random): string {
  let password = '';
  for (let i = 0; i < clientPasswordLength; i += 1) password += clientPasswordAlphabet[random.int(clientPasswordAlphabet.length)];
  return password;
}

/**
 * `abcd efgh ijkm npqr`: easier to read aloud or copy by hand.
 * @internal
 */
export function groupClientPassword(password: string): string {
  return password.replace(/(.{4})(?=.)/g, '$1 ');
}

/** What is hashed and looked up: spaces and case as typed do not matter (`ABCD efgh IJKM npqr` works). */
export function normalizeClientPassword(input: string): string {
  return input.replace(/\s+/g, '').toLowerCase();
}

export function looksLikeClientPassword(normalized: string): boolean {
  return shape.test(normalized);
}

/** The keyed lookup that finds the one record to verify, without hashing against every password. */
export function clientPasswordLookup(core: CoreContext, normalized: string): string {
  return keyedHash(core.keys.mac, 'client-password', normalized);
}

/** The name as stored (trimmed, NFC), or null when it is empty, too long or holds control characters. */
function cleanClientPasswordName(raw: string): string | null {
  const name = raw.normalize('NFC').trim();
  const length = [...name].length;
  if (length < 1 || length > clientPasswordNameMax || forbiddenInName.test(name)) return null;
  return name;
}

function nameKey(name: string): string {
  return name.toLowerCase();
}

export function isExpired(record: ClientPasswordRecord, now: number): boolean {
  return record.expiresAt !== null && now >= record.expiresAt;
}

function toView(record: ClientPasswordRecord, now: number): ClientPasswordView {
  return {
    id: record._id,
    name: record.name,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    lastUsedFrom: record.lastUsedFrom,
    scopes: [...record.scopes],
    expiresAt: record.expiresAt,
    expired: isExpired(record, now),
    appliedTo: [...record.appliedTo],
    unusedFor90Days: now - (record.lastUsedAt ?? record.createdAt) >= unusedFlagDays * dayMs,
  };
}

function passwords(core: CoreContext) {
  return core.store.collection<ClientPasswordRecord>('clientPasswords');
}

function deviceOf(call: CallContext): string {
  return deviceName(call.device);
}

async function listClientPasswords(core: CoreContext, mailbox: string): Promise<ClientPasswordView[]> {
  const now = core.clock.now();
  return (await passwords(core).find({ mailbox }, { sort: { createdAt: -1 } })).map((p) => toView(p, now));
}

/** The rules a new password must pass, read from the store; null when it may be created. */
async function refuseCreate(core: CoreContext, mailbox: string, name: string): Promise<Err | null> {
  const record = await core.store.collection<MailboxRecord>('mailboxes').get(mailbox);
  // Without a second factor the main password still works in mail clients; a client password
  // would only add a second secret that opens the same mailbox.
  if (!record || !hasTwoFactor(record)) return err('two-factor-not-enabled');
  const existing = await passwords(core).find({ mailbox });
  if (existing.some((p) => nameKey(p.name) === nameKey(name))) return err('name-taken');
  if (existing.length >= core.policy().clientPasswordLimit) return err('limit-reached');
  return null;
}

/** @internal */
export async function createClientPassword(
  core: CoreContext,
  mailbox: string,
  call: CallContext,
  request: RequestOf<'client-passwords:create'>,
): Promise<Result<ResponseOf<'client-passwords:create'>>> {
  const name = cleanClientPasswordName(request.name);
  if (name === null) return err('name-invalid');
  const refused = await refuseCreate(core, mailbox, name);
  if (refused) return refused;
  const password = generateClientPassword(core.random);
  // Hashed before taking the store's lock: scrypt at full cost takes a while, and nothing else
  // should wait for it.
  const hash = await core.hasher.hash(password);
  const scopes: MailProtocol[] = request.scopes ? mailProtocols.filter((p) => request.scopes!.includes(p)) : [...mailProtocols];
  return core.store.atomically(async () => {
    // Checked again under the lock: another window may have created one meanwhile.
    const refusedNow = await refuseCreate(core, mailbox, name);
    if (refusedNow) return refusedNow;
    const now = core.clock.now();
    const record = await passwords(core).insert({
      _id: randomId(core.random),
      mailbox,
      name,
      hash,
      lookup: clientPasswordLookup(core, password),
      scopes,
      createdAt: now,
      expiresAt: request.expiresInDays === undefined ? null : now + request.expiresInDays * dayMs,
      lastUsedAt: null,
      lastUsedFrom: null,
      appliedTo: [],
    });
    await core.activity.record({
      mailbox,
      kind: 'client-password-created',
      device: deviceOf(call),
      detail: { name, scopes: scopes.join(','), ...(record.expiresAt !== null ? { expiresAt: record.expiresAt } : {}) },
    });
    return ok({ ...toView(record, now), password, grouped: groupClientPassword(password) });
  });
}

/** Another mailbox's password is reported as not found: its existence is none of this caller's business. */
async function ownPassword(core: CoreContext, mailbox: string, id: string): Promise<ClientPasswordRecord | null> {
  const record = await passwords(core).get(id);
  return record && record.mailbox === mailbox ? record : null;
}

/**
 * Removes the record, so the next login with it fails at once (no cache stands in between).
 * @internal
 */
export async function revokeClientPassword(core: CoreContext, mailbox: string, call: CallContext, id: string): Promise<Result<Record<string, never>>> {
  return core.store.atomically(async () => {
    const record = await ownPassword(core, mailbox, id);
    if (!record) return err('not-found');
    await passwords(core).remove({ _id: record._id });
    await core.activity.record({ mailbox, kind: 'client-password-revoked', device: deviceOf(call), detail: { name: record.name } });
    return ok({});
  });
}

export async function markClientPasswordApplied(core: CoreContext, mailbox: string, id: string, target: ApplyTarget): Promise<Result<ClientPasswordView>> {
  return core.store.atomically(async () => {
    const record = await ownPassword(core, mailbox, id);
    if (!record) return err('not-found');
    if (record.appliedTo.includes(target)) return ok(toView(record, core.clock.now()));
    const updated: ClientPasswordRecord = { ...record, appliedTo: [...record.appliedTo, target] };
    await passwords(core).replace(updated);
    return ok(toView(updated, core.clock.now()));
  });
}

/**
 * The client password `id` of this mailbox, when `password` (spaces allowed, as shown) is it: a
 * mistyped or foreign secret never reaches a keychain, profile or file.
 */
export async function verifyOwnClientPassword(
  core: CoreContext,
  mailbox: string,
  id: string,
  password: string,
): Promise<Result<ClientPasswordRecord & { readonly plain: string }>> {
  const record = await ownPassword(core, mailbox, id);
  if (!record) return err('not-found');
  const plain = normalizeClientPassword(password);
  if (!looksLikeClientPassword(plain) || !(await core.hasher.verify(plain, record.hash))) return err('password-mismatch');
  return ok({ ...record, plain });
}

/** What a password found in a mail client's settings is to this mailbox. */
async function classifyStoredSecret(core: CoreContext, mailbox: MailboxRecord, stored: string): Promise<StoredSecretVerdict> {
  const normalized = normalizeClientPassword(stored);
  if (looksLikeClientPassword(normalized)) {
    const record = await passwords(core).findOne({ mailbox: mailbox.address, lookup: clientPasswordLookup(core, normalized) });
    if (record && (await core.hasher.verify(normalized, record.hash))) return 'client-password';
  }
  if (await core.hasher.verify(stored, mailbox.passwordHash)) return 'main-password';
  return 'other';
}

/** Each distinct secret told once (profiles often hold the same password twice), in the order asked. */
export async function classifyStoredSecrets(core: CoreContext, mailbox: MailboxRecord, secrets: readonly string[]): Promise<StoredSecretVerdict[]> {
  const verdicts = new Map<string, Promise<StoredSecretVerdict>>();
  return Promise.all(
    secrets.map((secret) => {
      let verdict = verdicts.get(secret);
      if (!verdict) {
        verdict = classifyStoredSecret(core, mailbox, secret);
        verdicts.set(secret, verdict);
      }
      return verdict;
    }),
  );
}

export function createClientPasswordsHandlers(core: CoreContext): LevelledHandlersOf<'client-passwords'> {
  return {
    'client-passwords:list': async (_request, call) =>
      ok({
        passwords: await listClientPasswords(core, call.session.mailbox),
        limit: core.policy().clientPasswordLimit,
        defaultExpiryDays: core.policy().clientPasswordDefaultExpiryDays,
      }),
    'client-passwords:create': async (request, call) => createClientPassword(core, call.session.mailbox, call, request),
    'client-passwords:revoke': async (request, call) => revokeClientPassword(core, call.session.mailbox, call, request.id),
    'client-passwords:mark-applied': async (request, call) => markClientPasswordApplied(core, call.session.mailbox, request.id, request.target),
    'client-passwords:verify': async (request, call) => {
      const checked = await verifyOwnClientPassword(core, call.session.mailbox, request.id, request.password);
      return checked.ok ? ok({ id: checked.data._id, name: checked.data.name, scopes: [...checked.data.scopes] }) : checked;
    },
    'client-passwords:classify': async (request, call) => {
      const mailbox = await core.store.collection<MailboxRecord>('mailboxes').get(call.session.mailbox);
      if (!mailbox) return err('not-signed-in');
      return ok({ verdicts: await classifyStoredSecrets(core, mailbox, request.secrets), twoFactor: hasTwoFactor(mailbox) });
    },
  };
}
