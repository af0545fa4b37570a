import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { AppError } from '../../../shared/errors';
import type { ImportResult, Model } from '../../../shared/schemas/models';
import type { OptimizeRequest, Recipe } from '../../../shared/schemas/optimize';
import type { ProgressReport } from '../jobs/job-manager';
import type { Logger } from '../logger';
import type { ModelService } from '../models/model-service';
import { onnxRuntimeVersion } from '../runtime/ort-load-check';
import { startWorker } from '../workers/start-worker';
import type { AutoTarget } from './search/estimated-latency';
import { parseGoal } from './search/goal';
import type { WorkerMessage } from './optimize-worker';
import type { AutoRunOutcome, OptimizationJob, OptimizationOutcome } from './run-optimization';

/** How long a cancelled pass may take to notice before its thread is terminated. */
const cancelGraceMs = 2000;
/**
 * A cancelled auto search, distillation or QAT stores the best found so far: it needs a moment to finish the
 * batch, restore the best epoch and measure it.
 */
const keepBestCancelGraceMs = 60_000;
const keepsBestOnCancel = new Set(['auto', 'distill', 'qat', 'prune-channels']);

/**
 * Runs optimization passes in a worker thread (the main thread never blocks) and stores each result as a variant
 * of its parent, with the recipe and the reports. Cancel or failure leaves no file and no row behind.
 */
export class OptimizeService {
  constructor(
    private readonly models: ModelService,
    private readonly scratchRoot: string,
    private readonly logger: Logger,
    private readonly options: {
      estimationTarget?: (profileId: string, signal?: AbortSignal) => Promise<AutoTarget>;
    } = {},
  ) {}

  async optimize(
    request: OptimizeRequest,
    opts: { signal?: AbortSignal; onProgress?: (r: ProgressReport) => void } = {},
  ): Promise<ImportResult> {
    // A goal that does not parse fails before any work (exit 2 with the grammar on the CLI).
    let target: AutoTarget | undefined;
    if (request.options.method === 'auto') {
      parseGoal(request.options.config.goal);
      const id = request.options.config.target;
      if (id !== 'this-machine') {
        if (!this.options.estimationTarget) {
          throw new AppError(
            'BAD_REQUEST',
            `--target ${id}: no hardware profiles here; use --target this-machine.`,
          );
        }
        target = await this.options.estimationTarget(id, opts.signal);
      }
    }
    const parent = this.models.get(request.model);
    const parentBytes = new Uint8Array(await readFile(this.models.pathOf(parent)));
    const studentBytes = await this.libraryStudent(request);
    const scratchDir = join(this.scratchRoot, `optimize-${randomBytes(6).toString('hex')}`);
    try {
      const outcome = await this.inWorker(
        {
          parentBytes,
          options: request.options,
          calibration: request.calibration,
          evaluation: request.evaluation,
          scratchDir,
          ...(target ? { target } : {}),
          ...(studentBytes ? { studentBytes } : {}),
        },
        opts.signal,
        opts.onProgress ?? (() => undefined),
      );
      opts.onProgress?.({ phase: 'storing', percent: 99 });
      if (outcome.kind === 'auto') return await this.storeAuto(request, parent, outcome, opts.signal);
      const recipe: Recipe = {
        method: request.options.method,
        config: request.options.config,
        parentSha256: parent.sha256,
        calibration: outcome.calibration,
        evaluation: outcome.evaluation,
        onnxRuntimeVersion,
        edgefleetVersion: packageJson.version,
      };
      const stored = await this.models.addVariant(
        parent,
        outcome.bytes,
        {
          method: request.options.method,
          recipe,
          report: { pass: outcome.pass, fidelity: outcome.fidelity },
        },
        // A cancelled training's best epoch is stored although the job's signal is aborted.
        { name: request.name, signal: outcome.pass.training?.cancelled ? undefined : opts.signal },
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

  /**
   * Stores the recommended (or closest) candidate and the Pareto candidates worth keeping, each with the whole
   * search in its report; the first is the job's result. A cancelled search stores what it found (the report
   * says so). If storing one fails, the ones stored before it are removed again.
   */
  private async storeAuto(
    request: OptimizeRequest,
    parent: Model,
    outcome: AutoRunOutcome,
    signal: AbortSignal | undefined,
  ): Promise<ImportResult> {
    const report = outcome.report;
    const stored: ImportResult[] = [];
    try {
      for (const [i, kept] of outcome.kept.entries()) {
        const candidate = report.candidates.find((c) => c.id === kept.candidateId)!;
        const recipe: Recipe = {
          method: 'auto',
          config: {
            ...request.options.config,
            candidate: candidate.id,
            kind: candidate.kind,
            floatNodes: candidate.floatNodeNames,
          },
          parentSha256: parent.sha256,
          calibration: outcome.calibration,
          evaluation: outcome.evaluation,
          onnxRuntimeVersion,
          edgefleetVersion: packageJson.version,
        };
        const result = await this.models.addVariant(
          parent,
          kept.bytes,
          { method: kept.method, recipe, report: { pass: kept.pass, fidelity: kept.fidelity, auto: report } },
          {
            name: i === 0 ? request.name : undefined,
            signal: report.stoppedEarly === 'cancelled' ? undefined : signal,
          },
        );
        stored.push(result);
        candidate.savedAs = result.model.id;
      }
      // Every variant this search stored carries the search with the ids of all of them.
      for (const s of stored) {
        if (!s.existed) this.models.setReport(s.model.id, { ...s.model.report!, auto: report });
      }
    } catch (err) {
      for (const s of stored.filter((x) => !x.existed)) {
        await this.models.remove(s.model.id).catch(() => undefined);
      }
      throw err;
    }
    this.logger.info(
      { parent: parent.id, variants: stored.map((s) => s.model.id), verdict: report.verdict },
      'auto search stored',
    );
    return { ...stored[0]!, model: this.models.get(stored[0]!.model.id) };
  }

  /** `student: 'model:<id or name>'`: that library model's bytes (MODEL_NOT_FOUND before any work). */
  private async libraryStudent(request: OptimizeRequest): Promise<Uint8Array | undefined> {
    if (request.options.method !== 'distill') return undefined;
    const ref = /^model:(.+)$/.exec(request.options.config.student)?.[1];
    if (ref === undefined) return undefined;
    return new Uint8Array(await readFile(this.models.pathOf(this.models.get(ref))));
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
        const grace = keepsBestOnCancel.has(job.options.method) ? keepBestCancelGraceMs : cancelGraceMs;
        setTimeout(() => settle(() => reject(cancelled())), grace).unref();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'progress') {
          const { type: _type, ...report } = msg;
          if (!signal?.aborted) onProgress(report);
        } else if (msg.type === 'done') {
          // A cancelled auto search or training still hands back what it found, to be stored.
          const keep =
            msg.outcome.kind === 'auto'
              ? msg.outcome.kept.length > 0
              : msg.outcome.pass.training?.cancelled !== undefined;
          settle(() => (signal?.aborted && !keep ? reject(cancelled()) : resolve(msg.outcome)));
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
