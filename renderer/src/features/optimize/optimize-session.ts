import type { QueryClient } from '@tanstack/react-query';
import { AppError, toAppError } from '../../../../shared/errors';
import type { ImportResult } from '../../../../shared/schemas/models';
import type { Client, RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { createStore, patch, perKey, throttleLatest, useSession } from '../../lib/session-store';
import type { UploadProgress } from '../../api/transport';
import type { JobProgress } from '../../../../shared/schemas/jobs';
import { trainingProgressSchema, type TrainingProgress } from '../../../../shared/schemas/optimize';
import {
  buildRunParams,
  defaultForm,
  methodLabels,
  usesCalibration,
  type DataChoice,
  type OptimizeForm,
} from './optimize-form';

/** What the run did with the form it was given: shown with its result, and the base of a re-run. */
type RunRequest = { form: OptimizeForm & { modelId: string }; modelName: string };

export type RunState =
  | { status: 'idle' }
  | ({ status: 'uploading'; what: 'calibration' | 'evaluation'; request: RunRequest } & UploadProgress)
  | {
      status: 'running';
      phase: string;
      percent: number | null;
      message?: string;
      /** A training's live state (epoch, ETA, curves); kept between events that carry none. */
      training: TrainingProgress | null;
      request: RunRequest;
    }
  | { status: 'done'; result: ImportResult; request: RunRequest }
  | { status: 'failed'; error: AppError; request: RunRequest };

type OptimizeSession = {
  form: OptimizeForm;
  run: RunState;
};

type SessionStore = {
  subscribe(listener: () => void): () => void;
  get(): OptimizeSession;
  setForm(update: (form: OptimizeForm) => OptimizeForm): void;
  start(form: OptimizeForm & { modelId: string }, modelName: string, queryClient: QueryClient): Promise<void>;
  cancel(): void;
  dismiss(): void;
};

/** The Optimize page's form and its run, one per client (window): a run goes on while the user looks away. */
function createOptimizeSessionStore(client: Client): SessionStore {
  const store = createStore<OptimizeSession>({ form: defaultForm(), run: { status: 'idle' } });
  const set = (change: Partial<OptimizeSession>) => patch(store, change);
  let job: RunningJob<ImportResult> | null = null;
  let uploads: AbortController | null = null;
  let stopProgress = () => {};

  /** A fresh file reference for one run: main releases data references when a run ends. */
  const acquire = async (
    choice: DataChoice,
    what: 'calibration' | 'evaluation',
    request: RunRequest,
    signal: AbortSignal,
  ): Promise<string | null> => {
    if (choice.kind !== 'data' || !choice.source) return null;
    const source = choice.source;
    if (source.origin === 'dialog') return source.picked.fileRef;
    const total = { filesTotal: source.files.length, bytesTotal: source.sizeBytes };
    set({ run: { status: 'uploading', what, request, filesSent: 0, bytesSent: 0, ...total } });
    if (source.mode === 'file') {
      const [file] = source.files;
      if (!file || !client.uploadFile) throw new AppError('BAD_REQUEST', 'This window cannot upload files.');
      const picked = await client.uploadFile(file);
      if (signal.aborted) throw new AppError('CANCELLED', 'Upload cancelled. Nothing was run.');
      return picked.fileRef;
    }
    if (!client.uploadFolder) throw new AppError('BAD_REQUEST', 'This window cannot upload folders.');
    const picked = await client.uploadFolder(source.files, {
      signal,
      onProgress: (p) => set({ run: { status: 'uploading', what, request, ...p } }),
    });
    return picked.fileRef;
  };

  return {
    subscribe: store.subscribe,
    get: store.get,
    setForm(update) {
      const form = update(store.get().form);
      const run = store.get().run;
      // A failure is about the model and the data it ran with: once either changes it no longer applies
      // (a DATA_SHAPE_MISMATCH left standing would blame the new choice).
      const ran = run.status === 'failed' ? run.request.form : null;
      const stale =
        ran !== null &&
        ((form.modelId ?? ran.modelId) !== ran.modelId ||
          form.calibration !== ran.calibration ||
          form.evaluation !== ran.evaluation);
      set(stale ? { form, run: { status: 'idle' } } : { form });
    },
    async start(form, modelName, queryClient) {
      const status = store.get().run.status;
      if (status === 'uploading' || status === 'running') return;
      const request: RunRequest = { form, modelName };
      const controller = new AbortController();
      uploads = controller;
      try {
        const calibration = usesCalibration(form.method)
          ? await acquire(form.calibration, 'calibration', request, controller.signal)
          : null;
        const evaluation = await acquire(form.evaluation, 'evaluation', request, controller.signal);
        uploads = null;
        set({ run: { status: 'running', phase: 'starting', percent: null, training: null, request } });
        // Calibration reports every sample: show the latest at most every 100 ms, not thousands per second.
        const progress = throttleLatest(100, (p: JobProgress) => {
          const run = store.get().run;
          if (run.status === 'running') {
            const detail = trainingProgressSchema.safeParse(p.detail);
            const training = detail.success ? detail.data : run.training;
            set({
              run: {
                status: 'running',
                phase: p.phase,
                percent: p.percent,
                message: p.message,
                training,
                request,
              },
            });
          }
        });
        const running = client.runJob('optimize.run', buildRunParams(form, { calibration, evaluation }), {
          label: `Optimizing ${modelName} (${form.method === 'auto' ? 'auto search' : methodLabels[form.method]})`,
          onProgress: progress.push,
        });
        stopProgress = progress.stop;
        job = running;
        const result = await running.promise;
        await queryClient.invalidateQueries({ queryKey: callKey('models.list') });
        // A name is for one variant: the next run starts from the default name again.
        set({ run: { status: 'done', result, request }, form: { ...store.get().form, name: '' } });
      } catch (err) {
        set({ run: { status: 'failed', error: toAppError(err), request } });
      } finally {
        stopProgress();
        job = null;
        uploads = null;
      }
    },
    cancel() {
      uploads?.abort();
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

const storeFor = perKey(createOptimizeSessionStore);

export function useOptimizeSession(): OptimizeSession & Omit<SessionStore, 'subscribe' | 'get'> {
  return useSession<OptimizeSession, SessionStore>(storeFor(useClient()));
}
