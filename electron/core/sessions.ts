/**
 * Who is signed in on which connection (an Electron window, a browser, a bearer token), which
 * connection is half-way through a sign-in, and the failures at addresses that have no mailbox.
 *
 * A connection may hold several mailboxes' sessions at once, one of them active (docs/rules.md
 * §7.4, the account switcher): every channel acts for the active one. A session that ends
 * elsewhere (its password changed, it was signed out from another session) leaves the others; if
 * it was the active one, the connection has no active session until it chooses one, so no answer
 * meant for one mailbox is ever given for another.
 *
 * Two keepers behind one port. A desktop keeps them in memory (MemorySessions): quitting the app
 * signs out, and a half-signed-in state never reaches the disk. Several processes serving one
 * organisation keep them in the store (StoredSessions): a request may reach any process, and a
 * lockout must hold in all of them. There a connection is known only by a keyed hash of its id,
 * so whoever reads the database learns no token that would let them in.
 */
import type { ErrorCode } from '../shared/result';
import type { SecondFactor } from '../shared/channels/auth';
import type { CallContext, DeviceIdentity } from './call';
import { keyedHash } from './keyed-hash';
import type { Clock } from './ports';
import type { Store, StoredRecord } from './store';

export interface Session {
  /**
   * Names this session in the list of signed-in sessions (devices:sessions) without giving away
   * the connection it lives on: a random id, unrelated to any token.
   */
  readonly id: string;
  readonly mailbox: string;
  /** Where it was signed in: the computer, the app or browser, and the address a server saw. */
  readonly device: DeviceIdentity;
  readonly signedInAt: number;
  /** When the main password was last entered on this connection: re-checks older than 10 min ask again. */
  readonly passwordCheckedAt: number;
  /**
   * Signed in with the password while policy enforces 2FA and none is bound: only the binding
   * channels (session level `enrolment`) work until a method is (requireSession in session-guard.ts).
   */
  readonly enrollmentRequired?: boolean;
  /** Signed in during the 2FA grace period: when it ends, the session is restricted as above. */
  readonly twoFactorGraceEndsAt?: number;
}

export interface SessionListing {
  readonly session: Session;
  /** The session of the connection that asked. */
  readonly current: boolean;
}

/** What a sign-in gives the keeper; it adds the id and the caller's device. */
export type NewSession = Omit<Session, 'id' | 'device'>;

/** A session as started on `call`'s connection. */
function opened(call: CallContext, session: NewSession): Session {
  // crypto.randomUUID: in every runtime the core runs in, and no token can be derived from it.
  return { ...session, id: globalThis.crypto.randomUUID(), device: call.device };
}

/** A sign-in between the right password and the second factor. */
export interface PendingSignIn {
  /** Tells this challenge from a later one on the same connection. */
  readonly id: string;
  readonly mailbox: string;
  readonly methods: readonly SecondFactor[];
  /** When the password was checked: the session's re-check clock starts there, not at the code. */
  readonly passwordCheckedAt: number;
  /** A password changed meanwhile (elsewhere) voids the challenge: it was earned with the old one. */
  readonly passwordChangedAt: number;
  readonly trustDevice: boolean;
  readonly expiresAt: number;
  readonly maskedPhone?: string;
  readonly smsError?: ErrorCode;
  /** When the SMS code to enter was sent, when it came from an earlier attempt (sign-in.ts). */
  readonly codeSentAt?: number;
}

/** Failures at an address with no mailbox, kept so it locks like a real one and does not give itself away. */
export interface FailureMemory {
  readonly failedSignIns: readonly number[];
  readonly lockedUntil: number | null;
}

export const passwordRecheckMs = 10 * 60 * 1000;

/** The sessions signed in on one connection, in the order they were signed in, and the active one. */
export interface SignedInHere {
  readonly sessions: readonly Session[];
  /** The active session's mailbox; null when none is (the active one ended elsewhere). */
  readonly active: string | null;
}

