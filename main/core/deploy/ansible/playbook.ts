import { Document, Scalar } from 'yaml';
import { AppError } from '../../../../shared/errors';
import { knownHostsName } from '../../fleet/inventory-io';
import type { SshTarget } from '../../fleet/ssh';
import { diskNeededBytes, lockCommand, type CommandId, type DeployPlan, type DevicePlan } from '../plan';
import { deviceTasksYaml } from './device-tasks';

/**
 * A deploy plan (plan.ts) as an Ansible project: the plays (`deploy.yml`), the per-device tasks
 * (`edgefleet-device.yml`, fixed text), the data (`edgefleet-vars.yml`: the remote scripts once, each
 * device's arguments exactly as the plan quoted them for the built-in engine, the manifest), the pinned host
 * keys (`known_hosts`) and `ansible.cfg`. The inventory and the model file are added by the caller.
 *
 * Every value that came from a user (paths, names, commands, the scripts themselves, which hold `{#`) is
 * written with YAML's `!unsafe` tag, so Ansible passes it through without templating.
 */

export const bundleFormat = 'edgefleet-ansible/1';

export const bundleFiles = {
  playbook: 'deploy.yml',
  tasks: 'edgefleet-device.yml',
  vars: 'edgefleet-vars.yml',
  knownHosts: 'known_hosts',
  config: 'ansible.cfg',
  model: 'model.onnx',
  readme: 'README.md',
} as const;

export type InventoryFile = { fileName: 'inventory.ini' | 'inventory.yml'; text: string };

/** What the results of a run must say about the deployment (the `edgefleet:deployment` task prints it). */
export type AnsibleDeploymentInfo = {
  format: typeof bundleFormat;
  deploymentId: string;
  createdAt: string;
  deployedBy: string;
  modelName: string;
  variantId: string;
  version: string;
  release: string;
  sha256: string;
  sizeBytes: number;
  options: DeployPlan['options'];
  forks: number;
  /** Inventory host name (the device name) → the device, in the plan's order. */
  devices: { host: string; deviceId: string; deviceName: string; where: string; deployRoot: string }[];
  waves: string[][];
};

/** Seconds for Ansible's task keywords (whole seconds; a limit never rounds down to none). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function unsafe(value: unknown): unknown {
  if (typeof value === 'string') {
    const s = new Scalar(value);
    s.tag = '!unsafe';
    return s;
  }
  if (Array.isArray(value)) return value.map(unsafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsafe(v)]));
  }
  return value;
}

function yamlText(header: string, value: unknown): string {
  const doc = new Document(value, { version: '1.1' });
  return `${header}${doc.toString({ lineWidth: 0 })}`;
}

const sharedScripts = {
  lock: 'lock',
  preflight: 'preflight',
  verify: 'verify',
  install: 'install',
  switch: 'switch',
  prune: 'prune',
  undo_switch: 'undo-switch',
} as const satisfies Record<string, CommandId>;

type Exec = { script: string; args: string[] };

function commandsOf(device: DevicePlan): Map<CommandId, Exec> {
  const found = new Map<CommandId, Exec>();
  for (const step of [...device.steps, ...device.onFailure]) {
    for (const c of step.commands) {
      if (!('script' in c.exec)) {
        throw new AppError('INTERNAL', `The ${c.id} command of ${device.deviceName} is not a script.`);
      }
      if (!found.has(c.id)) found.set(c.id, { script: c.exec.script, args: [...(c.exec.args ?? [])] });
    }
  }
  return found;
}

function argsOf(device: DevicePlan, exec: ReturnType<typeof commandsOf>, id: CommandId): string[] {
  const c = exec.get(id);
  if (c === undefined)
    throw new AppError('INTERNAL', `The plan for ${device.deviceName} has no ${id} command.`);
  return c.args;
}

/** The host keys the plan pins (devices and jump hosts), as OpenSSH's known_hosts. */
export function knownHostsFor(plan: DeployPlan): string {
  const lines = new Set<string>();
  const add = (ssh: SshTarget, name: string): void => {
    if (ssh.pinnedHostKey === null) {
      throw new AppError(
        'HOST_KEY_UNKNOWN',
        `The host key of ${name} (${ssh.host}:${ssh.port}) is not trusted yet, so Ansible could not check it. Trust it first (edgefleet devices trust ${name}), then retry. Nothing was written.`,
      );
    }
    lines.add(`${knownHostsName(ssh.host, ssh.port)} ${ssh.pinnedHostKey}`);
    if (ssh.jump !== undefined) add(ssh.jump, `the jump host of ${name}`);
  };
  for (const d of plan.devices) add(d.ssh, d.deviceName);
  return `# EdgeFleet pinned host keys for deployment ${plan.deploymentId} (StrictHostKeyChecking=yes)\n${[...lines].join('\n')}\n`;
}

