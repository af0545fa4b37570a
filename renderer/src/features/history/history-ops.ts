import type { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { DeploymentReport, DriftReport } from '../../../../shared/schemas/deploy';
import type { Client } from '../../api/client';
import { useClient } from '../../api/client-context';
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

export type HistoryOps = { drift: DriftOp; rollback: RollbackOp };

type OpsStore = {
  subscribe(listener: () => void): () => void;
  get(): HistoryOps;
  checkDrift(reconcile: boolean, queryClient: QueryClient): Promise<DriftOp>;
  runRollback(request: RollbackRequest, queryClient: QueryClient): Promise<RollbackOp>;
  dismissDrift(): void;
  dismissRollback(): void;
};

/** Drift checks and rollbacks go on (and their results wait) while the user looks at other pages. */
const stores = new WeakMap<Client, OpsStore>();

export function createHistoryOpsStore(client: Client): OpsStore {
  let ops: HistoryOps = { drift: { status: 'idle' }, rollback: { status: 'idle' } };
  const rollbackNow = (): RollbackOp => ops.rollback;
  const listeners = new Set<() => void>();
  const set = (patch: Partial<HistoryOps>) => {
    ops = { ...ops, ...patch };
    for (const listener of [...listeners]) listener();
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get: () => ops,
    async checkDrift(reconcile, queryClient) {
      if (ops.drift.status === 'running') return ops.drift;
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
      return ops.drift;
    },
    async runRollback(request, queryClient) {
      if (ops.rollback.status === 'running') return ops.rollback;
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
      return ops.rollback;
    },
    dismissDrift() {
      if (ops.drift.status !== 'running') set({ drift: { status: 'idle' } });
    },
    dismissRollback() {
      if (ops.rollback.status !== 'running') set({ rollback: { status: 'idle' } });
    },
  };
}

function storeFor(client: Client): OpsStore {
  let store = stores.get(client);
  if (!store) {
    store = createHistoryOpsStore(client);
    stores.set(client, store);
  }
  return store;
}

export function useHistoryOps(): HistoryOps & Omit<OpsStore, 'subscribe' | 'get'> {
  const store = storeFor(useClient());
  const ops = useSyncExternalStore(store.subscribe, store.get);
  return {
    ...ops,
    checkDrift: store.checkDrift,
    runRollback: store.runRollback,
    dismissDrift: store.dismissDrift,
    dismissRollback: store.dismissRollback,
  };
}
