/**
 * Browser-mode fixtures: every test gets its own running host (the built `out/main/host.js`,
 * exactly what `npm run web` starts) over a fresh data folder, and a page already open on it:
 * `appPage` signed in (the app behind the sign-in gate), `signedOutPage` on the sign-in screen.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base, expect, type Page } from '@playwright/test';
import { registerMailbox } from './backend';
import { recordScanTarget, recordSecret, recordSecretsIn, scanDir, scanDirVariable } from './secret-record';

export interface RunningApp {
  /** The printed URL, token fragment included. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly dataDir: string;
  /** Everything the host printed so far (stdout and stderr). */
  readonly output: string[];
}

export interface HostOptions {
  /** Set in the host's environment over the inherited one. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run the host on a private session bus with an unlocked gnome-keyring, so the system keychain works. */
  readonly keyring?: boolean;
}

/** Why the keyring option cannot run here, or '' when it can. */
export const keyringSkipReason: string = (() => {
  if (process.platform !== 'linux') return 'the Secret Service is Linux only';
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0);
  return missing.length > 0 ? `${missing.join(', ')} not installed` : '';
})();

export async function startBrowserMode(extraArgs: string[] = [], options: HostOptions = {}): Promise<{ app: RunningApp; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailwarden-e2e-'));
  const hostArgs = ['out/main/host.js', '--user-data-dir', dataDir, '--port', '0', ...extraArgs];
  let command = process.execPath;
  let args = hostArgs;
  let env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.keyring) {
    // As test/platform/keychain.test.ts does: a private bus and a keyring unlocked with an empty
    // password in a throwaway home, so the run neither sees nor touches the keyring of whoever runs it.
    const home = join(dataDir, 'home');
    const control = join(dataDir, 'keyring');
    await mkdir(home, { recursive: true });
    await mkdir(control, { recursive: true, mode: 0o700 });
    const script = 'echo "" | gnome-keyring-daemon --unlock --components=secrets --control-directory="$1" >/dev/null && shift && exec "$@"';
    command = 'dbus-run-session';
    args = ['--', 'sh', '-c', script, 'sh', control, process.execPath, ...hostArgs];
    env = { ...env, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), XDG_RUNTIME_DIR: control };
    delete env.DBUS_SESSION_BUS_ADDRESS;
  }
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    // Its own process group: the keyring daemon and the bus go with the host when it is stopped.
    detached: options.keyring === true,
  });
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not print its URL:\n${output.join('')}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const match = /^Open: (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const parsed = new URL(url);
  const app: RunningApp = {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    dataDir,
    output,
  };
  recordSecret('token', app.token);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (options.keyring && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
      await exited;
    }
    // Without the run's secret scan (no global setup) there is nobody to scan and delete them later.
    if (!process.env[scanDirVariable]) {
      await rm(dataDir, { recursive: true, force: true });
      return;
    }
    // Kept for the secret scan after the run (secret-scan.ts), which then deletes them.
    const log = join(scanDir(), `host-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.log`);
    await mkdir(scanDir(), { recursive: true });
    await writeFile(log, output.join('\n'));
    recordScanTarget('host-log', log);
    recordScanTarget('data-folder', dataDir);
  };
  return { app, stop };
}

/** The channel of an API URL (`/api/<channel>`), or null for anything else. */
function channelOf(url: string): string | null {
  const match = /\/api\/([^/?#]+)$/.exec(new URL(url).pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export const test = base.extend<{ app: RunningApp; appPage: Page; signedOutPage: Page; hostArgs: string[]; hostEnv: Record<string, string>; keyring: boolean }>(
  {
    /** Extra flags for the host, e.g. `test.use({ hostArgs: ['--demo'] })` or `['--policy', file]`. */
    hostArgs: [[], { option: true }],
    /** Extra environment for the host, e.g. a session bus address that leads nowhere. */
    hostEnv: [{}, { option: true }],
    /** `test.use({ keyring: true })`: the host gets a working system keychain (see `keyringSkipReason`). */
    keyring: [false, { option: true }],
    /**
     * The page, with every secret that crosses its API traffic recorded for the secret scan:
     * passwords and codes typed (requests), client passwords, seeds and backup codes shown and
     * outbox codes read (responses).
     */
    page: async ({ page }, use) => {
      const pending: Promise<void>[] = [];
      page.on('request', (request) => {
        const channel = channelOf(request.url());
        if (!channel) return;
        const token = /^Bearer (.+)$/.exec(request.headers().authorization ?? '')?.[1];
        if (token) recordSecret('token', token);
        try {
          recordSecretsIn(channel, request.postDataJSON());
        } catch {
          // Not JSON: nothing the app would read either.
        }
      });
      page.on('response', (response) => {
        const channel = channelOf(response.url());
        if (channel)
          pending.push(
            response.json().then(
              (body: unknown) => recordSecretsIn(channel, body),
              () => undefined,
            ),
          );
      });
      await use(page);
      await Promise.all(pending);
    },
    app: async ({ hostArgs, hostEnv, keyring }, use) => {
      const { app, stop } = await startBrowserMode(hostArgs, { env: hostEnv, keyring });
      await use(app);
      await stop();
    },
    /**
     * The app opened through its printed URL, signed in as a freshly registered mailbox
     * (`zhang.wei@cstnet.cn`, backend.ts `testPassword`) and ready: the sidebar and the first
     * page (its heading) are on screen.
     */
    appPage: async ({ page, app }, use) => {
      await registerMailbox(page, app);
      await page.goto(app.url);
      await expect(page.getByRole('navigation')).toBeVisible();
      await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
      await use(page);
    },
    /** The app opened through its printed URL with nobody signed in: the sign-in screen is showing. */
    signedOutPage: async ({ page, app }, use) => {
      await page.goto(app.url);
      await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
      await use(page);
    },
  },
);

export { expect };