export function deploymentInfo(plan: DeployPlan, forks: number): AnsibleDeploymentInfo {
  return {
    format: bundleFormat,
    deploymentId: plan.deploymentId,
    createdAt: plan.createdAt,
    deployedBy: plan.deployedBy,
    modelName: plan.artifact.modelName,
    variantId: plan.artifact.variantId,
    version: plan.artifact.version,
    release: plan.release,
    sha256: plan.artifact.sha256,
    sizeBytes: plan.artifact.sizeBytes,
    options: plan.options,
    forks,
    devices: plan.devices.map((d) => ({
      host: d.deviceName,
      deviceId: d.deviceId,
      deviceName: d.deviceName,
      where: d.where,
      deployRoot: d.paths.deployRoot,
    })),
    waves: plan.waves.map((w) =>
      w.map((id) => plan.devices.find((d) => d.deviceId === id)?.deviceName ?? id),
    ),
  };
}

/** The data the fixed tasks read: scripts once, the plan's arguments per device. */
export function varsFor(plan: DeployPlan, forks: number): Record<string, unknown> {
  const scripts: Record<string, string> = {};
  const hosts: Record<string, unknown> = {};
  for (const device of plan.devices) {
    const exec = commandsOf(device);
    for (const [key, id] of Object.entries(sharedScripts)) {
      const c = exec.get(id);
      if (c === undefined) continue;
      if (scripts[key] !== undefined && scripts[key] !== c.script) {
        throw new AppError('INTERNAL', `The ${id} script differs between devices of one plan.`);
      }
      scripts[key] = c.script;
    }
    const upload = device.steps.find((s) => s.step === 'upload')?.upload;
    const install = device.steps.flatMap((s) => s.commands).find((c) => c.id === 'install');
    if (upload === undefined || upload === null || install === undefined) {
      throw new AppError('INTERNAL', `The plan for ${device.deviceName} has no upload or install.`);
    }
    const user = (id: CommandId): Exec | null => exec.get(id) ?? null;
    const takeover = lockCommand(device.paths, plan.artifact.modelName, plan.deploymentId, 'takeover').exec;
    hosts[device.deviceName] = {
      device_id: device.deviceId,
      lock: argsOf(device, exec, 'lock'),
      lock_takeover: 'script' in takeover ? [...(takeover.args ?? [])] : [],
      lock_refresh: 'script' in device.lock.refresh.exec ? [...(device.lock.refresh.exec.args ?? [])] : [],
      lock_release: 'script' in device.lock.release.exec ? [...(device.lock.release.exec.args ?? [])] : [],
      preflight: argsOf(device, exec, 'preflight'),
      verify: argsOf(device, exec, 'verify'),
      install: argsOf(device, exec, 'install'),
      switch: argsOf(device, exec, 'switch'),
      prune: exec.get('prune')?.args ?? null,
      undo_switch: argsOf(device, exec, 'undo-switch'),
      restart: user('restart'),
      health: user('health'),
      temp_file: upload.remotePath,
      current_link: device.paths.currentLink,
      releases_dir: device.paths.releasesDir,
    };
  }
  const manifest = plan.devices[0]?.steps.flatMap((s) => s.commands).find((c) => c.id === 'install')?.stdin;
  const o = plan.options;
  return {
    edgefleet_deployment: unsafe(deploymentInfo(plan, forks)),
    edgefleet: {
      deployment_id: unsafe(plan.deploymentId),
      release: unsafe(plan.release),
      sha256: unsafe(plan.artifact.sha256),
      manifest_base64: unsafe(Buffer.from(manifest ?? '', 'utf8').toString('base64')),
      disk_needed: diskNeededBytes(plan.artifact.sizeBytes, o),
      lock_stale_s: 15 * 60,
      restart_timeout_s: seconds(o.restartTimeoutMs),
      health_timeout_s: seconds(o.healthTimeoutMs),
      health_attempts: o.healthAttempts,
      health_interval_s: Math.round(o.healthIntervalMs / 1000),
      max_fail_percent: o.maxFailPercent,
    },
    edgefleet_waves: plan.waves.map((w) =>
      w.map((id) => unsafe(plan.devices.find((d) => d.deviceId === id)?.deviceName ?? id)),
    ),
    edgefleet_all_hosts: plan.devices.map((d) => unsafe(d.deviceName)),
    edgefleet_scripts: unsafe(scripts),
    edgefleet_hosts: unsafe(hosts),
  };
}