export interface SessionKeeper {
  /** The connection's active session: the one every channel acts for. */
  current(call: CallContext): Promise<Session | null>;
  here(call: CallContext): Promise<SignedInHere>;
  /** Starts a session on this connection, in place of this mailbox's own if it had one, and makes it the active one. */
  start(call: CallContext, session: NewSession): Promise<void>;
  /** Makes this connection's session of `mailbox` the active one; false when it has none. */
  activate(call: CallContext, mailbox: string): Promise<boolean>;
  /** Changes the active session. */
  update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): Promise<void>;
  /** Ends the active session; the first one signed in of those left becomes active. */
  end(call: CallContext): Promise<void>;
  /** Ends every session of this connection. */
  endHere(call: CallContext): Promise<void>;
  /**
   * Signs a mailbox out everywhere (its password changed, or it was removed), or everywhere but
   * on `except`'s connection (sign out of all other sessions); returns how many ended. Other
   * mailboxes' sessions on the same connections stay.
   */
  endAllFor(mailbox: string, except?: CallContext): Promise<number>;
  /** The mailbox's live sessions, oldest first, and which one is `call`'s own. */
  list(call: CallContext, mailbox: string): Promise<SessionListing[]>;
  /** Ends the mailbox's session with this id and says which it was; null when it has none such. */
  endById(call: CallContext, mailbox: string, id: string): Promise<SessionListing | null>;
  /** This connection's challenge, whether or not it has expired (the caller decides). */
  challenge(call: CallContext): Promise<PendingSignIn | null>;
  setChallenge(call: CallContext, challenge: PendingSignIn | null): Promise<void>;
  unknownFailures(address: string): Promise<FailureMemory | null>;
  /** `forgetBefore`: failures older than this no longer count anywhere and may be dropped. */
  setUnknownFailures(address: string, memory: FailureMemory, forgetBefore: number): Promise<void>;
}

function bySignInTime(a: SessionListing, b: SessionListing): number {
  return a.session.signedInAt - b.session.signedInAt || (a.session.id < b.session.id ? -1 : 1);
}

/** Unknown addresses whose failures a desktop remembers, so the memory an attacker can fill is bounded. */
const unknownAddressMemory = 10_000;

/** One connection's sessions in memory, by mailbox. */
interface MemoryConnection {
  readonly sessions: Map<string, Session>;
  active: string | null;
}

/**
 * A connection's sessions by when they were signed in; a session started again in place of its
 * own (a password change) keeps its time, so its place. The sort is stable: at the same
 * millisecond, the order they were added in.
 */
function inSignInOrder(held: MemoryConnection | undefined): Session[] {
  return [...(held?.sessions.values() ?? [])].sort((a, b) => a.signedInAt - b.signedInAt);
}

export class MemorySessions implements SessionKeeper {
  private readonly connections = new Map<string, MemoryConnection>();
  private readonly challenges = new Map<string, PendingSignIn>();
  private readonly unknown = new Map<string, FailureMemory>();

  private connection(call: CallContext): MemoryConnection | undefined {
    return this.connections.get(call.connection);
  }

  /** Drops `mailbox`'s session from a connection, and the connection once it holds none. */
  private drop(connection: string, mailbox: string): void {
    const held = this.connections.get(connection);
    if (!held?.sessions.delete(mailbox)) return;
    if (held.active === mailbox) held.active = null;
    if (held.sessions.size === 0) this.connections.delete(connection);
  }

  async current(call: CallContext): Promise<Session | null> {
    const held = this.connection(call);
    return (held?.active && held.sessions.get(held.active)) || null;
  }

  async here(call: CallContext): Promise<SignedInHere> {
    const held = this.connection(call);
    return { sessions: inSignInOrder(held), active: held?.active ?? null };
  }

  async start(call: CallContext, session: NewSession): Promise<void> {
    let held = this.connection(call);
    if (!held) {
      held = { sessions: new Map(), active: null };
      this.connections.set(call.connection, held);
    }
    held.sessions.set(session.mailbox, opened(call, session));
    held.active = session.mailbox;
  }

  async activate(call: CallContext, mailbox: string): Promise<boolean> {
    const held = this.connection(call);
    if (!held?.sessions.has(mailbox)) return false;
    held.active = mailbox;
    return true;
  }

