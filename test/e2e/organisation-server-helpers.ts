/**
 * The organisation's side of a spec: a real PostgreSQL 15, mailboxes IT imported with
 * `import-mailboxes --database`, and `mailwarden server` on loopback (plain HTTP), as the README
 * starts it. Stopped (server, then database, then its folder) by `stop`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from '@playwright/test';
import { startPostgres, type RunningPostgres } from '../factories/postgres';
import { runInProcessGroup } from '../factories/processes';
import { recordSecret } from './secret-record';

export interface RunningOrganisation {
  /** The server's page and API, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Everything the server printed. */
  readonly output: string[];
  /** Stops the server alone (SIGTERM, then waits for it), as when it goes away under a desktop. */
  stopServer(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOrganisation(
  mailboxes: readonly { readonly address: string; readonly displayName: string }[],
  password: string,
): Promise<RunningOrganisation> {
  let postgres: RunningPostgres | undefined;
  let server: ChildProcess | undefined;
  const work = await mkdtemp(join(tmpdir(), 'mailwarden-e2e-organisation-'));
  const output: string[] = [];
  const stopServer = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  };
  const stop = async () => {
    await stopServer();
    await postgres?.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    postgres = await startPostgres();
    const url = await postgres.freshDatabase();
    const keyFile = join(work, 'server.key');
    await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    const staff = join(work, 'staff.csv');
    await writeFile(staff, `address,password,displayName\n${mailboxes.map((mailbox) => `${mailbox.address},${password},${mailbox.displayName}`).join('\n')}\n`);
    recordSecret('password', password);
    const organisation = ['--database', url, '--server-key-file', keyFile];
    const imported = await runInProcessGroup(process.execPath, ['out/main/cli.js', 'import-mailboxes', staff, ...organisation], process.env, 60_000);
    expect(imported.stdout, imported.stderr).toBe(`Imported ${mailboxes.length} mailbox${mailboxes.length === 1 ? '' : 'es'}.\n`);
    await mkdir(join(work, 'data'));
    // Every person in these specs comes from 127.0.0.1, where an institution's people each have an
    // address of their own: the per-address rate (600 a minute, bursts of 120) is meant for one
    // person, and several browsers loading the page cold within seconds spend it, so the page's
    // scripts were refused with 429. This address gets ten people's share; the rate itself is
    // tested in test/server/http.test.ts.
    const config = join(work, 'server.json');
    await writeFile(config, JSON.stringify({ limits: { requestsPerMinute: 6000, burst: 1200 } }));
    const child = spawn(
      process.execPath,
      ['out/main/cli.js', 'server', '--config', config, '--listen', '127.0.0.1:0', '--data-dir', join(work, 'data'), ...organisation],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    server = child;
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output.join('')}`)), 30_000);
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output.join('')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    return { origin, output, stopServer, stop };
  } catch (cause) {
    await stop();
    throw cause;
  }
}
