/**
 * A disk that fills up, for test/fault/disk-full.test.ts: a small tmpfs where the machine lets us
 * mount one (root with CAP_SYS_ADMIN), otherwise nedb's own file boundary (its `storage` module,
 * which every append and rewrite of a collection file goes through) answering ENOSPC the way a
 * full disk does: part of the bytes land, then the write fails.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFile, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FillableDisk {
  /** 'tmpfs': a real file system that runs out of space; 'stub': ENOSPC injected at nedb's file boundary. */
  readonly kind: 'tmpfs' | 'stub';
  /** A folder on the disk, for a data folder. */
  readonly root: string;
  /** Takes every free byte. */
  fill(): Promise<void>;
  /** Gives the space back. */
  free(): Promise<void>;
  /** Unmounts or unstubs, and removes the folder. */
  dispose(): Promise<void>;
}

function enospc(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path });
}

/** Mounts a tmpfs of `size` on `root` if this process may; false otherwise. */
function mountTmpfs(root: string, size: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', root], { stdio: 'ignore' }).status === 0;
}

export async function fillableDisk(root: string, options: { forceStub?: boolean } = {}): Promise<FillableDisk> {
  await mkdir(root, { recursive: true });
  if (!options.forceStub && mountTmpfs(root, '4m')) {
    const filler = join(root, 'filler');
    return {
      kind: 'tmpfs',
      root,
      async fill() {
        const chunk = Buffer.alloc(64 * 1024, 0x2e);
        const handle = await open(filler, 'a');
        try {
          // Down to single bytes, so not even a short line fits afterwards.
          for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
            for (;;) {
              try {
                await handle.write(chunk, 0, size);
              } catch (cause) {
                if ((cause as NodeJS.ErrnoException).code === 'ENOSPC') break;
                throw cause;
              }
            }
          }
        } finally {
          await handle.close().catch(() => undefined);
        }
      },
      async free() {
        await rm(filler, { force: true });
      },
      async dispose() {
        spawnSync('umount', ['-l', root], { stdio: 'ignore' });
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  // nedb's persistence calls these through the module object, so replacing them reaches every write.
  const storage = createRequire(import.meta.url)('@seald-io/nedb/lib/storage.js') as Record<string, (...args: never[]) => Promise<unknown>>;
  const original = { appendFileAsync: storage.appendFileAsync!, crashSafeWriteFileLinesAsync: storage.crashSafeWriteFileLinesAsync! };
  let full = false;
  storage.appendFileAsync = (async (path: string, data: string, ...rest: unknown[]) => {
    if (!full) return (original.appendFileAsync as (...a: unknown[]) => Promise<unknown>)(path, data, ...rest);
    // A full disk takes what fits in the last block and refuses the rest: a torn line.
    await appendFile(path, data.slice(0, Math.floor(data.length / 2)));
    throw enospc(path);
  }) as never;
  storage.crashSafeWriteFileLinesAsync = (async (path: string, ...rest: unknown[]) => {
    if (!full) return (original.crashSafeWriteFileLinesAsync as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
    // nedb writes a temp file beside the target and renames it; a full disk stops the temp file.
    await writeFile(`${path}~`, '');
    throw enospc(`${path}~`);
  }) as never;
  return {
    kind: 'stub',
    root,
    async fill() {
      full = true;
    },
    async free() {
      full = false;
    },
    async dispose() {
      Object.assign(storage, original);
      await rm(root, { recursive: true, force: true });
    },
  };
}
