import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../shared/contract';
import type { Dispatch } from './dispatcher';
import {
  forwardEvents,
  ipcChannels,
  registerIpc,
  type EventSink,
  type IpcInvokeEventLike,
  type IpcMainLike,
} from './ipc-transport';

/** An in-memory ipcMain: the registration is tested in Node, no Electron needed. */
function memoryIpc() {
  const handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = async (frameUrl: string | null, ...args: unknown[]) => {
    const h = handlers.get(ipcChannels.invoke);
    if (!h) throw new Error('no handler');
    return h({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  };
  return { ipc, invoke, handlers };
}

const appUrl = 'file:///opt/EdgeFleet/resources/app.asar/dist/renderer/index.html';

describe('IPC transport', () => {
  it('dispatches calls from the app frame and refuses any other frame', async () => {
    const seen: unknown[] = [];
    const dispatch: Dispatch = async (method, params, ctx) => {
      seen.push({ method, params, ctx });
      return { ok: true, value: 'fine' };
    };
    const { ipc, invoke, handlers } = memoryIpc();
    const unregister = registerIpc(ipc, dispatch, (url) => url.split('#')[0] === appUrl);

    expect(await invoke(`${appUrl}#/models`, 'models.list', {})).toEqual({ ok: true, value: 'fine' });
    expect(seen).toEqual([{ method: 'models.list', params: {}, ctx: { transport: 'ipc' } }]);

    for (const frame of ['https://evil.example/', 'file:///tmp/other.html', null]) {
      expect(await invoke(frame, 'models.list', {})).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
    expect(seen).toHaveLength(1);

    unregister();
    expect(handlers.size).toBe(0);
  });

  it('forwards events to a live window and stops when it is destroyed', () => {
    const listeners = new Set<(e: AnyEvent) => void>();
    const subscribe = (l: (e: AnyEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    };
    const sent: unknown[] = [];
    let destroyed = false;
    const sink: EventSink = { send: (channel, e) => sent.push([channel, e]), isDestroyed: () => destroyed };
    forwardEvents(subscribe, sink);
    const event: AnyEvent = {
      name: 'job.done',
      payload: { jobId: 'j_1', kind: 'models.import', result: {} },
    };
    for (const l of [...listeners]) l(event);
    expect(sent).toEqual([[ipcChannels.event, event]]);
    destroyed = true;
    for (const l of [...listeners]) l(event);
    expect(sent).toHaveLength(1);
    expect(listeners.size).toBe(0);
  });
});
