/**
 * The desktop app's start waits a moment for a data folder still held by another Mailwarden
 * process, instead of showing an error and leaving: the usual holder is this app's previous run
 * still closing (a relaunch after an update, a quick quit and restart) or `mailwarden info`
 * reading the folder. A holder that is still there after the last try is told to the user.
 */
import { DataFolderInUseError } from '../store/folder-lock';

export interface RetryOptions {
  /** Tries in all, the first included. */
  readonly attempts?: number;
  /** Wait between tries, in milliseconds. */
  readonly delayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each wait, with the number of the try that was refused. */
  readonly onWait?: (attempt: number) => void;
}

export async function openWhenFree<T>(open: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const delayMs = options.delayMs ?? 800;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open();
    } catch (cause) {
      if (!(cause instanceof DataFolderInUseError) || attempt >= attempts) throw cause;
      options.onWait?.(attempt);
      await sleep(delayMs);
    }
  }
}
