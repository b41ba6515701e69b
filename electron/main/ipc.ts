/**
 * The one `handle()` of the Electron side. Every channel of the contract is registered here and
 * nowhere else; each call is checked for who sent it before the dispatcher validates the request
 * against the channel's schema and calls the core. This file and the preload are the only ones
 * that may touch `ipcMain`/`ipcRenderer` (test/architecture.test.ts keeps it so).
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { CallContext } from '../core/call';
import type { Dispatch } from '../core/dispatch';
import { channelNames, type Channel } from '../shared/contract';
import { err, type Result } from '../shared/result';
import { appHost, appScheme } from './protocol';

/** @internal */
export interface SenderFacts {
  /** The id of the sending webContents. */
  readonly webContentsId: number;
  /** False for a subframe (an iframe): only the top frame of our own page may call in. */
  readonly isMainFrame: boolean;
  /** The URL of the sending frame, when it still exists. */
  readonly url: string | undefined;
}

/** @internal */
export function senderFacts(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): SenderFacts {
  const frame = event.senderFrame;
  return {
    webContentsId: event.sender.id,
    isMainFrame: frame !== null && frame.parent === null,
    url: frame?.url,
  };
}

/**
 * Our page only: a window the app created, its main frame, loaded from app://mailwarden.
 * @internal
 */
export function isTrustedSender(facts: SenderFacts, appWindows: ReadonlySet<number>): boolean {
  if (!appWindows.has(facts.webContentsId) || !facts.isMainFrame || !facts.url) return false;
  try {
    // A custom scheme has an opaque `origin` in WHATWG URL, so compare scheme and host.
    const url = new URL(facts.url);
    return url.protocol === `${appScheme}:` && url.host === appHost;
  } catch {
    return false;
  }
}

export type AfterCall = (channel: Channel, result: Result<unknown>) => void;

/** Registers every channel; returns a function that removes them again. */
export function handle(
  ipc: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: Dispatch,
  appWindows: ReadonlySet<number>,
  contextFor: (webContentsId: number) => CallContext,
  afterCall: AfterCall = () => {},
): () => void {
  for (const channel of channelNames) {
    ipc.handle(channel, async (event, request: unknown) => {
      const facts = senderFacts(event);
      if (!isTrustedSender(facts, appWindows)) return err('forbidden-sender');
      const result = await dispatch(channel, request, contextFor(facts.webContentsId));
      afterCall(channel, result);
      return result;
    });
  }
  return () => {
    for (const channel of channelNames) ipc.removeHandler(channel);
  };
}
