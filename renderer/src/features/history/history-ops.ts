import type { QueryClient } from '@tanstack/react-query';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { DeploymentReport, DriftReport } from '../../../../shared/schemas/deploy';
import type { Client } from '../../api/client';
import { useClient } from '../../api/client-context';
import { createStore, patch, perKey, useSession } from '../../lib/session-store';
import { refreshDeployQueries } from '../deploy/deploy-session';
import {
  applyProgress,
  deployProgressOf,
  pendingRows,
  rowsFromReport,
  type RolloutRow,
} from '../deploy/rollout-rows';

export type DriftOp =
  | { status: 'idle' }
  | { status: 'running'; reconcile: boolean }
  | { status: 'done'; reconcile: boolean; report: DriftReport }
  | { status: 'failed'; reconcile: boolean; error: AppError };

/** One device switched back to its previous release, or to a named one. */
export type RollbackRequest = {
  deviceId: string;
  deviceName: string;
  modelName: string;
  /** null: the previous release. */
  toRelease: string | null;
  /** The previous release's name when it is recorded, so the dialog names it (toRelease null). */
  previousRelease?: string | null;
  /** What the device runs now, for the words around the result. */
  fromRelease: string | null;
};

export type RollbackOp =
  | { status: 'idle' }
  | { status: 'running'; request: RollbackRequest; rows: RolloutRow[] }
  | { status: 'done'; request: RollbackRequest; rows: RolloutRow[]; report: DeploymentReport }
  | { status: 'failed'; request: RollbackRequest; rows: RolloutRow[]; error: AppError };

type HistoryOps = { drift: DriftOp; rollback: RollbackOp };

type OpsStore = {
  subscribe(listener: () => void): () => void;
  get(): HistoryOps;
  checkDrift(reconcile: boolean, queryClient: QueryClient): Promise<DriftOp>;
  runRollback(request: RollbackRequest, queryClient: QueryClient): Promise<RollbackOp>;
  dismissDrift(): void;
  dismissRollback(): void;
};

/** Drift checks and rollbacks go on (and their results wait) while the user looks at other pages. */
export function createHistoryOpsStore(client: Client): OpsStore {
  const store = createStore<HistoryOps>({ drift: { status: 'idle' }, rollback: { status: 'idle' } });
  const set = (change: Partial<HistoryOps>) => patch(store, change);
  const rollbackNow = (): RollbackOp => store.get().rollback;

  return {
    subscribe: store.subscribe,
    get: store.get,
    async checkDrift(reconcile, queryClient) {
      if (store.get().drift.status === 'running') return store.get().drift;
      set({ drift: { status: 'running', reconcile } });
      try {
        const report = await client.runJob(
          'deploy.drift',
          { targets: ['all'], reconcile },
          { label: reconcile ? 'Drift check (reconcile)' : 'Drift check' },
        ).promise;
        set({ drift: { status: 'done', reconcile, report } });
      } catch (err) {
        set({ drift: { status: 'failed', reconcile, error: toAppError(err) } });
      }
      if (reconcile) await refreshDeployQueries(queryClient);
      return store.get().drift;
    },
    async runRollback(request, queryClient) {
      if (store.get().rollback.status === 'running') return store.get().rollback;
      set({
        rollback: {
          status: 'running',
          request,
          rows: pendingRows([{ deviceId: request.deviceId, deviceName: request.deviceName }], 0),
        },
      });
      try {
        const report = await client.runJob(
          'deploy.rollback',
          {
            targets: [request.deviceName],
            model: request.modelName,
            ...(request.toRelease === null ? {} : { toRelease: request.toRelease }),
          },
          {
            label: `Rolling back ${request.deviceName}`,
            onProgress: (p) => {
              const detail = deployProgressOf(p);
              const current = rollbackNow();
              if (detail && current.status === 'running')
                set({ rollback: { ...current, rows: applyProgress(current.rows, [detail]) } });
            },
          },
        ).promise;
        set({ rollback: { status: 'done', request, rows: rowsFromReport(report), report } });
      } catch (err) {
        const current = rollbackNow();
        set({
          rollback: {
            status: 'failed',
            request,
            rows: current.status === 'running' ? current.rows : [],
            error: toAppError(err),
          },
        });
      }
      await refreshDeployQueries(queryClient);
      return store.get().rollback;
    },
    dismissDrift() {
      if (store.get().drift.status !== 'running') set({ drift: { status: 'idle' } });
    },
    dismissRollback() {
      if (store.get().rollback.status !== 'running') set({ rollback: { status: 'idle' } });
    },
  };
}

const storeFor = perKey(createHistoryOpsStore);

export function useHistoryOps(): HistoryOps & Omit<OpsStore, 'subscribe' | 'get'> {
  return useSession<HistoryOps, OpsStore>(storeFor(useClient()));
}
