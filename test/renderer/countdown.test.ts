/** Covers renderer/src/lib/components/common/countdown.ts: the countdowns of sign-in and phone binding. */
import { describe, expect, it } from 'vitest';
import { clockText, deadlineAfter, sameAddress, secondsLeft } from '../../renderer/src/lib/components/common/countdown';

describe('secondsLeft', () => {
  it('counts a started second as a whole one and never goes below zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 1)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 20_000)).toBe(0);
  });

  it('is zero without a deadline', () => {
    expect(secondsLeft(null, 5)).toBe(0);
    expect(secondsLeft(undefined, 5)).toBe(0);
  });
});

describe('clockText', () => {
  it.each([
    [0, '00:00'],
    [5, '00:05'],
    [60, '01:00'],
    [275, '04:35'],
    [900, '15:00'],
    [3_600, '1:00:00'],
    [3_725, '1:02:05'],
    [-3, '00:00'],
    [59.9, '00:59'],
  ])('%s s reads %s', (seconds, text) => {
    expect(clockText(seconds)).toBe(text);
  });

  it('keeps its width while it ticks below an hour', () => {
    const widths = new Set(Array.from({ length: 3_600 }, (_, s) => clockText(s).length));
    expect([...widths]).toEqual([5]);
  });
});

describe('deadlineAfter', () => {
  it('turns retryAfter seconds into a moment', () => {
    expect(deadlineAfter(900, 1_000)).toBe(901_000);
  });

  it('has none without a positive retryAfter', () => {
    expect(deadlineAfter(undefined, 1_000)).toBeNull();
    expect(deadlineAfter(0, 1_000)).toBeNull();
  });
});

describe('sameAddress', () => {
  it('compares as the backend does: trimmed, any case', () => {
    expect(sameAddress(' Zhang.Wei@CSTNET.cn ', 'zhang.wei@cstnet.cn')).toBe(true);
    expect(sameAddress('li.na@cstnet.cn', 'zhang.wei@cstnet.cn')).toBe(false);
  });
});
