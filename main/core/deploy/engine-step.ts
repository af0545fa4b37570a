import { AppError, toAppError } from '../../../shared/errors';
import {
  manifestEngineSchema,
  type ManifestEngine,
  type ReleaseManifest,
  type TensorrtBuild,
} from '../../../shared/schemas/deploy';
import { engineFileName, logTail, parseTensorrtVersion, trtexecBuildFlags } from '../tensorrt/trtexec';
import { commandOf, connOf, runPlanned, type StepRunner } from './executor';
import type { RemotePaths } from './layout';
import { plannedCommand, step, type DeployPlan, type PlannedCommand, type PlannedStep } from './plan';
import { installScript, parseKeyValues, prelude } from './remote-scripts';
import type { DeployArtifact } from './types';

/**
 * The TensorRT engine of a release, built on the device (a Jetson) after the verified upload and before the
 * switch: `trtexec --onnx=<release>/model.onnx --saveEngine=<temp> [--fp16|--int8|--best]
 * [--useDLACore=N --allowGPUFallback]`, then the engine is renamed to `<release>/model.engine` and its sha256
 * goes into the release's manifest.json (`tensorrt`). A failed build changes nothing the device runs: the
 * switch has not happened, so the device stays on its previous release (as after a failed health check, the
 * deployment counts the device as failed), and the end of trtexec's log goes into the deployment record.
 */

/** What the deployment record keeps of a build log (its end: the errors are there). */
export const buildLogCapBytes = 16 * 1024;

export const engineExitCodes = { noTrtexec: 80, buildFailed: 81, noModel: 82 } as const;

/**
 * build-engine <releaseDir> <deploymentId> <logCapBytes> [trtexec flags…]: runs trtexec into a temporary
 * name (a build killed half-way never leaves a `model.engine`), hashes the engine, renames it into place.
 * Prints `key=value` lines, then `@@log@@` and the end of trtexec's output. It runs under the device lock, so
 * temporary engines and logs of other deployments are leftovers and are removed first.
 */
export const buildEngineScript = String.raw`# edgefleet deploy: build the TensorRT engine
${prelude}
dir=$1; tag=$2; cap=$3; shift 3
trt=$(command -v trtexec 2>/dev/null) || trt=
if [ -z "$trt" ] && [ -x /usr/src/tensorrt/bin/trtexec ]; then trt=/usr/src/tensorrt/bin/trtexec; fi
[ -n "$trt" ] || fail 80 "trtexec is not on PATH (nor in /usr/src/tensorrt/bin): install TensorRT (JetPack) or put trtexec on the PATH of non-interactive SSH sessions"
[ -f "$dir/model.onnx" ] || fail 82 "there is no model.onnx in $dir"
for f in "$dir"/.model.engine.*.tmp "$dir"/.engine-build.*.log; do
  if [ -e "$f" ]; then rm -f -- "$f"; fi
done
tmp=$dir/.model.engine.$tag.tmp
log=$dir/.engine-build.$tag.log
"$trt" --onnx="$dir/model.onnx" --saveEngine="$tmp" "$@" > "$log" 2>&1
code=$?
printf 'trtexec=%s\nexit=%s\nbanner=%s\n' "$trt" "$code" "$(head -n 1 -- "$log" | tr -d '\r')"
ok=0
if [ "$code" -eq 0 ] && [ -s "$tmp" ]; then
  sync_path "$tmp"
  h=$(hash_file "$tmp") || fail 32 "could not compute the sha256 of the engine"
  size=$(($(wc -c < "$tmp")))
  mv -f -- "$tmp" "$dir/model.engine" || fail 41 "cannot move the engine into $dir"
  sync_path "$dir"
  printf 'engine_sha256=%s\nengine_size=%s\n' "$h" "$size"
  ok=1
fi
rm -f -- "$tmp"
printf '@@log@@\n'
tail -c "$cap" -- "$log"
rm -f -- "$log"
[ "$ok" -eq 1 ] || exit 81
`;

/** Refuses builds that cannot work, at plan time (before anything is sent). */
export function assertEngineBuild(artifact: DeployArtifact, build: TensorrtBuild | null): void {
  if (build === null) return;
  if (build.precision === 'int8' && artifact.method !== 'int8-static') {
    throw new AppError(
      'BAD_REQUEST',
      `--tensorrt int8 needs a QDQ model (an int8-static variant: its scales go into the engine); ${artifact.modelName} is ${artifact.method ?? 'the original float model'}, and trtexec --int8 would quantize it with placeholder scales. Deploy an int8-static variant, or use --tensorrt fp16.`,
    );
  }
  if (build.dlaCore !== null && build.precision === 'fp32') {
    throw new AppError(
      'BAD_REQUEST',
      'A DLA core runs fp16 or int8 layers only: use --tensorrt fp16 (or int8, best) with --dla-core.',
    );
  }
}

export function buildEngineCommand(
  paths: RemotePaths,
  build: TensorrtBuild,
  deploymentId: string,
): PlannedCommand {
  return plannedCommand(
    'engine',
    'Build the TensorRT engine with trtexec',
    {
      script: buildEngineScript,
      args: [paths.releaseDir, deploymentId, String(buildLogCapBytes), ...trtexecBuildFlags(build)],
    },
    { timeoutMs: build.timeoutMs },
  );
}

