import type { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { AppError, toAppError } from '../../../../shared/errors';
import type { ImportResult } from '../../../../shared/schemas/models';
import type { Client, RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
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
export type RunRequest = { form: OptimizeForm & { modelId: string }; modelName: string };

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

export type OptimizeSession = {
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

/**
 * The Optimize page's form and its run live outside React, one per client (window): a run goes on, and its
 * result waits, while the user looks at other pages.
 */
const stores = new WeakMap<Client, SessionStore>();

function createSessionStore(client: Client): SessionStore {
  let session: OptimizeSession = { form: defaultForm(), run: { status: 'idle' } };
  const listeners = new Set<() => void>();
  const set = (patch: Partial<OptimizeSession>) => {
    session = { ...session, ...patch };
    for (const listener of [...listeners]) listener();
  };
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
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get: () => session,
    setForm(update) {
      const form = update(session.form);
      const run = session.run;
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
      if (session.run.status === 'uploading' || session.run.status === 'running') return;
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
        const progress = coalesce(100, (p: JobProgress) => {
          if (session.run.status === 'running') {
            const detail = trainingProgressSchema.safeParse(p.detail);
            const training = detail.success ? detail.data : session.run.training;
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
        set({ run: { status: 'done', result, request }, form: { ...session.form, name: '' } });
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
        const run = session.run;
        if (run.status === 'running')
          set({ run: { status: 'failed', error: toAppError(err), request: run.request } });
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
    store = createSessionStore(client);
    stores.set(client, store);
  }
  return store;
}

export function useOptimizeSession(): OptimizeSession & Omit<SessionStore, 'subscribe' | 'get'> {
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

/** Passes on the first value at once, then the latest one at most every `ms`; `stop` drops what is pending. */
function coalesce<T>(
  ms: number,
  deliver: (value: T) => void,
): { push: (value: T) => void; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { value: T } | null = null;
  let last = 0;
  const flush = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    deliver(value);
  };
  return {
    push(value) {
      pending = { value };
      if (timer !== null) return;
      const wait = Math.max(0, last + ms - Date.now());
      if (wait === 0) flush();
      else timer = setTimeout(flush, wait);
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
