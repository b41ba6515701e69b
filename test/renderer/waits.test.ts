/**
 * Covers renderer/src/lib/i18n/waits.ts: one way to say a wait, in each language (issue 16,
 * item 3: "New code in 2544 s", "Try again in 29 minutes" and "Resend (42:40)" were one wait).
 */
import { describe, expect, it } from 'vitest';
import { waitText } from '../../renderer/src/lib/i18n/waits';

describe('waitText', () => {
  it.each([
    [0.2, '1 second', '1秒钟'],
    [42, '42 seconds', '42秒钟'],
    [59.5, '1 minute', '1分钟'],
    [61, '2 minutes', '2分钟'],
    [2544, '43 minutes', '43分钟'],
    [3600, '1 hour', '1小时'],
    [3601, '1 hour, 1 minute', '1小时1分钟'],
    [3900, '1 hour, 5 minutes', '1小时5分钟'],
    [7199, '2 hours', '2小时'],
  ])('%s s: %s / %s', (seconds, en, zh) => {
    expect(waitText(seconds, 'en')).toBe(en);
    expect(waitText(seconds, 'zh-CN')).toBe(zh);
  });

  it('never says less than is left: a started second or minute counts whole', () => {
    for (let seconds = 1; seconds <= 7200; seconds += 7) {
      const text = waitText(seconds, 'en');
      const said = [...text.matchAll(/(\d+) (hour|minute|second)/g)].reduce(
        (sum, [, n, unit]) => sum + Number(n) * { hour: 3600, minute: 60, second: 1 }[unit as 'hour'],
        0,
      );
      expect(said, text).toBeGreaterThanOrEqual(seconds);
    }
  });
});
