import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, hostname } from 'node:os';
import { AppError } from '../../../shared/errors';
import { benchDtypeSchema } from '../../../shared/schemas/bench';
import type {
  BenchReport,
  BenchResult,
  BenchSettings,
  BenchTarget,
  Estimate,
  HardwareProfile,
  MeasuredPeaks,
  OptimizationLevel,
  ProfileImportResult,
  StopRule,
} from '../../../shared/schemas/bench';
import type { ProbeFacts } from '../../../shared/schemas/fleet';
import type { DataSpec } from '../../../shared/schemas/optimize';
import type { Model } from '../../../shared/schemas/models';
import type { SshTarget } from '../fleet/ssh';
import { connect } from '../fleet/ssh';
import { probeDevice } from '../fleet/probe';
import type { ProgressReport } from '../jobs/job-manager';
import { throwIfCancelled } from '../jobs/job-manager';
import type { Logger } from '../logger';
import type { ModelService } from '../models/model-service';
import type { AutoTarget } from '../optimize/search/estimated-latency';
import type { CostedModel } from './estimator/estimate';
import { builtinProfile, builtinProfiles } from './profiles/catalog';
import type { ProfileRepository } from './profiles/profile-repository';
import { thisMachineId, thisMachineProfile } from './profiles/this-machine';
import type { TensorrtBuild } from '../../../shared/schemas/deploy';
import type { RemoteRuntime } from './remote/remote-bench';
import { runRemoteBenchmark } from './remote/remote-bench';
import type { DimOverrides } from './runner/input-plan';
import { resolveInputs } from './runner/input-plan';
import type { SampleFeeds } from './runner/local-runner';
import { benchmarkLocal } from './runner/local-runner';
import type { BenchRepository } from './store/bench-repository';

/**
 * The estimator, calibration and sample data parse ONNX (protobuf), profile files YAML: they load on first use,
 * so a command that lists, shows or deploys does not evaluate them at start.
 */
const estimator = () => import('./estimator/estimate');

/** A device to benchmark on, as plain data (the fleet inventory resolves a device name into this). */
export type DeviceBenchTarget = {
  name: string;
  target: SshTarget;
  deployRoot: string;
  /** Last probe; probed afresh when null. */
  facts: ProbeFacts | null;
  /** The device's hardware profile id, if assigned: its estimates get corrected by this run. */
  profileId: string | null;
};

export type RunSettings = {
  /** ORT intra-op threads. Default: every core of the target (this machine, the profile, the device). */
  threads?: number;
  stop?: StopRule;
  warmupIterations?: number;
  optimizationLevel?: OptimizationLevel;
  dims?: DimOverrides;
  /** Per benchmark process. Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (report: ProgressReport) => void;
};

export type BenchOptions = RunSettings & {
  /** Profiles to estimate on (ids, or 'all' for every built-in and user profile). Default none. */
  profiles?: readonly string[] | 'all';
  /** Measure on this machine too. Default true. */
  local?: boolean;
  /** Resident-memory limit of each local benchmark process. Default: none. */
  memoryLimitBytes?: number | null;
  /**
   * Inputs from data (e.g. the model's evaluation set: .npy or images) instead of seeded random tensors; the
   * local runs cycle through up to `maxSamples` of them (default 16). Their shapes fix the free dimensions.
   */
  data?: DataSpec;
  maxSamples?: number;
};

export type DeviceBenchOptions = RunSettings & {
  runtime?: RemoteRuntime | 'auto';
  /** With runtime 'tensorrt': the engine's precision and DLA core (default fp16 on the GPU). */
  tensorrt?: Pick<TensorrtBuild, 'precision' | 'dlaCore'>;
  /** Remote directories with node_modules/onnxruntime-node (NODE_PATH), before <deployRoot>/runtime/node_modules. */
  nodeModulePaths?: readonly string[];
};

type ProfileEntry = HardwareProfile;

