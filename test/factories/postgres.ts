/**
 * A throwaway PostgreSQL 15 cluster for tests: initdb into a temporary folder, the server on
 * 127.0.0.1 at a free port (and a Unix socket in that folder), run as the unprivileged
 * `postgres` user when the test runs as root (PostgreSQL refuses to run as root), stopped and
 * removed at the end. Each test asks for a fresh database of its own, so tests never see each
 * other's rows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const bin = process.env.MAILWARDEN_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why PostgreSQL cannot run here, or '' when it can. */
export function postgresSkipReason(): string {
  if (process.platform !== 'linux') return 'Linux only';
  if (!existsSync(join(bin, 'initdb')) || !existsSync(join(bin, 'postgres')))
    return `PostgreSQL 15 is not installed (no ${bin}/initdb; .ci/run installs postgresql-15)`;
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres user to run the server as';
  return '';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The user the server runs as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface RunningPostgres {
  /** A URL for the cluster's `postgres` database, as the superuser `mailwarden`. */
  readonly adminUrl: string;
  /** Makes an empty database and answers its URL. */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

let databases = 0;

export async function startPostgres(): Promise<RunningPostgres> {
  const folder = await mkdtemp(join(tmpdir(), 'mailwarden-pg-'));
  const data = join(folder, 'data');
  const user = runAs();
  if (user) await chown(folder, user.uid, user.gid);
  const options = { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } };
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'mailwarden', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    ...options,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    // A test cluster: no durability work, loopback and a socket in its own folder only.
    [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      folder,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { ...options, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-8_000)));
  const exited = new Promise((resolve) => child.once('close', resolve));
  const adminUrl = `postgres://mailwarden@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, stop at once.
      process.kill(-child.pid, 'SIGINT');
      const stopped = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
      if (!stopped) process.kill(-child.pid, 'SIGKILL');
    }
    await rm(folder, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (cause) {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not start: ${(cause as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    adminUrl,
    async freshDatabase() {
      databases += 1;
      const name = `test_${process.pid}_${databases}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://mailwarden@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
