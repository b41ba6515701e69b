// Covers electron/server/limits.ts: the rate per client and the cap on calls in flight.
import { describe, expect, it } from 'vitest';
import { InFlight, RateLimiter } from '../../electron/server/limits';
import { FakeClock } from '../factories/clock';

describe('RateLimiter', () => {
  it('lets a burst through, then one request per share of the minute, each client on its own', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(60, 2, () => clock.now());
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
    expect(limiter.take('b')).toBe(0);
    clock.advance(999);
    expect(limiter.take('a')).toBe(1);
    clock.advance(1);
    expect(limiter.take('a')).toBe(0);
  });

  it('says how long to wait in whole seconds when the rate is slow', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(2, 1, () => clock.now());
    limiter.take('a');
    expect(limiter.take('a')).toBe(30);
  });

  it('remembers a bounded number of clients, forgetting the least recently seen', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(60, 1, () => clock.now(), 3);
    for (const client of ['a', 'b', 'c', 'd']) limiter.take(client);
    expect(limiter.clients).toBe(3);
    // 'a' was forgotten: a full bucket again.
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('d')).toBe(1);
  });
});

describe('InFlight', () => {
  it('refuses one more than its limit and is drained when the last leaves', async () => {
    const flight = new InFlight(2);
    expect([flight.enter(), flight.enter(), flight.enter()]).toEqual([true, true, false]);
    let drained = false;
    const waiting = flight.drained().then(() => (drained = true));
    flight.leave();
    await Promise.resolve();
    expect(drained).toBe(false);
    flight.leave();
    await waiting;
    expect(flight.count).toBe(0);
    expect(flight.enter()).toBe(true);
  });
});
