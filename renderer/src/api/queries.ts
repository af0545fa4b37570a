import { useQuery, type QueryKey } from '@tanstack/react-query';
import type { Method, Params, ResultOf } from '../../../shared/contract';
import type { AppError } from '../../../shared/errors';
import { useClient } from './client-context';

/** Query keys start with the method name, so `invalidateQueries({ queryKey: ['models.list'] })` works. */
export function callKey<M extends Method>(method: M, params?: Params<M>): QueryKey {
  return params === undefined ? [method] : [method, params];
}

/** A read-only contract call as a React Query query; errors are the AppErrors thrown by the client. */
export function useCall<M extends Method>(method: M, params: Params<M>, options: { enabled?: boolean } = {}) {
  const client = useClient();
  return useQuery<ResultOf<M>, AppError>({
    queryKey: callKey(method, params),
    queryFn: () => client.call(method, params),
    enabled: options.enabled ?? true,
  });
}
