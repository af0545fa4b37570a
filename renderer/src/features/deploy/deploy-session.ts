import type { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { DeploymentReport, DeployPreview, DeployProgress } from '../../../../shared/schemas/deploy';
import type { Client, RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { buildDeployParams, defaultDeployForm, type DeployForm } from './deploy-form';
import {
  applyProgress,
  deployProgressOf,
  pendingRows,
  rowsFromReport,
  type RolloutRow,
} from './rollout-rows';

/** What was asked, kept with the run: the form may change while it goes on. */
export type DeployRequest = {
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

export type DeploySession = { form: DeployForm; run: DeployRun };

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
export const deployQueryKeys = [
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
 * The Deploy page's form and its rollout live outside React, one per client (window): a rollout goes on,
 * and its rows keep moving, while the user looks at other pages.
 */
const stores = new WeakMap<Client, SessionStore>();

export function createDeploySessionStore(client: Client): SessionStore {
  let session: DeploySession = { form: defaultDeployForm(), run: { status: 'idle' } };
  const listeners = new Set<() => void>();
  const set = (patch: Partial<DeploySession>) => {
    session = { ...session, ...patch };
    for (const listener of [...listeners]) listener();
  };
  const current = (): DeployRun => session.run;
  let job: RunningJob<DeploymentReport> | null = null;
  let buffered: DeployProgress[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    timer = null;
    const run = session.run;
    const events = buffered;
    buffered = [];
    if (run.status !== 'running' || events.length === 0) return;
    const deploymentId = run.deploymentId ?? events[0]?.deploymentId ?? null;
    set({ run: { ...run, rows: applyProgress(run.rows, events), deploymentId } });
  };

  const push = (progress: DeployProgress) => {
    buffered.push(progress);
    if (timer === null) timer = setTimeout(flush, flushEveryMs);
  };

  const stopFlushing = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

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
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get: () => session,
    setForm(update) {
      set({ form: update(session.form) });
    },
    async start(form, modelName, preview, queryClient) {
      if (session.run.status === 'running') return;
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
      buffered = [];
      try {
        const running = client.runJob('deploy.run', params, {
          label: `Deploying ${modelName}`,
          onProgress: (p) => {
            const detail = deployProgressOf(p);
            if (detail) push(detail);
          },
        });
        job = running;
        const report = await running.promise;
        stopFlushing();
        buffered = [];
        set({ run: { status: 'done', request, rows: rowsFromReport(report), report } });
      } catch (err) {
        flush();
        stopFlushing();
        // Read again: the run moved on (progress) while the job ran.
        const run = current();
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
      const run = session.run;
      if (run.status !== 'running' || run.cancelling) return;
      set({ run: { ...run, cancelling: true } });
      void job?.cancel().catch(() => {
        // The job may have just ended; its own outcome is what the page shows.
      });
    },
    dismiss() {
      if (session.run.status === 'done' || session.run.status === 'failed') set({ run: { status: 'idle' } });
    },
  };
}

function storeFor(client: Client): SessionStore {
  let store = stores.get(client);
  if (!store) {
    store = createDeploySessionStore(client);
    stores.set(client, store);
  }
  return store;
}

export function useDeploySession(): DeploySession & Omit<SessionStore, 'subscribe' | 'get'> {
  const store = storeFor(useClient());
  const session = useSyncExternalStore(store.subscribe, store.get);
  return {
    ...session,
    setForm: store.setForm,
    start: store.start,
    cancel: store.cancel,
    dismiss: store.dismiss,
  };
}
