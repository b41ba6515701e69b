/**
 * Process helpers for tests that start real children: a run in its own process group with a
 * hard timeout, the search for processes left behind, and reading back the one JSON line a
 * child fixture prints (see test/platform/fixtures/attempt.ts for the child's side).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in its own process group, killing the whole group if it outlives the timeout. */
export function runInProcessGroup(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    process_.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => process.kill(-process_.pid!, 'SIGKILL'), timeoutMs);
    process_.on('error', reject);
    process_.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Live (not zombie) processes whose command line mentions `token`, a path only ours have. */
async function processesMentioning(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      const state = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(') ')[1]?.[0];
      if (commandLine.includes(token) && state !== 'Z') found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Those still alive after a grace period: a daemon notices its parent or bus has gone within moments. */
export async function survivors(token: string, graceMs: number): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  let alive = await processesMentioning(token);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = await processesMentioning(token);
  }
  return alive;
}

/** The child's results: the last line it printed, parsed as JSON. */
export function parseResults(result: ChildRun): Record<string, unknown> {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`child printed no result (exit ${result.code}): ${result.stderr}`);
  }
}

/**
 * How to stop a daemon started `detached` (its own process group): SIGTERM to the whole group,
 * SIGKILL if it has not gone within `graceMs`. Dovecot and Postfix in the tests stop this way.
 */
export function groupStopper(child: ChildProcess, graceMs = 5_000): () => Promise<void> {
  const exited = new Promise((resolve) => child.once('close', resolve));
  return async () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    process.kill(-child.pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), graceMs))]);
    if (!stopped) process.kill(-child.pid, 'SIGKILL');
  };
}
