import type { z } from 'zod';
import {
  contract,
  type AnyEvent,
  type JobMethod,
  type JobResultOf,
  type Method,
  type Params,
  type PickedFile,
  type ResultOf,
} from '../../../shared/contract';
import { jobHandleSchema, type JobProgress } from '../../../shared/schemas/jobs';
import { AppError, toAppError } from '../../../shared/errors';
import { unwrap } from '../../../shared/result';
import { createElectronTransport, getBridge } from './electron-transport';
import { throttleLatest } from '../lib/session-store';
import { createJobStore, type ActiveJob, type JobStore } from './job-store';
import type { Transport, UploadOptions } from './transport';
import { createWebTransport } from './web-transport';

type RunJobOptions = {
  onProgress?: (progress: JobProgress) => void;
  /** Shown in the header's job indicator; the method name by default. */
  label?: string;
};

export type RunningJob<T> = {
  /** Resolves with the validated `job.done` result; rejects with an AppError (CANCELLED after cancel). */
  promise: Promise<T>;
  /** Asks main to stop the job; safe to call before main has answered with a jobId. */
  cancel(): Promise<void>;
};

export type Client = {
  readonly shell: Transport['kind'];
  call<M extends Method>(method: M, params: Params<M>): Promise<ResultOf<M>>;
  runJob<M extends JobMethod>(
    method: M,
    params: Params<M>,
    options?: RunJobOptions,
  ): RunningJob<JobResultOf<M>>;
  /** Native dialog (Electron) or the browser's file chooser + upload (web console). */
  pickModelFile(): Promise<PickedFile | null>;
  /** Calibration/evaluation data: native dialog (Electron) or the browser's chooser + upload (web console). */
  pickData(kind: 'file' | 'folder', options?: UploadOptions): Promise<PickedFile | null>;
  /** Only in the web console, where the page itself holds the File (own input, drag and drop). */
  readonly uploadFile: ((file: File) => Promise<PickedFile>) | null;
  /** Only in the web console: the files of a folder the page holds (`<input webkitdirectory>`). */
  readonly uploadFolder: ((files: readonly File[], options?: UploadOptions) => Promise<PickedFile>) | null;
  readonly jobs: JobStore;
};

/** Events for job ids we do not know yet are kept while the start call is in flight; this caps them. */
const maxBufferedEvents = 500;

type SchemaSpec = { result: z.ZodType; job?: z.ZodType };

function badAnswer(what: string, error: z.ZodError): AppError {
  const first = error.issues[0];
  const where = first ? ` (${first.path.join('.') || 'value'}: ${first.message})` : '';
  return new AppError(
    'INTERNAL',
    `Unexpected answer from main for ${what}${where}. The UI and the app may be out of date with each other; please report it.`,
  );
}

/** Electron's preload bridge when present, else the web console protocol of the page's own origin. */
export function createTransport(): Transport {
  const bridge = getBridge();
  return bridge ? createElectronTransport(bridge) : createWebTransport();
}

export function createClient(transport: Transport): Client {
  const jobs = createJobStore();

  const call = async <M extends Method>(method: M, params: Params<M>): Promise<ResultOf<M>> => {
    const value = unwrap(await transport.invoke(method, params));
    const spec: SchemaSpec = contract[method];
    const parsed = spec.result.safeParse(value);
    if (!parsed.success) throw badAnswer(method, parsed.error);
    // Parsed by this very method's schema, so it has this method's result type.
    return parsed.data as ResultOf<M>;
  };

  const runJob = <M extends JobMethod>(
    method: M,
    params: Params<M>,
    options: RunJobOptions = {},
  ): RunningJob<JobResultOf<M>> => {
    const spec: SchemaSpec = contract[method];
    let jobId: string | null = null;
    let cancelRequested = false;
    const key = jobs.add({
      jobId: null,
      method,
      label: options.label ?? method,
      phase: 'starting',
      percent: null,
    });

    // The header shows one line per job: the latest progress at most every 100 ms, not every event.
    const headerProgress = throttleLatest(100, (p: Pick<ActiveJob, 'phase' | 'percent' | 'message'>) =>
      jobs.update(key, p),
    );

    const promise = new Promise<JobResultOf<M>>((resolve, reject) => {
      // Subscribe before the call: a small job can finish before the call's answer arrives.
      const pending: AnyEvent[] = [];
      let finished = false;
      const finish = (settle: () => void) => {
        if (finished) return;
        finished = true;
        unsubscribe();
        headerProgress.stop();
        jobs.remove(key);
        settle();
      };

      const handle = (event: AnyEvent) => {
        if (event.payload.jobId !== jobId) return;
        switch (event.name) {
          case 'job.progress': {
            const { phase, percent, message } = event.payload;
            headerProgress.push({ phase, percent, message });
            options.onProgress?.(event.payload);
            return;
          }
          case 'job.done': {
            const parsed = (spec.job ?? spec.result).safeParse(event.payload.result);
            finish(() =>
              parsed.success
                ? resolve(parsed.data as JobResultOf<M>)
                : reject(badAnswer(`the result of ${method}`, parsed.error)),
            );
            return;
          }
          case 'job.failed': {
            const { code, message, details } = event.payload.error;
            finish(() => reject(new AppError(code, message, details)));
            return;
          }
        }
      };

      const unsubscribe = transport.subscribe((event) => {
        if (jobId !== null) {
          handle(event);
          return;
        }
        pending.push(event);
        if (pending.length > maxBufferedEvents) pending.shift();
      });

      const start = async () => {
        await transport.eventsReady?.();
        const value = unwrap(await transport.invoke(method, params));
        const parsed = jobHandleSchema.safeParse(value);
        if (!parsed.success) throw badAnswer(method, parsed.error);
        jobId = parsed.data.jobId;
        jobs.update(key, { jobId });
        // Replay what arrived while we waited; events of other jobs are dropped here.
        for (const event of pending.splice(0)) handle(event);
        if (cancelRequested && !finished) await call('jobs.cancel', { jobId });
      };
      start().catch((err: unknown) => finish(() => reject(toAppError(err))));
    });

    return {
      promise,
      async cancel() {
        if (jobId === null) {
          cancelRequested = true;
          return;
        }
        await call('jobs.cancel', { jobId });
      },
    };
  };

  return {
    shell: transport.kind,
    call,
    runJob,
    pickModelFile: () => transport.pickModelFile(),
    pickData: (kind, options) => transport.pickData(kind, options),
    uploadFile: transport.uploadFile ? transport.uploadFile.bind(transport) : null,
    uploadFolder: transport.uploadFolder ? transport.uploadFolder.bind(transport) : null,
    jobs,
  };
}
