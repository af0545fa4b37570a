import type { AnyEvent, Method } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import type { Transport } from '../api/transport';

type Handler = (params: unknown) => Result<unknown> | Promise<Result<unknown>>;

/** An in-memory Transport for unit tests: scripted answers per method, events pushed by hand. */
export function createFakeTransport(handlers: Partial<Record<Method, Handler>> = {}) {
  const listeners = new Set<(event: AnyEvent) => void>();
  const calls: Array<{ method: Method; params: unknown }> = [];
  const transport: Transport = {
    kind: 'web',
    async invoke(method, params) {
      calls.push({ method, params });
      const handler = handlers[method];
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `no fake for ${method}` } };
      return handler(params);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    pickModelFile: () => Promise.resolve(null),
    pickData: () => Promise.resolve(null),
  };
  return {
    transport,
    calls,
    handlers,
    emit(event: AnyEvent) {
      for (const listener of [...listeners]) listener(event);
    },
    listenerCount: () => listeners.size,
  };
}
