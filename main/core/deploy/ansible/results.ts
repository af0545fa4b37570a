import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import {
  deployOptionsSchema,
  releaseNameSchema,
  type DeployLogLine,
  type DeployStep,
  type DeviceDeployStatus,
} from '../../../../shared/schemas/deploy';
import type { DeviceOutcome, ReleaseChange } from '../device-run';
import { factsFrom, parseManifest } from '../executor';
import { releaseFromLink } from '../layout';
import { exitCodes, parseKeyValues } from '../remote-scripts';
import { bundleFormat, type AnsibleDeploymentInfo } from './playbook';

/**
 * Reads what an Ansible run of the generated playbook did (the `ansible.posix.json` callback's output) and
 * turns it into what the built-in engine would have recorded: per device a DeviceOutcome (status, step,
 * facts, log, error code) and the release changes, in order, for DbRecorder. The decisions are made again
 * here from the scripts' own output (parseKeyValues, the manifest), as executor.ts makes them, so the two
 * engines record the same thing. Anything malformed is ANSIBLE_RESULTS_INVALID, and nothing is recorded.
 */

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const infoSchema = z.object({
  format: z.literal(bundleFormat),
  deploymentId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
  createdAt: z.string(),
  deployedBy: z.string(),
  modelName: z.string().min(1),
  variantId: z.string().min(1),
  version: z.string().min(1),
  release: releaseNameSchema,
  sha256,
  sizeBytes: z.number().int().min(0),
  options: deployOptionsSchema,
  forks: z.number().int().min(1),
  devices: z
    .array(
      z.object({
        host: z.string().min(1),
        deviceId: z.string().min(1),
        deviceName: z.string().min(1),
        where: z.string(),
        deployRoot: z.string(),
      }),
    )
    .min(1),
  waves: z.array(z.array(z.string())),
});

const hostResultSchema = z.looseObject({
  failed: z.boolean().optional(),
  skipped: z.boolean().optional(),
  unreachable: z.boolean().optional(),
  rc: z.number().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  msg: z.unknown().optional(),
});
type HostResult = z.infer<typeof hostResultSchema>;

const callbackSchema = z.looseObject({
  plays: z.array(
    z.looseObject({
      play: z.looseObject({ name: z.string() }),
      tasks: z.array(
        z.looseObject({
          task: z.looseObject({
            name: z.string(),
            duration: z.looseObject({ start: z.string().optional(), end: z.string().optional() }).optional(),
          }),
          hosts: z.record(z.string(), hostResultSchema),
        }),
      ),
    }),
  ),
  stats: z.record(z.string(), z.unknown()),
});

export type AnsibleResults = {
  info: AnsibleDeploymentInfo;
  devices: { outcome: DeviceOutcome; changes: { found: boolean; change: ReleaseChange }[] }[];
};

type TaskRun = { result: HostResult; start: string | null; end: string | null };

function invalid(message: string): AppError {
  return new AppError(
    'ANSIBLE_RESULTS_INVALID',
    `${message} Nothing was recorded. Give the JSON that ansible-playbook printed with ANSIBLE_STDOUT_CALLBACK=ansible.posix.json for a playbook EdgeFleet wrote.`,
  );
}

/** The JSON document in a callback's output (Ansible may print warnings before it). */
function parseJson(text: string): unknown {
  const at = text.indexOf('{');
  if (at === -1) throw invalid('The results hold no JSON document.');
  try {
    return JSON.parse(text.slice(at));
  } catch (err) {
    throw invalid(`The results are not valid JSON (${(err as Error).message}).`);
  }
}

const stepOf: Record<string, DeployStep> = {
  start: 'connect',
  lock: 'preflight',
  'lock-state': 'preflight',
  'lock-takeover': 'preflight',
  busy: 'preflight',
  locked: 'preflight',
  preflight: 'preflight',
  found: 'preflight',
  manifest: 'preflight',
  'manifest-invalid': 'preflight',
  decide: 'preflight',
  'current-not-link': 'preflight',
  disk: 'preflight',
  unchanged: 'preflight',
  upload: 'upload',
  'lock-refresh': 'upload',
  verify: 'verify',
  install: 'install',
  switch: 'switch',
  switched: 'switch',
  restart: 'restart',
  health: 'health',
  prune: 'prune',
  'undo-switch': 'rollback',
  'restart-again': 'rollback',
};

