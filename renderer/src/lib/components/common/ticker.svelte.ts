/**
 * A reactive "now" for the sign-in countdowns. It reads `Date.now()` on each tick rather than
 * counting ticks, so it stays right after the machine sleeps and Playwright's page clock drives it.
 */
export class Ticker {
  now = $state(Date.now());

  /** Starts ticking; returns the stop function (use it as an `$effect` teardown). */
  start(intervalMs = 500): () => void {
    this.now = Date.now();
    const timer = setInterval(() => (this.now = Date.now()), intervalMs);
    return () => clearInterval(timer);
  }
}
