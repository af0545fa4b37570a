import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { AppError } from '../../../shared/errors';
import {
  deployOptionsSchema,
  type DeployOptions,
  type DeployOptionsInput,
  type DeployStep,
  type ReleaseManifest,
} from '../../../shared/schemas/deploy';
import type { ExecCommand, SshTarget } from '../fleet/ssh';
import { describeTarget } from '../fleet/ssh';
import { commandLine } from '../fleet/ssh/exec';
import { assertArtifact, assertDeployRoot, releaseName, remotePaths, type RemotePaths } from './layout';
import {
  installScript,
  lockScript,
  peekScript,
  preflightScript,
  pruneScript,
  switchScript,
  undoSwitchScript,
  verifyScript,
} from './remote-scripts';
import type { DeployArtifact, DeployTarget } from './types';

/**
 * A deploy as plain data (Kamal's "plan, then execute"): per device the ordered steps and the exact command
 * lines that will be sent, already quoted. The executor runs these commands and nothing else; unit tests
 * and a future "show plan" read them as data.
 */

export type CommandId =
  | 'peek'
  | 'lock'
  | 'preflight'
  | 'verify'
  | 'install'
  | 'switch'
  | 'restart'
  | 'health'
  | 'undo-switch'
  | 'prune'
  | 'inspect'
  | 'lock-refresh'
  | 'lock-takeover'
  | 'unlock';

export type PlannedCommand = {
  id: CommandId;
  purpose: string;
  exec: ExecCommand;
  /** Exactly the text the device's login shell parses (the SSH layer only adds `echo <pid>; exec`). */
  line: string;
  stdin: string | null;
  /** null: the target's default command timeout. */
  timeoutMs: number | null;
};

export type PlannedUpload = { localPath: string; remotePath: string; bytes: number; mode: number };

export type PlannedStep = {
  step: DeployStep;
  description: string;
  /** Set when whether the step runs depends on what an earlier step finds on the device. */
  condition: string | null;
  commands: PlannedCommand[];
  upload: PlannedUpload | null;
  /** Health checks: how many attempts, and the pause between them. */
  attempts: number | null;
  intervalMs: number | null;
};

export type DevicePlan = {
  deviceId: string;
  deviceName: string;
  where: string;
  ssh: SshTarget;
  paths: RemotePaths;
  /** The release this plan activates; `@previous` for a rollback to whatever `previous` names. */
  release: string;
  steps: PlannedStep[];
  /** Run when restart or health check fails after the switch. */
  onFailure: PlannedStep[];
  /**
   * The device lock (lockScript): taken before the preflight (the first command of that step), touched while
   * the device runs, released when it is done, whatever the outcome.
   */
  lock: DeviceLockCommands;
};

export type DeviceLockCommands = { refresh: PlannedCommand; release: PlannedCommand };

export type DeployPlan = {
  kind: 'deploy';
  deploymentId: string;
  createdAt: string;
  deployedBy: string;
  artifact: DeployArtifact;
  release: string;
  manifest: ReleaseManifest;
  options: DeployOptions;
  devices: DevicePlan[];
  /** Device ids per wave: the canary first (when set), then the rest. */
  waves: string[][];
};

export type PlanContext = {
  deploymentId?: string;
  /** ISO time; also the manifest's deployedAt. */
  createdAt?: string;
  /** `user@host`; defaults to this process's user and machine. */
  deployedBy?: string;
};

export function newDeploymentId(): string {
  return `d_${randomBytes(8).toString('hex')}`;
}

export function localUserAtHost(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host still says where it came from.
  }
  return `${user}@${hostname()}`;
}

/**
 * Free space a deploy wants at the deploy root: the uploaded temp file and the installed release can both
 * exist until the temp file is moved, plus a margin. Preflight refuses below it; the preview warns.
 */
export function diskNeededBytes(sizeBytes: number, options: Pick<DeployOptions, 'diskMarginBytes'>): number {
  return 2 * sizeBytes + options.diskMarginBytes;
}

export function parseDeployOptions(input: DeployOptionsInput | undefined): DeployOptions {
  const parsed = deployOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'BAD_REQUEST',
      `Deploy option ${issue?.path.join('.') || '(options)'}: ${issue?.message ?? 'invalid'}. Fix it and retry.`,
    );
  }
  return parsed.data;
}

export function planDeploy(
  artifact: DeployArtifact,
  targets: readonly DeployTarget[],
  optionsInput: DeployOptionsInput = {},
  context: PlanContext = {},
): DeployPlan {
  assertArtifact(artifact);
  const options = parseDeployOptions(optionsInput);
  assertTargets(targets);
  const deploymentId = context.deploymentId ?? newDeploymentId();
  const createdAt = context.createdAt ?? new Date().toISOString();
  const deployedBy = context.deployedBy ?? localUserAtHost();
  const release = releaseName(artifact.version, artifact.sha256);
  const manifest: ReleaseManifest = {
    format: 'edgefleet-release/1',
    modelName: artifact.modelName,
    variantId: artifact.variantId,
    version: artifact.version,
    release,
    sha256: artifact.sha256,
    sizeBytes: artifact.sizeBytes,
    method: artifact.method,
    recipe: artifact.recipe ?? null,
    parentSha256: artifact.parentSha256,
    deployedAt: createdAt,
    deployedBy,
    deploymentId,
  };
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  const devices = targets.map((t) => planDevice(t, artifact, release, manifestJson, options, deploymentId));
  return {
    kind: 'deploy',
    deploymentId,
    createdAt,
    deployedBy,
    artifact,
    release,
    manifest,
    options,
    devices,
    waves: waves(
      devices.map((d) => d.deviceId),
      options.canary,
    ),
  };
}