const sshArgs =
  "-o UserKnownHostsFile={{ (playbook_dir ~ '/known_hosts') | quote }} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes";

const failedSoFar =
  "(edgefleet_all_hosts | map('extract', hostvars) | selectattr('ef_started', 'defined') | rejectattr('ef_ok') | list | length)";

/** The plays: the canary wave first (when set), then the rest only when every canary device is healthy. */
export function playbookFor(plan: DeployPlan, forks: number): string {
  const title = `EdgeFleet deploy ${plan.artifact.modelName} ${plan.release} (${plan.deploymentId})`;
  const names = (ids: readonly string[]) =>
    ids.map((id) => plan.devices.find((d) => d.deviceId === id)?.deviceName ?? id);
  const deploymentTask = {
    name: 'edgefleet:deployment What this deployment is (read back by edgefleet deploy --import-results)',
    'ansible.builtin.debug': { msg: '{{ edgefleet_deployment }}' },
    run_once: true,
  };
  const plays = plan.waves.map((wave, i) => {
    const tasks: Record<string, unknown>[] = [];
    if (i === 0) tasks.push(deploymentTask);
    if (i > 0) {
      tasks.push({
        name: 'edgefleet:gate Go on only when every canary device runs the release',
        'ansible.builtin.meta': 'end_play',
        when: "edgefleet_waves[0] | map('extract', hostvars) | map(attribute='ef_ok', default=false) | reject | list | length > 0",
      });
    }
    if (plan.options.maxFailPercent !== null) {
      tasks.push({
        name: 'edgefleet:budget Stop starting devices once too many failed',
        'ansible.builtin.meta': 'end_play',
        when: `${failedSoFar} * 100 > edgefleet.max_fail_percent * (edgefleet_all_hosts | length)`,
      });
    }
    tasks.push({ name: 'The device', 'ansible.builtin.import_tasks': bundleFiles.tasks });
    const play: Record<string, unknown> = {
      name: plan.waves.length > 1 ? `${title}: ${i === 0 ? 'canary' : 'the rest'}` : title,
      hosts: names(wave),
      gather_facts: false,
      // Batches of `forks` devices, so the failure budget is checked before each batch starts.
      ...(plan.options.maxFailPercent === null ? {} : { serial: forks }),
      vars_files: [bundleFiles.vars],
      vars: { ansible_ssh_extra_args: sshArgs },
      tasks,
    };
    return play;
  });
  return yamlText(
    `# ${title}\n# Generated by EdgeFleet; run it with: ansible-playbook ${bundleFiles.playbook} (see README.md)\n`,
    plays.map((p) => ({ ...p, name: unsafe(p['name']) })),
  );
}

export function ansibleConfig(inventory: InventoryFile, forks: number): string {
  return [
    '# EdgeFleet: the settings this playbook was written for. Host keys are always checked against',
    '# known_hosts (the pinned keys); never set host_key_checking to False.',
    '[defaults]',
    `inventory = ${inventory.fileName}`,
    `forks = ${forks}`,
    'host_key_checking = True',
    'interpreter_python = auto_silent',
    'retry_files_enabled = False',
    'gathering = explicit',
    '',
    '[ssh_connection]',
    'pipelining = True',
    '',
  ].join('\n');
}

export type BundleTexts = Record<string, string>;

/** Every text file of the project but the model (and the README, written by the caller). */
export function bundleTexts(plan: DeployPlan, inventory: InventoryFile, forks: number): BundleTexts {
  return {
    [inventory.fileName]: inventory.text,
    [bundleFiles.knownHosts]: knownHostsFor(plan),
    [bundleFiles.config]: ansibleConfig(inventory, forks),
    [bundleFiles.vars]: yamlText(
      `# EdgeFleet deployment ${plan.deploymentId}: the plan's data (generated). Values are !unsafe: never templated.\n`,
      varsFor(plan, forks),
    ),
    [bundleFiles.tasks]: deviceTasksYaml,
    [bundleFiles.playbook]: playbookFor(plan, forks),
  };
}
