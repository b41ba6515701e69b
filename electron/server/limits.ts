/**
 * The organisation server's guards against a client that asks too much: requests per client
 * address per minute, and API requests in flight at once. These protect the process, not the
 * rules: lockouts, send limits and single-use codes live in the database and hold across every
 * process (electron/core); a client spread over several processes behind a load balancer gets up
 * to one budget per process, which the balancer's own limits are for.
 */

/** A token bucket per client: `perMinute` requests a minute, a burst of up to `burst`. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number,
    /** Clients remembered at most; the oldest go first (a full bucket is the same as none). */
    private readonly capacity = 100_000,
  ) {}

  /** 0 when the request may go ahead; otherwise the seconds until it may. */
  take(client: string): number {
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const held = this.#buckets.get(client);
    const tokens = held ? Math.min(this.burst, held.tokens + (now - held.at) * ratePerMs) : this.burst;
    if (tokens < 1) {
      this.#buckets.set(client, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000));
    }
    // Re-inserted so the map's order is least recently seen first.
    this.#buckets.delete(client);
    this.#buckets.set(client, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > this.capacity) this.#buckets.delete(this.#buckets.keys().next().value!);
    return 0;
  }

  get clients(): number {
    return this.#buckets.size;
  }
}

/** At most `limit` at once; one more is refused at once rather than queued behind the rest. */
export class InFlight {
  #count = 0;
  #idle: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** true when the caller may go ahead; it must call `leave` when done. */
  enter(): boolean {
    if (this.#count >= this.limit) return false;
    this.#count += 1;
    return true;
  }

  leave(): void {
    this.#count -= 1;
    if (this.#count === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  get count(): number {
    return this.#count;
  }

  /** Resolves when nothing is in flight (a graceful stop waits for this). */
  drained(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }
}
