/**
 * Log files where each OS keeps them (app.getPath('logs'): ~/Library/Logs/Mailwarden on macOS,
 * the data folder's `logs` elsewhere), rotated by size so they never grow without end: `main.log`
 * and up to `keep` older ones, `main.1.log` the newest. Lines come already redacted from the
 * logger (./logger.ts); files are this user's only (0600).
 *
 * Written synchronously: a log line is small and rare, and a line written just before a crash or
 * an exit must be on disk, which an async stream does not promise.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface LogFileOptions {
  /** Rotate once the current file would pass this size. */
  readonly maxBytes?: number;
  /** Older files kept besides the current one. */
  readonly keep?: number;
}

export class RotatingLogFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #size: number;

  constructor(
    readonly dir: string,
    readonly name: string = 'main',
    options: LogFileOptions = {},
  ) {
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#keep = options.keep ?? 4;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, `${name}.log`);
    this.#size = (() => {
      try {
        return statSync(this.path).size;
      } catch {
        return 0;
      }
    })();
  }

  /** Appends one line; a failure to write a log line never takes the app down. */
  write(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    try {
      if (this.#size > 0 && this.#size + bytes > this.#maxBytes) this.#rotate();
      appendFileSync(this.path, `${line}\n`, { mode: 0o600 });
      this.#size += bytes;
    } catch {
      // The disk is full or the folder gone: stderr still has the line.
    }
  }

  #rotate(): void {
    const older = (index: number) => join(this.dir, `${this.name}.${index}.log`);
    rmSync(older(this.#keep), { force: true });
    for (let index = this.#keep - 1; index >= 1; index -= 1) {
      try {
        renameSync(older(index), older(index + 1));
      } catch {
        // Not there yet.
      }
    }
    renameSync(this.path, older(1));
    this.#size = 0;
  }

  /** Every log file of this name, newest first, with its text (for Export Diagnostics). */
  files(): { name: string; text: string }[] {
    const pattern = new RegExp(`^${this.name}(\\.(\\d+))?\\.log$`);
    return readdirSync(this.dir)
      .map((file) => ({ file, match: pattern.exec(file) }))
      .filter((entry) => entry.match)
      .sort((a, b) => Number(a.match![2] ?? 0) - Number(b.match![2] ?? 0))
      .map(({ file }) => ({ name: file, text: readFileSync(join(this.dir, file), 'utf8') }));
  }
}
