// Covers electron/main/crash-recovery.ts: a crashed or hung window is recovered with a message.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchRenderer } from '../../electron/main/crash-recovery';
import type { Ask } from '../../electron/main/dialog-labels';
import { recordingLogger } from '../factories/store';

function fakeWindow() {
  const window = new EventEmitter() as EventEmitter & {
    destroyed: boolean;
    isDestroyed(): boolean;
    webContents: EventEmitter & { reloads: number; crashes: number; reload(): void; forcefullyCrashRenderer(): void };
  };
  window.destroyed = false;
  window.isDestroyed = () => window.destroyed;
  const contents = new EventEmitter() as typeof window.webContents;
  contents.reloads = 0;
  contents.crashes = 0;
  contents.reload = () => void (contents.reloads += 1);
  contents.forcefullyCrashRenderer = () => {
    contents.crashes += 1;
    contents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
  };
  window.webContents = contents;
  return window;
}

function setUp(answer: number) {
  const window = fakeWindow();
  const asked: Parameters<Ask>[0][] = [];
  let quits = 0;
  const logger = recordingLogger();
  watchRenderer(window, { ask: (options) => (asked.push(options), answer), logger, locale: () => 'en', quit: () => void (quits += 1) });
  return { window, asked, logger, quits: () => quits };
}

describe('a renderer that crashed', () => {
  it('is reloaded after a message naming the reason, not left blank', () => {
    const { window, asked, logger } = setUp(0);
    window.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 0 });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ type: 'error', message: 'The window stopped working', buttons: ['Reload', 'Quit'] });
    expect(asked[0]!.detail).toContain('oom');
    expect(window.webContents.reloads).toBe(1);
    expect(logger.lines.map((line) => line.message)).toContain('window renderer gone');
  });

  it('quits when the person chooses to', () => {
    const { window, quits } = setUp(1);
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    expect(quits()).toBe(1);
    expect(window.webContents.reloads).toBe(0);
  });

  it('says nothing when the renderer ended because the window closed', () => {
    const { window, asked } = setUp(0);
    window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    window.destroyed = true;
    window.webContents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    expect(asked).toEqual([]);
  });
});

describe('a renderer that hangs', () => {
  it('offers to wait (the default) or reload, once per hang', () => {
    const { window, asked } = setUp(0);
    window.emit('unresponsive');
    expect(asked[0]).toMatchObject({ message: 'Mailwarden is not responding', buttons: ['Wait', 'Reload'], defaultId: 0 });
    expect(window.webContents.reloads).toBe(0);
    window.emit('responsive');
  });

  it('ends the hung renderer and reloads, without a second crash message', () => {
    const { window, asked } = setUp(1);
    window.emit('unresponsive');
    expect(window.webContents.crashes).toBe(1);
    expect(window.webContents.reloads).toBe(1);
    expect(asked).toHaveLength(1);
  });
});
