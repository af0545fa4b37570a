import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../../shared/errors';
import type { ChildConfig, ChildFailure, ChildSuccess } from './child-protocol';
import { parseChildOutput } from './child-protocol';
import { nodeRunnerFileName, nodeRunnerSource } from './node-runner';

/**
 * Runs the Node benchmark runner in a child process: isolation (a crash or a leak ends with the child) and
 * clean memory figures (the child's own VmHWM).
 *
 * Memory limit, two layers, because RLIMIT_AS counts address space, not memory: Node + ORT reserve about 1 GB
 * of address space they never touch (V8's code range, thread stacks, malloc arenas), so `ulimit -v` set to the
 * limit itself would stop Node before it starts.
 * 1. `ulimit -v` (via /bin/sh, as on any device) at the limit + `addressSpaceAllowanceBytes`: a huge allocation
 *    fails at once inside ORT ("bad_alloc"/"Failed to allocate") instead of swapping the machine to death.
 * 2. A watchdog reads the child's VmRSS every `pollMs` and kills it past the limit itself.
 * Both are reported as BENCH_OUT_OF_MEMORY.
 */

type ChildRunOptions = {
  /** Where the runner and its config are written (the caller removes it). */
  workDir: string;
  timeoutMs: number;
  /** Resident-memory limit; null/undefined = no limit. */
  memoryLimitBytes?: number | null;
  signal?: AbortSignal;
  /** The model's name for messages. */
  label: string;
};

const addressSpaceAllowanceBytes = 3 * 1024 ** 3;
const pollMs = 20;
const tailChars = 1500;

const oomPattern =
  /bad_alloc|failed to allocate|out of memory|cannot allocate memory|allocation failed|ENOMEM|Fatal process out of memory/i;

export async function runBenchChild(config: ChildConfig, options: ChildRunOptions): Promise<ChildSuccess> {
  if (options.signal?.aborted)
    throw new AppError('CANCELLED', `Cancelled before benchmarking ${options.label}.`);
  const script = join(options.workDir, nodeRunnerFileName);
  const configPath = join(options.workDir, `config-${config.mode}.json`);
  await writeFile(script, nodeRunnerSource);
  await writeFile(configPath, JSON.stringify(config));

  const limit = options.memoryLimitBytes ?? null;
  const asKb = limit === null ? 'unlimited' : String(Math.ceil((limit + addressSpaceAllowanceBytes) / 1024));
  // ELECTRON_RUN_AS_NODE makes Electron's binary behave as plain Node (no effect on Node itself).
  const child = spawn(
    '/bin/sh',
    ['-c', 'ulimit -v "$1" 2>/dev/null; shift; exec "$@"', 'sh', asKb, process.execPath, script, configPath],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    },
  );
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });

  let stopReason: 'timeout' | 'memory' | 'cancel' | null = null;
  let peakSeen = 0;
  const kill = (reason: 'timeout' | 'memory' | 'cancel') => {
    if (stopReason !== null) return;
    stopReason = reason;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
  const onAbort = () => kill('cancel');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const watchdog =
    limit === null || child.pid === undefined
      ? undefined
      : setInterval(() => {
          void rssOf(child.pid ?? 0).then((rss) => {
            if (rss === null) return;
            peakSeen = Math.max(peakSeen, rss);
            if (rss > limit) kill('memory');
          });
        }, pollMs);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  );
  clearTimeout(timer);
  if (watchdog) clearInterval(watchdog);
  options.signal?.removeEventListener('abort', onAbort);

  const mb = (b: number) => `${Math.round(b / 1024 ** 2)} MB`;
  if (exit.error) {
    throw new AppError('BENCH_FAILED', `Could not start the benchmark process: ${exit.error.message}.`);
  }
  if (stopReason === 'cancel') throw new AppError('CANCELLED', `Benchmark of ${options.label} cancelled.`);
  if (stopReason === 'timeout') {
    throw new AppError(
      'BENCH_TIMEOUT',
      `Benchmarking ${options.label} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped. ` +
        'Use fewer iterations or a shorter --duration, or allow more time.',
      { timeoutMs: options.timeoutMs, stage: config.mode },
    );
  }
  if (stopReason === 'memory' && limit !== null) {
    throw outOfMemory(options.label, limit, `its resident memory reached ${mb(peakSeen)}`);
  }

  const result = parseChildOutput(Buffer.concat(stdout).toString('utf8'));
  if (result?.ok === true) return result;
  if (result?.ok === false) throw failureError(result, options.label, limit);
  // No result line: the process died. Decide from how it died and what it said.
  const tail = stderr.trim().slice(-tailChars);
  if (oomPattern.test(stderr) || (limit !== null && exit.signal === 'SIGABRT')) {
    throw outOfMemory(options.label, limit, tail.split('\n').slice(-3).join(' '));
  }
  if (exit.signal === 'SIGKILL') {
    throw new AppError(
      'BENCH_OUT_OF_MEMORY',
      `The benchmark process for ${options.label} was killed (SIGKILL), most likely by the system's out-of-memory killer. ` +
        'Free memory, or benchmark a smaller input shape.',
      { signal: exit.signal },
    );
  }
  throw new AppError(
    'BENCH_FAILED',
    `The benchmark process for ${options.label} ${exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`} without a result` +
      `${tail ? `: ${tail}` : ''}. ONNX Runtime may have crashed on this model; check it with onnx.checker.`,
    { code: exit.code, signal: exit.signal, stderr: tail },
  );
}

function outOfMemory(label: string, limit: number | null, detail: string): AppError {
  const limitText = limit === null ? '' : ` (limit ${Math.round(limit / 1024 ** 2)} MB)`;
  return new AppError(
    'BENCH_OUT_OF_MEMORY',
    `Benchmarking ${label} ran out of memory${limitText}: ${detail}. ` +
      'Give it more memory, or benchmark a smaller input shape or batch.',
    { limitBytes: limit },
  );
}

export function failureError(failure: ChildFailure, label: string, limit: number | null): AppError {
  const first = failure.message.split('\n')[0] ?? failure.message;
  if (
    (failure.stage === 'run' || failure.stage === 'load' || failure.stage === 'inputs') &&
    oomPattern.test(failure.message)
  ) {
    return outOfMemory(label, limit, `ONNX Runtime said "${first.slice(0, 300)}"`);
  }
  switch (failure.stage) {
    case 'load':
      return new AppError(
        'BENCH_FAILED',
        `ONNX Runtime could not load ${label}: ${first.slice(0, 600)}. Check the model (edgefleet models show) or re-export it.`,
        { stage: failure.stage, ortMessage: failure.message },
      );
    case 'run':
      return new AppError(
        'BENCH_FAILED',
        `ONNX Runtime failed running ${label}: ${first.slice(0, 600)}. Check the input shapes (--shape/--dim).`,
        { stage: failure.stage, ortMessage: failure.message },
      );
    case 'inputs':
      return new AppError(
        'BENCH_FAILED',
        `Could not build the inputs for ${label}: ${first.slice(0, 600)}.`,
        {
          stage: failure.stage,
        },
      );
    case 'runtime':
      return new AppError('NO_RUNTIME', `The benchmark process could not load ONNX Runtime: ${first}.`, {
        stage: failure.stage,
      });
    case 'config':
      return new AppError('INTERNAL', `The benchmark runner could not read its config: ${first}.`);
  }
}

async function rssOf(pid: number): Promise<number | null> {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}