export type BenchServiceOptions = {
  /** Resolves a fleet device name for `--device` (the fleet inventory). */
  devices?: (ref: string) => DeviceBenchTarget;
  /** Scales calibration rounds (tests use less). Default 1. */
  calibrationEffort?: number;
};

export const defaultStop: StopRule = { kind: 'duration', ms: 2000, minIterations: 10 };
export const defaultWarmup = 5;
/** A calibration is reused this long (same host, threads and ORT version). */
const calibrationMaxAgeMs = 12 * 3600_000;

function localOrtVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)('onnxruntime-node/package.json') as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

export class BenchService {
  private readonly calibrations = new Map<number, Promise<MeasuredPeaks>>();

  constructor(
    private readonly models: ModelService,
    private readonly results: BenchRepository,
    private readonly userProfiles: ProfileRepository,
    private readonly tmpDir: string,
    private readonly logger: Logger,
    private readonly options: BenchServiceOptions = {},
  ) {
    mkdirSync(tmpDir, { recursive: true });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Profiles

  /** Built-in then user profiles ("this machine" is measured on request: `thisMachine()`). */
  listProfiles(): ProfileEntry[] {
    return [...builtinProfiles, ...this.userProfiles.list()];
  }

  /** A profile by id; "this-machine" calibrates (or reuses a recent calibration). */
  async profile(id: string, threads?: number): Promise<HardwareProfile> {
    if (id === thisMachineId) return this.thisMachine(threads);
    const found = builtinProfile(id) ?? this.userProfiles.byId(id);
    if (!found) {
      throw new AppError(
        'NOT_FOUND',
        `No hardware profile "${id}". List them with: edgefleet profiles list (or import one: edgefleet profiles import <file>).`,
      );
    }
    return found;
  }

  async importProfiles(path: string): Promise<ProfileImportResult> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new AppError(
        code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
        `Cannot read ${path} (${code ?? (err as Error).message}). Check the path.`,
      );
    }
    const reserved = new Set([thisMachineId, ...builtinProfiles.map((p) => p.id)]);
    const { parseProfileFile } = await import('./profiles/profile-file');
    const profiles = parseProfileFile(text, path, reserved);
    const imported = profiles.map((p) => ({ id: p.id, action: this.userProfiles.upsert(p, path) }));
    this.logger.info({ path, count: imported.length }, 'hardware profiles imported');
    return { file: path, imported };
  }

  removeProfile(id: string): { id: string } {
    if (builtinProfile(id) || id === thisMachineId) {
      throw new AppError('BAD_REQUEST', `"${id}" is a built-in profile and cannot be removed.`);
    }
    if (!this.userProfiles.remove(id)) throw new AppError('NOT_FOUND', `No user profile "${id}".`);
    return { id };
  }

  /** What the auto search needs to estimate latency on a profile (`optimize --method auto --target ID`). */
  async estimationTarget(id: string, signal?: AbortSignal): Promise<AutoTarget> {
    const profile = await this.profile(id);
    const machine = await this.thisMachine(undefined, { signal });
    return { profile, machine, correction: this.results.correctionFor(profile.id) };
  }

  /** This machine as a profile, calibrated at `threads` (default all cores) with ORT micro-runs. */
  async thisMachine(threads?: number, options: { recalibrate?: boolean; signal?: AbortSignal } = {}) {
    const t = Math.max(1, Math.min(threads ?? availableParallelism(), availableParallelism()));
    return thisMachineProfile(await this.calibration(t, options));
  }

  private calibration(threads: number, options: { recalibrate?: boolean; signal?: AbortSignal }) {
    const hostKey = `${hostname()}|${cpus()[0]?.model ?? '?'}|${availableParallelism()}`;
    const cached = options.recalibrate ? undefined : this.calibrations.get(threads);
    if (cached) return cached;
    const stored = options.recalibrate
      ? null
      : this.results.latestCalibration(hostKey, threads, localOrtVersion(), calibrationMaxAgeMs);
    const promise = stored
      ? Promise.resolve(stored)
      : import('./profiles/calibration')
          .then(({ calibrateThisMachine }) =>
            calibrateThisMachine({
              threads,
              tmpRoot: this.tmpDir,
              effort: this.options.calibrationEffort,
              signal: options.signal,
            }),
          )
          .then((peaks) => {
            this.results.saveCalibration(newId('cal'), hostKey, peaks);
            this.logger.info({ peaks }, 'this machine calibrated');
            return peaks;
          });
    this.calibrations.set(threads, promise);
    promise.catch(() => this.calibrations.delete(threads));
    return promise;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Benchmarks

  private settingsFor(model: Model, threads: number, options: RunSettings): BenchSettings {
    return {
      threads,
      optimizationLevel: options.optimizationLevel ?? 'all',
      warmupIterations: options.warmupIterations ?? defaultWarmup,
      stop: options.stop ?? defaultStop,
      inputs: resolveInputs(model.summary.inputs, options.dims),
      inputData: { kind: 'random', seed: 1 },
    };
  }

  private async profilesFor(selection: BenchOptions['profiles']): Promise<HardwareProfile[]> {
    if (selection === undefined) return [];
    if (selection === 'all') return this.listProfiles();
    return Promise.all(
      [...new Set(selection)].filter((id) => id !== thisMachineId).map((id) => this.profile(id)),
    );
  }

  private async analyse(model: Model, settings: BenchSettings, options: RunSettings): Promise<CostedModel> {
    const { analyzeModel } = await import('./estimator/analyze-model');
    const { costModel } = await estimator();
    const analysis = await analyzeModel(await readFile(this.models.pathOf(model)), settings.inputs, {
      label: model.name,
      level: settings.optimizationLevel,
      tmpRoot: this.tmpDir,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return costModel(analysis);
  }

  private record(
    model: Model,
    fields: Pick<BenchResult, 'source' | 'target' | 'profileId' | 'settings' | 'ortVersion' | 'runtime'> &
      Partial<Pick<BenchResult, 'measured' | 'estimate' | 'predictedMs'>>,
  ): BenchResult {
    const result: BenchResult = {
      id: newId('b'),
      createdAt: new Date().toISOString(),
      modelId: model.id,
      modelName: model.name,
      modelSha256: model.sha256,
      measured: null,
      estimate: null,
      predictedMs: null,
      ...fields,
    };
    this.results.insert(result);
    return result;
  }

  /**
   * Measures each model on this machine (child process per run) and estimates it on the chosen profiles; every
   * figure is stored. The local estimate is compared with the measurement: the estimator's own error here.
   */
  async run(refs: readonly string[], options: BenchOptions = {}): Promise<BenchReport> {
    if (refs.length === 0) throw new AppError('USAGE', 'Name at least one model to benchmark.');
    const models = refs.map((ref) => this.models.get(ref));
    const localThreads = Math.max(
      1,
      Math.min(options.threads ?? availableParallelism(), availableParallelism()),
    );
    // Settings first: a missing --dim fails before minutes of calibration and measuring.
    const settingsOf = new Map(
      options.data ? [] : models.map((m) => [m.id, this.settingsFor(m, localThreads, options)] as const),
    );
    const profiles = await this.profilesFor(options.profiles);
    const { estimateOn } = await estimator();
    const local = options.local ?? true;
    const wantsThisMachine =
      local || (Array.isArray(options.profiles) && options.profiles.includes(thisMachineId));
    const progress = options.onProgress ?? (() => undefined);
    const steps = models.length * (local ? 2 : 1) + 1;
    let step = 0;
    const tick = (phase: string, message?: string) =>
      progress({ phase, percent: Math.round((100 * step++) / steps), ...(message ? { message } : {}) });

    tick('calibrating', 'measuring this machine with ORT micro-benchmarks');
    const machine = await this.thisMachine(localThreads, { signal: options.signal });
    const results: BenchResult[] = [];
    const errorRows: BenchReport['estimatorError']['rows'] = [];
    for (const model of models) {
      throwIfCancelled(options.signal);
      let settings = settingsOf.get(model.id) ?? this.settingsFor(model, localThreads, options);
      let samples: SampleFeeds[] | undefined;
      if (options.data) {
        const data = await this.samplesFor(model, options.data, options.maxSamples ?? 16, options.signal);
        samples = data.samples;
        settings = { ...settings, inputs: data.inputs, inputData: data.inputData };
      }
      tick('analysing', model.name);
      const costed = await this.analyse(model, settings, options);
      const ortVersion = costed.analysis.ortVersion;
      const localEstimate = estimateOn(costed, machine, localThreads, { machine });
      if (local) {
        tick('measuring', model.name);
        const measured = await benchmarkLocal({
          modelPath: this.models.pathOf(model),
          label: model.name,
          settings,
          tmpRoot: this.tmpDir,
          memoryLimitBytes: options.memoryLimitBytes ?? null,
          samples,
          timeoutMs: options.timeoutMs,
          signal: options.signal,
        });
        results.push(
          this.record(model, {
            source: 'measured',
            target: { kind: 'local', id: thisMachineId, label: 'this machine' },
            profileId: thisMachineId,
            settings,
            ortVersion: measured.ortVersion,
            runtime: measured.runtime,
            measured,
            predictedMs: localEstimate.latencyMs,
          }),
        );
        errorRows.push({
          modelName: model.name,
          predictedMs: localEstimate.latencyMs,
          measuredMs: measured.latency.p50Ms,
          errorPct: round1(
            ((localEstimate.latencyMs - measured.latency.p50Ms) / measured.latency.p50Ms) * 100,
          ),
        });
      }
      const estimates: [HardwareProfile, Estimate][] = profiles.map((p) => [
        p,
        estimateOn(costed, p, options.threads ?? p.cores, {
          machine,
          correction: this.results.correctionFor(p.id),
        }),
      ]);
      if (wantsThisMachine && !local) estimates.unshift([machine, localEstimate]);
      for (const [profile, estimate] of estimates) {
        const target: BenchTarget = { kind: 'profile', id: profile.id, label: profile.name };
        results.push(
          this.record(model, {
            source: 'estimated',
            target,
            profileId: profile.id,
            settings: { ...settings, threads: estimate.threads },
            ortVersion,
            runtime: 'estimator',
            estimate,
          }),
        );
      }
    }
    tick('done');
    const abs = errorRows.map((r) => Math.abs(r.errorPct)).sort((a, b) => a - b);
    return {
      results,
      estimatorError: { rows: errorRows, medianAbsErrorPct: abs.length === 0 ? null : round1(median(abs)) },
    };
  }

  /** Up to `max` samples of `data` for this model, with the input shapes and data hash they define. */
  private async samplesFor(model: Model, data: DataSpec, max: number, signal?: AbortSignal) {
    const [{ decodeModel }, { openSampleSource }] = await Promise.all([
      import('../onnx'),
      import('../optimize/data'),
    ]);
    const proto = decodeModel(await readFile(this.models.pathOf(model)));
    const source = await openSampleSource(data, proto, { maxSamples: max, ...(signal ? { signal } : {}) });
    const samples: SampleFeeds[] = [];
    for await (const sample of source.read()) samples.push(sample);
    const first = samples[0];
    if (!first) throw new AppError('DATA_EMPTY', `${source.description} holds no samples to benchmark with.`);
    const inputs = Object.entries(first).map(([name, t]) => ({
      name,
      dtype: benchDtypeSchema.parse(t.type),
      dims: [...t.dims],
    }));
    return {
      samples,
      inputs,
      inputData: { kind: 'samples' as const, sha256: source.sha256, count: samples.length },
    };
  }

  /** The device to benchmark on, from the fleet inventory. */
  resolveDevice(ref: string): DeviceBenchTarget {
    if (!this.options.devices) {
      throw new AppError(
        'BAD_REQUEST',
        'Benchmarking on a device needs the fleet inventory, which is not available here.',
      );
    }
    return this.options.devices(ref);
  }

  /**
   * Measures one model on a device over SSH and stores it as measured on that device. With a profile, the
   * estimate for that profile is recorded next to it: later estimates for the profile are corrected by it.
   */
  async runOnDevice(
    ref: string,
    device: DeviceBenchTarget,
    options: DeviceBenchOptions = {},
  ): Promise<BenchResult> {
    const model = this.models.get(ref);
    const progress = options.onProgress ?? (() => undefined);
    progress({ phase: 'connecting', percent: 5, message: device.name });
    const conn = await connect(device.target, { signal: options.signal });
    try {
      const facts = device.facts ?? (await probeDevice(conn, { deployRoot: device.deployRoot }));
      const threads = options.threads ?? facts.cpu.cores ?? 1;
      const settings = this.settingsFor(model, threads, options);
      progress({ phase: 'measuring', percent: 20, message: `${model.name} on ${device.name}` });
      const { measured } = await runRemoteBenchmark(conn, {
        modelPath: this.models.pathOf(model),
        label: model.name,
        settings,
        deployRoot: device.deployRoot,
        facts,
        freeDims: freeDimValues(model, settings),
        runtime: options.runtime,
        tensorrt: options.tensorrt,
        nodeModulePaths: options.nodeModulePaths,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
      });
      let predictedMs: number | null = null;
      // The profiles model CPUs: a TensorRT figure (GPU, DLA) must not correct their estimates.
      const profile =
        device.profileId === null || measured.runtime === 'tensorrt-trtexec'
          ? undefined
          : await this.knownProfile(device.profileId);
      if (profile) {
        progress({ phase: 'estimating', percent: 80, message: profile.name });
        const machine = await this.thisMachine(undefined, { signal: options.signal });
        const costed = await this.analyse(model, settings, options);
        const { estimateOn } = await estimator();
        // Uncorrected: the correction is measured ÷ this.
        predictedMs = estimateOn(costed, profile, threads, { machine }).latencyMs;
      }
      const result = this.record(model, {
        source: 'measured',
        target: { kind: 'device', id: device.name, label: `measured on ${device.name}` },
        profileId: profile?.id ?? null,
        settings,
        ortVersion: measured.ortVersion,
        runtime: measured.runtime,
        measured,
        predictedMs,
      });
      progress({ phase: 'done', percent: 100 });
      return result;
    } finally {
      await conn.close();
    }
  }

  private async knownProfile(id: string): Promise<HardwareProfile | undefined> {
    try {
      return await this.profile(id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') {
        this.logger.warn({ profile: id }, 'device profile unknown: no estimate recorded');
        return undefined;
      }
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Results

  list(
    filter: { model?: string; target?: Pick<BenchTarget, 'kind' | 'id'>; limit?: number } = {},
  ): BenchResult[] {
    const modelId = filter.model === undefined ? undefined : this.models.get(filter.model).id;
    return this.results.list({ modelId, target: filter.target, limit: filter.limit });
  }

  /** Measured results of a model on a target, oldest first (with ORT version and date on each). */
  history(ref: string, target: Pick<BenchTarget, 'kind' | 'id'>): BenchResult[] {
    return this.results.history(this.models.get(ref).id, target);
  }

  correctionFor(profileId: string) {
    return this.results.correctionFor(profileId);
  }
}

/** Named symbolic dims of the model's inputs with the values the settings chose (for perf_test's -f). */
function freeDimValues(model: Model, settings: BenchSettings): Record<string, number> {
  const out: Record<string, number> = {};
  for (const input of model.summary.inputs) {
    const dims = settings.inputs.find((i) => i.name === input.name)?.dims;
    input.shape?.forEach((d, axis) => {
      const v = dims?.[axis];
      if (typeof d === 'string' && v !== undefined) out[d] = v;
    });
  }
  return out;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
