/**
 * The two-factor page's shared state: the status from the backend, and the password re-check
 * that guards every change of a method (docs/rules.md §4). Components take the one model instance
 * the page creates, so a change made in one card shows in the others at once.
 */
import type { TwoFactorStatus } from '../../../../../electron/shared/channels/two-factor';
import type { Err, Result } from '../../../../../electron/shared/result';
import { api } from '../../api/bridge';

/**
 * The password re-check as a question the page can await: `ask()` opens the dialog and settles
 * with true once the backend accepted the password, false when the person cancelled.
 */
export class PasswordRecheck {
  open = $state(false);
  #settle: ((confirmed: boolean) => void) | null = null;

  ask(): Promise<boolean> {
    // A second question while one is open joins it rather than stacking dialogs.
    this.#settle?.(false);
    this.open = true;
    return new Promise((resolve) => (this.#settle = resolve));
  }

  finish(confirmed: boolean): void {
    this.open = false;
    const settle = this.#settle;
    this.#settle = null;
    settle?.(confirmed);
  }
}

/** A guarded action's outcome: the backend's answer, or `null` when the person cancelled the re-check. */
export type Guarded<T> = Result<T> | null;

export class TwoFactorModel {
  status = $state.raw<TwoFactorStatus | null>(null);
  loadError = $state.raw<Err | null>(null);
  loading = $state(false);
  readonly recheck = new PasswordRecheck();
  readonly #onMethodsChanged: ((methods: TwoFactorStatus['methods']) => void) | undefined;

  constructor(onMethodsChanged?: (methods: TwoFactorStatus['methods']) => void) {
    this.#onMethodsChanged = onMethodsChanged;
  }

  get hasTwoFactor(): boolean {
    return (this.status?.methods.length ?? 0) > 0;
  }

  async load(): Promise<void> {
    this.loading = true;
    const result = await api.twoFactor.status();
    this.loading = false;
    if (result.ok) {
      this.loadError = null;
      this.apply(result.data);
    } else if (this.status === null) {
      // With a status on screen already, a failed refresh keeps it; the action that asked reports its own error.
      this.loadError = result;
    }
  }

  /** Takes a status the backend answered with; tells the app when 2FA was switched on or off. */
  apply(next: TwoFactorStatus): void {
    const before = this.status?.methods.length ?? null;
    this.status = next;
    const switched = before !== null && (before === 0) !== (next.methods.length === 0);
    if (switched) this.#onMethodsChanged?.(next.methods);
  }

  /**
   * Runs a change that may need the mailbox password again: asks first when the status already
   * says so, and once more if the backend answers `password-recheck-required`, then retries.
   */
  async guarded<T>(action: () => Promise<Result<T>>): Promise<Guarded<T>> {
    if (this.status?.passwordRecheckNeeded && !(await this.#recheck())) return null;
    const first = await action();
    if (first.ok || first.code !== 'password-recheck-required') return first;
    if (!(await this.#recheck())) return null;
    return action();
  }

  async #recheck(): Promise<boolean> {
    const confirmed = await this.recheck.ask();
    if (confirmed && this.status) this.status = { ...this.status, passwordRecheckNeeded: false };
    return confirmed;
  }
}

/**
 * A card's guarded changes: which one is running (the buttons say so and wait), and the last
 * refusal, kept for the card to show until the next change starts or the card clears it.
 */
export class GuardedAction<K extends string> {
  running = $state<K | null>(null);
  error = $state.raw<Err | null>(null);

  get busy(): boolean {
    return this.running !== null;
  }

  /** The backend's data, or null when it refused (then in `error`) or the re-check was cancelled. */
  async run<T>(kind: K, action: () => Promise<Guarded<T>>): Promise<T | null> {
    this.running = kind;
    this.error = null;
    const result = await action();
    this.running = null;
    if (result === null) return null;
    if (!result.ok) {
      this.error = result;
      return null;
    }
    return result.data;
  }
}
