/**
 * A crashed or hung window is recovered with a message, not left blank: `render-process-gone`
 * offers a reload (or quit), `unresponsive` offers to wait or reload, once per hang.
 */
import type { Logger } from '../core/ports';
import type { Locale } from '../shared/contract';
import { dialogLabels, type Ask } from './dialog-labels';

export interface RecoverableWindow {
  on(event: 'unresponsive' | 'responsive', listener: () => void): unknown;
  isDestroyed(): boolean;
  readonly webContents: {
    on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
    reload(): void;
    forcefullyCrashRenderer(): void;
  };
}

export interface RecoveryOptions {
  readonly ask: Ask;
  readonly logger: Logger;
  readonly locale: () => Locale;
  readonly quit: () => void;
}

export function watchRenderer(window: RecoverableWindow, options: RecoveryOptions): void {
  const { ask, logger } = options;
  // Set while this module ends a hung renderer itself, whose reload is already under way.
  let endingHung = false;
  window.webContents.on('render-process-gone', (_event, details) => {
    // A renderer that exited cleanly was closed on purpose (the window is going away).
    if (details.reason === 'clean-exit' || window.isDestroyed()) return;
    if (endingHung) {
      endingHung = false;
      return;
    }
    logger.error('window renderer gone', { reason: details.reason, exitCode: details.exitCode });
    const l = dialogLabels[options.locale()];
    const choice = ask({ type: 'error', message: l.goneMessage, detail: l.goneDetail(details.reason), buttons: [l.reload, l.quit], defaultId: 0, cancelId: 0 });
    if (choice === 0) window.webContents.reload();
    else options.quit();
  });
  let asking = false;
  window.on('unresponsive', () => {
    if (asking || window.isDestroyed()) return;
    asking = true;
    logger.warn('window not responding');
    const l = dialogLabels[options.locale()];
    const choice = ask({ type: 'warning', message: l.hungMessage, detail: l.hungDetail, buttons: [l.wait, l.reload], defaultId: 0, cancelId: 0 });
    asking = false;
    if (choice === 1 && !window.isDestroyed()) {
      // A hung renderer does not run a reload; it is ended first, which reloads through the above.
      endingHung = true;
      window.webContents.forcefullyCrashRenderer();
      window.webContents.reload();
    }
  });
  window.on('responsive', () => logger.info('window responding again'));
}
