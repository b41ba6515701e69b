/**
 * Refused requests are logged, but not without bound: anyone who can reach the port could fill
 * the disk and bury what matters. At most `perMinute` lines a minute; the rest are counted and
 * told in one summary line when the next minute's first refusal comes.
 */
import type { Logger } from '../../core/ports';

export interface RefusalLogOptions {
  readonly logger: Logger;
  /** The line each logged refusal gets. */
  readonly message: string;
  /** The summary line, with { count } of the refusals not logged. */
  readonly summary: string;
  readonly perMinute?: number;
  readonly now?: () => number;
}

export class RefusalLog {
  readonly #options: RefusalLogOptions;
  #windowStart = Number.NEGATIVE_INFINITY;
  #logged = 0;
  #suppressed = 0;

  constructor(options: RefusalLogOptions) {
    this.#options = options;
  }

  note(fields: Record<string, unknown>): void {
    const now = (this.#options.now ?? Date.now)();
    if (now - this.#windowStart >= 60_000) {
      this.flush();
      this.#windowStart = now;
      this.#logged = 0;
    }
    if (this.#logged < (this.#options.perMinute ?? 20)) {
      this.#logged += 1;
      this.#options.logger.warn(this.#options.message, fields);
    } else {
      this.#suppressed += 1;
    }
  }

  /** Tells how many refusals went unlogged (also on close). */
  flush(): void {
    if (this.#suppressed === 0) return;
    this.#options.logger.warn(this.#options.summary, { count: this.#suppressed });
    this.#suppressed = 0;
  }
}
