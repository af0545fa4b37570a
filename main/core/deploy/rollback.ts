import { AppError } from '../../../shared/errors';
import {
  releaseNameSchema,
  type DeployOptions,
  type DeployOptionsInput,
} from '../../../shared/schemas/deploy';
import { describeTarget } from '../fleet/ssh';
import type { DeviceOutcome, DeviceRun } from './device-run';
import {
  activationRunners,
  commandOf,
  connectRunner,
  connOf,
  lockDevice,
  parseManifest,
  runPlanned,
  walkDevice,
  type ExecutorContext,
} from './executor';
import { assertModelDirName, releaseFromLink, remotePaths } from './layout';
import {
  activationSteps,
  assertTargets,
  localUserAtHost,
  lockCommand,
  lockCommands,
  newDeploymentId,
  parseDeployOptions,
  plannedCommand,
  step,
  waves,
  type DevicePlan,
  type PlanContext,
} from './plan';
import { exitCodes, inspectScript, parseKeyValues } from './remote-scripts';
import type { DeployTarget } from './types';

/**
 * Rollback: switch devices back to their previous release (what `previous` names on the device) or to a
 * named release that is still there, through the same switch → restart → health check → switch-back path
 * as a deploy. The release is checked against its manifest first: never switch to a damaged file.
 */

export type RollbackRequest = {
  modelName: string;
  /** A release name (`<version>-<sha8>`); null = the device's previous release. */
  toRelease: string | null;
};

export type RollbackPlan = {
  kind: 'rollback';
  deploymentId: string;
  createdAt: string;
  requestedBy: string;
  modelName: string;
  toRelease: string | null;
  options: DeployOptions;
  devices: DevicePlan[];
  waves: string[][];
};

const previousSpec = '@previous';

export function planRollback(
  targets: readonly DeployTarget[],
  request: RollbackRequest,
  optionsInput: DeployOptionsInput = {},
  context: PlanContext = {},
): RollbackPlan {
  assertModelDirName(request.modelName);
  if (request.toRelease !== null && !releaseNameSchema.safeParse(request.toRelease).success) {
    throw new AppError(
      'BAD_REQUEST',
      `"${request.toRelease}" is not a release name (like 20240501-123456-ab12cd34). See the device's releases with edgefleet status.`,
    );
  }
  const options = parseDeployOptions(optionsInput);
  assertTargets(targets);
  const spec = request.toRelease ?? previousSpec;
  const deploymentId = context.deploymentId ?? newDeploymentId();
  const devices = targets.map((target): DevicePlan => {
    const paths = remotePaths(target.deployRoot, request.modelName, spec, deploymentId);
    const activation = activationSteps(target, paths, spec, options, deploymentId);
    return {
      deviceId: target.deviceId,
      deviceName: target.deviceName,
      where: describeTarget(target.ssh),
      ssh: target.ssh,
      paths,
      release: spec,
      steps: [
        step('connect', 'Connect over SSH; the host key must match the pinned one', []),
        step(
          'preflight',
          request.toRelease === null
            ? 'Find the previous release on the device and check its file against its manifest'
            : `Check that release ${request.toRelease} is on the device and its file matches its manifest`,
          [
            lockCommand(paths, request.modelName, deploymentId, 'acquire'),
            plannedCommand('inspect', 'Inspect the release', {
              script: inspectScript,
              args: [paths.modelDir, spec],
            }),
          ],
        ),
        ...activation.steps,
      ],
      onFailure: activation.onFailure,
      lock: lockCommands(paths, request.modelName, deploymentId),
    };
  });
  return {
    kind: 'rollback',
    deploymentId,
    createdAt: context.createdAt ?? new Date().toISOString(),
    requestedBy: context.deployedBy ?? localUserAtHost(),
    modelName: request.modelName,
    toRelease: request.toRelease,
    options,
    devices,
    waves: waves(
      devices.map((d) => d.deviceId),
      options.canary,
    ),
  };
}

export function executeRollbackDevice(
  plan: RollbackPlan,
  device: DevicePlan,
  run: DeviceRun,
  ctx: ExecutorContext,
): Promise<DeviceOutcome> {
  return walkDevice(device, run, ctx, {
    connect: connectRunner,
    preflight: {
      run: async (walk, step) => {
        await lockDevice(walk, step, { deploymentId: plan.deploymentId, modelName: plan.modelName });
        const inspect = await runPlanned(connOf(walk), commandOf(device, step, 'inspect'), ctx.signal);
        if (inspect.code === exitCodes.noPrevious || inspect.code === exitCodes.releaseMissing) {
          throw new AppError(
            'RELEASE_NOT_FOUND',
            `${device.deviceName}: ${inspect.stderr.trim() || 'the release is not there'} (model ${plan.modelName}). Nothing was changed. Deploy the release again instead.`,
          );
        }
        if (inspect.code !== 0) {
          throw new AppError(
            'REMOTE_COMMAND_FAILED',
            `Inspecting the release on ${device.deviceName} failed: ${inspect.stderr.trim() || `exit ${inspect.code}`}. Nothing was changed.`,
          );
        }
        const { values, manifest: manifestText } = parseKeyValues(inspect.stdout);
        const release = values.get('release') ?? '';
        const fileSha = values.get('release_sha256') ?? '';
        const current = values.get('current') || null;
        run.outcome.releaseBefore = releaseFromLink(current) ?? current;
        const manifest = parseManifest(manifestText);
        if (manifest === null) {
          throw new AppError(
            'RELEASE_NOT_FOUND',
            `Release ${release} on ${device.deviceName} has no valid EdgeFleet manifest, so its file cannot be checked. Nothing was changed; deploy the variant again instead.`,
          );
        }
        if (manifest.sha256 !== fileSha) {
          throw new AppError(
            'CHECKSUM_MISMATCH',
            `Release ${release} on ${device.deviceName} is damaged: its file has sha256 ${fileSha || '(none)'}, its manifest says ${manifest.sha256}. Nothing was changed; deploy that variant again instead.`,
            { expected: manifest.sha256, actual: fileSha },
          );
        }
        run.log('info', `Going back to ${release} (variant ${manifest.variantId}, sha256 verified)`);
        const resume = releaseFromLink(current) === release && values.get('pending_switch') === release;
        walk.activation = {
          target: {
            spec: device.release,
            ref: {
              release,
              sha256: manifest.sha256,
              variantId: manifest.variantId,
              version: manifest.version,
            },
          },
          state: {
            changedFiles: false,
            resume: resume ? { previous: values.get('previous') || null } : null,
          },
        };
        return null;
      },
    },
    ...activationRunners,
  });
}
