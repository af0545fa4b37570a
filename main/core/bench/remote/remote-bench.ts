import { randomBytes } from 'node:crypto';
import { AppError } from '../../../../shared/errors';
import type { BenchSettings, MeasuredRun } from '../../../../shared/schemas/bench';
import { tensorrtBuildSchema, type TensorrtBuild } from '../../../../shared/schemas/deploy';
import type { ProbeFacts } from '../../../../shared/schemas/fleet';
import type { SshConnection } from '../../fleet/ssh';
import type { ChildConfig } from '../runner/child-protocol';
import { parseChildOutput } from '../runner/child-protocol';
import { measuredRunFrom } from '../runner/local-runner';
import { nodeRunnerFileName, nodeRunnerSource } from '../runner/node-runner';
import { pythonRunnerFileName, pythonRunnerSource } from '../runner/python-runner';
import { failureError } from '../runner/run-child';
import { parsePerfTestOutput, perfTestArgs } from './perf-test';
import { runTrtexecBenchmark } from './trtexec-bench';

/**
 * Benchmarks a model file on a device over SSH with the runtime the probe found:
 *   python3 + onnxruntime  → the Python runner (python-runner.ts)
 *   node + onnxruntime-node → the Node runner, with NODE_PATH = the given paths + <deployRoot>/runtime/node_modules
 *   onnxruntime_perf_test  → ORT's own tool (perf-test.ts)
 *   trtexec                → NVIDIA TensorRT (trtexec-bench.ts), only when asked for: runtime 'tensorrt'
 * The model, the runner and its config go to a fresh directory under <deployRoot>/.edgefleet-bench/, removed
 * afterwards whatever happens. Installing onnxruntime-node on a device:
 *   npm install --prefix <deployRoot>/runtime onnxruntime-node@<version>
 */

export type RemoteRuntime = 'python' | 'node' | 'perf_test' | 'tensorrt';

