import type { QueryClient } from '@tanstack/react-query';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { DeploymentReport, DeployPreview, DeployProgress } from '../../../../shared/schemas/deploy';
import type { Client, RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { createStore, patch, perKey, throttle, useSession } from '../../lib/session-store';
import { buildDeployParams, defaultDeployForm, type DeployForm } from './deploy-form';
import {
  applyProgress,
  deployProgressOf,
  pendingRows,
  rowsFromReport,
  type RolloutRow,
} from './rollout-rows';

/** What was asked, kept with the run: the form may change while it goes on. */
type DeployRequest = {
  modelId: string;
  modelName: string;
  targets: string[];
  sizeBytes: number;
};

export type DeployRun =
  | { status: 'idle' }
  | {
      status: 'running';
      request: DeployRequest;
      rows: RolloutRow[];
      deploymentId: string | null;
      cancelling: boolean;
    }
  | { status: 'done'; request: DeployRequest; rows: RolloutRow[]; report: DeploymentReport }
  | {
      status: 'failed';
      request: DeployRequest;
      rows: RolloutRow[];
      deploymentId: string | null;
      error: AppError;
    };

type DeploySession = { form: DeployForm; run: DeployRun };

type SessionStore = {
  subscribe(listener: () => void): () => void;
  get(): DeploySession;
  setForm(update: (form: DeployForm) => DeployForm): void;
  start(
    form: DeployForm & { modelId: string },
    modelName: string,
    preview: DeployPreview,
    queryClient: QueryClient,
  ): Promise<void>;
  cancel(): void;
  dismiss(): void;
};

/** Rows repaint at most this often: 50 devices uploading at once send ~500 events a second. */
const flushEveryMs = 100;

/** Everything that reads what runs where: stale once a rollout ends, whatever its outcome. */
const deployQueryKeys = [
  ['deploy.status'],
  ['deploy.history'],
  ['deploy.preview'],
  ['deploy.report'],
  ['devices.list'],
] as const;

export async function refreshDeployQueries(queryClient: QueryClient): Promise<void> {
  await Promise.all(deployQueryKeys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

/**
 * The Deploy page's form and its rollout, one per client (window): a rollout goes on, and its rows keep
 * moving, while the user looks at other pages.
 */
export function createDeploySessionStore(client: Client): SessionStore {
  const store = createStore<DeploySession>({ form: defaultDeployForm(), run: { status: 'idle' } });
  const set = (change: Partial<DeploySession>) => patch(store, change);
  let job: RunningJob<DeploymentReport> | null = null;
  // Every device's events count (each moves its own row), so all are kept, and the first waits for company.
  const progress = throttle<DeployProgress>(
    flushEveryMs,
    (events) => {
      const run = store.get().run;
      if (run.status !== 'running') return;
      const deploymentId = run.deploymentId ?? events[0]?.deploymentId ?? null;
      set({ run: { ...run, rows: applyProgress(run.rows, events), deploymentId } });
    },
    { leading: false },
  );

  /** After a failed or cancelled job: the recorded outcome per device, when main got as far as recording one. */
  const recordedRows = async (deploymentId: string | null): Promise<RolloutRow[] | null> => {
    if (deploymentId === null) return null;
    try {
      return rowsFromReport(await client.call('deploy.report', { id: deploymentId }));
    } catch {
      return null;
    }
  };

  return {
    subscribe: store.subscribe,
    get: store.get,
    setForm(update) {
      set({ form: update(store.get().form) });
    },
    async start(form, modelName, preview, queryClient) {
      if (store.get().run.status === 'running') return;
      const params = buildDeployParams(form);
      const request: DeployRequest = {
        modelId: form.modelId,
        modelName,
        targets: params.targets,
        sizeBytes: preview.sizeBytes,
      };
      set({
        run: {
          status: 'running',
          request,
          rows: pendingRows(preview.devices, preview.sizeBytes),
          deploymentId: null,
          cancelling: false,
        },
      });
      progress.stop();
      try {
        const running = client.runJob('deploy.run', params, {
          label: `Deploying ${modelName}`,
          onProgress: (p) => {
            const detail = deployProgressOf(p);
            if (detail) progress.push(detail);
          },
        });
        job = running;
        const report = await running.promise;
        progress.stop();
        set({ run: { status: 'done', request, rows: rowsFromReport(report), report } });
      } catch (err) {
        progress.flush();
        // Read again: the run moved on (progress) while the job ran.
        const run = store.get().run;
        const rows = run.status === 'running' ? run.rows : [];
        const deploymentId = run.status === 'running' ? run.deploymentId : null;
        const recorded = await recordedRows(deploymentId);
        set({
          run: {
            status: 'failed',
            request,
            rows: recorded ?? rows,
            deploymentId,
            error: toAppError(err),
          },
        });
      } finally {
        job = null;
        await refreshDeployQueries(queryClient);
      }
    },
    cancel() {
      const run = store.get().run;
      if (run.status !== 'running' || run.cancelling) return;
      set({ run: { ...run, cancelling: true } });
      void job?.cancel().catch(() => {
        // The job may have just ended; its own outcome is what the page shows.
      });
    },
    dismiss() {
      const status = store.get().run.status;
      if (status === 'done' || status === 'failed') set({ run: { status: 'idle' } });
    },
  };
}

const storeFor = perKey(createDeploySessionStore);

export function useDeploySession(): DeploySession & Omit<SessionStore, 'subscribe' | 'get'> {
  return useSession<DeploySession, SessionStore>(storeFor(useClient()));
}