  async update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): Promise<void> {
    const held = this.connection(call);
    const session = held?.active ? held.sessions.get(held.active) : undefined;
    if (held && session) held.sessions.set(session.mailbox, { ...session, ...change });
  }

  async end(call: CallContext): Promise<void> {
    const held = this.connection(call);
    if (!held?.active) return;
    this.drop(call.connection, held.active);
    held.active = inSignInOrder(held)[0]?.mailbox ?? null;
  }

  async endHere(call: CallContext): Promise<void> {
    this.connections.delete(call.connection);
  }

  async endAllFor(mailbox: string, except?: CallContext): Promise<number> {
    let ended = 0;
    for (const [connection, held] of [...this.connections]) {
      if (!held.sessions.has(mailbox) || connection === except?.connection) continue;
      this.drop(connection, mailbox);
      ended++;
    }
    return ended;
  }

  async list(call: CallContext, mailbox: string): Promise<SessionListing[]> {
    return [...this.connections]
      .flatMap(([connection, held]) => {
        const session = held.sessions.get(mailbox);
        return session ? [{ session, current: connection === call.connection }] : [];
      })
      .sort(bySignInTime);
  }

  async endById(call: CallContext, mailbox: string, id: string): Promise<SessionListing | null> {
    for (const [connection, held] of this.connections) {
      const session = held.sessions.get(mailbox);
      if (session?.id !== id) continue;
      this.drop(connection, mailbox);
      return { session, current: connection === call.connection };
    }
    return null;
  }

  async challenge(call: CallContext): Promise<PendingSignIn | null> {
    return this.challenges.get(call.connection) ?? null;
  }

  async setChallenge(call: CallContext, challenge: PendingSignIn | null): Promise<void> {
    if (challenge) this.challenges.set(call.connection, challenge);
    else this.challenges.delete(call.connection);
  }

  async unknownFailures(address: string): Promise<FailureMemory | null> {
    return this.unknown.get(address) ?? null;
  }

  async setUnknownFailures(address: string, memory: FailureMemory): Promise<void> {
    this.unknown.delete(address);
    this.unknown.set(address, memory);
    if (this.unknown.size > unknownAddressMemory) this.unknown.delete(this.unknown.keys().next().value!);
  }
}

/**
 * A row of the `sessions` collection. A session's row is `<connection>.<mailbox>` (each part a
 * keyed hash), so a connection's sessions are one range of ids, found by the primary key in
 * either store; the connection's challenge is the row `<connection>` alone.
 */
interface ConnectionRecord extends StoredRecord {
  /** The signed-in mailbox, for signing it out everywhere; null on a challenge's row. */
  readonly mailbox: string | null;
  readonly session: Session | null;
  readonly challenge: PendingSignIn | null;
  /** The session every channel acts for; at most one per connection. */
  readonly active?: boolean;
  /** When the row may go: the session's end, or the challenge's. */
  readonly expiresAt: number;
  /**
   * Where a session stands among its connection's (1, 2, …, in the order they were signed in); a
   * session started again in place of its own keeps it. Two sign-ins in one millisecond are
   * still told apart, whatever order the store hands rows back in (PostgreSQL: by id).
   */
  readonly place?: number;
}

interface UnknownAddressRecord extends StoredRecord, FailureMemory {
  readonly at: number;
}

export interface StoredSessionsOptions {
  /** How long a session lasts from sign-in, at most. */
  readonly sessionLifetimeMs: number;
}

export class StoredSessions implements SessionKeeper {
  constructor(
    private readonly store: Store,
    private readonly mac: Uint8Array,
    private readonly clock: Clock,
    private readonly options: StoredSessionsOptions,
  ) {}

  private get rows() {
    return this.store.collection<ConnectionRecord>('sessions');
  }

  private get failures() {
    return this.store.collection<UnknownAddressRecord>('signInFailures');
  }

  /** The connection's own id: the keyed hash of what the client holds, never the value. */
  private id(call: CallContext): string {
    return keyedHash(this.mac, 'connection', call.connection);
  }

  /** The row of `mailbox`'s session on this connection. */
  private sessionId(call: CallContext, mailbox: string): string {
    return `${this.id(call)}.${keyedHash(this.mac, 'connection-mailbox', mailbox)}`;
  }

  /** This connection's live sessions' rows, in sign-in order. ('.' < '/' and neither is in base64url.) */
  private async sessionRows(call: CallContext): Promise<(ConnectionRecord & { session: Session })[]> {
    const id = this.id(call);
    const now = this.clock.now();
    const rows = await this.rows.find({ _id: { $gte: `${id}.`, $lt: `${id}/` } });
    return rows
      .filter((row): row is ConnectionRecord & { session: Session } => row.session !== null && row.expiresAt > now)
      .sort((a, b) => a.session.signedInAt - b.session.signedInAt || (a.place ?? 0) - (b.place ?? 0));
  }

  private async write(row: ConnectionRecord): Promise<void> {
    if (!(await this.rows.replace(row))) await this.rows.insert(row);
  }

  private sessionRow(call: CallContext, session: Session, active: boolean): ConnectionRecord {
    return {
      _id: this.sessionId(call, session.mailbox),
      mailbox: session.mailbox,
      session,
      challenge: null,
      active,
      expiresAt: session.signedInAt + this.options.sessionLifetimeMs,
    };
  }

  /** Marks `mailbox`'s row active and every other row of the connection not. */
  private async setActive(call: CallContext, rows: readonly (ConnectionRecord & { session: Session })[], mailbox: string | null): Promise<void> {
    for (const row of rows) {
      const active = row.session.mailbox === mailbox;
      if ((row.active ?? false) !== active) await this.write({ ...row, active });
    }
  }

