// Covers electron/main/updater.ts: policy decides whether an updater exists and which feed it reads.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startUpdater, updateCheckIntervalMs, type Updater } from '../../electron/main/updater';
import type { UpdatesPolicy } from '../../electron/core/policy';
import type { Logger } from '../../electron/core/ports';

interface FakeUpdater extends Updater {
  feeds: unknown[];
  checks: number;
}

function fakeUpdater(check: () => Promise<null> = () => Promise.resolve(null)): FakeUpdater {
  const fake: FakeUpdater = {
    feeds: [],
    checks: 0,
    logger: null,
    setFeedURL(options) {
      fake.feeds.push(options);
    },
    checkForUpdatesAndNotify() {
      fake.checks += 1;
      return check();
    },
  };
  return fake;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

const on: UpdatesPolicy = { enabled: true, feedUrl: null };

describe('startUpdater', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates no updater at all when policy turns updates off', async () => {
    const create = vi.fn(async () => fakeUpdater());
    const logger = recordingLogger();
    const running = await startUpdater({ enabled: false, feedUrl: 'https://mirror.example.edu/mw' }, { create, logger, packaged: true });
    expect(running).toBeNull();
    expect(create).not.toHaveBeenCalled();
    expect(logger.lines.join('\n')).toContain('updates off by policy');
    // Nothing is scheduled either: hours later, still no updater.
    await vi.advanceTimersByTimeAsync(updateCheckIntervalMs * 3);
    expect(create).not.toHaveBeenCalled();
  });

  it('creates no updater in an unpackaged (development) app', async () => {
    const create = vi.fn(async () => fakeUpdater());
    expect(await startUpdater(on, { create, logger: recordingLogger(), packaged: false })).toBeNull();
    expect(create).not.toHaveBeenCalled();
  });

  it('keeps the built-in feed when policy gives no URL, and checks at once', async () => {
    const fake = fakeUpdater();
    const running = await startUpdater(on, { create: async () => fake, logger: recordingLogger(), packaged: true });
    expect(running?.updater).toBe(fake);
    expect(fake.feeds).toEqual([]);
    expect(fake.checks).toBe(1);
    running?.stop();
  });

  it("reads the policy's feed through the generic provider", async () => {
    const fake = fakeUpdater();
    const logger = recordingLogger();
    const running = await startUpdater(
      { enabled: true, feedUrl: 'https://mirror.example.edu/mailwarden/updates?token=s3cret' },
      { create: async () => fake, logger, packaged: true },
    );
    expect(fake.feeds).toEqual([{ provider: 'generic', url: 'https://mirror.example.edu/mailwarden/updates?token=s3cret' }]);
    // The log names the feed's origin, never a token in its path or query.
    expect(logger.lines.join('\n')).toContain('https://mirror.example.edu');
    expect(logger.lines.join('\n')).not.toContain('s3cret');
    running?.stop();
  });

  it('checks again every interval until stopped', async () => {
    const fake = fakeUpdater();
    const running = await startUpdater(on, { create: async () => fake, logger: recordingLogger(), packaged: true });
    await vi.advanceTimersByTimeAsync(updateCheckIntervalMs - 1);
    expect(fake.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.checks).toBe(2);
    await vi.advanceTimersByTimeAsync(updateCheckIntervalMs);
    expect(fake.checks).toBe(3);
    running?.stop();
    await vi.advanceTimersByTimeAsync(updateCheckIntervalMs * 2);
    expect(fake.checks).toBe(3);
  });

  it('logs a failed check as a warning and keeps the app running', async () => {
    const fake = fakeUpdater(() => Promise.reject(new Error('net::ERR_NAME_NOT_RESOLVED')));
    const logger = recordingLogger();
    const running = await startUpdater(on, { create: async () => fake, logger, packaged: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(logger.lines.some((line) => line.startsWith('warn update check failed') && line.includes('ERR_NAME_NOT_RESOLVED'))).toBe(true);
    // The next interval tries again.
    await vi.advanceTimersByTimeAsync(updateCheckIntervalMs);
    expect(fake.checks).toBe(2);
    running?.stop();
  });

  it("routes electron-updater's own messages through the app's logger", async () => {
    const fake = fakeUpdater();
    const logger = recordingLogger();
    const running = await startUpdater(on, { create: async () => fake, logger, packaged: true });
    fake.logger?.info('Checking for update');
    expect(logger.lines).toContain('info updater: Checking for update {}');
    running?.stop();
  });
});
