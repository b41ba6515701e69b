// Covers electron/main/ipc.ts: the sender check and the one handle().
import { describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { handle, isTrustedSender, senderFacts } from '../../electron/main/ipc';
import { channelNames } from '../../electron/shared/contract';
import { ok } from '../../electron/shared/result';
import { testCall } from '../factories/call';

type Listener = (event: IpcMainInvokeEvent, request: unknown) => Promise<unknown>;

function fakeIpc() {
  const listeners = new Map<string, Listener>();
  return {
    listeners,
    handle: (channel: string, listener: Listener) => void listeners.set(channel, listener),
    removeHandler: (channel: string) => void listeners.delete(channel),
  };
}

function event(id: number, url: string, isMain = true): IpcMainInvokeEvent {
  const mainFrame = { url, parent: null };
  const frame = isMain ? mainFrame : { url, parent: mainFrame };
  return { sender: { id }, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

const appUrl = 'app://mailwarden/index.html#/settings';

describe('isTrustedSender', () => {
  const windows = new Set([7]);
  it('trusts the main frame of our own window on app://mailwarden', () => {
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: true, url: appUrl }, windows)).toBe(true);
  });
  it('refuses a webContents the app did not create', () => {
    expect(isTrustedSender({ webContentsId: 8, isMainFrame: true, url: appUrl }, windows)).toBe(false);
  });
  it('refuses a subframe of our own window', () => {
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: false, url: appUrl }, windows)).toBe(false);
  });
  it('refuses our window once it shows another origin', () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'http://127.0.0.1:5173/', 'not a url']) {
      expect(isTrustedSender({ webContentsId: 7, isMainFrame: true, url }, windows)).toBe(false);
    }
  });
  it('refuses a frame that is gone', () => {
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: false, url: undefined }, windows)).toBe(false);
    expect(senderFacts({ sender: { id: 7 }, senderFrame: null } as unknown as IpcMainInvokeEvent)).toEqual({
      webContentsId: 7,
      isMainFrame: false,
      url: undefined,
    });
  });
});

describe('handle', () => {
  it('registers exactly the contract channels and removes them again', () => {
    const ipc = fakeIpc();
    const dispose = handle(ipc, vi.fn(), new Set(), () => testCall());
    expect([...ipc.listeners.keys()].sort()).toEqual([...channelNames].sort());
    dispose();
    expect(ipc.listeners.size).toBe(0);
  });

  it('passes a trusted call to the dispatcher and returns its value', async () => {
    const ipc = fakeIpc();
    const dispatch = vi.fn(async () => ok({ locale: 'en', theme: 'dark' }));
    const after = vi.fn();
    handle(ipc, dispatch, new Set([3]), (id) => testCall({ connection: `window:${id}` }), after);
    const result = await ipc.listeners.get('settings:update')!(event(3, appUrl), { theme: 'dark' });
    expect(dispatch).toHaveBeenCalledWith('settings:update', { theme: 'dark' }, expect.objectContaining({ connection: 'window:3' }));
    expect(result).toEqual({ ok: true, data: { locale: 'en', theme: 'dark' } });
    expect(after).toHaveBeenCalledWith('settings:update', result);
  });

  it('answers a foreign sender with forbidden-sender and never dispatches', async () => {
    const ipc = fakeIpc();
    const dispatch = vi.fn();
    handle(ipc, dispatch, new Set([3]), () => testCall());
    expect(await ipc.listeners.get('app:info')!(event(4, appUrl), {})).toEqual({ ok: false, code: 'forbidden-sender' });
    expect(await ipc.listeners.get('app:info')!(event(3, appUrl, false), {})).toEqual({ ok: false, code: 'forbidden-sender' });
    expect(await ipc.listeners.get('app:info')!(event(3, 'https://evil.example/'), {})).toEqual({ ok: false, code: 'forbidden-sender' });
    expect(dispatch).not.toHaveBeenCalled();
  });
});
