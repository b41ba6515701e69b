/**
 * A reactive "now" for countdowns. It ticks twice a second so a displayed second never lags by
 * more than half a second; reading `Date.now()` (not counting ticks) keeps it right after the
 * machine sleeps, and lets Playwright's page clock drive it in tests.
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
