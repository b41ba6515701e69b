/**
 * Reload and close while a secret is on screen: the page marks itself with `beforeunload` while a
 * client password, a backup code or an authenticator key is shown (renderer secret-on-screen),
 * and Electron then asks here through `will-prevent-unload` instead of leaving silently.
 * Calling `preventDefault` on that event lets the unload go ahead.
 */
import type { Locale } from '../shared/contract';
import { dialogLabels, type Ask } from './dialog-labels';

export interface UnloadEvent {
  preventDefault(): void;
}

/**
 * Whether the person chose to leave despite the secret; staying is the default and the Esc answer.
 * @internal
 */
export function chooseToLeave(ask: Ask, locale: Locale): boolean {
  const l = dialogLabels[locale];
  const choice = ask({
    type: 'warning',
    title: l.leaveTitle,
    message: l.leaveMessage,
    detail: l.leaveDetail,
    buttons: [l.stay, l.leave],
    defaultId: 0,
    cancelId: 0,
  });
  return choice === 1;
}

export function guardUnload(
  contents: { on(event: 'will-prevent-unload', listener: (event: UnloadEvent) => void): unknown },
  ask: Ask,
  locale: () => Locale,
): void {
  contents.on('will-prevent-unload', (event) => {
    if (chooseToLeave(ask, locale())) event.preventDefault();
  });
}
