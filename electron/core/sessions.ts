/**
 * Who is signed in on which connection (an Electron window, a browser, a bearer token), which
 * connection is half-way through a sign-in, and the failures at addresses that have no mailbox.
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

export interface SessionKeeper {
  current(call: CallContext): Promise<Session | null>;
  start(call: CallContext, session: NewSession): Promise<void>;
  update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): Promise<void>;
  end(call: CallContext): Promise<void>;
  /**
   * Signs a mailbox out everywhere (its password changed, or it was removed), or everywhere but
   * on `except`'s connection (sign out of all other sessions); returns how many ended.
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

export class MemorySessions implements SessionKeeper {
  private readonly sessions = new Map<string, Session>();
  private readonly challenges = new Map<string, PendingSignIn>();
  private readonly unknown = new Map<string, FailureMemory>();

  async current(call: CallContext): Promise<Session | null> {
    return this.sessions.get(call.connection) ?? null;
  }

  async start(call: CallContext, session: NewSession): Promise<void> {
    this.sessions.set(call.connection, opened(call, session));
  }

  async update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): Promise<void> {
    const session = this.sessions.get(call.connection);
    if (session) this.sessions.set(call.connection, { ...session, ...change });
  }

  async end(call: CallContext): Promise<void> {
    this.sessions.delete(call.connection);
  }

  async endAllFor(mailbox: string, except?: CallContext): Promise<number> {
    let ended = 0;
    for (const [connection, session] of this.sessions) {
      if (session.mailbox !== mailbox || connection === except?.connection) continue;
      this.sessions.delete(connection);
      ended++;
    }
    return ended;
  }

  async list(call: CallContext, mailbox: string): Promise<SessionListing[]> {
    return [...this.sessions]
      .filter(([, session]) => session.mailbox === mailbox)
      .map(([connection, session]) => ({ session, current: connection === call.connection }))
      .sort(bySignInTime);
  }

  async endById(call: CallContext, mailbox: string, id: string): Promise<SessionListing | null> {
    for (const [connection, session] of this.sessions) {
      if (session.mailbox !== mailbox || session.id !== id) continue;
      this.sessions.delete(connection);
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

interface ConnectionRecord extends StoredRecord {
  /** The signed-in mailbox, for signing it out everywhere; null while only a challenge waits. */
  readonly mailbox: string | null;
  readonly session: Session | null;
  readonly challenge: PendingSignIn | null;
  /** When the row may go: the session's end, or the challenge's. */
  readonly expiresAt: number;
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

  private id(call: CallContext): string {
    return keyedHash(this.mac, 'connection', call.connection);
  }

  private async row(call: CallContext): Promise<ConnectionRecord | null> {
    const row = await this.rows.get(this.id(call));
    return row && row.expiresAt > this.clock.now() ? row : null;
  }

  /** Writes this connection's row, or removes it when nothing is left in it. */
  private async put(call: CallContext, change: (row: ConnectionRecord | null) => Pick<ConnectionRecord, 'session' | 'challenge'>): Promise<void> {
    await this.store.atomically(async () => {
      const now = this.clock.now();
      const _id = this.id(call);
      const before = await this.row(call);
      const { session, challenge } = change(before);
      if (!session && !challenge) {
        await this.rows.remove({ _id });
        return;
      }
      const expiresAt = Math.max(session ? session.signedInAt + this.options.sessionLifetimeMs : 0, challenge?.expiresAt ?? 0);
      const row: ConnectionRecord = { _id, mailbox: session?.mailbox ?? null, session, challenge, expiresAt };
      if (!(await this.rows.replace(row))) await this.rows.insert(row);
      // Rows of connections that never came back go with the next sign-in.
      if (!before) await this.rows.remove({ expiresAt: { $lte: now } });
    });
  }

  async current(call: CallContext): Promise<Session | null> {
    return (await this.row(call))?.session ?? null;
  }

  async start(call: CallContext, session: NewSession): Promise<void> {
    await this.put(call, (row) => ({ session: opened(call, session), challenge: row?.challenge ?? null }));
  }

  async update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): Promise<void> {
    await this.put(call, (row) => ({ session: row?.session ? { ...row.session, ...change } : null, challenge: row?.challenge ?? null }));
  }

  async end(call: CallContext): Promise<void> {
    await this.put(call, (row) => ({ session: null, challenge: row?.challenge ?? null }));
  }

  async endAllFor(mailbox: string, except?: CallContext): Promise<number> {
    return this.rows.remove(except ? { mailbox, _id: { $ne: this.id(except) } } : { mailbox });
  }

  async list(call: CallContext, mailbox: string): Promise<SessionListing[]> {
    const now = this.clock.now();
    const own = this.id(call);
    const rows = await this.rows.find({ mailbox, expiresAt: { $gt: now } });
    // A session stored by an older version has no id to name it by: it is left out here, still
    // ends with "sign out of all other sessions", and lasts no longer than its lifetime.
    return rows.flatMap((row) => (row.session?.id ? [{ session: row.session, current: row._id === own }] : [])).sort(bySignInTime);
  }

  async endById(call: CallContext, mailbox: string, id: string): Promise<SessionListing | null> {
    return this.store.atomically(async () => {
      const row = (await this.rows.find({ mailbox, expiresAt: { $gt: this.clock.now() } })).find((r) => r.session?.id === id);
      if (!row?.session) return null;
      await this.rows.remove({ _id: row._id });
      return { session: row.session, current: row._id === this.id(call) };
    });
  }

  async challenge(call: CallContext): Promise<PendingSignIn | null> {
    return (await this.row(call))?.challenge ?? null;
  }

  async setChallenge(call: CallContext, challenge: PendingSignIn | null): Promise<void> {
    await this.put(call, (row) => ({ session: row?.session ?? null, challenge }));
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