/** `edgefleet:<id> description` → id. */
function taskId(name: string): string | null {
  const m = /^edgefleet:([a-z-]+)(?:\s|$)/.exec(name);
  return m?.[1] ?? null;
}

export function parseAnsibleResults(text: string): AnsibleResults {
  const parsed = callbackSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      `The results are not the JSON callback's output (${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}).`,
    );
  }
  const runs = new Map<string, Map<string, TaskRun>>();
  let infoRaw: unknown;
  for (const play of parsed.data.plays) {
    for (const task of play.tasks) {
      const id = taskId(task.task.name);
      if (id === null) continue;
      for (const [host, result] of Object.entries(task.hosts)) {
        if (id === 'deployment') {
          infoRaw ??= result.msg;
          continue;
        }
        let byId = runs.get(host);
        if (byId === undefined) {
          byId = new Map();
          runs.set(host, byId);
        }
        byId.set(id, {
          result,
          start: task.task.duration?.start ?? null,
          end: task.task.duration?.end ?? null,
        });
      }
    }
  }
  if (infoRaw === undefined) {
    throw invalid(
      'The results have no "edgefleet:deployment" task: they are not from a playbook EdgeFleet wrote.',
    );
  }
  const info = infoSchema.safeParse(infoRaw);
  if (!info.success) {
    const issue = info.error.issues[0];
    throw invalid(
      `The deployment described in the results is not valid (${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}).`,
    );
  }
  const deployment = info.data as AnsibleDeploymentInfo;
  const hosts = new Set(deployment.devices.map((d) => d.host));
  for (const host of runs.keys()) {
    if (!hosts.has(host)) throw invalid(`The results name a host ${host} that the deployment does not list.`);
  }
  return {
    info: deployment,
    devices: deployment.devices.map((d) => interpretDevice(deployment, d, runs.get(d.host) ?? new Map())),
  };
}