export type RemoteBenchOptions = {
  /** Local path of the model file to upload. */
  modelPath: string;
  /** The model's name, for messages. */
  label: string;
  settings: BenchSettings;
  deployRoot: string;
  facts: ProbeFacts;
  /** Default: auto (python, then node, then perf_test). */
  runtime?: RemoteRuntime | 'auto';
  /** Remote directories put on NODE_PATH before <deployRoot>/runtime/node_modules. */
  nodeModulePaths?: readonly string[];
  /** Named free dimensions and their values (for onnxruntime_perf_test's -f). */
  freeDims?: Readonly<Record<string, number>>;
  /** The TensorRT engine to build and run (runtime 'tensorrt'); default fp16 on the GPU. */
  tensorrt?: Pick<TensorrtBuild, 'precision' | 'dlaCore'>;
  /** Whole run (upload, load, runs). Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

type RemoteBenchResult = { measured: MeasuredRun; runtime: RemoteRuntime };

const defaultTimeoutMs = 10 * 60_000;

function nodePath(options: RemoteBenchOptions): string {
  return [...(options.nodeModulePaths ?? []), `${options.deployRoot}/runtime/node_modules`].join(':');
}

/** Whether onnxruntime-node resolves on the device with our NODE_PATH. */
async function nodeOrtResolves(conn: SshConnection, options: RemoteBenchOptions): Promise<boolean> {
  const result = await conn.exec(
    {
      script: `NODE_PATH="$1" exec node -e "require.resolve('onnxruntime-node')"`,
      args: [nodePath(options)],
    },
    { timeoutMs: 30_000 },
  );
  return result.code === 0;
}

function noRuntime(where: string, facts: ProbeFacts, deployRoot: string, detail: string): AppError {
  const found = [
    facts.runtimes.python ? `python3 ${facts.runtimes.python}` : null,
    facts.runtimes.node ? `node ${facts.runtimes.node}` : null,
  ].filter((x): x is string => x !== null);
  return new AppError(
    'NO_RUNTIME',
    `${where} has no ONNX Runtime EdgeFleet can benchmark with (${detail}; found: ${found.join(', ') || 'neither python3 nor node'}). ` +
      `Install one: "pip3 install onnxruntime" (Python 3), or "npm install --prefix ${deployRoot}/runtime onnxruntime-node" ` +
      '(Node.js), or put onnxruntime_perf_test on the PATH; then probe the device again.',
    { found, deployRoot },
  );
}

/** The runtime to use, checked on the device for Node (the probe only sees that node exists). */
export async function chooseRuntime(
  conn: SshConnection,
  options: RemoteBenchOptions,
): Promise<RemoteRuntime> {
  const { facts } = options;
  const wanted = options.runtime ?? 'auto';
  const where = conn.where;
  const hasPython = facts.runtimes.onnxruntime !== null && facts.runtimes.python !== null;
  if (wanted === 'python') {
    if (hasPython) return 'python';
    throw noRuntime(where, facts, options.deployRoot, 'python3 with the onnxruntime package was asked for');
  }
  if (wanted === 'tensorrt') {
    if (facts.runtimes.tensorrt) return 'tensorrt';
    throw new AppError(
      'NO_RUNTIME',
      `${where} has no TensorRT EdgeFleet can benchmark with: the probe found no trtexec on the PATH or in /usr/src/tensorrt/bin. Install TensorRT (JetPack on a Jetson) or put trtexec on the PATH, then probe the device again.`,
    );
  }
  if (wanted === 'perf_test') {
    if (facts.runtimes.perfTest !== null) return 'perf_test';
    throw noRuntime(where, facts, options.deployRoot, 'onnxruntime_perf_test was asked for');
  }
  if (wanted === 'auto' && hasPython) return 'python';
  if (facts.runtimes.node !== null) {
    if (await nodeOrtResolves(conn, options)) return 'node';
    if (wanted === 'node') {
      throw noRuntime(
        where,
        facts,
        options.deployRoot,
        `node is there but onnxruntime-node is not on NODE_PATH (${nodePath(options)})`,
      );
    }
  } else if (wanted === 'node') {
    throw noRuntime(where, facts, options.deployRoot, 'node was asked for');
  }
  if (facts.runtimes.perfTest !== null) return 'perf_test';
  throw noRuntime(
    where,
    facts,
    options.deployRoot,
    'no onnxruntime for python3, no onnxruntime-node, no perf_test',
  );
}

export async function runRemoteBenchmark(
  conn: SshConnection,
  options: RemoteBenchOptions,
): Promise<RemoteBenchResult> {
  if (!options.deployRoot.startsWith('/')) {
    throw new AppError('BAD_REQUEST', `The deploy root "${options.deployRoot}" must be an absolute path.`);
  }
  const runtime = await chooseRuntime(conn, options);
  const dir = `${options.deployRoot}/.edgefleet-bench/${Date.now()}-${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + (options.timeoutMs ?? defaultTimeoutMs);
  const remaining = () => Math.max(1000, deadline - Date.now());
  const { signal } = options;
  try {
    await conn.exec({ script: 'mkdir -p "$1"', args: [dir] }, { check: true, timeoutMs: 30_000, signal });
    const model = `${dir}/model.onnx`;
    await conn.upload(options.modelPath, model, { signal });
    const write = (path: string, text: string) =>
      conn.exec(
        { script: 'cat > "$1"', args: [path] },
        { stdin: text, check: true, timeoutMs: 30_000, signal },
      );

    const trtexec = options.facts.runtimes.tensorrt?.trtexec;
    if (runtime === 'tensorrt' && trtexec !== undefined) {
      const measured = await runTrtexecBenchmark(conn, (cmd) => exec(conn, cmd, remaining(), options), {
        trtexec,
        dir,
        label: options.label,
        settings: options.settings,
        build: tensorrtBuildSchema.parse(options.tensorrt ?? {}),
      });
      return { measured, runtime };
    }

    if (runtime === 'perf_test') {
      const result = await exec(
        conn,
        ['onnxruntime_perf_test', ...perfTestArgs(options.settings, options.freeDims ?? {}), model],
        remaining(),
        options,
      );
      if (result.code !== 0) {
        throw new AppError(
          'BENCH_FAILED',
          `onnxruntime_perf_test failed on ${conn.where} for ${options.label}: ${(result.stderr || result.stdout).trim().slice(-600)}`,
        );
      }
      const version = options.facts.runtimes.onnxruntime?.version ?? 'unknown (onnxruntime_perf_test)';
      return { measured: parsePerfTestOutput(result.stdout, version), runtime };
    }

    const config: ChildConfig = {
      mode: 'bench',
      modelPath: model,
      ortModule: 'onnxruntime-node',
      threads: options.settings.threads,
      optimizationLevel: options.settings.optimizationLevel,
      warmupIterations: options.settings.warmupIterations,
      stop: options.settings.stop,
      maxIterations: 100_000,
      inputs: options.settings.inputs,
      seed: options.settings.inputData.kind === 'random' ? options.settings.inputData.seed : 0,
    };
    const configPath = `${dir}/config.json`;
    await write(configPath, JSON.stringify(config));
    let cmd: { script: string; args: string[] };
    if (runtime === 'node') {
      const runner = `${dir}/${nodeRunnerFileName}`;
      await write(runner, nodeRunnerSource);
      cmd = { script: 'NODE_PATH="$1" exec node "$2" "$3"', args: [nodePath(options), runner, configPath] };
    } else {
      const runner = `${dir}/${pythonRunnerFileName}`;
      await write(runner, pythonRunnerSource);
      cmd = { script: 'exec python3 "$1" "$2"', args: [runner, configPath] };
    }
    const result = await exec(conn, cmd, remaining(), options);
    const parsed = parseChildOutput(result.stdout);
    if (parsed?.ok === true) {
      return {
        measured: measuredRunFrom(parsed, runtime === 'node' ? 'onnxruntime-node' : 'onnxruntime-python'),
        runtime,
      };
    }
    if (parsed?.ok === false) {
      const err = failureError(parsed, `${options.label} on ${conn.where}`, null);
      if (err.code === 'NO_RUNTIME')
        throw noRuntime(conn.where, options.facts, options.deployRoot, parsed.message);
      throw err;
    }
    throw new AppError(
      result.signal === 'KILL' || result.code === 137 ? 'BENCH_OUT_OF_MEMORY' : 'BENCH_FAILED',
      `The benchmark of ${options.label} on ${conn.where} ended without a result (exit ${result.code}${result.signal ? `, ${result.signal}` : ''}): ` +
        `${result.stderr.trim().slice(-600) || '(no output)'}`,
    );
  } finally {
    // Best effort: the connection may be gone, and the result (or error) matters more than the cleanup.
    await conn.exec({ script: 'rm -rf "$1"', args: [dir] }, { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

async function exec(
  conn: SshConnection,
  cmd: readonly string[] | { script: string; args: string[] },
  timeoutMs: number,
  options: RemoteBenchOptions,
) {
  try {
    return await conn.exec(cmd, {
      timeoutMs,
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'TIMEOUT') {
      throw new AppError(
        'BENCH_TIMEOUT',
        `Benchmarking ${options.label} on ${conn.where} did not finish in time and was stopped. ` +
          'Use fewer iterations or a shorter --duration, or allow more time.',
        err.details,
      );
    }
    throw err;
  }
}
