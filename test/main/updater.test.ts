// Covers electron/main/updater.ts: policy decides whether an updater exists and which feed it reads.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isManagedInstall, startUpdater, updateCheckIntervalMs, type Updater } from '../../electron/main/updater';
import type { UpdatesPolicy } from '../../electron/core/policy';
import type { Logger } from '../../electron/core/ports';

interface FakeUpdater extends Updater {
  feeds: unknown[];
  checks: number;
  installs: number;
  downloaded(version: string): void;
}

type CheckResult = Awaited<ReturnType<Updater['checkForUpdates']>>;

function fakeUpdater(check: () => Promise<CheckResult> = () => Promise.resolve({ isUpdateAvailable: false, updateInfo: { version: '0.1.0' } })): FakeUpdater {
  const listeners: ((info: { version: string }) => void)[] = [];
  const fake: FakeUpdater = {
    feeds: [],
    checks: 0,
    installs: 0,
    logger: null,
    setFeedURL(options) {
      fake.feeds.push(options);
    },
    checkForUpdates() {
      fake.checks += 1;
      return check();
    },
    on(_event, listener) {
      listeners.push(listener);
      return fake;
    },
    quitAndInstall() {
      fake.installs += 1;
    },
    downloaded(version) {
      for (const listener of listeners) listener({ version });
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

  it('asks in the person’s language once an update is downloaded, and restarts into it only if they say so', async () => {
    const fake = fakeUpdater();
    const asked: string[] = [];
    let answer = false;
    const running = await startUpdater(on, {
      create: async () => fake,
      logger: recordingLogger(),
      packaged: true,
      onReady: (version) => {
        asked.push(version);
        return answer;
      },
    });
    fake.downloaded('0.2.0');
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual(['0.2.0']);
    expect(fake.installs).toBe(0);
    // The same version found again by the next check is not asked about twice.
    fake.downloaded('0.2.0');
    answer = true;
    fake.downloaded('0.3.0');
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual(['0.2.0', '0.3.0']);
    expect(fake.installs).toBe(1);
    running?.stop();
  });

  it('says what a check from the Help menu found', async () => {
    let result: CheckResult = { isUpdateAvailable: false, updateInfo: { version: '0.1.0' } };
    const fake = fakeUpdater(async () => result);
    const running = await startUpdater(on, { create: async () => fake, logger: recordingLogger(), packaged: true });
    expect(await running!.checkNow()).toEqual({ outcome: 'up-to-date', version: '0.1.0' });
    result = { isUpdateAvailable: true, updateInfo: { version: '0.2.0' } };
    expect(await running!.checkNow()).toEqual({ outcome: 'downloading', version: '0.2.0' });
    result = null;
    expect(await running!.checkNow()).toEqual({ outcome: 'failed' });
    running?.stop();
  });

  it('creates no updater in a per-machine installation that IT manages', async () => {
    const create = vi.fn(async () => fakeUpdater());
    const logger = recordingLogger();
    expect(await startUpdater(on, { create, logger, packaged: true, managedInstall: true })).toBeNull();
    expect(create).not.toHaveBeenCalled();
    expect(logger.lines.join('\n')).toContain('IT updates it');
  });
});

describe('isManagedInstall', () => {
  const env = { ProgramFiles: 'C:\\Program Files', 'ProgramFiles(x86)': 'C:\\Program Files (x86)', LOCALAPPDATA: 'C:\\Users\\zw\\AppData\\Local' };
  it('is true under Program Files on Windows (MSI, all-users NSIS)', () => {
    expect(isManagedInstall('win32', 'C:\\Program Files\\Mailwarden\\Mailwarden.exe', env)).toBe(true);
    expect(isManagedInstall('win32', 'c:\\program files (x86)\\Mailwarden\\Mailwarden.exe', env)).toBe(true);
  });
  it('is false for a per-user install, and on other systems', () => {
    expect(isManagedInstall('win32', 'C:\\Users\\zw\\AppData\\Local\\Programs\\Mailwarden\\Mailwarden.exe', env)).toBe(false);
    expect(isManagedInstall('win32', 'C:\\Program Files Extra\\Mailwarden.exe', env)).toBe(false);
    expect(isManagedInstall('darwin', '/Applications/Mailwarden.app/Contents/MacOS/Mailwarden', env)).toBe(false);
  });
});