  async current(call: CallContext): Promise<Session | null> {
    return (await this.sessionRows(call)).find((row) => row.active)?.session ?? null;
  }

  async here(call: CallContext): Promise<SignedInHere> {
    const rows = await this.sessionRows(call);
    return { sessions: rows.map((row) => row.session), active: rows.find((row) => row.active)?.session.mailbox ?? null };
  }

  async start(call: CallContext, session: NewSession): Promise<void> {
    await this.store.atomically(async () => {
      const rows = await this.sessionRows(call);
      const place = rows.find((row) => row.session.mailbox === session.mailbox)?.place ?? Math.max(0, ...rows.map((row) => row.place ?? 0)) + 1;
      await this.setActive(call, rows, null);
      await this.write({ ...this.sessionRow(call, opened(call, session), true), place });
      // Rows of connections that never came back go with the next sign-in.
      if (rows.length === 0) await this.rows.remove({ expiresAt: { $lte: this.clock.now() } });
    });
  }

  async activate(call: CallContext, mailbox: string): Promise<boolean> {
    return this.store.atomically(async () => {
      const rows = await this.sessionRows(call);
      if (!rows.some((row) => row.session.mailbox === mailbox)) return false;
      await this.setActive(call, rows, mailbox);
      return true;
    });
  }

  async update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): Promise<void> {
    await this.store.atomically(async () => {
      const row = (await this.sessionRows(call)).find((r) => r.active);
      if (row) await this.write({ ...row, session: { ...row.session, ...change } });
    });
  }

  async end(call: CallContext): Promise<void> {
    await this.store.atomically(async () => {
      const rows = await this.sessionRows(call);
      const active = rows.find((row) => row.active);
      if (!active) return;
      await this.rows.remove({ _id: active._id });
      const left = rows.filter((row) => row !== active);
      await this.setActive(call, left, left[0]?.session.mailbox ?? null);
    });
  }

  async endHere(call: CallContext): Promise<void> {
    const id = this.id(call);
    await this.rows.remove({ _id: { $gte: `${id}.`, $lt: `${id}/` } });
  }

  async endAllFor(mailbox: string, except?: CallContext): Promise<number> {
    return this.rows.remove(except ? { mailbox, _id: { $ne: this.sessionId(except, mailbox) } } : { mailbox });
  }

  async list(call: CallContext, mailbox: string): Promise<SessionListing[]> {
    const now = this.clock.now();
    const own = this.sessionId(call, mailbox);
    const rows = await this.rows.find({ mailbox, expiresAt: { $gt: now } });
    // A session stored by an older version (one row per connection) has no id to name it by: it is
    // left out here, still ends with "sign out of all other sessions", and lasts no longer than
    // its lifetime.
    return rows.flatMap((row) => (row.session?.id ? [{ session: row.session, current: row._id === own }] : [])).sort(bySignInTime);
  }

  async endById(call: CallContext, mailbox: string, id: string): Promise<SessionListing | null> {
    return this.store.atomically(async () => {
      const row = (await this.rows.find({ mailbox, expiresAt: { $gt: this.clock.now() } })).find((r) => r.session?.id === id);
      if (!row?.session) return null;
      await this.rows.remove({ _id: row._id });
      return { session: row.session, current: row._id === this.sessionId(call, mailbox) };
    });
  }

  async challenge(call: CallContext): Promise<PendingSignIn | null> {
    const row = await this.rows.get(this.id(call));
    return row && row.expiresAt > this.clock.now() ? row.challenge : null;
  }

  async setChallenge(call: CallContext, challenge: PendingSignIn | null): Promise<void> {
    const _id = this.id(call);
    if (!challenge) {
      await this.rows.remove({ _id });
      return;
    }
    await this.store.atomically(() => this.write({ _id, mailbox: null, session: null, challenge, expiresAt: challenge.expiresAt }));
  }

  async unknownFailures(address: string): Promise<FailureMemory | null> {
    const row = await this.failures.get(keyedHash(this.mac, 'unknown-address', address));
    return row ? { failedSignIns: row.failedSignIns, lockedUntil: row.lockedUntil } : null;
  }

  async setUnknownFailures(address: string, memory: FailureMemory, forgetBefore: number): Promise<void> {
    await this.store.atomically(async () => {
      const row: UnknownAddressRecord = { _id: keyedHash(this.mac, 'unknown-address', address), ...memory, at: this.clock.now() };
      if (!(await this.failures.replace(row))) await this.failures.insert(row);
      await this.failures.remove({ at: { $lt: forgetBefore } });
    });
  }
}
