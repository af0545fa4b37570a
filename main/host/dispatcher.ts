import { z } from 'zod';
import { contract, isMethod, type Method, type ParsedParams, type ResultOf } from '../../shared/contract';
import { AppError, toAppError } from '../../shared/errors';
import { fail, ok, type Result } from '../../shared/result';
import type { Logger } from '../core/logger';

type CallContext = { transport: 'ipc' | 'web' | 'local' };

export type Handlers = {
  [M in Method]: (params: ParsedParams<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type Dispatch = (method: unknown, params: unknown, ctx: CallContext) => Promise<Result<unknown>>;

type AnyHandler = (params: unknown, ctx: CallContext) => unknown;

/**
 * The one entry from any transport: the renderer is untrusted, so the method must be in the contract and the
 * payload must pass its schema before any service sees it. Results are checked too, so a service cannot leak
 * fields the contract does not promise.
 */
export function createDispatcher(handlers: Handlers, logger?: Logger): Dispatch {
  return async (method, params, ctx) => {
    if (!isMethod(method)) {
      return fail(new AppError('UNKNOWN_METHOD', `Unknown method "${String(method)}".`));
    }
    const spec = contract[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      return fail(
        new AppError('BAD_REQUEST', `Invalid parameters for ${method}: ${z.prettifyError(parsed.error)}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        }),
      );
    }
    try {
      const handler = handlers[method] as AnyHandler;
      const value = await handler(parsed.data, ctx);
      return ok(spec.result.parse(value));
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'INTERNAL') logger?.error({ err, method }, 'call failed');
      return fail(appError);
    }
  };
}
