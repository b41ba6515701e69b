import type { Clock, Scheduler } from '../../electron/core/ports';

/** Time that moves only when a test says so; what was scheduled runs as it passes. */
export class FakeClock implements Clock, Scheduler {
  readonly #due: { at: number; run: () => void }[] = [];

  constructor(private current = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  after(ms: number, run: () => void): void {
    this.#due.push({ at: this.current + ms, run });
  }
  advance(ms: number): void {
    this.current += ms;
    // In time order; what a task schedules for no later than now runs too.
    for (;;) {
      const next = this.#due.filter((task) => task.at <= this.current).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#due.splice(this.#due.indexOf(next), 1);
      next.run();
    }
  }
  advanceSeconds(s: number): void {
    this.advance(s * 1000);
  }
  advanceMinutes(m: number): void {
    this.advance(m * 60_000);
  }
  advanceDays(d: number): void {
    this.advance(d * 86_400_000);
  }
}