export function waves(ids: readonly string[], canary: number): string[][] {
  if (canary <= 0 || canary >= ids.length) return ids.length === 0 ? [] : [[...ids]];
  return [ids.slice(0, canary), ids.slice(canary)];
}

export function assertTargets(targets: readonly DeployTarget[]): void {
  if (targets.length === 0) {
    throw new AppError('BAD_REQUEST', 'No devices to deploy to. Choose at least one device.');
  }
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.deviceId)) {
      throw new AppError('BAD_REQUEST', `Device ${t.deviceName} is listed twice. List each device once.`);
    }
    seen.add(t.deviceId);
    assertDeployRoot(t.deployRoot, t.deviceName);
  }
}

export function plannedCommand(
  id: CommandId,
  purpose: string,
  exec: ExecCommand,
  extra: { stdin?: string; timeoutMs?: number } = {},
): PlannedCommand {
  return {
    id,
    purpose,
    exec,
    line: commandLine(exec),
    stdin: extra.stdin ?? null,
    timeoutMs: extra.timeoutMs ?? null,
  };
}

export function step(
  name: DeployStep,
  description: string,
  commands: PlannedCommand[],
  extra: Partial<Pick<PlannedStep, 'condition' | 'upload' | 'attempts' | 'intervalMs'>> = {},
): PlannedStep {
  return {
    step: name,
    description,
    condition: extra.condition ?? null,
    commands,
    upload: extra.upload ?? null,
    attempts: extra.attempts ?? null,
    intervalMs: extra.intervalMs ?? null,
  };
}

/**
 * Switch, restart, health check, confirm + prune, and the switch-back: the same for a deploy and a
 * rollback. Without restart and health-check commands nothing can fail after the switch, so the switch
 * command confirms and prunes itself (one round trip less).
 */
export function activationSteps(
  target: DeployTarget,
  paths: RemotePaths,
  switchTo: string,
  options: DeployOptions,
  deploymentId: string,
): { steps: PlannedStep[]; onFailure: PlannedStep[] } {
  const userArgs = [paths.currentModelFile, paths.modelDir];
  const restart =
    target.restartCommand === null
      ? null
      : plannedCommand(
          'restart',
          "Run the device's restart command",
          { script: target.restartCommand, args: userArgs },
          { timeoutMs: options.restartTimeoutMs },
        );
  const finalAtSwitch = restart === null && target.healthCommand === null;
  const steps: PlannedStep[] = [
    step(
      'switch',
      `Point ${paths.currentLink} at the release (atomic rename of a new link); remember the old one as previous${finalAtSwitch ? `; confirm and keep the ${options.keepReleases} most recently active releases` : ''}`,
      [
        plannedCommand('switch', 'Switch current', {
          script: switchScript,
          args: [
            paths.modelDir,
            switchTo,
            deploymentId,
            ...(finalAtSwitch ? [String(options.keepReleases)] : []),
          ],
        }),
      ],
      { condition: 'skipped when current already points at the release and nothing was installed' },
    ),
  ];
  if (restart !== null) {
    steps.push(step('restart', 'Restart the model service on the device', [restart]));
  }
  if (target.healthCommand !== null) {
    steps.push(
      step(
        'health',
        `Health check: up to ${options.healthAttempts} attempts, ${options.healthIntervalMs} ms apart`,
        [
          plannedCommand(
            'health',
            "Run the device's health-check command",
            { script: target.healthCommand, args: userArgs },
            { timeoutMs: options.healthTimeoutMs },
          ),
        ],
        { attempts: options.healthAttempts, intervalMs: options.healthIntervalMs },
      ),
    );
  }
  if (!finalAtSwitch) steps.push(pruneStep(paths, options));
  const onFailure: PlannedStep[] = [
    step(
      'rollback',
      'Switch back to the release that was current before, then restart again',
      [
        plannedCommand('undo-switch', 'Restore current and previous', {
          script: undoSwitchScript,
          args: [paths.modelDir, switchTo === '@previous' ? '' : switchTo, deploymentId],
        }),
        ...(restart === null ? [] : [restart]),
      ],
      { condition: 'only when the restart or the health check failed after the switch' },
    ),
  ];
  return { steps, onFailure };
}

