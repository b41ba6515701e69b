/**
 * Copying a secret: it goes on the clipboard without spaces, and 60 s later the clipboard is
 * cleared if it still holds it (docs/rules.md §6), so it does not linger for the next paste anywhere.
 */
export const clipboardClearDelayMs = 60_000;

/** @internal */
export interface ClipboardPort {
  writeText(text: string): Promise<void>;
  readText(): Promise<string>;
}

export type ClearOutcome = 'cleared' | 'changed';

/** @internal */
export interface ClipboardGuardDeps {
  readonly clipboard: ClipboardPort;
  readonly setTimer: (run: () => void, ms: number) => unknown;
  readonly clearTimer: (timer: unknown) => void;
  /** Calls `run` once the window has focus again: browsers refuse clipboard writes without it. */
  readonly whenFocused: (run: () => void) => void;
}

/**
 * Clears the clipboard if it still holds `secret`. Where reading it back is not permitted, it is
 * cleared anyway: the note promised the secret would not stay there, and that promise wins over
 * keeping whatever else might have been copied since.
 * @internal
 */
export async function clearIfStillHeld(clipboard: ClipboardPort, secret: string): Promise<ClearOutcome> {
  let current: string | null;
  try {
    current = await clipboard.readText();
  } catch {
    current = null;
  }
  if (current !== null && current !== secret) return 'changed';
  await clipboard.writeText('');
  return 'cleared';
}

/** @internal */
export class ClipboardGuard {
  #timer: unknown = null;
  readonly #deps: ClipboardGuardDeps;

  constructor(deps: ClipboardGuardDeps) {
    this.#deps = deps;
  }

  /**
   * Copies `secret` and arranges its clearing; a newer copy replaces the pending one. `onDone`
   * hears how it ended. Rejects when the copy itself fails.
   */
  async copy(secret: string, onDone?: (outcome: ClearOutcome) => void): Promise<void> {
    await this.#deps.clipboard.writeText(secret);
    if (this.#timer !== null) this.#deps.clearTimer(this.#timer);
    this.#timer = this.#deps.setTimer(() => {
      this.#timer = null;
      void this.#clear(secret, onDone);
    }, clipboardClearDelayMs);
  }

  async #clear(secret: string, onDone?: (outcome: ClearOutcome) => void): Promise<void> {
    let outcome: ClearOutcome;
    try {
      outcome = await clearIfStillHeld(this.#deps.clipboard, secret);
    } catch {
      // The window has no focus (the user is in their mail client): clear when they come back.
      this.#deps.whenFocused(() => void this.#clear(secret, onDone));
      return;
    }
    // Outside the try: a failing listener must not look like a refused clipboard write.
    onDone?.(outcome);
  }
}

/** The one guard of this window, so a second copy replaces the first copy's pending clear. */
export const clipboardGuard = new ClipboardGuard({
  clipboard: {
    writeText: (text) => navigator.clipboard.writeText(text),
    readText: () => navigator.clipboard.readText(),
  },
  setTimer: (run, ms) => setTimeout(run, ms),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  whenFocused: (run) => window.addEventListener('focus', run, { once: true }),
});
