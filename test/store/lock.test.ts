// Covers the data-folder lock of electron/store/open.ts: the app, browser mode and `mailwarden
// serve` never write one data folder at once, and a holder that died does not block it.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schemaRecordId, schemaVersion, type SchemaRecord } from '../../electron/store/migrations';
import { DataFolderInUseError, inUseLockName, inUseLockStaleMs } from '../../electron/store/folder-lock';
import { openEmbeddedStore } from '../../electron/store/open';
import { bundleForNode, MemoryKeychain, projectRoot, recordingLogger, removeFolder, tempFolder } from '../factories/store';

let root: string;
let dataDir: string;
let logger: ReturnType<typeof recordingLogger>;
const keychain = new MemoryKeychain();
const open = () => openEmbeddedStore(dataDir, logger, { keychain });
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

beforeEach(async () => {
  root = await tempFolder('lock');
  dataDir = join(root, 'data');
  logger = recordingLogger();
});
afterEach(() => removeFolder(root));

describe('the data folder lock', () => {
  it('refuses a second open with a clear error while the first is open, and opens again after close', async () => {
    const first = await open();
    const refused = await open().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataFolderInUseError);
    expect((refused as Error).message).toBe(`data folder already in use by another Mailwarden process: ${dataDir}`);
    await first.store.close();
    expect(await exists(join(dataDir, inUseLockName))).toBe(false);
    const again = await open();
    await again.store.close();
  });

  it('lets go of the folder when the open fails after taking it', async () => {
    const { store } = await open();
    await store.collection<SchemaRecord>('meta').replace({ _id: schemaRecordId, version: schemaVersion + 1 });
    await store.close();
    await expect(open()).rejects.toThrow(/written by a newer version/);
    expect(await exists(join(dataDir, inUseLockName))).toBe(false);
  });

  it('refuses a fresh lock whose holder it cannot check, and takes it over once it has gone stale', async () => {
    const lockPath = join(dataDir, inUseLockName);
    await mkdir(lockPath, { recursive: true });
    // A holder on another host (a shared home folder): its process id means nothing here.
    await writeFile(join(lockPath, 'owner.json'), JSON.stringify({ pid: 1, host: 'another-host' }));
    await expect(open()).rejects.toBeInstanceOf(DataFolderInUseError);
    // Nobody refreshed it for longer than the stale limit: its holder hung or died.
    const past = new Date(Date.now() - inUseLockStaleMs - 5_000);
    await utimes(lockPath, past, past);
    const { store } = await open();
    await store.close();
  });
});

describe('the data folder lock between processes', () => {
  let work: string;
  let child: string;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    work = await tempFolder('lock-child');
    child = await bundleForNode(join(projectRoot, 'test/store/fixtures/writer-child.ts'), join(work, 'bundle'));
  }, 30_000);
  afterAll(async () => {
    for (const process_ of running) process_.kill('SIGKILL');
    await removeFolder(work);
  });

  /** Starts a writer on the data folder and resolves once it holds the store open. */
  function startWriter(): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const writer = spawn(process.execPath, [child, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      running.push(writer);
      const deadline = setTimeout(() => {
        writer.kill('SIGKILL');
        reject(new Error('writer never got ready'));
      }, 10_000);
      writer.stdout!.setEncoding('utf8').once('data', () => {
        clearTimeout(deadline);
        resolve(writer);
      });
      writer.on('error', reject);
    });
  }

  const ended = (process_: ChildProcess) =>
    new Promise<void>((resolve) => (process_.exitCode !== null || process_.signalCode !== null ? resolve() : process_.once('close', () => resolve())));

  it('refuses while another process holds it, and opens at once after that process was SIGKILLed', async () => {
    const writer = await startWriter();
    await expect(open()).rejects.toBeInstanceOf(DataFolderInUseError);
    writer.kill('SIGKILL');
    await ended(writer);
    // The dead holder's lock is still there, fresh; its process id says it is gone.
    expect(await readdir(join(dataDir, inUseLockName))).toEqual(['owner.json']);
    const { store } = await open();
    expect(logger.lines.map((line) => line.message)).toContain('data folder lock of a process that ended taken over');
    await store.close();
  }, 20_000);

  it('makes a second process fail fast rather than wait, with the clear message on its way out', async () => {
    const first = await open();
    const second = spawn(process.execPath, [child, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(second);
    let stderr = '';
    second.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => second.once('close', resolve));
    await first.store.close();
    expect(code).not.toBe(0);
    expect(stderr).toContain('data folder already in use by another Mailwarden process');
  }, 20_000);
});
