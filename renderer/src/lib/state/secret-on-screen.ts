/**
 * A secret shown once is on screen (a client password, backup codes, an authenticator key): while
 * any is, leaving the page asks first (beforeunload; the desktop shell asks in its own dialog,
 * electron/main/unload-guard.ts) and the desktop window is kept out of screen capture
 * (`app:secret-on-screen`). Each view that shows one holds a claim for as long as it does.
 */
export interface SecretScreenDeps {
  readonly addUnloadGuard: (listener: (event: BeforeUnloadEvent) => void) => void;
  readonly removeUnloadGuard: (listener: (event: BeforeUnloadEvent) => void) => void;
  /** Tells the shell; its answer does not change what the page does. */
  readonly tellShell: (shown: boolean) => void;
}

export class SecretScreen {
  #claims = 0;
  readonly #deps: SecretScreenDeps;
  readonly #guard = (event: BeforeUnloadEvent): void => {
    // Both: the standard way, and the one older engines still read.
    event.preventDefault();
    event.returnValue = '';
  };

  constructor(deps: SecretScreenDeps) {
    this.#deps = deps;
  }

  get showing(): boolean {
    return this.#claims > 0;
  }

  /** Marks a secret as on screen; returns its release (idempotent), e.g. an $effect's cleanup. */
  claim(): () => void {
    this.#claims += 1;
    if (this.#claims === 1) {
      this.#deps.addUnloadGuard(this.#guard);
      this.#deps.tellShell(true);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#claims -= 1;
      if (this.#claims === 0) {
        this.#deps.removeUnloadGuard(this.#guard);
        this.#deps.tellShell(false);
      }
    };
  }
}
