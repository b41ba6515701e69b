import type { Clock } from '../../electron/core/ports';

/** Time that moves only when a test says so. */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
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
