/**
 * Who is signed in on this window, as the backend says (`auth:status`). The app shows the
 * sign-in screen, the code step, the enrolment-only app or the full app from this one value.
 * The backend stays the authority: every channel checks the session itself; this only decides
 * which screen to draw.
 *
 * A window may hold several mailboxes, one active (docs/rules.md §7.4): `adding` is the sign-in
 * screen opened to add one while another stays signed in; the switcher's own list and actions are
 * in switcher.svelte.ts, loaded with the menu. Whenever the active mailbox changes, the page is
 * taken off the screen first (`changing`), so an answer meant for one mailbox is never drawn in a
 * page of another.
 */
import type { AuthStatus } from '../../../../electron/shared/channels/auth';
import type { Err } from '../../../../electron/shared/result';
import { api, onSessionLost, settled } from '../api/bridge';
import { phaseOf, type SessionPhase } from './gate';
import { router } from './router.svelte';
import { defaultRoute } from './routes';

class Session {
  status = $state.raw<AuthStatus | null>(null);
  /** Set when the backend could not say who is signed in; the sign-in screen shows it. */
  error = $state.raw<Err | null>(null);
  readonly phase: SessionPhase = $derived(phaseOf(this.status));
  /** The mailbox of a session (full or enrolment-only), for the header. */
  readonly mailbox: string | null = $derived(this.status?.status === 'signed-in' || this.status?.status === 'enrollment-required' ? this.status.mailbox : null);
  readonly displayName: string | null = $derived(
    this.status?.status === 'signed-in' || this.status?.status === 'enrollment-required' ? this.status.displayName : null,
  );
  /** Policy requires 2FA and this mailbox is in its grace period until then (ms since the epoch); null otherwise. */
  readonly twoFactorGraceEndsAt: number | null = $derived(this.status?.status === 'signed-in' ? (this.status.twoFactorGraceEndsAt ?? null) : null);
  /**
   * Why a half-finished sign-in ended (it lapsed, or the mailbox locked): the sign-in form shows
   * it once, with the address filled in again.
   */
  notice = $state.raw<{ error: Err; mailbox: string; at: number } | null>(null);
  /** Adding a mailbox: the sign-in screen is up, and this one stays signed in behind it. */
  adding = $state.raw<{ returnTo: string } | null>(null);
  /** The active mailbox is changing: no page is drawn until the backend has said which it is. */
  changing = $state(false);
  /** The mailbox whose session ended elsewhere while it was shown, when another of this window's took over (said until the next change). */
  endedElsewhere = $state<string | null>(null);
  #latest = 0;

  /** Takes a status the backend gave. */
  #apply(status: AuthStatus): void {
    this.status = status;
    this.error = null;
    this.endedElsewhere = null;
    if (status.status === 'signed-in' || status.status === 'enrollment-required') this.adding = null;
  }

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
      this.#apply(result.data);
    } else {
      this.status ??= { status: 'signed-out' };
      this.error = result;
    }
  }

  /**
   * A call found this window signed out while it showed a session: ask the backend, and if it
   * agrees, go back to the sign-in screen saying why, with the address filled in; or, when another
   * mailbox of this window took over (docs/rules.md §7.4), show that one and say so.
   */
  async lost(): Promise<void> {
    const mailbox = this.mailbox;
    if (mailbox === null || this.changing) return;
    const request = ++this.#latest;
    // The page goes first: the backend may be about to make another mailbox the active one.
    this.changing = true;
    const result = await api.auth.status();
    this.changing = false;
    if (request !== this.#latest || !result.ok) return;
    const now = result.data;
    const next = now.status === 'signed-in' || now.status === 'enrollment-required' ? now.mailbox : null;
    this.#apply(now);
    if (next !== mailbox) {
      if (next === null) this.notice = { error: { ok: false, code: 'session-ended' }, mailbox, at: Date.now() };
      else this.endedElsewhere = mailbox;
      router.replace(defaultRoute);
    }
  }

  /**
   * Back to the password from a code step: only the half-done sign-in ends, never a session (one
   * may stay signed in behind a mailbox being added).
   */
  async startOver(): Promise<void> {
    if ((await api.auth.cancelSignIn()).ok) this.enter({ status: 'signed-out' });
  }

  /** Takes the outcome of a sign-in, a code, a registration or a switch (or signed out) as the new status. */
  enter(outcome: AuthStatus): void {
    this.#latest++;
    this.#apply(outcome);
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

  /**
   * Signs out the active mailbox; the first signed in of the others here, if any, becomes active
   * (docs/rules.md §7.4). The page is off the screen until the backend has said which.
   */
  async signOut(): Promise<Err | null> {
    this.changing = true;
    await settled();
    const result = await api.auth.signOut();
    if (result.ok) await this.refresh();
    // Signed out, but the backend could not say who is left: the sign-in screen, with its error and "try again".
    if (result.ok && this.error) this.status = { status: 'signed-out' };
    this.changing = false;
    if (!result.ok) return result;
    // Whoever is shown next starts on the overview, not on the page the last one left open.
    router.replace(defaultRoute);
    return null;
  }
}

export const session = new Session();
onSessionLost(() => void session.lost());
