import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { AppErrorData } from '../../../../shared/errors';
import { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import type { FleetOpOptions, FleetProgress, FleetService } from '../../../core/fleet/service';
import type { CliIo } from '../../cli-context';
import { askHidden, canPrompt } from './tty-prompt';

/** Flags, prompts, progress and exit-code rules shared by the devices commands. */

export type DeviceFlags = {
  name?: string;
  host?: string;
  port?: number;
  user?: string;
  key?: string;
  agent?: boolean;
  askPassword?: boolean;
  jump?: string;
  tag?: string[];
  addTag?: string[];
  removeTag?: string[];
  profile?: string;
  deployRoot?: string;
  restartCmd?: string;
  healthCmd?: string;
  notes?: string;
};

export type OpFlags = { concurrency?: number; connectTimeout?: number };

export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65_535) {
    throw new InvalidArgumentError('the port must be a number from 1 to 65535.');
  }
  return Number(value);
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return Number(value);
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0.');
  return n;
}

/** `--connect-timeout <seconds>` in ms, as the core takes it; undefined leaves the core's default. */
export function connectTimeoutMs(flags: { connectTimeout?: number }): number | undefined {
  return flags.connectTimeout === undefined ? undefined : flags.connectTimeout * 1000;
}

export function deviceOptions(cmd: Command, forEdit: boolean): Command {
  const name = new Option(
    '--name <name>',
    forEdit ? 'rename the device' : 'device name (letters, digits, . _ -)',
  );
  const host = new Option('--host <host>', 'host name or IP address');
  if (!forEdit) {
    name.makeOptionMandatory();
    host.makeOptionMandatory();
  }
  cmd
    .addOption(name)
    .addOption(host)
    .addOption(new Option('--port <port>', 'SSH port (default 22)').argParser(parsePort))
    .option('--user <user>', 'login user (default: your local user name)')
    .addOption(
      new Option('--key <path>', 'private key file (a passphrase is asked for when needed)').conflicts([
        'agent',
        'askPassword',
      ]),
    )
    .addOption(
      new Option('--agent', 'log in with ssh-agent (SSH_AUTH_SOCK); the default').conflicts(['askPassword']),
    )
    .addOption(
      new Option('--ask-password', 'log in with a password, asked on the terminal at each use, never stored'),
    )
    .option('--jump <host>', `jump host: a device name or user@host:port${forEdit ? ' ("" for none)' : ''}`)
    .option('--tag <tag>', forEdit ? 'set the tags to these (repeatable)' : 'tag (repeatable)', collect)
    .option('--profile <id>', 'hardware profile id')
    .option(
      '--deploy-root <dir>',
      'absolute directory on the device for deployed models (default /opt/edgefleet)',
    )
    .option('--restart-cmd <cmd>', 'shell command that restarts the model service after a deploy')
    .option('--health-cmd <cmd>', 'shell command that exits 0 when the model service is healthy')
    .option('--notes <text>', 'free-form notes');
  if (forEdit) {
    cmd
      .option('--add-tag <tag>', 'add a tag (repeatable)', collect)
      .option('--remove-tag <tag>', 'remove a tag (repeatable)', collect);
  }
  return cmd;
}

/** Flags → add/update input; in an edit, "" clears an optional field. */
export function deviceInput(flags: DeviceFlags, forEdit: boolean): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) input[key] = value;
  };
  const clearable = (value: string | undefined) => (forEdit && value === '' ? null : value);
  set('name', flags.name);
  set('host', flags.host);
  set('port', flags.port);
  set('user', flags.user);
  if (flags.key !== undefined) {
    input['authMethod'] = 'key';
    input['keyPath'] = flags.key;
  } else if (flags.askPassword === true) input['authMethod'] = 'password';
  else if (flags.agent === true) input['authMethod'] = 'agent';
  set('jump', clearable(flags.jump));
  set('profile', clearable(flags.profile));
  set('deployRoot', flags.deployRoot);
  set('restartCmd', clearable(flags.restartCmd));
  set('healthCmd', clearable(flags.healthCmd));
  set('notes', clearable(flags.notes));
  if (!forEdit || flags.tag !== undefined) input['tags'] = flags.tag ?? [];
  return input;
}

/** Passwords and key passphrases the devices need, asked on the terminal before connecting. */
export async function askSecrets(fleet: FleetService, devices: readonly Device[]): Promise<void> {
  if (!canPrompt()) return; // Without a terminal each such device reports SECRET_REQUIRED instead.
  for (const need of fleet.secretNeeds(devices)) {
    if (need.kind === 'password') {
      fleet.provideSecret(need.device, 'password', await askHidden(`Password for ${need.device}: `));
    } else {
      const first = need.devices[0] ?? '';
      fleet.provideSecret(first, 'passphrase', await askHidden(`Passphrase for ${need.keyPath}: `));
    }
  }
}

/** Per-device progress on stderr (not with --json): one redrawn line on a terminal, a line per device otherwise. */
export function fleetProgress(io: CliIo, json: boolean, verb: string) {
  let drawn = false;
  return {
    onProgress(p: FleetProgress) {
      if (json || p.ok === null) return;
      const what = `${verb} ${p.done}/${p.total}: ${p.device} ${p.ok ? 'ok' : 'failed'}`;
      if (io.stderrIsTty) {
        io.stderr(`\r${what}${p.running > 0 ? ` (${p.running} running)` : ''}\x1b[K`);
        drawn = true;
      } else {
        io.stderr(`${what}\n`);
      }
    },
    end() {
      if (drawn) io.stderr('\n');
      drawn = false;
    },
  };
}

export type Outcome = { device: string; ok: boolean; error?: AppErrorData | null };

/**
 * One device: its failure is the command's error (exit 1, `{"error": …}` with --json), like any other
 * refusal. Several: the per-device results are the output, and the exit code is 1 when any failed.
 */
export function settle<T extends Outcome>(outcomes: T[], failed: { count: number }): T[] {
  const bad = outcomes.filter((o) => !o.ok);
  const only = outcomes[0];
  if (outcomes.length === 1 && only !== undefined && !only.ok && only.error) {
    throw new AppError(only.error.code, only.error.message, only.error.details);
  }
  failed.count = bad.length;
  return outcomes;
}

export function opOptions(flags: OpFlags, progress: { onProgress(p: FleetProgress): void }): FleetOpOptions {
  return {
    onProgress: progress.onProgress,
    concurrency: flags.concurrency,
    connectTimeoutMs: connectTimeoutMs(flags),
  };
}

export function withOpOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--concurrency <n>', 'devices worked on at once (default 16)').argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        '--connect-timeout <seconds>',
        'per connection: TCP, SSH handshake and login (default 10)',
      ).argParser(parseSeconds),
    );
}
