/**
 * Who is signed in on this window, as the backend says (`auth:status`). The app shows the
 * sign-in screen, the code step, the enrolment-only app or the full app from this one value.
 * The backend stays the authority: every channel checks the session itself; this only decides
 * which screen to draw.
 */
import type { AuthStatus, SessionStarted, SignInOutcome } from '../../../../electron/shared/channels/auth';
import type { Err } from '../../../../electron/shared/result';
import { api, onSessionLost } from '../api/bridge';
import { phaseOf, type SessionPhase } from './gate';
import { router } from './router.svelte';
import { defaultRoute } from './routes';

class Session {
  status = $state.raw<AuthStatus | null>(null);
  /** Set when the backend could not say who is signed in; the sign-in screen shows it. */
  error = $state.raw<Err | null>(null);
  readonly phase: SessionPhase = $derived(phaseOf(this.status));
  /** The mailbox of a session (full or enrolment-only), for the header. */
  readonly mailbox: string | null = $derived(
    this.status?.status === 'signed-in' || this.status?.status === 'enrollment-required' ? this.status.mailbox : null,
  );
  readonly displayName: string | null = $derived(
    this.status?.status === 'signed-in' || this.status?.status === 'enrollment-required' ? this.status.displayName : null,
  );
  /** Policy requires 2FA and this mailbox is in its grace period until then (ms since the epoch); null otherwise. */
  readonly twoFactorGraceEndsAt: number | null = $derived(
    this.status?.status === 'signed-in' ? (this.status.twoFactorGraceEndsAt ?? null) : null,
  );
  /**
   * Why a half-finished sign-in ended (it lapsed, or the mailbox locked): the sign-in form shows
   * it once, with the address filled in again.
   */
  notice = $state.raw<{ error: Err; mailbox: string; at: number } | null>(null);
  #latest = 0;

  /**
   * Asks the backend again. The two-factor page calls this after a method is bound or removed,
   * so an enforced enrolment ends (or begins) without a reload.
   */
  async refresh(): Promise<void> {
    const request = ++this.#latest;
    const result = await api.auth.status();
    // An answer that a newer sign-in or sign-out overtook would show a stale screen.
    if (request !== this.#latest) return;
    if (result.ok) {
      this.status = result.data;
      this.error = null;
    } else {
      this.status ??= { status: 'signed-out' };
      this.error = result;
    }
  }

  /**
   * A call found this window signed out while it showed a session: ask the backend, and if it
   * agrees, go back to the sign-in screen saying why, with the address filled in.
   */
  async lost(): Promise<void> {
    const mailbox = this.mailbox;
    if (mailbox === null) return;
    const request = ++this.#latest;
    const result = await api.auth.status();
    if (request !== this.#latest || !result.ok || result.data.status !== 'signed-out') return;
    this.notice = { error: { ok: false, code: 'session-ended' }, mailbox, at: Date.now() };
    this.status = result.data;
    this.error = null;
    router.replace(defaultRoute);
  }

  /** Takes the outcome of a sign-in, a code or a registration as the new status. */
  enter(outcome: SignInOutcome | SessionStarted): void {
    this.#latest++;
    this.status = outcome;
    this.error = null;
  }

  /** Back to the password after a challenge ended on the backend's side, saying why. */
  leaveChallenge(error: Err, mailbox: string): void {
    this.#latest++;
    this.notice = { error, mailbox, at: Date.now() };
    this.status = { status: 'signed-out' };
  }

  /** The notice, once: the sign-in form takes it when it opens. */
  takeNotice(): { error: Err; mailbox: string; at: number } | null {
    const notice = this.notice;
    this.notice = null;
    return notice;
  }

  /** Signs out (or abandons a half-finished sign-in); the screen changes once the backend agrees. */
  async signOut(): Promise<Err | null> {
    const result = await api.auth.signOut();
    if (!result.ok) return result;
    this.#latest++;
    this.status = { status: 'signed-out' };
    this.error = null;
    // Whoever signs in next starts on the overview, not on the page the last person left open.
    router.replace(defaultRoute);
    return null;
  }
}

export const session = new Session();
onSessionLost(() => void session.lost());
