// Covers electron/main/window-state.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultWindowState, loadWindowState, restoreWindowState, saveWindowState, windowStateFileName } from '../../electron/main/window-state';

const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];

describe('restoreWindowState', () => {
  it('keeps a window that is on screen where it was', () => {
    const saved = { bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: true };
    expect(restoreWindowState(saved, screen)).toEqual(saved);
  });

  it('drops the position of a window left on a monitor that is gone', () => {
    const saved = { bounds: { x: 2500, y: 100, width: 1000, height: 700 }, maximized: false };
    expect(restoreWindowState(saved, screen)).toEqual({ bounds: { width: 1000, height: 700 }, maximized: false });
  });

  it('keeps a window on a second monitor that is still there', () => {
    const two = [...screen, { x: 1920, y: 0, width: 1280, height: 1000 }];
    const saved = { bounds: { x: 2000, y: 50, width: 900, height: 600 }, maximized: false };
    expect(restoreWindowState(saved, two)).toEqual(saved);
  });

  it('clamps the size between the minimum and the screen', () => {
    expect(restoreWindowState({ bounds: { x: 0, y: 0, width: 200, height: 100 }, maximized: false }, screen).bounds).toMatchObject({ width: 800, height: 560 });
    expect(restoreWindowState({ bounds: { x: 0, y: 0, width: 5000, height: 4000 }, maximized: false }, screen).bounds).toMatchObject({
      width: 1920,
      height: 1040,
    });
  });

  it('falls back to the default on anything malformed', () => {
    for (const saved of [
      undefined,
      null,
      'x',
      { bounds: { x: '1', y: 0, width: 1, height: 1 }, maximized: false },
      { bounds: { x: 0.5, y: 0, width: 900, height: 600 }, maximized: false },
    ]) {
      expect(restoreWindowState(saved, screen)).toEqual(defaultWindowState);
    }
  });
});

describe('loadWindowState / saveWindowState', () => {
  it('round-trips through the data folder and survives a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailwarden-window-'));
    try {
      expect(await loadWindowState(dir, screen)).toEqual(defaultWindowState);
      await saveWindowState(dir, { bounds: { x: 10, y: 20, width: 900, height: 650 }, maximized: false });
      expect(await loadWindowState(dir, screen)).toEqual({ bounds: { x: 10, y: 20, width: 900, height: 650 }, maximized: false });
      await writeFile(join(dir, windowStateFileName), '{"bounds":');
      expect(await loadWindowState(dir, screen)).toEqual(defaultWindowState);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
