// Covers electron/main/unload-guard.ts: leaving a page with a secret on screen asks first.
import { describe, expect, it } from 'vitest';
import type { Ask } from '../../electron/main/dialog-labels';
import { chooseToLeave, guardUnload, type UnloadEvent } from '../../electron/main/unload-guard';

function contents() {
  let listener: ((event: UnloadEvent) => void) | undefined;
  return {
    on: (_event: 'will-prevent-unload', l: (event: UnloadEvent) => void) => {
      listener = l;
    },
    /** What Electron does when the page's beforeunload objects: true when the unload goes ahead. */
    unload(): boolean {
      let allowed = false;
      listener?.({ preventDefault: () => (allowed = true) });
      return allowed;
    },
  };
}

describe('the unload guard', () => {
  it('keeps the page (and the password) when the person stays, the default and the Esc answer', () => {
    const asked: Parameters<Ask>[0][] = [];
    const page = contents();
    guardUnload(
      page,
      (options) => (asked.push(options), options.cancelId),
      () => 'zh-CN',
    );
    expect(page.unload()).toBe(false);
    expect(asked[0]).toMatchObject({ message: '屏幕上的密码只显示这一次', buttons: ['留在此页', '仍然离开'], defaultId: 0 });
  });

  it('lets the unload go ahead when the person chooses to leave', () => {
    const page = contents();
    guardUnload(
      page,
      () => 1,
      () => 'en',
    );
    expect(page.unload()).toBe(true);
  });

  it('speaks English too', () => {
    let message = '';
    chooseToLeave((options) => ((message = options.message), 0), 'en');
    expect(message).toBe('The password on screen is shown only this once');
  });
});
