/**
 * The main window's size and position, remembered between runs. Saved bounds are trusted only
 * as far as a screen still shows them: a monitor unplugged since last time must not leave the
 * window off-screen.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { writeFileAtomic } from '../store/atomic-file';

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  readonly bounds: Partial<Pick<Bounds, 'x' | 'y'>> & Pick<Bounds, 'width' | 'height'>;
  readonly maximized: boolean;
}

export const minimumSize = { width: 800, height: 560 } as const;
/** @internal */
export const defaultWindowState: WindowState = { bounds: { width: 1120, height: 760 }, maximized: false };
/** @internal */
export const windowStateFileName = 'window-state.json';

const Int = v.pipe(v.number(), v.integer(), v.minValue(-100_000), v.maxValue(100_000));
const SavedSchema = v.object({
  bounds: v.object({ x: Int, y: Int, width: Int, height: Int }),
  maximized: v.boolean(),
});

/** How much of the window's title area must lie on a screen for the saved position to count. */
const visibleMargin = { width: 120, height: 40 };

function overlaps(a: Bounds, b: Bounds, min: { width: number; height: number }): boolean {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width >= min.width && height >= min.height;
}

/**
 * Turns what was saved (anything) into bounds that fit the screens attached now.
 * @internal
 */
export function restoreWindowState(saved: unknown, workAreas: readonly Bounds[]): WindowState {
  const parsed = v.safeParse(SavedSchema, saved);
  if (!parsed.success) return defaultWindowState;
  const { bounds, maximized } = parsed.output;
  const largest = workAreas.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), workAreas[0] ?? { x: 0, y: 0, width: 1920, height: 1080 });
  const width = Math.min(Math.max(bounds.width, minimumSize.width), Math.max(largest.width, minimumSize.width));
  const height = Math.min(Math.max(bounds.height, minimumSize.height), Math.max(largest.height, minimumSize.height));
  const titleArea: Bounds = { x: bounds.x, y: bounds.y, width, height: visibleMargin.height };
  const onScreen = workAreas.some((area) => overlaps(titleArea, area, visibleMargin));
  return { bounds: onScreen ? { x: bounds.x, y: bounds.y, width, height } : { width, height }, maximized };
}

export async function loadWindowState(dataDir: string, workAreas: readonly Bounds[]): Promise<WindowState> {
  try {
    return restoreWindowState(JSON.parse(await readFile(join(dataDir, windowStateFileName), 'utf8')), workAreas);
  } catch {
    return restoreWindowState(undefined, workAreas);
  }
}

export async function saveWindowState(dataDir: string, state: { bounds: Bounds; maximized: boolean }): Promise<void> {
  await writeFileAtomic(join(dataDir, windowStateFileName), JSON.stringify(state));
}