function iso(text: string | null): string | null {
  if (text === null) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function msgText(r: HostResult): string {
  const m = r.msg;
  return typeof m === 'string' ? m : m === undefined ? '' : JSON.stringify(m);
}

function tailOf(r: HostResult): string {
  const text = ((r.stderr ?? '').trim() || (r.stdout ?? '').trim() || msgText(r)).slice(-300);
  return text === '' ? '' : `: ${text}`;
}

function ran(run: TaskRun | undefined): run is TaskRun {
  return run !== undefined && run.result.skipped !== true;
}

function interpretDevice(
  info: AnsibleDeploymentInfo,
  device: AnsibleDeploymentInfo['devices'][number],
  tasks: Map<string, TaskRun>,
): AnsibleResults['devices'][number] {
  const name = device.deviceName;
  const log: DeployLogLine[] = [];
  const changes: { found: boolean; change: ReleaseChange }[] = [];
  let step: DeployStep | null = null;
  let lastAt = info.createdAt;
  const stepDurationsMs: Record<string, number> = {};
  for (const [id, run] of tasks) {
    const s = stepOf[id];
    if (s === undefined || !ran(run)) continue;
    step = s;
    const start = iso(run.start);
    const end = iso(run.end);
    if (end !== null) lastAt = end;
    if (start !== null && end !== null) {
      stepDurationsMs[s] = (stepDurationsMs[s] ?? 0) + Math.max(0, Date.parse(end) - Date.parse(start));
    }
  }
  const at = (): string => lastAt;
  const say = (level: DeployLogLine['level'], message: string, s: DeployStep = step ?? 'connect'): void => {
    log.push({ at: at(), step: s, level, message });
  };
  const startRun = tasks.get('start');
  const startedAt = iso(startRun?.start ?? null);
  const outcome: DeviceOutcome = {
    deviceId: device.deviceId,
    deviceName: name,
    status: 'pending',
    step,
    bytesSent: 0,
    bytesTotal: info.sizeBytes,
    startedAt,
    finishedAt: null,
    durationMs: null,
    stepDurationsMs,
    log,
    error: null,
    releaseBefore: null,
    releaseAfter: null,
    facts: null,
  };
  const finish = (status: DeviceDeployStatus, error: AppError | null = null) => {
    outcome.status = status;
    outcome.error = error;
    if (status === 'deployed' || status === 'unchanged') outcome.step = 'done';
    outcome.finishedAt = tasks.size === 0 ? null : lastAt;
    outcome.durationMs =
      startedAt === null || outcome.finishedAt === null
        ? 0
        : Math.max(0, Date.parse(outcome.finishedAt) - Date.parse(startedAt));
    if (error !== null) say('error', `${error.code}: ${error.message}`);
    return { outcome, changes };
  };

  if (tasks.size === 0 || startRun === undefined) {
    outcome.step = null;
    return finish(
      'skipped',
      new AppError(
        'DEPLOY_STOPPED',
        'Not attempted: the rollout stopped (the canary did not become healthy, or too many devices failed).',
      ),
    );
  }
  say('info', `Connecting to ${device.where} (Ansible)`, 'connect');

  // Unreachable: Ansible drops the host at once (no rescue, no unlock), as a vanished device would.
  for (const [id, run] of tasks) {
    if (run.result.unreachable !== true) continue;
    outcome.step = stepOf[id] ?? step;
    const msg = msgText(run.result);
    if (/host key verification failed|remote host identification has changed/i.test(msg)) {
      return finish(
        'failed',
        new AppError(
          'HOST_KEY_MISMATCH',
          `${name} presented a host key that is not the pinned one (known_hosts): nothing was changed. If the device was reinstalled, trust its new key (edgefleet devices trust ${name}), then retry. (${msg.trim().slice(-300)})`,
        ),
      );
    }
    return finish(
      'failed',
      new AppError(
        'UNREACHABLE',
        `Ansible could not reach ${name} (${device.where}) during the ${outcome.step ?? 'connect'} step: ${msg.trim().slice(-300)} It stays on its previous release unless it had switched; retry when the device is back.`,
      ),
    );
  }

  const failedRun = (id: string): TaskRun | undefined => {
    const r = tasks.get(id);
    return r !== undefined && r.result.failed === true ? r : undefined;
  };

  // The lock.
  const lockRun = tasks.get('lock');
  const lockFail = failedRun('lock');
  if (lockFail !== undefined) {
    outcome.step = 'preflight';
    const r = lockFail.result;
    if (r.rc === exitCodes.cannotWrite) {
      return finish(
        'failed',
        new AppError(
          'PREFLIGHT_FAILED',
          `Preflight on ${name} failed${tailOf(r)}. Give the device's user write access to ${device.deployRoot} (or choose another deploy root), then retry.`,
        ),
      );
    }
    return finish(
      'failed',
      new AppError(
        'REMOTE_COMMAND_FAILED',
        `Taking the device lock on ${name} failed${tailOf(r)}. Nothing was changed; check the device and retry.`,
      ),
    );
  }
  const lockValues = parseKeyValues(lockRun?.result.stdout ?? '').values;
  const busyRun = failedRun('busy');
  const takeoverFail = failedRun('lock-takeover');
  if (busyRun !== undefined || takeoverFail !== undefined) {
    outcome.step = 'preflight';
    const holder = lockValues.get('holder') ?? '';
    const model = lockValues.get('holder_model') || 'an unknown model';
    return finish(
      'failed',
      new AppError(
        'DEVICE_BUSY',
        `${name} is busy: ${holder === '' ? 'another deployment (just starting)' : `deployment ${holder}`} of model ${model} holds its deploy lock (${device.deployRoot}/.edgefleet-lock). Nothing was changed. Wait for it to finish (or cancel it), then retry.`,
        { holder: { deploymentId: holder, modelName: model } },
      ),
    );
  }
  if (ran(tasks.get('lock-takeover'))) {
    say(
      'warn',
      `Took over the device lock from deployment ${lockValues.get('holder') || '(no owner recorded)'}: it showed no progress for ${lockValues.get('idle_s') ?? '?'} s`,
      'preflight',
    );
  }

  // Preflight.
  const preFail = failedRun('preflight');
  if (preFail !== undefined) {
    outcome.step = 'preflight';
    const r = preFail.result;
    const hint =
      r.rc === exitCodes.cannotWrite
        ? `Give the device's user write access to ${device.deployRoot} (or choose another deploy root), then retry.`
        : r.rc === exitCodes.noHasher
          ? 'Install openssl, coreutils (sha256sum) or perl (shasum) on the device, then retry.'
          : r.rc === exitCodes.noMoveT
            ? 'The atomic switch renames a link with `mv -T`: install GNU coreutils (or a BusyBox whose mv has -T), then retry.'
            : 'Check the device, then retry.';
    return finish(
      'failed',
      new AppError('PREFLIGHT_FAILED', `Preflight on ${name} failed${tailOf(r)}. ${hint}`, {
        exitCode: r.rc,
      }),
    );
  }
  const preRun = tasks.get('preflight');
  if (!ran(preRun)) {
    return finish('failed', invalidStep(name, 'preflight', tasks));
  }
  const { values, manifest } = parseKeyValues(preRun.result.stdout ?? '');
  const facts = factsFrom(values);
  outcome.facts = facts;
  const currentLink = values.get('current') || null;
  outcome.releaseBefore = releaseFromLink(currentLink) ?? currentLink;
  const removed = Number(values.get('removed_temp') ?? '0');
  if (removed > 0)
    say('info', `Removed ${removed} leftover temporary file(s) of an interrupted deploy`, 'preflight');
  say(
    'info',
    `Device: ${facts.arch ?? 'unknown arch'}, ${facts.availableBytes ?? 'unknown'} B free, current ${currentLink ?? 'none'}`,
    'preflight',
  );
  if (failedRun('current-not-link') !== undefined) {
    outcome.step = 'preflight';
    return finish(
      'failed',
      new AppError(
        'PREFLIGHT_FAILED',
        `The current link under ${device.deployRoot} on ${name} is a real file or directory, not a link. Move it away (it was not made by EdgeFleet), then retry.`,
      ),
    );
  }
  if (failedRun('disk') !== undefined) {
    outcome.step = 'preflight';
    return finish(
      'failed',
      new AppError(
        'INSUFFICIENT_DISK',
        `${name} has ${facts.availableBytes ?? '?'} B free under ${device.deployRoot}, and the deploy needs 2 × ${info.sizeBytes} B + ${info.options.diskMarginBytes} B margin. Nothing was uploaded. Free space on the device (old releases, logs) or choose another deploy root, then retry.`,
      ),
    );
  }
  const otherFail = ['lock-state', 'found', 'decide', 'unchanged', 'locked', 'start'].find(
    (id) => failedRun(id) !== undefined,
  );
  if (otherFail !== undefined) {
    const r = failedRun(otherFail)?.result;
    return finish(
      'failed',
      new AppError(
        'INTERNAL',
        `The playbook's ${otherFail} task failed on ${name}${r === undefined ? '' : tailOf(r)}.`,
      ),
    );
  }

  const ref = {
    release: info.release,
    sha256: info.sha256,
    variantId: info.variantId,
    version: info.version,
  };
  const fileThere = values.get('release_sha256') === info.sha256;
  const m = parseManifest(manifest);
  const manifestOk = fileThere && m !== null && m.release === info.release && m.sha256 === info.sha256;
  const isCurrent = releaseFromLink(currentLink) === info.release;
  const resume = isCurrent && values.get('pending_switch') === info.release;
  if (resume) {
    say(
      'warn',
      `An earlier switch to ${info.release} was never confirmed (interrupted): restarting and checking it now`,
      'preflight',
    );
  }
  if (fileThere && manifestOk && isCurrent && !resume) {
    outcome.releaseAfter = info.release;
    changes.push({
      found: true,
      change: {
        kind: 'switched',
        current: info.release,
        previous: releaseFromLink(values.get('previous') || null),
        currentRef: ref,
      },
    });
    say('info', `Already runs ${info.release}: nothing to do`, 'preflight');
    return finish('unchanged');
  }
  if (fileThere)
    say(
      'info',
      `Release ${info.release} is already on the device with the right sha256: 0 bytes to send`,
      'preflight',
    );

  // Upload, verify, install.
  const uploadFail = failedRun('upload');
  if (uploadFail !== undefined) {
    outcome.step = 'upload';
    return finish(
      'failed',
      new AppError(
        'REMOTE_COMMAND_FAILED',
        `Uploading to ${name} failed${tailOf(uploadFail.result)}. It stays on its previous release; the partial file is removed at the next attempt. Check the device's free space and permissions, then retry.`,
      ),
    );
  }
  if (ran(tasks.get('upload'))) {
    outcome.bytesSent = info.sizeBytes;
    say('info', `Uploaded ${info.sizeBytes} B (Ansible copy)`, 'upload');
  }
  const verifyFail = failedRun('verify');
  if (verifyFail !== undefined) {
    outcome.step = 'verify';
    const r = verifyFail.result;
    const actual = parseKeyValues(r.stdout ?? '').values.get('sha256') ?? '';
    if (r.rc === exitCodes.checksumMismatch) {
      return finish(
        'failed',
        new AppError(
          'CHECKSUM_MISMATCH',
          `The file on ${name} has sha256 ${actual || '(none)'}, expected ${info.sha256}: it was damaged in transit or on the device's storage. The bad copy was removed; retry, and check the device's disk if it happens again.`,
          { expected: info.sha256, actual },
        ),
      );
    }
    return finish('failed', scriptError(name, 'verify', r));
  }
  const verifyRun = tasks.get('verify');
  if (ran(verifyRun)) {
    const actual = parseKeyValues(verifyRun.result.stdout ?? '').values.get('sha256') ?? '';
    say('info', `sha256 verified on the device (${actual.slice(0, 12)}…)`, 'verify');
  }
  const installFail = failedRun('install');
  if (installFail !== undefined) {
    outcome.step = 'install';
    return finish('failed', scriptError(name, 'install', installFail.result));
  }
  if (ran(tasks.get('install')) && fileThere) say('info', 'Rewrote the release manifest', 'install');

  // Switch.
  const switchFail = failedRun('switch');
  if (switchFail !== undefined) {
    outcome.step = 'switch';
    return finish('failed', scriptError(name, 'switch', switchFail.result));
  }
  const switchRun = tasks.get('switch');
  if (!ran(switchRun)) return finish('failed', invalidStep(name, 'switch', tasks));
  const sw = parseKeyValues(switchRun.result.stdout ?? '').values;
  const release = sw.get('release') ?? info.release;
  const oldCurrent = releaseFromLink(sw.get('old_current') || null) ?? (sw.get('old_current') || null);
  const switched = sw.get('switched') === 'yes';
  const resumed = !switched && resume;
  outcome.releaseAfter = release;
  logRemoved(say, switchRun.result.stdout ?? '', 'switch');
  if (switched || resumed) {
    const previous = switched ? oldCurrent : releaseFromLink(values.get('previous') || null);
    if (switched) say('info', `current → releases/${release} (was ${oldCurrent ?? 'none'})`, 'switch');
    changes.push({
      found: false,
      change: { kind: 'switched', current: release, previous, currentRef: { ...ref, release } },
    });
  } else if (!fileThere) {
    say(
      'info',
      `current already points at ${release}; its file was replaced, so the service restarts`,
      'switch',
    );
  } else {
    say('info', `current already points at ${release}`, 'switch');
    return finish('unchanged');
  }

  // Restart and health check; the switch back.
  const restartFail = failedRun('restart');
  const healthFail = failedRun('health');
  let failure: AppError | null = null;
  if (restartFail !== undefined) {
    const r = restartFail.result;
    outcome.step = 'restart';
    failure = new AppError(
      'RESTART_FAILED',
      `The restart command on ${name} ${r.rc === undefined ? 'failed' : `exited with ${r.rc}`}${tailOf(r)}.`,
      { code: r.rc ?? null, stderr: (r.stderr ?? '').slice(-2000) },
    );
  } else if (healthFail !== undefined) {
    const r = healthFail.result;
    outcome.step = 'health';
    const attempts = info.options.healthAttempts;
    failure = new AppError(
      'HEALTH_CHECK_FAILED',
      `The health check on ${name} failed ${attempts === 1 ? 'once' : `${attempts} times`} (last: ${r.rc === undefined ? msgText(r) : `exited with ${r.rc}`}${tailOf(r)}).`,
      { attempts },
    );
  }
  if (failure === null) {
    const failedElsewhere = [...tasks].find(
      ([id, r]) => r.result.failed === true && stepOf[id] !== 'rollback',
    );
    if (failedElsewhere !== undefined) {
      return finish(
        'failed',
        new AppError(
          'INTERNAL',
          `The playbook's ${failedElsewhere[0]} task failed on ${name}${tailOf(failedElsewhere[1].result)}.`,
        ),
      );
    }
    if (ran(tasks.get('health'))) say('info', 'Health check passed', 'health');
    const prune = tasks.get('prune');
    if (ran(prune)) {
      logRemoved(say, prune.result.stdout ?? '', 'prune');
      if ((prune.result.rc ?? 0) !== 0)
        say(
          'warn',
          `Pruning old releases failed (exit ${prune.result.rc}${tailOf(prune.result)}); they stay on the device`,
          'prune',
        );
    }
    if (!ran(tasks.get('ok'))) return finish('failed', invalidStep(name, 'ok', tasks));
    return finish('deployed');
  }
  say('error', failure.message);
  const fail = (message: string) =>
    finish('failed', new AppError(failure.code, `${failure.message} ${message}`, failure.details));
  if (!switched && !resumed) {
    return fail(
      "There is no other release to switch back to (the active release's file was replaced in place); fix the device's service and redeploy.",
    );
  }
  const undo = tasks.get('undo-switch');
  if (!ran(undo)) return finish('failed', invalidStep(name, 'undo-switch', tasks));
  if ((undo.result.rc ?? 1) !== 0) {
    outcome.step = 'rollback';
    return fail(
      `Switching back also failed${tailOf(undo.result)}: ${name} may still run ${release}. Check it, then roll back or redeploy.`,
    );
  }
  outcome.step = 'rollback';
  const restored = parseKeyValues(undo.result.stdout ?? '').values;
  const backTo = releaseFromLink(restored.get('current') || null) ?? (restored.get('current') || null);
  outcome.releaseAfter = backTo;
  say('warn', `Switched back: current → ${backTo ?? 'none'}`, 'rollback');
  changes.push({
    found: false,
    change: {
      kind: 'restored',
      current: backTo,
      previous: releaseFromLink(restored.get('previous') || null) ?? (restored.get('previous') || null),
      currentRef: null,
    },
  });
  const again = tasks.get('restart-again');
  if (ran(again) && (again.result.rc ?? 1) !== 0) {
    return fail(
      `${name} was switched back to ${backTo ?? 'no release'}, but restarting it then failed too (exit ${again.result.rc ?? '?'}${tailOf(again.result)}): its service may be down.`,
    );
  }
  return finish(
    'rolled_back',
    new AppError(
      failure.code,
      `${failure.message} ${name} was switched back to ${backTo ?? 'no release'} and restarted.`,
      failure.details,
    ),
  );
}

function logRemoved(
  say: (level: DeployLogLine['level'], message: string, s?: DeployStep) => void,
  stdout: string,
  s: DeployStep,
): void {
  const removed = stdout
    .split('\n')
    .filter((l) => l.startsWith('removed='))
    .map((l) => l.slice('removed='.length));
  if (removed.length > 0) say('info', `Removed old releases: ${removed.join(', ')}`, s);
}

function scriptError(name: string, what: string, r: HostResult): AppError {
  return new AppError(
    'REMOTE_COMMAND_FAILED',
    `The ${what} step on ${name} failed${tailOf(r)}. The device stays on its previous release; check it and retry.`,
    { exitCode: r.rc ?? null, stderr: (r.stderr ?? '').slice(-2000) },
  );
}

/** A device whose results stop without a failure or an end: the run was cut short (killed, or edited). */
function invalidStep(name: string, expected: string, tasks: Map<string, TaskRun>): AppError {
  const last = [...tasks.keys()].at(-1) ?? 'none';
  return new AppError(
    'DEPLOY_INTERRUPTED',
    `The Ansible run ended on ${name} before its ${expected} step (last task: ${last}), without a failure: it was interrupted. Run a drift check to see what the device runs, then deploy again.`,
  );
}
