/**
 * Who is signed in on which connection (an Electron window, a browser). Held in memory only:
 * quitting the app signs out; a trusted device then spares the code, not the password.
 */
import type { CallContext } from './call';

export interface Session {
  readonly mailbox: string;
  readonly signedInAt: number;
  /** When the main password was last entered on this connection: re-checks older than 10 min ask again. */
  readonly passwordCheckedAt: number;
  /**
   * Signed in with the password while policy enforces 2FA and none is bound: only the binding
   * channels work until a method is (see requireSession in sign-in.ts).
   */
  readonly enrollmentRequired?: boolean;
  /** Signed in during the 2FA grace period: when it ends, the session is restricted as above. */
  readonly twoFactorGraceEndsAt?: number;
}

export const passwordRecheckMs = 10 * 60 * 1000;

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  /** Mailboxes whose password was right on a connection that still owes the code. */
  private readonly challenges = new Map<string, string>();

  /** The mailbox this connection is signing in to, between the password and the code. */
  challenge(call: CallContext): string | null {
    return this.challenges.get(call.connection) ?? null;
  }

  setChallenge(call: CallContext, mailbox: string | null): void {
    if (mailbox) this.challenges.set(call.connection, mailbox);
    else this.challenges.delete(call.connection);
  }

  current(call: CallContext): Session | null {
    return this.sessions.get(call.connection) ?? null;
  }

  start(call: CallContext, session: Session): void {
    this.sessions.set(call.connection, session);
  }

  update(call: CallContext, change: Partial<Omit<Session, 'mailbox'>>): void {
    const session = this.sessions.get(call.connection);
    if (session) this.sessions.set(call.connection, { ...session, ...change });
  }

  end(call: CallContext): void {
    this.sessions.delete(call.connection);
  }

  /** Signs a mailbox out everywhere (its password changed, or it was removed). */
  endAllFor(mailbox: string): void {
    for (const [connection, session] of this.sessions) if (session.mailbox === mailbox) this.sessions.delete(connection);
  }
}
