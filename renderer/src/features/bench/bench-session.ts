import type { QueryClient } from '@tanstack/react-query';
import type { Params } from '../../../../shared/contract';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { BenchReport } from '../../../../shared/schemas/bench';
import type { Client, RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { createStore, patch, perKey, useSession } from '../../lib/session-store';
import { defaultForm, type BenchForm } from './bench-form';
import { defaultThresholds, type FidelityMetric } from './bench-results';

type BenchRequest = { params: Params<'bench.run'>; label: string };

export type BenchRun =
  | { status: 'idle' }
  | { status: 'running'; phase: string; percent: number | null; message?: string; request: BenchRequest }
  | { status: 'done'; report: BenchReport; request: BenchRequest }
  | { status: 'failed'; error: AppError; request: BenchRequest };

/** How results are judged: the fidelity bar per metric, and the target the recommendation is for. */
export type BenchView = {
  metric: FidelityMetric;
  thresholds: Record<FidelityMetric, number>;
  /** A target group key; null: the first group. */
  targetKey: string | null;
};

type BenchSession = { form: BenchForm; run: BenchRun; view: BenchView };

type SessionStore = {
  subscribe(listener: () => void): () => void;
  get(): BenchSession;
  setForm(update: (form: BenchForm) => BenchForm): void;
  setView(patch: Partial<BenchView>): void;
  start(request: BenchRequest, queryClient: QueryClient): Promise<void>;
  cancel(): void;
  dismiss(): void;
};

/**
 * The Benchmark page's form, its run and how results are judged, one per client (window): a run goes on, and
 * its results wait, while the user looks at other pages.
 */
function createBenchSessionStore(client: Client): SessionStore {
  const store = createStore<BenchSession>({
    form: defaultForm(),
    run: { status: 'idle' },
    view: { metric: 'cosine', thresholds: { ...defaultThresholds }, targetKey: null },
  });
  const set = (change: Partial<BenchSession>) => patch(store, change);
  let job: RunningJob<BenchReport> | null = null;

  return {
    subscribe: store.subscribe,
    get: store.get,
    setForm(update) {
      set({ form: update(store.get().form) });
    },
    setView(change) {
      set({ view: { ...store.get().view, ...change } });
    },
    async start(request, queryClient) {
      if (store.get().run.status === 'running') return;
      set({ run: { status: 'running', phase: 'starting', percent: null, request } });
      try {
        const running = client.runJob('bench.run', request.params, {
          label: request.label,
          onProgress: (p) => {
            if (store.get().run.status === 'running') {
              set({
                run: { status: 'running', phase: p.phase, percent: p.percent, message: p.message, request },
              });
            }
          },
        });
        job = running;
        const report = await running.promise;
        // The new figures belong in the stored history too.
        await queryClient.invalidateQueries({ queryKey: callKey('bench.results') });
        set({ run: { status: 'done', report, request } });
      } catch (err) {
        set({ run: { status: 'failed', error: toAppError(err), request } });
      } finally {
        job = null;
      }
    },
    cancel() {
      void job?.cancel().catch((err: unknown) => {
        const run = store.get().run;
        if (run.status === 'running')
          set({ run: { status: 'failed', error: toAppError(err), request: run.request } });
      });
    },
    dismiss() {
      const status = store.get().run.status;
      if (status === 'done' || status === 'failed') set({ run: { status: 'idle' } });
    },
  };
}

const storeFor = perKey(createBenchSessionStore);

export function useBenchSession(): BenchSession & Omit<SessionStore, 'subscribe' | 'get'> {
  return useSession<BenchSession, SessionStore>(storeFor(useClient()));
}
