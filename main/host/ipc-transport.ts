import type { AnyEvent } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { fail } from '../../shared/result';
import type { Dispatch } from './dispatcher';

/** The channel names shared by main and the preload. */
export const ipcChannels = { invoke: 'edgefleet:invoke', event: 'edgefleet:event' } as const;

/** The slice of Electron's ipcMain we use: lets tests register against an in-memory pair. */
export type IpcMainLike = {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
};
export type IpcInvokeEventLike = { senderFrame: { url: string } | null };
export type EventSink = { send(channel: string, event: AnyEvent): void; isDestroyed(): boolean };

/**
 * Registers the single invoke channel. Only frames showing our own UI may call: a navigated-away or injected
 * frame gets FORBIDDEN, and every payload still goes through the dispatcher's schema check.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  isTrustedFrameUrl: (url: string) => boolean,
): () => void {
  ipcMain.handle(ipcChannels.invoke, async (event, method, params) => {
    const url = event.senderFrame?.url;
    if (!url || !isTrustedFrameUrl(url)) {
      return fail(new AppError('FORBIDDEN', 'Calls are accepted only from the EdgeFleet window.'));
    }
    return dispatch(method, params, { transport: 'ipc' });
  });
  return () => ipcMain.removeHandler(ipcChannels.invoke);
}

/** Forwards service events to a window while it lives. */
export function forwardEvents(
  subscribe: (listener: (event: AnyEvent) => void) => () => void,
  sink: EventSink,
): () => void {
  const unsubscribe = subscribe((event) => {
    if (sink.isDestroyed()) return unsubscribe();
    sink.send(ipcChannels.event, event);
  });
  return unsubscribe;
}