export function engineStep(paths: RemotePaths, build: TensorrtBuild, deploymentId: string): PlannedStep {
  const flags = trtexecBuildFlags(build);
  return step(
    'engine',
    `Build ${paths.releaseDir}/${engineFileName} on the device: trtexec --onnx=model.onnx${flags.length > 0 ? ` ${flags.join(' ')}` : ''}; record its sha256 in manifest.json`,
    [buildEngineCommand(paths, build, deploymentId)],
    { condition: 'skipped when manifest.json already records an engine built with these settings' },
  );
}

/** The manifest already records an engine built with these settings (or none was asked and none recorded). */
export function engineRecorded(manifest: ReleaseManifest | null, build: TensorrtBuild | null): boolean {
  const recorded = manifest?.['tensorrt'];
  if (build === null) return recorded === undefined;
  const engine = manifestEngineSchema.safeParse(recorded);
  return engine.success && engine.data.precision === build.precision && engine.data.dlaCore === build.dlaCore;
}

/** The manifest with its `tensorrt` section, as the install script writes it (same form as planDeploy's). */
export function manifestWithEngine(manifest: ReleaseManifest, engine: ManifestEngine): string {
  return `${JSON.stringify({ ...manifest, tensorrt: engine }, null, 2)}\n`;
}

/**
 * Runs the engine step: skipped when the preflight found the engine already recorded. On success the
 * service must restart even when `current` already pointed at the release (its engine changed).
 */
export function engineRunner(deploy: DeployPlan, engineThere: () => boolean): StepRunner {
  return {
    skip: () => engineThere() || deploy.options.tensorrt === null,
    message: (walk) => `Building the TensorRT engine on ${walk.device.deviceName} (trtexec)`,
    run: async (walk, planned) => {
      const { device, run, ctx } = walk;
      const build = deploy.options.tensorrt;
      if (build === null) return null;
      const stays = `Nothing was switched: ${device.deviceName} stays on ${run.outcome.releaseBefore ?? 'no release'}.`;
      let result;
      try {
        result = await runPlanned(connOf(walk), commandOf(device, planned, 'engine'), ctx.signal);
      } catch (err) {
        const e = toAppError(err);
        if (e.code !== 'TIMEOUT') throw e;
        return {
          status: 'failed',
          error: new AppError(
            'ENGINE_BUILD_FAILED',
            `Building the TensorRT engine on ${device.deviceName} did not finish within ${Math.round(build.timeoutMs / 60_000)} min and was stopped. ${stays}`,
          ),
        };
      }
      const at = result.stdout.indexOf('@@log@@\n');
      const values = parseKeyValues(at < 0 ? result.stdout : result.stdout.slice(0, at)).values;
      const log = at < 0 ? '' : result.stdout.slice(at + '@@log@@\n'.length);
      const tail = logTail(log, buildLogCapBytes);
      if (tail !== '') {
        run.log(
          result.code === 0 ? 'info' : 'error',
          `trtexec build log (last ${tail.length} characters):\n${tail}`,
        );
      }
      if (result.code !== 0) {
        const lastError =
          log
            .split('\n')
            .filter((l) => /\[E\]|&&&& FAILED/.test(l))
            .find((l) => /\[E\]/.test(l)) ??
          (result.stderr.trim() || `exit ${values.get('exit') ?? result.code}`);
        return {
          status: 'failed',
          error: new AppError(
            'ENGINE_BUILD_FAILED',
            `trtexec could not build the TensorRT engine on ${device.deviceName} (${lastError.trim()}). ${stays} The build log is in the deployment record.`,
            { exitCode: result.code, trtexecExit: values.get('exit') ?? null, log: tail.slice(-4000) },
          ),
        };
      }
      const sha256 = values.get('engine_sha256') ?? '';
      const engine: ManifestEngine = {
        file: engineFileName,
        sha256,
        sizeBytes: Number(values.get('engine_size') ?? '0'),
        precision: build.precision,
        dlaCore: build.dlaCore,
        tensorrtVersion: parseTensorrtVersion(values.get('banner') ?? ''),
        builtAt: new Date().toISOString(),
      };
      const write = plannedCommand(
        'install',
        'Record the engine in manifest.json',
        { script: installScript, args: [device.paths.tempFile, device.paths.releaseDir] },
        { stdin: manifestWithEngine(deploy.manifest, manifestEngineSchema.parse(engine)) },
      );
      const written = await runPlanned(connOf(walk), write, ctx.signal);
      if (written.code !== 0) {
        throw new AppError(
          'REMOTE_COMMAND_FAILED',
          `Recording the engine in the manifest on ${device.deviceName} failed: ${written.stderr.trim() || `exit ${written.code}`}. ${stays}`,
        );
      }
      run.log(
        'info',
        `Built ${engineFileName} with TensorRT ${engine.tensorrtVersion ?? '(version unknown)'} (${engine.sizeBytes} B, sha256 ${sha256.slice(0, 12)}…)`,
      );
      if (walk.activation !== null) walk.activation.state.changedFiles = true;
      return null;
    },
  };
}
