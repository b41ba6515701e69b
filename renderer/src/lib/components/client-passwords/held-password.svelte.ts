/**
 * The freshly generated client password handed from the reveal to the mail-clients page. Memory
 * only: never in storage or the URL. The mail-clients page takes it on arrival, which empties
 * this slot, and forgets it when the person leaves that page.
 */
import type { MailProtocol } from '../../../../../electron/shared/client-password-rules';

export interface HeldPassword {
  readonly id: string;
  readonly name: string;
  /** The 16 characters, as copied. */
  readonly password: string;
  /** `abcd efgh ijkm npqr`, as shown. */
  readonly grouped: string;
  /** What it is allowed for: the instructions name only those servers. */
  readonly scopes: readonly MailProtocol[];
}

class HeldPasswordSlot {
  #value = $state.raw<HeldPassword | null>(null);

  hold(password: HeldPassword): void {
    this.#value = password;
  }

  /** Hands the password over once and empties the slot. */
  take(): HeldPassword | null {
    const value = this.#value;
    this.#value = null;
    return value;
  }

  get holding(): boolean {
    return this.#value !== null;
  }
}

export const heldPassword = new HeldPasswordSlot();
