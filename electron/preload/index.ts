/**
 * The bridge, and nothing else: the contract exposed as one frozen API, `window.mailwarden`.
 * Each method calls exactly one declared channel; the page never sees `ipcRenderer`.
 * Runs sandboxed, so it is bundled into one CommonJS file with no imports but `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../shared/api';
import { channelNames } from '../shared/contract';
import type { Result } from '../shared/result';

const api = createApi(channelNames, (channel, request) => ipcRenderer.invoke(channel, request) as Promise<Result<unknown>>);

contextBridge.exposeInMainWorld('mailwarden', api);
