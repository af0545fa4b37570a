import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EdgefleetBridge } from '../../shared/bridge';
import { isMethod, type AnyEvent } from '../../shared/contract';
import { fail } from '../../shared/result';
import { AppError } from '../../shared/errors';
import { ipcChannels } from '../host/ipc-transport';

/**
 * The renderer's only door to main: an allow-listed invoke (method names from the contract) and an event
 * subscription. No ipcRenderer, no Node objects cross the bridge.
 */
const bridge: EdgefleetBridge = {
  async invoke(method, params) {
    if (!isMethod(method)) return fail(new AppError('UNKNOWN_METHOD', `Unknown method "${String(method)}".`));
    return ipcRenderer.invoke(ipcChannels.invoke, method, params) as ReturnType<EdgefleetBridge['invoke']>;
  },
  onEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, payload: AnyEvent) => listener(payload);
    ipcRenderer.on(ipcChannels.event, wrapped);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('edgefleet', bridge);