function planDevice(
  target: DeployTarget,
  artifact: DeployArtifact,
  release: string,
  manifestJson: string,
  options: DeployOptions,
  deploymentId: string,
): DevicePlan {
  const paths = remotePaths(target.deployRoot, artifact.modelName, release, deploymentId);
  const notThere = 'skipped when the release is already on the device with this sha256';
  const activation = activationSteps(target, paths, release, options, deploymentId);
  const steps: PlannedStep[] = [
    step('connect', 'Connect over SSH; the host key must match the pinned one', []),
    step(
      'preflight',
      `${options.rehash ? '' : 'When our records say the device already runs this release, first a read-only look (no lock) that ends here if it still does; then '}Take the device lock ${paths.lockDir}; create ${paths.releasesDir}, check write permission, tools and free space (2 × ${artifact.sizeBytes} B + ${options.diskMarginBytes} B), remove leftovers of interrupted deployments, look for the release${options.rehash ? ' (its file hashed again)' : ''}`,
      [
        ...(options.rehash
          ? []
          : [
              plannedCommand('peek', 'Look whether the release is already active', {
                script: peekScript,
                args: [paths.modelDir, release, String(artifact.sizeBytes), paths.lockDir],
              }),
            ]),
        lockCommand(paths, artifact.modelName, deploymentId, 'acquire'),
        plannedCommand('preflight', 'Preflight', {
          script: preflightScript,
          args: [
            paths.modelDir,
            release,
            String(artifact.sizeBytes),
            deploymentId,
            options.rehash ? 'rehash' : 'hash',
          ],
        }),
      ],
    ),
    step('upload', `Upload ${artifact.sizeBytes} B over SFTP to a temporary name`, [], {
      condition: notThere,
      upload: {
        localPath: artifact.localPath,
        remotePath: paths.tempFile,
        bytes: artifact.sizeBytes,
        mode: 0o644,
      },
    }),
    step(
      'verify',
      'Check the sha256 of the uploaded file on the device',
      [
        plannedCommand('verify', 'Verify sha256', {
          script: verifyScript,
          args: [paths.tempFile, artifact.sha256],
        }),
      ],
      { condition: notThere },
    ),
    step(
      'install',
      `Move the file into ${paths.releaseDir} and write manifest.json`,
      [
        plannedCommand(
          'install',
          'Install the release',
          { script: installScript, args: [paths.tempFile, paths.releaseDir, artifact.sha256] },
          { stdin: manifestJson },
        ),
      ],
      { condition: 'skipped when the release is already complete (file and manifest)' },
    ),
    ...activation.steps,
  ];
  return {
    deviceId: target.deviceId,
    deviceName: target.deviceName,
    where: describeTarget(target.ssh),
    ssh: target.ssh,
    paths,
    release,
    steps,
    onFailure: activation.onFailure,
    lock: lockCommands(paths, artifact.modelName, deploymentId),
  };
}

const lockCommandIds = {
  acquire: 'lock',
  takeover: 'lock-takeover',
  refresh: 'lock-refresh',
  release: 'unlock',
} as const;

const lockPurposes = {
  acquire: 'Take the device lock',
  takeover: 'Take over a stale device lock',
  refresh: 'Show progress on the device lock',
  release: 'Release the device lock',
} as const;

/**
 * One lock command. A takeover names the holder it replaces, which only the acquire's answer tells: the
 * executor builds it then, from the same script, the same quoting and the extra argument.
 */
export function lockCommand(
  paths: RemotePaths,
  modelName: string,
  deploymentId: string,
  mode: keyof typeof lockCommandIds,
  expectedHolder?: string,
): PlannedCommand {
  return plannedCommand(lockCommandIds[mode], lockPurposes[mode], {
    script: lockScript,
    args: [
      paths.deployRoot,
      deploymentId,
      modelName,
      mode,
      ...(expectedHolder === undefined ? [] : [expectedHolder]),
    ],
  });
}

export function lockCommands(
  paths: RemotePaths,
  modelName: string,
  deploymentId: string,
): DeviceLockCommands {
  return {
    refresh: lockCommand(paths, modelName, deploymentId, 'refresh'),
    release: lockCommand(paths, modelName, deploymentId, 'release'),
  };
}

/** After a healthy restart and health check: forget the switch record, keep the most recent releases. */
function pruneStep(paths: RemotePaths, options: DeployOptions): PlannedStep {
  return step(
    'prune',
    `Confirm the switch; keep the ${options.keepReleases} most recently active releases (never current or previous)`,
    [
      plannedCommand('prune', 'Confirm and remove old releases', {
        script: pruneScript,
        args: [paths.modelDir, String(options.keepReleases)],
      }),
    ],
    { condition: 'only after a successful switch' },
  );
}

/** A plan without credentials (password auth carries the password): what a UI or `--json` may show. */
export function planForDisplay<P extends { devices: DevicePlan[] }>(
  plan: P,
): Omit<P, 'devices'> & { devices: Omit<DevicePlan, 'ssh'>[] } {
  return { ...plan, devices: plan.devices.map(({ ssh: _ssh, ...rest }) => rest) };
}
