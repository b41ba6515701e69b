/**
 * The browser-mode host as `npm run web` starts it (the built out/main/host.js) over a data
 * folder, for the benches that go through the real bridge; and a client that calls it as the
 * page does (Bearer token, JSON body, the connection cookie).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface BenchHost {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export const projectRoot = join(import.meta.dirname, '..');

/** A copy of a seeded folder the bench may change (the cached one stays as seeded). */
export async function scratchCopy(dataDir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'mailwarden-bench-'));
  await cp(dataDir, copy, { recursive: true });
  return copy;
}

export async function startHost(options: { dataDir: string; hostJs?: string; nodeArgs?: string[]; args?: string[]; ipc?: boolean }): Promise<BenchHost> {
  const hostJs = options.hostJs ?? join(projectRoot, 'out/main/host.js');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), hostJs, '--user-data-dir', options.dataDir, '--port', '0', ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
    cwd: projectRoot,
  });
  const output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not print its URL:\n${output.join('')}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^Open: (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export type Answer = { ok: true; data: unknown } | { ok: false; code: string };

/**
 * One browser's connection to the host: the connection cookie the host issues on the first call,
 * kept and sent back as a browser would (the host accepts only ids it issued itself).
 */
export class Connection {
  cookie = '';
  constructor(private readonly host: BenchHost) {}

  /** The answer and the round trip in milliseconds, measured around the HTTP request. */
  async call(channel: string, request: unknown = {}): Promise<{ answer: Answer; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${this.host.origin}/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.host.token}`, 'Content-Type': 'application/json', ...(this.cookie ? { Cookie: this.cookie } : {}) },
      body: JSON.stringify(request),
    });
    const issued = response.headers
      .getSetCookie()
      .map((line) => /^(mw_connection=[^;]+)/.exec(line)?.[1])
      .find(Boolean);
    if (issued) this.cookie = issued;
    const answer = (await response.json()) as Answer;
    return { answer, ms: performance.now() - started };
  }

  /** The data of an answer that must succeed. */
  async must<T>(channel: string, request: unknown = {}): Promise<T> {
    const { answer } = await this.call(channel, request);
    if (!answer.ok) throw new Error(`${channel} answered ${answer.code}`);
    return answer.data as T;
  }
}
