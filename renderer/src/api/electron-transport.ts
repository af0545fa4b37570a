import { pickedFileSchema } from '../../../shared/contract';
import type { EdgefleetBridge } from '../../../shared/bridge';
import { unwrap } from '../../../shared/result';
import { AppError } from '../../../shared/errors';
import type { Transport } from './transport';

/** The preload bridge, if this page runs inside the Electron shell. */
export function getBridge(): EdgefleetBridge | undefined {
  return (window as Window & { edgefleet?: EdgefleetBridge }).edgefleet;
}

export function createElectronTransport(bridge: EdgefleetBridge): Transport {
  return {
    kind: 'electron',
    invoke: (method, params) => bridge.invoke(method, params),
    subscribe: (listener) => bridge.onEvent(listener),
    // The native dialog lives in main; the renderer only ever sees an opaque file reference.
    async pickModelFile() {
      const value = unwrap(await bridge.invoke('files.pickModel', {}));
      const parsed = pickedFileSchema.nullable().safeParse(value);
      if (!parsed.success) {
        throw new AppError('INTERNAL', 'Unexpected answer from files.pickModel. Please report it.');
      }
      return parsed.data;
    },
    async pickData(kind, options) {
      const params = options?.use === undefined ? { kind } : { kind, use: options.use };
      const value = unwrap(await bridge.invoke('files.pickData', params));
      const parsed = pickedFileSchema.nullable().safeParse(value);
      if (!parsed.success) {
        throw new AppError('INTERNAL', 'Unexpected answer from files.pickData. Please report it.');
      }
      return parsed.data;
    },
  };
}
