/**
 * Covers renderer/src/lib/components/client-passwords/clipboard.ts: a copied client password is
 * cleared from the clipboard 60 s later if it is still there, and only then.
 */
import { describe, expect, it, vi } from 'vitest';
import { ClipboardGuard, clearIfStillHeld, clipboardClearDelayMs, type ClipboardPort } from '../../renderer/src/lib/components/client-passwords/clipboard';

function fakeClipboard(options: { readable?: boolean; focused?: () => boolean } = {}) {
  let text = '';
  const port: ClipboardPort = {
    writeText: vi.fn(async (value: string) => {
      if (options.focused && !options.focused()) throw new DOMException('Document is not focused.', 'NotAllowedError');
      text = value;
    }),
    readText: vi.fn(async () => {
      if (options.readable === false) throw new DOMException('Read permission denied.', 'NotAllowedError');
      return text;
    }),
  };
  return {
    port,
    get text() {
      return text;
    },
    set text(value: string) {
      text = value;
    },
  };
}

/** Lets the clearing's read-then-write promise chain finish after its timer fired. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

function harness(clipboard: ClipboardPort) {
  vi.useFakeTimers();
  const focusWaiters: (() => void)[] = [];
  const guard = new ClipboardGuard({
    clipboard,
    setTimer: (run, ms) => setTimeout(run, ms),
    clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    whenFocused: (run) => focusWaiters.push(run),
  });
  return { guard, focus: () => focusWaiters.splice(0).forEach((run) => run()) };
}

describe('ClipboardGuard', () => {
  it('clears the password after 60 s when the clipboard still holds it', async () => {
    const clipboard = fakeClipboard();
    const { guard } = harness(clipboard.port);
    const done = vi.fn();
    await guard.copy('abcdefghijkmnpqr', done);
    expect(clipboard.text).toBe('abcdefghijkmnpqr');
    await vi.advanceTimersByTimeAsync(clipboardClearDelayMs - 1);
    expect(clipboard.text).toBe('abcdefghijkmnpqr');
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(clipboard.text).toBe('');
    expect(done).toHaveBeenCalledWith('cleared');
    vi.useRealTimers();
  });

  it('leaves the clipboard alone when something else was copied since', async () => {
    const clipboard = fakeClipboard();
    const { guard } = harness(clipboard.port);
    const done = vi.fn();
    await guard.copy('abcdefghijkmnpqr', done);
    clipboard.text = 'a note the user copied';
    await vi.advanceTimersByTimeAsync(clipboardClearDelayMs);
    await settle();
    expect(clipboard.text).toBe('a note the user copied');
    expect(done).toHaveBeenCalledWith('changed');
    vi.useRealTimers();
  });

  it('a second copy restarts the 60 s and replaces the first', async () => {
    const clipboard = fakeClipboard();
    const { guard } = harness(clipboard.port);
    const first = vi.fn();
    await guard.copy('aaaabbbbccccdddd', first);
    await vi.advanceTimersByTimeAsync(30_000);
    await guard.copy('eeeeffffgggghhhh');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(clipboard.text).toBe('eeeeffffgggghhhh');
    expect(first).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(30_000);
    await settle();
    expect(clipboard.text).toBe('');
    vi.useRealTimers();
  });

  it('waits for the window to have focus again when the browser refuses to write without it', async () => {
    let focused = true;
    const clipboard = fakeClipboard({ focused: () => focused });
    const { guard, focus } = harness(clipboard.port);
    await guard.copy('abcdefghijkmnpqr');
    focused = false;
    await vi.advanceTimersByTimeAsync(clipboardClearDelayMs);
    await settle();
    expect(clipboard.text).toBe('abcdefghijkmnpqr');
    focused = true;
    focus();
    await settle();
    expect(clipboard.text).toBe('');
    vi.useRealTimers();
  });
});

describe('clearIfStillHeld', () => {
  it('clears anyway when the clipboard may not be read back', async () => {
    const clipboard = fakeClipboard({ readable: false });
    clipboard.text = 'abcdefghijkmnpqr';
    expect(await clearIfStillHeld(clipboard.port, 'abcdefghijkmnpqr')).toBe('cleared');
    expect(clipboard.text).toBe('');
  });
});
