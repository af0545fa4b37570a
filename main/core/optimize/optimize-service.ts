import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { AppError } from '../../../shared/errors';
import type { ImportResult } from '../../../shared/schemas/models';
import type { OptimizeRequest, Recipe } from '../../../shared/schemas/optimize';
import type { ProgressReport } from '../jobs/job-manager';
import type { Logger } from '../logger';
import type { ModelService } from '../models/model-service';
import { onnxRuntimeVersion } from '../runtime/ort-load-check';
import { startWorker } from '../workers/start-worker';
import type { WorkerMessage } from './optimize-worker';
import type { OptimizationJob, OptimizationOutcome } from './run-optimization';

/** How long a cancelled pass may take to notice before its thread is terminated. */
const cancelGraceMs = 2000;

/**
 * Runs optimization passes in a worker thread (the main thread never blocks) and stores each result as a variant
 * of its parent, with the recipe and the reports. Cancel or failure leaves no file and no row behind.
 */
export class OptimizeService {
  constructor(
    private readonly models: ModelService,
    private readonly scratchRoot: string,
    private readonly logger: Logger,
  ) {}

  async optimize(
    request: OptimizeRequest,
    opts: { signal?: AbortSignal; onProgress?: (r: ProgressReport) => void } = {},
  ): Promise<ImportResult> {
    const parent = this.models.get(request.model);
    const parentBytes = new Uint8Array(await readFile(this.models.pathOf(parent)));
    const scratchDir = join(this.scratchRoot, `optimize-${randomBytes(6).toString('hex')}`);
    try {
      const outcome = await this.inWorker(
        {
          parentBytes,
          options: request.options,
          calibration: request.calibration,
          evaluation: request.evaluation,
          scratchDir,
        },
        opts.signal,
        opts.onProgress ?? (() => undefined),
      );
      const recipe: Recipe = {
        method: request.options.method,
        config: request.options.config,
        parentSha256: parent.sha256,
        calibration: outcome.calibration,
        evaluation: outcome.evaluation,
        onnxRuntimeVersion,
        edgefleetVersion: packageJson.version,
      };
      opts.onProgress?.({ phase: 'storing', percent: 99 });
      const stored = await this.models.addVariant(
        parent,
        outcome.bytes,
        {
          method: request.options.method,
          recipe,
          report: { pass: outcome.pass, fidelity: outcome.fidelity },
        },
        { name: request.name, signal: opts.signal },
      );
      this.logger.info(
        { parent: parent.id, variant: stored.model.id, method: recipe.method },
        'variant stored',
      );
      return stored;
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  }

  private inWorker(
    job: OptimizationJob,
    signal: AbortSignal | undefined,
    onProgress: (r: ProgressReport) => void,
  ): Promise<OptimizationOutcome> {
    if (signal?.aborted) return Promise.reject(cancelled());
    const worker = startWorker('optimize-worker', new URL('./optimize-worker.ts', import.meta.url));
    return new Promise<OptimizationOutcome>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        void worker.terminate();
        fn();
      };
      const onAbort = () => {
        worker.postMessage({ type: 'cancel' });
        setTimeout(() => settle(() => reject(cancelled())), cancelGraceMs).unref();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'progress') {
          if (!signal?.aborted) onProgress({ phase: msg.phase, percent: msg.percent, message: msg.message });
        } else if (msg.type === 'done') {
          settle(() => (signal?.aborted ? reject(cancelled()) : resolve(msg.outcome)));
        } else {
          settle(() => reject(new AppError(msg.error.code, msg.error.message, msg.error.details)));
        }
      });
      worker.on('error', (err) => settle(() => reject(err)));
      worker.on('exit', (code) =>
        settle(() =>
          reject(new AppError('INTERNAL', `The optimizer stopped unexpectedly (exit code ${code}).`)),
        ),
      );
      worker.postMessage({ type: 'run', job }, [job.parentBytes.buffer as ArrayBuffer]);
    });
  }
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'Optimization cancelled. No variant was stored.');
}
